/**
 * What lockstep knows about a MySQL/MariaDB schema while lint reads migrations in order: tables, their
 * columns (type, length, charset — which decide whether a VARCHAR change crosses the length-prefix
 * boundary), indexes, foreign keys, table options and sizes. Seeded from a live database (`--db`,
 * see introspect.ts) or empty, and changed by each statement lint reads (the statement side is in
 * catalog-apply.ts; this file only holds the schema and its semantic edits).
 *
 * Names: MySQL compares table names case-sensitively on Linux by default (lower_case_table_names=0)
 * and column and index names case-insensitively; keys here follow that.
 */
import type { QualifiedName } from '../../core/types.js';

export interface MyColumnType {
  /** Lower-case base type: `varchar`, `int`, `bigint`, `decimal`, `enum`, `json`, … */
  name: string;
  /** Length or precision (`varchar(255)` → 255, `decimal(10,2)` → 10). */
  length?: number;
  /** Scale (`decimal(10,2)` → 2). */
  scale?: number;
  unsigned?: boolean;
  /** ENUM / SET members, in order. */
  members?: string[];
  /** The type as written, for messages: `varchar(255)`. */
  text: string;
}

export interface MyColumn {
  name: string;
  type: MyColumnType;
  /** The column's character set, when it is a string type and known. */
  charset?: string;
  collation?: string;
  nullable: boolean;
  /** `none` | a literal | an expression (`DEFAULT (expr)`, MySQL 8.0.13+) | CURRENT_TIMESTAMP. */
  default: 'none' | 'literal' | 'expression' | 'current-timestamp';
  generated?: 'virtual' | 'stored';
  autoIncrement?: boolean;
  /** The migration that added it, when lockstep saw that. */
  addedIn?: string;
}

export interface MyIndex {
  name: string;
  columns: string[];
  kind: 'primary' | 'unique' | 'index' | 'fulltext' | 'spatial';
}

export interface MyForeignKey {
  name: string;
  columns: string[];
  references: QualifiedName;
}

export interface MyTable {
  name: QualifiedName;
  /** In order (FIRST/AFTER move them). */
  columns: MyColumn[];
  indexes: MyIndex[];
  foreignKeys: MyForeignKey[];
  checks: string[];
  engine?: string;
  rowFormat?: string;
  /** The table's default character set (new string columns get it). */
  charset?: string;
  partitioned?: boolean;
  rows?: number;
  bytes?: number;
  /** MySQL 8.0.29+: INSTANT ADD/DROP COLUMN row versions used (64 at most). */
  rowVersions?: number;
  createdIn?: string;
  /** Known only from ALTER statements: its columns are not all known. */
  partial?: boolean;
}

/** Bytes per character of the character sets whose maximum is not 1 (utf8mb4 4, utf8mb3 3, …); 1 otherwise. */
const maxBytes: Record<string, number> = { utf8mb4: 4, utf8mb3: 3, utf8: 3, ucs2: 2, utf16: 4, utf16le: 4, utf32: 4, ujis: 3, eucjpms: 3, sjis: 2, cp932: 2, big5: 2, gbk: 2, gb2312: 2, gb18030: 4, euckr: 2 };
export const bytesPerChar = (charset: string | undefined): number => maxBytes[(charset ?? 'utf8mb4').toLowerCase()] ?? 1;

export const tableKey = (n: QualifiedName): string => (n.schema ? `${n.schema}.${n.name}` : n.name);

export class MysqlCatalog {
  readonly tables = new Map<string, MyTable>();
  /** The schema came from a live database: a table that is not here does not exist. */
  complete = false;
  /** The server's default character set for new tables (`character_set_server`). */
  defaultCharset = 'utf8mb4';
  /** Server facts from --db that change what a statement does. */
  server: { sqlModeStrict?: boolean; binlogFormat?: string } = {};

  /** Tables this catalog may change in place (a clone copies a table before its first change). */
  private owned = new WeakSet<MyTable>();

  clone(): MysqlCatalog {
    const c = new MysqlCatalog();
    for (const [k, t] of this.tables) c.tables.set(k, t);
    c.complete = this.complete;
    c.defaultCharset = this.defaultCharset;
    c.server = this.server;
    this.owned = new WeakSet();
    return c;
  }

  table(n: QualifiedName): MyTable | undefined {
    return this.tables.get(tableKey(n)) ?? (n.schema ? this.tables.get(n.name) : undefined);
  }

  column(t: QualifiedName, name: string): MyColumn | undefined {
    return this.table(t)?.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  }

  size(t: QualifiedName): { rows?: number; bytes?: number } {
    const info = this.table(t);
    return { ...(info?.rows !== undefined ? { rows: info.rows } : {}), ...(info?.bytes !== undefined ? { bytes: info.bytes } : {}) };
  }

  /** The table, safe to change in place; created as a partial table when lint meets it first in an ALTER. */
  edit(n: QualifiedName): MyTable | undefined {
    let t = this.table(n);
    if (!t) {
      if (this.complete) return undefined;
      t = { name: n, columns: [], indexes: [], foreignKeys: [], checks: [], partial: true };
      this.owned.add(t);
      this.tables.set(tableKey(n), t);
      return t;
    }
    if (this.owned.has(t)) return t;
    const copy: MyTable = {
      ...t,
      columns: t.columns.map((c) => ({ ...c })),
      indexes: t.indexes.map((i) => ({ ...i, columns: [...i.columns] })),
      foreignKeys: t.foreignKeys.map((f) => ({ ...f, columns: [...f.columns] })),
      checks: [...t.checks],
    };
    this.owned.add(copy);
    this.tables.set(tableKey(t.name), copy);
    return copy;
  }

  create(t: MyTable): void {
    this.owned.add(t);
    this.tables.set(tableKey(t.name), t);
  }

  drop(n: QualifiedName): void {
    const t = this.table(n);
    if (t) this.tables.delete(tableKey(t.name));
  }

  rename(from: QualifiedName, to: QualifiedName): void {
    const t = this.edit(from);
    if (!t) return;
    this.tables.delete(tableKey(t.name));
    t.name = to;
    this.tables.set(tableKey(to), t);
    // Foreign keys of other tables follow the table (InnoDB renames them along).
    for (const other of [...this.tables.values()]) {
      if (!other.foreignKeys.some((f) => tableKey(f.references) === tableKey(from))) continue;
      for (const f of this.edit(other.name)!.foreignKeys) if (tableKey(f.references) === tableKey(from)) f.references = to;
    }
  }

  /** Tables whose foreign keys reference `t`. */
  referencing(t: QualifiedName): QualifiedName[] {
    const k = tableKey(t);
    return [...this.tables.values()].filter((o) => tableKey(o.name) !== k && o.foreignKeys.some((f) => tableKey(f.references) === k)).map((o) => o.name);
  }

  /** Columns that are part of some index of the table. */
  indexed(t: QualifiedName, column: string): boolean {
    const c = column.toLowerCase();
    return !!this.table(t)?.indexes.some((i) => i.columns.some((x) => x.toLowerCase() === c));
  }
}
