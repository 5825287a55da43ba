import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'require-table-schema';

describe(R, () => {
  test('CREATE TABLE and ALTER TABLE without a schema: the statement with the schema inserted', async () => {
    const sql = 'CREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE IF EXISTS ONLY "Order Items" ADD COLUMN refund_id bigint;';
    expect(await lintView(R, sql)).toMatchInlineSnapshot(`
      [
        "1:14 info CREATE TABLE refunds names no schema: which schema it creates the table in depends on search_path
      Name the schema (public, or the one you mean):
      CREATE TABLE public.refunds (id bigint PRIMARY KEY);",
        "2:28 info ALTER TABLE IF EXISTS ONLY "Order Items" names no schema: which table it changes depends on search_path
      Name the schema (public, or the one you mean):
      ALTER TABLE IF EXISTS ONLY public."Order Items" ADD COLUMN refund_id bigint;",
      ]
    `);
  });

  test('DROP TABLE qualifies only the names that lack a schema', async () => {
    const [f] = await findingsOf(R, 'DROP TABLE IF EXISTS legacy_orders, archive.old_orders, "Legacy Items" CASCADE;');
    expect(f!.message).toBe('DROP TABLE legacy_orders and "Legacy Items" names no schema: which table it drops depends on search_path');
    expect(f!.fix).toContain('DROP TABLE IF EXISTS public.legacy_orders, archive.old_orders, public."Legacy Items" CASCADE;');
  });

  test('CREATE INDEX, CREATE TABLE AS, RENAME and SET SCHEMA', async () => {
    const sql = [
      'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);',
      'CREATE TABLE order_totals AS SELECT customer_id, sum(total) FROM public.orders GROUP BY 1;',
      'ALTER TABLE orders RENAME COLUMN total TO amount;',
      'ALTER TABLE orders SET SCHEMA archive;',
    ].join('\n');
    const f = await findingsOf(R, sql);
    expect(f.map((x) => x.message.split(' names no schema')[0])).toEqual([
      'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders',
      'CREATE TABLE order_totals AS',
      'ALTER TABLE orders',
      'ALTER TABLE orders',
    ]);
    expect(f[0]!.fix).toContain('CREATE INDEX CONCURRENTLY orders_created_at_idx ON public.orders (created_at);');
  });

  test('leaves alone: qualified names, temporary tables, views and other objects', async () => {
    const sql = [
      'CREATE TABLE public.refunds (id bigint PRIMARY KEY);',
      'ALTER TABLE public.orders ADD COLUMN refund_id bigint;',
      'CREATE INDEX ON shop.orders (created_at);',
      'DROP TABLE archive.old_orders;',
      'CREATE TEMP TABLE import_rows (line text);',
      'ALTER TABLE import_rows ADD COLUMN n int;',
      'DROP TABLE import_rows;',
      'CREATE VIEW order_totals AS SELECT 1;',
      'ALTER VIEW order_totals RENAME TO totals;',
      'DROP VIEW totals;',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
  });
});
