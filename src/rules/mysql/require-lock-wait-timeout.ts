import { defineRule } from './rule.js';
import { DDL_KINDS, existingTables, flavorOf, sqlBlock, sqlName, statementLabel } from './helpers.js';
import { formatWait, statementWait } from '../../dialects/mysql/session.js';

/** Longest metadata-lock wait lockstep accepts for a DDL on a table in use: beyond it, the queue behind it is an outage. */
export const MAX_LOCK_WAIT_MS = 10_000;

/** Sections already told that nothing set a lock_wait_timeout (once per section). */
const reported = new WeakSet<object>();

export default defineRule({
  id: 'require-lock-wait-timeout',
  title: 'Set a short lock_wait_timeout before DDL on a table in use',
  category: 'timeouts',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: DDL_KINDS,
  why:
    'Every ALTER TABLE, CREATE/DROP INDEX, RENAME, TRUNCATE or DROP TABLE first takes an exclusive metadata lock on the table — even an INSTANT change. It has to wait until every open transaction that has touched the table (a long report, a connection idle in a transaction) has ended, and while it waits every later query on the table, plain SELECTs included, queues behind it. `lock_wait_timeout` bounds that wait, and its server default is a year on MySQL (31536000 s) and a day on MariaDB (86400 s): one forgotten transaction turns a millisecond change into an outage.\n\n' +
    'Set it to a few seconds for the migration (`SET SESSION lock_wait_timeout = 5`; on MariaDB also `ALTER TABLE … WAIT 5` or `SET STATEMENT lock_wait_timeout = 5 FOR …`) and retry on timeout (error 1205) after a short pause: many short attempts cost traffic far less than one long wait.',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INSTANT;',
    good: 'SET SESSION lock_wait_timeout = 5;\nALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INSTANT;\n\n-- a table created in the same migration is not in use yet:\nCREATE TABLE refunds (id BIGINT PRIMARY KEY);\nALTER TABLE refunds ADD COLUMN reason TEXT;',
  },
  peers: ['pt-online-schema-change: --set-vars lock_wait_timeout', 'gh-ost: --cut-over-lock-timeout-seconds'],
  check(stmt, ctx) {
    if (!ctx.effect.metadataLock) return;
    const tables = existingTables(stmt, ctx);
    if (!tables.length) return;
    const flavor = flavorOf(ctx);
    const wait = statementWait(stmt, ctx.timeouts, flavor);
    if (wait.ms <= MAX_LOCK_WAIT_MS) return;
    const names = tables.map(sqlName).join(', ');
    const never = !ctx.timeouts.everSetLock && !wait.stmt && !wait.perStatement;
    if (never && reported.has(ctx.migration)) return;
    const lost = ctx.timeouts.lockLost ? ` (${ctx.timeouts.lockLost})` : '';
    const shown = ctx.report({
      at: stmt.span.start,
      table: tables[0]!,
      message: `${statementLabel(stmt)} waits up to ${formatWait(wait.ms)} for an exclusive metadata lock on ${names} (lock_wait_timeout: ${wait.source}${lost}): while it waits behind an open transaction, every later query on ${names}, reads included, queues behind it`,
      fix: sqlBlock(
        `Set a short lock_wait_timeout first (seconds)${flavor === 'mariadb' ? ', or give this statement its own with WAIT' : ''}, and retry when it times out (error 1205), after a short pause:`,
        '```sql',
        'SET SESSION lock_wait_timeout = 5;',
        `${stmt.text.trim().replace(/;?$/, ';')}`,
        '```',
      ),
    });
    if (shown && never) reported.add(ctx.migration);
  },
});
