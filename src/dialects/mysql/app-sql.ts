/**
 * What one piece of MySQL/MariaDB SQL from application code does with the tables a change touches, read
 * from the MySQL lexer's tokens (lexer.ts, split by splitter.ts: the one MySQL lexer): INSERT/REPLACE
 * without a column list (`VALUES`, `SELECT`, `TABLE`), inserts whose column list or `SET a = …` leaves
 * out a column that will be NOT NULL without a default, `SELECT *` / `t.*` / MariaDB `RETURNING *` and
 * MySQL's `TABLE t` over the table, and which changed columns a query reads. `?` placeholders,
 * backtick-quoted names, `#` comments and executable comments are the lexer's.
 *
 * The reader follows the statement's structure (parenthesis depth, clause keywords), not a full
 * grammar: a piece it cannot follow (an unterminated string, unbalanced parentheses, an INSERT whose
 * table it cannot read) is reported as not parsed, and nothing is guessed about it.
 */
import type { QualifiedName } from '../../core/types.js';
import type { AppPhase, ChangedColumn } from '../../app/columns.js';
import { insertIssues, starIssue, tkey, type SqlAnalysis } from '../../app/sql-issues.js';
import { lex, tokenValue, type LexOptions, type Token } from './lexer.js';
import { splitMysql } from './splitter.js';

/** The statements the reader looks into (others, DDL included, are not the application's reads and writes). */
const DML = new Set(['SELECT', 'WITH', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'TABLE', 'VALUES']);
const SELECT_MODIFIERS = new Set(['ALL', 'DISTINCT', 'DISTINCTROW', 'HIGH_PRIORITY', 'STRAIGHT_JOIN', 'SQL_SMALL_RESULT', 'SQL_BIG_RESULT', 'SQL_BUFFER_RESULT', 'SQL_NO_CACHE', 'SQL_CACHE', 'SQL_CALC_FOUND_ROWS']);
/** Words that end a SELECT's FROM clause (at its own depth). */
const FROM_END = new Set(['WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT', 'FOR', 'LOCK', 'INTO', 'RETURNING', 'PROCEDURE']);
/** Words that end a select list besides FROM. */
const LIST_END = new Set(['FROM', 'INTO', ...FROM_END]);
/** Words after a table name that are not its alias. */
const NOT_ALIAS = new Set([
  'WHERE', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'NATURAL', 'STRAIGHT_JOIN', 'OUTER', 'FULL', 'ON', 'USING', 'GROUP', 'ORDER', 'LIMIT', 'HAVING', 'WINDOW',
  'UNION', 'EXCEPT', 'INTERSECT', 'FOR', 'LOCK', 'USE', 'IGNORE', 'FORCE', 'INTO', 'RETURNING', 'SET', 'VALUES', 'VALUE', 'PARTITION', 'SELECT', 'WITH', 'AS', 'TABLE', 'ROW',
]);
const JOINS = new Set(['JOIN', 'STRAIGHT_JOIN']);

interface Rel {
  table: QualifiedName;
  /** The name the query knows it by: its alias, else its table name. */
  alias: string;
  offset: number;
}

class Fail extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

/** Whether a string from code starts, after blanks and comments (`#`, `-- `, `/* *\/`), like a DML statement. */
export function looksLikeMysql(text: string): boolean {
  const { tokens } = lex(text.slice(0, 400));
  const [a, b] = tokens;
  if (!a) return false;
  if (a.kind === 'word') return DML.has(a.v);
  return a.kind === 'op' && a.v === '(' && b?.kind === 'word' && (b.v === 'SELECT' || b.v === 'WITH');
}

/** Analyzes MySQL/MariaDB SQL text (one or more statements) against the changed columns, for an app deployed in `phase`. */
export function analyzeMysqlSql(sql: string, cols: ChangedColumn[], phase: AppPhase, o: Pick<LexOptions, 'ansiQuotes' | 'noBackslashEscapes'> = {}): SqlAnalysis {
  const result: SqlAnalysis = { parsed: true, errors: [], issues: [], tables: new Set(), reads: new Set() };
  const { tokens, pieces } = splitMysql(sql, 0, o);
  for (const piece of pieces) {
    const toks = tokens.slice(piece.from, piece.to).filter((t) => t.kind !== 'delimiter');
    const first = toks[0];
    if (!first) continue;
    try {
      const bad = toks.find((t) => t.unterminated);
      if (bad) throw new Fail(`unterminated ${bad.kind === 'ident' ? 'quoted name' : 'string'}`, bad.start);
      const head = first.kind === 'op' && first.v === '(' ? toks.find((t) => t.kind !== 'op' || t.v !== '(') : first;
      if (!head || head.kind !== 'word' || !DML.has(head.v)) continue;
      new StatementReader(sql, toks, cols, phase, result, o).read();
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      result.errors.push({ offset: e.offset, message: e.reason });
    }
  }
  if (result.errors.length) {
    result.parsed = false;
    result.error = result.errors[0]!.message;
  }
  return result;
}

