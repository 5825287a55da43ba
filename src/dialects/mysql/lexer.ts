/**
 * The one MySQL/MariaDB lexer: nothing else in lockstep scans MySQL SQL. It gives tokens with UTF-16
 * file offsets, the comments (for `lockstep-ignore`), and the statement boundaries the mysql client
 * would see: `;` outside strings and comments, or the delimiter a `DELIMITER x` line set (the client
 * command used around CREATE TRIGGER/PROCEDURE bodies). Grouping tokens into statements (and keeping
 * BEGIN…END bodies whole without DELIMITER) is the splitter's job (splitter.ts), on these tokens.
 *
 * What it knows of the server's lexer:
 * - strings `'…'` and `"…"` with backslash escapes and doubled quotes; with sql_mode ANSI_QUOTES `"…"`
 *   is an identifier, with NO_BACKSLASH_ESCAPES a backslash is an ordinary character (options);
 * - identifiers `` `…` `` with ``` `` ``` for a backtick; unquoted ones may start with a digit (`1st`)
 *   but are not all digits; `$` and characters from U+0080 up are identifier characters;
 * - comments `# …`, `-- …` (the two dashes must be followed by a space or control character, or end
 *   the text: `1--1` is arithmetic), and `/* … *\/` (not nested);
 * - executable comments: `/*! … *\/` and `/*!50700 … *\/` are SQL for MySQL and MariaDB at/above that
 *   version, `/*M! … *\/` and `/*M!100500 … *\/` for MariaDB only. Their content is lexed as code when
 *   the target server runs it (without a target: every `/*!` runs, no `/*M!` does), else it is a comment;
 * - numbers (`12`, `1.5e-3`, `.5`), `0x1F`/`X'1F'` hex, `0b101`/`b'101'` bits, `N'…'` and
 *   introducers (`_utf8mb4'…'`, `_binary 'x'` is a word then a string), `@var`, `` @`v` ``,
 *   `@@var`, `@@session.var`, `?` placeholders, and the operators (`<=>`, `:=`, `->>`, …).
 * Unterminated strings and comments run to the end of the text (the token says so); nothing throws.
 */
import type { ServerVersion } from '../../core/version.js';
import type { Comment } from '../dialect.js';

export type TokenKind =
  /** An unquoted identifier or keyword; `v` is its upper-case text. */
  | 'word'
  /** A quoted identifier (`` `x` ``, or `"x"` under ANSI_QUOTES); tokenValue() unquotes it. */
  | 'ident'
  /** A string literal (also `N'…'`, `_utf8mb4'…'`); tokenValue() unescapes it. */
  | 'string'
  | 'number'
  /** `0x1F`, `X'1F'`. */
  | 'hex'
  /** `0b101`, `b'101'`. */
  | 'bit'
  /** `@name`, `@'name'`; tokenValue() gives the name. */
  | 'var'
  /** `@@name`, `@@session.name`; `v` is the lower-case text after `@@`. */
  | 'sysvar'
  /** `?` */
  | 'param'
  /** Punctuation and operators; `v` is the operator (`(`, `<=>`, `;` inside a DELIMITER block). */
  | 'op'
  /** The statement terminator (`;`, or the delimiter a DELIMITER line set); `v` is its text. */
  | 'end'
  /** A `DELIMITER x` line of the mysql client (the whole line); `v` is the new delimiter. */
  | 'delimiter';

export interface Token {
  kind: TokenKind;
  /** File offsets (UTF-16): `base` + offset in the lexed text. */
  start: number;
  end: number;
  /** Words: upper-case text; ops: the operator; sysvar: lower-case name; end/delimiter: the delimiter. */
  v: string;
  /** Strings and quoted identifiers/variables: file offset just after the opening quote. */
  vs?: number;
  /** An unterminated string or quoted identifier (runs to the end of the text). */
  unterminated?: boolean;
}

