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
import { comments as lexComments, skipTrivia, splitStatements as lexSplit } from './lexer.js';

export { skipTrivia };

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
    return parsePieces(text, base);
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
function parsePieces(text: string, base: number): ParsedSql {
  const statements: Statement[] = [];
  const syntaxErrors: SyntaxProblem[] = [];
  for (const piece of splitStatements(text)) {
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
 * Statement boundaries: top-level `;` tokens, keeping `BEGIN ATOMIC … END` function bodies whole
 * (lexer.ts). Whatever is unterminated (a quote) runs to the end, so only that statement is lost.
 */
export function splitStatements(text: string): Span[] {
  return lexSplit(text);
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

/** Every comment in `text` (a file or section at `base`), from the lexer, so strings are never mistaken. */
export function scanComments(text: string, base = 0): Comment[] {
  return lexComments(text).map((c) => ({ span: { start: base + c.start, end: base + c.end }, text: text.slice(c.start, c.end) }));
}
