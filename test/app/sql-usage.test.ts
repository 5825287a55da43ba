import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/dialects/postgres/parser.js';
import { analyzeSql, normalizePlaceholders } from '../../src/app/sql-usage.js';
import type { ChangedColumn } from '../../src/app/columns.js';

const currency: ChangedColumn = { table: { name: 'orders' }, column: 'currency', type: 'char(3)', kind: 'addColumn', nullableDuringRollout: true, nullableAtEnd: false, hasDefault: false, defaultKnown: true };
const inApp: ChangedColumn = { table: { schema: 'app', name: 'orders' }, column: 'note', kind: 'addColumn', nullableDuringRollout: true, nullableAtEnd: true, hasDefault: false, defaultKnown: true };
const rules = (sql: string, cols = [currency]) => analyzeSql(sql, cols, 'expand').issues.map((i) => `${i.rule}:${i.severity}`);

beforeAll(loadParser);

describe('analyzeSql', () => {
  it('positional inserts: an error when a column must be written, a warning otherwise', () => {
    expect(rules('INSERT INTO orders VALUES (1, 2)')).toEqual(['insert-without-columns:error']);
    expect(rules('INSERT INTO orders SELECT * FROM old_orders')).toEqual(['insert-without-columns:error']);
    expect(rules('INSERT INTO orders DEFAULT VALUES')).toEqual(['insert-without-columns:error']);
    expect(rules('INSERT INTO app.orders VALUES (1)', [inApp])).toEqual(['insert-without-columns:warning']);
  });

  it('inserts with a column list: only a must-write column left out is reported', () => {
    expect(rules('INSERT INTO orders (id, total) VALUES (1, 2)')).toEqual(['insert-omits-column:error']);
    expect(rules('INSERT INTO orders (id, currency) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET currency = EXCLUDED.currency')).toEqual([]);
    expect(rules('WITH moved AS (DELETE FROM cart RETURNING id) INSERT INTO orders (id) SELECT id FROM moved')).toEqual(['insert-omits-column:error']);
    expect(rules('INSERT INTO app.orders (id) VALUES (1)', [inApp])).toEqual([]);
  });

  it('stars over the table, with aliases; not over other tables, not in EXISTS, not count(*)', () => {
    expect(rules('SELECT * FROM orders')).toEqual(['select-star:warning']);
    expect(rules('SELECT o.* FROM orders o JOIN customers c ON c.id = o.customer_id')).toEqual(['select-star:warning']);
    expect(rules('SELECT c.* FROM orders o JOIN customers c ON c.id = o.customer_id')).toEqual([]);
    expect(rules('SELECT * FROM customers WHERE EXISTS (SELECT * FROM orders WHERE customer_id = customers.id)')).toEqual([]);
    expect(rules('SELECT count(*) FROM orders')).toEqual([]);
    expect(rules('SELECT * FROM (SELECT id FROM orders) s')).toEqual([]);
    expect(rules('DELETE FROM orders WHERE id = $1 RETURNING *')).toEqual(['select-star:warning']);
  });

  it('schemas: an unqualified name may be the table (search_path unknown), another schema is not', () => {
    expect(rules('SELECT * FROM orders', [inApp])).toEqual(['select-star:warning']);
    expect(rules('SELECT * FROM app.orders', [inApp])).toEqual(['select-star:warning']);
    expect(rules('SELECT * FROM public.orders', [inApp])).toEqual([]);
    expect(rules('SELECT * FROM "Orders"')).toEqual([]);
  });

  it('set operations, COPY, MERGE, and NULL or DEFAULT written into a must-write column', () => {
    expect(rules('SELECT * FROM orders UNION ALL SELECT * FROM archive')).toEqual(['select-star:warning']);
    expect(rules("COPY orders (customer_id, total_cents) FROM STDIN")).toEqual(['insert-omits-column:error']);
    expect(rules('COPY orders FROM STDIN')).toEqual(['insert-without-columns:error']);
    expect(rules('COPY orders (id, currency) FROM STDIN')).toEqual([]);
    expect(rules('COPY orders TO STDOUT')).toEqual([]);
    expect(rules('MERGE INTO orders o USING src s ON o.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)')).toEqual(['insert-omits-column:error']);
    expect(rules("INSERT INTO orders (id, currency) VALUES (1, 'EUR'), (2, NULL)")).toEqual(['insert-omits-column:error']);
    expect(rules('INSERT INTO orders (id, currency) VALUES (1, DEFAULT)')).toEqual(['insert-omits-column:error']);
    // An existing column made NOT NULL without --db: whether it has a default is unknown, so a warning.
    const existing: ChangedColumn = { ...currency, kind: 'setNotNull', defaultKnown: false };
    expect(rules('INSERT INTO orders (id) VALUES (1)', [existing])).toEqual(['insert-omits-column:warning']);
  });

  it('other drivers\' placeholders become $n outside quotes, comments and casts', () => {
    expect(normalizePlaceholders("INSERT INTO orders (a, b) VALUES (?, ?) -- why?")).toBe('INSERT INTO orders (a, b) VALUES ($1, $2) -- why?');
    expect(normalizePlaceholders("SELECT ':x', now()::date, x ?| y FROM t WHERE a = :id AND b = :other")).toBe("SELECT ':x', now()::date, x ?| y FROM t WHERE a = $1 AND b = $2");
  });

  it('records the changed columns a query returns, and says when the SQL does not parse', () => {
    expect([...analyzeSql('SELECT id, upper(o.currency) AS c FROM orders o', [currency], 'expand').reads]).toEqual(['public.orders.currency']);
    expect([...analyzeSql('SELECT id FROM orders', [currency], 'expand').reads]).toEqual([]);
    const bad = analyzeSql('SELECT * FROM WHERE orders', [currency], 'expand');
    expect(bad.parsed).toBe(false);
    expect(bad.error).toMatch(/syntax error/);
  });
});
