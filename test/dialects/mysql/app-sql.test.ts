/**
 * app-check's MySQL/MariaDB reader (src/dialects/mysql/app-sql.ts, on the one MySQL lexer): SQL in,
 * issues out — both what it flags and what it leaves alone — and a MySQL migration read as a change.
 */
import { describe, expect, test } from 'vitest';
import { analyzeMysqlSql, looksLikeMysql } from '../../../src/dialects/mysql/app-sql.js';
import { changeFromMysql, mysqlColumns } from '../../../src/dialects/mysql/app.js';
import type { ChangedColumn } from '../../../src/app/columns.js';

const currency: ChangedColumn = { table: { name: 'orders' }, column: 'currency', kind: 'addColumn', type: 'char(3)', nullableDuringRollout: true, nullableAtEnd: false, hasDefault: false, defaultKnown: true };
const rules = (sql: string, cols = [currency]) => analyzeMysqlSql(sql, cols, 'expand').issues.map((i) => i.rule);

describe('analyzeMysqlSql: what it flags', () => {
  test.each([
    ['INSERT INTO `orders` VALUES (?, ?, ?)', 'insert-without-columns'],
    ['insert ignore into orders value (1, 2)', 'insert-without-columns'],
    ['REPLACE INTO orders SELECT * FROM old_orders', 'insert-without-columns'],
    ['INSERT INTO orders TABLE old_orders', 'insert-without-columns'],
    ['INSERT INTO orders (customer_id, total) VALUES (?, ?)', 'insert-omits-column'],
    ['INSERT INTO `shop`.`orders` (`customer_id`) VALUES (?) ON DUPLICATE KEY UPDATE total = total + 1', 'insert-omits-column'],
    ['INSERT INTO orders (id, currency) VALUES (?, ?), (?, NULL)', 'insert-omits-column'],
    ['INSERT INTO orders (id, currency) VALUES ROW(1, DEFAULT)', 'insert-omits-column'],
    ['INSERT INTO orders () VALUES ()', 'insert-omits-column'],
    ['INSERT INTO orders SET customer_id = ?, total = 0', 'insert-omits-column'],
    ['INSERT INTO orders SET customer_id = ?, currency = NULL', 'insert-omits-column'],
    ['SELECT * FROM `orders` WHERE `id` = ?', 'select-star'],
    ['select o.*, c.email from orders as o join customers c on c.id = o.customer_id', 'select-star'],
    ['SELECT `o`.* FROM orders `o`', 'select-star'],
    ['SELECT * FROM customers, orders WHERE orders.customer_id = customers.id', 'select-star'],
    ['SELECT * FROM orders UNION ALL SELECT * FROM archived_orders', 'select-star'],
    ['SELECT id FROM customers WHERE id IN (SELECT * FROM orders)', 'select-star'],
    ['DELETE FROM orders WHERE id = ? RETURNING *', 'select-star'],
    ['INSERT INTO orders (id, currency) VALUES (?, ?) RETURNING *', 'select-star'],
    ['TABLE orders', 'select-star'],
    ['/* the export */ SELECT SQL_NO_CACHE * FROM orders', 'select-star'],
  ])('%s', (sql, rule) => {
    expect(rules(sql)).toEqual([rule]);
  });

  test('the issue is where the table is named, and says what to do', () => {
    const [i] = analyzeMysqlSql('INSERT INTO `orders` (`customer_id`) VALUES (?)', [currency], 'expand').issues;
    expect(i).toMatchObject({ offset: 12, severity: 'error', message: expect.stringMatching(/^INSERT INTO orders \(customer_id\) does not set currency, which is added NOT NULL/) });
  });

  test('what it does not follow is said, not guessed', () => {
    expect(analyzeMysqlSql("SELECT * FROM orders WHERE note = 'it''s", [currency], 'expand')).toMatchObject({ parsed: false, error: 'unterminated string', issues: [] });
    expect(analyzeMysqlSql('SELECT (id FROM orders', [currency], 'expand')).toMatchObject({ parsed: false, error: expect.stringMatching(/^unbalanced parentheses/) });
    expect(analyzeMysqlSql('INSERT INTO (SELECT 1)', [currency], 'expand')).toMatchObject({ parsed: false, error: 'cannot read the table this INSERT writes' });
    // One statement that does not parse does not hide the next.
    const two = analyzeMysqlSql("SELECT 'x;\nSELECT * FROM orders", [currency], 'expand');
    expect(two.parsed).toBe(false);
  });

  test('tables and reads: which changed columns a query returns', () => {
    const a = analyzeMysqlSql('SELECT o.id, o.`CURRENCY` FROM orders o', [currency], 'expand');
    expect([...a.tables]).toEqual(['public.orders']);
    expect([...a.reads]).toEqual(['public.orders.currency']);
    expect([...analyzeMysqlSql('SELECT c.currency FROM orders o JOIN customers c ON c.id = o.customer_id', [currency], 'expand').reads]).toEqual([]);
  });
});

