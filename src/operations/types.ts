/**
 * The operations a change is made of. A change spec (YAML/JSON), the TypeScript builders and plain SQL
 * all produce these; the planner turns each into steps (operations/<kind>.ts). SQL fragments
 * (types, defaults, expressions) are kept as the user wrote them and validated with the Postgres parser.
 */
import type { QualifiedName } from '../core/types.js';

export type FkAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
export const fkActions: readonly FkAction[] = ['no action', 'restrict', 'cascade', 'set null', 'set default'];

export interface IndexOptions {
  /** Default: `<table>_<columns>_idx`. */
  name?: string;
  /** Default: btree. */
  method?: string;
  /** Columns or expressions; default: the new column. */
  columns?: string[];
  /** A partial index's predicate. */
  where?: string;
}

export interface ReferencesOptions {
  table: QualifiedName;
  /** Default: `id`. */
  column?: string;
  onDelete?: FkAction;
  onUpdate?: FkAction;
  /** Default: `<table>_<column>_fkey`. */
  name?: string;
}

export interface AddColumn {
  kind: 'addColumn';
  table: QualifiedName;
  name: string;
  /** SQL type, as written: `timestamptz`, `numeric(12,2)`, `text[]`. */
  type: string;
  /** Default true. `false` makes lockstep add it nullable, backfill, then enforce NOT NULL safely. */
  nullable: boolean;
  /** SQL expression for new rows. */
  default?: string;
  /** SQL expression for existing rows (may use the row's other columns); defaults to `default`. */
  backfill?: string;
  /** A CHECK condition on the new column. */
  check?: string;
  references?: ReferencesOptions;
  unique?: boolean | { name?: string };
  index?: boolean | IndexOptions;
  comment?: string;
}

export interface AddIndex {
  kind: 'addIndex';
  table: QualifiedName;
  name?: string;
  columns: string[];
  method?: string;
  where?: string;
  unique?: boolean;
  include?: string[];
}

export interface AddCheck {
  kind: 'addCheck';
  table: QualifiedName;
  name?: string;
  expression: string;
}

export interface AddForeignKey {
  kind: 'addForeignKey';
  table: QualifiedName;
  name?: string;
  columns: string[];
  references: { table: QualifiedName; columns: string[] };
  onDelete?: FkAction;
  onUpdate?: FkAction;
}

export interface AddUnique {
  kind: 'addUnique';
  table: QualifiedName;
  name?: string;
  columns: string[];
}

export interface SetNotNull {
  kind: 'setNotNull';
  table: QualifiedName;
  column: string;
}

export type Operation = AddColumn | AddIndex | AddCheck | AddForeignKey | AddUnique | SetNotNull;
export type OperationKind = Operation['kind'];
export const operationKinds: readonly OperationKind[] = ['addColumn', 'addIndex', 'addCheck', 'addForeignKey', 'addUnique', 'setNotNull'];

/** A named change: what `plan` and `apply` work on. */
export interface Change {
  /** From the spec file name or its `name:`; the ledger key. */
  name: string;
  operations: Operation[];
}
