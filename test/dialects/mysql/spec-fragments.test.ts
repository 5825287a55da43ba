/**
 * A change spec for MySQL/MariaDB is checked with the MySQL dialect's own lexer and parser
 * (Dialect.specFragments): MySQL types and expressions pass, names keep their case, and what would break
 * the SQL lockstep writes is one line per problem, `file:line: path: message`. The same text read for
 * PostgreSQL is checked exactly as before. (That the server agrees is test/integration/mysql-spec.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../../src/dialects/postgres/parser.js';
import { parseChangeSpec } from '../../../src/spec/parse-spec.js';
import { LockstepError } from '../../../src/core/errors.js';
import { dialects } from '../../../src/dialects/index.js';
import { mysqlSpecFragments as my } from '../../../src/dialects/mysql/spec-fragments.js';
import { withNotNull } from '../../../src/dialects/mysql/migrate/planner.js';
import { assertValidMyChange } from '../../../src/dialects/mysql/migrate/validate.js';

beforeAll(() => loadParser());

const asMysql = (text: string, file = 'c.yaml') => parseChangeSpec(text, { file, fragments: dialects.mysql!.specFragments });
/** The problem lines a spec gives, as the CLI prints them (after `lockstep: `). */
function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LockstepError) || e.code !== 'E_INPUT') throw e;
    return e.problems.map((p) => `${p.where}: ${p.message}`);
  }
  throw new Error('no problem reported');
}