describe('analyzeMysqlSql: names as the server reads them', () => {
  test('backticks (with a doubled backtick inside), unicode and 64-character names, CTEs, INSERT … SELECT with a list', () => {
    const odd: ChangedColumn = { ...currency, table: { name: 'ord`ers' }, column: 'währung' };
    expect(rules('INSERT INTO `ord``ers` (`id`) VALUES (?)', [odd])).toEqual(['insert-omits-column']);
    expect(rules('INSERT INTO `ord``ers` (`id`, `WÄHRUNG`) VALUES (?, ?)', [odd])).toEqual([]); // column names compare without case, as on the server
    expect(rules('INSERT INTO `ord``ers` (`id`, `währung`) VALUES (?, ?)', [odd])).toEqual([]);
    expect(rules('SELECT * FROM `ord``ers`', [odd])).toEqual(['select-star']);
    expect(rules('SELECT * FROM `ord.ers`', [odd])).toEqual([]); // one name with a dot in it, not a schema
    const long = 'x'.repeat(64);
    expect(rules(`SELECT t.* FROM \`${long}\` AS t`, [{ ...currency, table: { name: long } }])).toEqual(['select-star']);
    expect(rules('WITH recent AS (SELECT * FROM orders WHERE id > ?) SELECT id FROM recent')).toEqual(['select-star']);
    expect(rules('INSERT INTO orders (id, total) SELECT id, total FROM old_orders')).toEqual(['insert-omits-column']);
    expect(rules('INSERT INTO orders (id, CURRENCY) SELECT id, cur FROM old_orders')).toEqual([]);
  });
});

describe('analyzeMysqlSql: what it leaves alone', () => {
  test.each([
    'INSERT INTO orders (customer_id, total, currency) VALUES (?, ?, ?)',
    'INSERT INTO `orders` (`customer_id`, `currency`) VALUES (?, ?), (?, ?) AS new ON DUPLICATE KEY UPDATE currency = new.currency',
    'INSERT INTO orders SET customer_id = ?, currency = ?',
    'INSERT INTO customers VALUES (?, ?)',
    'SELECT COUNT(*) FROM orders',
    'SELECT id, currency FROM orders WHERE id = ?',
    'SELECT c.* FROM orders o JOIN customers c ON c.id = o.customer_id',
    'SELECT * FROM customers WHERE EXISTS (SELECT * FROM orders WHERE orders.customer_id = customers.id)',
    'SELECT x.* FROM (SELECT id FROM orders) x',
    'SELECT id FROM orders # SELECT * FROM orders',
    "SELECT 'SELECT * FROM orders' AS t FROM dual",
    'SELECT id FROM orders -- SELECT * FROM orders',
    'SELECT price * quantity FROM orders',
    'UPDATE orders SET currency = ? WHERE id = ?',
    'DELETE FROM orders WHERE id = ?',
    'ALTER TABLE orders ADD COLUMN note TEXT',
    'SELECT * FROM `orders_archive`',
  ])('%s', (sql) => {
    expect(analyzeMysqlSql(sql, [currency], 'expand')).toMatchObject({ parsed: true, issues: [] });
  });

  test('a column with a default, or nullable: inserts need not write it', () => {
    const withDefault = { ...currency, hasDefault: true, default: "'EUR'" };
    expect(rules('INSERT INTO orders (customer_id) VALUES (?)', [withDefault])).toEqual([]);
    expect(analyzeMysqlSql('INSERT INTO orders VALUES (?, ?)', [{ ...currency, nullableAtEnd: true }], 'expand').issues[0]).toMatchObject({ rule: 'insert-without-columns', severity: 'warning' });
  });

  test('looksLikeMysql: statements after comments, not prose', () => {
    expect(looksLikeMysql('# why\nSELECT 1')).toBe(true);
    expect(looksLikeMysql('/*!40101 SET x */ REPLACE INTO t VALUES (1)')).toBe(false); // SET runs first
    expect(looksLikeMysql('(SELECT 1) UNION (SELECT 2)')).toBe(true);
    expect(looksLikeMysql('-- SELECT')).toBe(false);
    expect(looksLikeMysql('Selected orders')).toBe(false);
  });
});

