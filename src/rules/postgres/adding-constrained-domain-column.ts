import { defineRule } from './rule.js';
import { fromNameList, fromRangeVar, fromTypeName, key } from '../../dialects/postgres/names.js';
import { addColumnParts, addColumnRecipe, concurrentlyAdvice, exprText, lockPhrase, objectName, parenGroup, quoteIdent, sqlBlock, sqlName, typeText } from './helpers.js';

export default defineRule({
  id: 'adding-constrained-domain-column',
  title: 'Add columns of a constrained domain as the base type with a table CHECK',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    "Adding a column whose type is a domain with CHECK or NOT NULL constraints makes Postgres check the domain's constraints against every existing row's new value, which it does by rewriting the whole table and its indexes under ACCESS EXCLUSIVE: reads and writes wait until it is done.\n\nAdd the column with the domain's base type instead, and enforce the same condition with a table CHECK constraint added `NOT VALID` and validated afterwards, which scans without blocking traffic. (Changing the column to the domain type later would rewrite the table again.)",
  examples: {
    bad: 'CREATE DOMAIN positive_cents AS bigint CHECK (VALUE > 0);\nALTER TABLE orders ADD COLUMN discount_cents positive_cents;',
    good: "ALTER TABLE orders ADD COLUMN discount_cents bigint;\nALTER TABLE orders ADD CONSTRAINT orders_discount_cents_check CHECK (discount_cents > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_discount_cents_check;\n\n-- a table created in the same migration is not flagged:\nCREATE DOMAIN positive_cents AS bigint CHECK (VALUE > 0);\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE refunds ADD COLUMN amount_cents positive_cents;",
  },
  peers: ['pgfence: add-column-constrained-domain', 'squawk: ban-create-domain-with-constraint'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'add-column-domain-check' || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const p = addColumnParts(stmt, part.node);
      const t = sqlName(table);
      const c = quoteIdent(p.column);
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      const ref = fromTypeName(p.def.typeName);
      const dname = { ...(ref.schema ? { schema: ref.schema } : {}), name: ref.name };
      const domain = ctx.catalog.domain(dname);
      const shown = sqlName(dname);
      // The CREATE DOMAIN, when lint read it in this migration: its base type and CHECK conditions.
      const created = ctx.previous.find((s) => s.kind === 'CreateDomainStmt' && key(fromNameList(s.ast.domainname)) === key(dname));
      let baseType = `<base type of ${shown}>`;
      let checks: { name: string; condition: string }[] = [];
      let notNull = !!domain?.notNull;
      if (created) {
        baseType = typeText(created, created.ast.typeName);
        const cons = (created.ast.constraints ?? []).map((x: any) => x.Constraint).filter(Boolean);
        notNull ||= cons.some((x: any) => x.contype === 'CONSTR_NOTNULL');
        checks = cons
          .filter((x: any) => x.contype === 'CONSTR_CHECK')
          .map((x: any, i: number) => {
            const g = parenGroup(created, created.at(x.location));
            const cond = g ? exprText(created, g.inner, g.start, x.raw_expr, (col) => (col === 'value' ? c : quoteIdent(col))) : '<condition>';
            return { name: objectName(table.name, p.column, i ? `check${i}` : 'check'), condition: `(${cond})` };
          });
      } else if (!domain || domain.constraints.size > 0) {
        checks = [{ name: objectName(table.name, p.column, 'check'), condition: `(<the CHECK condition of ${shown}, with VALUE replaced by ${c}>)` }];
      }
      const steps = addColumnRecipe(ctx, table, p, {
        type: baseType,
        keepDefault: true,
        checks,
        notNull,
        ...(notNull && !p.defaultExpr ? { backfill: '<value>' } : {}),
      });
      ctx.report({
        at: part.at,
        // a statement that fails on any row is an error whatever the table's size
        ...(notNull && !p.defaultExpr ? {} : { table }),
        ...(notNull && !p.defaultExpr
          ? { severity: 'error' as const, message: `ADD COLUMN ${c} of NOT NULL domain ${shown} without a default fails as soon as ${t} has a row: every existing row would get NULL` }
          : { message: `ADD COLUMN ${c} of domain ${shown}, which has constraints, rewrites ${t} and its indexes under ${lockPhrase(mode)} to check them against every row` }),
        fix: sqlBlock(
          `Add the column with the domain's base type and enforce the same rule with a table CHECK added NOT VALID, then validated (which scans without blocking reads or writes); run each statement as its own transaction${created ? '' : ` (lockstep has not seen ${shown}'s definition: fill in its base type and condition)`}:`,
          ...steps,
          concurrentlyAdvice(ctx, steps),
        ),
      });
    }
  },
});
