import { defineRule, type MigrationInfo, type ReportOptions } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { fromNameList, fromRangeVar } from '../../dialects/postgres/names.js';
import { createdObjects, functionArgsText, inTransactionBlock, objectKey, objectsCreatedBy, partLocks, quoteIdent, sqlBlock, sqlName, type ObjectFamily } from './helpers.js';

const pending = new WeakMap<MigrationInfo, (ReportOptions & { at: number; index: number; key: string })[]>();

const WORDS: Record<string, { word: string; family: ObjectFamily | 'extension' }> = {
  OBJECT_TABLE: { word: 'TABLE', family: 'relation' },
  OBJECT_FOREIGN_TABLE: { word: 'FOREIGN TABLE', family: 'relation' },
  OBJECT_VIEW: { word: 'VIEW', family: 'relation' },
  OBJECT_MATVIEW: { word: 'MATERIALIZED VIEW', family: 'relation' },
  OBJECT_SEQUENCE: { word: 'SEQUENCE', family: 'relation' },
  OBJECT_TYPE: { word: 'TYPE', family: 'type' },
  OBJECT_DOMAIN: { word: 'DOMAIN', family: 'type' },
  OBJECT_FUNCTION: { word: 'FUNCTION', family: 'function' },
  OBJECT_PROCEDURE: { word: 'PROCEDURE', family: 'function' },
  OBJECT_ROUTINE: { word: 'ROUTINE', family: 'function' },
  OBJECT_AGGREGATE: { word: 'AGGREGATE', family: 'function' },
  OBJECT_EXTENSION: { word: 'EXTENSION', family: 'extension' },
};

