/**
 * Statements of a MySQL/MariaDB file, on the lexer's tokens: split at each statement terminator (`;`
 * outside strings and comments, or the delimiter a `DELIMITER x` line set), with `DELIMITER` lines as
 * statements of their own. Without DELIMITER — what golang-migrate, Flyway and Liquibase files contain —
 * a CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT (or MariaDB `BEGIN NOT ATOMIC`) whose body is a BEGIN…END
 * compound statement is not split at the `;` inside it: BEGIN and CASE open a block, END (also
 * `END CASE`, `END label`) closes one, and `END IF` / `END LOOP` / `END WHILE` / `END REPEAT` /
 * `END FOR` close constructs that are not counted. A body never closed runs to the end of the text.
 */
import { lex, type LexOptions, type Token } from './lexer.js';

/** One statement: tokens `from` (inclusive) to `to` (exclusive), the terminator not included. */
export interface Piece {
  from: number;
  to: number;
  /** The terminator token's index, when there is one. */
  terminator?: number;
}

const ROUTINES = new Set(['TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT']);
/** Words after CREATE/ALTER that name what is created: the search for a routine stops at them. */
const OBJECTS = new Set(['TABLE', 'VIEW', 'INDEX', 'DATABASE', 'SCHEMA', 'USER', 'ROLE', 'SERVER', 'TABLESPACE', 'SEQUENCE', 'PACKAGE', 'LOGFILE', 'RESOURCE', 'SPATIAL', 'UNIQUE', 'FULLTEXT', 'TEMPORARY', 'ONLINE', 'IGNORE']);
const UNCOUNTED_ENDS = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR']);

/** Whether the statement starting at token `i` has a compound (BEGIN…END) body the terminator must not split. */
function compoundStart(tokens: Token[], i: number): boolean {
  const t = tokens[i]!;
  if (t.kind !== 'word') return false;
  if (t.v === 'BEGIN') {
    const a = tokens[i + 1];
    const b = tokens[i + 2];
    return !!a && !!b && a.v === 'NOT' && b.v === 'ATOMIC';
  }
  if (t.v !== 'CREATE' && t.v !== 'ALTER') return false;
  for (let j = i + 1; j < tokens.length && j < i + 24; j++) {
    const w = tokens[j]!;
    if (w.kind === 'end' || w.kind === 'delimiter') return false;
    if (w.kind !== 'word') continue;
    if (ROUTINES.has(w.v)) return true;
    if (OBJECTS.has(w.v)) return false;
  }
  return false;
}

/** Splits lexed tokens into statements. */
export function splitTokens(tokens: Token[]): Piece[] {
  const pieces: Piece[] = [];
  let from = 0;
  let compound = false;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (i === from) {
      if (t.kind === 'delimiter') {
        pieces.push({ from: i, to: i + 1 });
        from = i + 1;
        continue;
      }
      if (t.kind === 'end') {
        // an empty statement (`;;`)
        from = i + 1;
        continue;
      }
      compound = compoundStart(tokens, i);
      depth = 0;
    }
    if (t.kind === 'end') {
      if (compound && depth > 0) continue;
      pieces.push({ from, to: i, terminator: i });
      from = i + 1;
      continue;
    }
    if (t.kind === 'delimiter') {
      // cannot happen inside a statement (the lexer only sees it at a statement start); be safe
      if (from < i) pieces.push({ from, to: i });
      pieces.push({ from: i, to: i + 1 });
      from = i + 1;
      continue;
    }
    if (!compound || t.kind !== 'word') continue;
    if (t.v === 'BEGIN' || t.v === 'CASE') depth++;
    else if (t.v === 'END') {
      const next = tokens[i + 1];
      if (next && next.kind === 'word' && UNCOUNTED_ENDS.has(next.v)) i++;
      else {
        if (depth > 0) depth--;
        if (next && next.kind === 'word' && next.v === 'CASE') i++; // END CASE closes the CASE it names
      }
    }
  }
  if (from < tokens.length) pieces.push({ from, to: tokens.length });
  return pieces;
}

/** Lexes and splits `text` (a file, or a section at file offset `base`). */
export function splitMysql(text: string, base = 0, o: LexOptions = {}): { tokens: Token[]; pieces: Piece[] } {
  const { tokens } = lex(text, base, o);
  return { tokens, pieces: splitTokens(tokens) };
}
