/**
 * The statements lockstep's MySQL/MariaDB parser gives (parser.ts), as the classifier, the catalog and
 * the rules see them. One parser serves both flavors: MariaDB-only syntax (`ALTER ONLINE`, `WAIT n` /
 * `NOWAIT`, `IF [NOT] EXISTS` on columns and indexes, `SET STATEMENT … FOR`) is parsed, and the
 * classifier decides per flavor what it means.
 *
 * Names are as written, unquoted (`` `order` `` → `order`); a schema-qualified name keeps its schema.
 * Offsets are file offsets (UTF-16), like every span in lockstep. Expressions the classifier does not
 * need to understand are kept as their text.
 */
import type { QualifiedName, Span } from '../../core/types.js';
import type { BaseStatement } from '../dialect.js';
import type { MyColumnType } from './catalog.js';

export type Algorithm = 'default' | 'instant' | 'nocopy' | 'inplace' | 'copy';
export type LockClause = 'default' | 'none' | 'shared' | 'exclusive';

/** `SET [SESSION|GLOBAL|…] name = value` and the pairs of MariaDB's `SET STATEMENT a=1, b=2 FOR …`. */
export interface Assignment {
  scope: 'session' | 'global' | 'persist' | 'persist_only' | 'local' | 'user';
  /** Lower-case variable name without `@@`/scope prefix (`lock_wait_timeout`, `foreign_key_checks`); user variables keep `@x`. */
  name: string;
  /** The value's text as written (`5`, `'STRICT_ALL_TABLES'`, `DEFAULT`, `@@x + 1`). */
  value: string;
  /** The value as a number when it is one, or a quoted string unquoted; undefined for expressions and DEFAULT. */
  literal?: number | string;
}

export interface DefaultValue {
  /** `NULL`; a literal (`0`, `'x'`, `b'1'`, `-1.5`); `CURRENT_TIMESTAMP`/`NOW()` (with or without precision); any other `(expr)`. */
  kind: 'null' | 'literal' | 'current-timestamp' | 'expression';
  text: string;
}

export interface ColumnDef {
  name: string;
  type: MyColumnType;
  /** NULL / NOT NULL as written; undefined when the definition says neither. */
  nullable?: boolean;
  default?: DefaultValue;
  /** `GENERATED ALWAYS AS (expr) [VIRTUAL|STORED]` / `AS (expr)`; MariaDB `PERSISTENT` is `stored`. */
  generated?: { kind: 'virtual' | 'stored'; expr: string };
  autoIncrement?: boolean;
  /** `CHARACTER SET x` / `CHARSET x` on the column (lower-case). */
  charset?: string;
  collation?: string;
  /** Inline `PRIMARY KEY` / `UNIQUE [KEY]` on the column. */
  primaryKey?: boolean;
  unique?: boolean;
  /** `ON UPDATE CURRENT_TIMESTAMP`. */
  onUpdate?: string;
  comment?: string;
  /** MySQL 8.0.23+ `INVISIBLE`, MariaDB `INVISIBLE`. */
  invisible?: boolean;
  /** Inline `CHECK (expr)`. */
  check?: string;
  /** Inline `REFERENCES t (c)` (MySQL before 8.0.? ignores it; recorded as written). */
  references?: { table: QualifiedName; columns: string[] };
  /** Where in the statement the definition is. */
  span: Span;
}

export type IndexKind = 'primary' | 'unique' | 'index' | 'fulltext' | 'spatial';

export interface IndexPart {
  /** The column, or undefined for a functional key part (`(lower(email))`, MySQL 8.0.13+). */
  column?: string;
  /** Prefix length: `name(10)`. */
  length?: number;
  expression?: string;
  descending?: boolean;
}

export interface IndexDef {
  /** Absent when the server names it (`ADD INDEX (a)` → `a`). */
  name?: string;
  kind: IndexKind;
  parts: IndexPart[];
  /** `USING BTREE|HASH`. */
  using?: string;
  /** `CONSTRAINT c UNIQUE …` / `CONSTRAINT c PRIMARY KEY …`. */
  constraintName?: string;
  invisible?: boolean;
  /** MariaDB `ADD INDEX IF NOT EXISTS`. */
  ifNotExists?: boolean;
}

export interface ForeignKeyDef {
  /** `CONSTRAINT name`. */
  name?: string;
  /** `FOREIGN KEY idx_name (…)`: the index name. */
  indexName?: string;
  columns: string[];
  references: QualifiedName;
  referencedColumns: string[];
  onDelete?: string;
  onUpdate?: string;
  ifNotExists?: boolean;
}

