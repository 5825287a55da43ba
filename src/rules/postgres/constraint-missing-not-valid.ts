import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { claimFor } from '../../dialects/postgres/effects.js';
import { sqlLockName } from '../../dialects/postgres/locks.js';
import { abbreviate, addColumnParts, addColumnRecipe, checkConstraintName, clauseEnd, lockPhrase, parenGroup, quoteIdent, sliceOf, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'constraint-missing-not-valid',
  title: 'Add CHECK constraints NOT VALID, then validate them separately',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    'Adding a CHECK constraint (with `ADD CONSTRAINT` or inline in `ADD COLUMN`) reads every row to prove it holds, while ACCESS EXCLUSIVE blocks all reads and writes of the table.\n\nAdd it `NOT VALID` instead: that is instant, and new and updated rows are checked from then on. Then run `VALIDATE CONSTRAINT` in a separate transaction: it scans the existing rows under SHARE UPDATE EXCLUSIVE, so reads and writes go on.',
  examples: {
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_total_cents_check CHECK (total_cents >= 0);',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_total_cents_check CHECK (total_cents >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_cents_check;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY, amount_cents bigint);\nALTER TABLE refunds ADD CONSTRAINT refunds_amount_cents_check CHECK (amount_cents > 0);',
  },
  peers: ['squawk: constraint-missing-not-valid', 'strong_migrations: add_check_constraint', 'pgfence: add-constraint-check-no-not-valid'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if ((part.entry !== 'add-check' && part.entry !== 'add-column-check') || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const t = sqlName(table);
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      const validate = sqlLockName(claimFor('validate-check', ctx.version)?.locks.find((l) => l.on === 'table')?.mode ?? 'ShareUpdateExclusive');
      const then = `then, in a separate transaction (it scans under ${validate}, so reads and writes go on):`;
      if (part.entry === 'add-check') {
        const con = part.node?.def?.Constraint;
        const start = stmt.at(con?.location);
        const text = sliceOf(stmt, start, clauseEnd(stmt, start));
        const name = con?.conname ?? checkConstraintName(table, con?.raw_expr);
        const cond = parenGroup(stmt, start)?.inner ?? '…';
        ctx.report({
          at: part.at,
          table,
          message: `ADD CONSTRAINT ${quoteIdent(name)} CHECK (${abbreviate(cond)}) scans all of ${t} under ${lockPhrase(mode)} to check every row`,
          fix: sqlBlock(
            'Add it NOT VALID (instant; new and updated rows are checked from then on), and validate the existing rows separately:',
            `ALTER TABLE ${t} ADD ${con?.conname ? '' : `CONSTRAINT ${quoteIdent(name)} `}${text} NOT VALID;`,
            `-- ${then}`,
            `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(name)};`,
          ),
        });
      } else {
        const p = addColumnParts(stmt, part.node);
        const c = quoteIdent(p.column);
        const check = p.clauses.find((cl) => cl.kind === 'CONSTR_CHECK');
        const volatileDefault = ctx.effect.parts.some((x) => x.node === part.node && x.entry === 'add-column-volatile-default');
        const steps = addColumnRecipe(ctx, table, p, volatileDefault && p.defaultExpr ? { setDefault: p.defaultExpr, backfill: p.defaultExpr } : { keepDefault: true });
        ctx.report({
          at: part.at,
          table,
          message: `ADD COLUMN ${c} with CHECK (${abbreviate(check ? (parenGroup(stmt, check.start)?.inner ?? '…') : '…')}) scans all of ${t} under ${lockPhrase(mode)} to check the new column in every row`,
          fix: sqlBlock(
            `Add the column without the CHECK, then add the CHECK NOT VALID (instant) and validate it separately (VALIDATE scans under ${validate}, so reads and writes go on); run each statement as its own transaction:`,
            ...steps,
          ),
        });
      }
    }
  },
});
