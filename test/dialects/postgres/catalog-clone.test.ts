/**
 * Catalog.clone() is copy on write: a clone shares the source's objects until it changes one. These
 * tests change a clone with every kind of statement the catalog learns from and check, object by
 * object, that the source did not move — and that the clone did.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { loadParser, parsePostgres } from '../../../src/dialects/postgres/parser.js';
import { Catalog } from '../../../src/dialects/postgres/catalog.js';

beforeAll(loadParser);

const schema = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text, tier int);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), total numeric, note text);
CREATE INDEX orders_customer_idx ON orders (customer_id);
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_old (id bigint, at timestamptz);
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE FUNCTION f() RETURNS int LANGUAGE sql IMMUTABLE AS 'select 1';
`;

const changes = `
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders RENAME COLUMN total TO amount;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE orders ALTER COLUMN amount TYPE bigint;
ALTER TABLE orders ALTER COLUMN amount SET DEFAULT 0;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
ALTER TABLE orders RENAME CONSTRAINT orders_total_check TO orders_amount_check;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);
ALTER TABLE orders CLUSTER ON orders_customer_idx;
ALTER INDEX orders_customer_idx RENAME TO orders_by_customer;
CREATE INDEX orders_amount_idx ON orders (amount);
DROP INDEX orders_by_customer;
ALTER TABLE customers RENAME TO clients;
ALTER TABLE events DETACH PARTITION events_2026;
ALTER TABLE events ATTACH PARTITION events_old FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER DOMAIN positive ADD CONSTRAINT positive_small CHECK (VALUE < 100) NOT VALID;
ALTER TYPE mood ADD VALUE 'calm' BEFORE 'happy';
CREATE TABLE refunds (id bigint);
DROP TABLE events_2026;
CREATE FUNCTION g() RETURNS int LANGUAGE sql VOLATILE AS 'select 1';
`;

function build(sql: string, into = new Catalog()): Catalog {
  for (const s of parsePostgres(sql).statements) into.apply(s, 'm1');
  return into;
}

/** Everything in a catalog as plain data (Maps and Sets become sorted entries), for deep equality. */
function dump(c: Catalog): unknown {
  const plain = (v: unknown): unknown =>
    v instanceof Map ? [...v].map(([k, x]) => [k, plain(x)]).sort() : v instanceof Set ? [...v].sort() : Array.isArray(v) ? v.map(plain) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
  return plain({ tables: c.tables, indexes: c.indexes, domains: c.domains, enums: c.enums, functions: c.functions, complete: c.complete });
}

describe('Catalog.clone() (copy on write)', () => {
  test('changing a clone with every kind of statement leaves the source exactly as it was', () => {
    const source = build(schema);
    const before = structuredClone(dump(source));
    const clone = build(changes, source.clone());
    expect(dump(source)).toEqual(before);

    // …and the clone has every change.
    const orders = clone.table({ name: 'orders' })!;
    expect([...orders.columns.keys()]).toEqual(['id', 'customer_id', 'amount']);
    expect(orders.columns.get('customer_id')!.notNull).toBe(true);
    expect(orders.columns.get('amount')!.type.name).toBe('int8');
    expect(orders.columns.get('amount')!.hasDefault).toBe(true);
    expect(orders.constraints.get('orders_amount_check')!.valid).toBe(true);
    expect(orders.constraints.has('orders_total_check')).toBe(false);
    expect(orders.constraints.has('orders_amount_positive')).toBe(true);
    expect(orders.clusteredOn).toBe('orders_customer_idx');
    expect([...orders.indexes].sort()).toEqual(['orders_amount_idx']);
    expect(clone.index({ name: 'orders_by_customer' })).toBeUndefined();
    expect(clone.table({ name: 'customers' })).toBeUndefined();
    expect(clone.table({ name: 'clients' })).toBeDefined();
    expect(clone.referenced({ name: 'orders' })).toEqual([{ name: 'clients' }]);
    expect(clone.partitions({ name: 'events' }).map((p) => p.name.name)).toEqual(['events_old']);
    expect([...clone.domain({ name: 'positive' })!.constraints.keys()].sort()).toEqual(['positive_check', 'positive_small']);
    expect(clone.enums.get('public.mood')).toEqual(['sad', 'calm', 'happy']);
    expect(clone.functions.get('g')).toBe('volatile');

    // The source still says what it said.
    expect(source.table({ name: 'orders' })!.columns.has('note')).toBe(true);
    expect(source.referenced({ name: 'orders' })).toEqual([{ name: 'customers' }]);
    expect(source.enums.get('public.mood')).toEqual(['sad', 'happy']);
  });

  test('a clone of a clone, and the source changed after cloning, stay independent', () => {
    const source = build(schema);
    const a = source.clone();
    const b = build('ALTER TABLE orders DROP COLUMN note;', a.clone());
    build('ALTER TABLE orders ADD COLUMN extra int;', source);
    expect(a.table({ name: 'orders' })!.columns.has('note')).toBe(true);
    expect(a.table({ name: 'orders' })!.columns.has('extra')).toBe(false);
    expect(b.table({ name: 'orders' })!.columns.has('note')).toBe(false);
    expect(b.table({ name: 'orders' })!.columns.has('extra')).toBe(false);
    expect(source.table({ name: 'orders' })!.columns.has('extra')).toBe(true);
  });

  test('editTable() hands out a table that is safe to change in place', () => {
    const source = build(schema);
    const clone = source.clone();
    clone.editTable({ name: 'orders' })!.columns.delete('note');
    expect(source.table({ name: 'orders' })!.columns.has('note')).toBe(true);
    expect(clone.table({ name: 'orders' })!.columns.has('note')).toBe(false);
  });
});
