import { defineRule } from './rule.js';
import { inTransactionBlock, outsideTransactionAdvice, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'delete-without-where',
  title: 'Delete rows in batches, not the whole table in one statement',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['DeleteStmt'],
  why:
    'A `DELETE` without `WHERE` (or with `WHERE true`) deletes every row of the table in one transaction: it holds a row lock on each of them until it commits, so every UPDATE, DELETE or `SELECT \u2026 FOR UPDATE` of those rows waits, writes WAL for every row (replicas fall behind), and leaves every row dead for VACUUM to clean up. On a large table that is minutes of blocked writes and a bloated table afterwards.\n\n' +
    'Delete in small batches, each its own transaction, outside the migration\u2019s transaction; or, if the table should simply be emptied and nothing reads it meanwhile, `TRUNCATE` is instant (but takes ACCESS EXCLUSIVE and is not MVCC-safe). Tables created in the same migration are not flagged.',
  examples: {
    bad: 'DELETE FROM order_events;',
    good:
      "DELETE FROM order_events WHERE created_at < now() - interval '90 days';\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE import_batch (id bigint PRIMARY KEY);\nDELETE FROM import_batch;",
  },
  peers: ['pgfence: delete-without-where'],
  check(stmt, ctx) {
    const part = ctx.effect.parts[0];
    const a = stmt.ast;
    const always = part?.entry === 'delete-all' || (part?.entry === 'delete' && a.whereClause?.A_Const?.boolval?.boolval === true);
    if (!always) return;
    const table = part!.relations.table?.[0];
    if (!table || ctx.isNew(table)) return;
    const T = sqlName(table);
    ctx.report({
      at: part!.at,
      table,
      message: `DELETE FROM ${T} ${a.whereClause ? 'with WHERE true' : 'without WHERE'} deletes every row in one transaction and holds a row lock on each until it commits (updates and deletes of them wait)`,
      fix: sqlBlock(
        'Delete in batches, each its own transaction, so row locks are short and VACUUM keeps up:',
        `DELETE FROM ${T} WHERE ctid IN (SELECT ctid FROM ${T} LIMIT 5000);  -- repeat until it deletes 0 rows`,
        inTransactionBlock(ctx) ? `Inside one transaction the batches would still hold every lock to the end. ${outsideTransactionAdvice(ctx)}` : undefined,
        `If the table should simply be emptied and nothing reads it meanwhile, TRUNCATE ${T}; is instant (but takes ACCESS EXCLUSIVE and is not MVCC-safe).`,
      ),
    });
  },
});
