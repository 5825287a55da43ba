/**
 * The one Postgres lexer (src/dialects/postgres/lexer.ts): table-driven hard cases, agreement with the
 * server's own scanner (libpg-query's scanTokens) on those cases and on seeded random text, statement
 * splitting with BEGIN ATOMIC bodies, and one case for each hand-written lexer it replaced that the
 * old lexer got wrong.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { lex, skipQuoted, skipTrivia, splitStatements } from '../../../src/dialects/postgres/lexer.js';
import { loadParser, parsePostgres, scanComments, scanTokens } from '../../../src/dialects/postgres/parser.js';
import { identifierTokens, tokensOf } from '../../../src/rules/postgres/helpers.js';
import { normalizePlaceholders } from '../../../src/app/sql-usage.js';
import { looksLikeSql } from '../../../src/app/typescript.js';
import { oneLine } from '../../../src/rehearse/fingerprint.js';
import { replaceValue } from '../../../src/rehearse/synthesize.js';
import { catalogFrom, lintView } from '../../rules/postgres/helpers.js';
import { pg15Server } from '../../helpers/db.js';

beforeAll(() => loadParser());

const show = (sql: string) => lex(sql).map((t) => `${t.kind} ${sql.slice(t.start, t.end)}${t.unterminated ? ' (unterminated)' : ''}`);

// [what, sql, tokens as `kind text`]
const cases: [string, string, string[]][] = [
  ['nested block comments', 'a /* x /* y */ z */ b', ['word a', 'comment /* x /* y */ z */', 'word b']],
  ['line comment without its line break', 'a -- c\nb', ['word a', 'comment -- c', 'word b']],
  ['`**/` closes a comment', '/* a **/ b', ['comment /* a **/', 'word b']],
  ['a dollar quote holding other tags', '$a$ $b$ $a$ x', ['dollar $a$ $b$ $a$', 'word x']],
  ['an empty-tag dollar quote', "$$it's; -- no$$;", ["dollar $$it's; -- no$$", 'punct ;']],
  ['$1 is a parameter, not a tag', 'select $1, $2$', ['word select', 'param $1', 'punct ,', 'param $2', 'punct $']],
  ['`$` continues an identifier', 'a$b$ c', ['word a$b$', 'word c']],
  ['a non-ASCII tag', '$é$ x $é$', ['dollar $é$ x $é$']],
  ['a lone `$tag` is a `$` and a word', '$abc x', ['punct $', 'word abc', 'word x']],
  ["E'' with an escaped quote", "E'\\'' x", ["string E'\\''", 'word x']],
  ["E'' with an escaped backslash", "e'\\\\' x", ["string e'\\\\'", 'word x']],
  ["a backslash ends nothing in a standard string", "'\\' x", ["string '\\'", 'word x']],
  ["'' inside a string", "'it''s'", ["string 'it''s'"]],
  ['a doubled quote in a quoted identifier', '"a""b" c', ['quoted "a""b"', 'word c']],
  ['U& names and strings', `U&"d\\0061t" UESCAPE '!', u&'\\0041'`, ['quoted U&"d\\0061t"', 'word UESCAPE', "string '!'", 'punct ,', "string u&'\\0041'"]],
  ["B'' and X'' have no ''", "B'1''0' X'1F'", ["string B'1'", "string '0'", "string X'1F'"]],
  ["N'' is N and a string (as the server scans it)", "N'x'", ['word N', "string 'x'"]],
  ['a string continued on the next line is one string', "'a'\n  'b' 'c'", ["string 'a'\n  'b'", "string 'c'"]],
  ['unicode identifiers (UTF-16 offsets)', 'select é😀x, "ü"', ['word select', 'word é😀x', 'punct ,', 'quoted "ü"']],
  ['numbers', '1.5e3 .5 1. 0x1F 0o17 0b101 1_000 1e-7', ['number 1.5e3', 'number .5', 'number 1.', 'number 0x1F', 'number 0o17', 'number 0b101', 'number 1_000', 'number 1e-7']],
  ['`1..2` is a range', '1..2', ['number 1', 'operator ..', 'number 2']],
  ['operators as the server cuts them', 'a=-1 b@-1 c?-d e!=-f ::int :=', ['word a', 'operator =', 'operator -', 'number 1', 'word b', 'operator @-', 'number 1', 'word c', 'operator ?-', 'word d', 'word e', 'operator !=-', 'word f', 'operator ::', 'word int', 'operator :=']],
  ['a comment start ends an operator', 'a+/*x*/b =--c', ['word a', 'operator +', 'comment /*x*/', 'word b', 'operator =', 'comment --c']],
  ['unterminated quote', "select 'abc", ['word select', "string 'abc (unterminated)"]],
  ['unterminated comment', 'x /* a /* b */', ['word x', 'comment /* a /* b */ (unterminated)']],
  ['unterminated dollar quote', '$f$ body', ['dollar $f$ body (unterminated)']],
  [
    'BEGIN ATOMIC … END inside CREATE FUNCTION (tokens; splitting is below)',
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END',
    ['word CREATE', 'word FUNCTION', 'word f', 'punct (', 'punct )', 'word RETURNS', 'word int', 'word LANGUAGE', 'word sql', 'word BEGIN', 'word ATOMIC', 'word SELECT', 'number 1', 'punct ;', 'word END'],
  ],
];

