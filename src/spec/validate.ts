/**
 * A change as plain data (parsed YAML/JSON, or a builder's arguments) → Operations. Every problem is
 * reported, not just the first, each with its path (`changes[1].addColumn.type`); the caller turns paths
 * into `file:line: path` and throws them together.
 */
import type { QualifiedName } from '../core/types.js';
import { suggest } from '../core/suggest.js';
import type { SpecFragments } from '../dialects/dialect.js';
import { fkActions, operationKinds, type Change, type FkAction, type IndexOptions, type Operation, type OperationKind, type ReferencesOptions } from '../operations/types.js';
import { postgresSpecFragments, type ExpressionRole } from './sql-fragments.js';

export type Path = (string | number)[];

/**
 * Problems found so far, each at a path; the caller turns paths into `file:line: path` (or just the path).
 * `sql` checks the SQL pieces (types, expressions, names) the way the target dialect reads them.
 */
export class Reporter {
  readonly problems: { path: Path; message: string; key: boolean }[] = [];
  constructor(readonly sql: SpecFragments = postgresSpecFragments) {}
  /** `key`: the problem is the key itself (unknown), so point at the key rather than its value. */
  problem(path: Path, message: string, opts: { key?: boolean } = {}): void {
    this.problems.push({ path, message, key: !!opts.key });
  }
  get count(): number {
    return this.problems.length;
  }
}

/** `changes[1].addColumn.type`. */
export function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function got(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

/** Checks the shape of a mapping: reports unknown keys (with the closest known one) and missing required ones. */
function mapping(r: Reporter, v: unknown, path: Path, known: readonly string[], required: Record<string, string>, what: string): Obj | undefined {
  if (!isObj(v)) {
    r.problem(path, `must be a mapping (${what}), got ${got(v)}`);
    return undefined;
  }
  for (const k of Object.keys(v)) if (!known.includes(k)) r.problem([...path, k], `unknown key${suggest(k, known) || ` (known: ${known.join(', ')})`}`, { key: true });
  for (const [k, hint] of Object.entries(required)) if (v[k] === undefined) r.problem([...path, k], `is required (${hint})`);
  return v;
}

class Fields {
  constructor(
    readonly r: Reporter,
    readonly v: Obj,
    readonly path: Path,
  ) {}

  private at(k: string): Path {
    return [...this.path, k];
  }
  /** Given at all: a key with no value (`default:` in YAML, null in JSON) is a problem, not an absence. */
  private present(k: string): boolean {
    return this.v[k] !== undefined;
  }

  ident(k: string): string | undefined {
    return this.present(k) ? ident(this.r, this.v[k], this.at(k)) : undefined;
  }
  identList(k: string): string[] | undefined {
    return this.present(k) ? identList(this.r, this.v[k], this.at(k)) : undefined;
  }
  expression(k: string, role: ExpressionRole): string | undefined {
    return this.present(k) ? expression(this.r, this.v[k], this.at(k), role) : undefined;
  }
  bool(k: string): boolean | undefined {
    if (!this.present(k)) return undefined;
    const b = this.v[k];
    if (typeof b !== 'boolean') this.r.problem(this.at(k), `must be true or false, got ${got(b)}`);
    return typeof b === 'boolean' ? b : undefined;
  }
  text(k: string): string | undefined {
    if (!this.present(k)) return undefined;
    const s = this.v[k];
    if (typeof s === 'string' || typeof s === 'number') return String(s);
    this.r.problem(this.at(k), `must be text, got ${got(s)}`);
    return undefined;
  }
  fkAction(k: string): FkAction | undefined {
    if (!this.present(k)) return undefined;
    const s = this.v[k];
    const norm = typeof s === 'string' ? s.trim().toLowerCase().replace(/[\s_]+/g, ' ') : undefined;
    if (norm && (fkActions as readonly string[]).includes(norm)) return norm as FkAction;
    this.r.problem(this.at(k), `must be one of ${fkActions.join(', ')}; got ${got(s)}${typeof s === 'string' ? suggest(s, fkActions) : ''}`);
    return undefined;
  }
  table(k: string): QualifiedName | undefined {
    return this.present(k) ? table(this.r, this.v[k], this.at(k)) : undefined;
  }
  indexColumns(k: string): string[] | undefined {
    if (!this.present(k)) return undefined;
    const list = this.v[k];
    if (!Array.isArray(list) || list.length === 0) {
      this.r.problem(this.at(k), `must be a non-empty list of column names or expressions in parentheses, got ${got(list)}`);
      return undefined;
    }
    const out = list.map((c, i) => {
      const at = [...this.at(k), i];
      if (typeof c !== 'string') return void this.r.problem(at, `must be a column name or an expression in parentheses, got ${got(c)}`);
      const e = this.r.sql.indexElement(c);
      if (e.error !== undefined) return void this.r.problem(at, `${JSON.stringify(c)} ${e.error}`);
      return e.value;
    });
    return out.every((c): c is string => c !== undefined) ? out : undefined;
  }
}

function ident(r: Reporter, v: unknown, path: Path): string | undefined {
  if (typeof v !== 'string') return void r.problem(path, `must be a name, got ${got(v)}`);
  const n = r.sql.identifier(v);
  if (n.error !== undefined) return void r.problem(path, `${JSON.stringify(v)} ${n.error}`);
  return n.value;
}

function identList(r: Reporter, v: unknown, path: Path): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return void r.problem(path, `must be a non-empty list of column names, got ${got(v)}`);
  const out = v.map((c, i) => ident(r, c, [...path, i]));
  return out.every((c): c is string => c !== undefined) ? out : undefined;
}

