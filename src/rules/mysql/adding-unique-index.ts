import { defineRule } from './rule.js';
import type { IndexDef } from '../../dialects/mysql/ast.js';
import { existingTables, flavorOf, partsOf, proofNote, quoteIdent, sqlBlock, sqlName, statementLabel } from './helpers.js';

export default defineRule({
  id: 'adding-unique-index',
  title: 'Check for duplicates before adding a unique index to a table with rows',
  category: 'correctness',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table', 'create-index'],
  why:
    'A unique index (`ADD UNIQUE`, `CREATE UNIQUE INDEX`) is built in place while writes continue, but the server checks uniqueness as it goes: one duplicate in the existing rows — or one inserted by the application while the build runs — fails the whole ALTER ("Duplicate entry … for key") at the end, after it read and sorted the entire table, and a migration that fails that late is retried at the same cost. On MariaDB, `ALTER IGNORE TABLE … ADD UNIQUE` silently deletes the duplicate rows instead.\n\n' +
    'Find duplicates first with a GROUP BY, clean them up, make the application stop creating them, then add the index.',
  examples: {
    bad: 'ALTER TABLE users ADD UNIQUE INDEX users_email_key (email);',
    good: '-- a new table has no duplicates yet:\nCREATE TABLE invites (id BIGINT PRIMARY KEY, email VARCHAR(255) NOT NULL);\nALTER TABLE invites ADD UNIQUE INDEX invites_email_key (email);',
  },
  check(stmt, ctx) {
    if ((stmt.kind !== 'alter-table' && stmt.kind !== 'create-index') || !existingTables(stmt, ctx).length) return;
    const parts = partsOf(ctx, ['add-unique']);
    for (const p of parts) {
      const ix: IndexDef | undefined =
        stmt.kind === 'create-index' ? stmt.index : (stmt.actions.find((a) => a.span.start === p.span.start && a.type === 'add-index') as { index: IndexDef } | undefined)?.index;
      const cols = (ix?.parts ?? []).map((x) => (x.column ? quoteIdent(x.column) : `(${x.expression ?? '…'})`));
      const t = sqlName(stmt.table);
      const ignore = stmt.kind === 'alter-table' && stmt.ignore && flavorOf(ctx) === 'mariadb';
      ctx.report({
        at: p.span.start,
        table: stmt.table,
        message: ignore
          ? `${statementLabel(stmt)} with IGNORE adds a unique index on ${cols.join(', ') || 'its columns'}: MariaDB silently deletes every row that duplicates an earlier one`
          : `${statementLabel(stmt)} adds a unique index on ${cols.join(', ') || 'its columns'} to a table with rows: one duplicate, existing or written while it builds, fails the ALTER at its end after the whole table was read${proofNote(p, ctx)}`,
        fix: sqlBlock(
          'Find duplicates first (it must return no rows), clean them up and make the application stop writing them:',
          '```sql',
          cols.length ? `SELECT ${cols.join(', ')}, COUNT(*) FROM ${t} GROUP BY ${cols.join(', ')} HAVING COUNT(*) > 1 LIMIT 10;` : `-- group ${t} by the key columns and look for COUNT(*) > 1`,
          '```',
          ignore ? 'and drop IGNORE, so a duplicate is an error rather than a deleted row.' : undefined,
        ),
      });
    }
  },
});
