/**
 * What a parsed MySQL/MariaDB statement does to the schema lint keeps (catalog.ts), as the server
 * would record it: CREATE TABLE (columns in order with type, charset from the column, its collation,
 * the table option or the catalog default; keys incl. inline PRIMARY KEY/UNIQUE; foreign keys with the
 * index the server adds for them; checks; engine, row format, partitioning), CREATE TABLE … LIKE, every
 * ALTER TABLE action (FIRST/AFTER placement, MODIFY/CHANGE resetting the charset to the table's,
 * CONVERT TO CHARACTER SET promoting TEXT types the way the server does), CREATE/DROP INDEX and
 * DROP/RENAME TABLE. Names the server generates (unnamed keys after their first column, `_2`, `_3` on a
 * clash; foreign keys `<table>_ibfk_<n>`; checks `CONSTRAINT_<n>` on MariaDB, `<table>_chk_<n>` on
 * MySQL) follow the server, so a later `DROP INDEX email_2` finds its key.
 *
 * Proven against MariaDB 10.11's information_schema in test/dialects/mysql/catalog-apply.test.ts.
 */
import type { QualifiedName } from '../../core/types.js';
import type { Flavor } from '../../core/version.js';
import type { ColumnDef, ForeignKeyDef, IndexDef, MyStatement, Position, TableOptions } from './ast.js';
import { bytesPerChar, type MyColumn, type MyIndex, type MysqlCatalog, type MyTable } from './catalog.js';

export interface ApplyOptions {
  /** Whose generated names to follow (check constraints differ); MySQL when absent. */
  flavor?: Flavor;
}

const STRING_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);
const TEXT_PROMOTION: Record<string, string> = { tinytext: 'text', text: 'mediumtext', mediumtext: 'longtext' };

