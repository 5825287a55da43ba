import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'dropping-table';

const schema = `CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));`;

describe(R, () => {
  test('a plain DROP TABLE: data loss, the referenced table it locks, the foreign key that makes it fail', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'DROP TABLE orders;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 warning DROP TABLE orders deletes the table and all its rows, and takes ACCESS EXCLUSIVE (blocks reads and writes) on customers too; it fails while invoices (invoices_order_id_fkey) still references it
      Deploy code that no longer uses orders first, and keep its data until you are sure: take a copy (pg_dump --table=orders <database>), or rename the table now and drop it a release later:
      ALTER TABLE orders RENAME TO orders_to_drop;
      -- a release later, dropping what depends on it yourself so the migration says what goes:
      ALTER TABLE invoices DROP CONSTRAINT invoices_order_id_fkey;
      DROP TABLE orders_to_drop;",
      ]
    `);
  });

  test('CASCADE is an error and writes out the foreign keys it would drop', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'DROP TABLE orders CASCADE;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 error DROP TABLE orders CASCADE deletes the table and all its rows, and drops the foreign keys of invoices that point at it and every view on it, taking ACCESS EXCLUSIVE (blocks reads and writes) on invoices and customers
      Deploy code that no longer uses orders first, and keep its data until you are sure: take a copy (pg_dump --table=orders <database>), or rename the table now and drop it a release later:
      ALTER TABLE orders RENAME TO orders_to_drop;
      -- a release later, dropping what depends on it yourself so the migration says what goes (without CASCADE, a view that still uses it makes the drop fail instead of vanishing silently):
      ALTER TABLE invoices DROP CONSTRAINT invoices_order_id_fkey;
      DROP TABLE orders_to_drop;",
      ]
    `);
  });

  test('CASCADE without a catalog still says what it does, with a placeholder', async () => {
    const [f] = await findingsOf(R, 'DROP TABLE IF EXISTS shop."Order Items" CASCADE;');
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('every foreign key that points at it');
    expect(f!.fix).toContain('pass --db');
    expect(f!.fix).toContain(`pg_dump '--table=shop."Order Items"' <database>`);
    expect(f!.fix).toContain('ALTER TABLE shop."Order Items" RENAME TO "Order Items_to_drop";');
  });

  test('several tables: one finding each', async () => {
    expect((await findingsOf(R, 'DROP TABLE legacy_orders, legacy_invoices;')).length).toBe(2);
  });

  test('leaves alone: a table created in the same migration, the down of the migration that created it, other DROPs', async () => {
    expect(await findingsOf(R, 'CREATE TABLE import_batch (id bigint); DROP TABLE import_batch;')).toEqual([]);
    expect(await findingsOf(R, 'DROP VIEW order_totals; DROP INDEX orders_idx;')).toEqual([]);
    const up = 'CREATE TABLE refunds (id bigint PRIMARY KEY);';
    const down = 'DROP TABLE refunds;';
    const m = {
      id: '001_refunds',
      layout: 'plain' as const,
      up: { file: { path: '001.up.sql', text: up }, parts: [{ start: 0, end: up.length }] },
      down: { file: { path: '001.down.sql', text: down }, parts: [{ start: 0, end: down.length }] },
      transaction: 'none' as const,
      transactionSource: 'test',
    };
    const r = await lintMigrations([m], [m.up.file, m.down.file], { only: [R] });
    expect(r.findings).toEqual([]);
    // … but a down dropping a table some other migration created is flagged
    const m2 = { ...m, id: '002_other', up: { file: { path: '002.up.sql', text: 'SELECT 1;' }, parts: [{ start: 0, end: 9 }] }, down: { file: { path: '002.down.sql', text: down }, parts: [{ start: 0, end: down.length }] } };
    const r2 = await lintMigrations([m, m2], [m.up.file, m2.up.file, m2.down.file], { only: [R] });
    expect(r2.findings.map((f) => f.file)).toEqual(['002.down.sql']);
  });
});
