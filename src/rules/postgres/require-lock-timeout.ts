import { defineRule } from './rule.js';
import { LOCKING_KINDS, lockPhrase, queuedBehind, sqlBlock, sqlName, statementLabel, strongestLock, timeoutAround, trafficLocks } from './helpers.js';

/** Sections already reported (one finding per section). */
const reported = new WeakSet<object>();

export default defineRule({
  id: 'require-lock-timeout',
  title: 'Set a lock_timeout before taking a lock that blocks traffic',
  category: 'timeouts',
  severity: 'warning',
  sizeSensitive: true,
  kinds: LOCKING_KINDS,
  why:
    'A schema change has to wait for its lock until every transaction holding a conflicting one has finished (for ACCESS EXCLUSIVE, any transaction that has so much as read the table) — and while it waits, its request sits in the lock queue in front of everyone who comes after. A waiting ACCESS EXCLUSIVE request blocks every later query on the table, even a plain SELECT, for as long as the oldest open transaction lives (a long report, an idle-in-transaction session): a statement that would take milliseconds takes the application down.\n\n' +
    'With `lock_timeout` set (the default is 0, wait forever), the statement gives up after that long instead, traffic resumes, and the migration can be retried a moment later. A retry with a short pause (and some jitter) until it gets its lock turns an outage into a few retries.',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
    good:
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n\n-- a table created in the same migration is not in use yet:\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE refunds ADD COLUMN reason text;\n\n-- VACUUM FULL cannot run in a transaction block, where SET LOCAL does nothing:\n-- set it for the session, and reset it after\nSET lock_timeout = '2s';\nVACUUM FULL orders;\nRESET lock_timeout;",
  },
  peers: ['squawk: require-lock-timeout', 'pgfence: missing-lock-timeout', 'strong_migrations: lock_timeout'],
  check(stmt, ctx) {
    const t = ctx.timeouts;
    if (t.everSetLock || t.lock.ms !== 0 || reported.has(ctx.migration)) return;
    const lock = strongestLock(trafficLocks(ctx));
    if (!lock) return;
    const names = lock.tables.map(sqlName).join(', ');
    const set = timeoutAround(ctx, stmt, 'lock_timeout', '2s');
    // Once per section: the first finding an ignore comment did not silence.
    const shown = ctx.report({
      at: stmt.span.start,
      table: lock.tables[0]!,
      message: `${statementLabel(stmt)} waits for ${lockPhrase(lock.mode)} on ${names} with no lock_timeout: while it waits behind a long transaction, ${queuedBehind(lock.mode, lock.tables)} queues behind it`,
      fix: sqlBlock(
        `Set a lock_timeout first${set.why}, so the statement gives up instead of stalling traffic, and retry when it times out, after a short pause:`,
        ...set.lines,
      ),
    });
    if (shown) reported.add(ctx.migration);
  },
});