/** `utf8mb4_unicode_ci` → `utf8mb4`. */
export const charsetOfCollation = (c: string): string => (c.includes('_') ? c.slice(0, c.indexOf('_')) : c).toLowerCase();

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Learns what `stmt` does to `catalog`; `migration` names where it happened. */
export function applyStatement(catalog: MysqlCatalog, stmt: MyStatement, migration: string, o: ApplyOptions = {}): void {
  switch (stmt.kind) {
    case 'create-table':
      return createTable(catalog, stmt, migration, o);
    case 'alter-table': {
      const t = catalog.edit(stmt.table);
      if (!t) return;
      for (const a of stmt.actions) {
        switch (a.type) {
          case 'add-column': {
            if (a.ifNotExists && findColumn(t, a.column.name)) break;
            const col = column(t, a.column, migration, o);
            place(t, col, a.position);
            inlineKeys(t, a.column, o);
            break;
          }
          case 'drop-column':
            dropColumn(t, a.name);
            break;
          case 'modify-column':
          case 'change-column': {
            const old = findColumn(t, a.type === 'change-column' ? a.oldName : a.column.name);
            if (!old) {
              if (!a.ifExists) t.partial = true;
              break;
            }
            const col = column(t, a.column, old.addedIn ?? migration, o);
            if (a.type === 'change-column' && !eq(a.oldName, a.column.name)) renameColumnRefs(t, a.oldName, a.column.name);
            const i = t.columns.indexOf(old);
            t.columns[i] = col;
            if (a.position) {
              t.columns.splice(i, 1);
              place(t, col, a.position);
            }
            inlineKeys(t, a.column, o);
            break;
          }
          case 'rename-column': {
            const c = findColumn(t, a.from);
            if (c) c.name = a.to;
            renameColumnRefs(t, a.from, a.to);
            break;
          }
          case 'set-default': {
            const c = findColumn(t, a.name);
            if (c) c.default = defaultKind(a.default.kind);
            break;
          }
          case 'drop-default': {
            const c = findColumn(t, a.name);
            if (c) c.default = 'none';
            break;
          }
          case 'add-index':
            addIndex(t, a.index);
            break;
          case 'drop-index':
            t.indexes = t.indexes.filter((i) => !eq(i.name, a.name));
            break;
          case 'drop-primary-key':
            t.indexes = t.indexes.filter((i) => i.kind !== 'primary');
            break;
          case 'rename-index': {
            const ix = t.indexes.find((i) => eq(i.name, a.from));
            if (ix) ix.name = a.to;
            break;
          }
          case 'add-foreign-key':
            addForeignKey(t, a.foreignKey);
            break;
          case 'drop-foreign-key':
            t.foreignKeys = t.foreignKeys.filter((f) => !eq(f.name, a.name));
            break;
          case 'add-check':
            t.checks.push(a.name ?? checkName(t, o));
            break;
          case 'drop-check':
            t.checks = t.checks.filter((c) => !eq(c, a.name));
            break;
          case 'drop-constraint':
            t.checks = t.checks.filter((c) => !eq(c, a.name));
            t.foreignKeys = t.foreignKeys.filter((f) => !eq(f.name, a.name));
            t.indexes = t.indexes.filter((i) => !(i.kind === 'unique' && eq(i.name, a.name)));
            break;
          case 'table-options':
            tableOptions(t, a.options);
            break;
          case 'convert-charset':
            t.charset = a.charset === 'default' ? catalog.defaultCharset : a.charset;
            for (const c of t.columns) {
              if (!STRING_TYPES.has(c.type.name) || c.charset === 'binary') continue;
              // TEXT types grow so they still hold as many characters (TEXT latin1 → MEDIUMTEXT utf8mb4).
              if (TEXT_PROMOTION[c.type.name] && bytesPerChar(t.charset) > bytesPerChar(c.charset)) c.type = { ...c.type, name: TEXT_PROMOTION[c.type.name]! };
              c.charset = t.charset;
              if (a.collation) c.collation = a.collation;
              else delete c.collation;
            }
            break;
          case 'rename-table':
            renameTable(catalog, t.name, a.to);
            break;
          case 'partition':
            if (a.op === 'partition-by') t.partitioned = true;
            else if (a.op === 'remove') t.partitioned = false;
            break;
          default:
            break;
        }
      }
      return;
    }
    case 'create-index': {
      const t = catalog.edit(stmt.table);
      if (t && !(stmt.index.ifNotExists && t.indexes.some((i) => eq(i.name, stmt.index.name)))) {
        if (stmt.orReplace) t.indexes = t.indexes.filter((i) => !eq(i.name, stmt.index.name));
        addIndex(t, stmt.index);
      }
      return;
    }
    case 'drop-index': {
      const t = catalog.edit(stmt.table);
      if (t) t.indexes = t.indexes.filter((i) => !eq(i.name, stmt.name));
      return;
    }
    case 'drop-table':
      for (const n of stmt.tables) catalog.drop(n);
      return;
    case 'rename-table':
      // one after the other, as the server does (`a TO tmp, b TO a, tmp TO b` swaps)
      for (const r of stmt.renames) renameTable(catalog, r.from, r.to);
      return;
    default:
      return;
  }
}

