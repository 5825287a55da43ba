/**
 * SQL text → Statement[] with spans, using the real Postgres grammar (libpg-query, PG 18 parser).
 *
 * Offsets: libpg-query reports UTF-8 byte offsets into the text it parsed. Everything downstream of
 * this file works in UTF-16 offsets of the JS string (what `String.prototype.slice` takes, and SARIF's
 * default column unit), so the conversion happens exactly once, here.
 *
 * A syntax error never throws: the text is split into statements with the Postgres scanner, each piece
 * is parsed on its own, and a piece that does not parse becomes a SyntaxProblem at its position while
 * the others are still returned.
 */
import { createRequire } from 'node:module';
import type { Span } from '../../core/types.js';

// libpg-query ships CJS and ESM builds; load the CJS one synchronously so that parse() stays sync.
const require = createRequire(import.meta.url);
const pgq = require('libpg-query') as typeof import('libpg-query');

let loaded: Promise<void> | undefined;
/** Must be awaited once before parse(); the WASM module loads asynchronously. */
export function loadParser(): Promise<void> {
  loaded ??= pgq.loadModule();
  return loaded;
}

/** Whether the parser can be used synchronously now (loadParser() has finished). */
export function parserReady(): boolean {
  try {
    pgq.scanSync(' ');
    return true;
  } catch {
    return false;
  }
}

/** An AST node as libpg-query returns it: `{ AlterTableStmt: {...} }`. */
export type Node = Record<string, any>;

export interface Statement {
  /** The statement's node, e.g. `{ AlterTableStmt: { relation, cmds, … } }`. */
  node: Node;
  /** The node's type name, e.g. `AlterTableStmt`. */
  kind: string;
  /** The inner object of `node` (`node[kind]`). */
  ast: any;
  /** From the statement's first token to its end, without the `;`, in file offsets. */
  span: Span;
  /** The statement's SQL (the text of `span`). */
  text: string;
  /** Maps an AST `location` (bytes in the parsed text) to a file offset. */
  at(location: number | undefined): number;
}

export interface SyntaxProblem {
  message: string;
  /** File offset of the error. */
  offset: number;
  /** The statement (piece) that failed to parse. */
  span: Span;
}

export interface ParsedSql {
  statements: Statement[];
  syntaxErrors: SyntaxProblem[];
}

/** Converts byte offsets of a string's UTF-8 encoding into UTF-16 offsets. */
class ByteMap {
  private readonly map: Uint32Array | undefined;
  constructor(text: string) {
    const bytes = Buffer.byteLength(text);
    if (bytes === text.length) return; // ASCII: identity
    const map = new Uint32Array(bytes + 1);
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
      for (let k = 0; k < n; k++) map[b + k] = i;
      b += n;
      if (n === 4) i++; // surrogate pair: two UTF-16 units, four bytes
    }
    map[bytes] = text.length;
    this.map = map;
  }
  toChar(byte: number): number {
    if (!this.map) return byte;
    return this.map[Math.min(Math.max(byte, 0), this.map.length - 1)]!;
  }
}

/**
 * Parses `text` (a file, or a section of a file starting at file offset `base`).
 * Requires `await loadParser()` first.
 */
export function parsePostgres(text: string, base = 0): ParsedSql {
  const bytes = new ByteMap(text);
  try {
    const result = pgq.parseSync(text);
    return { statements: toStatements(result.stmts ?? [], text, base, bytes), syntaxErrors: [] };
  } catch (err) {
    return parsePieces(text, base, bytes);
  }
}

function toStatements(stmts: any[], text: string, base: number, bytes: ByteMap): Statement[] {
  const out: Statement[] = [];
  for (const raw of stmts) {
    const startByte: number = raw.stmt_location ?? 0; // omitted when 0
    const start = bytes.toChar(startByte);
    const end = raw.stmt_len ? bytes.toChar(startByte + raw.stmt_len) : trimEnd(text, text.length);
    const first = skipTrivia(text, start, end);
    const node = raw.stmt as Node;
    const kind = Object.keys(node)[0]!;
    out.push({
      node,
      kind,
      ast: node[kind],
      span: { start: base + first, end: base + trimEnd(text, end) },
      text: text.slice(first, trimEnd(text, end)),
      at: (loc) => base + (loc === undefined || loc < 0 ? first : bytes.toChar(loc)),
    });
  }
  return out;
}

/** Splits with the scanner, parses each piece; pieces that fail become syntax problems. */
function parsePieces(text: string, base: number, bytes: ByteMap): ParsedSql {
  const statements: Statement[] = [];
  const syntaxErrors: SyntaxProblem[] = [];
  for (const piece of splitStatements(text, bytes)) {
    const pieceText = text.slice(piece.start, piece.end);
    if (skipTrivia(pieceText, 0, pieceText.length) >= pieceText.length) continue; // only comments
    const pieceBytes = new ByteMap(pieceText);

    try {
      const result = pgq.parseSync(pieceText);
      statements.push(...toStatements(result.stmts ?? [], pieceText, base + piece.start, pieceBytes));
    } catch (err: any) {
      const first = skipTrivia(pieceText, 0, pieceText.length);
      // cursorPosition counts characters (code points), 0-based — unlike AST locations, which count bytes.
      const cp = err?.sqlDetails?.cursorPosition;
      const pos = typeof cp === 'number' ? codePointsToOffset(pieceText, cp) : first;
      syntaxErrors.push({
        message: String(err?.sqlDetails?.message ?? err?.message ?? 'syntax error'),
        offset: base + piece.start + Math.min(Math.max(pos, first), pieceText.length),
        span: { start: base + piece.start + first, end: base + piece.start + trimEnd(pieceText, pieceText.length) },
      });
    }
  }
  return { statements, syntaxErrors };
}