function expression(r: Reporter, v: unknown, path: Path, role: ExpressionRole): string | undefined {
  // YAML and JSON turn `0`, `1.5` and `true` into numbers and booleans: as SQL they are the same literals.
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return void r.problem(path, `must be an SQL expression, got ${got(v)}`);
  const text = String(v);
  const bad = r.sql.expression(text, role);
  if (bad) return void r.problem(path, `${JSON.stringify(text)} ${bad}`);
  return text.trim();
}

/** A table: `orders`, `billing.invoices`, `"Order Items"` (parsed as SQL), or `{ schema?, name }` taken as is. */
export function table(r: Reporter, v: unknown, path: Path): QualifiedName | undefined {
  if (typeof v === 'string') {
    const t = r.sql.tableName(v);
    if (t.error !== undefined) return void r.problem(path, `${JSON.stringify(v)} ${t.error}`);
    return t.value;
  }
  if (isObj(v) && typeof v.name === 'string' && v.name && (v.schema === undefined || (typeof v.schema === 'string' && v.schema)) && Object.keys(v).every((k) => k === 'name' || k === 'schema'))
    return v.schema ? { schema: v.schema as string, name: v.name } : { name: v.name };
  return void r.problem(path, `must be a table name like orders or billing.invoices, got ${got(v)}`);
}

/** Drops keys whose value is undefined, so operations compare and serialize cleanly. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const HINTS = {
  name: 'the name, e.g. created_at',
  type: "the column's SQL type, e.g. timestamptz",
  columns: 'a list of columns, e.g. [customer_id]',
  column: 'the column, e.g. created_at',
  expression: "the CHECK condition, e.g. total >= 0",
  table: 'the table, e.g. orders or billing.invoices',
  references: 'the referenced table and columns, e.g. { table: customers, columns: [id] }',
};

const keysOf = {
  addColumn: ['name', 'type', 'nullable', 'default', 'backfill', 'check', 'references', 'unique', 'index', 'comment'],
  addIndex: ['name', 'columns', 'method', 'where', 'unique', 'include'],
  addCheck: ['name', 'expression'],
  addForeignKey: ['name', 'columns', 'references', 'onDelete', 'onUpdate'],
  addUnique: ['name', 'columns'],
  setNotNull: ['column'],
} satisfies Record<OperationKind, string[]>;

const required = {
  addColumn: { name: HINTS.name, type: HINTS.type },
  addIndex: { columns: 'a list of columns or expressions in parentheses, e.g. [email] or ["(lower(email))"]' },
  addCheck: { expression: HINTS.expression },
  addForeignKey: { columns: HINTS.columns, references: HINTS.references },
  addUnique: { columns: HINTS.columns },
  setNotNull: { column: HINTS.column },
} satisfies Record<OperationKind, Record<string, string>>;

/**
 * One operation on table `t` (already checked: undefined when it was missing or wrong); `body` is the
 * operation's mapping. Returns undefined when anything is wrong (every problem has been reported).
 */