function createTable(catalog: MysqlCatalog, stmt: Extract<MyStatement, { kind: 'create-table' }>, migration: string, o: ApplyOptions): void {
  if (stmt.ifNotExists && catalog.table(stmt.table)) return;
  if (stmt.temporary) return; // a temporary table is not part of the schema
  if (stmt.like) {
    const src = catalog.table(stmt.like);
    const t: MyTable = src
      ? {
          ...src,
          name: stmt.table,
          columns: src.columns.map((c) => ({ ...c, addedIn: migration })),
          indexes: src.indexes.map((i) => ({ ...i, columns: [...i.columns] })),
          foreignKeys: [], // LIKE does not copy foreign keys
          checks: [...src.checks],
          createdIn: migration,
        }
      : { name: stmt.table, columns: [], indexes: [], foreignKeys: [], checks: [], partial: true, createdIn: migration };
    delete t.rows;
    delete t.bytes;
    delete t.rowVersions;
    catalog.create(t);
    return;
  }
  const charset = stmt.options.charset ?? (stmt.options.collate ? charsetOfCollation(stmt.options.collate) : catalog.defaultCharset);
  const t: MyTable = {
    name: stmt.table,
    columns: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
    engine: stmt.options.engine ?? 'InnoDB',
    charset: charset === 'default' ? catalog.defaultCharset : charset,
    createdIn: migration,
    ...(stmt.options.row_format ? { rowFormat: stmt.options.row_format } : {}),
    ...(stmt.partitioned ? { partitioned: true } : {}),
    ...(stmt.asSelect ? { partial: true } : {}),
  };
  for (const c of stmt.columns) t.columns.push(column(t, c, migration, o));
  for (const c of stmt.columns) inlineKeys(t, c, o);
  for (const ix of stmt.indexes) addIndex(t, ix);
  for (const fk of stmt.foreignKeys) addForeignKey(t, fk);
  for (const ck of stmt.checks) t.checks.push(ck.name ?? checkName(t, o));
  catalog.create(t);
}

/** RENAME: InnoDB renames the foreign keys it named after the table (`old_ibfk_1` → `new_ibfk_1`). */
function renameTable(catalog: MysqlCatalog, from: QualifiedName, to: QualifiedName): void {
  const old = catalog.table(from);
  if (!old) return;
  const oldName = old.name.name;
  const prefix = `${oldName}_ibfk_`;
  catalog.rename(from, to);
  const t = catalog.edit(to);
  if (!t || oldName === to.name) return;
  for (const f of t.foreignKeys) if (f.name.startsWith(prefix)) f.name = `${to.name}_ibfk_${f.name.slice(prefix.length)}`;
}

function findColumn(t: MyTable, name: string): MyColumn | undefined {
  return t.columns.find((c) => eq(c.name, name));
}

function defaultKind(k: 'null' | 'literal' | 'current-timestamp' | 'expression'): MyColumn['default'] {
  return k === 'null' ? 'none' : k;
}

/** The column as the table stores it: the charset a string type gets, NOT NULL for key columns, defaults. */
function column(t: MyTable, d: ColumnDef, migration: string, o: ApplyOptions): MyColumn {
  const type = { ...d.type };
  // Lengths the server fills in when none is written.
  if (type.length === undefined && (type.name === 'decimal' || type.name === 'numeric')) {
    type.length = 10;
    type.scale = 0;
  } else if (type.length === undefined && (type.name === 'char' || type.name === 'binary' || type.name === 'bit')) type.length = 1;
  else if (type.name === 'decimal' && type.scale === undefined) type.scale = 0;
  const col: MyColumn = {
    name: d.name,
    type,
    nullable: d.nullable ?? true,
    default: d.default ? defaultKind(d.default.kind) : 'none',
    addedIn: migration,
  };
  if (d.primaryKey) col.nullable = false;
  if (type.name === 'json' && o.flavor === 'mariadb') col.charset = 'utf8mb4';
  if (STRING_TYPES.has(type.name)) {
    const cs = d.charset ?? (d.collation ? charsetOfCollation(d.collation) : t.charset);
    if (cs) col.charset = cs;
    if (d.collation) col.collation = d.collation;
  }
  if (d.generated) col.generated = d.generated.kind;
  if (d.autoIncrement) col.autoIncrement = true;
  return col;
}

function place(t: MyTable, col: MyColumn, p: Position | undefined): void {
  if (p && 'first' in p) t.columns.unshift(col);
  else if (p && 'after' in p) {
    const i = t.columns.findIndex((c) => eq(c.name, p.after));
    if (i < 0) t.columns.push(col);
    else t.columns.splice(i + 1, 0, col);
  } else t.columns.push(col);
}

function dropColumn(t: MyTable, name: string): void {
  t.columns = t.columns.filter((c) => !eq(c.name, name));
  // A key loses the column; a key left without columns is dropped (as the server does).
  for (const ix of t.indexes) ix.columns = ix.columns.filter((c) => !eq(c, name));
  t.indexes = t.indexes.filter((i) => i.columns.length > 0);
}

