import { defineRule, type TimeoutSetting } from './rule.js';
import { LOCKING_KINDS, formatMs, heavyUnderLock, lockPhrase, sqlBlock, sqlName, statementLabel } from './helpers.js';

/** Longest statement_timeout lockstep accepts for a statement that blocks traffic while it reads a whole table. */
const MAX_STATEMENT_TIMEOUT_MS = 3_600_000;

/** Settings already reported: one finding per SET (or default) is enough, however many statements run under it. */
const reported = new WeakSet<TimeoutSetting>();

export default defineRule({
  id: 'statement-timeout-too-long',
  title: 'Keep statement_timeout to an hour or less for statements that block traffic',
  category: 'timeouts',
  severity: 'warning',
  sizeSensitive: true,
  kinds: LOCKING_KINDS,
  why:
    'A statement that rewrites or scans a whole table while holding a lock that blocks reads or writes keeps that traffic waiting for as long as it runs. `statement_timeout` is what bounds it: set to more than an hour, or explicitly to 0 (no limit), it lets a migration that is slower than expected (a bigger table, a slower disk, a worse plan) block the table for that long instead of failing.\n\n' +
    'Size the timeout to the table (time the statement on a production-sized copy and add a margin), so the worst case is a failed, retryable migration instead of an outage. A migration that never sets `statement_timeout` is require-statement-timeout\u2019s business.',
  examples: {
    bad: "SET statement_timeout = 0;\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);",
    good:
      "SET statement_timeout = '10min';\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);\n\n-- a long timeout is fine for statements that do not block traffic:\nSET statement_timeout = '6h';\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;",
  },
  peers: ['pgfence: statement-timeout-too-long'],
  check(stmt, ctx) {
    const e = ctx.effect;
    if (!e.rewrite && !e.scan) return;
    const setting = ctx.timeouts.statement;
    const off = setting.ms === 0 && !!setting.stmt; // set to 0 (or RESET back to a default of 0) by the migration itself
    if (!off && setting.ms <= MAX_STATEMENT_TIMEOUT_MS) return;
    if (reported.has(setting)) return;
    const found = heavyUnderLock(ctx);
    if (!found) return;
    const { heavy, scanned, lock } = found;
    reported.add(setting);
    const verb = heavy.claim!.rewrite ? 'rewrites' : 'scans';
    const local = ctx.tx.open;
    ctx.report({
      at: heavy.at,
      table: scanned,
      message: `${statementLabel(stmt)} ${verb} ${sqlName(scanned)} while ${found.own ? 'holding' : 'this transaction holds'} ${lockPhrase(lock.mode)} on ${lock.tables.map(sqlName).join(', ')}, ${off ? 'with statement_timeout turned off' : `and statement_timeout is ${formatMs(setting.ms)}`} (${setting.source}): that traffic can wait ${off ? 'for as long as it runs' : 'that long'}`,
      fix: sqlBlock(
        `${off ? 'Set statement_timeout to a limit' : setting.stmt ? 'Lower the statement_timeout to one' : 'Set a shorter statement_timeout before it (or lower the one lockstep assumes in the config), one'} sized to ${sqlName(scanned)}: time the statement on a production-sized copy and add a margin, so a slower run fails and can be retried instead of blocking traffic:`,
        `SET ${local ? 'LOCAL ' : ''}statement_timeout = '10min';  -- sized to ${sqlName(scanned)}`,
        `${stmt.text};`,
      ),
    });
  },
});
