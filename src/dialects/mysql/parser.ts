/**
 * MySQL/MariaDB SQL text → MyStatement[] (ast.ts), a recursive-descent parser over the one lexer's
 * tokens (lexer.ts), statement by statement as the splitter (splitter.ts) cuts them.
 *
 * It reads fully what lockstep models — CREATE/ALTER/DROP/RENAME TABLE, CREATE/DROP INDEX, the table
 * maintenance statements, SET (incl. MariaDB `SET STATEMENT … FOR`), transactions, LOCK TABLES, USE,
 * DELIMITER — and the headers of triggers, views, routines, events and databases (not their bodies);
 * DML gives its table and whether it has a WHERE. A statement of a modelled kind that it cannot read
 * fully is an `unparsed` statement with the reason and the offset: parsing never throws and never
 * loses a statement. Verbs lockstep does not model (GRANT, FLUSH, SHOW, …) are `other`.
 */
import type { QualifiedName, Span } from '../../core/types.js';
import type { ServerVersion } from '../../core/version.js';
import type { ParsedSql, SyntaxProblem } from '../dialect.js';
import type {
  Algorithm,
  AlterAction,
  AlterTable,
  Assignment,
  ColumnDef,
  CreateIndex,
  CreateTable,
  DefaultValue,
  DropIndex,
  ForeignKeyDef,
  IndexDef,
  IndexKind,
  IndexPart,
  LockClause,
  LockTables,
  MyStatement,
  ObjectDdl,
  PartitionOp,
  Position,
  SetStatement,
  TableOptions,
} from './ast.js';
import type { MyColumnType } from './catalog.js';
import { tokenValue, type Token } from './lexer.js';
import { splitMysql } from './splitter.js';

export interface MysqlParseOptions {
  /** The target server: decides which executable comments (`/*!50700 …*\/`, `/*M!100500 …*\/`) are code. */
  server?: ServerVersion;
  /** sql_mode ANSI_QUOTES: `"x"` is an identifier. */
  ansiQuotes?: boolean;
  /** sql_mode NO_BACKSLASH_ESCAPES. */
  noBackslashEscapes?: boolean;
}

/** An AlterAction without its span (distributes over the union). */
type WithoutSpan<T> = T extends unknown ? Omit<T, 'span'> : never;

/** Why the parser stopped, and where (a file offset). Internal: caught per statement. */
class Fail {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {}
}

const ALGORITHMS = new Set(['DEFAULT', 'INSTANT', 'NOCOPY', 'INPLACE', 'COPY']);
const LOCKS = new Set(['DEFAULT', 'NONE', 'SHARED', 'EXCLUSIVE']);
const CONSTRAINT_STARTS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'INDEX', 'KEY', 'FULLTEXT', 'SPATIAL', 'FOREIGN', 'CHECK']);
const CURRENT_TS = new Set(['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIME', 'LOCALTIMESTAMP']);
const REF_ACTIONS = ['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT'];

/** Type names: the canonical name of aliases (`integer` → `int`, `bool` → `tinyint(1)`). */
const TYPE_ALIASES: Record<string, string> = {
  INTEGER: 'int', INT1: 'tinyint', INT2: 'smallint', INT3: 'mediumint', INT4: 'int', INT8: 'bigint', MIDDLEINT: 'mediumint',
  DEC: 'decimal', NUMERIC: 'decimal', FIXED: 'decimal', REAL: 'double', FLOAT4: 'float', FLOAT8: 'double',
  NVARCHAR: 'varchar', NCHAR: 'char', CHARACTER: 'char', 'CHARACTER VARYING': 'varchar', 'CHAR VARYING': 'varchar',
  'DOUBLE PRECISION': 'double', 'NATIONAL CHAR': 'char', 'NATIONAL CHARACTER': 'char', 'NATIONAL VARCHAR': 'varchar',
  'NATIONAL CHAR VARYING': 'varchar', 'NATIONAL CHARACTER VARYING': 'varchar', 'NCHAR VARCHAR': 'varchar', 'NCHAR VARYING': 'varchar',
  'LONG VARCHAR': 'mediumtext', 'LONG VARBINARY': 'mediumblob', LONG: 'mediumtext', 'LONG BINARY': 'mediumblob', 'LONG CHAR VARYING': 'mediumtext',
};
const TYPES = new Set([
  'TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'BIGINT', 'DECIMAL', 'FLOAT', 'DOUBLE', 'BIT', 'BOOL', 'BOOLEAN', 'SERIAL',
  'DATE', 'TIME', 'DATETIME', 'TIMESTAMP', 'YEAR', 'CHAR', 'VARCHAR', 'BINARY', 'VARBINARY', 'TINYTEXT', 'TEXT', 'MEDIUMTEXT',
  'LONGTEXT', 'TINYBLOB', 'BLOB', 'MEDIUMBLOB', 'LONGBLOB', 'ENUM', 'SET', 'JSON', 'GEOMETRY', 'POINT', 'LINESTRING', 'POLYGON',
  'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON', 'GEOMETRYCOLLECTION', 'GEOMCOLLECTION', 'INET4', 'INET6', 'UUID', 'VECTOR', 'XMLTYPE', 'ROW',
  ...Object.keys(TYPE_ALIASES).filter((k) => !k.includes(' ')),
]);
/** Multi-word type names, longest first. */
const MULTI_TYPES = Object.keys(TYPE_ALIASES).filter((k) => k.includes(' ')).map((k) => k.split(' ')).sort((a, b) => b.length - a.length);

/** Table options that take a value (`ENGINE=InnoDB`), by their key in TableOptions. */
const TABLE_OPTIONS = new Set([
  'ENGINE', 'TYPE', 'AUTO_INCREMENT', 'AVG_ROW_LENGTH', 'CHECKSUM', 'TABLE_CHECKSUM', 'COMMENT', 'COMPRESSION', 'CONNECTION', 'DELAY_KEY_WRITE',
  'ENCRYPTION', 'INSERT_METHOD', 'KEY_BLOCK_SIZE', 'MAX_ROWS', 'MIN_ROWS', 'PACK_KEYS', 'PASSWORD', 'ROW_FORMAT', 'STATS_AUTO_RECALC',
  'STATS_PERSISTENT', 'STATS_SAMPLE_PAGES', 'TABLESPACE', 'PAGE_CHECKSUM', 'TRANSACTIONAL', 'PAGE_COMPRESSED', 'PAGE_COMPRESSION_LEVEL',
  'ENCRYPTED', 'ENCRYPTION_KEY_ID', 'IETF_QUOTES', 'SEQUENCE', 'SECONDARY_ENGINE', 'AUTOEXTEND_SIZE', 'ENGINE_ATTRIBUTE',
  'SECONDARY_ENGINE_ATTRIBUTE', 'STORAGE', 'CHARSET', 'COLLATE',
]);

const DDL_VERBS = new Set(['ALTER', 'CREATE', 'DROP', 'RENAME', 'TRUNCATE', 'OPTIMIZE', 'ANALYZE', 'REPAIR']);

/**
 * Parses `text` (a file, or a section of a file starting at file offset `base`).
 */
export function parseMysql(text: string, base = 0, opts: MysqlParseOptions = {}): ParsedSql<MyStatement> {
  const { tokens, pieces } = splitMysql(text, base, opts);
  const statements: MyStatement[] = [];
  const syntaxErrors: SyntaxProblem[] = [];
  const p = new Parser(text, base, tokens, !!opts.noBackslashEscapes);
  for (const piece of pieces) {
    if (piece.to <= piece.from) continue;
    const first = tokens[piece.from]!;
    const last = tokens[piece.to - 1]!;
    const span: Span = { start: first.start, end: last.end };
    const stmtText = text.slice(span.start - base, span.end - base);
    p.reset(piece.from, piece.to);
    let bad: Token | undefined;
    for (let i = piece.from; i < piece.to && !bad; i++) if (tokens[i]!.unterminated) bad = tokens[i];
    if (bad && !DDL_VERBS.has(first.v)) {
      syntaxErrors.push({ message: `unterminated ${bad.kind === 'ident' ? 'quoted identifier' : 'string'}`, offset: bad.start, span });
      continue;
    }
    let stmt: MyStatement;
    try {
      if (bad) throw new Fail(`unterminated ${bad.kind === 'ident' ? 'quoted identifier' : 'string'}`, bad.start);
      stmt = p.statement(span, stmtText);
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      stmt = { kind: 'unparsed', verb: p.verb(piece.from), reason: e.reason, offset: e.offset, span, text: stmtText };
    }
    statements.push(stmt);
  }
  return { statements, syntaxErrors };
}

class Parser {
  private pos = 0;
  private to = 0;
  constructor(
    private readonly text: string,
    private readonly base: number,
    private readonly tokens: Token[],
    private readonly noBackslash: boolean,
  ) {}

  reset(from: number, to: number): void {
    this.pos = from;
    this.to = to;
  }

