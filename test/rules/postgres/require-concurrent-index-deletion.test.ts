import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'require-concurrent-index-deletion';


describe(R, () => {
  test('flags a plain DROP INDEX and names the table it locks', async () => {
    const catalog = await catalogFrom('CREATE TABLE orders (id bigint, created_at timestamptz); CREATE INDEX orders_created_at_idx ON orders (created_at);');
    expect(await lintView(R, 'DROP INDEX orders_created_at_idx;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 warning DROP INDEX orders_created_at_idx takes ACCESS EXCLUSIVE (blocks reads and writes) on orders: it waits for every running query on the table, and every later query waits behind it
      Drop it without blocking queries:
      DROP INDEX CONCURRENTLY IF EXISTS orders_created_at_idx;",
      ]
    `);
  });

  test('several indexes and CASCADE: split into one statement per index, CASCADE explained', async () => {
    const catalog = await catalogFrom('CREATE TABLE orders (id bigint, ref text); CREATE UNIQUE INDEX orders_ref_key ON orders (ref); CREATE INDEX orders_id_idx ON orders (id);');
    const [f] = await findingsOf(R, 'DROP INDEX IF EXISTS orders_ref_key, orders_id_idx CASCADE;', { catalog });
    expect(f!.message).toContain('orders_ref_key and orders_id_idx');
    expect(f!.fix).toContain('DROP INDEX CONCURRENTLY IF EXISTS orders_ref_key;\nDROP INDEX CONCURRENTLY IF EXISTS orders_id_idx;');
    expect(f!.fix).toContain('does not support CASCADE');
    expect(f!.fix).not.toMatch(/CONCURRENTLY[^\n]*CASCADE;/);
  });

  test('quotes hostile names and keeps the schema', async () => {
    const catalog = await catalogFrom('CREATE TABLE shop."Order Items" (id bigint); CREATE INDEX "Order Items_id" ON shop."Order Items" (id);');
    const [f] = await findingsOf(R, 'DROP INDEX shop."Order Items_id";', { catalog });
    expect(f!.message).toContain('shop."Order Items"');
    expect(f!.fix).toContain('DROP INDEX CONCURRENTLY IF EXISTS shop."Order Items_id";');
  });

  test('an index lockstep cannot place is still flagged, and says so', async () => {
    const [f] = await findingsOf(R, 'DROP INDEX orders_created_at_idx;');
    expect(f!.message).toContain("the index’s table");
    expect(f!.fix).toContain('lockstep does not know which table orders_created_at_idx is on');
  });

  test('inside the runner transaction it says how to get out of it', async () => {
    const [f] = await findingsOf(R, 'DROP INDEX orders_created_at_idx;', { transaction: 'wrapped', layout: 'golang-migrate' });
    expect(f!.fix).toContain('Put it alone in its own migration file');
  });

  test('an index on a partitioned table: no CONCURRENTLY there, so lock_timeout and retry', async () => {
    const catalog = await catalogFrom('CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at); CREATE INDEX events_at_idx ON events (at);');
    const [f] = await findingsOf(R, 'DROP INDEX events_at_idx;', { catalog });
    expect(f!.fix).toContain('cannot be dropped CONCURRENTLY');
    expect(f!.fix).toContain("SET lock_timeout = '2s';\nDROP INDEX IF EXISTS events_at_idx;");
    expect(f!.fix).not.toContain('DROP INDEX CONCURRENTLY');
  });

  test('leaves alone: CONCURRENTLY, other DROPs, indexes of a table created in the same migration', async () => {
    expect(await findingsOf(R, 'DROP INDEX CONCURRENTLY orders_created_at_idx;')).toEqual([]);
    expect(await findingsOf(R, 'DROP VIEW order_totals;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint, order_id bigint); CREATE INDEX refunds_order_id_idx ON refunds (order_id); DROP INDEX refunds_order_id_idx;')).toEqual([]);
  });
});
