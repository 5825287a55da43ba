import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { claimFor } from '../../dialects/postgres/effects.js';
import { sqlLockName } from '../../dialects/postgres/locks.js';
import { andList, inTransactionBlock, lockPhrase, partLocks, pgRepackCommand, quoteIdent, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'cluster',
  title: 'Reorder tables online instead of with CLUSTER',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['ClusterStmt'],
  why:
    '`CLUSTER` writes a new copy of the table in index order, and rebuilds every index, while holding ACCESS EXCLUSIVE: nobody can read or write the table until it is done, and it needs free disk space for the copy. The order is not kept afterwards: new and updated rows go wherever there is room, so the benefit fades.\n\n' +
    '`pg_repack` does the same reordering online (`--order-by=<columns>`, or the table\u2019s clustering index by default) and takes the exclusive lock only briefly at the start and the end.',
  examples: {
    bad: 'CLUSTER orders USING orders_created_at_idx;',
    good:
      '-- mark the clustering index (SHARE UPDATE EXCLUSIVE, instant), then run pg_repack outside the migration:\nALTER TABLE orders CLUSTER ON orders_created_at_idx;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE import_batch (id bigint PRIMARY KEY);\nCLUSTER import_batch USING import_batch_pkey;',
  },
  peers: ['pgfence: cluster', 'squawk: prefer-repack'],
  check(stmt, ctx) {
    const part = ctx.effect.parts[0];
    if (part?.entry !== 'cluster' && part?.entry !== 'cluster-all') return;
    const a = stmt.ast;
    const mode = part.claim?.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
    if (part.entry === 'cluster-all' || !a.relation) {
      const all = part.relations.table ?? [];
      const known = all.filter((t) => !ctx.isNew(t));
      if (all.length && !known.length) return; // only tables created in this migration
      const failsHere = part.claim?.transactional === false && inTransactionBlock(ctx) ? ' (and it fails here: it cannot run inside a transaction block)' : '';
      ctx.report({
        at: stmt.span.start,
        ...(known[0] ? { table: known[0] } : {}),
        message: `CLUSTER without a table rewrites every table that was clustered before${known.length ? ` (${andList(known.map(sqlName))})` : ''}, one at a time, each under ${lockPhrase(mode)} until it is done${failsHere}`,
        fix: sqlBlock(
          'Reorder the tables that need it online with pg_repack, which orders each by its clustering index and locks only briefly at the start and end:',
          known.length ? pgRepackCommand(known) : `${pgRepackCommand([{ name: '<table>' }])}  -- for each table`,
        ),
      });
      return;
    }
    const table = fromRangeVar(a.relation);
    if (ctx.isNew(table)) return;
    const T = sqlName(table);
    const index: string | undefined = a.indexname;
    ctx.report({
      at: stmt.at(a.relation.location),
      table,
      message: `CLUSTER ${T} rewrites the table and its indexes in ${index ? `${quoteIdent(index)}` : 'index'} order under ${partLocks(part)} until it is done, and needs disk space for the copy`,
      fix: sqlBlock(
        'Reorder it online with pg_repack (needs a primary key or a unique NOT NULL index; locks only briefly at the start and end):',
        index ? `ALTER TABLE ${T} CLUSTER ON ${quoteIdent(index)};  -- marks the clustering index: ${clusterOnLock(ctx.version)}, catalog only` : undefined,
        `${pgRepackCommand([table])}  -- orders by the clustering index`,
        `Or pick the order directly: ${pgRepackCommand([table], `--order-by=${index ? `<the columns of ${index}>` : '<columns>'}`)}`,
        'The order is not maintained afterwards: rows written later go wherever there is room.',
      ),
    });
  },
});

/** The lock ALTER TABLE … CLUSTER ON takes, from the effects table. */
function clusterOnLock(version: number): string {
  return sqlLockName(claimFor('cluster-on', version)?.locks[0]?.mode ?? 'ShareUpdateExclusive');
}
