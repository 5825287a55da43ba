import { defineRule } from './rule.js';
import { fromRangeVar, key } from '../../dialects/postgres/names.js';
import { alterColumnAt, earlierFacts, inTransactionBlock, quoteIdent, sqlBlock, sqlName, suffixedName } from './helpers.js';

export default defineRule({
  id: 'ban-drop-generated-expression',
  title: 'Do not stop computing a generated column while writers rely on it',
  category: 'compatibility',
  severity: 'warning',
  versions: { from: 13 },
  kinds: ['AlterTableStmt'],
  why:
    '`ALTER COLUMN … DROP EXPRESSION` (Postgres 13+) turns a stored generated column into an ordinary one: it keeps the values it has, but from then on nothing computes it. Rows inserted without it get NULL, and updates of the columns it was computed from leave it stale, unless every writer now sets it itself, which none did before (they could not).\n\n' +
    'Writers cannot set a generated column before the expression is dropped, so keep it computed by a trigger created in the same transaction, deploy code that writes the column on every INSERT and on every UPDATE of its inputs, then drop the trigger. Columns added in the same migration are not flagged.',
  examples: {
    bad: 'ALTER TABLE orders ALTER COLUMN total_cents DROP EXPRESSION;',
    good:
      '-- a table created in the same migration is not flagged:\nCREATE TABLE refunds (amount numeric, amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED);\nALTER TABLE refunds ALTER COLUMN amount_cents DROP EXPRESSION;',
  },
  peers: ['squawk: ban-drop-generated-expression'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'drop-expression') continue;
      const table = fromRangeVar(stmt.ast.relation);
      const column: string | undefined = part.node?.name;
      if (!column || ctx.isNew(table)) continue;
      if (earlierFacts(ctx.previous).addedColumns.has(`${key(table)}.${column}`)) continue;
      const t = sqlName(table);
      const c = quoteIdent(column);
      const fn = { ...(table.schema ? { schema: table.schema } : {}), name: suffixedName(`${table.name}_${column}`, '_compute') };
      const tx = !inTransactionBlock(ctx);
      ctx.report({
        at: alterColumnAt(stmt, column, ['DROP', 'EXPRESSION']) ?? part.at,
        table,
        message: `DROP EXPRESSION on ${t}.${c}: it keeps its current values but is no longer computed, so rows inserted from now on get NULL and updates of the columns it was computed from leave it stale, unless every writer sets it`,
        fix: sqlBlock(
          `Writers cannot set a generated column before this runs, so keep it computed by a trigger from the same transaction on; then deploy code that writes ${c} on every INSERT into ${t} and on every UPDATE of the columns it is computed from, and drop the trigger in a later migration:`,
          tx && 'BEGIN;',
          `CREATE FUNCTION ${sqlName(fn)}() RETURNS trigger LANGUAGE plpgsql AS $$`,
          'BEGIN',
          `  NEW.${c} := <the generation expression of ${c}, with NEW. before each column>;`,
          '  RETURN NEW;',
          'END $$;',
          `${stmt.text.trim()};`,
          `CREATE TRIGGER ${quoteIdent(fn.name)} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${sqlName(fn)}();`,
          tx && 'COMMIT;',
          `-- once the code writes ${c} itself:`,
          `DROP TRIGGER ${quoteIdent(fn.name)} ON ${t};`,
          `DROP FUNCTION ${sqlName(fn)}();`,
        ),
      });
    }
  },
});
