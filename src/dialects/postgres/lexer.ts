/**
 * The one hand-written PostgreSQL lexer: tokens of SQL text with UTF-16 offsets (what `String.slice`
 * takes), following the rules of the server's scanner (src/backend/parser/scan.l) for everything that
 * decides where a token ends:
 *
 * - strings `'…'` (with `''`), `E'…'` (backslash escapes), `B'…'` / `X'…'` (no `''`), `U&'…'`, and a
 *   string continued on a later line (`'a'⏎'b'` is one string, as in the server);
 * - quoted identifiers `"…"` (with `""`) and `U&"…"`;
 * - dollar quotes `$tag$…$tag$`: a tag is an identifier without `$` (non-ASCII letters allowed), `$1` is a
 *   parameter and never a tag, and `a$b$` is one identifier (`$` continues an identifier);
 * - nested block comments, line comments; numbers (`1_000`, `0x1F`, `1.5e3`, `.5`, `1..2` is `1` `..` `2`);
 * - operators as the server cuts them (`=-1` is `=` `-` `1`, `a*\/b` keeps `*\/` as one operator), `::`, `:=`, `=>`.
 *
 * Whatever is unterminated (a quote, a comment) runs to the end of the text and is marked so; the lexer
 * never throws. libpg-query's `scanTokens` (parser.ts) is the grammar's own scanner and names keywords, but
 * it is slower, works in bytes and rejects a whole text for one unterminated quote; this lexer is for
 * everything that only needs to know where tokens, strings and comments are.
 */
import type { Span } from '../../core/types.js';

export type TokenKind =
  /** An unquoted identifier or keyword. */
  | 'word'
  /** `"…"` or `U&"…"`. */
  | 'quoted'
  /** `'…'`, `E'…'`, `B'…'`, `X'…'`, `U&'…'`. */
  | 'string'
  /** `$$…$$`, `$tag$…$tag$`. */
  | 'dollar'
  | 'number'
  /** `$1`. */
  | 'param'
  /** `=`, `<>`, `::`, `:=`, `=>`, `..`, `@>`, … */
  | 'operator'
  /** One of `( ) [ ] , ; . :` and any other single character. */
  | 'punct'
  /** `-- …` (without its line break) or `/* … *\/`. */
  | 'comment';

export interface LexToken {
  kind: TokenKind;
  /** UTF-16 offsets into the lexed text. */
  start: number;
  end: number;
  /** A quote, dollar quote or block comment that the text ends inside. */
  unterminated?: true;
}

// Character classes, by UTF-16 code unit. Every unit ≥ 0x80 is an identifier character, as every byte
// ≥ 0x80 is to the server's scanner (so a non-ASCII letter, or a no-break space, continues a name).
const SPACE = 1;
const IDENT_START = 2;
const IDENT_CONT = 4;
const DIGIT = 8;
const OP_CHAR = 16;
const cls = new Uint8Array(128);
for (const c of ' \t\n\r\f\v') cls[c.charCodeAt(0)]! |= SPACE;
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) cls[c]! |= IDENT_START | IDENT_CONT;
  if (/[0-9]/.test(ch)) cls[c]! |= DIGIT | IDENT_CONT;
}
cls[36 /* $ */]! |= IDENT_CONT;
for (const c of '~!@#^&|`?+-*/%<>=') cls[c.charCodeAt(0)]! |= OP_CHAR;

const is = (c: number, k: number) => (c < 128 ? (cls[c]! & k) !== 0 : k === IDENT_START || k === IDENT_CONT);
/** A character that can start an identifier (or a dollar-quote tag). */
export const isIdentStart = (c: number) => is(c, IDENT_START);
/** A character that can continue an identifier (`$` included). */
export const isIdentCont = (c: number) => is(c, IDENT_CONT);
export const isSpace = (c: number) => c < 128 && (cls[c]! & SPACE) !== 0;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isOpChar = (c: number) => c < 128 && (cls[c]! & OP_CHAR) !== 0;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

const Q = 39; // '
const DQ = 34; // "

/**
 * A cursor over SQL text. `next()` moves to the next token (whitespace skipped) and sets `kind`,
 * `start`, `end`, `unterminated`; it returns false at the end. No allocation per token.
 */
export class PgLexer {
  kind: TokenKind = 'punct';
  start = 0;
  end = 0;
  unterminated = false;
  private pos: number;

  constructor(
    readonly text: string,
    from = 0,
    private readonly limit = text.length,
    /** Join a string continued on a later line (`'a'⏎'b'`) into one token, as the server does. */
    private readonly joinStrings = true,
  ) {
    this.pos = from;
  }

  /** Where the next token (or whitespace before it) begins. */
  get offset(): number {
    return this.pos;
  }

