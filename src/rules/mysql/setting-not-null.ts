import { defineRule, type RuleContext } from './rule.js';
import { existingTables, partsOf, proofNote, quoteIdent, sqlBlock, sqlName, statementLabel } from './helpers.js';

export default defineRule({
  id: 'setting-not-null',
  title: 'Backfill NULLs before making a column NOT NULL',
  category: 'correctness',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    'Making an existing column NOT NULL (`MODIFY c … NOT NULL`, `CHANGE …`) rebuilds the table, and what happens to rows that still hold NULL depends on sql_mode. In strict mode (the default since MySQL 5.7 and MariaDB 10.2.4) the ALTER fails with "Invalid use of NULL value" — after the server did the work up to that row. Without strict mode it succeeds and silently replaces every NULL with the type\u2019s implicit default (0, \'\', 0000-00-00), which is data loss nobody asked for. Rows the application inserts with NULL while the ALTER runs hit the same.\n\n' +
    'Backfill first, in batches, with the value you mean; make the application write it; then add NOT NULL.',
  examples: {
    schema: 'CREATE TABLE orders (id BIGINT PRIMARY KEY, currency CHAR(3) NULL);',
    bad: 'ALTER TABLE orders MODIFY currency CHAR(3) NOT NULL;',
    good: "-- on a small table, in the same migration (on a big one: batches, in a step before this one)\nUPDATE orders SET currency = 'EUR' WHERE currency IS NULL;\nALTER TABLE orders MODIFY currency CHAR(3) NOT NULL DEFAULT 'EUR';",
  },
  peers: ['strong_migrations: change_column_null'],
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' || !existingTables(stmt, ctx).length) return;
    for (const p of partsOf(ctx, ['make-not-null'])) {
      const name = quoteIdent(p.object ?? 'column');
      if (p.object && backfilled(ctx.previous, stmt.table.name, p.object)) continue;
      const strict = ctx.timeouts.strict;
      const outcome =
        strict.on === true
          ? `sql_mode is strict (${strict.source}): a row holding NULL makes the ALTER fail (Invalid use of NULL value) after it rebuilt the table that far`
          : strict.on === false
            ? `sql_mode is not strict (${strict.source}): every NULL is silently replaced by the type's implicit default (0, '', zero date)`
            : 'sql_mode is unknown here: in strict mode a NULL fails the ALTER, otherwise every NULL silently becomes the implicit default';
      ctx.report({
        at: p.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} makes ${name} NOT NULL, and rows may still hold NULL: ${outcome}${proofNote(p, ctx)}`,
        fix: sqlBlock(
          'Backfill the NULLs first, in batches (repeat until no rows change), with the value you mean:',
          '```sql',
          `UPDATE ${sqlName(stmt.table)} SET ${name} = <value> WHERE ${name} IS NULL LIMIT 1000;`,
          '```',
          'then make the application write the column, and only then add NOT NULL (with a DEFAULT, so inserts that omit it keep working).',
        ),
      });
    }
  },
});

/** An earlier statement of the section set every NULL of the column: `UPDATE t SET c = … WHERE c IS NULL` (no LIMIT) or without WHERE. */
function backfilled(previous: RuleContext['previous'], table: string, column: string): boolean {
  const c = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const setsIt = new RegExp(`\\bSET\\b[^]*?[\\s,\`]${c}\`?\\s*=`, 'i');
  const nullsOnly = new RegExp(`\\bWHERE\\s+\`?${c}\`?\\s+IS\\s+NULL\\s*$`, 'i');
  return previous.some((s) => s.kind === 'update' && s.table?.name === table && setsIt.test(s.text) && (s.noWhere || nullsOnly.test(s.text.trim().replace(/;$/, ''))));
}
