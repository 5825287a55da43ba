import { defineRule } from './rule.js';
import type { ForeignKeyDef } from '../../dialects/mysql/ast.js';
import { foreignKeyChecksFor } from '../../dialects/mysql/session.js';
import { clauseText, existingTables, flavorOf, partsOf, proofNote, quoteIdent, sqlBlock, sqlName, statementLabel } from './helpers.js';

export default defineRule({
  id: 'adding-foreign-key',
  title: 'Add foreign keys with foreign_key_checks off, then check the rows yourself',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    'With `foreign_key_checks = 1` (the default) `ADD FOREIGN KEY` cannot run in place: the server copies the whole table to check every row against the referenced one (`ALGORITHM=COPY`, writes blocked for the whole copy), and holds a metadata lock on the referenced table too. With `foreign_key_checks = 0` for that statement the same ALTER is in place with `LOCK=NONE` (no copy, no row check) — so check the rows yourself, before, with a query that finds orphans.',
  examples: {
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
    good:
      "-- find orphans first: SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.customer_id IS NOT NULL AND c.id IS NULL;\nSET SESSION foreign_key_checks = 0;\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id), ALGORITHM=INPLACE, LOCK=NONE;\nSET SESSION foreign_key_checks = 1;",
  },
  peers: ['strong_migrations: add_foreign_key (Postgres)'],
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' || !existingTables(stmt, ctx).length) return;
    const checks = foreignKeyChecksFor(stmt, ctx.timeouts, flavorOf(ctx));
    if (!checks.on) return;
    for (const p of partsOf(ctx, ['add-foreign-key'])) {
      const action = stmt.actions.find((a) => a.span.start === p.span.start);
      const fk: ForeignKeyDef | undefined = action?.type === 'add-foreign-key' ? action.foreignKey : undefined;
      const t = sqlName(stmt.table);
      const orphans = fk
        ? `SELECT COUNT(*) FROM ${t} AS child LEFT JOIN ${sqlName(fk.references)} AS parent ON ${fk.columns.map((c, i) => `parent.${quoteIdent(fk.referencedColumns[i] ?? c)} = child.${quoteIdent(c)}`).join(' AND ')}\n WHERE ${fk.columns.map((c) => `child.${quoteIdent(c)} IS NOT NULL`).join(' AND ')} AND parent.${quoteIdent(fk.referencedColumns[0] ?? fk.columns[0]!)} IS NULL;`
        : undefined;
      ctx.report({
        at: p.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} adds a foreign key${fk?.references ? ` to ${sqlName(fk.references)}` : ''} with foreign_key_checks on (${checks.source}): the server copies the whole table to check every row, with writes blocked${proofNote(p, ctx)}`,
        fix: sqlBlock(
          'Check for orphans first (it must return 0), then add the key with the checks off for that statement, in place:',
          '```sql',
          orphans,
          'SET SESSION foreign_key_checks = 0;',
          `ALTER TABLE ${t} ${clauseText(stmt, p.span)}, ALGORITHM=INPLACE, LOCK=NONE;`,
          'SET SESSION foreign_key_checks = 1;',
          '```',
        ),
      });
    }
  },
});