describe('lex: hard cases', () => {
  test.each(cases)('%s', (_what, sql, want) => {
    expect(show(sql)).toEqual(want);
  });

  // The server's scanner (libpg-query) as the reference for token boundaries, where it accepts the text.
  // Not compared: unterminated text (it rejects the whole text).
  test.each(cases.filter(([, sql]) => scanTokensOrUndefined(sql)))('same boundaries as the server scanner: %s', (_what, sql) => {
    expect(boundaries(sql, lex(sql))).toEqual(boundaries(sql, scanTokens(sql)!));
  });

  test('libpg-query scanner differs in one place: a string continued after a comment (the server joins it, scan.l whitespace_with_newline)', () => {
    const sql = "'a' -- c\n'b'";
    expect(scanTokens(sql)!.map((t) => t.text)).toEqual(["'a'", '-- c', "'b'"]);
    expect(show(sql)).toEqual(["string 'a' -- c\n'b'"]);
  });

  test('same boundaries as the server scanner on 20,000 seeded random texts of SQL fragments', () => {
    const parts = ["'", '"', '$', '$a$', '$b$', '$1', 'E', 'e', 'U&', 'B', 'X', 'N', '--', '/*', '*/', '\n', '\\', '1', '.', '..', 'e+', '0x', '1_0', '_', 'a', 'é', '😀', ';', ':', '::', '=', '-', '+', '*', '/', '<', '>', '!', '@', '#', '?', '|', '&', '%', '^', '~', '`', '(', ')', ',', ' ', '\t', "''", '""', '\r', '\f'];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let compared = 0;
    const wrong: string[] = [];
    for (let k = 0; k < 20000; k++) {
      let sql = '';
      for (let i = 1 + Math.floor(rnd() * 12); i > 0; i--) sql += parts[Math.floor(rnd() * parts.length)];
      const ref = scanTokensOrUndefined(sql);
      if (!ref) continue;
      compared++;
      if (boundaries(sql, lex(sql)) !== boundaries(sql, ref)) wrong.push(sql);
    }
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThan(5000); // most texts are ones the scanner accepts
  });

  test('skipTrivia and comments', () => {
    expect(skipTrivia('  /* a /* b */ */ -- c\n  x', 0)).toBe(25);
    expect(skipTrivia('-- only', 0)).toBe(7);
    expect(scanComments("select '-- no' /* yes */ -- and yes", 10).map((c) => c.text)).toEqual(['/* yes */', '-- and yes']);
  });

  test('skipQuoted: a prefix before the quote is read with its rules; `$` inside a word starts nothing', () => {
    const s = "x E'\\'' y";
    expect(s.slice(3, skipQuoted(s, 3))).toBe("'\\''"); // at the quote after E
    expect(s.slice(2, skipQuoted(s, 2))).toBe("E'\\''"); // at the E
    expect(skipQuoted('a$b$ c $b$', 1)).toBe(-1);
    expect(skipQuoted('x $1 y', 2)).toBe(-1);
    expect(skipQuoted('x - y', 2)).toBe(-1);
  });
});

describe('splitStatements', () => {
  const pieces = (sql: string) => splitStatements(sql).map((p) => sql.slice(p.start, p.end).trim()).filter(Boolean);

  test('BEGIN ATOMIC … END stays whole, with CASE … END inside it', () => {
    const fn = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END';
    expect(pieces(`${fn}; SELECT 3;`)).toEqual([fn, 'SELECT 3']);
  });

  test('`;` inside strings, quoted names, dollar quotes and comments does not split', () => {
    expect(pieces(`SELECT ';', ";", $x$;$x$ /* ; */ -- ;\n; SELECT 2`)).toEqual([`SELECT ';', ";", $x$;$x$ /* ; */ -- ;`, 'SELECT 2']);
  });

  test('an unterminated quote runs to the end: only its statement is lost', () => {
    expect(pieces("SELECT 1; SELECT 'x; SELECT 2;")).toEqual(['SELECT 1', "SELECT 'x; SELECT 2;"]);
  });
});

