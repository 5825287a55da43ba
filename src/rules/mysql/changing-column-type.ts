import { defineRule } from './rule.js';
import { clauseText, existingTables, onlineCopyAdvice, partsOf, proofNote, quoteIdent, sqlBlock, statementLabel , detail } from './helpers.js';

export default defineRule({
  id: 'changing-column-type',
  title: 'Changing a column type copies the table',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    'Changing a column\u2019s data type (INT → BIGINT, DECIMAL(10,2) → DECIMAL(14,2), TEXT → VARCHAR, shrinking a VARCHAR …) rewrites every row: the server copies the table (`ALGORITHM=COPY`), and concurrent writes are blocked until it is done — minutes to hours on a big table, plus the same again as lag on every replica. Narrowing a type can also fail part way, or silently truncate values when sql_mode is not strict.\n\n' +
    'Make the change as an online copy, or expand and contract: add a new column with the new type, write both from the application, backfill the new one in batches, switch reads, then drop the old column.',
  examples: {
    schema: 'CREATE TABLE orders (id BIGINT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL);',
    bad: 'ALTER TABLE orders MODIFY amount DECIMAL(14,2) NOT NULL;',
    good: 'ALTER TABLE orders ADD COLUMN amount_v2 DECIMAL(14,2) NULL, ALGORITHM=INSTANT;',
  },
  peers: ['squawk: changing-column-type (Postgres)', 'strong_migrations: change_column'],
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' || !existingTables(stmt, ctx).length) return;
    for (const p of partsOf(ctx, ['change-type', 'varchar-shrink'])) {
      const old = p.object ? ctx.catalog.column(stmt.table, p.object) : undefined;
      const action = stmt.actions.find((a) => a.span.start === p.span.start);
      const to = action && (action.type === 'modify-column' || action.type === 'change-column') ? action.column.type.text : undefined;
      const name = quoteIdent(p.object ?? 'column');
      ctx.report({
        at: p.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} changes the type of ${name}${old ? ` from ${old.type.text}` : ''}${to ? ` to ${to}` : ''}${detail(p.detail) && !(old && to) ? ` (${detail(p.detail)})` : ''}: the server copies the whole table with writes blocked${p.entry === 'varchar-shrink' ? ', and values longer than the new length fail the ALTER (strict sql_mode) or are cut' : ''}${proofNote(p, ctx)}`,
        fix: sqlBlock(onlineCopyAdvice(stmt, ctx), `Or expand and contract: add the new column next to ${name} (instant), backfill it in batches, switch the application to it, then drop ${name}. The clause was: \`${clauseText(stmt, p.span)}\`.`),
      });
    }
  },
});