function renameColumnRefs(t: MyTable, from: string, to: string): void {
  for (const ix of t.indexes) ix.columns = ix.columns.map((c) => (eq(c, from) ? to : c));
  for (const fk of t.foreignKeys) fk.columns = fk.columns.map((c) => (eq(c, from) ? to : c));
}

/** An unused index name: `base`, `base_2`, `base_3`, … */
function freeName(t: MyTable, base: string): string {
  if (!t.indexes.some((i) => eq(i.name, base))) return base;
  for (let n = 2; ; n++) if (!t.indexes.some((i) => eq(i.name, `${base}_${n}`))) return `${base}_${n}`;
}

/** Inline PRIMARY KEY / UNIQUE of a column definition. */
function inlineKeys(t: MyTable, d: ColumnDef, o: ApplyOptions): void {
  if (d.primaryKey) addIndex(t, { kind: 'primary', parts: [{ column: d.name }] });
  if (d.unique) addIndex(t, { kind: 'unique', parts: [{ column: d.name }] });
  if (d.check !== undefined) t.checks.push(o.flavor === 'mariadb' ? d.name : checkName(t, o));
  // MariaDB's JSON is LONGTEXT utf8mb4_bin with a json_valid() check named after the column.
  if (o.flavor === 'mariadb' && d.type.name === 'json' && !t.checks.some((c) => eq(c, d.name))) t.checks.push(d.name);
}

function addIndex(t: MyTable, ix: IndexDef): void {
  const columns = ix.parts.map((p) => p.column).filter((c): c is string => c !== undefined);
  if (ix.kind === 'primary') {
    t.indexes = t.indexes.filter((i) => i.kind !== 'primary');
    t.indexes.push({ name: 'PRIMARY', columns, kind: 'primary' });
    for (const c of columns) {
      const col = findColumn(t, c);
      if (col) col.nullable = false;
    }
    return;
  }
  if (ix.ifNotExists && ix.name && t.indexes.some((i) => eq(i.name, ix.name!))) return;
  const first = ix.parts[0]?.column ?? 'expr';
  const index: MyIndex = { name: ix.name ?? freeName(t, first), columns, kind: ix.kind };
  t.indexes.push(index);
}

function addForeignKey(t: MyTable, fk: ForeignKeyDef): void {
  if (fk.ifNotExists && fk.name && t.foreignKeys.some((f) => eq(f.name, fk.name!))) return;
  let name = fk.name;
  if (!name) {
    let n = 1;
    while (t.foreignKeys.some((f) => eq(f.name, `${t.name.name}_ibfk_${n}`))) n++;
    name = `${t.name.name}_ibfk_${n}`;
  }
  t.foreignKeys.push({ name, columns: [...fk.columns], references: fk.references as QualifiedName });
  // InnoDB needs an index whose leading columns are the foreign key's; it adds one when there is none.
  const covered = t.indexes.some((i) => fk.columns.every((c, k) => i.columns[k] !== undefined && eq(i.columns[k]!, c)));
  if (!covered) t.indexes.push({ name: freeName(t, fk.indexName ?? fk.name ?? fk.columns[0]!), columns: [...fk.columns], kind: 'index' });
}

function checkName(t: MyTable, o: ApplyOptions): string {
  for (let n = 1; ; n++) {
    const name = o.flavor === 'mariadb' ? `CONSTRAINT_${n}` : `${t.name.name}_chk_${n}`;
    if (!t.checks.some((c) => eq(c, name))) return name;
  }
}

function tableOptions(t: MyTable, opts: TableOptions): void {
  if (opts.engine) t.engine = opts.engine;
  if (opts.row_format) t.rowFormat = opts.row_format;
  if (opts.charset) t.charset = opts.charset;
  else if (opts.collate) t.charset = charsetOfCollation(opts.collate);
}