export interface LexOptions {
  /** The server the SQL is for: decides which executable comments are code. */
  server?: ServerVersion;
  /** sql_mode ANSI_QUOTES: `"x"` is an identifier. */
  ansiQuotes?: boolean;
  /** sql_mode NO_BACKSLASH_ESCAPES: `\` is not an escape in strings. */
  noBackslashEscapes?: boolean;
  /** The initial statement delimiter (`;`). */
  delimiter?: string;
  /** Collect comments too (off by default: the parser does not need them). */
  comments?: boolean;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** Identifier characters: letters, digits, `_`, `$`, and everything from U+0080 (MySQL allows U+0080..U+FFFF). */
const isIdent = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c === 36 || c >= 0x80;

const THREE = new Set(['<=>', '->>']);
const TWO = new Set(['<=', '>=', '<>', '!=', ':=', '||', '&&', '<<', '>>', '->']);

/** The version an executable comment names (`50700` → 5.7.0, `100500` → 10.5.0) as a number comparable with serverNumber(). */
function serverNumber(v: ServerVersion): number {
  return v.major * 10000 + (v.minor ?? 0) * 100 + (v.patch ?? 0);
}

/** Whether the target runs an executable comment: `mariadbOnly` for `/*M!`; `version` 0 when none is written. */
function runs(server: ServerVersion | undefined, mariadbOnly: boolean, version: number): boolean {
  if (!server) return !mariadbOnly;
  if (mariadbOnly && server.flavor !== 'mariadb') return false;
  return serverNumber(server) >= version;
}

/**
 * Lexes `text` (a file, or a section of one that starts at file offset `base`).
 */
export function lex(text: string, base = 0, o: LexOptions = {}): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const wantComments = !!o.comments;
  const n = text.length;
  const backslash = !o.noBackslashEscapes;
  const ansi = !!o.ansiQuotes;
  let delim = o.delimiter ?? ';';
  let custom = delim !== ';';
  let d0 = delim.charCodeAt(0);
  /** Inside an executable comment that runs: its `*\/` closes it. */
  let inExec = false;
  /** No token since the last statement end: a DELIMITER line may come. */
  let atStart = true;
  let i = 0;

