/**
 * The SQL pieces a change spec holds (names, a type, expressions, index elements), checked with the real
 * Postgres parser. They are spliced into the SQL lockstep writes, so each must be exactly one thing of its
 * kind: no `;`, no second statement, no `--` comment that would swallow the SQL after it, no parenthesis
 * that closes more than it opened. Each check returns the normalized value or a message saying what is wrong.
 */
import type { QualifiedName } from '../core/types.js';
import { LockstepError } from '../core/errors.js';
import type { SpecFragments } from '../dialects/dialect.js';
import { loadParser, parsePostgres, parserReady, scanTokens } from '../dialects/postgres/parser.js';
import { quoteIdent } from '../dialects/postgres/names.js';

export type Checked<T> = { value: T; error?: undefined } | { error: string; value?: undefined };

/** Where an expression goes decides what it may contain (Postgres's own rules for DEFAULT and CHECK). */
export type ExpressionRole = 'default' | 'backfill' | 'check' | 'where';

const NAME_HINT = 'names are written as in SQL: unquoted ones fold to lower case; double-quote one with capitals, spaces or a reserved word ("Order Items")';

/** The synchronous checks need the WASM parser loaded: say so clearly instead of failing on every fragment. */
export function requireParser(what: string): void {
  if (!parserReady()) throw new LockstepError('E_INTERNAL', [{ where: what, message: 'needs the SQL parser: await loadParser() once before calling it' }]);
}

/** Checks every fragment must pass before it is parsed inside a wrapper statement. */
function lexical(text: string, what: string, opts: { commas?: boolean } = {}): string | undefined {
  if (!text.trim()) return 'is empty';
  const tokens = scanTokens(text);
  if (!tokens) return 'has an unterminated quote or comment';
  let depth = 0;
  for (const t of tokens) {
    if (t.text === ';') return `must be exactly one ${what}, without ";" (it is spliced into the SQL lockstep writes)`;
    if (t.tokenName === 'SQL_COMMENT') return 'must not contain a "--" comment (it would swallow the SQL lockstep writes after it)';
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') {
      if (--depth < 0) return `has a "${t.text}" that closes nothing`;
    } else if (t.text === ',' && depth === 0 && !opts.commas) return `must be exactly one ${what} (found "," outside parentheses)`;
  }
  if (depth > 0) return 'has a "(" that is never closed';
  return undefined;
}

function parseOne(sql: string): { ast: any; kind: string } | { error: string } {
  const r = parsePostgres(sql);
  if (r.syntaxErrors.length) return { error: r.syntaxErrors[0]!.message };
  if (r.statements.length !== 1) return { error: 'it is more than one statement' };
  const s = r.statements[0]!;
  return { ast: s.ast, kind: s.kind };
}

const only = (o: object, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));

/** A table name, optionally schema-qualified: `orders`, `billing.invoices`, `"Order Items"`. */
export function parseTableName(text: string): Checked<QualifiedName> {
  const bad = lexical(text, 'table name');
  if (bad) return { error: bad };
  const p = parseOne(`SELECT * FROM ${text}\n`);
  const rv = 'ast' in p ? p.ast?.fromClause?.[0]?.RangeVar : undefined;
  if ('error' in p || p.kind !== 'SelectStmt' || !only(p.ast, ['targetList', 'fromClause', 'limitOption', 'op']) || p.ast.fromClause.length !== 1 || !rv)
    return { error: `is not a table name${'error' in p ? ` (${p.error})` : ''}: write it like orders, billing.invoices or "Order Items"; ${NAME_HINT}` };
  if (rv.catalogname) return { error: 'names a database as well: write schema.table or just table' };
  if (!rv.inh || !only(rv, ['schemaname', 'relname', 'inh', 'relpersistence', 'location'])) return { error: 'must be just a table name (like orders or billing.invoices)' };
  return { value: rv.schemaname ? { schema: rv.schemaname, name: rv.relname } : { name: rv.relname } };
}

/** A column, constraint or index name: `created_at`, `"Customer Id"`. Returns the name as Postgres stores it. */
export function parseIdentifier(text: string): Checked<string> {
  const bad = lexical(text, 'name');
  if (bad) return { error: bad };
  const p = parseOne(`CREATE TABLE x (${text} int\n)`);
  const def = 'ast' in p ? p.ast?.tableElts?.[0]?.ColumnDef : undefined;
  if ('error' in p || p.kind !== 'CreateStmt' || p.ast.tableElts?.length !== 1 || !def || !only(def, ['colname', 'typeName', 'is_local', 'location']) || def.typeName?.typmods || def.typeName?.arrayBounds)
    return { error: `is not a valid name; ${NAME_HINT}` };
  return { value: def.colname as string };
}

