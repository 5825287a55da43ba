import { defineRule } from './rule.js';
import { LOCKING_KINDS, heavyUnderLock, lockPhrase, sqlBlock, sqlName, statementLabel, timeoutAround } from './helpers.js';

/** Sections already reported (one finding per section). */
const reported = new WeakSet<object>();

export default defineRule({
  id: 'require-statement-timeout',
  title: 'Set a statement_timeout before rewriting or scanning a table under a blocking lock',
  category: 'timeouts',
  severity: 'warning',
  sizeSensitive: true,
  kinds: LOCKING_KINDS,
  why:
    'A statement that rewrites or scans a whole table while holding a lock that blocks reads or writes keeps that traffic waiting for as long as the table takes to process: seconds on a small table, an hour on a large one. Without `statement_timeout` (the default is 0, no limit) nothing stops it when the table is bigger than expected, the disk is slower, or the plan is worse than on staging.\n\n' +
    'Set one sized to the table (measured on a production-sized copy, plus a margin), so the worst case is a failed, retryable migration instead of an outage.',
  examples: {
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);',
    good:
      "SET statement_timeout = '5min';\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);\n\n-- catalog-only changes need no statement_timeout:\nALTER TABLE customers ADD COLUMN note text;\n\n-- VACUUM FULL cannot run in a transaction block, where SET LOCAL does nothing:\n-- set it for the session, and reset it after\nSET statement_timeout = '5min';  -- sized to orders\nVACUUM FULL orders;\nRESET statement_timeout;",
  },
  peers: ['squawk: require-statement-timeout', 'pgfence: missing-statement-timeout', 'strong_migrations: statement_timeout'],
  check(stmt, ctx) {
    const e = ctx.effect;
    if (!e.rewrite && !e.scan) return;
    const t = ctx.timeouts;
    if (t.everSetStatement || t.statement.ms !== 0 || reported.has(ctx.migration)) return;
    const found = heavyUnderLock(ctx);
    if (!found) return;
    const { heavy, scanned, lock } = found;
    const verb = heavy.claim!.rewrite ? 'rewrites' : 'scans';
    const names = lock.tables.map(sqlName).join(', ');
    const heldBefore = !found.own;
    const set = timeoutAround(ctx, stmt, 'statement_timeout', '5min', `sized to ${sqlName(scanned)}`);
    // Once per section: the first finding an ignore comment did not silence.
    const shown = ctx.report({
      at: heavy.at,
      table: scanned,
      message: `${statementLabel(stmt)} ${verb} ${sqlName(scanned)} while ${heldBefore ? 'this transaction holds' : 'holding'} ${lockPhrase(lock.mode)} on ${names}, with no statement_timeout: nothing limits how long that traffic waits`,
      fix: sqlBlock(
        `Set a statement_timeout sized to ${sqlName(scanned)} first${set.why}: time the statement on a production-sized copy and add a margin, so a slower run fails and can be retried instead of blocking traffic:`,
        ...set.lines,
      ),
    });
    if (shown) reported.add(ctx.migration);
  },
});