  const comment = (s: number, e: number) => {
    if (wantComments) comments.push({ span: { start: base + s, end: base + e }, text: text.slice(s, e) });
  };
  const push = (kind: TokenKind, s: number, e: number, v: string, vs?: number, unterminated?: boolean) => {
    const t: Token = { kind, start: base + s, end: base + e, v };
    if (vs !== undefined) t.vs = base + vs;
    if (unterminated) t.unterminated = true;
    tokens.push(t);
    atStart = kind === 'end' || kind === 'delimiter';
  };
  /** Offset after the closing `q` of a quoted run starting after its opening quote at `j`; -1 when unterminated. */
  const closeQuote = (j: number, q: number, escapes: boolean): number => {
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 92 /* \ */ && escapes) j += 2;
      else if (c === q) {
        if (text.charCodeAt(j + 1) === q) j += 2;
        else return j + 1;
      } else j++;
    }
    return -1;
  };
  /** A quoted token from `s` whose opening quote is at `q0`. */
  const quoted = (kind: TokenKind, s: number, q0: number, escapes: boolean) => {
    const e = closeQuote(q0 + 1, text.charCodeAt(q0), escapes);
    push(kind, s, e < 0 ? n : e, '', q0 + 1, e < 0);
    i = e < 0 ? n : e;
  };
  /** Whether the custom delimiter starts at `j`. */
  const delimAt = (j: number) => custom && text.charCodeAt(j) === d0 && text.startsWith(delim, j);
  /** At a line start (only spaces or tabs since the previous newline). */
  const lineStart = (j: number) => {
    for (let k = j - 1; k >= 0; k--) {
      const c = text.charCodeAt(k);
      if (c === 10) return true;
      if (c !== 32 && c !== 9 && c !== 13) return false;
    }
    return true;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // The statement delimiter first: the mysql client finds it before anything else (`END$$`).
    if (custom ? delimAt(i) : c === 59 /* ; */) {
      push('end', i, i + delim.length, delim);
      i += delim.length;
      continue;
    }
    // Comments.
    if (c === 35 /* # */ || (c === 45 && text.charCodeAt(i + 1) === 45 && (i + 2 >= n || text.charCodeAt(i + 2) <= 32))) {
      const nl = text.indexOf('\n', i);
      let e = nl < 0 ? n : nl;
      if (e > i && text.charCodeAt(e - 1) === 13) e--;
      comment(i, e);
      i = e;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const s = i;
      let j = i + 2;
      const bang = text.charCodeAt(j) === 33; // /*!
      const mBang = !bang && (text.charCodeAt(j) === 77 || text.charCodeAt(j) === 109) && text.charCodeAt(j + 1) === 33; // /*M!
      if ((bang || mBang) && !inExec) {
        j += bang ? 1 : 2;
        let d = 0;
        while (d < 6 && isDigit(text.charCodeAt(j + d))) d++;
        const version = d >= 5 ? Number(text.slice(j, j + d)) : 0;
        if (d >= 5) j += d;
        else d = 0;
        if (runs(o.server, mBang, version)) {
          inExec = true;
          i = j;
          continue;
        }
      }
      const close = text.indexOf('*/', i + 2);
      const e = close < 0 ? n : close + 2;
      comment(s, e);
      i = e;
      continue;
    }
    if (inExec && c === 42 && text.charCodeAt(i + 1) === 47) {
      inExec = false;
      i += 2;
      continue;
    }
    // DELIMITER lines (the mysql client's command), only where a statement may start.
    if (atStart && (c === 100 || c === 68) && i + 9 < n && isSpace(text.charCodeAt(i + 9)) && text.charCodeAt(i + 9) !== 10 && text.slice(i, i + 9).toLowerCase() === 'delimiter' && lineStart(i)) {
      let j = i + 9;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
      const nl = text.indexOf('\n', j);
      let e = nl < 0 ? n : nl;
      if (e > j && text.charCodeAt(e - 1) === 13) e--;
      let arg = text.slice(j, e).trim();
      const q = arg.charCodeAt(0);
      if ((q === 39 || q === 34 || q === 96) && arg.indexOf(arg[0]!, 1) > 0) arg = arg.slice(1, arg.indexOf(arg[0]!, 1));
      else arg = arg.split(/[ \t]/)[0]!;
      if (arg.length > 0) {
        delim = arg;
        custom = delim !== ';';
        d0 = delim.charCodeAt(0);
        push('delimiter', i, e, delim);
        i = e;
        continue;
      }
    }
    const c1 = text.charCodeAt(i + 1);
    // Strings and quoted identifiers.
    if (c === 39 /* ' */) {
      quoted('string', i, i, backslash);
      continue;
    }
    if (c === 34 /* " */) {
      if (ansi) quoted('ident', i, i, false);
      else quoted('string', i, i, backslash);
      continue;
    }
    if (c === 96 /* ` */) {
      quoted('ident', i, i, false);
      continue;
    }
    // X'…', B'…', N'…' and _charset'…'.
    if (c1 === 39 && (c === 120 || c === 88 || c === 98 || c === 66 || c === 110 || c === 78)) {
      const kind: TokenKind = c === 110 || c === 78 ? 'string' : c === 120 || c === 88 ? 'hex' : 'bit';
      quoted(kind, i, i + 1, kind === 'string' && backslash);
      continue;
    }
    if (c === 95 /* _ */) {
      let j = i + 1;
      while (j < n && isIdent(text.charCodeAt(j)) && !delimAt(j)) j++;
      const q = text.charCodeAt(j);
      if (j > i + 1 && (q === 39 || (q === 34 && !ansi))) {
        quoted('string', i, j, backslash);
        continue;
      }
    }
    // Numbers and words (an identifier may start with digits: `1st`, but `1e5` and `0x1F` are numbers).
    if (isDigit(c) || (c === 46 /* . */ && isDigit(c1) && !afterName(tokens))) {
      const e = numberEnd(text, i, n);
      if (e > 0 && !(e < n && isIdent(text.charCodeAt(e)) && !delimAt(e))) {
        const kind: TokenKind = c === 48 && (c1 === 120 || c1 === 88) ? 'hex' : c === 48 && (c1 === 98 || c1 === 66) ? 'bit' : 'number';
        push(kind, i, e, text.slice(i, e));
        i = e;
        continue;
      }
      if (c === 46) {
        push('op', i, i + 1, '.');
        i++;
        continue;
      }
      // digits followed by identifier characters: a word
    }
    if (isIdent(c)) {
      let j = i + 1;
      if (custom) while (j < n && isIdent(text.charCodeAt(j)) && !delimAt(j)) j++;
      else while (j < n && isIdent(text.charCodeAt(j))) j++;
      push('word', i, j, text.slice(i, j).toUpperCase());
      i = j;
      continue;
    }
    // Variables.
    if (c === 64 /* @ */) {
      if (c1 === 64) {
        let j = i + 2;
        if (text.charCodeAt(j) === 96) {
          const e = closeQuote(j + 1, 96, false);
          j = e < 0 ? n : e;
        } else while (j < n && (isIdent(text.charCodeAt(j)) || text.charCodeAt(j) === 46) && !delimAt(j)) j++;
        push('sysvar', i, j, text.slice(i + 2, j).toLowerCase());
        i = j;
        continue;
      }
      if (c1 === 39 || c1 === 34 || c1 === 96) {
        quoted('var', i, i + 1, c1 !== 96 && backslash);
        continue;
      }
      let j = i + 1;
      while (j < n && (isIdent(text.charCodeAt(j)) || text.charCodeAt(j) === 46) && !delimAt(j)) j++;
      push('var', i, j, '', i + 1);
      i = j;
      continue;
    }
    if (c === 63 /* ? */) {
      push('param', i, i + 1, '?');
      i++;
      continue;
    }
    // Operators and punctuation.
    const three = text.slice(i, i + 3);
    if (THREE.has(three)) {
      push('op', i, i + 3, three);
      i += 3;
      continue;
    }
    const two = three.slice(0, 2);
    if (TWO.has(two)) {
      push('op', i, i + 2, two);
      i += 2;
      continue;
    }
    push('op', i, i + 1, text[i]!);
    i++;
  }
  return { tokens, comments };
}

