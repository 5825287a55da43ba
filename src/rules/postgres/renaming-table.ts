import { defineRule } from './rule.js';
import { fromRangeVar, key } from '../../dialects/postgres/names.js';
import { quoteIdent, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'renaming-table',
  title: 'Keep the old table name working while you rename a table',
  category: 'compatibility',
  severity: 'warning',
  why:
    '`ALTER TABLE \u2026 RENAME TO` is instant, but the application does not move with it: every query, function body and ORM model that still names the old table fails the moment the migration commits, until the new code is deployed (and the new code fails if it is deployed first). Views, foreign keys and indexes keep working: Postgres follows the rename.\n\n' +
    'Rename the table and, in the same transaction, create a view with the old name (`CREATE VIEW <old> AS SELECT * FROM <new>`). A view that simple is automatically updatable, so old code keeps reading and writing through it; drop the view once every client uses the new name.',
  examples: {
    bad: 'ALTER TABLE orders RENAME TO purchases;',
    good:
      'BEGIN;\nALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;\nCOMMIT;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refund (id bigint PRIMARY KEY);\nALTER TABLE refund RENAME TO refunds;',
  },
  peers: ['squawk: renaming-table', 'strong_migrations: rename_table', 'pgfence: rename-table'],
  // Runs at the end of the section: a view with the old name created after the rename keeps old clients working.
  end(ctx) {
    const created = new Set<string>();
    const stmts = ctx.statements;
    // Where the last CREATE VIEW of each name is: a view created after the rename keeps the old name working.
    const lastView = new Map<string, number>();
    stmts.forEach((s, i) => {
      if (s.kind === 'ViewStmt') lastView.set(key(fromRangeVar(s.ast.view)), i);
    });
    let explicitTx = false;
    for (let i = 0; i < stmts.length; i++) {
      const stmt = stmts[i]!;
      const a = stmt.ast;
      if (stmt.kind === 'TransactionStmt') {
        if (a.kind === 'TRANS_STMT_BEGIN' || a.kind === 'TRANS_STMT_START') explicitTx = true;
        else if (a.kind === 'TRANS_STMT_COMMIT' || a.kind === 'TRANS_STMT_ROLLBACK') explicitTx = false;
        continue;
      }
      if (stmt.kind === 'CreateStmt' || stmt.kind === 'CreateTableAsStmt') {
        const rel = a.relation ?? a.into?.rel;
        if (rel) created.add(key(fromRangeVar(rel)));
        continue;
      }
      if (stmt.kind !== 'RenameStmt' || a.renameType !== 'OBJECT_TABLE' || !a.relation) continue;
      const table = fromRangeVar(a.relation);
      const k = key(table);
      if (created.has(k)) {
        created.add(key({ ...(table.schema ? { schema: table.schema } : {}), name: a.newname }));
        continue;
      }
      if ((lastView.get(k) ?? -1) > i) continue;
      const renamed = { ...(table.schema ? { schema: table.schema } : {}), name: a.newname as string };
      const [from, to] = [sqlName(table), sqlName(renamed)];
      const tx = ctx.migration.transaction === 'none' && !explicitTx;
      ctx.report({
        at: stmt.at(a.relation.location),
        message: `RENAME ${from} TO ${quoteIdent(renamed.name)} breaks every query, function and ORM model that still names ${from} the moment it commits`,
        fix: sqlBlock(
          `Keep the old name working until every client uses ${to}: in the same transaction, create a view named ${from} (a view this simple accepts INSERT, UPDATE and DELETE):`,
          tx && 'BEGIN;',
          `${stmt.text.trim()};`,
          `CREATE VIEW ${from} AS SELECT * FROM ${to};`,
          tx && 'COMMIT;',
          `-- once no client uses ${from} any more:`,
          `DROP VIEW ${from};`,
          `The view\u2019s columns are fixed when it is created (recreate it after adding a column), and TRUNCATE, COPY \u2026 FROM and LOCK TABLE do not work through it.`,
        ),
      });
    }
  },
});