  next(): boolean {
    const t = this.text;
    const n = this.limit;
    let i = this.pos;
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    if (i >= n) {
      this.pos = n;
      return false;
    }
    this.start = i;
    this.unterminated = false;
    const c = t.charCodeAt(i);
    const c1 = i + 1 < n ? t.charCodeAt(i + 1) : -1;
    let end: number;
    if (c === 45 /* - */ && c1 === 45) {
      this.kind = 'comment';
      end = lineEnd(t, i, n);
    } else if (c === 47 /* / */ && c1 === 42 /* * */) {
      this.kind = 'comment';
      end = this.blockComment(i);
    } else if (c === Q) {
      this.kind = 'string';
      end = this.string(i + 1, 'q');
    } else if (c === DQ) {
      this.kind = 'quoted';
      end = this.quotedIdent(i + 1);
    } else if (isIdentStart(c)) {
      // String and identifier prefixes: E'…', B'…', X'…', U&'…', U&"…" (N'…' is the word N and a string, as the server scans it).
      if (c1 === Q && (c === 69 || c === 101)) {
        this.kind = 'string';
        end = this.string(i + 2, 'e');
      } else if (c1 === Q && (c === 66 || c === 98 || c === 88 || c === 120)) {
        this.kind = 'string';
        end = this.string(i + 2, 'b');
      } else if ((c === 85 || c === 117) && c1 === 38 /* & */ && i + 2 < n && (t.charCodeAt(i + 2) === Q || t.charCodeAt(i + 2) === DQ)) {
        if (t.charCodeAt(i + 2) === Q) {
          this.kind = 'string';
          end = this.string(i + 3, 'q');
        } else {
          this.kind = 'quoted';
          end = this.quotedIdent(i + 3);
        }
      } else {
        this.kind = 'word';
        end = i + 1;
        while (end < n && isIdentCont(t.charCodeAt(end))) end++;
      }
    } else if (c === 36 /* $ */) {
      end = this.dollar(i);
    } else if (isDigit(c) || (c === 46 /* . */ && isDigit(c1))) {
      this.kind = 'number';
      end = this.number(i);
    } else if (c === 46 /* . */ && c1 === 46) {
      this.kind = 'operator';
      end = i + 2;
    } else if (c === 58 /* : */ && (c1 === 58 || c1 === 61)) {
      this.kind = 'operator';
      end = i + 2;
    } else if (isOpChar(c)) {
      this.kind = 'operator';
      end = this.operator(i);
    } else {
      this.kind = 'punct';
      end = i + 1;
    }
    this.end = end;
    this.pos = end;
    return true;
  }

