import { defineRule, type RuleContext } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import { fromNameList, fromRangeVar, key } from '../../dialects/postgres/names.js';
import { columnsOfType, createdObjects, functionArgsText, inTransactionBlock, objectKey, quoteIdent, quoteLiteral, sqlBlock, sqlName, sqlString } from './helpers.js';

const FUNCTION_WORDS: Record<string, string> = { OBJECT_FUNCTION: 'FUNCTION', OBJECT_PROCEDURE: 'PROCEDURE', OBJECT_ROUTINE: 'ROUTINE', OBJECT_AGGREGATE: 'AGGREGATE' };

const withSchema = (of: QualifiedName, name: string): QualifiedName => ({ ...(of.schema ? { schema: of.schema } : {}), name });

function renameSchema(stmt: Statement, ctx: RuleContext): void {
  const a = stmt.ast;
  const [from, to] = [quoteIdent(a.subname), quoteIdent(a.newname)];
  const tables = [...ctx.catalog.tables.values()].filter((t) => (t.name.schema ?? 'public') === a.subname && !t.partitionOf);
  const tx = !inTransactionBlock(ctx);
  const views = tables.length
    ? tables.map((t) => `CREATE VIEW ${from}.${quoteIdent(t.name.name)} AS SELECT * FROM ${to}.${quoteIdent(t.name.name)};`)
    : [`CREATE VIEW ${from}.<table> AS SELECT * FROM ${to}.<table>;  -- for each table and view (lockstep does not know them: pass --db)`];
  ctx.report({
    at: stmt.span.start,
    message: `RENAME SCHEMA ${from} TO ${to} breaks every query, function and search_path setting that names ${from}, the moment it commits`,
    fix: sqlBlock(
      `Postgres has no schema aliases. Keep the old name working for the transition: rename it and, in the same transaction, create ${from} again with a view of each table (views this simple accept INSERT, UPDATE and DELETE):`,
      tx && 'BEGIN;',
      `${stmt.text.trim()};`,
      `CREATE SCHEMA ${from};`,
      ...views,
      `-- grant the roles that use ${from} what they had: GRANT USAGE ON SCHEMA ${from} TO …; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${from} TO …;`,
      tx && 'COMMIT;',
      `-- once no client names ${from} (functions and types are only reachable as ${to}.… from the start):`,
      ...(tables.length ? tables.map((t) => `DROP VIEW ${from}.${quoteIdent(t.name.name)};`) : [`DROP VIEW ${from}.<table>;  -- for each view created above`]),
      `DROP SCHEMA ${from};`,
      `If clients find its tables through search_path (unqualified names), point search_path at the new name as well, e.g. ALTER ROLE <app role> SET search_path = ${to}, public; (sessions pick it up when they reconnect). Or move the objects one by one with ALTER TABLE \u2026 SET SCHEMA ${to}, each with a view like the ones above.`,
    ),
  });
}

