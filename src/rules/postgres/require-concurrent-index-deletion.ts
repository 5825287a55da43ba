import { defineRule } from './rule.js';
import { andList, inTransactionBlock, lockTimeoutRetry, lockPhrase, outsideTransactionAdvice, partLocks, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'require-concurrent-index-deletion',
  title: 'Drop indexes on existing tables CONCURRENTLY',
  category: 'locking',
  severity: 'warning',
  kinds: ['DropStmt'],
  why:
    'A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index\u2019s table. Dropping is quick, but the lock request has to wait for every query already running on the table, and every query that arrives after it (even a plain SELECT) waits behind it: one slow report turns into an outage. `DROP INDEX CONCURRENTLY` waits for those queries without blocking new ones.\n\n' +
    '`CONCURRENTLY` cannot run inside a transaction block, cannot drop several indexes in one statement, cannot use `CASCADE`, and does not work for an index on a partitioned table (there, set a short `lock_timeout` and retry). Indexes of a table created in the same migration are not flagged.',
  examples: {
    bad: 'DROP INDEX orders_created_at_idx;',
    good:
      'DROP INDEX CONCURRENTLY IF EXISTS orders_created_at_idx;\n\n-- an index of a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nCREATE INDEX refunds_order_id_idx ON refunds (order_id);\nDROP INDEX refunds_order_id_idx;',
  },
  peers: ['squawk: require-concurrent-index-deletion', 'strong_migrations: remove_index', 'pgfence: drop-index-not-concurrent'],
  check(stmt, ctx) {
    const a = stmt.ast;
    if (a.removeType !== 'OBJECT_INDEX' || a.concurrent) return;
    // Leave alone the indexes of tables created in this migration (when the catalog knows the table).
    const parts = ctx.effect.parts.filter((p) => p.entry === 'drop-index' && !(p.relations.table ?? []).some((t) => ctx.isNew(t)));
    if (!parts.length) return;
    const indexes = parts.map((p) => p.relations.index![0]!);
    const tables = parts.flatMap((p) => p.relations.table ?? []);
    const unknown = parts.filter((p) => !p.relations.table?.length).map((p) => sqlName(p.relations.index![0]!));
    const partitioned = tables.filter((t) => ctx.catalog.table(t)?.kind === 'partitioned');
    const idxList = andList(indexes.map(sqlName));
    const tableMode = parts[0]!.claim?.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
    const lockText =
      parts.length === 1 && tables.length
        ? partLocks(parts[0]!, (_rel, role) => role === 'table')
        : `${lockPhrase(tableMode)} on ${andList([...new Set(tables.map(sqlName))]) || (parts.length > 1 ? 'their tables' : 'the index\u2019s table')}`;
    const message = `DROP INDEX ${idxList} takes ${lockText}: it waits for every running query on ${new Set(tables.map(sqlName)).size > 1 || (!tables.length && parts.length > 1) ? 'them' : 'the table'}, and every later query waits behind it`;
    const notes = [
      unknown.length ? `lockstep does not know which table${unknown.length > 1 ? 's' : ''} ${andList(unknown)} ${unknown.length > 1 ? 'are' : 'is'} on (pass --db, or lint the migration that created ${unknown.length > 1 ? 'them' : 'it'}).` : undefined,
      indexes.length > 1 ? 'CONCURRENTLY drops one index per statement, so the drop is split.' : undefined,
      a.behavior === 'DROP_CASCADE'
        ? 'CONCURRENTLY does not support CASCADE: first drop what depends on the index yourself (a foreign key that relies on a unique index: ALTER TABLE \u2026 DROP CONSTRAINT \u2026), then the index.'
        : undefined,
    ];
    if (partitioned.length) {
      const on = andList(partitioned.map(sqlName));
      ctx.report({
        at: stmt.span.start,
        table: partitioned[0]!,
        message,
        fix: sqlBlock(
          `${on} is partitioned, and an index on a partitioned table cannot be dropped CONCURRENTLY. Keep the drop short and let it give up instead of queueing traffic: set a lock_timeout and retry until it gets through.`,
          ...lockTimeoutRetry(ctx, indexes.map((i) => `DROP INDEX IF EXISTS ${sqlName(i)}${a.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''};`).join('\n')),
          ...notes.slice(0, 1),
        ),
      });
      return;
    }
    ctx.report({
      at: stmt.span.start,
      ...(tables[0] ? { table: tables[0] } : {}),
      message,
      fix: sqlBlock(
        indexes.length > 1 ? 'Drop them without blocking queries:' : 'Drop it without blocking queries:',
        ...indexes.map((i) => `DROP INDEX CONCURRENTLY IF EXISTS ${sqlName(i)};`),
        ...notes,
        inTransactionBlock(ctx) ? outsideTransactionAdvice(ctx) : undefined,
      ),
    });
  },
});
