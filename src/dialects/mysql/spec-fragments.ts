/**
 * The SQL pieces of a change spec for MySQL/MariaDB (Dialect.specFragments), checked with the one MySQL
 * lexer (lexer.ts) and parser (parser.ts): a type is read as the column type of `CREATE TABLE x (c …)`,
 * a name as the column of `ALTER TABLE x ADD COLUMN … int`, a table as the table of `ALTER TABLE …`, an
 * index column as the key part of `CREATE INDEX i ON x (…)`. So `INT UNSIGNED`, `ENUM('a','b')`,
 * `DATETIME(6)`, `VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin`, `CURRENT_TIMESTAMP(6)` and backtick
 * names are what they are on the server.
 *
 * The parser keeps an expression as its tokens (it has no expression grammar): an expression is checked
 * for what would break the SQL lockstep splices it into — a `;`, a comment (also `/*! … *\/`, which the
 * server runs), an unbalanced parenthesis, a `,` outside parentheses, a `?` placeholder — read both with
 * and without backslash escapes (NO_BACKSLASH_ESCAPES reads `'a\'` differently), and for what MySQL and
 * MariaDB refuse in a DEFAULT or CHECK (a subquery, a variable). A wrong function name is left to the server.
 *
 * Names are kept as written (the server does not fold them; table names are case-sensitive on most
 * systems): `orders`, `` `Order Items` ``, or `"Order Items"` as specs write quoted names on every dialect.
 */
import type { QualifiedName } from '../../core/types.js';
import type { SpecFragments } from '../dialect.js';
import type { Checked, ExpressionRole } from '../../spec/sql-fragments.js';
import type { ColumnDef, MyStatement } from './ast.js';
import { lex, type Token } from './lexer.js';
import { parseMysql } from './parser.js';

const NAME_HINT = 'names are kept as written (MySQL/MariaDB do not fold them); quote one with spaces or other characters in backticks (`Order Items`) or double quotes';

/** What is wrong with the tokens of `text` read one way (backslash escapes on or off), or undefined. */
function tokenProblem(text: string, what: string, o: { commas?: boolean; noBackslashEscapes?: boolean }): string | undefined {
  const r = lex(text, 0, { comments: true, ...(o.noBackslashEscapes ? { noBackslashEscapes: true } : {}) });
  if (r.comments.length) return 'must not contain a comment (it would swallow the SQL lockstep writes after it)';
  // `/*! … *\/` is code to the server but leaves its markers outside every token: anything not covered is one.
  let at = 0;
  for (const t of r.tokens) {
    if (text.slice(at, t.start).trim()) return 'must not contain a comment (it would swallow the SQL lockstep writes after it)';
    at = t.end;
  }
  if (text.slice(at).trim()) return 'must not contain a comment (it would swallow the SQL lockstep writes after it)';
  let depth = 0;
  for (const t of r.tokens) {
    if (t.unterminated) return `has an unterminated ${t.kind === 'ident' ? 'quoted name' : 'quote'}`;
    if (t.kind === 'end' || t.kind === 'delimiter' || t.v === ';') return `must be exactly one ${what}, without ";"`;
    if (t.kind === 'param') return 'cannot contain a parameter (?): write the value itself';
    if (t.kind === 'op' && t.v === '(') depth++;
    else if (t.kind === 'op' && t.v === ')' && --depth < 0) return 'has a ")" that closes nothing';
    else if (t.kind === 'op' && t.v === ',' && depth === 0 && !o.commas) return `must be exactly one ${what} (found "," outside parentheses)`;
  }
  if (depth > 0) return 'has a "(" that is never closed';
  return undefined;
}

/**
 * What every fragment must pass before it is spliced into SQL (or parsed inside a wrapper statement):
 * not empty, one piece, no comment, no placeholder, balanced — with and without backslash escapes.
 * Also behind assertValidMyChange, for a Change built by hand or read back from the ledger.
 */
export function lexicalProblem(text: string, what: string, o: { commas?: boolean } = {}): string | undefined {
  if (!text.trim()) return 'is empty';
  return tokenProblem(text, what, o) ?? tokenProblem(text, what, { ...o, noBackslashEscapes: true });
}

/** The one statement of a wrapper, or the parser's reason it is not one. */
function parseOne(sql: string, o: { ansiQuotes?: boolean } = {}): { stmt: MyStatement } | { error: string } {
  const r = parseMysql(sql, 0, o);
  if (r.syntaxErrors.length) return { error: r.syntaxErrors[0]!.message };
  if (r.statements.length !== 1) return { error: 'it is more than one statement' };
  const stmt = r.statements[0]!;
  if (stmt.kind === 'unparsed') return { error: stmt.reason };
  return { stmt };
}

