import { defineRule } from './rule.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { alterColumnAt, notNullConstraintName, quoteIdent, sqlName } from './helpers.js';

export default defineRule({
  id: 'ban-drop-not-null',
  title: 'Do not drop NOT NULL before every reader handles NULL',
  category: 'compatibility',
  severity: 'warning',
  kinds: ['AlterTableStmt'],
  why:
    'Dropping NOT NULL is instant, but it changes a promise that code was written against: once a NULL is written, readers that assume the column always has a value break (application code, reports, exports, `NOT IN` subqueries, joins on the column, downstream consumers). Putting the constraint back later needs every NULL fixed and a full scan.\n\nDeploy readers that handle NULL first, then drop the constraint. On Postgres 18, dropping the column\u2019s NOT NULL constraint (`DROP CONSTRAINT <table>_<column>_not_null`) does the same.',
  examples: {
    bad: 'ALTER TABLE orders ALTER COLUMN shipping_address_id DROP NOT NULL;',
    good: 'CREATE TABLE refunds (id bigint PRIMARY KEY, reason text NOT NULL);\n-- a table created in the same migration is not flagged:\nALTER TABLE refunds ALTER COLUMN reason DROP NOT NULL;',
  },
  peers: ['squawk: ban-drop-not-null', 'pgfence: drop-not-null'],
  check(stmt, ctx) {
    for (const part of ctx.effect.parts) {
      if (part.entry !== 'drop-not-null' && part.entry !== 'drop-constraint') continue;
      const table = fromRangeVar(stmt.ast.relation);
      if (ctx.isNew(table)) continue;
      const t = sqlName(table);
      let column: string | undefined;
      let at = part.at;
      if (part.entry === 'drop-not-null') {
        column = part.node?.name;
        if (!column) continue;
        const info = ctx.catalog.column(table, column);
        const proof = [...(ctx.catalog.table(table)?.constraints.values() ?? [])].some((c) => c.notNullColumn === column && c.kind === 'not-null');
        if (info && !info.notNull && !proof) continue; // already nullable: nothing changes
        at = alterColumnAt(stmt, column, ['DROP', 'NOT', 'NULL']) ?? at;
      } else {
        // On 18, NOT NULL is a constraint of its own: dropping it drops NOT NULL.
        const name: string | undefined = part.node?.name;
        if (!name) continue;
        const con = ctx.catalog.constraint(table, name);
        if (con?.kind === 'not-null') column = con.columns[0];
        else if (!con && ctx.version >= 18)
          column = [...(ctx.catalog.table(table)?.columns.values() ?? [])].find((c) => c.notNull && notNullConstraintName(table, c.name) === name)?.name;
        if (!column) continue;
      }
      const c = quoteIdent(column);
      ctx.report({
        at,
        table,
        message: `${part.entry === 'drop-not-null' ? 'DROP NOT NULL' : `DROP CONSTRAINT ${quoteIdent(part.node.name)}`} lets NULLs into ${t}.${c}: readers that assume it always has a value will break`,
        fix: `Before this runs, make sure everything that reads ${t}.${c} handles NULL (application code, reports, exports, NOT IN subqueries, joins on it, downstream consumers), and deploy that first. Putting NOT NULL back later means fixing every NULL and scanning the table.`,
      });
    }
  },
});