  /** The first word(s) of the statement at token `i`, lower-case (`alter table`, `grant`). */
  verb(i: number): string {
    const a = this.tokens[i];
    const b = this.tokens[i + 1];
    if (!a) return '';
    const w = a.kind === 'word' ? a.v.toLowerCase() : this.src(a);
    return b && b.kind === 'word' && i + 1 < this.to && (DDL_VERBS.has(a.v) || a.v === 'SET') ? `${w} ${b.v.toLowerCase()}` : w;
  }

  // ---- token helpers --------------------------------------------------------------------------

  private peek(k = 0): Token | undefined {
    const i = this.pos + k;
    return i < this.to ? this.tokens[i] : undefined;
  }
  private atEnd(): boolean {
    return this.pos >= this.to;
  }
  private src(t: Token): string {
    return this.text.slice(t.start - this.base, t.end - this.base);
  }
  /** The text from token `from` to token `to - 1`. */
  private slice(from: number, to: number): string {
    if (to <= from) return '';
    return this.text.slice(this.tokens[from]!.start - this.base, this.tokens[to - 1]!.end - this.base);
  }
  private spanOf(from: number, to = this.pos): Span {
    const a = this.tokens[from]!;
    const b = this.tokens[Math.max(from, to - 1)]!;
    return { start: a.start, end: b.end };
  }
  private here(): number {
    const t = this.peek();
    return t ? t.start : this.tokens[this.to - 1]!.end;
  }
  private fail(reason: string): never {
    throw new Fail(reason, this.here());
  }
  private unexpected(what?: string): never {
    const t = this.peek();
    this.fail(t ? `unexpected ${JSON.stringify(this.src(t))}${what ? `, expected ${what}` : ''}` : `unexpected end of statement${what ? `, expected ${what}` : ''}`);
  }
  private isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && t.kind === 'word' && t.v === w;
  }
  private isOp(o: string, k = 0): boolean {
    const t = this.peek(k);
    return !!t && t.kind === 'op' && t.v === o;
  }
  private word(w: string): boolean {
    if (!this.isWord(w)) return false;
    this.pos++;
    return true;
  }
  /** Accepts the words in sequence, all or none. */
  private words(...ws: string[]): boolean {
    for (let k = 0; k < ws.length; k++) if (!this.isWord(ws[k]!, k)) return false;
    this.pos += ws.length;
    return true;
  }
  private expectWord(w: string): void {
    if (!this.word(w)) this.unexpected(w);
  }
  private op(o: string): boolean {
    if (!this.isOp(o)) return false;
    this.pos++;
    return true;
  }
  private expectOp(o: string): void {
    if (!this.op(o)) this.unexpected(`"${o}"`);
  }
  private expectEnd(): void {
    if (!this.atEnd()) this.unexpected('the end of the statement');
  }
  private next(): Token {
    const t = this.peek();
    if (!t) this.unexpected();
    this.pos++;
    return t;
  }
  /** `IF EXISTS`. */
  private ifExists(): boolean {
    return this.words('IF', 'EXISTS');
  }
  private ifNotExists(): boolean {
    return this.words('IF', 'NOT', 'EXISTS');
  }

  /** An identifier: a word or a quoted identifier (strings too where MySQL takes them as names). */
  private ident(what = 'a name', strings = false): string {
    const t = this.peek();
    if (t && (t.kind === 'word' || t.kind === 'ident' || (strings && t.kind === 'string'))) {
      this.pos++;
      return t.kind === 'word' ? this.src(t) : tokenValue(this.text, t, this.base, { noBackslashEscapes: this.noBackslash });
    }
    return this.unexpected(what);
  }
  private isIdent(k = 0): boolean {
    const t = this.peek(k);
    return !!t && (t.kind === 'word' || t.kind === 'ident');
  }
  /** `name` or `schema.name`. */
  private qname(what = 'a table name'): QualifiedName {
    const a = this.ident(what);
    if (this.isOp('.') && this.isIdent(1)) {
      this.pos++;
      return { schema: a, name: this.ident(what) };
    }
    return { name: a };
  }
  private qnames(): QualifiedName[] {
    const out = [this.qname()];
    while (this.op(',')) out.push(this.qname());
    return out;
  }
  private stringValue(): string {
    const t = this.peek();
    if (!t || t.kind !== 'string') this.unexpected('a string');
    this.pos++;
    let v = tokenValue(this.text, t, this.base, { noBackslashEscapes: this.noBackslash });
    // adjacent literals concatenate: 'a' 'b'
    while (this.peek()?.kind === 'string') v += tokenValue(this.text, this.next(), this.base, { noBackslashEscapes: this.noBackslash });
    return v;
  }
  private number(): number {
    const t = this.peek();
    if (!t || t.kind !== 'number') this.unexpected('a number');
    this.pos++;
    return Number(this.src(t));
  }
  /** `(a, b, …)` of names. */
  private nameList(): string[] {
    this.expectOp('(');
    const out = [this.ident('a column name')];
    while (this.op(',')) out.push(this.ident('a column name'));
    this.expectOp(')');
    return out;
  }
  /** Skips a balanced `( … )` starting at the current `(`; returns the text inside. */
  private parens(): string {
    const from = this.pos;
    this.expectOp('(');
    let depth = 1;
    while (depth > 0) {
      const t = this.peek();
      if (!t) this.fail('unbalanced parentheses');
      this.pos++;
      if (t.kind === 'op') {
        if (t.v === '(') depth++;
        else if (t.v === ')') depth--;
      }
    }
    return this.slice(from + 1, this.pos - 1);
  }
  /** An expression's text, up to a top-level `,` or `)` or one of `stops` (words at depth 0). */
  private expr(stops?: Set<string>): string {
    const from = this.pos;
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.kind === 'op') {
        if (t.v === '(') depth++;
        else if (t.v === ')') {
          if (depth === 0) break;
          depth--;
        } else if (t.v === ',' && depth === 0) break;
      } else if (depth === 0 && stops && t.kind === 'word' && stops.has(t.v)) break;
      this.pos++;
    }
    if (this.pos === from) this.unexpected('an expression');
    return this.slice(from, this.pos);
  }
  /** Skips to the end of the statement. */
  private rest(): string {
    const from = this.pos;
    this.pos = this.to;
    return this.slice(from, this.to);
  }
  /** `[=] value` of an option: a word, name, string or number (signed); returns its text (strings unquoted). */
  private optionValue(): string {
    this.op('=');
    const t = this.peek();
    if (!t) this.unexpected('a value');
    if (t.kind === 'string') return this.stringValue();
    if (t.kind === 'op' && (t.v === '-' || t.v === '+') && this.peek(1)?.kind === 'number') {
      this.pos += 2;
      return this.slice(this.pos - 2, this.pos);
    }
    if (t.kind === 'word' || t.kind === 'ident') return this.ident();
    if (t.kind === 'number' || t.kind === 'hex' || t.kind === 'bit') {
      this.pos++;
      return this.src(t);
    }
    return this.unexpected('a value');
  }
  /** `user@host` / `CURRENT_USER[()]` after DEFINER =. */
  private userName(): void {
    if (this.word('CURRENT_USER')) {
      if (this.op('(')) this.expectOp(')');
      return;
    }
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'ident' && t.kind !== 'string' && t.kind !== 'var') this.fail('a user name expected after DEFINER =');
    if (t.kind !== 'var' && this.peek()?.kind === 'var') this.pos++;
  }
  private waitClause(): number | undefined {
    if (this.word('NOWAIT')) return 0;
    if (this.isWord('WAIT') && this.peek(1)?.kind === 'number') {
      this.pos++;
      return this.number();
    }
    return undefined;
  }

  // ---- statements -------------------------------------------------------------------------------

  statement(span: Span, text: string): MyStatement {
    const t = this.peek()!;
    const base = { span, text };
    if (t.kind === 'delimiter') return { kind: 'delimiter', delimiter: t.v, ...base };
    if (t.kind === 'op' && t.v === '(') return { kind: 'select', ...base };
    if (t.kind !== 'word') return { kind: 'other', verb: this.src(t), ...base };
    switch (t.v) {
      case 'CREATE':
        return this.create(base);
      case 'ALTER':
        return this.alter(base);
      case 'DROP':
        return this.drop(base);
      case 'RENAME':
        return this.renameTable(base);
      case 'TRUNCATE':
        this.pos++;
        this.word('TABLE');
        return this.maintenance('truncate', base, true);
      case 'OPTIMIZE':
      case 'ANALYZE':
      case 'REPAIR':
      case 'CHECK': {
        this.pos++;
        if (t.v === 'CHECK' && !this.isWord('TABLE')) return { kind: 'other', verb: 'check', ...base };
        this.word('NO_WRITE_TO_BINLOG') || this.word('LOCAL');
        if (!this.word('TABLE')) {
          if (t.v === 'ANALYZE') return { kind: 'select', ...base }; // MariaDB ANALYZE SELECT …
          this.expectWord('TABLE');
        }
        const kind = t.v === 'OPTIMIZE' ? 'optimize' : t.v === 'ANALYZE' ? 'analyze' : t.v === 'CHECK' ? 'check-table' : 'repair';
        return this.maintenance(kind, base, false);
      }
      case 'SET':
        return this.set(base);
      case 'BEGIN':
        if (this.isWord('NOT', 1)) return { kind: 'other', verb: 'begin not atomic', ...base };
        this.pos++;
        this.word('WORK');
        this.expectEnd();
        return { kind: 'begin', ...base };
      case 'START':
        if (this.isWord('TRANSACTION', 1)) {
          this.rest();
          return { kind: 'begin', ...base };
        }
        return { kind: 'other', verb: this.verb(this.pos), ...base };
      case 'COMMIT':
        this.rest();
        return { kind: 'commit', ...base };
      case 'ROLLBACK': {
        this.pos++;
        this.word('WORK');
        if (this.word('TO')) {
          this.word('SAVEPOINT');
          this.ident('a savepoint');
          this.expectEnd();
          return { kind: 'rollback-to-savepoint', ...base };
        }
        this.rest();
        return { kind: 'rollback', ...base };
      }
      case 'SAVEPOINT':
        this.pos++;
        this.ident('a savepoint');
        this.expectEnd();
        return { kind: 'savepoint', ...base };
      case 'RELEASE':
        if (this.isWord('SAVEPOINT', 1)) {
          this.rest();
          return { kind: 'release-savepoint', ...base };
        }
        return { kind: 'other', verb: 'release', ...base };
      case 'XA':
        this.rest();
        return { kind: 'xa', ...base };
      case 'LOCK':
        return this.lockTables(base);
      case 'UNLOCK':
        this.pos++;
        if (!this.word('TABLES')) this.expectWord('TABLE');
        this.expectEnd();
        return { kind: 'unlock-tables', tables: [], ...base };
      case 'USE':
        this.pos++;
        {
          const database = this.ident('a database name');
          this.expectEnd();
          return { kind: 'use', database, ...base };
        }
      case 'INSERT':
      case 'REPLACE':
      case 'UPDATE':
      case 'DELETE':
        return this.dml(t.v.toLowerCase() as 'insert' | 'replace' | 'update' | 'delete', base);
      case 'SELECT':
      case 'WITH':
      case 'VALUES':
      case 'TABLE':
        return this.withOrSelect(base);
      case 'LOAD':
        return this.loadData(base);
      case 'CALL':
        return { kind: 'call', ...base };
      case 'DO':
        return { kind: 'do', ...base };
      default:
        return { kind: 'other', verb: t.v.toLowerCase(), ...base };
    }
  }

  private withOrSelect(base: { span: Span; text: string }): MyStatement {
    if (this.isWord('WITH')) {
      // WITH … UPDATE/DELETE (MySQL 8): the verb after the CTEs decides
      let depth = 0;
      for (let i = this.pos; i < this.to; i++) {
        const t = this.tokens[i]!;
        if (t.kind === 'op') depth += t.v === '(' ? 1 : t.v === ')' ? -1 : 0;
        else if (depth === 0 && t.kind === 'word' && (t.v === 'UPDATE' || t.v === 'DELETE')) {
          this.pos = i;
          return this.dml(t.v.toLowerCase() as 'update' | 'delete', base);
        } else if (depth === 0 && t.kind === 'word' && t.v === 'SELECT') break;
      }
    }
    return { kind: 'select', ...base };
  }

  private maintenance(kind: 'truncate' | 'optimize' | 'analyze' | 'check-table' | 'repair', base: { span: Span; text: string }, wait: boolean): MyStatement {
    const tables = this.qnames();
    if (wait) this.waitClause();
    // ANALYZE … PERSISTENT FOR / UPDATE HISTOGRAM; CHECK … FOR UPGRADE / QUICK …; REPAIR … QUICK EXTENDED USE_FRM
    this.rest();
    return { kind, tables, ...base };
  }

  private lockTables(base: { span: Span; text: string }): LockTables {
    this.pos++;
    if (!this.word('TABLES')) this.expectWord('TABLE');
    const tables: LockTables['tables'] = [];
    do {
      const table = this.qname();
      if (this.word('AS') || (this.isIdent() && !this.isWord('READ') && !this.isWord('WRITE') && !this.isWord('LOW_PRIORITY'))) this.ident('an alias');
      this.waitClause();
      let mode: LockTables['tables'][number]['mode'];
      if (this.word('READ')) mode = this.word('LOCAL') ? 'read-local' : 'read';
      else if (this.word('LOW_PRIORITY')) {
        this.expectWord('WRITE');
        mode = 'low-priority-write';
      } else {
        this.expectWord('WRITE');
        this.word('CONCURRENT');
        mode = 'write';
      }
      tables.push({ table, mode });
    } while (this.op(','));
    this.waitClause();
    this.expectEnd();
    return { kind: 'lock-tables', tables, ...base };
  }

  private dml(kind: 'insert' | 'replace' | 'update' | 'delete', base: { span: Span; text: string }): MyStatement {
    this.pos++;
    while (this.word('LOW_PRIORITY') || this.word('DELAYED') || this.word('HIGH_PRIORITY') || this.word('IGNORE') || this.word('QUICK'));
    let table: QualifiedName | undefined;
    if (kind === 'insert' || kind === 'replace') {
      this.word('INTO');
      if (this.isIdent()) table = this.qname();
      this.rest();
      return { kind, ...(table ? { table } : {}), ...base };
    }
    if (kind === 'delete') {
      // DELETE FROM t …, or multi-table DELETE t1, t2 FROM … / DELETE FROM t1 USING …
      if (this.word('FROM')) {
        if (this.isIdent()) table = this.qname();
      } else if (this.isIdent()) table = this.qname();
    } else if (this.isIdent()) table = this.qname();
    let depth = 0;
    let where = false;
    for (let i = this.pos; i < this.to; i++) {
      const t = this.tokens[i]!;
      if (t.kind === 'op') depth += t.v === '(' ? 1 : t.v === ')' ? -1 : 0;
      else if (depth === 0 && t.kind === 'word' && t.v === 'WHERE') where = true;
    }
    this.rest();
    return { kind, ...(table ? { table } : {}), noWhere: !where, ...base };
  }

  private loadData(base: { span: Span; text: string }): MyStatement {
    if (!this.isWord('DATA', 1) && !this.isWord('XML', 1)) return { kind: 'other', verb: this.verb(this.pos), ...base };
    let table: QualifiedName | undefined;
    for (let i = this.pos; i < this.to - 2; i++) {
      if (this.tokens[i]!.v === 'INTO' && this.tokens[i + 1]!.v === 'TABLE') {
        this.pos = i + 2;
        table = this.qname();
        break;
      }
    }
    this.rest();
    return { kind: 'load-data', ...(table ? { table } : {}), ...base };
  }

  // ---- SET --------------------------------------------------------------------------------------

  private set(base: { span: Span; text: string }): MyStatement {
    this.pos++;
    if (this.word('STATEMENT')) {
      const settings: Assignment[] = [];
      do settings.push(this.assignment('session', new Set(['FOR'])));
      while (this.op(','));
      this.expectWord('FOR');
      if (this.atEnd()) this.unexpected('a statement after FOR');
      const inner = this.statement(base.span, base.text);
      if (inner.kind === 'unparsed') return inner;
      (inner as { statementSettings?: Assignment[] }).statementSettings = settings;
      return inner;
    }
    const special = (s: SetStatement['special']): SetStatement => {
      this.rest();
      return { kind: 'set', assignments: [], special: s, ...base };
    };
    if (this.isWord('NAMES')) return special('names');
    if (this.isWord('CHARSET') || (this.isWord('CHARACTER') && this.isWord('SET', 1))) return special('charset');
    if (this.isWord('PASSWORD')) return special('password');
    if (this.isWord('ROLE')) return special('role');
    if (this.isWord('DEFAULT') && this.isWord('ROLE', 1)) return special('default-role');
    if (this.isWord('TRANSACTION') || ((this.isWord('GLOBAL') || this.isWord('SESSION') || this.isWord('LOCAL')) && this.isWord('TRANSACTION', 1))) return special('transaction');
    const assignments: Assignment[] = [];
    let scope: Assignment['scope'] = 'session';
    do {
      const s = this.scopeWord();
      if (s) scope = s;
      assignments.push(this.assignment(scope));
    } while (this.op(','));
    this.expectEnd();
    return { kind: 'set', assignments, ...base };
  }

  private scopeWord(): Assignment['scope'] | undefined {
    for (const [w, s] of [['GLOBAL', 'global'], ['SESSION', 'session'], ['LOCAL', 'local'], ['PERSIST', 'persist'], ['PERSIST_ONLY', 'persist_only']] as const) {
      if (this.isWord(w) && !this.isOp('=', 1) && !this.isOp(':=', 1)) {
        this.pos++;
        return s;
      }
    }
    return undefined;
  }

  /** `[@@scope.]name = value`, `@x := value`. */
  private assignment(scope: Assignment['scope'], stops?: Set<string>): Assignment {
    const t = this.next();
    let name: string;
    if (t.kind === 'sysvar') {
      const m = /^(global|session|local|persist|persist_only)\.(.*)$/.exec(t.v);
      if (m) {
        scope = m[1] as Assignment['scope'];
        name = m[2]!;
      } else name = t.v;
      name = name.replace(/`/g, '');
    } else if (t.kind === 'var') {
      scope = 'user';
      name = '@' + tokenValue(this.text, t, this.base);
    } else if (t.kind === 'word' || t.kind === 'ident') {
      name = (t.kind === 'word' ? this.src(t) : tokenValue(this.text, t, this.base)).toLowerCase();
      // `SET SESSION sql_mode` style already handled; `global.x` is not valid, but `x.y` names a component variable
      if (this.isOp('.') && this.isIdent(1)) {
        this.pos++;
        name += '.' + this.ident().toLowerCase();
      }
    } else return this.unexpected('a variable name');
    if (!this.op('=') && !this.op(':=')) this.unexpected('"="');
    const from = this.pos;
    const value = this.expr(stops);
    let literal: number | string | undefined;
    if (this.pos === from + 1) {
      const v = this.tokens[from]!;
      if (v.kind === 'number') literal = Number(this.src(v));
      else if (v.kind === 'string') literal = tokenValue(this.text, v, this.base, { noBackslashEscapes: this.noBackslash });
      else if (v.kind === 'word' && (v.v === 'ON' || v.v === 'TRUE')) literal = 1;
      else if (v.kind === 'word' && (v.v === 'OFF' || v.v === 'FALSE')) literal = 0;
      else if (v.kind === 'word' && v.v !== 'DEFAULT') literal = this.src(v);
    } else if (this.pos === from + 2 && this.tokens[from]!.kind === 'op' && this.tokens[from]!.v === '-' && this.tokens[from + 1]!.kind === 'number') {
      literal = -Number(this.src(this.tokens[from + 1]!));
    }
    return { scope, name, value, ...(literal !== undefined ? { literal } : {}) };
  }

  // ---- CREATE -------------------------------------------------------------------------------------

  private create(base: { span: Span; text: string }): MyStatement {
    const start = this.pos;
    this.pos++;
    const orReplace = this.words('OR', 'REPLACE');
    // CREATE [ONLINE|OFFLINE] [UNIQUE|FULLTEXT|SPATIAL] INDEX
    const online = this.word('ONLINE');
    if (!online) this.word('OFFLINE');
    const kindWord = this.isWord('UNIQUE') || this.isWord('FULLTEXT') || this.isWord('SPATIAL') ? this.next().v : undefined;
    if (kindWord || this.isWord('INDEX')) {
      this.expectWord('INDEX');
      return this.createIndex(base, (kindWord?.toLowerCase() ?? 'index') as IndexKind, orReplace, online);
    }
    const temporary = this.word('TEMPORARY');
    if (this.word('TABLE')) return this.createTable(base, { orReplace, temporary });
    if (temporary) this.unexpected('TABLE');
    // view / routine / trigger / event headers: [ALGORITHM = x] [DEFINER = u] [SQL SECURITY x] [AGGREGATE]
    for (;;) {
      if (this.word('ALGORITHM')) this.optionValue();
      else if (this.word('DEFINER')) {
        this.expectOp('=');
        this.userName();
      } else if (this.words('SQL', 'SECURITY')) this.ident();
      else if (this.word('AGGREGATE')) continue;
      else break;
    }
    if (this.word('DATABASE') || this.word('SCHEMA')) return this.objectHeader('create-database', base, { orReplace });
    if (this.word('VIEW')) return this.objectHeader('create-view', base, { orReplace });
    if (this.word('PROCEDURE') || this.word('FUNCTION')) return this.objectHeader('create-routine', base, { orReplace });
    if (this.word('EVENT')) return this.objectHeader('create-event', base, { orReplace });
    if (this.word('TRIGGER')) return this.objectHeader('create-trigger', base, { orReplace });
    this.pos = start;
    return { kind: 'other', verb: this.verb(start), ...base };
  }

  private objectHeader(kind: ObjectDdl['kind'], base: { span: Span; text: string }, o: { orReplace?: boolean }): ObjectDdl {
    const ifNotExists = this.ifNotExists();
    const ifExists = !ifNotExists && this.ifExists();
    const name = this.qname('a name');
    const out: ObjectDdl = { kind, name, ...(ifNotExists ? { ifNotExists } : {}), ...(ifExists ? { ifExists } : {}), ...(o.orReplace ? { orReplace: true } : {}), ...base };
    if (kind === 'create-trigger') {
      const timing = this.next();
      if (timing.v !== 'BEFORE' && timing.v !== 'AFTER') this.fail('BEFORE or AFTER expected');
      const ev = this.next();
      if (ev.v !== 'INSERT' && ev.v !== 'UPDATE' && ev.v !== 'DELETE') this.fail('INSERT, UPDATE or DELETE expected');
      // MariaDB 11.?: multiple events `INSERT OR UPDATE`
      while (this.word('OR')) this.next();
      this.expectWord('ON');
      out.table = this.qname();
      out.timing = timing.v.toLowerCase() as 'before' | 'after';
      out.event = ev.v.toLowerCase() as 'insert' | 'update' | 'delete';
    }
    this.rest();
    return out;
  }

  private createIndex(base: { span: Span; text: string }, kind: IndexKind, orReplace: boolean, online: boolean): CreateIndex {
    const ifNotExists = this.ifNotExists();
    const name = this.ident('an index name');
    let using: string | undefined;
    if (this.word('USING') || this.word('TYPE')) using = this.ident().toUpperCase();
    this.expectWord('ON');
    const table = this.qname();
    const parts = this.indexParts();
    const out: CreateIndex = { kind: 'create-index', table, index: { name, kind, parts, ...(ifNotExists ? { ifNotExists } : {}) }, ...(orReplace ? { orReplace } : {}), ...(online ? { online } : {}), ...base };
    const w = this.waitClause();
    if (w !== undefined) out.wait = w;
    this.indexOptions(out.index);
    if (using) out.index.using = using;
    for (;;) {
      if (this.word('ALGORITHM')) out.algorithm = this.algorithm();
      else if (this.word('LOCK')) out.lock = this.lockClause();
      else break;
    }
    this.expectEnd();
    return out;
  }

  private algorithm(): Algorithm {
    const v = this.optionValue().toUpperCase();
    if (!ALGORITHMS.has(v)) this.fail(`unknown ALGORITHM ${v}`);
    return v.toLowerCase() as Algorithm;
  }
  private lockClause(): LockClause {
    const v = this.optionValue().toUpperCase();
    if (!LOCKS.has(v)) this.fail(`unknown LOCK ${v}`);
    return v.toLowerCase() as LockClause;
  }

  private createTable(base: { span: Span; text: string }, o: { orReplace: boolean; temporary: boolean }): CreateTable {
    const ifNotExists = this.ifNotExists();
    const table = this.qname();
    const out: CreateTable = {
      kind: 'create-table',
      table,
      columns: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
      options: {},
      ...(ifNotExists ? { ifNotExists } : {}),
      ...(o.temporary ? { temporary: true } : {}),
      ...(o.orReplace ? { orReplace: true } : {}),
      ...base,
    };
    if (this.word('LIKE')) {
      out.like = this.qname();
      this.expectEnd();
      return out;
    }
    if (this.isOp('(') && this.isWord('LIKE', 1)) {
      this.pos += 2;
      out.like = this.qname();
      this.expectOp(')');
      this.expectEnd();
      return out;
    }
    if (this.isOp('(') && !this.isWord('SELECT', 1) && !this.isWord('WITH', 1) && !this.isOp('(', 1)) {
      this.pos++;
      do this.createDefinition(out);
      while (this.op(','));
      this.expectOp(')');
    }
    this.tableOptions(out.options, true);
    if (this.isWord('PARTITION')) {
      out.partitioned = true;
      this.partitionBy();
    }
    this.word('IGNORE') || this.word('REPLACE');
    this.word('AS');
    if (this.isWord('SELECT') || this.isWord('WITH') || this.isWord('VALUES') || this.isWord('TABLE') || this.isOp('(')) {
      out.asSelect = true;
      this.rest();
    }
    this.expectEnd();
    return out;
  }

  /** `PARTITION BY …` (with its SUBPARTITION and partition definitions) to the end of the statement, checked for balance. */
  private partitionBy(): void {
    this.expectWord('PARTITION');
    this.expectWord('BY');
    while (!this.atEnd()) {
      if (this.isOp('(')) this.parens();
      else if (this.isOp(')')) this.unexpected();
      else this.pos++;
    }
  }

  /** One element of `CREATE TABLE t ( … )`. */
  private createDefinition(out: CreateTable): void {
    const t = this.peek();
    if (!t) this.unexpected('a column or key');
    if (t.kind === 'word' && (CONSTRAINT_STARTS.has(t.v) || (t.v === 'PERIOD' && this.isWord('FOR', 1)))) {
      const c = this.constraint();
      if (!c) return;
      if (c.type === 'index') out.indexes.push(c.index);
      else if (c.type === 'fk') out.foreignKeys.push(c.fk);
      else out.checks.push({ ...(c.name ? { name: c.name } : {}), expr: c.expr });
      return;
    }
    out.columns.push(this.columnDef());
  }

  /** A key, foreign key or check definition (table level, or after ALTER TABLE … ADD). */
  private constraint(): { type: 'index'; index: IndexDef } | { type: 'fk'; fk: ForeignKeyDef } | { type: 'check'; name?: string; expr: string; enforced?: boolean } | undefined {
    if (this.words('PERIOD', 'FOR')) {
      // MariaDB system-versioning / application-time period: not a key
      this.ident();
      this.parens();
      return undefined;
    }
    let constraintName: string | undefined;
    if (this.word('CONSTRAINT')) {
      if (this.isIdent() && !(this.peek()!.kind === 'word' && ['PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK'].includes(this.peek()!.v))) constraintName = this.ident('a constraint name');
    }
    if (this.word('CHECK')) {
      this.expectOp('(');
      this.pos--;
      const expr = this.parens();
      let enforced: boolean | undefined;
      if (this.word('ENFORCED')) enforced = true;
      else if (this.words('NOT', 'ENFORCED')) enforced = false;
      return { type: 'check', ...(constraintName ? { name: constraintName } : {}), expr, ...(enforced !== undefined ? { enforced } : {}) };
    }
    if (this.words('FOREIGN', 'KEY')) {
      const ifNotExists = this.ifNotExists();
      let indexName: string | undefined;
      if (!this.isOp('(')) indexName = this.ident('an index name');
      const columns = this.nameList();
      const fk: ForeignKeyDef = { columns, ...this.references(), ...(constraintName ? { name: constraintName } : {}), ...(indexName ? { indexName } : {}), ...(ifNotExists ? { ifNotExists } : {}) };
      return { type: 'fk', fk };
    }
    let kind: IndexKind;
    if (this.words('PRIMARY', 'KEY')) kind = 'primary';
    else if (this.word('UNIQUE')) {
      kind = 'unique';
      this.word('INDEX') || this.word('KEY');
    } else if (this.word('FULLTEXT') || this.word('SPATIAL')) {
      kind = this.tokens[this.pos - 1]!.v.toLowerCase() as IndexKind;
      this.word('INDEX') || this.word('KEY');
    } else if (!constraintName && (this.word('INDEX') || this.word('KEY'))) kind = 'index';
    else return this.unexpected('PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK');
    const index: IndexDef = { kind, parts: [] };
    if (this.ifNotExists()) index.ifNotExists = true;
    if (kind !== 'primary' && !this.isOp('(') && !this.isWord('USING') && !this.isWord('TYPE')) index.name = this.ident('an index name');
    else if (kind === 'primary' && this.isIdent() && !this.isWord('USING') && !this.isWord('TYPE')) this.ident(); // PRIMARY KEY name (…) is accepted and ignored
    if (this.word('USING') || this.word('TYPE')) index.using = this.ident().toUpperCase();
    index.parts = this.indexParts();
    this.indexOptions(index);
    if (constraintName) index.constraintName = constraintName;
    if (constraintName && !index.name && kind !== 'primary') index.name = constraintName;
    return { type: 'index', index };
  }

  /** `REFERENCES t (cols) [MATCH …] [ON DELETE a] [ON UPDATE a]`. */
  private references(): { references: QualifiedName; referencedColumns: string[]; onDelete?: string; onUpdate?: string } {
    this.expectWord('REFERENCES');
    const references = this.qname();
    const referencedColumns = this.isOp('(') ? this.nameList() : [];
    const out: { references: QualifiedName; referencedColumns: string[]; onDelete?: string; onUpdate?: string } = { references, referencedColumns };
    if (this.word('MATCH')) this.ident();
    for (;;) {
      if (this.isWord('ON') && (this.isWord('DELETE', 1) || this.isWord('UPDATE', 1))) {
        this.pos++;
        const which = this.next().v;
        const action = REF_ACTIONS.find((a) => this.words(...a.split(' ')));
        if (!action) this.unexpected('RESTRICT, CASCADE, SET NULL, NO ACTION or SET DEFAULT');
        if (which === 'DELETE') out.onDelete = action;
        else out.onUpdate = action;
      } else break;
    }
    return out;
  }

  /** `(a, b(10) DESC, (lower(x)))`. */
  private indexParts(): IndexPart[] {
    this.expectOp('(');
    const parts: IndexPart[] = [];
    do {
      const part: IndexPart = {};
      if (this.isOp('(')) part.expression = this.parens();
      else {
        part.column = this.ident('a column name');
        if (this.isOp('(') && this.peek(1)?.kind === 'number' && this.isOp(')', 2)) {
          this.pos++;
          part.length = this.number();
          this.pos++;
        }
      }
      if (this.word('DESC')) part.descending = true;
      else this.word('ASC');
      parts.push(part);
    } while (this.op(','));
    this.expectOp(')');
    return parts;
  }

  private indexOptions(index: IndexDef): void {
    for (;;) {
      if (this.word('USING') || this.word('TYPE')) index.using = this.ident().toUpperCase();
      else if (this.word('KEY_BLOCK_SIZE')) this.optionValue();
      else if (this.word('COMMENT')) this.stringValue();
      else if (this.words('WITH', 'PARSER')) this.ident();
      else if (this.word('INVISIBLE') || this.word('IGNORED')) index.invisible = true;
      else if (this.word('VISIBLE') || this.words('NOT', 'IGNORED')) index.invisible = false;
      else if (this.word('CLUSTERING') || this.word('ENGINE_ATTRIBUTE') || this.word('SECONDARY_ENGINE_ATTRIBUTE')) this.optionValue();
      else break;
    }
    if (index.invisible === false) delete index.invisible;
  }

  // ---- columns ----------------------------------------------------------------------------------

  /** `name type attributes…` (stops at a top-level `,`/`)`, FIRST, AFTER or the end). */
  private columnDef(): ColumnDef {
    const from = this.pos;
    const name = this.ident('a column name');
    const { type, charset: typeCharset, collation: typeCollation, serial } = this.dataType();
    const col: ColumnDef = { name, type, span: { start: 0, end: 0 } };
    if (typeCharset) col.charset = typeCharset;
    if (typeCollation) col.collation = typeCollation;
    if (serial) {
      // SERIAL = BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE
      col.nullable = false;
      col.autoIncrement = true;
      col.unique = true;
    }
    this.columnAttributes(col);
    col.span = this.spanOf(from);
    return col;
  }

  private columnAttributes(col: ColumnDef): void {
    for (;;) {
      const t = this.peek();
      if (!t || (t.kind === 'op' && (t.v === ',' || t.v === ')'))) return;
      if (t.kind !== 'word') this.unexpected('a column attribute');
      switch (t.v) {
        case 'FIRST':
        case 'AFTER':
          return;
        case 'NOT':
          this.pos++;
          if (this.word('NULL')) col.nullable = false;
          else this.unexpected('NULL');
          break;
        case 'NULL':
          this.pos++;
          col.nullable = true;
          break;
        case 'DEFAULT':
          this.pos++;
          col.default = this.defaultValue();
          break;
        case 'AUTO_INCREMENT':
          this.pos++;
          col.autoIncrement = true;
          break;
        case 'SERIAL':
          // SERIAL DEFAULT VALUE = NOT NULL AUTO_INCREMENT UNIQUE
          this.pos++;
          this.expectWord('DEFAULT');
          this.expectWord('VALUE');
          col.nullable = false;
          col.autoIncrement = true;
          col.unique = true;
          break;
        case 'UNIQUE':
          this.pos++;
          this.word('KEY');
          col.unique = true;
          break;
        case 'PRIMARY':
          this.pos++;
          this.expectWord('KEY');
          col.primaryKey = true;
          break;
        case 'KEY':
          // a bare KEY in a column definition is PRIMARY KEY
          this.pos++;
          col.primaryKey = true;
          break;
        case 'COMMENT':
          this.pos++;
          col.comment = this.stringValue();
          break;
        case 'COLLATE':
          this.pos++;
          col.collation = this.optionValue().toLowerCase();
          break;
        case 'CHARSET':
          this.pos++;
          col.charset = this.optionValue().toLowerCase();
          break;
        case 'CHARACTER':
          this.pos++;
          this.expectWord('SET');
          col.charset = this.optionValue().toLowerCase();
          break;
        case 'COLUMN_FORMAT':
        case 'STORAGE':
        case 'SRID':
        case 'REF_SYSTEM_ID':
        case 'ENGINE_ATTRIBUTE':
        case 'SECONDARY_ENGINE_ATTRIBUTE':
          this.pos++;
          this.optionValue();
          break;
        case 'COMPRESSED':
          this.pos++;
          if (this.op('=')) this.ident();
          break;
        case 'ON':
          this.pos++;
          this.expectWord('UPDATE');
          {
            const f = this.pos;
            const w = this.next();
            if (!CURRENT_TS.has(w.v)) this.fail('ON UPDATE takes CURRENT_TIMESTAMP');
            if (this.isOp('(')) this.parens();
            col.onUpdate = this.slice(f, this.pos);
          }
          break;
        case 'GENERATED':
          this.pos++;
          this.expectWord('ALWAYS');
          if (!this.isWord('AS')) this.unexpected('AS');
          this.generated(col);
          break;
        case 'AS':
          this.generated(col);
          break;
        case 'VIRTUAL':
        case 'STORED':
        case 'PERSISTENT':
          // after AS (expr): already consumed there; here only when written before other attributes
          this.pos++;
          if (col.generated) col.generated.kind = t.v === 'VIRTUAL' ? 'virtual' : 'stored';
          break;
        case 'INVISIBLE':
          this.pos++;
          col.invisible = true;
          break;
        case 'VISIBLE':
          this.pos++;
          break;
        case 'CONSTRAINT':
        case 'CHECK': {
          this.pos++;
          if (t.v === 'CONSTRAINT') {
            if (!this.isWord('CHECK')) this.ident('a constraint name');
            this.expectWord('CHECK');
          }
          col.check = this.parens();
          if (!this.word('ENFORCED')) this.words('NOT', 'ENFORCED');
          break;
        }
        case 'REFERENCES': {
          const r = this.references();
          col.references = { table: r.references, columns: r.referencedColumns };
          break;
        }
        case 'WITH':
        case 'WITHOUT':
          this.pos++;
          this.expectWord('SYSTEM');
          this.expectWord('VERSIONING');
          break;
        default:
          this.unexpected('a column attribute');
      }
    }
  }

  /** `AS (expr) [VIRTUAL|STORED|PERSISTENT]`, `AS ROW START|END` (system versioning), at AS. */
  private generated(col: ColumnDef): void {
    this.expectWord('AS');
    if (this.words('ROW', 'START') || this.words('ROW', 'END')) {
      col.generated = { kind: 'stored', expr: this.slice(this.pos - 2, this.pos) };
      return;
    }
    if (!this.isOp('(')) this.unexpected('"("');
    const expr = this.parens();
    let kind: 'virtual' | 'stored' = 'virtual';
    if (this.word('STORED') || this.word('PERSISTENT')) kind = 'stored';
    else this.word('VIRTUAL');
    col.generated = { kind, expr };
  }

  private defaultValue(): DefaultValue {
    const from = this.pos;
    const t = this.peek();
    if (!t) return this.unexpected('a default value');
    if (t.kind === 'op' && t.v === '(') {
      const inner = this.parens();
      const text = this.slice(from, this.pos);
      // (CURRENT_TIMESTAMP) is still the current time; (NULL) and ('x') are literals written in parentheses
      if (/^(current_timestamp|now|localtime|localtimestamp)\s*(\(\s*\d*\s*\))?$/i.test(inner.trim())) return { kind: 'current-timestamp', text };
      return { kind: 'expression', text };
    }
    if (t.kind === 'string') {
      this.stringValue();
      return { kind: 'literal', text: this.slice(from, this.pos) };
    }
    if (t.kind === 'number' || t.kind === 'hex' || t.kind === 'bit') {
      this.pos++;
      return { kind: 'literal', text: this.src(t) };
    }
    if (t.kind === 'op' && (t.v === '-' || t.v === '+')) {
      this.pos++;
      const n = this.next();
      if (n.kind !== 'number') this.fail('a number expected after the sign');
      return { kind: 'literal', text: this.slice(from, this.pos) };
    }
    if (t.kind === 'word') {
      this.pos++;
      if (t.v === 'NULL') return { kind: 'null', text: 'NULL' };
      if (t.v === 'TRUE' || t.v === 'FALSE') return { kind: 'literal', text: this.src(t) };
      if ((t.v === 'DATE' || t.v === 'TIME' || t.v === 'TIMESTAMP') && this.peek()?.kind === 'string') {
        this.pos++;
        return { kind: 'literal', text: this.slice(from, this.pos) };
      }
      if (CURRENT_TS.has(t.v)) {
        if (this.isOp('(')) this.parens();
        return { kind: 'current-timestamp', text: this.slice(from, this.pos) };
      }
      // MariaDB: DEFAULT uuid(), DEFAULT CURRENT_DATE, DEFAULT NEXT VALUE FOR s
      if (this.isOp('(')) this.parens();
      else if (t.v === 'NEXT' || t.v === 'PREVIOUS') {
        this.expectWord('VALUE');
        this.expectWord('FOR');
        this.qname('a sequence');
      }
      return { kind: 'expression', text: this.slice(from, this.pos) };
    }
    return this.unexpected('a default value');
  }

  /** A column's data type, with the charset/collation written in it. */
  private dataType(): { type: MyColumnType; charset?: string; collation?: string; serial?: boolean } {
    const from = this.pos;
    const t = this.peek();
    if (!t || t.kind !== 'word') return this.unexpected('a data type');
    let key: string | undefined;
    for (const words of MULTI_TYPES) {
      if (words.every((w, k) => this.isWord(w, k))) {
        key = words.join(' ');
        this.pos += words.length;
        break;
      }
    }
    if (!key) {
      if (!TYPES.has(t.v)) this.fail(`unknown data type ${this.src(t)}`);
      key = t.v;
      this.pos++;
    }
    let name = TYPE_ALIASES[key] ?? key.toLowerCase();
    const type: MyColumnType = { name, text: '' };
    let serial = false;
    if (name === 'bool' || name === 'boolean') {
      type.name = name = 'tinyint';
      type.length = 1;
    } else if (name === 'serial') {
      type.name = name = 'bigint';
      type.unsigned = true;
      serial = true;
    } else if (name === 'row') this.fail('ROW types are not column types');
    if (this.isOp('(')) {
      if (name === 'enum' || name === 'set') {
        this.pos++;
        const members: string[] = [];
        do members.push(this.stringValue());
        while (this.op(','));
        this.expectOp(')');
        type.members = members;
      } else {
        this.pos++;
        type.length = this.number();
        if (this.op(',')) type.scale = this.number();
        this.expectOp(')');
      }
    } else if (name === 'enum' || name === 'set') this.unexpected('"(" with the members');
    // `DOUBLE PRECISION(10,2)` etc. handled above; `FLOAT(p)` keeps p as the length
    let charset: string | undefined;
    let collation: string | undefined;
    let typeEnd = this.pos;
    for (;;) {
      if (this.word('UNSIGNED')) {
        type.unsigned = true;
        typeEnd = this.pos;
      } else if (this.word('SIGNED') || this.word('ZEROFILL')) {
        if (this.tokens[this.pos - 1]!.v === 'ZEROFILL') type.unsigned = true; // ZEROFILL implies UNSIGNED
        typeEnd = this.pos;
      } else if (this.word('BINARY') || this.word('ASCII') || this.word('UNICODE') || this.word('BYTE')) {
        const w = this.tokens[this.pos - 1]!.v;
        if (w === 'ASCII') charset = 'latin1';
        else if (w === 'UNICODE') charset = 'ucs2';
        else if (w === 'BYTE') charset = 'binary';
        // BINARY on a char type: the binary collation of the charset
      } else if (this.words('CHARACTER', 'SET') || this.word('CHARSET')) charset = this.optionValue().toLowerCase();
      else if (this.word('COLLATE')) collation = this.optionValue().toLowerCase();
      else break;
    }
    if (key.startsWith('NATIONAL') || key.startsWith('NCHAR') || key === 'NVARCHAR') charset ??= 'utf8mb3';
    type.text = this.slice(from, typeEnd);
    return { type, ...(charset ? { charset } : {}), ...(collation ? { collation } : {}), ...(serial ? { serial } : {}) };
  }

  // ---- table options ----------------------------------------------------------------------------

  /** Table options, comma-separated or not. `create`: CREATE TABLE (stops at PARTITION / AS / SELECT). */
  private tableOptions(out: TableOptions, create: boolean): boolean {
    let any = false;
    for (;;) {
      const save = this.pos;
      if (any) this.op(',');
      if (!this.tableOption(out, create)) {
        this.pos = save;
        return any;
      }
      any = true;
    }
  }

  private tableOption(out: TableOptions, create: boolean): boolean {
    const t = this.peek();
    if (!t || t.kind !== 'word') return false;
    if (t.v === 'DEFAULT' && (this.isWord('CHARSET', 1) || this.isWord('COLLATE', 1) || (this.isWord('CHARACTER', 1) && this.isWord('SET', 2)))) this.pos++;
    if (this.words('CHARACTER', 'SET') || this.word('CHARSET')) {
      out.charset = this.optionValue().toLowerCase();
      return true;
    }
    if (this.word('COLLATE')) {
      out.collate = this.optionValue().toLowerCase();
      return true;
    }
    if (this.isWord('DATA', 0) || this.isWord('INDEX', 0)) {
      if (!this.isWord('DIRECTORY', 1)) return false;
      const k = this.next().v.toLowerCase();
      this.pos++;
      out[`${k}_directory`] = this.optionValue();
      return true;
    }
    if (this.words('WITH', 'SYSTEM', 'VERSIONING')) {
      out.with_system_versioning = 'yes';
      return true;
    }
    if (this.isWord('UNION')) {
      this.pos++;
      this.op('=');
      out.union = this.parens();
      return true;
    }
    if (this.isWord('START') && this.isWord('TRANSACTION', 1)) {
      this.pos += 2;
      return true;
    }
    if (!TABLE_OPTIONS.has(t.v)) return false;
    // `ENGINE` alone would be odd; every option here takes a value
    if (!create && t.v === 'COMMENT' && !this.isOp('=', 1) && this.peek(1)?.kind !== 'string') return false;
    this.pos++;
    if (t.v === 'TABLESPACE') {
      out.tablespace = this.optionValue();
      if (this.word('STORAGE')) out.storage = this.ident();
      return true;
    }
    const key = t.v === 'TYPE' ? 'engine' : t.v.toLowerCase();
    const v = this.optionValue();
    out[key] = v;
    return true;
  }

  // ---- ALTER --------------------------------------------------------------------------------------

  private alter(base: { span: Span; text: string }): MyStatement {
    const start = this.pos;
    this.pos++;
    const online = this.word('ONLINE');
    if (!online) this.word('OFFLINE');
    const ignore = this.word('IGNORE');
    if (this.word('TABLE')) return this.alterTable(base, online, ignore);
    if (online || ignore) this.unexpected('TABLE');
    for (;;) {
      if (this.word('ALGORITHM')) this.optionValue();
      else if (this.word('DEFINER')) {
        this.expectOp('=');
        this.userName();
      } else if (this.words('SQL', 'SECURITY')) this.ident();
      else break;
    }
    if (this.word('VIEW')) return this.objectHeader('alter-view', base, {});
    if (this.word('PROCEDURE') || this.word('FUNCTION')) return this.objectHeader('alter-routine', base, {});
    if (this.word('EVENT')) return this.objectHeader('alter-event', base, {});
    if (this.word('DATABASE') || this.word('SCHEMA')) {
      // ALTER DATABASE [name] options: the name is optional
      const named = this.isIdent() && !['CHARACTER', 'CHARSET', 'DEFAULT', 'COLLATE', 'ENCRYPTION', 'READ', 'COMMENT', 'UPGRADE'].includes(this.peek()!.v);
      const name = named ? this.qname('a database name') : { name: '' };
      this.rest();
      return { kind: 'alter-database', name, ...base };
    }
    this.pos = start;
    return { kind: 'other', verb: this.verb(start), ...base };
  }

  private alterTable(base: { span: Span; text: string }, online: boolean, ignore: boolean): AlterTable {
    const ifExists = this.ifExists();
    const table = this.qname();
    const out: AlterTable = { kind: 'alter-table', table, actions: [], ...(online ? { online } : {}), ...(ignore ? { ignore } : {}), ...(ifExists ? { ifExists } : {}), ...base };
    const w = this.waitClause();
    if (w !== undefined) out.wait = w;
    if (this.atEnd()) return out;
    do {
      if (this.isWord('PARTITION') && this.isWord('BY', 1)) {
        const from = this.pos;
        this.partitionBy();
        out.actions.push({ type: 'partition', op: 'partition-by', span: this.spanOf(from) });
        break;
      }
      this.alterSpec(out);
    } while (this.op(','));
    // partition options may follow the last clause without a comma
    if (this.isWord('PARTITION') && this.isWord('BY', 1)) {
      const from = this.pos;
      this.partitionBy();
      out.actions.push({ type: 'partition', op: 'partition-by', span: this.spanOf(from) });
    }
    this.expectEnd();
    return out;
  }

  private position(): Position | undefined {
    if (this.word('FIRST')) return { first: true };
    if (this.word('AFTER')) return { after: this.ident('a column name') };
    return undefined;
  }

  private alterSpec(out: AlterTable): void {
    const from = this.pos;
    const t = this.peek();
    if (!t || t.kind !== 'word') this.unexpected('an ALTER TABLE clause');
    const push = (a: WithoutSpan<AlterAction>): void => {
      out.actions.push({ ...a, span: this.spanOf(from) } as AlterAction);
    };
    switch (t.v) {
      case 'ALGORITHM':
        this.pos++;
        out.algorithm = this.algorithm();
        return;
      case 'LOCK':
        this.pos++;
        out.lock = this.lockClause();
        return;
      case 'ADD':
        this.pos++;
        return this.alterAdd(out, from);
      case 'DROP':
        this.pos++;
        return this.alterDrop(out, from);
      case 'MODIFY':
      case 'CHANGE': {
        this.pos++;
        this.word('COLUMN');
        const ifExists = this.ifExists();
        const oldName = t.v === 'CHANGE' ? this.ident('a column name') : undefined;
        const column = this.columnDef();
        const position = this.position();
        const extra = { ...(position ? { position } : {}), ...(ifExists ? { ifExists } : {}) };
        if (oldName !== undefined) push({ type: 'change-column', oldName, column, ...extra });
        else push({ type: 'modify-column', column, ...extra });
        return;
      }
      case 'ALTER': {
        this.pos++;
        if (this.word('INDEX') || this.word('KEY')) {
          const name = this.ident('an index name');
          let invisible: boolean;
          if (this.word('INVISIBLE') || this.word('IGNORED')) invisible = true;
          else if (this.word('VISIBLE') || this.words('NOT', 'IGNORED')) invisible = false;
          else return this.unexpected('VISIBLE or INVISIBLE');
          push({ type: 'index-visibility', name, invisible });
          return;
        }
        if (this.word('CHECK') || this.word('CONSTRAINT')) {
          this.ident('a constraint name');
          if (!this.word('ENFORCED')) {
            this.expectWord('NOT');
            this.expectWord('ENFORCED');
          }
          push({ type: 'other', text: this.slice(from, this.pos) });
          return;
        }
        this.word('COLUMN');
        this.ifExists();
        const name = this.ident('a column name');
        if (this.words('SET', 'DEFAULT')) push({ type: 'set-default', name, default: this.defaultValue() });
        else if (this.words('DROP', 'DEFAULT')) push({ type: 'drop-default', name });
        else if (this.words('SET', 'VISIBLE')) push({ type: 'column-visibility', name, invisible: false });
        else if (this.words('SET', 'INVISIBLE')) push({ type: 'column-visibility', name, invisible: true });
        else this.unexpected('SET DEFAULT, DROP DEFAULT or SET VISIBLE/INVISIBLE');
        return;
      }
      case 'RENAME': {
        this.pos++;
        if (this.word('COLUMN')) {
          this.ifExists();
          const f = this.ident('a column name');
          this.expectWord('TO');
          push({ type: 'rename-column', from: f, to: this.ident('a column name') });
          return;
        }
        if (this.word('INDEX') || this.word('KEY')) {
          this.ifExists();
          const f = this.ident('an index name');
          this.expectWord('TO');
          push({ type: 'rename-index', from: f, to: this.ident('an index name') });
          return;
        }
        this.word('TO') || this.word('AS');
        push({ type: 'rename-table', to: this.qname() });
        return;
      }
      case 'CONVERT': {
        this.pos++;
        if (this.word('PARTITION')) {
          const p = this.ident('a partition');
          this.expectWord('TO');
          this.expectWord('TABLE');
          this.qname();
          push({ type: 'partition', op: 'convert', partitions: [p] });
          return;
        }
        if (this.word('TABLE')) {
          this.qname();
          this.expectWord('TO');
          this.expectWord('PARTITION');
          const p = this.ident('a partition');
          this.rest();
          push({ type: 'partition', op: 'convert', partitions: [p] });
          return;
        }
        this.expectWord('TO');
        if (!this.words('CHARACTER', 'SET')) this.expectWord('CHARSET');
        const charset = this.optionValue().toLowerCase();
        const collation = this.word('COLLATE') ? this.optionValue().toLowerCase() : undefined;
        push({ type: 'convert-charset', charset, ...(collation ? { collation } : {}) });
        return;
      }
      case 'FORCE':
        this.pos++;
        push({ type: 'force' });
        return;
      case 'ORDER':
        this.pos++;
        this.expectWord('BY');
        do {
          this.ident('a column name');
          this.word('ASC') || this.word('DESC');
        } while (this.op(','));
        push({ type: 'order-by' });
        return;
      case 'ENABLE':
      case 'DISABLE':
        this.pos++;
        this.expectWord('KEYS');
        push({ type: 'keys', enable: t.v === 'ENABLE' });
        return;
      case 'DISCARD':
      case 'IMPORT':
        this.pos++;
        if (this.word('PARTITION')) {
          const partitions = this.partitionNames();
          this.expectWord('TABLESPACE');
          push({ type: 'partition', op: t.v === 'DISCARD' ? 'discard' : 'import', partitions });
          return;
        }
        this.expectWord('TABLESPACE');
        push({ type: 'tablespace', op: t.v === 'DISCARD' ? 'discard' : 'import' });
        return;
      case 'WITH':
      case 'WITHOUT':
        this.pos++;
        this.expectWord('VALIDATION');
        push({ type: 'other', text: this.slice(from, this.pos) });
        return;
      case 'TRUNCATE':
      case 'COALESCE':
      case 'REORGANIZE':
      case 'EXCHANGE':
      case 'REBUILD':
      case 'OPTIMIZE':
      case 'ANALYZE':
      case 'CHECK':
      case 'REPAIR':
      case 'REMOVE':
        if (t.v === 'REMOVE') {
          this.pos++;
          this.expectWord('PARTITIONING');
          push({ type: 'partition', op: 'remove' });
          return;
        }
        if (this.isWord('PARTITION', 1)) {
          this.pos += 2;
          const op = t.v.toLowerCase() as PartitionOp;
          if (op === 'coalesce') {
            this.number();
            push({ type: 'partition', op });
            return;
          }
          const partitions = this.partitionNames();
          if (op === 'reorganize' && this.word('INTO')) this.parens();
          if (op === 'exchange') {
            this.expectWord('WITH');
            this.expectWord('TABLE');
            this.qname();
            if (!this.words('WITH', 'VALIDATION')) this.words('WITHOUT', 'VALIDATION');
          }
          push({ type: 'partition', op, partitions });
          return;
        }
        break;
      default:
        break;
    }
    // table options (ENGINE=…, ROW_FORMAT=…, [DEFAULT] CHARSET=…, COMMENT=…, AUTO_INCREMENT=…)
    const options: TableOptions = {};
    if (this.tableOption(options, false)) {
      while (!this.isOp(',') && !this.atEnd() && this.tableOption(options, false));
      push({ type: 'table-options', options });
      return;
    }
    this.unexpected('an ALTER TABLE clause');
  }

  private partitionNames(): string[] {
    if (this.word('ALL')) return ['ALL'];
    const out = [this.ident('a partition name')];
    while (this.isOp(',') && this.isIdent(1) && !this.isAlterClauseStart(1)) {
      this.pos++;
      out.push(this.ident('a partition name'));
    }
    return out;
  }

  /** Whether the token at `k` starts an ALTER TABLE clause (so a `,` before it separates clauses). */
  private isAlterClauseStart(k: number): boolean {
    const t = this.peek(k);
    return !!t && t.kind === 'word' && ['ADD', 'DROP', 'MODIFY', 'CHANGE', 'ALTER', 'RENAME', 'ALGORITHM', 'LOCK', 'ENGINE', 'FORCE', 'CONVERT', 'ORDER'].includes(t.v);
  }

  private alterAdd(out: AlterTable, from: number): void {
    const push = (a: WithoutSpan<AlterAction>): void => {
      out.actions.push({ ...a, span: this.spanOf(from) } as AlterAction);
    };
    if (this.word('PARTITION')) {
      const ifNotExists = this.ifNotExists();
      void ifNotExists;
      const body = this.parens();
      const partitions = [...body.matchAll(/\bPARTITION\s+(`[^`]+`|\w+)/gi)].map((m) => m[1]!.replace(/`/g, ''));
      push({ type: 'partition', op: 'add', partitions });
      return;
    }
    if (this.words('SYSTEM', 'VERSIONING')) {
      push({ type: 'other', text: this.slice(from, this.pos) });
      return;
    }
    const t = this.peek();
    if (t && t.kind === 'word' && (CONSTRAINT_STARTS.has(t.v) || (t.v === 'PERIOD' && this.isWord('FOR', 1)))) {
      const c = this.constraint();
      if (!c) push({ type: 'other', text: this.slice(from, this.pos) });
      else if (c.type === 'index') push({ type: 'add-index', index: c.index });
      else if (c.type === 'fk') push({ type: 'add-foreign-key', foreignKey: c.fk });
      else push({ type: 'add-check', ...(c.name ? { name: c.name } : {}), expr: c.expr, ...(c.enforced !== undefined ? { enforced: c.enforced } : {}) });
      return;
    }
    this.word('COLUMN');
    const ifNotExists = this.ifNotExists();
    if (this.isOp('(')) {
      // ADD [COLUMN] (a INT, b INT, INDEX (a)): one action per element
      this.pos++;
      do {
        const f = this.pos;
        const e = this.peek();
        if (e && e.kind === 'word' && CONSTRAINT_STARTS.has(e.v)) {
          const c = this.constraint();
          const span = this.spanOf(f);
          if (c?.type === 'index') out.actions.push({ type: 'add-index', index: c.index, span });
          else if (c?.type === 'fk') out.actions.push({ type: 'add-foreign-key', foreignKey: c.fk, span });
          else if (c?.type === 'check') out.actions.push({ type: 'add-check', ...(c.name ? { name: c.name } : {}), expr: c.expr, span });
          continue;
        }
        const column = this.columnDef();
        out.actions.push({ type: 'add-column', column, ...(ifNotExists ? { ifNotExists } : {}), span: this.spanOf(f) });
      } while (this.op(','));
      this.expectOp(')');
      return;
    }
    const column = this.columnDef();
    const position = this.position();
    push({ type: 'add-column', column, ...(position ? { position } : {}), ...(ifNotExists ? { ifNotExists } : {}) });
  }

  private alterDrop(out: AlterTable, from: number): void {
    const push = (a: WithoutSpan<AlterAction>): void => {
      out.actions.push({ ...a, span: this.spanOf(from) } as AlterAction);
    };
    if (this.words('PRIMARY', 'KEY')) return push({ type: 'drop-primary-key' });
    if (this.word('INDEX') || this.word('KEY')) {
      const ifExists = this.ifExists();
      return push({ type: 'drop-index', name: this.ident('an index name'), ...(ifExists ? { ifExists } : {}) });
    }
    if (this.words('FOREIGN', 'KEY')) {
      const ifExists = this.ifExists();
      return push({ type: 'drop-foreign-key', name: this.ident('a foreign key name'), ...(ifExists ? { ifExists } : {}) });
    }
    if (this.word('CHECK')) {
      this.ifExists();
      return push({ type: 'drop-check', name: this.ident('a check name') });
    }
    if (this.word('CONSTRAINT')) {
      const ifExists = this.ifExists();
      return push({ type: 'drop-constraint', name: this.ident('a constraint name'), ...(ifExists ? { ifExists } : {}) });
    }
    if (this.word('PARTITION')) {
      this.ifExists();
      return push({ type: 'partition', op: 'drop', partitions: this.partitionNames() });
    }
    if (this.words('SYSTEM', 'VERSIONING')) return push({ type: 'other', text: this.slice(from, this.pos) });
    if (this.words('PERIOD', 'FOR')) {
      this.ident();
      return push({ type: 'other', text: this.slice(from, this.pos) });
    }
    this.word('COLUMN');
    const ifExists = this.ifExists();
    const name = this.ident('a column name');
    this.word('RESTRICT') || this.word('CASCADE');
    push({ type: 'drop-column', name, ...(ifExists ? { ifExists } : {}) });
  }

  // ---- DROP / RENAME ------------------------------------------------------------------------------

  private drop(base: { span: Span; text: string }): MyStatement {
    const start = this.pos;
    this.pos++;
    const temporary = this.word('TEMPORARY');
    if (this.word('TABLE') || this.word('TABLES')) {
      const ifExists = this.ifExists();
      const tables = this.qnames();
      const wait = this.waitClause();
      this.word('RESTRICT') || this.word('CASCADE');
      this.expectEnd();
      return { kind: 'drop-table', tables, ...(ifExists ? { ifExists } : {}), ...(temporary ? { temporary } : {}), ...(wait !== undefined ? { wait } : {}), ...base };
    }
    if (temporary) this.unexpected('TABLE');
    const online = this.word('ONLINE');
    if (!online) this.word('OFFLINE');
    if (this.word('INDEX')) {
      const ifExists = this.ifExists();
      const name = this.ident('an index name');
      this.expectWord('ON');
      const table = this.qname();
      const out: DropIndex = { kind: 'drop-index', name, table, ...(ifExists ? { ifExists } : {}), ...(online ? { online } : {}), ...base };
      const wait = this.waitClause();
      if (wait !== undefined) out.wait = wait;
      for (;;) {
        if (this.word('ALGORITHM')) out.algorithm = this.algorithm();
        else if (this.word('LOCK')) out.lock = this.lockClause();
        else break;
      }
      this.expectEnd();
      return out;
    }
    const kinds: [string, ObjectDdl['kind']][] = [
      ['TRIGGER', 'drop-trigger'], ['VIEW', 'drop-view'], ['PROCEDURE', 'drop-routine'], ['FUNCTION', 'drop-routine'],
      ['EVENT', 'drop-event'], ['DATABASE', 'drop-database'], ['SCHEMA', 'drop-database'],
    ];
    for (const [w, kind] of kinds) if (this.word(w)) return this.objectHeader(kind, base, {});
    this.pos = start;
    return { kind: 'other', verb: this.verb(start), ...base };
  }

  private renameTable(base: { span: Span; text: string }): MyStatement {
    const start = this.pos;
    this.pos++;
    if (!this.word('TABLE') && !this.word('TABLES')) {
      this.pos = start;
      return { kind: 'other', verb: this.verb(start), ...base };
    }
    this.ifExists();
    const renames: { from: QualifiedName; to: QualifiedName }[] = [];
    let wait: number | undefined;
    do {
      const from = this.qname();
      const w = this.waitClause();
      if (w !== undefined) wait = w;
      this.expectWord('TO');
      renames.push({ from, to: this.qname() });
    } while (this.op(','));
    this.expectEnd();
    return { kind: 'rename-table', renames, ...(wait !== undefined ? { wait } : {}), ...base };
  }
}