/** Words (outside strings) that make a column definition more than a type. */
const ATTRIBUTES = new Set([
  'NOT', 'NULL', 'DEFAULT', 'AUTO_INCREMENT', 'SERIAL', 'UNIQUE', 'PRIMARY', 'KEY', 'COMMENT', 'COLUMN_FORMAT', 'STORAGE', 'SRID', 'REF_SYSTEM_ID',
  'ENGINE_ATTRIBUTE', 'SECONDARY_ENGINE_ATTRIBUTE', 'COMPRESSED', 'ON', 'GENERATED', 'AS', 'VIRTUAL', 'STORED', 'PERSISTENT', 'INVISIBLE', 'VISIBLE',
  'CONSTRAINT', 'CHECK', 'REFERENCES', 'WITH', 'WITHOUT', 'FIRST', 'AFTER',
]);

/** A column type as written: `INT UNSIGNED`, `DECIMAL(12,2)`, `ENUM('a','b')`, `VARCHAR(20) CHARACTER SET ascii`, `JSON`. */
function checkType(text: string): string | undefined {
  const bad = lexicalProblem(text, 'type');
  if (bad) return bad;
  const extra = lex(text).tokens.find((t) => t.kind === 'word' && ATTRIBUTES.has(t.v));
  if (extra) {
    if (extra.v === 'SERIAL' && lex(text).tokens.length === 1) return 'is more than a type: SERIAL is BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE (write the type, e.g. BIGINT UNSIGNED)';
    return 'is more than a type: NOT NULL, DEFAULT, CHECK, REFERENCES and UNIQUE have keys of their own (nullable, default, check, references, unique); AUTO_INCREMENT, generated columns, ON UPDATE and the other column attributes are not planned';
  }
  const p = parseOne(`CREATE TABLE x (c ${text}\n)`);
  if ('error' in p) return `is not a MySQL/MariaDB type (${p.error})`;
  const s = p.stmt;
  const col = s.kind === 'create-table' && s.columns.length === 1 && !s.indexes.length && !s.foreignKeys.length && !s.checks.length ? s.columns[0] : undefined;
  if (!col) return "must be just a type, like INT UNSIGNED or DECIMAL(12,2)";
  if (moreThanType(col)) return 'is more than a type: NOT NULL, DEFAULT, CHECK, REFERENCES and UNIQUE have keys of their own (nullable, default, check, references, unique)';
  if ((col.type.name === 'varchar' || col.type.name === 'varbinary') && col.type.length === undefined) return `needs a length, like ${col.type.name.toUpperCase()}(255)`;
  return undefined;
}

/** Anything a column definition says besides its type, character set and collation. */
function moreThanType(col: ColumnDef): boolean {
  return Object.keys(col).some((k) => !['name', 'type', 'span', 'charset', 'collation'].includes(k));
}

/** `` `a``b` `` → a`b, `"a""b"` → a"b. */
function unquote(q: string): string {
  const c = q[0]!;
  return q.slice(1, -1).split(c + c).join(c);
}

/** The tokens of a name (`"x"` read as a quoted name, as specs write one on every dialect). */
function nameTokens(text: string): Token[] {
  return lex(text, 0, { ansiQuotes: true }).tokens;
}

function nameProblem(name: string): string | undefined {
  if (!name) return 'is empty';
  if (/\s$/.test(name)) return 'ends with a space, which MySQL/MariaDB do not allow in a name';
  if ([...name].length > 64) return 'is longer than 64 characters (the MySQL/MariaDB limit for names)';
  return undefined;
}

/** A column, constraint or index name: `created_at`, `` `Customer Id` ``, `"Customer Id"`. */
function parseIdentifier(text: string): Checked<string> {
  const bad = lexicalProblem(text, 'name');
  if (bad) return { error: bad };
  const toks = nameTokens(text);
  const p = parseOne(`ALTER TABLE x ADD COLUMN ${text} int\n`, { ansiQuotes: true });
  const a = 'stmt' in p && p.stmt.kind === 'alter-table' && p.stmt.actions.length === 1 ? p.stmt.actions[0] : undefined;
  if (toks.length !== 1 || (toks[0]!.kind !== 'word' && toks[0]!.kind !== 'ident') || !a || a.type !== 'add-column' || a.column.type.name !== 'int' || moreThanType(a.column))
    return { error: `is not a valid name; ${NAME_HINT}` };
  const why = nameProblem(a.column.name);
  return why ? { error: why } : { value: a.column.name };
}