class StatementReader {
  /** Parenthesis depth of each token ('(' and ')' are at the depth outside them). */
  private readonly depth: number[] = [];
  /** For each '(' its ')'. */
  private readonly closing = new Map<number, number>();

  constructor(
    private readonly sql: string,
    private readonly toks: Token[],
    private readonly cols: ChangedColumn[],
    private readonly phase: AppPhase,
    private readonly result: SqlAnalysis,
    private readonly lexOptions: Pick<LexOptions, 'noBackslashEscapes'>,
  ) {
    const open: number[] = [];
    toks.forEach((t, i) => {
      if (t.kind === 'op' && t.v === ')') {
        const from = open.pop();
        if (from === undefined) throw new Fail('unbalanced parentheses: a ) without its (', t.start);
        this.closing.set(from, i);
      }
      this.depth.push(open.length);
      if (t.kind === 'op' && t.v === '(') open.push(i);
    });
    if (open.length) throw new Fail('unbalanced parentheses: a ( is not closed', toks[open[open.length - 1]!]!.start);
  }

  private word(i: number, ...v: string[]): boolean {
    const t = this.toks[i];
    return !!t && t.kind === 'word' && v.includes(t.v);
  }

  private op(i: number, v: string): boolean {
    const t = this.toks[i];
    return !!t && t.kind === 'op' && t.v === v;
  }

  private isName(i: number): boolean {
    const t = this.toks[i];
    return !!t && (t.kind === 'word' || t.kind === 'ident');
  }

  /** A name as the server reads it: a quoted one unquoted, a word as written. */
  private text(i: number): string {
    const t = this.toks[i]!;
    return t.kind === 'ident' ? tokenValue(this.sql, t, 0, this.lexOptions) : this.sql.slice(t.start, t.end);
  }

  /** `name` or `schema.name` at `i`; `next` is the token after it. */
  private qualified(i: number): { name: QualifiedName; next: number } {
    if (this.op(i + 1, '.') && this.isName(i + 2)) return { name: { schema: this.text(i), name: this.text(i + 2) }, next: i + 3 };
    return { name: { name: this.text(i) }, next: i + 1 };
  }

  private colsOf(t: QualifiedName): ChangedColumn[] {
    // A name without a database is in the connection's database, which may be the change's (unknown here).
    return this.cols.filter((c) => c.table.name === t.name && (!t.schema || !c.table.schema || t.schema === c.table.schema));
  }

  private touch(t: QualifiedName): ChangedColumn[] {
    const mine = this.colsOf(t);
    for (const c of mine) this.result.tables.add(tkey(c.table.schema, c.table.name));
    return mine;
  }

  private readsOf(c: ChangedColumn): void {
    this.result.reads.add(`${tkey(c.table.schema, c.table.name)}.${c.column}`);
  }

  /** The index of the first token in [from, to) at depth `d` that ends a clause (`stop`), else `to`. */
  private until(from: number, to: number, d: number, stop: (i: number) => boolean): number {
    for (let i = from; i < to; i++) {
      if (this.depth[i]! < d) return i;
      if (this.depth[i] === d && stop(i)) return i;
    }
    return to;
  }

  /** Pieces of [from, to) split at `,` on depth `d`. */
  private items(from: number, to: number, d: number): [number, number][] {
    const out: [number, number][] = [];
    let start = from;
    for (let i = from; i < to; i++) {
      if (this.depth[i] === d && this.op(i, ',')) {
        out.push([start, i]);
        start = i + 1;
      }
    }
    if (start < to) out.push([start, to]);
    return out;
  }

  /** The table references of a FROM clause, an UPDATE's table list or a DELETE's FROM, in [from, to) on depth `d`. */
  private refs(from: number, to: number, d: number): Rel[] {
    const rels: Rel[] = [];
    let expect = true;
    for (let k = from; k < to; k++) {
      if (this.depth[k] !== d) continue;
      if (this.op(k, ',') || (this.toks[k]!.kind === 'word' && JOINS.has(this.toks[k]!.v))) {
        expect = true;
        continue;
      }
      if (!expect) continue;
      if (this.word(k, 'LATERAL')) continue;
      expect = false;
      if (this.op(k, '(')) {
        k = this.closing.get(k)!; // a derived table: its SELECT is read on its own
        continue;
      }
      if (!this.isName(k)) continue;
      const q = this.qualified(k);
      let a = q.next;
      if (this.word(a, 'PARTITION') && this.op(a + 1, '(')) a = this.closing.get(a + 1)! + 1;
      if (this.word(a, 'AS')) a++;
      let alias = q.name.name;
      const t = this.toks[a];
      if (a < to && t && (t.kind === 'ident' || (t.kind === 'word' && !NOT_ALIAS.has(t.v)))) {
        alias = this.text(a);
        k = a;
      } else k = q.next - 1;
      rels.push({ table: q.name, alias, offset: this.toks[k]!.start });
      this.touch(q.name);
    }
    return rels;
  }

