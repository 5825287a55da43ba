import { defineRule } from './rule.js';
import { inTransactionBlock, lockTimeoutRetry, outsideTransactionAdvice, partLocks, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'require-concurrent-detach-partition',
  title: 'Detach partitions CONCURRENTLY',
  category: 'locking',
  severity: 'warning',
  kinds: ['AlterTableStmt'],
  why:
    'A plain `DETACH PARTITION` takes ACCESS EXCLUSIVE on the partitioned table, on the partition and on the DEFAULT partition if there is one. It is quick once it has the locks, but it first waits for every query running on the table, and every query that arrives meanwhile waits behind it. From Postgres 14, `DETACH PARTITION \u2026 CONCURRENTLY` takes only SHARE UPDATE EXCLUSIVE: it runs in two transactions, waits for older queries without blocking new ones, and cannot run inside a transaction block (an interrupted one is finished with `DETACH PARTITION \u2026 FINALIZE`).\n\n' +
    'Postgres refuses `CONCURRENTLY` when the table has a DEFAULT partition, and Postgres 11\u201313 have no concurrent form at all: there, set a short `lock_timeout` so the detach gives up instead of stalling traffic, and retry it.',
  examples: {
    bad: 'ALTER TABLE measurements DETACH PARTITION measurements_2023;',
    good:
      'ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM (\'2026-01-01\') TO (\'2027-01-01\');\nALTER TABLE events DETACH PARTITION events_2026;',
  },
  peers: ['squawk: require-concurrent-partition-detach', 'pgfence: detach-partition'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'detach-partition') continue;
      const parent = part.relations.table?.[0];
      const partition = part.relations.partition?.[0];
      if (!parent || !partition || ctx.isNew(parent)) continue;
      const def = part.relations['default-partition']?.[0];
      const message = `DETACH PARTITION ${sqlName(partition)} takes ${partLocks(part)}: it waits for every running query on ${sqlName(parent)}, and every later query waits behind it`;
      const plain = `ALTER TABLE ${sqlName(parent)} DETACH PARTITION ${sqlName(partition)};`;
      if (ctx.version < 14) {
        ctx.report({
          at: part.at,
          severity: 'info',
          message,
          fix: sqlBlock(
            `Postgres ${ctx.version} has no DETACH PARTITION \u2026 CONCURRENTLY (it came in 14). Keep the lock from queueing traffic: set a short lock_timeout and retry until it gets through:`,
            ...lockTimeoutRetry(ctx, plain),
          ),
        });
        continue;
      }
      if (def) {
        ctx.report({
          at: part.at,
          message,
          fix: sqlBlock(
            `CONCURRENTLY is not possible here: ${sqlName(parent)} has a DEFAULT partition (${sqlName(def)}), and Postgres refuses to detach concurrently then. Keep the lock from queueing traffic: set a short lock_timeout and retry until it gets through:`,
            ...lockTimeoutRetry(ctx, plain),
          ),
        });
        continue;
      }
      ctx.report({
        at: part.at,
        message,
        fix: sqlBlock(
          'Detach it without blocking queries:',
          `ALTER TABLE ${sqlName(parent)} DETACH PARTITION ${sqlName(partition)} CONCURRENTLY;`,
          ctx.catalog.table(parent) ? undefined : `(Postgres refuses CONCURRENTLY when ${sqlName(parent)} has a DEFAULT partition; lockstep does not know whether it has one.)`,
          `If it is interrupted, finish it with: ALTER TABLE ${sqlName(parent)} DETACH PARTITION ${sqlName(partition)} FINALIZE;`,
          inTransactionBlock(ctx) ? outsideTransactionAdvice(ctx) : undefined,
        ),
      });
    }
  },
});
