import { defineRule } from './rule.js';
import { LOCKING_KINDS, lockPhrase, queuedBehind, sqlBlock, sqlName, statementLabel, strongestLock, trafficLocks } from './helpers.js';

export default defineRule({
  id: 'lock-queue-without-timeout',
  title: 'Keep the lock_timeout in effect until the last blocking statement',
  category: 'timeouts',
  severity: 'warning',
  sizeSensitive: true,
  kinds: LOCKING_KINDS,
  why:
    'A `lock_timeout` set at the top of a migration protects only the statements that run while it is in effect. `SET LOCAL` ends with the transaction it was set in, `RESET` / `RESET ALL` / `SET … TO DEFAULT` return to the session\u2019s default (the server, database or role setting: usually 0, wait forever), `SET LOCAL` outside a transaction block does nothing at all, and `SET lock_timeout = 0` turns it off. A blocking statement after that point waits for its lock indefinitely, and every query on the table queues behind it — exactly what the timeout was there to prevent, while the file still looks protected.',
  examples: {
    bad: "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\n\nALTER TABLE customers ADD COLUMN vip boolean;",
    good: "SET lock_timeout = '2s';\n\nBEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\n\nALTER TABLE customers ADD COLUMN vip boolean;",
  },
  peers: ['pgfence: lock-timeout-zero'],
  check(stmt, ctx) {
    const t = ctx.timeouts;
    if (!t.everSetLock || t.lock.ms !== 0) return;
    const lock = strongestLock(trafficLocks(ctx));
    if (!lock) return;
    const local = ctx.tx.open;
    const why = t.lockLost ?? 'the lock_timeout set earlier is not in effect any more';
    ctx.report({
      at: stmt.span.start,
      table: lock.tables[0]!,
      message: `${statementLabel(stmt)} waits for ${lockPhrase(lock.mode)} on ${lock.tables.map(sqlName).join(', ')} with no lock_timeout in effect (${why}): ${queuedBehind(lock.mode, lock.tables)} can queue behind it`,
      fix: sqlBlock(
        `Set the lock_timeout again right before it${local ? ' (SET LOCAL lasts until this transaction ends)' : ' (a session-level SET lasts across transactions)'}, and retry when it times out, after a short pause:`,
        `SET ${local ? 'LOCAL ' : ''}lock_timeout = '2s';`,
        `${stmt.text};`,
      ),
    });
  },
});
