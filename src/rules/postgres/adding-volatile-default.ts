import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { addColumnParts, addColumnRecipe, concurrentlyAdvice, lockPhrase, quoteIdent, sqlBlock, sqlName } from './helpers.js';

export default defineRule({
  id: 'adding-volatile-default',
  title: 'Add columns with a volatile default in steps: column, default, batched backfill',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['AlterTableStmt'],
  why:
    'Since Postgres 11, `ADD COLUMN … DEFAULT <constant>` (or a stable expression such as `now()`) is instant: the value is stored once in the catalog. A *volatile* default (`clock_timestamp()`, `random()`, `gen_random_uuid()`, `nextval()`, or a function not declared STABLE/IMMUTABLE \u2014 a function lockstep does not know, or a built-in name called with arguments no built-in overload takes, such as `now(123)`, which resolves to a function of that name on the search_path, is treated as possibly volatile) must be computed for every row, so Postgres rewrites the whole table and all its indexes while holding ACCESS EXCLUSIVE: nothing can read or write the table until the copy is done.\n\nAdd the column without the default, set the default afterwards (it applies to new rows only and is instant), and fill the existing rows in small batches.',
  examples: {
    bad: 'ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();',
    good: "ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();\n\n-- constant and stable defaults are stored once, not per row:\nALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';\nALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE refunds ADD COLUMN public_id uuid DEFAULT gen_random_uuid();",
  },
  peers: ['squawk: adding-field-with-default', 'strong_migrations: add_column_default', 'pgfence: add-column-non-constant-default'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'add-column-volatile-default' || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const p = addColumnParts(stmt, part.node);
      const t = sqlName(table);
      const c = quoteIdent(p.column);
      const expr = p.defaultExpr ?? 'DEFAULT';
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      const unknown = part.volatility?.volatility === 'unknown' ? part.volatility.unknownFunctions : [];
      const volatile = part.volatility?.volatileFunctions ?? [];
      const message = unknown.length
        ? `ADD COLUMN ${c} with a default that calls ${unknown.map((f) => (f.endsWith(')') ? f : `${f}()`)).join(', ')}, whose volatility lockstep does not know: if it is volatile, this rewrites ${t} and its indexes under ${lockPhrase(mode)}`
        : `ADD COLUMN ${c} with a volatile default (${volatile.length ? volatile.map((f) => `${f}()`).join(', ') : expr}) rewrites ${t} and its indexes under ${lockPhrase(mode)}`;
      const steps = addColumnRecipe(ctx, table, p, { setDefault: expr, backfill: expr });
      ctx.report({
        at: part.at,
        table,
        message,
        fix: sqlBlock(
          unknown.length
            ? `lockstep could not tell whether ${unknown.join(', ')} is volatile${part.volatility?.notBuiltin?.length ? ` (no built-in ${part.volatility.notBuiltin.join(', ')} takes that many arguments, so the call is to a function of your own, volatile unless declared otherwise)` : ''}. Pass --db so it reads the function's volatility from the database, or, if the function is STABLE or IMMUTABLE, declare it so (ALTER FUNCTION … STABLE, or in the CREATE FUNCTION that lint reads): then this ADD COLUMN only touches the catalog. If it is volatile, add the column in steps:`
            : 'Add the column without the default, give new rows the default (instant, no rewrite), and fill existing rows in batches; run each statement as its own transaction:',
          ...steps,
          concurrentlyAdvice(ctx, steps),
        ),
      });
    }
  },
});