// One case per hand-written lexer this module replaced, that the old one got wrong.
describe('what the former lexers got wrong', () => {
  test('parser.ts lexFallback (text the scanner rejects): CASE … END inside BEGIN ATOMIC ended the body early', () => {
    // The unterminated quote at the end made the scanner refuse the whole text, so the fallback split it.
    const fn = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END';
    const r = parsePostgres(`${fn};\nSELECT 'oops`);
    expect(r.statements.map((s) => s.kind)).toEqual(['CreateFunctionStmt']);
    expect(r.syntaxErrors).toHaveLength(1);
  });

  test('parser.ts lexFallback: a non-ASCII dollar-quote tag was not a tag (its `;` split the body)', () => {
    const r = parsePostgres(`DO $é$ BEGIN PERFORM 1; END $é$;\nSELECT 'oops`);
    expect(r.statements.map((s) => s.kind)).toEqual(['DoStmt']);
    expect(r.syntaxErrors).toHaveLength(1);
  });

  test('rules/postgres/helpers.ts tokensOf: a non-ASCII dollar-quote tag was a word, and an apostrophe in the body swallowed the rest', () => {
    const [stmt] = parsePostgres(`SELECT $é$ don't $é$, 1`).statements;
    expect(tokensOf(stmt!).map((t) => t.text)).toEqual(['SELECT', `$é$ don't $é$`, ',', '1']);
  });

  test("rules/postgres/helpers.ts identifierTokens (skipSqlQuoted): the prefix of X'…', B'…', E'…' was taken for an identifier", () => {
    expect(identifierTokens(`SELECT X'1F', E'a', B'1', "Ab""c", Mixed`).map((t) => t.name)).toEqual(['select', 'Ab"c', 'mixed']);
  });

  test('app/sql-usage.ts normalizePlaceholders: `?` inside E-strings, dollar quotes and block comments became parameters', () => {
    expect(normalizePlaceholders(`SELECT E'it\\'s ?', $$ ? $$, "?", ? /* ? */ -- ?\nWHERE a = :name AND b ?| c`)).toBe(`SELECT E'it\\'s ?', $$ ? $$, "?", $1 /* ? */ -- ?\nWHERE a = $2 AND b ?| c`);
  });

  test('app/typescript.ts looksLikeSql: a nested comment before the keyword hid the statement', () => {
    expect(looksLikeSql('/* a /* b */ c */ select 1')).toBe(true);
    expect(looksLikeSql('/* unterminated select 1')).toBe(false);
    expect(looksLikeSql('-- select')).toBe(false);
  });

  test('rules/postgres/attach-partition-scan.ts groups: a parenthesis in a comment or an escaped quote broke the bound', async () => {
    const catalog = await catalogFrom(`CREATE TABLE t (k text) PARTITION BY RANGE (k);\nCREATE TABLE t_a (k text);`);
    const [finding] = await lintView('attach-partition-scan', `ALTER TABLE t ATTACH PARTITION t_a FOR VALUES FROM (E'a\\')') /* ( */ TO ('b');`, { catalog });
    expect(finding).toContain(`CHECK (<partition key> IS NOT NULL AND <partition key> >= E'a\\')' AND <partition key> < 'b') NOT VALID`);
  });

  test('rehearse/synthesize.ts replaceValue: VALUE inside a dollar quote or a comment was replaced', () => {
    expect(replaceValue(`VALUE <> $$VALUE$$ AND VALUE <> 'VALUE' AND "VALUE" = x.VALUE /* VALUE */`, 'c')).toBe(`c <> $$VALUE$$ AND c <> 'VALUE' AND "VALUE" = x.VALUE /* VALUE */`);
  });

  test('rehearse/fingerprint.ts oneLine: whitespace inside a dollar quote was collapsed, and a line comment swallowed the rest of the line', () => {
    expect(oneLine("select   'a\nb',\n  $$x  y$$ -- don't\n, E'\\n'")).toBe("select E'a\\nb', $$x  y$$ , E'\\n'");
  });

  const pg15 = pg15Server();
  test('oneLine: a dollar quote holding a line break becomes an equal E literal (read back by PostgreSQL 15)', async () => {
    const value = "it's\n\\ $$ done";
    const line = oneLine(`select $q$${value}$q$ as v`);
    expect(line).not.toContain('\n');
    const c = new pg.Client(pg15.url);
    await c.connect();
    try {
      expect((await c.query(line)).rows[0].v).toBe(value);
    } finally {
      await c.end();
    }
  });
});

function scanTokensOrUndefined(sql: string) {
  return scanTokens(sql);
}

function boundaries(sql: string, toks: { start: number; end: number }[]): string {
  return toks.map((t) => JSON.stringify(sql.slice(t.start, t.end))).join(' ');
}