  private blockComment(i: number): number {
    const t = this.text;
    const n = this.limit;
    let depth = 1;
    i += 2;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 47 && t.charCodeAt(i + 1) === 42 && i + 1 < n) {
        depth++;
        i += 2;
      } else if (c === 42 && t.charCodeAt(i + 1) === 47 && i + 1 < n) {
        i += 2;
        if (--depth === 0) return i;
      } else i++;
    }
    this.unterminated = true;
    return n;
  }

  /** A string's body from `i` (after the opening quote): 'q' standard, 'e' backslash escapes, 'b' bit/hex (no `''`). */
  private string(i: number, mode: 'q' | 'e' | 'b'): number {
    const t = this.text;
    const n = this.limit;
    for (;;) {
      while (i < n) {
        const c = t.charCodeAt(i);
        if (c === 92 /* \ */ && mode === 'e') i += 2;
        else if (c === Q) {
          if (mode !== 'b' && i + 1 < n && t.charCodeAt(i + 1) === Q) i += 2;
          else break;
        } else i++;
      }
      if (i >= n) {
        this.unterminated = true;
        return n;
      }
      i++; // the closing quote
      const more = this.joinStrings ? continuation(t, i, n) : -1;
      if (more < 0) return i;
      i = more + 1;
    }
  }

  private quotedIdent(i: number): number {
    const t = this.text;
    const n = this.limit;
    while (i < n) {
      if (t.charCodeAt(i) === DQ) {
        if (i + 1 < n && t.charCodeAt(i + 1) === DQ) i += 2;
        else return i + 1;
      } else i++;
    }
    this.unterminated = true;
    return n;
  }

  private dollar(i: number): number {
    const t = this.text;
    const n = this.limit;
    const c1 = i + 1 < n ? t.charCodeAt(i + 1) : -1;
    if (isDigit(c1)) {
      this.kind = 'param';
      let j = i + 2;
      while (j < n && isDigit(t.charCodeAt(j))) j++;
      return j;
    }
    let j = i + 1;
    if (isIdentStart(c1)) {
      j++;
      // a tag continues like an identifier, but without `$`
      while (j < n && isIdentCont(t.charCodeAt(j)) && t.charCodeAt(j) !== 36) j++;
    }
    if (j < n && t.charCodeAt(j) === 36) {
      const tag = t.slice(i, j + 1);
      this.kind = 'dollar';
      const close = t.indexOf(tag, j + 1);
      if (close < 0 || close + tag.length > n) {
        this.unterminated = true;
        return n;
      }
      return close + tag.length;
    }
    this.kind = 'punct'; // a lone `$`
    return i + 1;
  }

  private number(i: number): number {
    const t = this.text;
    const n = this.limit;
    const c = t.charCodeAt(i);
    const c1 = i + 1 < n ? t.charCodeAt(i + 1) | 0x20 : -1;
    if (c === 48 && (c1 === 120 || c1 === 111 || c1 === 98) /* x o b */) {
      const ok = c1 === 120 ? isHex : c1 === 111 ? (d: number) => d >= 48 && d <= 55 : (d: number) => d === 48 || d === 49;
      let j = i + 2;
      const from = j;
      for (;;) {
        const d = j < n ? t.charCodeAt(j) : -1;
        if (ok(d)) j++;
        else if (d === 95 && j + 1 < n && ok(t.charCodeAt(j + 1))) j += 2;
        else break;
      }
      if (j > from) return j;
    }
    // decinteger: digits with single underscores between them
    const digits = (j: number): number => {
      const from = j;
      while (j < n) {
        const d = t.charCodeAt(j);
        if (isDigit(d)) j++;
        else if (d === 95 && j > from && j + 1 < n && isDigit(t.charCodeAt(j + 1))) j += 2;
        else break;
      }
      return j;
    };
    let j = digits(i);
    // `1.5`, `1.`, `.5`; but `1..2` is `1` `..` `2`
    if (j < n && t.charCodeAt(j) === 46 && !(j + 1 < n && t.charCodeAt(j + 1) === 46)) j = digits(j + 1);
    if (j < n && (t.charCodeAt(j) | 0x20) === 101 /* e */) {
      let k = j + 1;
      if (k < n && (t.charCodeAt(k) === 43 || t.charCodeAt(k) === 45)) k++;
      if (k < n && isDigit(t.charCodeAt(k))) j = digits(k);
    }
    return j;
  }

  private operator(i: number): number {
    const t = this.text;
    const n = this.limit;
    let j = i + 1;
    while (j < n && isOpChar(t.charCodeAt(j))) {
      // a comment start ends the operator
      const c = t.charCodeAt(j);
      const d = j + 1 < n ? t.charCodeAt(j + 1) : -1;
      if ((c === 45 && d === 45) || (c === 47 && d === 42)) break;
      j++;
    }
    let len = j - i;
    const last = t.charCodeAt(i + len - 1);
    if (len > 1 && (last === 43 || last === 45)) {
      // `+`/`-` end a multi-character operator only when it has a character SQL operators lack (`?-`, `@-`)
      let k = len - 2;
      for (; k >= 0; k--) if ('~!@#^&|`?%'.includes(t[i + k]!)) break;
      if (k < 0) {
        do len--;
        while (len > 1 && (t.charCodeAt(i + len - 1) === 43 || t.charCodeAt(i + len - 1) === 45));
      }
    }
    return i + len;
  }
}

/** After a string's closing quote at `i - 1`: the offset of the quote that continues it on a later line, or -1. */
function continuation(t: string, i: number, n: number): number {
  let newline = false;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c === 10 || c === 13) {
      newline = true;
      i++;
    } else if (c === 32 || c === 9 || c === 12 || (newline && c === 11)) i++;
    else if (c === 45 && t.charCodeAt(i + 1) === 45 && i + 1 < n) {
      i = lineEnd(t, i, n);
      if (newline && i >= n) return -1; // after the newline, a comment must end in one
    } else break;
  }
  return newline && i < n && t.charCodeAt(i) === Q ? i : -1;
}

function lineEnd(t: string, i: number, n: number): number {
  for (let j = i; j < n; j++) {
    const c = t.charCodeAt(j);
    if (c === 10 || c === 13) return j;
  }
  return n;
}

/** Every token of `text` (comments included unless `comments: false`). */
export function lex(text: string, o: { comments?: boolean; from?: number; to?: number; joinStrings?: boolean } = {}): LexToken[] {
  const lx = new PgLexer(text, o.from ?? 0, o.to ?? text.length, o.joinStrings !== false);
  const keep = o.comments !== false;
  const out: LexToken[] = [];
  while (lx.next()) {
    if (!keep && lx.kind === 'comment') continue;
    out.push(lx.unterminated ? { kind: lx.kind, start: lx.start, end: lx.end, unterminated: true } : { kind: lx.kind, start: lx.start, end: lx.end });
  }
  return out;
}