export default defineRule({
  id: 'renaming-object',
  title: 'Keep old names working when you rename schemas, views, types, enum values, sequences and functions',
  category: 'compatibility',
  severity: 'warning',
  kinds: ['RenameStmt', 'AlterEnumStmt'],
  why:
    'A rename is instant, but clients do not move with it: every query, function body, ORM mapping and script that still uses the old name fails the moment the migration commits, until the new code is deployed (and the new code fails if it is deployed first). This goes for schemas, views and materialized views (and their columns), types and domains, enum values, sequences, functions and procedures. What refers to the object itself follows the rename (column types, column defaults, views, triggers); names inside function bodies and in application code do not. Renaming a trigger can change the order in which the table\u2019s triggers fire (they fire in name order).\n\n' +
    'Keep the old name working for the transition where Postgres allows it (a view with the old name in front of a renamed view, a schema of views in front of a renamed schema), or add the new object next to the old one and move clients over: for an enum value, add the new value, update the rows, and stop writing the old one (enum values cannot be removed). Tables and columns have their own rules (renaming-table, renaming-column); constraints, indexes and policies are left alone, since clients do not name them. Objects created earlier in the same migration are not flagged.',
  examples: {
    bad: "ALTER SCHEMA billing RENAME TO finance;\nALTER VIEW order_totals RENAME TO customer_totals;\nALTER TYPE order_status RENAME VALUE 'cancelled' TO 'canceled';",
    good:
      "ALTER TYPE order_status ADD VALUE 'canceled' AFTER 'cancelled';\nALTER TABLE orders RENAME CONSTRAINT orders_total_check TO orders_total_positive;\nALTER INDEX orders_created_idx RENAME TO orders_created_at_idx;\n\n-- created in the same migration:\nCREATE VIEW recent_orders AS SELECT * FROM orders;\nALTER VIEW recent_orders RENAME TO latest_orders;",
  },
  peers: ['squawk: renaming-object', 'strong_migrations: rename_schema', 'pgfence: rename-schema'],
  check(stmt, ctx) {
    const a = stmt.ast;
    const earlier = createdObjects(ctx.previous);
    const tx = !inTransactionBlock(ctx);
    if (stmt.kind === 'AlterEnumStmt') {
      if (!a.oldVal || !a.newVal) return;
      const type = fromNameList(a.typeName);
      if (earlier.has(objectKey('type', type))) return;
      // A value added earlier in this migration is not in use yet.
      if (ctx.previous.some((s) => s.kind === 'AlterEnumStmt' && !s.ast.oldVal && s.ast.newVal === a.oldVal && key(fromNameList(s.ast.typeName)) === key(type))) return;
      const T = sqlName(type);
      const [from, to] = [quoteLiteral(a.oldVal), quoteLiteral(a.newVal)];
      const cols = columnsOfType(ctx.catalog, type);
      ctx.report({
        at: stmt.span.start,
        message: `RENAME VALUE ${from} TO ${to} of ${T}: every query that still writes or compares ${from} fails (invalid input value for enum) the moment it commits`,
        fix: sqlBlock(
          `Add the new value next to the old one instead (nothing uses it yet, so nothing breaks), deploy code that accepts both and writes ${to}, then move the rows over. Enum values cannot be removed: ${from} stays in the type, unused.`,
          `ALTER TYPE ${T} ADD VALUE IF NOT EXISTS ${to} AFTER ${from};`,
          `-- in a later migration, once code that writes ${to} is deployed (a value cannot be used in the transaction that adds it):`,
          ...(cols.length
            ? cols.map((c) => `UPDATE ${sqlName(c.table)} SET ${quoteIdent(c.column)} = ${to} WHERE ${quoteIdent(c.column)} = ${from};  -- in batches on a large table`)
            : [`UPDATE <each table with a ${T} column> SET <column> = ${to} WHERE <column> = ${from};  -- in batches on a large table (lockstep does not know them: pass --db)`]),
          `Also update CHECK constraints, partial indexes and function bodies that mention ${from}.`,
        ),
      });
      return;
    }
    switch (a.renameType) {
      case 'OBJECT_SCHEMA':
        if (earlier.has(objectKey('schema', a.subname))) return;
        return renameSchema(stmt, ctx);
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW': {
        const view = fromRangeVar(a.relation);
        if (earlier.has(objectKey('relation', view)) || ctx.catalog.table(view)?.createdIn === ctx.migration.id) return;
        const mat = a.renameType === 'OBJECT_MATVIEW';
        const [from, to] = [sqlName(view), sqlName(withSchema(view, a.newname))];
        ctx.report({
          at: stmt.at(a.relation.location),
          message: `RENAME ${mat ? 'MATERIALIZED VIEW' : 'VIEW'} ${from} TO ${quoteIdent(a.newname)} breaks every query that still reads ${from}, the moment it commits`,
          fix: sqlBlock(
            `Keep the old name working until every client uses ${to}: in the same transaction, create a view named ${from} on top of it${mat ? ` (it reads the materialized view; REFRESH MATERIALIZED VIEW must name ${to} from now on)` : ''}:`,
            tx && 'BEGIN;',
            `${stmt.text.trim()};`,
            `CREATE VIEW ${from} AS SELECT * FROM ${to};`,
            tx && 'COMMIT;',
            `-- once no client uses ${from}:`,
            `DROP VIEW ${from};`,
          ),
        });
        return;
      }
      case 'OBJECT_COLUMN': {
        if (a.relationType !== 'OBJECT_VIEW' && a.relationType !== 'OBJECT_MATVIEW') return; // table columns: renaming-column
        const view = fromRangeVar(a.relation);
        if (earlier.has(objectKey('relation', view)) || ctx.catalog.table(view)?.createdIn === ctx.migration.id) return;
        const [from, to] = [quoteIdent(a.subname), quoteIdent(a.newname)];
        ctx.report({
          at: stmt.at(a.relation.location),
          message: `RENAME COLUMN ${from} TO ${to} of view ${sqlName(view)} breaks every query that still selects ${from} from it, the moment it commits`,
          fix: sqlBlock(
            a.relationType === 'OBJECT_VIEW'
              ? `Add the new name as an extra column instead: CREATE OR REPLACE VIEW ${sqlName(view)} AS SELECT <the same columns>, ${from} AS ${to} FROM \u2026; (new columns may be added at the end). Deploy code that reads ${to}, then recreate the view without ${from} in a later migration.`
              : `Create a materialized view with the new column name next to this one, move readers to it, then drop this one in a later migration.`,
          ),
        });
        return;
      }
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN': {
        const type = fromNameList(a.object?.List?.items);
        if (earlier.has(objectKey('type', type))) return;
        const word = a.renameType === 'OBJECT_DOMAIN' ? 'DOMAIN' : 'TYPE';
        const from = sqlName(type);
        ctx.report({
          at: stmt.span.start,
          message: `RENAME ${word} ${from} TO ${quoteIdent(a.newname)} breaks every query and function body that still names ${from} (casts like ::${from}, function arguments, ORM type mappings), the moment it commits`,
          fix: `Columns of the ${word === 'DOMAIN' ? 'domain' : 'type'} follow the rename, but Postgres has no ${word === 'DOMAIN' ? 'domain' : 'type'} aliases, so nothing keeps the old name working. Find what names ${from} first (application casts and ORM mappings, and functions: SELECT proname FROM pg_proc WHERE prosrc ILIKE ${sqlString(`%${type.name}%`)};), and deploy those changes together with the rename, or keep the old name.`,
        });
        return;
      }
      case 'OBJECT_ATTRIBUTE': {
        const type = fromRangeVar(a.relation);
        if (earlier.has(objectKey('type', type))) return;
        const [from, to] = [quoteIdent(a.subname), quoteIdent(a.newname)];
        ctx.report({
          at: stmt.at(a.relation.location),
          message: `RENAME ATTRIBUTE ${from} TO ${to} of type ${sqlName(type)} breaks every query and function that still reads (\u2026).${from}, the moment it commits`,
          fix: `Deploy code that reads (\u2026).${to} together with the rename, or add ${to} as a new attribute (ALTER TYPE ${sqlName(type)} ADD ATTRIBUTE ${to} \u2026), move readers and writers over, and drop ${from} later.`,
        });
        return;
      }
      case 'OBJECT_SEQUENCE': {
        const seq = fromRangeVar(a.relation);
        if (earlier.has(objectKey('relation', seq))) return;
        const from = sqlName(seq);
        ctx.report({
          at: stmt.at(a.relation.location),
          message: `RENAME SEQUENCE ${from} TO ${quoteIdent(a.newname)} breaks every nextval(), currval() and setval() call that still names ${from}, the moment it commits`,
          fix: `Column defaults follow the rename (they refer to the sequence itself, not to its name), but code and function bodies that name ${sqlString(from)} do not: deploy code that finds the sequence another way first (pg_get_serial_sequence(<table>, <column>) for a column's sequence), then rename it.`,
        });
        return;
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE':
      case 'OBJECT_AGGREGATE': {
        const owa = a.object?.ObjectWithArgs;
        const fn = fromNameList(owa?.objname);
        if (earlier.has(objectKey('function', fn))) return;
        const word = FUNCTION_WORDS[a.renameType]!;
        const args = functionArgsText(stmt, owa);
        const from = `${sqlName(fn)}${args}`;
        const to = `${sqlName(withSchema(fn, a.newname))}${args}`;
        ctx.report({
          at: stmt.span.start,
          message: `RENAME ${word} ${from} TO ${quoteIdent(a.newname)} breaks ${word === 'PROCEDURE' ? `every CALL ${sqlName(fn)}(\u2026) that code and function bodies still make` : `every query and function body that still calls ${sqlName(fn)}`}, the moment it commits`,
          fix: `${word === 'PROCEDURE' ? 'Code and function bodies that CALL it by name do not follow the rename.' : 'Triggers, column defaults and views that use it follow the rename; code and function bodies that call it by name do not.'} Create it under the new name instead (CREATE ${word === 'AGGREGATE' ? 'AGGREGATE' : word} ${to} \u2026 with the same body), deploy code that calls ${sqlName(withSchema(fn, a.newname))}, then drop ${from} in a later migration.`,
        });
        return;
      }
      case 'OBJECT_TRIGGER': {
        const table = fromRangeVar(a.relation);
        if (ctx.isNew(table) || earlier.has(objectKey('trigger', a.subname, table))) return;
        const [from, to] = [quoteIdent(a.subname), quoteIdent(a.newname)];
        ctx.report({
          at: stmt.span.start,
          table,
          message: `RENAME TRIGGER ${from} ON ${sqlName(table)} TO ${to}: triggers of the same event fire in name order, so it may now run before or after a different set of the table\u2019s triggers; scripts that name ${from} break`,
          fix: sqlBlock(
            `Check that the order in which the triggers of ${sqlName(table)} fire (alphabetical by name) is still what they rely on:`,
            `SELECT tgname FROM pg_trigger WHERE tgrelid = ${sqlString(sqlName(table))}::regclass AND NOT tgisinternal ORDER BY tgname;`,
            `and update scripts that name ${from} (DROP TRIGGER, ALTER TABLE \u2026 ENABLE/DISABLE TRIGGER).`,
          ),
        });
        return;
      }
    }
  },
});