/** A column type as written: `timestamptz`, `numeric(12,2)`, `text[]`, `billing.money`. */
export function checkType(text: string): string | undefined {
  const bad = lexical(text, 'type');
  if (bad) return bad;
  const p = parseOne(`CREATE TABLE x (c ${text}\n)`);
  if ('error' in p) return `is not an SQL type (${p.error})`;
  const def = p.ast?.tableElts?.[0]?.ColumnDef;
  if (p.kind !== 'CreateStmt' || p.ast.tableElts?.length !== 1 || !def || !only(p.ast, ['relation', 'tableElts', 'oncommit'])) return 'must be just a type, like timestamptz or numeric(12,2)';
  if (def.constraints?.length) return 'is more than a type: NOT NULL, DEFAULT, CHECK, REFERENCES and UNIQUE have keys of their own (nullable, default, check, references, unique)';
  if (!only(def, ['colname', 'typeName', 'is_local', 'location'])) return 'must be just a type, like timestamptz or numeric(12,2) (COLLATE, COMPRESSION and STORAGE are not supported)';
  return undefined;
}

/** One SQL expression, for the place `role` says; returns what is wrong with it. */
export function checkExpression(text: string, role: ExpressionRole): string | undefined {
  const bad = lexical(text, 'SQL expression');
  if (bad) return bad;
  const first = scanTokens(text)?.[0]?.text.toUpperCase();
  if (first && ['SELECT', 'VALUES', 'TABLE', 'WITH'].includes(first)) return 'is a query: put a subquery in parentheses, (SELECT …)';
  const p = parseOne(`SELECT (${text}\n)`);
  if ('error' in p) return `is not an SQL expression (${p.error})`;
  const target = p.ast?.targetList?.[0]?.ResTarget;
  if (p.kind !== 'SelectStmt' || p.ast.targetList.length !== 1 || !target || !only(p.ast, ['targetList', 'limitOption', 'op']) || p.ast.op !== 'SETOP_NONE' || !only(target, ['val', 'location']))
    return 'must be exactly one SQL expression';
  if (find(target.val, 'ParamRef')) return 'cannot contain a parameter ($1): write the value itself';
  if (role === 'default') {
    const col = find(target.val, 'ColumnRef');
    if (col) {
      const name = (col.fields ?? []).map((f: any) => f?.String?.sval ?? '*').join('.');
      return `cannot refer to a column (${name}): a default is computed without the row (use "backfill" for values from other columns); for the text '${name}' write the SQL string literal, quoted once more for YAML: "'${name}'"`;
    }
  }
  if (role !== 'backfill' && find(target.val, 'SubLink')) return `cannot contain a subquery (Postgres does not allow one in ${role === 'default' ? 'a DEFAULT' : role === 'check' ? 'a CHECK constraint' : 'an index predicate'})`;
  return undefined;
}

/** One index element: a column name, or an expression (in parentheses unless it is a function call), with optional opclass/ordering. Returns it as SQL. */
export function parseIndexElement(text: string): Checked<string> {
  const bad = lexical(text, 'column or expression');
  if (bad) return { error: bad };
  const p = parseOne(`CREATE INDEX ON x (${text}\n)`);
  if ('error' in p) return { error: `is not a column name or an expression in parentheses (${p.error})` };
  const el = p.ast?.indexParams?.[0]?.IndexElem;
  if (p.kind !== 'IndexStmt' || p.ast.indexParams.length !== 1 || !el || !only(p.ast, ['relation', 'accessMethod', 'indexParams'])) return { error: 'must be one column name or one expression in parentheses' };
  if (el.name && el.ordering === 'SORTBY_DEFAULT' && el.nulls_ordering === 'SORTBY_NULLS_DEFAULT' && only(el, ['name', 'ordering', 'nulls_ordering'])) return { value: quoteIdent(el.name) };
  if (el.expr && find(el.expr, 'SubLink')) return { error: 'cannot contain a subquery (Postgres does not allow one in an index)' };
  return { value: text.trim() };
}

/** The first node of a kind in a parse tree. */
function find(node: any, kind: string): any {
  if (Array.isArray(node)) {
    for (const n of node) {
      const hit = find(n, kind);
      if (hit) return hit;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  if (node[kind]) return node[kind];
  for (const v of Object.values(node)) {
    const hit = v && typeof v === 'object' ? find(v, kind) : undefined;
    if (hit) return hit;
  }
  return undefined;
}

/** The Postgres checks behind the dialect seam (Dialect.specFragments): a spec for PostgreSQL is read with these. */
export const postgresSpecFragments: SpecFragments = {
  load: loadParser,
  requireReady: requireParser,
  tableName: parseTableName,
  identifier: parseIdentifier,
  type: checkType,
  expression: checkExpression,
  indexElement: parseIndexElement,
  specName: quoteIdent,
};