/** A table, optionally with its database: `orders`, `shop.orders`, `` `Order Items` ``. */
function parseTableName(text: string): Checked<QualifiedName> {
  const bad = lexicalProblem(text, 'table name');
  if (bad) return { error: bad };
  const toks = nameTokens(text);
  const named = (t: Token | undefined) => !!t && (t.kind === 'word' || t.kind === 'ident');
  const shape = (toks.length === 1 && named(toks[0])) || (toks.length === 3 && named(toks[0]) && toks[1]!.kind === 'op' && toks[1]!.v === '.' && named(toks[2]));
  const p = parseOne(`ALTER TABLE ${text} ADD COLUMN lockstep_c int\n`, { ansiQuotes: true });
  const s = 'stmt' in p && p.stmt.kind === 'alter-table' && p.stmt.actions.length === 1 && p.stmt.actions[0]!.type === 'add-column' ? p.stmt : undefined;
  if (!shape || !s) return { error: `is not a table name: write it like orders, shop.orders or \`Order Items\`; ${NAME_HINT}` };
  const why = nameProblem(s.table.name) ?? (s.table.schema !== undefined ? nameProblem(s.table.schema) : undefined);
  if (why) return { error: why };
  return { value: s.table.schema !== undefined ? { schema: s.table.schema, name: s.table.name } : { name: s.table.name } };
}

/** Words a DEFAULT may be on its own (the server's constants and niladic functions). */
const BARE_DEFAULTS = new Set(['NULL', 'TRUE', 'FALSE', 'CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP', 'CURRENT_USER', 'UTC_DATE', 'UTC_TIME', 'UTC_TIMESTAMP', 'CURRENT_ROLE']);
const QUERY_STARTS = new Set(['SELECT', 'VALUES', 'TABLE', 'WITH']);

/** One SQL expression for the place `role` says (`0`, `'new'`, `CURRENT_TIMESTAMP(6)`, `amount * 2`, `status IN ('a','b')`). */
function checkExpression(text: string, role: ExpressionRole): string | undefined {
  const bad = lexicalProblem(text, 'SQL expression');
  if (bad) return bad;
  const toks = lex(text).tokens;
  if (toks[0]?.kind === 'word' && QUERY_STARTS.has(toks[0].v)) return 'is a query: put a subquery in parentheses, (SELECT …)';
  const variable = toks.find((t) => t.kind === 'var' || t.kind === 'sysvar');
  if (variable) return `cannot contain a variable (${text.slice(variable.start, variable.end)}): write the value itself`;
  if (role !== 'backfill' && toks.some((t, i) => t.kind === 'word' && QUERY_STARTS.has(t.v) && toks[i - 1]?.kind === 'op' && toks[i - 1]!.v === '('))
    return `cannot contain a subquery (MySQL/MariaDB do not allow one in ${role === 'default' ? 'a DEFAULT' : role === 'check' ? 'a CHECK constraint' : 'an index'})`;
  // `default: new` in YAML is the column new, not the text 'new': the quotes went to YAML.
  const only = toks.length === 1 ? toks[0]! : undefined;
  if (role === 'default' && only && (only.kind === 'ident' || (only.kind === 'word' && !BARE_DEFAULTS.has(only.v)))) {
    const name = only.kind === 'word' ? text.slice(only.start, only.end) : unquote(text.slice(only.start, only.end));
    return `is a column name, not a value (use "backfill" for values from other columns); for the text '${name}' write the SQL string literal, quoted once more for YAML: "'${name}'"`;
  }
  // Read where it goes, so the parser agrees it is one piece there.
  const p = parseOne(role === 'check' ? `ALTER TABLE x ADD CHECK (${text}\n)` : `ALTER TABLE x ADD COLUMN c int DEFAULT (${text}\n)`);
  if ('error' in p) return `is not an SQL expression (${p.error})`;
  return undefined;
}

/** A name as a change holds it inside its SQL pieces (index columns): plain when it is a plain lower-case name, else in double quotes. */
export function specIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** One index column (`email`, `` `Email` ``), or what MySQL has besides (`email(10)`, `created_at DESC`, `(lower(email))`), kept as written. */
function parseIndexElement(text: string): Checked<string> {
  const bad = lexicalProblem(text, 'column or expression');
  if (bad) return { error: bad };
  const p = parseOne(`CREATE INDEX i ON x (${text}\n)`, { ansiQuotes: true });
  const s = 'stmt' in p && p.stmt.kind === 'create-index' && p.stmt.index.parts.length === 1 ? p.stmt : undefined;
  if (!s) return { error: `is not a column name, a column with a prefix length or an expression in parentheses${'error' in p ? ` (${p.error})` : ''}` };
  const part = s.index.parts[0]!;
  if (part.expression !== undefined && checkExpression(part.expression, 'where')) return { error: `cannot contain a subquery or variable (MySQL/MariaDB do not allow one in an index)` };
  if (part.column !== undefined && part.length === undefined && !part.descending && nameTokens(text).length === 1) {
    const why = nameProblem(part.column);
    return why ? { error: why } : { value: specIdent(part.column) };
  }
  return { value: text.trim() };
}

export const mysqlSpecFragments: SpecFragments = {
  load: async () => {},
  requireReady: () => {},
  tableName: parseTableName,
  identifier: parseIdentifier,
  type: checkType,
  expression: checkExpression,
  indexElement: parseIndexElement,
  specName: specIdent,
};
