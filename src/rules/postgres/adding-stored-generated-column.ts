import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { abbreviate, addColumnParts, addColumnRecipe, clauseEnd, concurrentlyAdvice, exprText, lockPhrase, objectName, parenGroup, quoteIdent, sliceOf, sqlBlock, sqlName, tokensOf } from './helpers.js';

export default defineRule({
  id: 'adding-stored-generated-column',
  title: 'Do not add STORED generated columns to existing tables',
  category: 'rewrite',
  severity: 'warning',
  sizeSensitive: true,
  versions: { from: 12 },
  kinds: ['AlterTableStmt'],
  why:
    'Adding a `GENERATED ALWAYS AS (…) STORED` column computes and stores the value for every existing row: Postgres rewrites the whole table and its indexes while holding ACCESS EXCLUSIVE, so reads and writes wait until the copy is done.\n\nOn Postgres 18 a `VIRTUAL` generated column is computed when it is read, and adding one only changes the catalog. On 12–17 (or when the value must be stored, e.g. to index it), add a plain column that a trigger keeps up to date and fill the existing rows in batches.',
  examples: {
    bad: 'ALTER TABLE order_lines ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price_cents * quantity) STORED;',
    good: 'ALTER TABLE order_lines ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price_cents * quantity) VIRTUAL;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (amount_cents bigint, fee_cents bigint);\nALTER TABLE refunds ADD COLUMN net_cents bigint GENERATED ALWAYS AS (amount_cents - fee_cents) STORED;',
    version: 18,
  },
  peers: ['squawk: adding-field-with-default', 'strong_migrations: add_column_generated_stored', 'pgfence: add-column-stored-generated'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'add-column-generated-stored' || !part.claim) continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const p = addColumnParts(stmt, part.node);
      const gen = p.clauses.find((cl) => cl.kind === 'CONSTR_GENERATED');
      if (!gen) continue;
      const t = sqlName(table);
      const c = quoteIdent(p.column);
      const mode = part.claim.locks.find((l) => l.on === 'table')?.mode ?? 'AccessExclusive';
      const group = parenGroup(stmt, gen.start);
      const expr = group?.inner ?? '<expression>';
      const withNew = group ? exprText(stmt, expr, group.start, gen.node.raw_expr, (col) => `NEW.${quoteIdent(col)}`) : expr;
      const fn = `${table.schema ? `${quoteIdent(table.schema)}.` : ''}${quoteIdent(objectName(table.name, p.column, 'fill'))}`;
      const trigger = quoteIdent(objectName(table.name, p.column, 'fill'));
      const q = withNew.includes('$$') ? '$fill$' : '$$';
      const steps = addColumnRecipe(ctx, table, p, {
        afterAdd: [
          `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS ${q}\nBEGIN\n  NEW.${c} := ${withNew};\n  RETURN NEW;\nEND\n${q};`,
          `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
        ],
        backfill: expr,
        computed: true,
      });
      const triggerAdvice = sqlBlock(
        ...steps,
        concurrentlyAdvice(ctx, steps),
      );
      let fix: string;
      if (ctx.version >= 18) {
        const colEnd = clauseEnd(stmt, stmt.at(p.def.location));
        const stored = tokensOf(stmt).find((tk) => tk.start >= gen.start && tk.start < gen.end && tk.up === 'STORED');
        const column = stored ? `${sliceOf(stmt, stmt.at(p.def.location), stored.start)} VIRTUAL ${sliceOf(stmt, stored.end, colEnd)}`.trim() : sliceOf(stmt, stmt.at(p.def.location), colEnd);
        fix = sqlBlock(
          'Make it VIRTUAL: the value is computed when it is read and nothing is stored, so adding it only changes the catalog (a virtual column cannot be indexed, and its expression may use only built-in functions and types):',
          `ALTER TABLE ${t} ADD COLUMN ${p.ifNotExists ? 'IF NOT EXISTS ' : ''}${column};`,
          'If the value must be stored (to index it), add a plain column that a trigger keeps up to date, and fill existing rows in batches; run each statement as its own transaction:',
          triggerAdvice,
        );
      } else {
        fix = sqlBlock(
          'Add a plain column that a trigger keeps up to date, and fill existing rows in batches; run each statement as its own transaction (unlike a generated column, it can also be written directly; on Postgres 18 a VIRTUAL generated column is added without a rewrite):',
          triggerAdvice,
        );
      }
      ctx.report({
        at: part.at,
        table,
        message: `ADD COLUMN ${c} GENERATED ALWAYS AS (${abbreviate(expr)}) STORED rewrites ${t} and its indexes under ${lockPhrase(mode)} to compute the value for every row`,
        fix,
      });
    }
  },
});
