import { defineRule } from './rule.js';
import { LOCKING_KINDS, formatMs, lockPhrase, queuedBehind, sqlBlock, sqlName, statementLabel, strongestLock, trafficLocks } from './helpers.js';

/** Longest lock wait lockstep accepts before a blocking statement: beyond it, the queue behind it is an outage. */
const MAX_LOCK_TIMEOUT_MS = 10_000;

export default defineRule({
  id: 'lock-timeout-too-long',
  title: 'Keep lock_timeout short (10 s or less) for statements that block traffic',
  category: 'timeouts',
  severity: 'warning',
  kinds: LOCKING_KINDS,
  why:
    '`lock_timeout` bounds how long a statement waits for its lock — and therefore how long every query that arrives after it waits in the lock queue behind it. A waiting ACCESS EXCLUSIVE request stops even plain SELECTs on the table. A timeout of a minute lets a migration stall the table for a minute before it gives up; most applications time out long before that.\n\n' +
    'Keep it to a few seconds (lockstep suggests 2 s, and flags more than 10 s) and retry on timeout instead: many short attempts cost traffic far less than one long wait.',
  examples: {
    bad: "SET lock_timeout = '1min';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;",
    good: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n\n-- SHARE UPDATE EXCLUSIVE does not block reads or writes:\nSET lock_timeout = '1min';\nCREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);",
  },
  peers: ['pgfence: lock-timeout-too-long', 'strong_migrations: lock_timeout_limit'],
  check(stmt, ctx) {
    const setting = ctx.timeouts.lock;
    if (setting.ms <= MAX_LOCK_TIMEOUT_MS) return;
    const lock = strongestLock(trafficLocks(ctx));
    if (!lock) return;
    const local = ctx.tx.open;
    const fromStatement = !!setting.stmt;
    ctx.report({
      at: stmt.span.start,
      table: lock.tables[0]!,
      message: `${statementLabel(stmt)} may wait up to ${formatMs(setting.ms)} for ${lockPhrase(lock.mode)} on ${lock.tables.map(sqlName).join(', ')} (lock_timeout from ${setting.source}): ${queuedBehind(lock.mode, lock.tables)} can wait that long behind it`,
      fix: sqlBlock(
        `${fromStatement ? 'Lower the lock_timeout' : 'Set a shorter lock_timeout before it (or lower the one lockstep assumes in the config)'} to a few seconds and retry when it times out, after a short pause:`,
        `SET ${local ? 'LOCAL ' : ''}lock_timeout = '2s';`,
        `${stmt.text};`,
      ),
    });
  },
});