/** A `.` right after a name is a qualifier (`t.5col` is rare, `t.col` common), not the start of `.5`. */
function afterName(tokens: Token[]): boolean {
  const t = tokens[tokens.length - 1];
  return !!t && (t.kind === 'word' || t.kind === 'ident');
}

/** End of the number at `i` (`12`, `1.5`, `.5`, `1e-3`, `0x1f`, `0b10`), or -1 when it is not one. */
function numberEnd(text: string, i: number, n: number): number {
  const c = text.charCodeAt(i);
  const c1 = text.charCodeAt(i + 1);
  if (c === 48 && (c1 === 120 || c1 === 88) && isHex(text.charCodeAt(i + 2))) {
    let j = i + 2;
    while (j < n && isHex(text.charCodeAt(j))) j++;
    return j;
  }
  if (c === 48 && (c1 === 98 || c1 === 66) && (text.charCodeAt(i + 2) === 48 || text.charCodeAt(i + 2) === 49)) {
    let j = i + 2;
    while (j < n && (text.charCodeAt(j) === 48 || text.charCodeAt(j) === 49)) j++;
    return j;
  }
  let j = i;
  while (j < n && isDigit(text.charCodeAt(j))) j++;
  if (text.charCodeAt(j) === 46) {
    j++;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
  }
  const e = text.charCodeAt(j);
  if (e === 101 || e === 69) {
    let k = j + 1;
    const s = text.charCodeAt(k);
    if (s === 43 || s === 45) k++;
    if (isDigit(text.charCodeAt(k))) {
      while (k < n && isDigit(text.charCodeAt(k))) k++;
      j = k;
    }
  }
  return j;
}

/**
 * The value of a string, quoted identifier or variable token: quotes removed, doubled quotes and (in
 * strings, unless NO_BACKSLASH_ESCAPES) backslash escapes resolved. `text` is the lexed text, `base`
 * the offset it was lexed at. Words give their text as written; other tokens their text.
 */
export function tokenValue(text: string, t: Token, base = 0, o: { noBackslashEscapes?: boolean } = {}): string {
  if (t.vs === undefined) return text.slice(t.start - base, t.end - base);
  const from = t.vs - base;
  const q = text.charCodeAt(from - 1);
  const to = t.unterminated ? t.end - base : t.end - base - 1;
  if (t.kind === 'var' && q !== 39 && q !== 34 && q !== 96) return text.slice(from, t.end - base);
  const escapes = q !== 96 && t.kind !== 'ident' && !o.noBackslashEscapes;
  let out = '';
  let run = from;
  for (let j = from; j < to; j++) {
    const c = text.charCodeAt(j);
    if (c === q && text.charCodeAt(j + 1) === q) {
      out += text.slice(run, j + 1);
      j++;
      run = j + 1;
    } else if (c === 92 && escapes && j + 1 < to) {
      out += text.slice(run, j);
      const e = text[j + 1]!;
      out += ESCAPES[e] ?? (e === '%' || e === '_' ? '\\' + e : e);
      j++;
      run = j + 1;
    }
  }
  return run === from ? text.slice(from, to) : out + text.slice(run, to);
}

const ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

/** Every comment in `text` (a file or a section at `base`): what the server would not run for `server`. */
export function comments(text: string, base = 0, o: Omit<LexOptions, 'comments'> = {}): Comment[] {
  return lex(text, base, { ...o, comments: true }).comments;
}