/** Skips whitespace and comments from `i`; returns the offset of the first other character (or `end`). */
export function skipTrivia(text: string, i: number, end = text.length): number {
  const lx = new PgLexer(text, i, end);
  while (lx.next()) if (lx.kind !== 'comment') return lx.start;
  return end;
}

/** Every comment of `text`, as offsets including its `--` or `/*`. */
export function comments(text: string): Span[] {
  const lx = new PgLexer(text);
  const out: Span[] = [];
  while (lx.next()) if (lx.kind === 'comment') out.push({ start: lx.start, end: lx.end });
  return out;
}

const wordIs = (text: string, tok: { start: number; end: number }, upper: string) =>
  tok.end - tok.start === upper.length && text.slice(tok.start, tok.end).toUpperCase() === upper;

/**
 * Statement pieces of `text`, split at top-level `;` (the `;` itself in no piece). A `BEGIN ATOMIC … END`
 * function body stays whole: inside it, `CASE … END` nests. Whatever is unterminated runs to the end.
 */
export function splitStatements(text: string): Span[] {
  const pieces: Span[] = [];
  const lx = new PgLexer(text);
  let start = 0;
  let atomic = 0;
  let cases = 0;
  let prevBegin = false;
  while (lx.next()) {
    const k = lx.kind;
    if (k === 'comment') continue;
    if (k === 'word') {
      const len = lx.end - lx.start;
      if (len === 6 && prevBegin && wordIs(text, lx, 'ATOMIC')) atomic++;
      else if (atomic > 0 && len === 4 && wordIs(text, lx, 'CASE')) cases++;
      else if (atomic > 0 && len === 3 && wordIs(text, lx, 'END')) {
        if (cases > 0) cases--;
        else atomic--;
      }
      prevBegin = len === 5 && wordIs(text, lx, 'BEGIN');
      continue;
    }
    prevBegin = false;
    if (k === 'punct' && atomic === 0 && text.charCodeAt(lx.start) === 59 /* ; */) {
      pieces.push({ start, end: lx.start });
      start = lx.end;
    }
  }
  if (start < text.length) pieces.push({ start, end: text.length });
  return pieces;
}

/** The text a quoted identifier token names (`"a""b"` → `a"b`); undefined for `U&"…"` (escapes not decoded). */
export function quotedName(text: string, tok: { start: number; end: number; unterminated?: true }): string | undefined {
  if (text.charCodeAt(tok.start) !== DQ) return undefined;
  return text.slice(tok.start + 1, tok.unterminated ? tok.end : tok.end - 1).replace(/""/g, '"');
}

/** The name Postgres reads for an unquoted identifier: ASCII letters lower-cased (downcase_identifier). */
export function foldName(word: string): string {
  return word.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

const OPAQUE = new Set<TokenKind>(['string', 'quoted', 'dollar', 'comment']);

/**
 * For code that walks text a character at a time: when a string, quoted identifier, dollar quote or
 * comment starts at `i`, the offset just after it; otherwise -1. A quote right after a prefix (`E'`,
 * `U&'`, `B'`, `X'`) is read with the prefix's rules; `$` inside a word (`a$b$`) starts nothing.
 */
export function skipQuoted(text: string, i: number): number {
  const c = text.charCodeAt(i);
  let from = i;
  if (c === Q || c === DQ) {
    // a prefix just before the quote, at a token start
    const p = text.charCodeAt(i - 1) | 0x20;
    if (c === Q && (p === 101 || p === 98 || p === 120) && !(i > 1 && isIdentCont(text.charCodeAt(i - 2)))) from = i - 1;
    else if (text.charCodeAt(i - 1) === 38 && (text.charCodeAt(i - 2) | 0x20) === 117 && !(i > 2 && isIdentCont(text.charCodeAt(i - 3)))) from = i - 2;
  } else if (c === 36 /* $ */) {
    if (i > 0 && isIdentCont(text.charCodeAt(i - 1))) return -1;
  } else if (c === 45 /* - */) {
    if (text.charCodeAt(i + 1) !== 45) return -1;
  } else if (c === 47 /* / */) {
    if (text.charCodeAt(i + 1) !== 42) return -1;
  } else if (isIdentStart(c)) {
    // E'…', B'…', X'…', U&'…', U&"…" at a token start
    const n1 = text.charCodeAt(i + 1);
    if (i > 0 && isIdentCont(text.charCodeAt(i - 1))) return -1;
    if (n1 !== Q && n1 !== 38) return -1;
  } else return -1;
  const lx = new PgLexer(text, from);
  if (!lx.next() || lx.start !== from || !OPAQUE.has(lx.kind)) return -1;
  return lx.end;
}