/** UTF-16 offset of the `n`th code point (0-based) of `text`. */
export function codePointsToOffset(text: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < text.length; k++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

/**
 * Statement boundaries from the Postgres scanner: top-level `;` tokens, keeping `BEGIN ATOMIC … END`
 * function bodies whole. When the scanner itself fails (an unterminated quote), the rest is one piece.
 */
export function splitStatements(text: string, bytes = new ByteMap(text)): Span[] {
  let tokens: { start: number; end: number; text: string; tokenName: string; keywordName?: string }[];
  try {
    tokens = pgq.scanSync(text).tokens as any;
  } catch {
    // The scanner rejects the whole text for one unterminated quote: split it ourselves, so only
    // the statement with the broken quote is lost.
    return lexFallback(text).pieces;
  }
  const pieces: Span[] = [];
  let start = 0;
  let atomicDepth = 0; // inside BEGIN ATOMIC … END
  let caseDepth = 0;
  let prev = '';
  for (const tok of tokens) {
    const word = tok.text.toUpperCase();
    if (word === 'ATOMIC' && prev === 'BEGIN') atomicDepth++;
    else if (atomicDepth > 0 && word === 'CASE') caseDepth++;
    else if (atomicDepth > 0 && word === 'END') {
      if (caseDepth > 0) caseDepth--;
      else atomicDepth--;
    } else if (tok.text === ';' && atomicDepth === 0) {
      const end = bytes.toChar(tok.start);
      pieces.push({ start, end });
      start = bytes.toChar(tok.end);
    }
    if (!tok.tokenName.endsWith('COMMENT')) prev = word;
  }
  if (start < text.length) pieces.push({ start, end: text.length });
  return pieces;
}

/** Skips whitespace, `-- …` and (nested) `/* … *\/` comments from `i`; returns the first other offset. */
export function skipTrivia(text: string, i: number, end = text.length): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
      i++;
    } else if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? end : nl + 1;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      let depth = 1;
      i += 2;
      while (i < end && depth > 0) {
        if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return Math.min(i, end);
}

function trimEnd(text: string, end: number): number {
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 59 /* ; */) end--;
    else break;
  }
  return end;
}

export interface Token {
  /** Offsets into the scanned text (UTF-16). */
  start: number;
  end: number;
  text: string;
  /** The scanner's name: `IDENT`, `SCONST`, `SQL_COMMENT`, `ASCII_40` (for `(`), … */
  tokenName: string;
  /** A keyword of the grammar (reserved or not). */
  keyword: boolean;
}

/** Every token of `text` from the Postgres scanner, comments included; undefined when the scanner rejects it (an unterminated quote or comment). */
export function scanTokens(text: string): Token[] | undefined {
  const bytes = new ByteMap(text);
  try {
    return (pgq.scanSync(text).tokens as any[]).map((t) => {
      const start = bytes.toChar(t.start);
      const end = bytes.toChar(t.end);
      return { start, end, text: text.slice(start, end), tokenName: t.tokenName, keyword: !!t.keywordKind };
    });
  } catch {
    return undefined;
  }
}

export interface Comment {
  /** File offsets of the comment, including its `--` or `/*`. */
  span: Span;
  text: string;
}

/** Every comment in `text` (a file or section at `base`), from the scanner, so strings are never mistaken. */
export function scanComments(text: string, base = 0): Comment[] {
  const bytes = new ByteMap(text);
  let tokens: { start: number; end: number; tokenName: string }[];
  try {
    tokens = pgq.scanSync(text).tokens as any;
  } catch {
    return lexFallback(text).comments.map((c) => ({ span: { start: base + c.start, end: base + c.end }, text: text.slice(c.start, c.end) }));
  }
  const out: Comment[] = [];
  for (const t of tokens) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') {
      const s = bytes.toChar(t.start);
      const e = bytes.toChar(t.end);
      out.push({ span: { start: base + s, end: base + e }, text: text.slice(s, e) });
    }
  }
  return out;
}

/**
 * A small lexer for text the Postgres scanner refuses (an unterminated quote or comment): statement
 * pieces split at top-level `;` and the comments, with quotes, dollar quotes, nested comments and
 * BEGIN ATOMIC bodies respected. Whatever is unterminated runs to the end of the text.
 */
export function lexFallback(text: string): { pieces: Span[]; comments: Span[] } {
  const pieces: Span[] = [];
  const comments: Span[] = [];
  let start = 0;
  let atomic = 0;
  let prevWord = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? n : nl;
      comments.push({ start: i, end });
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const from = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (depth++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      comments.push({ start: from, end: i });
    } else if (c === "'") {
      const escapes = /[eE]$/.test(text.slice(Math.max(0, i - 1), i)) && !/[A-Za-z0-9_]/.test(text[i - 2] ?? '');
      i++;
      while (i < n) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      i++;
      while (i < n && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
      i++;
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(text.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(text[j]!)) j++;
      const word = text.slice(i, j).toUpperCase();
      if (word === 'ATOMIC' && prevWord === 'BEGIN') atomic++;
      else if (word === 'END' && atomic > 0) atomic--;
      prevWord = word;
      i = j;
    } else if (c === ';' && atomic === 0) {
      pieces.push({ start, end: i });
      start = i + 1;
      i++;
    } else i++;
  }
  if (start < n) pieces.push({ start, end: n });
  return { pieces, comments };
}
