import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { addColumnParts, addColumnRecipe, concurrentlyAdvice, quoteIdent, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'adding-not-null-column',
  title: 'Give a NOT NULL column a default, or add it nullable and backfill it',
  category: 'correctness',
  severity: 'error',
  kinds: ['AlterTableStmt'],
  why:
    '`ALTER TABLE … ADD COLUMN … NOT NULL` without a default gives every existing row a NULL in the new column, which the constraint forbids: the statement fails on any table that has a row. It passes in development on an empty table and fails in production.\n\nIf one value suits every existing row, add the column with that constant as its default: since Postgres 11 that is instant, the value is kept in the catalog. Otherwise add the column nullable, fill it in batches, and then make it NOT NULL the way your Postgres version allows without a long lock.',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN currency text NOT NULL;',
    good: "ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';\n\n-- a table created in the same migration has no rows yet:\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE refunds ADD COLUMN currency text NOT NULL;",
  },
  peers: ['squawk: adding-required-field', 'pgfence: add-column-not-null-no-default'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'add-column-not-null' || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const p = addColumnParts(stmt, part.node);
      const t = sqlName(table);
      const c = quoteIdent(p.column);
      const keyed = p.clauses.some((cl) => cl.kind === 'CONSTR_PRIMARY' || cl.kind === 'CONSTR_UNIQUE');
      const primary = p.clauses.some((cl) => cl.kind === 'CONSTR_PRIMARY');
      const withDefault = addColumnRecipe(ctx, table, { ...p, defaultExpr: '<value>', clauses: [...p.clauses, { kind: 'CONSTR_DEFAULT', node: {}, start: 0, end: 0, text: 'DEFAULT <value>', body: 'DEFAULT <value>' }] }, { keepDefault: true });
      const steps = addColumnRecipe(ctx, table, p, { backfill: '<value>', notNull: true });
      ctx.report({
        at: part.at,
        table,
        message: `ADD COLUMN ${c} ${primary ? 'PRIMARY KEY' : 'NOT NULL'} without a default fails as soon as ${t} has a row: every existing row would get NULL`,
        fix: sqlBlock(
          !keyed && 'If one value suits every existing row, make it the default: the column is then added instantly (the value is kept in the catalog, nothing is rewritten):',
          ...(keyed ? [] : withDefault),
          `${keyed ? 'Add' : 'Otherwise add'} it nullable, fill it in batches, then make it NOT NULL${ctx.version >= 12 ? ' without a long lock' : ''}; run each statement as its own transaction:`,
          ...steps,
          concurrentlyAdvice(ctx, steps),
        ),
      });
    }
  },
});
