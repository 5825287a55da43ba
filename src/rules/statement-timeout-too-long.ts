import { defineRule, type TimeoutSetting } from './rule.js';
import { blocksTraffic } from '../core/locks.js';
import { key } from '../dialects/postgres/names.js';
import { LOCKING_KINDS, lockPhrase, onExisting, sqlBlock, sqlName, statementLabel, strongestLock, tableOf, trafficLocks } from './helpers.js';

/** Longest statement_timeout lockstep accepts for a statement that blocks traffic while it reads a whole table. */
const MAX_STATEMENT_TIMEOUT_MS = 3_600_000;

/** Settings already reported: one finding per SET (or default) is enough, however many statements run under it. */
const reported = new WeakSet<TimeoutSetting>();

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

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
    // The part that reads every row, on a table that existed before this migration.
    const heavy = onExisting(ctx).find((p) => p.claim?.rewrite || p.claim?.scan);
    const scanned = heavy && tableOf(heavy);
    if (!heavy || !scanned) return;
    // Its own blocking locks, or blocking locks this transaction already holds on existing tables.
    const own = trafficLocks(ctx);
    const held = [...ctx.tx.held.values()].filter((h) => blocksTraffic(h.mode) && !ctx.isNew(h.relation) && !own.some((l) => key(l.relation) === key(h.relation)));
    const lock = strongestLock([...own, ...held]);
    if (!lock) return;
    reported.add(setting);
    const verb = heavy.claim!.rewrite ? 'rewrites' : 'scans';
    const local = ctx.tx.open;
    ctx.report({
      at: heavy.at,
      table: scanned,
      message: `${statementLabel(stmt)} ${verb} ${sqlName(scanned)} while ${own.length ? 'holding' : 'this transaction holds'} ${lockPhrase(lock.mode)} on ${lock.tables.map(sqlName).join(', ')}, ${off ? 'with statement_timeout turned off' : `and statement_timeout is ${duration(setting.ms)}`} (${setting.source}): that traffic can wait ${off ? 'for as long as it runs' : 'that long'}`,
      fix: sqlBlock(
        `${off ? 'Set statement_timeout to a limit' : setting.stmt ? 'Lower the statement_timeout to one' : 'Set a shorter statement_timeout before it (or lower the one lockstep assumes in the config), one'} sized to ${sqlName(scanned)}: time the statement on a production-sized copy and add a margin, so a slower run fails and can be retried instead of blocking traffic:`,
        `SET ${local ? 'LOCAL ' : ''}statement_timeout = '10min';  -- sized to ${sqlName(scanned)}`,
        `${stmt.text};`,
      ),
    });
  },
});