  read(): void {
    if (this.word(0, 'INSERT', 'REPLACE')) this.insert();
    else if (this.word(0, 'UPDATE')) {
      let k = 1;
      while (this.word(k, 'LOW_PRIORITY', 'IGNORE')) k++;
      this.refs(k, this.until(k, this.toks.length, 0, (i) => this.word(i, 'SET')), 0);
    } else if (this.word(0, 'DELETE')) this.delete();
    else if (this.word(0, 'TABLE') && this.isName(1)) {
      // MySQL 8.0.19+ `TABLE t`: SELECT * FROM t.
      const q = this.qualified(1);
      const mine = this.touch(q.name);
      for (const c of mine) this.readsOf(c);
      if (mine.length) this.result.issues.push(starIssue(mine, 'TABLE …', this.toks[1]!.start, this.phase));
    }
    // Every SELECT anywhere in the statement (subqueries, INSERT … SELECT, derived tables, UNION branches).
    this.toks.forEach((t, i) => {
      if (t.kind === 'word' && t.v === 'SELECT') this.select(i);
    });
  }

  private insert(): void {
    const verb = this.toks[0]!.v;
    let k = 1;
    while (this.word(k, 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE')) k++;
    if (this.word(k, 'INTO')) k++;
    if (!this.isName(k)) throw new Fail(`cannot read the table this ${verb} writes`, this.toks[k]?.start ?? this.toks[0]!.start);
    const at = this.toks[k]!.start;
    const q = this.qualified(k);
    k = q.next;
    if (this.word(k, 'PARTITION') && this.op(k + 1, '(')) k = this.closing.get(k + 1)! + 1;
    const mine = this.touch(q.name);
    const head = `${verb} INTO ${q.name.name}`;
    let listed: string[] | undefined;
    if (this.op(k, '(') && !this.word(k + 1, 'SELECT', 'WITH', 'VALUES', 'TABLE') && !this.op(k + 1, '(')) {
      const end = this.closing.get(k)!;
      listed = this.items(k + 1, end, 1).map(([a, b]) => this.text(b - 1)); // `t.col` → col
      k = end + 1;
    }
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    const nullish = ([a, b]: [number, number]) => b - a === 1 && this.word(a, 'NULL', 'DEFAULT');
    if (this.word(k, 'VALUES', 'VALUE')) {
      // Rows: `(…), (…)` or MySQL 8's `ROW(…), ROW(…)`.
      const rows: [number, number][][] = [];
      for (let i = k + 1; i < this.toks.length && this.depth[i] === 0; i++) {
        if (this.word(i, 'ROW')) continue;
        if (!this.op(i, '(')) {
          if (this.op(i, ',')) continue;
          break;
        }
        const end = this.closing.get(i)!;
        rows.push(this.items(i + 1, end, 1));
        i = end;
      }
      this.result.issues.push(...insertIssues(mine, listed, `${head} VALUES …`, head, at, (i) => rows.some((r) => !!r[i] && nullish(r[i]!)), same));
    } else if (this.word(k, 'SET') && !listed) {
      // INSERT INTO t SET a = 1, b = 2: the assignments are the column list.
      const end = this.until(k + 1, this.toks.length, 0, (i) => this.word(i, 'ON', 'RETURNING'));
      const sets = this.items(k + 1, end, 0).map(([a, b]) => {
        const eq = this.toks.findIndex((t, i) => i >= a && i < b && t.kind === 'op' && t.v === '=');
        return { name: eq > a ? this.text(eq - 1) : '', value: [eq + 1, b] as [number, number] };
      });
      this.result.issues.push(...insertIssues(mine, sets.map((s) => s.name), `${head} SET …`, head, at, (i) => !!sets[i] && nullish(sets[i]!.value), same));
    } else if (this.word(k, 'SELECT', 'WITH', 'TABLE') || this.op(k, '(')) {
      this.result.issues.push(...insertIssues(mine, listed, `${head} SELECT …`, head, at, undefined, same));
    }
    this.returning(mine);
  }

  private delete(): void {
    let k = 1;
    while (this.word(k, 'LOW_PRIORITY', 'QUICK', 'IGNORE')) k++;
    // DELETE FROM t … / DELETE t1 FROM t1 JOIN t2 … / DELETE FROM t1 USING t1 JOIN t2 …
    const from = this.until(k, this.toks.length, 0, (i) => this.word(i, 'FROM'));
    const start = from < this.toks.length ? from + 1 : k;
    const rels = this.refs(start, this.until(start, this.toks.length, 0, (i) => this.word(i, 'WHERE', 'USING', 'ORDER', 'LIMIT', 'RETURNING')), 0);
    const using = this.until(start, this.toks.length, 0, (i) => this.word(i, 'USING'));
    if (using < this.toks.length) this.refs(using + 1, this.until(using + 1, this.toks.length, 0, (i) => this.word(i, 'WHERE', 'RETURNING')), 0);
    this.returning(rels[0] ? this.colsOf(rels[0].table) : []);
  }

  /** MariaDB `INSERT|REPLACE|DELETE … RETURNING …`. */
  private returning(mine: ChangedColumn[]): void {
    const r = this.until(0, this.toks.length, 0, (i) => this.word(i, 'RETURNING'));
    if (r >= this.toks.length || !mine.length) return;
    for (const [a, b] of this.items(r + 1, this.toks.length, 0)) {
      if (b - a === 1 && this.op(a, '*')) {
        for (const c of mine) this.readsOf(c);
        this.result.issues.push(starIssue(mine, 'RETURNING *', this.toks[a]!.start, this.phase));
        continue;
      }
      for (let i = a; i < b; i++) if (this.isName(i)) for (const c of mine) if (c.column.toLowerCase() === this.text(i).toLowerCase()) this.readsOf(c);
    }
  }

  private select(i: number): void {
    const d = this.depth[i]!;
    const n = this.toks.length;
    // The SELECT's own scope: to the ) that closes it or a set operator that starts the next branch.
    const scopeEnd = this.until(i + 1, n, d, (j) => this.word(j, 'UNION', 'EXCEPT', 'INTERSECT') || (this.word(j, 'ON') && this.word(j + 1, 'DUPLICATE')));
    let k = i + 1;
    while (k < scopeEnd && this.toks[k]!.kind === 'word' && SELECT_MODIFIERS.has(this.toks[k]!.v)) k++;
    const listEnd = this.until(k, scopeEnd, d, (j) => this.toks[j]!.kind === 'word' && LIST_END.has(this.toks[j]!.v));
    let rels: Rel[] = [];
    if (this.word(listEnd, 'FROM')) rels = this.refs(listEnd + 1, this.until(listEnd + 1, scopeEnd, d, (j) => this.toks[j]!.kind === 'word' && FROM_END.has(this.toks[j]!.v)), d);
    const withCols = rels.map((r) => ({ ...r, cols: this.colsOf(r.table) }));
    if (!withCols.some((r) => r.cols.length)) return;
    // EXISTS (SELECT * …) returns no columns: its star is harmless.
    const inExists = this.op(i - 1, '(') && this.word(i - 2, 'EXISTS');
    for (const [a, b] of this.items(k, listEnd, d)) {
      let qualifier: string | undefined;
      let star = -1;
      if (b - a === 1 && this.op(a, '*')) star = a;
      else if (b - a === 3 && this.isName(a) && this.op(a + 1, '.') && this.op(a + 2, '*')) [qualifier, star] = [this.text(a), a];
      else if (b - a === 5 && this.isName(a) && this.op(a + 1, '.') && this.isName(a + 2) && this.op(a + 3, '.') && this.op(a + 4, '*')) [qualifier, star] = [this.text(a + 2), a];
      if (star >= 0) {
        const over = qualifier !== undefined ? withCols.filter((r) => r.alias === qualifier) : withCols;
        const mine = over.flatMap((r) => r.cols);
        if (!mine.length) continue;
        for (const c of mine) this.readsOf(c);
        if (!inExists) this.result.issues.push(starIssue(mine, qualifier !== undefined ? `SELECT ${qualifier}.*` : 'SELECT *', this.toks[star]!.start, this.phase));
        continue;
      }
      // Columns read by name in this item: `col`, `alias.col`, `db.t.col` (a name before `(` is a function).
      for (let j = a; j < b; j++) {
        if (!this.isName(j) || this.op(j + 1, '(') || this.op(j - 1, '.')) continue;
        let q: string | undefined;
        let name = j;
        while (this.op(name + 1, '.') && this.isName(name + 2)) {
          q = this.text(name);
          name += 2;
        }
        const col = this.text(name).toLowerCase();
        const over = q !== undefined ? withCols.filter((r) => r.alias === q) : withCols;
        for (const r of over) for (const c of r.cols) if (c.column.toLowerCase() === col) this.readsOf(c);
        j = name;
      }
    }
  }
}
