/**
 * A change from TypeScript: the same operations as a change spec, checked by the same code, so a bad
 * type or expression throws the same E_INPUT error (`addColumn.type: "not a type(" is not an SQL type …`).
 * Names are written as in SQL: `'billing.invoices'`, `'"Order Items"'`. Needs the SQL parser loaded
 * (`await loadParser()` once).
 */
import type { QualifiedName } from '../core/types.js';
import { LockstepError } from '../core/errors.js';
import type { AddCheck, AddColumn, AddForeignKey, AddIndex, AddUnique, Change, FkAction, IndexOptions, Operation, OperationKind, SetNotNull } from '../operations/types.js';
import { requireParser } from './sql-fragments.js';
import { pathText, Reporter, table as checkTable, validateOperation } from './validate.js';

/** `'orders'`, `'billing.invoices'`, `'"Order Items"'`, or `{ schema, name }` as stored. */
export type TableRef = string | QualifiedName;

export interface AddColumnOptions {
  name: string;
  type: string;
  nullable?: boolean;
  default?: string;
  backfill?: string;
  check?: string;
  references?: TableRef | { table: TableRef; column?: string; onDelete?: FkAction; onUpdate?: FkAction; name?: string };
  unique?: boolean | { name?: string };
  index?: boolean | IndexOptions;
  comment?: string;
}

export const addColumn = (table: TableRef, opts: AddColumnOptions): AddColumn => build('addColumn', table, opts);
export const addIndex = (table: TableRef, opts: Omit<AddIndex, 'kind' | 'table'>): AddIndex => build('addIndex', table, opts);
export const addCheck = (table: TableRef, expression: string, opts: { name?: string } = {}): AddCheck => build('addCheck', table, { ...opts, expression });
export const addForeignKey = (table: TableRef, opts: Omit<AddForeignKey, 'kind' | 'table' | 'references'> & { references: { table: TableRef; columns: string[] } }): AddForeignKey =>
  build('addForeignKey', table, opts);
export const addUnique = (table: TableRef, columns: string[], opts: { name?: string } = {}): AddUnique => build('addUnique', table, { ...opts, columns });
export const setNotNull = (table: TableRef, column: string): SetNotNull => build('setNotNull', table, { column });

/** A named change: what `plan` and `apply` take. */
export function change(name: string, ...operations: Operation[]): Change {
  const problems = [];
  if (typeof name !== 'string' || !name.trim()) problems.push({ where: 'change', message: 'needs a name (the key of the change in the ledger)' });
  if (!operations.length) problems.push({ where: 'change', message: 'needs at least one operation' });
  if (problems.length) throw new LockstepError('E_INPUT', problems);
  return { name: name.trim(), operations };
}

function build<K extends OperationKind>(kind: K, table: TableRef, body: object): Extract<Operation, { kind: K }> {
  requireParser(kind);
  const r = new Reporter();
  const t = table === undefined || table === null ? void r.problem([kind, 'table'], 'is required (the table, e.g. orders or billing.invoices)') : checkTable(r, table, [kind, 'table']);
  const op = validateOperation(r, kind, t, body, [kind]);
  if (!op || r.count) throw new LockstepError('E_INPUT', r.problems.map((p) => ({ where: pathText(p.path), message: p.message })));
  return op as Extract<Operation, { kind: K }>;
}