describe('a change spec read for MySQL/MariaDB', () => {
  it('the issue: INT UNSIGNED is a type here, not a syntax error', () => {
    const spec = 'table: users\naddColumn: {name: points, type: "INT UNSIGNED", default: 0}\n';
    expect(asMysql(spec)).toEqual({ name: 'c', operations: [{ kind: 'addColumn', table: { name: 'users' }, name: 'points', type: 'INT UNSIGNED', nullable: true, default: '0' }] });
    // Read for PostgreSQL (the default), the same text is refused exactly as before.
    expect(problems(() => parseChangeSpec(spec, { file: 'c.yaml' }))).toEqual(['c.yaml:2: addColumn.type: "INT UNSIGNED" is not an SQL type (syntax error at or near "UNSIGNED")']);
  });

  it("MySQL's types, defaults and checks pass as written; backtick names are names, kept in their case", () => {
    const c = asMysql(
      [
        'name: shop',
        'changes:',
        '  - table: Orders',
        '    addColumn: { name: qty, type: INT(10) UNSIGNED ZEROFILL, default: 0 }',
        '  - table: "`shop`.`Order Items`"',
        "    addColumn: { name: '`Ship Mode`', type: \"ENUM('air','sea')\", nullable: false, default: \"'sea'\" }",
        '  - table: Orders',
        "    addColumn: { name: flags, type: \"SET('a','b')\", check: \"flags IN ('a','b')\" }",
        '  - table: Orders',
        '    addColumn: { name: meta, type: JSON, backfill: "JSON_OBJECT(\'v\', 1)" }',
        '  - table: Orders',
        '    addColumn: { name: placed_at, type: DATETIME(6), nullable: false, default: CURRENT_TIMESTAMP(6) }',
        '  - table: Orders',
        '    addColumn: { name: code, type: VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin, default: "\'x\'" }',
        '  - table: Orders',
        '    addColumn: { name: amount, type: "DECIMAL(12, 2)", nullable: false, backfill: "qty * 2.5" }',
        '  - table: Orders',
        '    addIndex: { columns: [Code, "`Placed At`"] }',
        '  - table: Orders',
        '    addCheck: { expression: "amount >= 0 AND code <> \'\'" }',
      ].join('\n'),
    );
    expect(c.operations).toEqual([
      { kind: 'addColumn', table: { name: 'Orders' }, name: 'qty', type: 'INT(10) UNSIGNED ZEROFILL', nullable: true, default: '0' },
      { kind: 'addColumn', table: { schema: 'shop', name: 'Order Items' }, name: 'Ship Mode', type: "ENUM('air','sea')", nullable: false, default: "'sea'" },
      { kind: 'addColumn', table: { name: 'Orders' }, name: 'flags', type: "SET('a','b')", nullable: true, check: "flags IN ('a','b')" },
      { kind: 'addColumn', table: { name: 'Orders' }, name: 'meta', type: 'JSON', nullable: true, backfill: "JSON_OBJECT('v', 1)" },
      { kind: 'addColumn', table: { name: 'Orders' }, name: 'placed_at', type: 'DATETIME(6)', nullable: false, default: 'CURRENT_TIMESTAMP(6)' },
      { kind: 'addColumn', table: { name: 'Orders' }, name: 'code', type: 'VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin', nullable: true, default: "'x'" },
      { kind: 'addColumn', table: { name: 'Orders' }, name: 'amount', type: 'DECIMAL(12, 2)', nullable: false, backfill: 'qty * 2.5' },
      // Index columns are kept the way the MySQL planner (and a SQL migration) writes them.
      { kind: 'addIndex', table: { name: 'Orders' }, columns: ['"Code"', '"Placed At"'] },
      { kind: 'addCheck', table: { name: 'Orders' }, expression: "amount >= 0 AND code <> ''" },
    ]);
    // PostgreSQL folds an unquoted name; MySQL/MariaDB keep it (table names are case-sensitive on Linux).
    expect(parseChangeSpec('table: Orders\nsetNotNull: { column: Qty }\n').operations[0]).toMatchObject({ table: { name: 'orders' }, column: 'qty' });
    expect(asMysql('table: Orders\nsetNotNull: { column: Qty }\n').operations[0]).toMatchObject({ table: { name: 'Orders' }, column: 'Qty' });
  });

  it('every problem at once, one line each with its line and path', () => {
    const spec = [
      'changes:', // 1
      '  - table: orders', // 2
      '    addColumn: { name: a, type: timestamptz }', // 3
      '  - table: orders', // 4
      '    addColumn: { name: b, type: INT NOT NULL }', // 5
      '  - table: orders', // 6
      '    addColumn: { name: c, type: int, default: "?" }', // 7
      '  - table: orders', // 8
      '    addColumn: { name: d, type: int, default: "1; DROP TABLE orders" }', // 9
      '  - table: orders', // 10
      '    addColumn: { name: e, type: varchar(10), default: new }', // 11
      '  - table: orders', // 12
      '    addColumn: { name: f, type: int, default: "1 /*! , 2 */" }', // 13
      '  - table: orders', // 14
      '    addCheck: { expression: "f IN (SELECT 1)" }', // 15
      '  - table: orders', // 16
      '    addColumn: { name: g, type: int, backfill: "@counter + 1" }', // 17
      '  - table: orders', // 18
      '    addColumn: { name: "`h `", type: varchar }', // 19
      '  - table: "orders x"', // 20
      '    addIndex: { columns: ["a, b"] }', // 21
      '  - table: orders', // 22
      "    addColumn: { name: i, type: int, default: \"'a\\\\' , 1'\" }", // 23
    ].join('\n');
    expect(problems(() => asMysql(spec, 'shop.yaml'))).toEqual([
      'shop.yaml:3: changes[0].addColumn.type: "timestamptz" is not a MySQL/MariaDB type (unknown data type timestamptz)',
      'shop.yaml:5: changes[1].addColumn.type: "INT NOT NULL" is more than a type: NOT NULL, DEFAULT, CHECK, REFERENCES and UNIQUE have keys of their own (nullable, default, check, references, unique); AUTO_INCREMENT, generated columns, ON UPDATE and the other column attributes are not planned',
      'shop.yaml:7: changes[2].addColumn.default: "?" cannot contain a parameter (?): write the value itself',
      'shop.yaml:9: changes[3].addColumn.default: "1; DROP TABLE orders" must be exactly one SQL expression, without ";"',
      `shop.yaml:11: changes[4].addColumn.default: "new" is a column name, not a value (use "backfill" for values from other columns); for the text 'new' write the SQL string literal, quoted once more for YAML: "'new'"`,
      'shop.yaml:13: changes[5].addColumn.default: "1 /*! , 2 */" must not contain a comment (it would swallow the SQL lockstep writes after it)',
      'shop.yaml:15: changes[6].addCheck.expression: "f IN (SELECT 1)" cannot contain a subquery (MySQL/MariaDB do not allow one in a CHECK constraint)',
      'shop.yaml:17: changes[7].addColumn.backfill: "@counter + 1" cannot contain a variable (@counter): write the value itself',
      'shop.yaml:19: changes[8].addColumn.name: "`h `" ends with a space, which MySQL/MariaDB do not allow in a name',
      'shop.yaml:19: changes[8].addColumn.type: "varchar" needs a length, like VARCHAR(255)',
      'shop.yaml:20: changes[9].table: "orders x" is not a table name: write it like orders, shop.orders or `Order Items`; names are kept as written (MySQL/MariaDB do not fold them); quote one with spaces or other characters in backticks (`Order Items`) or double quotes',
      'shop.yaml:21: changes[9].addIndex.columns[0]: "a, b" must be exactly one column or expression (found "," outside parentheses)',
      // One string with backslash escapes, but with NO_BACKSLASH_ESCAPES it ends at \' and the rest is SQL: refused.
      `shop.yaml:23: changes[10].addColumn.default: "'a\\\\' , 1'" must be exactly one SQL expression (found "," outside parentheses)`,
    ]);
  });

  it('the fragment checks one by one', () => {
    for (const t of ['INT UNSIGNED', 'bigint(20) unsigned', 'TINYINT(1)', 'double precision', 'DECIMAL(12,2)', 'TIMESTAMP(6)', 'char(36) binary', 'NATIONAL VARCHAR(10)', 'LONGTEXT', 'BIT(8)', 'VARBINARY(16)', 'GEOMETRY', 'YEAR'])
      expect(my.type(t), t).toBeUndefined();
    expect(my.type('text[]')).toMatch(/^is not a MySQL\/MariaDB type/);
    expect(my.type('SERIAL')).toBe('is more than a type: SERIAL is BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE (write the type, e.g. BIGINT UNSIGNED)');
    expect(my.type('int -- note')).toBe('must not contain a comment (it would swallow the SQL lockstep writes after it)');
    expect(my.type('int # note')).toBe('must not contain a comment (it would swallow the SQL lockstep writes after it)');
    expect(my.type("ENUM('a")).toBe('has an unterminated quote');
    for (const [e, role] of [['TRUE', 'default'], ["'it''s'", 'default'], ['uuid()', 'default'], ['NOW()', 'default'], ['-1.5', 'default'], ["b'101'", 'default'], ['(SELECT max(id) FROM t)', 'backfill'], ['UPPER(`Code`)', 'backfill']] as const)
      expect(my.expression(e, role), e).toBeUndefined();
    expect(my.expression('SELECT 1', 'backfill')).toBe('is a query: put a subquery in parentheses, (SELECT …)');
    expect(my.expression('a)', 'check')).toBe('has a ")" that closes nothing');
    expect(my.expression('(a', 'check')).toBe('has a "(" that is never closed');
    expect(my.expression('@@sql_mode', 'default')).toBe('cannot contain a variable (@@sql_mode): write the value itself');
    expect(my.identifier('"Customer ""Id"""')).toEqual({ value: 'Customer "Id"' });
    expect(my.identifier('`a``b`')).toEqual({ value: 'a`b' });
    expect(my.identifier('x'.repeat(65)).error).toBe('is longer than 64 characters (the MySQL/MariaDB limit for names)');
    expect(my.identifier('a.b').error).toMatch(/^is not a valid name; /);
    expect(my.tableName('shop.orders')).toEqual({ value: { schema: 'shop', name: 'orders' } });
    expect(my.tableName('a.b.c').error).toMatch(/^is not a table name: /);
    expect(my.indexElement('email(10)')).toEqual({ value: 'email(10)' });
    expect(my.indexElement('((SELECT 1))').error).toBe('cannot contain a subquery or variable (MySQL/MariaDB do not allow one in an index)');
    // specName writes back what identifier reads: a rebuilt spec names the same thing.
    for (const n of ['orders', 'Orders', 'Order Items', 'a"b']) expect(my.identifier(my.specName(n))).toEqual({ value: n });
  });

  it('a hand-built Change gets the same type check (assertValidMyChange)', () => {
    expect(() => assertValidMyChange({ name: 'x', operations: [{ kind: 'addColumn', table: { name: 't' }, name: 'c', type: 'timestamptz', nullable: true }] })).toThrow(
      'operations[0].type: "timestamptz" is not a MySQL/MariaDB type (unknown data type timestamptz)',
    );
    expect(() => assertValidMyChange({ name: 'x', operations: [{ kind: 'addColumn', table: { name: 't' }, name: 'c', type: 'INT UNSIGNED', nullable: true, default: '0' }] })).not.toThrow();
  });
});

