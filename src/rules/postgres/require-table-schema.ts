import { defineRule } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import { fromNameList, fromRangeVar, key } from '../../dialects/postgres/names.js';
import { andList, quoteIdent, sqlBlock, sqlName, statementLabel } from './helpers.js';

/** The schema lockstep suggests (the first schema of the default search_path that exists). */
const SUGGESTED = 'public';

export default defineRule({
  id: 'require-table-schema',
  title: 'Name the schema of every table in DDL',
  category: 'correctness',
  severity: 'info',
  optIn: true,
  kinds: ['CreateStmt', 'CreateTableAsStmt', 'AlterTableStmt', 'RenameStmt', 'AlterObjectSchemaStmt', 'DropStmt', 'IndexStmt'],
  why:
    'A table named without its schema is looked up through the session\u2019s `search_path`. A migration runner, a role or a database with a different `search_path` (or a schema named after the user, which `"$user"` puts first) then creates, changes or drops a table in another schema than the one you meant, or fails to find it.\n\n' +
    'Write `schema.table` in `CREATE TABLE`, `CREATE TABLE \u2026 AS`, `ALTER TABLE`, `DROP TABLE` and `CREATE INDEX \u2026 ON`. Temporary tables (which live in their own schema) are left alone.',
  examples: {
    bad: 'CREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN refund_id bigint;',
    good: 'CREATE TABLE public.refunds (id bigint PRIMARY KEY);\nALTER TABLE public.orders ADD COLUMN refund_id bigint;\nCREATE TEMP TABLE import_rows (line text);',
  },
  peers: ['squawk: require-table-schema'],
  check(stmt, ctx) {
    const a = stmt.ast;
    let rel: any;
    let verb: string;
    switch (stmt.kind) {
      case 'CreateStmt':
        rel = a.relation;
        verb = 'which schema it creates the table in';
        break;
      case 'CreateTableAsStmt':
        if (a.objtype !== 'OBJECT_TABLE') return;
        rel = a.into?.rel;
        verb = 'which schema it creates the table in';
        break;
      case 'AlterTableStmt':
        if (a.objtype !== 'OBJECT_TABLE' && a.objtype !== undefined) return;
        rel = a.relation;
        verb = 'which table it changes';
        break;
      case 'RenameStmt':
        if (!(a.renameType === 'OBJECT_TABLE' || ((a.renameType === 'OBJECT_COLUMN' || a.renameType === 'OBJECT_TABCONSTRAINT') && a.relationType === 'OBJECT_TABLE'))) return;
        rel = a.relation;
        verb = a.renameType === 'OBJECT_TABLE' ? 'which table it renames' : 'which table it changes';
        break;
      case 'AlterObjectSchemaStmt':
        if (a.objectType !== 'OBJECT_TABLE') return;
        rel = a.relation;
        verb = 'which table it moves';
        break;
      case 'IndexStmt':
        rel = a.relation;
        verb = 'which table it indexes';
        break;
      case 'DropStmt': {
        if (a.removeType !== 'OBJECT_TABLE') return;
        const names: QualifiedName[] = (a.objects ?? []).map((o: any) => fromNameList(o.List?.items));
        const bare = names.filter((n) => !n.schema && !temporary(ctx.previous, n.name));
        if (!bare.length) return;
        const qualified = names.map((n) => sqlName(n.schema ? n : { schema: SUGGESTED, name: n.name }));
        ctx.report({
          at: stmt.span.start,
          message: `DROP TABLE ${andList(bare.map((n) => quoteIdent(n.name)))} names no schema: which table it drops depends on search_path`,
          fix: sqlBlock(
            `Name the schema (${SUGGESTED}, or the one you mean):`,
            `DROP TABLE ${a.missing_ok ? 'IF EXISTS ' : ''}${qualified.join(', ')}${a.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''};`,
          ),
        });
        return;
      }
      default:
        return;
    }
    if (!rel || rel.schemaname || rel.relpersistence === 't' || typeof rel.location !== 'number') return;
    if (temporary(ctx.previous, rel.relname)) return;
    const at = stmt.at(rel.location);
    const offset = at - stmt.span.start;
    const fixed = `${stmt.text.slice(0, offset)}${quoteIdent(SUGGESTED)}.${stmt.text.slice(offset)}`.trim();
    ctx.report({
      at,
      table: fromRangeVar(rel),
      message: `${stmt.kind === 'CreateTableAsStmt' ? `CREATE TABLE ${quoteIdent(rel.relname)} AS` : statementLabel(stmt)} names no schema: ${verb} depends on search_path`,
      fix: sqlBlock(`Name the schema (${SUGGESTED}, or the one you mean):`, `${fixed};`),
    });
  },
});

/** A temporary table of that name was created earlier in the section (it lives in pg_temp, not in a schema you name). */
function temporary(previous: readonly { kind: string; ast: any }[], name: string): boolean {
  return previous.some((s) => {
    const r = s.kind === 'CreateStmt' ? s.ast.relation : s.kind === 'CreateTableAsStmt' ? s.ast.into?.rel : undefined;
    return r?.relpersistence === 't' && !r.schemaname && key({ name: r.relname }) === key({ name });
  });
}
