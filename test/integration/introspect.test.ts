/**
 * lint --db on real servers: the version, the schema and the table sizes come from the database, and
 * change what lint says (severity with size, a user function's volatility, a column's current type).
 */
import { describe, expect, test } from 'vitest';
import { testServers, freshDatabase } from '../helpers/db.js';
import { introspectUrl } from '../../src/dialects/postgres/introspect.js';
import { lintSql } from '../../src/lint/lint.js';

const schema = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint REFERENCES customers (id),
  note varchar(20),
  placed timestamp,
  status text
);
ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;
CREATE TABLE tiny (id int PRIMARY KEY);
CREATE FUNCTION order_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$;
CREATE FUNCTION fixed_code() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'x' $$;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 1000) g;
INSERT INTO orders SELECT g, 1 + g % 1000, 'n', now(), 'new' FROM generate_series(1, 1100000) g;
ANALYZE;
`;

const servers = testServers([15, 18]);

describe.each(servers)('introspection on $name', (server) => {
  test('facts, and lint decisions that depend on them', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const facts = await introspectUrl(db.url);
    expect(facts.major).toBe(server.major);
    const orders = facts.catalog.table({ name: 'orders' })!;
    expect(orders.rows).toBeGreaterThan(1_000_000);
    expect(orders.bytes).toBeGreaterThan(10_000_000);
    expect(orders.columns.get('note')!.type).toMatchObject({ name: 'varchar', mods: [20] });
    expect(orders.columns.get('placed')!.type.name).toBe('timestamp');
    expect(orders.constraints.get('orders_customer_id_fkey')).toMatchObject({ kind: 'foreign-key', valid: true, references: { name: 'customers' } });
    expect(orders.constraints.get('orders_status_nn')).toMatchObject({ kind: 'check', valid: false, notNullColumn: 'status' });
    expect(facts.catalog.functions.get('order_code')).toBe('volatile');
    expect(facts.catalog.functions.get('fixed_code')).toBe('immutable');
    expect(facts.catalog.enums.get('public.mood')).toEqual(['sad', 'ok']);
    expect(facts.catalog.domain({ name: 'positive' })!.constraints.size).toBe(1);
    expect(facts.catalog.referencing({ name: 'customers' })).toEqual([{ name: 'orders' }]);

    const lint = (sql: string) => lintSql(sql, { catalog: facts.catalog, pgVersion: facts.major });
    // Severity follows size: a big table makes it an error and says how big; a tiny one lowers it.
    const big = (await lint('CREATE INDEX orders_note_idx ON orders (note);')).findings.find((f) => f.rule === 'require-concurrent-index-creation')!;
    expect(big.severity).toBe('error');
    expect(big.message).toMatch(/\(orders: ~1\.1M rows, \d+ MB\)/);
    const small = (await lint('CREATE INDEX tiny_id_idx ON tiny (id);')).findings.find((f) => f.rule === 'require-concurrent-index-creation')!;
    expect(small.severity).toBe('info');
  });
});