describe('NOT NULL written into a column definition (withNotNull)', () => {
  it('goes after the type, its character set and collation, whatever spaces the type has inside', () => {
    expect(withNotNull('DECIMAL(12, 2) DEFAULT (1)')).toBe('DECIMAL(12, 2) NOT NULL DEFAULT (1)');
    expect(withNotNull("ENUM('a b','c') DEFAULT 'c'")).toBe("ENUM('a b','c') NOT NULL DEFAULT 'c'");
    expect(withNotNull("SET('x', 'y')")).toBe("SET('x', 'y') NOT NULL");
    expect(withNotNull('VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin')).toBe('VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL');
    expect(withNotNull('INT UNSIGNED ZEROFILL')).toBe('INT UNSIGNED ZEROFILL NOT NULL');
    // As SHOW CREATE TABLE prints a nullable column: NULL and DEFAULT NULL go, NULL in a string or a call stays.
    expect(withNotNull('decimal(10,2) DEFAULT NULL')).toBe('decimal(10,2) NOT NULL');
    expect(withNotNull('timestamp NULL DEFAULT NULL')).toBe('timestamp NOT NULL');
    expect(withNotNull("varchar(10) COLLATE utf8mb4_bin DEFAULT NULL COMMENT 'may be NULL'")).toBe("varchar(10) COLLATE utf8mb4_bin NOT NULL COMMENT 'may be NULL'");
    expect(withNotNull("varchar(10) DEFAULT (ifnull(NULL, 'x'))")).toBe("varchar(10) NOT NULL DEFAULT (ifnull(NULL, 'x'))");
    expect(withNotNull('int(11) NOT NULL DEFAULT 3')).toBe('int(11) NOT NULL DEFAULT 3');
  });
});
