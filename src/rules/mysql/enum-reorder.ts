import { defineRule } from './rule.js';
import type { ColumnDef } from '../../dialects/mysql/ast.js';
import { quoteLiteral } from '../../dialects/mysql/names.js';
import { existingTables, onlineCopyAdvice, partsOf, proofNote, quoteIdent, sqlBlock, sqlName, statementLabel , detail } from './helpers.js';

export default defineRule({
  id: 'enum-reorder',
  title: 'Add ENUM and SET members at the end only',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  dialects: ['mysql'],
  kinds: ['alter-table'],
  why:
    'An ENUM or SET value is stored as the member\u2019s position (ENUM) or a bit per member (SET). Appending members at the end keeps every stored value valid, so the server only changes metadata (INSTANT). Inserting a member before the end, reordering, renaming or removing one changes what the stored numbers mean: the server copies the whole table, rewriting every row, with writes blocked (`ALGORITHM=COPY`). Removing a member that rows still hold also fails in strict mode, or turns those values into `\'\'` without it. Growing past 255 members (ENUM) or 8 (SET) changes the storage size: a copy too.',
  examples: {
    schema: "CREATE TABLE orders (id BIGINT PRIMARY KEY, status ENUM('new','paid','shipped') NOT NULL);",
    bad: "ALTER TABLE orders MODIFY status ENUM('new','pending','paid','shipped') NOT NULL;",
    good: "ALTER TABLE orders MODIFY status ENUM('new','paid','shipped','pending') NOT NULL, ALGORITHM=INSTANT;",
  },
  check(stmt, ctx) {
    if (stmt.kind !== 'alter-table' || !existingTables(stmt, ctx).length) return;
    for (const p of partsOf(ctx, ['enum-reorder'])) {
      const action = stmt.actions.find((a) => a.span.start === p.span.start);
      const def: ColumnDef | undefined = action && (action.type === 'modify-column' || action.type === 'change-column') ? action.column : undefined;
      const old = p.object ? ctx.catalog.column(stmt.table, p.object) : undefined;
      const before = old?.type.members;
      const after = def?.type.members;
      const appended = before && after && before.every((m) => after.includes(m)) ? [...before, ...after.filter((m) => !before.includes(m))] : undefined;
      const name = quoteIdent(def?.name ?? p.object ?? 'column');
      const kind = (def?.type.name ?? old?.type.name ?? 'enum').toUpperCase();
      ctx.report({
        at: p.span.start,
        table: stmt.table,
        message: `${statementLabel(stmt)} changes the ${kind} members of ${name} other than by appending${detail(p.detail) ? ` (${detail(p.detail)})` : ''}: the stored values change meaning, so the server copies the whole table with writes blocked${proofNote(p, ctx)}`,
        fix: appended
          ? sqlBlock(
              'Keep the existing members in their order and add the new ones at the end (instant; order the values in queries with ORDER BY FIELD(…) if the display order matters):',
              '```sql',
              `ALTER TABLE ${sqlName(stmt.table)} MODIFY ${name} ${kind}(${appended.map(quoteLiteral).join(',')})${def?.nullable === false ? ' NOT NULL' : ''}, ALGORITHM=INSTANT;`,
              '```',
            )
          : sqlBlock('Members are removed or renamed: first move the rows that hold them to other values (in batches), then change the type as an online copy.', onlineCopyAdvice(stmt, ctx)),
      });
    }
  },
});