export function validateOperation(r: Reporter, kind: OperationKind, t: QualifiedName | undefined, body: unknown, path: Path): Operation | undefined {
  const before = r.count;
  const o = mapping(r, body, path, keysOf[kind], required[kind], `the ${kind} settings`);
  if (!o) return undefined;
  const f = new Fields(r, o, path);
  const on = t as QualifiedName; // undefined is caught at the end
  let op: Operation;
  switch (kind) {
    case 'addColumn':
      op = {
        kind,
        table: on,
        name: f.ident('name')!,
        type: typeText(r, o.type, [...path, 'type'])!,
        nullable: f.bool('nullable') ?? true,
        default: f.expression('default', 'default'),
        backfill: f.expression('backfill', 'backfill'),
        check: f.expression('check', 'check'),
        references: references(r, o.references, [...path, 'references']),
        unique: unique(r, o.unique, [...path, 'unique']),
        index: index(r, o.index, [...path, 'index']),
        comment: f.text('comment'),
      };
      break;
    case 'addIndex':
      op = { kind, table: on, name: f.ident('name'), columns: f.indexColumns('columns')!, method: method(f), where: f.expression('where', 'where'), unique: f.bool('unique') || undefined, include: f.identList('include') };
      break;
    case 'addCheck':
      op = { kind, table: on, name: f.ident('name'), expression: f.expression('expression', 'check')! };
      break;
    case 'addForeignKey': {
      const columns = f.identList('columns');
      const refPath = [...path, 'references'];
      const ref = mapping(r, o.references, refPath, ['table', 'columns'], { table: 'the referenced table, e.g. customers', columns: 'the referenced columns, e.g. [id]' }, 'the referenced table and columns');
      const rf = ref && new Fields(r, ref, refPath);
      const refTable = rf?.table('table');
      const refColumns = rf?.identList('columns');
      if (columns && refColumns && columns.length !== refColumns.length) r.problem([...refPath, 'columns'], `names ${refColumns.length} column${refColumns.length === 1 ? '' : 's'} for the ${columns.length} in columns`);
      op = { kind, table: on, name: f.ident('name'), columns: columns!, references: { table: refTable!, columns: refColumns! }, onDelete: f.fkAction('onDelete'), onUpdate: f.fkAction('onUpdate') };
      break;
    }
    case 'addUnique':
      op = { kind, table: on, name: f.ident('name'), columns: f.identList('columns')! };
      break;
    case 'setNotNull':
      op = { kind, table: on, column: f.ident('column')! };
      break;
  }
  return r.count === before && t ? compact(op) : undefined;
}

function typeText(r: Reporter, v: unknown, path: Path): string | undefined {
  if (v === undefined) return undefined; // reported as missing (required)
  if (typeof v !== 'string') return void r.problem(path, `must be an SQL type like timestamptz, got ${got(v)}`);
  const bad = r.sql.type(v);
  if (bad) return void r.problem(path, `${JSON.stringify(v)} ${bad}`);
  return v.trim();
}

function method(f: Fields): string | undefined {
  const m = f.ident('method');
  return m === undefined ? undefined : f.r.sql.specName(m);
}

function references(r: Reporter, v: unknown, path: Path): ReferencesOptions | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    const t = table(r, v, path);
    return t && { table: t };
  }
  const o = mapping(r, v, path, ['table', 'column', 'onDelete', 'onUpdate', 'name'], { table: 'the referenced table, e.g. customers' }, 'a table name, or { table, column, onDelete, onUpdate, name }');
  if (!o) return undefined;
  const f = new Fields(r, o, path);
  const t = f.table('table');
  return t && compact({ table: t, column: f.ident('column'), onDelete: f.fkAction('onDelete'), onUpdate: f.fkAction('onUpdate'), name: f.ident('name') });
}

