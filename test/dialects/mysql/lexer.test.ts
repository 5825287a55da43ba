/** The one MySQL/MariaDB lexer: tokens, offsets, comments, executable comments and delimiters. */
import { describe, expect, test } from 'vitest';
import { comments, lex, tokenValue, type Token } from '../../../src/dialects/mysql/lexer.js';

const kinds = (sql: string, o = {}) => lex(sql, 0, o).tokens.map((t) => `${t.kind}:${sql.slice(t.start, t.end)}`);
const values = (sql: string, o = {}) => lex(sql, 0, o).tokens.map((t: Token) => tokenValue(sql, t, 0, o));

describe('mysql lexer', () => {
  test('words, quoted identifiers, numbers and operators with offsets', () => {
    const sql = 'ALTER TABLE `my``t` ADD c INT(11) DEFAULT -1.5e3;';
    const toks = lex(sql).tokens;
    expect(toks.map((t) => t.kind)).toEqual(['word', 'word', 'ident', 'word', 'word', 'word', 'op', 'number', 'op', 'word', 'op', 'number', 'end']);
    expect(toks[0]!.v).toBe('ALTER');
    expect(tokenValue(sql, toks[2]!)).toBe('my`t');
    expect(sql.slice(toks[11]!.start, toks[11]!.end)).toBe('1.5e3');
    // file offsets with a base
    const based = lex(sql, 100).tokens;
    expect(based[2]!.start).toBe(112);
    expect(tokenValue(sql, based[2]!, 100)).toBe('my`t');
  });

  test('strings: backslash escapes, doubled quotes, both quote kinds, introducers, hex and bit', () => {
    const sql = `'it''s' "a\\"b" 'x\\ny' _utf8mb4'ü' N'n' X'4142' x'41' b'101' 0x1F 0b11 '\\%'`;
    expect(kinds(sql).map((k) => k.split(':')[0])).toEqual(['string', 'string', 'string', 'string', 'string', 'hex', 'hex', 'bit', 'hex', 'bit', 'string']);
    expect(values(sql)).toEqual(["it's", 'a"b', 'x\ny', 'ü', 'n', '4142', '41', '101', '0x1F', '0b11', '\\%']);
  });

  test('sql_mode options: ANSI_QUOTES and NO_BACKSLASH_ESCAPES', () => {
    expect(kinds('"a""b"', { ansiQuotes: true })).toEqual(['ident:"a""b"']);
    expect(values('"a""b"', { ansiQuotes: true })).toEqual(['a"b']);
    const sql = "'a\\' 'b'";
    expect(kinds(sql, { noBackslashEscapes: true })).toEqual(["string:'a\\'", "string:'b'"]);
    expect(values(sql, { noBackslashEscapes: true })).toEqual(['a\\', 'b']);
  });

  test('identifiers that start with digits, numbers that do not', () => {
    expect(kinds('1st 12 1e5 .5 t.c 0xZZ 123abc')).toEqual(['word:1st', 'number:12', 'number:1e5', 'number:.5', 'word:t', 'op:.', 'word:c', 'word:0xZZ', 'word:123abc']);
  });

  test('comments: #, -- needs a space or control character, /* */', () => {
    const sql = "SELECT 1--1\n-- real\n# hash\n/* block */ ,'-- not' --\tx\n--";
    expect(kinds(sql)).toEqual(['word:SELECT', 'number:1', 'op:-', 'op:-', 'number:1', 'op:,', "string:'-- not'"]);
    expect(comments(sql).map((c) => c.text)).toEqual(['-- real', '# hash', '/* block */', '--\tx', '--']);
    expect(comments(sql, 10)[0]!.span.start).toBe(sql.indexOf('-- real') + 10);
  });

  test('executable comments run for the versions they name', () => {
    const sql = '/*!40101 SET a=1 */; /*!80013 SET b=2 */; /*M!100500 SET c=3 */; /*! SET d=4 */;';
    const sets = (server?: any) => lex(sql, 0, server ? { server } : {}).tokens.filter((t) => t.kind === 'word' && t.v !== 'SET').map((t) => t.v);
    expect(sets()).toEqual(['A', 'B', 'D']);
    expect(sets({ flavor: 'mysql', major: 5, minor: 7 })).toEqual(['A', 'D']);
    expect(sets({ flavor: 'mysql', major: 8, minor: 0, patch: 36 })).toEqual(['A', 'B', 'D']);
    // MariaDB compares its own version (10.11 = 101100) with the number: /*!80013 runs there too.
    expect(sets({ flavor: 'mariadb', major: 10, minor: 11 })).toEqual(['A', 'B', 'C', 'D']);
    expect(sets({ flavor: 'mariadb', major: 10, minor: 4 })).toEqual(['A', 'B', 'D']);
    // a comment that does not run is a comment
    expect(comments(sql, 0, { server: { flavor: 'mysql', major: 5, minor: 7 } }).map((c) => c.text)).toEqual(['/*!80013 SET b=2 */', '/*M!100500 SET c=3 */']);
    // offsets of code inside an executable comment are file offsets
    const t = lex(sql).tokens[1]!;
    expect(sql.slice(t.start, t.end)).toBe('a');
  });

  test('variables, placeholders, operators', () => {
    expect(kinds("@x @`y z` @'q' @@session.lock_wait_timeout @@GLOBAL.x ? <=> := ->> -> != <> >= ||")).toEqual([
      'var:@x', 'var:@`y z`', "var:@'q'", 'sysvar:@@session.lock_wait_timeout', 'sysvar:@@GLOBAL.x', 'param:?',
      'op:<=>', 'op::=', 'op:->>', 'op:->', 'op:!=', 'op:<>', 'op:>=', 'op:||',
    ]);
    const sql = "@`y z` @'q'";
    expect(values(sql)).toEqual(['y z', 'q']);
    expect(lex('@@SESSION.Lock_Wait_Timeout').tokens[0]!.v).toBe('session.lock_wait_timeout');
  });

  test('DELIMITER lines change the statement terminator', () => {
    const sql = 'DELIMITER //\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END//\nDELIMITER ;\nSELECT 1;';
    const toks = lex(sql).tokens;
    expect(toks.filter((t) => t.kind === 'delimiter').map((t) => t.v)).toEqual(['//', ';']);
    expect(toks.filter((t) => t.kind === 'end').map((t) => sql.slice(t.start, t.end))).toEqual(['//', ';']);
    expect(toks.find((t) => t.v === ';' && t.kind === 'op')).toBeDefined(); // the inner ; is not an end
    // $$ ends a word: END$$ is END then the delimiter
    const d = 'DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;';
    expect(kinds(d).slice(-3)).toEqual(['word:END', 'end:$$', 'delimiter:DELIMITER ;']);
    // not a command inside a statement (a column called delimiter)
    expect(kinds('CREATE TABLE t (\ndelimiter varchar(5));').filter((k) => k.startsWith('delimiter'))).toEqual([]);
  });

  test('unterminated strings and comments run to the end without throwing', () => {
    const t = lex("SELECT 'abc").tokens;
    expect(t[1]!.unterminated).toBe(true);
    expect(t[1]!.end).toBe(11);
    expect(tokenValue("SELECT 'abc", t[1]!)).toBe('abc');
    expect(lex('SELECT /* x').tokens.length).toBe(1);
  });

  test('non-ASCII identifiers and UTF-16 offsets', () => {
    const sql = 'SELECT 😀, naïve FROM `tä`';
    const toks = lex(sql).tokens;
    expect(toks.map((t) => sql.slice(t.start, t.end))).toEqual(['SELECT', '😀', ',', 'naïve', 'FROM', '`tä`']);
  });
});