/** Table options (`ENGINE=InnoDB ROW_FORMAT=DYNAMIC DEFAULT CHARSET=utf8mb4 …`), keys lower-case with `_` (`row_format`, `default_charset` → `charset`, `auto_increment`, `comment`, `key_block_size`, `engine`, `collate`). */
export type TableOptions = Record<string, string>;

export type Position = { first: true } | { after: string };

export type PartitionOp = 'add' | 'drop' | 'reorganize' | 'truncate' | 'coalesce' | 'exchange' | 'remove' | 'partition-by' | 'rebuild' | 'optimize' | 'analyze' | 'check' | 'repair' | 'discard' | 'import' | 'convert';

/** One clause of `ALTER TABLE t …, …`; `span` is the clause in the file. */
export type AlterAction =
  | { type: 'add-column'; column: ColumnDef; position?: Position; ifNotExists?: boolean; span: Span }
  | { type: 'drop-column'; name: string; ifExists?: boolean; span: Span }
  /** MODIFY [COLUMN] c def: same name, new definition. */
  | { type: 'modify-column'; column: ColumnDef; position?: Position; ifExists?: boolean; span: Span }
  /** CHANGE [COLUMN] old new def: rename and/or redefine. */
  | { type: 'change-column'; oldName: string; column: ColumnDef; position?: Position; ifExists?: boolean; span: Span }
  | { type: 'rename-column'; from: string; to: string; span: Span }
  /** ALTER [COLUMN] c SET DEFAULT x / DROP DEFAULT. */
  | { type: 'set-default'; name: string; default: DefaultValue; span: Span }
  | { type: 'drop-default'; name: string; span: Span }
  /** ALTER [COLUMN] c SET VISIBLE|INVISIBLE (MySQL 8.0.23+). */
  | { type: 'column-visibility'; name: string; invisible: boolean; span: Span }
  | { type: 'add-index'; index: IndexDef; span: Span }
  | { type: 'drop-index'; name: string; ifExists?: boolean; span: Span }
  | { type: 'drop-primary-key'; span: Span }
  | { type: 'rename-index'; from: string; to: string; span: Span }
  | { type: 'index-visibility'; name: string; invisible: boolean; span: Span }
  | { type: 'add-foreign-key'; foreignKey: ForeignKeyDef; span: Span }
  | { type: 'drop-foreign-key'; name: string; ifExists?: boolean; span: Span }
  | { type: 'add-check'; name?: string; expr: string; enforced?: boolean; span: Span }
  | { type: 'drop-check'; name: string; span: Span }
  /** DROP CONSTRAINT x (MySQL 8.0.19+, MariaDB): a check, a foreign key or a unique key, by name. */
  | { type: 'drop-constraint'; name: string; ifExists?: boolean; span: Span }
  | { type: 'table-options'; options: TableOptions; span: Span }
  | { type: 'convert-charset'; charset: string; collation?: string; span: Span }
  | { type: 'force'; span: Span }
  | { type: 'rename-table'; to: QualifiedName; span: Span }
  | { type: 'order-by'; span: Span }
  | { type: 'keys'; enable: boolean; span: Span }
  | { type: 'tablespace'; op: 'discard' | 'import'; span: Span }
  | { type: 'partition'; op: PartitionOp; /** partition names it names */ partitions?: string[]; span: Span }
  /** A clause the parser recognized as a clause but does not model (kept as text). */
  | { type: 'other'; text: string; span: Span };

export type AlterActionType = AlterAction['type'];

interface Base extends BaseStatement {
  /** MariaDB `SET STATEMENT a=1 FOR <statement>`: the settings for this one statement. */
  statementSettings?: Assignment[];
}

export interface AlterTable extends Base {
  kind: 'alter-table';
  table: QualifiedName;
  actions: AlterAction[];
  /** `ALGORITHM=…` when written (the last one wins, as on the server). */
  algorithm?: Algorithm;
  lock?: LockClause;
  /** MariaDB `ALTER ONLINE TABLE` (= LOCK=NONE). */
  online?: boolean;
  ignore?: boolean;
  /** MariaDB `ALTER TABLE t WAIT n` / `NOWAIT` (seconds; 0 = NOWAIT). */
  wait?: number;
  ifExists?: boolean;
}

export interface CreateTable extends Base {
  kind: 'create-table';
  table: QualifiedName;
  ifNotExists?: boolean;
  temporary?: boolean;
  orReplace?: boolean;
  columns: ColumnDef[];
  indexes: IndexDef[];
  foreignKeys: ForeignKeyDef[];
  checks: { name?: string; expr: string }[];
  options: TableOptions;
  /** `CREATE TABLE t LIKE other`. */
  like?: QualifiedName;
  /** `CREATE TABLE t [(…)] [AS] SELECT …`. */
  asSelect?: boolean;
  partitioned?: boolean;
}