function unique(r: Reporter, v: unknown, path: Path): AddColumnUnique | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return true;
  const o = mapping(r, v, path, ['name'], {}, 'true, or { name }');
  if (!o) return undefined;
  const name = new Fields(r, o, path).ident('name');
  return name === undefined ? true : { name };
}
type AddColumnUnique = true | { name: string };

function index(r: Reporter, v: unknown, path: Path): true | IndexOptions | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return true;
  const o = mapping(r, v, path, ['name', 'method', 'columns', 'where'], {}, 'true, or { name, method, columns, where }');
  if (!o) return undefined;
  const f = new Fields(r, o, path);
  const opts = compact<IndexOptions>({ name: f.ident('name'), method: method(f), columns: f.indexColumns('columns'), where: f.expression('where', 'where') });
  return Object.keys(opts).length ? opts : true;
}

/** The whole spec: `table` + one operation key, or `changes: [ … ]`; `name` optional at the top. */
export function validateChange(r: Reporter, raw: unknown, defaultName: string): Change | undefined {
  const before = r.count;
  const opKeys = operationKinds as readonly string[];
  if (!isObj(raw)) {
    r.problem([], `must be a mapping: table + one operation (${opKeys.join(', ')}), or changes: [ … ]; got ${got(raw)}`);
    return undefined;
  }
  let name = defaultName;
  if (raw.name !== undefined) {
    if (typeof raw.name === 'string' && raw.name.trim()) name = raw.name.trim();
    else r.problem(['name'], `must be a non-empty text (the change's name in the ledger), got ${got(raw.name)}`);
  }
  const operations: (Operation | undefined)[] = [];
  if (raw.changes !== undefined) {
    for (const k of Object.keys(raw)) {
      if (k === 'table' || opKeys.includes(k)) r.problem([k], 'goes inside an item of changes: (a spec has either changes: [ … ] or one table + operation at the top)', { key: true });
      else if (k !== 'name' && k !== 'changes') r.problem([k], `unknown key${suggest(k, ['name', 'changes'])}`, { key: true });
    }
    if (!Array.isArray(raw.changes) || raw.changes.length === 0) r.problem(['changes'], `must be a non-empty list of { table, <operation> }, got ${got(raw.changes)}`);
    else raw.changes.forEach((item, i) => operations.push(validateItem(r, item, ['changes', i], [])));
  } else operations.push(validateItem(r, raw, [], ['name']));
  if (r.count !== before) return undefined;
  return { name, operations: operations as Operation[] };
}

/** `{ table, <one operation> }`. `extra`: keys allowed besides (the top-level `name`). */
function validateItem(r: Reporter, item: unknown, path: Path, extra: string[]): Operation | undefined {
  const opKeys = operationKinds as readonly string[];
  if (!isObj(item)) return void r.problem(path, `must be a mapping with table and one operation (${opKeys.join(', ')}), got ${got(item)}`);
  const known = ['table', ...opKeys];
  for (const k of Object.keys(item)) if (!known.includes(k) && !extra.includes(k)) r.problem([...path, k], `unknown key${suggest(k, known) || ` (expected table and one of ${opKeys.join(', ')})`}`, { key: true });
  const hasTable = item.table !== undefined && item.table !== null;
  if (!hasTable) r.problem([...path, 'table'], `is required (${HINTS.table})`);
  const t = hasTable ? table(r, item.table, [...path, 'table']) : undefined;
  const ops = opKeys.filter((k) => item[k] !== undefined) as OperationKind[];
  if (ops.length === 0) return void r.problem(path, `needs one operation: ${opKeys.join(', ')}`);
  if (ops.length > 1) r.problem([...path, ops[1]!], `one operation per change, found ${ops.join(' and ')}: make each an item of changes: [ … ]`, { key: true });
  const results = ops.map((k) => validateOperation(r, k, t, item[k], [...path, k]));
  return ops.length === 1 ? results[0] : undefined;
}
