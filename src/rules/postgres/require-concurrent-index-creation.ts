import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { insertAfter, lockPhrase, outsideTransactionAdvice, sqlBlock, sqlName, quoteIdent } from './helpers.js';

export default defineRule({
  id: 'require-concurrent-index-creation',
  title: 'Create indexes on existing tables CONCURRENTLY',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['IndexStmt'],
  why:
    'A plain `CREATE INDEX` holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits until the index is finished, which takes minutes on a large table. `CREATE INDEX CONCURRENTLY` builds it while writes go on (it scans twice and waits for older transactions, so it takes longer, but nobody waits for it).',
  examples: {
    bad: 'CREATE INDEX orders_created_at_idx ON orders (created_at);',
    good: 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nCREATE INDEX refunds_order_id_idx ON refunds (order_id);',
  },
  peers: ['squawk: require-concurrent-index-creation', 'strong_migrations: add_index', 'pgfence: create-index-not-concurrent'],
  check(stmt, ctx) {
    const a = stmt.ast;
    if (a.concurrent) return;
    const table = fromRangeVar(a.relation);
    if (ctx.isNew(table)) return;
    const part = ctx.effect.parts[0];
    const at = stmt.span.start;
    if (part?.entry === 'create-index-only') return; // ON ONLY a partitioned parent: catalog only, the safe recipe's first step
    const name = a.idxname ? quoteIdent(a.idxname) : `${table.name}_idx`;
    if (part?.entry === 'create-index-partitioned') {
      const partitions = part.relations.partition ?? [];
      const cols = stmt.text.slice(stmt.text.indexOf('(', stmt.text.toLowerCase().indexOf(' on ') + 4));
      const perPartition = (partitions.length ? partitions : [{ name: '<partition>' }]).map((p, i) => {
        const idx = quoteIdent(`${a.idxname ?? table.name}_${p.name}`.slice(0, 63));
        return `CREATE ${a.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${idx} ON ${sqlName(p)} ${cols};\nALTER INDEX ${name} ATTACH PARTITION ${idx};${i === 0 && !partitions.length ? '  -- for each partition' : ''}`;
      });
      ctx.report({
        at,
        table,
        message: `CREATE INDEX on partitioned table ${sqlName(table)} locks it and every partition with ${lockPhrase('Share')} while all of them are indexed`,
        fix: sqlBlock(
          'Create the parent index ON ONLY (instant, invalid until every partition has one), build each partition\u2019s index CONCURRENTLY, and attach it:',
          `CREATE ${a.unique ? 'UNIQUE ' : ''}INDEX ${name} ON ONLY ${sqlName(table)} ${cols};`,
          ...perPartition,
        ),
      });
      return;
    }
    const concurrent = insertAfter(stmt.text, /^\s*create\s+(unique\s+)?index/i, 'CONCURRENTLY');
    ctx.report({
      at,
      table,
      message: `CREATE INDEX on ${sqlName(table)} holds ${lockPhrase('Share')} until the whole index is built`,
      fix: sqlBlock(
        'Build it without blocking writes:',
        `${concurrent};`,
        ctx.migration.transaction !== 'none' || ctx.tx.open ? outsideTransactionAdvice(ctx) : undefined,
        'If the build fails it leaves an INVALID index: drop it (DROP INDEX CONCURRENTLY) before trying again.',
      ),
    });
  },
});