describe('a MySQL migration as a change', () => {
  test('ADD COLUMN and MODIFY … NOT NULL are the change; the rest is said', () => {
    const sql = [
      'SET SESSION lock_wait_timeout = 5;',
      'ALTER TABLE `orders` ADD COLUMN `currency` CHAR(3) NOT NULL, ADD COLUMN note VARCHAR(200) NULL DEFAULT NULL, ALGORITHM=INSTANT;',
      "ALTER TABLE orders ADD COLUMN status ENUM('new','paid') NOT NULL DEFAULT 'new';",
      'ALTER TABLE customers MODIFY email VARCHAR(255) NOT NULL;',
      'CREATE INDEX orders_currency ON orders (currency);',
    ].join('\n');
    const { change, unconverted } = changeFromMysql(sql, 'migrations/0042_currency.sql');
    expect(change.name).toBe('0042_currency');
    expect(change.operations).toEqual([
      { kind: 'addColumn', table: { name: 'orders' }, name: 'currency', type: expect.stringMatching(/^char\(3\)$/i), nullable: false },
      { kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: expect.stringMatching(/^varchar\(200\)$/i), nullable: true },
      { kind: 'addColumn', table: { name: 'orders' }, name: 'status', type: expect.any(String), nullable: false, default: "'new'" },
      { kind: 'setNotNull', table: { name: 'customers' }, column: 'email' },
    ]);
    expect(unconverted.map((u) => sql.slice(u.span.start, u.span.end))).toEqual(['CREATE INDEX orders_currency ON orders (currency)']);
  });

  test('phases: NOT NULL with a default from expand on; without one, nullable until contract', () => {
    const { change } = changeFromMysql(
      'ALTER TABLE orders ADD COLUMN a INT NOT NULL, ADD COLUMN b INT NOT NULL DEFAULT 0, ADD COLUMN c INT; ALTER TABLE orders MODIFY d INT NOT NULL; ALTER TABLE orders MODIFY c INT NOT NULL;',
      'x.sql',
    );
    const cols = mysqlColumns(change);
    const by = (n: string) => cols.find((c) => c.column === n)!;
    expect(by('a')).toMatchObject({ kind: 'addColumn', nullableDuringRollout: true, nullableAtEnd: false, hasDefault: false, defaultKnown: true });
    expect(by('b')).toMatchObject({ kind: 'addColumn', nullableDuringRollout: false, nullableAtEnd: false, hasDefault: true });
    // Added nullable, then made NOT NULL by the same change: one column, nullable until contract.
    expect(by('c')).toMatchObject({ kind: 'addColumn', nullableDuringRollout: true, nullableAtEnd: false });
    // An existing column: without --db its default is not known.
    expect(by('d')).toMatchObject({ kind: 'setNotNull', nullableDuringRollout: true, nullableAtEnd: false, hasDefault: false, defaultKnown: false });
    expect(cols).toHaveLength(4);
  });
});