export default defineRule({
  id: 'setting-schema',
  title: 'Keep old names working when you move objects to another schema',
  category: 'compatibility',
  severity: 'warning',
  kinds: ['AlterObjectSchemaStmt'],
  why:
    '`ALTER … SET SCHEMA` moves a table, view, sequence, type, function or extension to another schema. It is instant (for a table it takes ACCESS EXCLUSIVE, briefly), but every query that names the object with its old schema, or finds it through a search_path that does not include the new one, fails from the moment the migration commits, until the new code is deployed. What refers to the object itself (foreign keys, views, column types and defaults, triggers) follows the move.\n\n' +
    'For a table or view, keep the old name working: in the same transaction, create a view with the old name in front of the moved object (a view this simple accepts INSERT, UPDATE and DELETE), and drop it once every client uses the new name. Or add the new schema to the search_path of the clients that use unqualified names. Objects created in the same migration are not flagged.',
  examples: {
    bad: 'ALTER TABLE orders SET SCHEMA archive;',
    good:
      'BEGIN;\nALTER TABLE orders SET SCHEMA archive;\nCREATE VIEW public.orders AS SELECT * FROM archive.orders;\nCOMMIT;\n\n-- a table created in the same migration is not flagged:\nCREATE TABLE import_batch (id bigint PRIMARY KEY);\nALTER TABLE import_batch SET SCHEMA staging;',
  },
  peers: ['squawk: ban-set-schema'],
  check(stmt, ctx) {
    const a = stmt.ast;
    const kind = WORDS[a.objectType];
    if (!kind || !a.newschema) return;
    const earlier = createdObjects(ctx.previous);
    const to = quoteIdent(a.newschema);
    const tx = !inTransactionBlock(ctx);
    const searchPath = `Or, if clients use unqualified names, add ${to} to their search_path instead (ALTER ROLE <app role> SET search_path = ${to}, public; sessions pick it up when they reconnect).`;

    if (kind.family === 'relation') {
      const rel = fromRangeVar(a.relation);
      if (ctx.isNew(rel) || earlier.has(objectKey('relation', rel)) || ctx.catalog.table(rel)?.createdIn === ctx.migration.id) return;
      const from = sqlName(rel);
      const moved: QualifiedName = { schema: a.newschema, name: rel.name };
      const part = ctx.effect.parts.find((p) => p.entry === 'set-schema');
      const locks = part ? partLocks(part) : '';
      const where = rel.schema ? `names ${from}` : `reaches ${from} in its old schema (by name or through search_path)`;
      const message = `SET SCHEMA ${to} moves ${kind.word === 'TABLE' ? '' : `${kind.word.toLowerCase()} `}${from} to ${sqlName(moved)}: every query that still ${where} breaks the moment it commits${locks ? `; it takes ${locks}` : ''}`;
      if (kind.word === 'SEQUENCE') {
        ctx.report({
          at: stmt.at(a.relation.location),
          message,
          fix: `Column defaults follow the move (they refer to the sequence itself), but code and function bodies that call nextval(), currval() or setval() with ${from} do not: deploy code that names ${sqlName(moved)} (or finds the sequence with pg_get_serial_sequence(<table>, <column>)) first. ${searchPath}`,
        });
        return;
      }
      // Reported at the end of the section, unless a view with the old name is created after the move.
      const list = pending.get(ctx.migration) ?? [];
      pending.set(ctx.migration, list);
      list.push({
        index: ctx.previous.length,
        key: objectKey('relation', rel),
        at: stmt.at(a.relation.location),
        ...(part ? { table: rel } : {}),
        message,
        fix: sqlBlock(
          `Keep the old name working until every client uses ${sqlName(moved)}: in the same transaction, create a view named ${from} in front of it (a view this simple accepts INSERT, UPDATE and DELETE${kind.word === 'MATERIALIZED VIEW' ? `; REFRESH MATERIALIZED VIEW must name ${sqlName(moved)} from now on` : ''}):`,
          tx && 'BEGIN;',
          `${stmt.text.trim()};`,
          `CREATE VIEW ${from} AS SELECT * FROM ${sqlName(moved)};`,
          tx && 'COMMIT;',
          `-- once no client uses ${from}:`,
          `DROP VIEW ${from};`,
          searchPath,
        ),
      });
      return;
    }

    if (kind.family === 'extension') {
      const ext = a.object?.String?.sval;
      if (!ext || earlier.has(objectKey('extension', ext))) return;
      ctx.report({
        at: stmt.span.start,
        message: `SET SCHEMA ${to} moves the functions, types and operators of extension ${quoteIdent(ext)}: every query that names them with their old schema, or finds them through a search_path without ${to}, breaks the moment it commits`,
        fix: `Columns, indexes and defaults that use them follow the move; queries and function bodies that call them by name do not. Deploy code that names ${to}.… first. ${searchPath}`,
      });
      return;
    }

    const name = kind.family === 'function' ? fromNameList(a.object?.ObjectWithArgs?.objname) : fromNameList(a.object?.List?.items);
    if (earlier.has(objectKey(kind.family, name))) return;
    const label = kind.family === 'function' ? `${sqlName(name)}${functionArgsText(stmt, a.object?.ObjectWithArgs)}` : sqlName(name);
    const moved = sqlName({ schema: a.newschema, name: name.name });
    const follows = kind.family === 'type' ? 'Columns of the type follow the move' : 'Triggers, column defaults and views that use it follow the move';
    ctx.report({
      at: stmt.span.start,
      message: `SET SCHEMA ${to} moves ${kind.word.toLowerCase()} ${label} to ${moved}: every query and function body that still ${name.schema ? `names ${sqlName(name)}` : `reaches ${sqlName(name)} in its old schema (by name or through search_path)`} breaks the moment it commits`,
      fix: `${follows}; code and function bodies that name it do not. Deploy code that names ${moved} first. ${searchPath}`,
    });
  },
  end(ctx) {
    const list = pending.get(ctx.migration);
    if (!list) return;
    pending.delete(ctx.migration);
    for (const { index, key, ...report } of list) {
      if (ctx.statements.some((s, i) => i > index && objectsCreatedBy(s).includes(key))) continue; // the old name is kept working
      ctx.report(report);
    }
  },
});