export interface CreateIndex extends Base {
  kind: 'create-index';
  table: QualifiedName;
  index: IndexDef & { name: string };
  algorithm?: Algorithm;
  lock?: LockClause;
  /** MariaDB `CREATE OR REPLACE INDEX`, `CREATE INDEX IF NOT EXISTS`, `WAIT n`/`NOWAIT`. */
  orReplace?: boolean;
  online?: boolean;
  wait?: number;
}

export interface DropIndex extends Base {
  kind: 'drop-index';
  name: string;
  table: QualifiedName;
  ifExists?: boolean;
  algorithm?: Algorithm;
  lock?: LockClause;
  online?: boolean;
  wait?: number;
}

export interface DropTable extends Base {
  kind: 'drop-table';
  tables: QualifiedName[];
  ifExists?: boolean;
  temporary?: boolean;
  wait?: number;
}

export interface RenameTable extends Base {
  kind: 'rename-table';
  renames: { from: QualifiedName; to: QualifiedName }[];
  wait?: number;
}

/** TRUNCATE, OPTIMIZE, ANALYZE, CHECK, REPAIR TABLE on one or more tables. */
export interface TableMaintenance extends Base {
  kind: 'truncate' | 'optimize' | 'analyze' | 'check-table' | 'repair';
  tables: QualifiedName[];
}

export interface SetStatement extends Base {
  kind: 'set';
  assignments: Assignment[];
  /** `SET NAMES x`, `SET CHARACTER SET x`, `SET TRANSACTION …`, `SET PASSWORD`, `SET ROLE`: not variable assignments. */
  special?: 'names' | 'charset' | 'transaction' | 'password' | 'role' | 'default-role';
}

export interface TransactionStatement extends Base {
  kind: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release-savepoint' | 'rollback-to-savepoint' | 'xa';
}

export interface LockTables extends Base {
  kind: 'lock-tables' | 'unlock-tables';
  tables: { table: QualifiedName; mode: 'read' | 'write' | 'read-local' | 'low-priority-write' }[];
}

/** CREATE/DROP TRIGGER, VIEW, PROCEDURE, FUNCTION, EVENT, DATABASE; the body is not parsed. */
export interface ObjectDdl extends Base {
  kind: 'create-trigger' | 'drop-trigger' | 'create-view' | 'drop-view' | 'alter-view' | 'create-routine' | 'drop-routine' | 'alter-routine' | 'create-event' | 'drop-event' | 'alter-event' | 'create-database' | 'drop-database' | 'alter-database';
  name: QualifiedName;
  /** Triggers: the table and when they fire. */
  table?: QualifiedName;
  timing?: 'before' | 'after';
  event?: 'insert' | 'update' | 'delete';
  ifExists?: boolean;
  ifNotExists?: boolean;
  orReplace?: boolean;
}

export interface Dml extends Base {
  kind: 'insert' | 'replace' | 'update' | 'delete' | 'select' | 'load-data' | 'call' | 'do';
  /** The table written (INSERT/REPLACE/UPDATE/DELETE/LOAD DATA), when one table is named first. */
  table?: QualifiedName;
  /** UPDATE/DELETE without WHERE (every row). */
  noWhere?: boolean;
}

export interface UseStatement extends Base {
  kind: 'use';
  database: string;
}

/** `DELIMITER //` lines of the mysql client: not SQL; kept so positions and rules see them. */
export interface DelimiterStatement extends Base {
  kind: 'delimiter';
  delimiter: string;
}

/** A statement of a kind lockstep does not model (GRANT, FLUSH, SHOW, …): harmless to lint. */
export interface OtherStatement extends Base {
  kind: 'other';
  /** Its first keyword(s), lower-case: `grant`, `flush`, `show`. */
  verb: string;
}

/**
 * A statement of a kind that matters (its verb is DDL lockstep models) that the parser could not read:
 * the `unanalyzable-statement` rule reports it with `reason`; nothing is assumed about it.
 */
export interface UnparsedStatement extends Base {
  kind: 'unparsed';
  verb: string;
  reason: string;
  /** File offset where the parser gave up. */
  offset: number;
}

export type MyStatement =
  | AlterTable
  | CreateTable
  | CreateIndex
  | DropIndex
  | DropTable
  | RenameTable
  | TableMaintenance
  | SetStatement
  | TransactionStatement
  | LockTables
  | ObjectDdl
  | Dml
  | UseStatement
  | DelimiterStatement
  | OtherStatement
  | UnparsedStatement;

export type MyStatementKind = MyStatement['kind'];
