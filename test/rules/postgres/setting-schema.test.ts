import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'setting-schema';

describe(R, () => {
  test('a table: the lock from the effects table, and a view with the old name', async () => {
    expect(await lintView(R, 'ALTER TABLE orders SET SCHEMA archive;')).toMatchInlineSnapshot(`
      [
        "1:13 warning SET SCHEMA archive moves orders to archive.orders: every query that still reaches orders in its old schema (by name or through search_path) breaks the moment it commits; it takes ACCESS EXCLUSIVE (blocks reads and writes) on orders
      Keep the old name working until every client uses archive.orders: in the same transaction, create a view named orders in front of it (a view this simple accepts INSERT, UPDATE and DELETE):
      BEGIN;
      ALTER TABLE orders SET SCHEMA archive;
      CREATE VIEW orders AS SELECT * FROM archive.orders;
      COMMIT;
      -- once no client uses orders:
      DROP VIEW orders;
      Or, if clients use unqualified names, add archive to their search_path instead (ALTER ROLE <app role> SET search_path = archive, public; sessions pick it up when they reconnect).",
      ]
    `);
  });

  test('a schema-qualified, quoted table inside the runner transaction', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE IF EXISTS shop."Order Items" SET SCHEMA "Archive";', { transaction: 'wrapped' });
    expect(f!.message).toBe(
      'SET SCHEMA "Archive" moves shop."Order Items" to "Archive"."Order Items": every query that still names shop."Order Items" breaks the moment it commits; it takes ACCESS EXCLUSIVE (blocks reads and writes) on shop."Order Items"',
    );
    expect(f!.fix).toContain('CREATE VIEW shop."Order Items" AS SELECT * FROM "Archive"."Order Items";');
    expect(f!.fix).not.toContain('BEGIN;');
  });

  test('views, sequences, types, domains, functions and extensions', async () => {
    const sql = [
      'ALTER VIEW order_totals SET SCHEMA reporting;',
      'ALTER MATERIALIZED VIEW daily_sales SET SCHEMA reporting;',
      'ALTER SEQUENCE invoice_numbers SET SCHEMA billing;',
      'ALTER TYPE order_status SET SCHEMA shop;',
      'ALTER DOMAIN email SET SCHEMA shop;',
      'ALTER FUNCTION price_with_tax(numeric) SET SCHEMA shop;',
      'ALTER EXTENSION pgcrypto SET SCHEMA extensions;',
    ].join('\n');
    const f = await findingsOf(R, sql);
    expect(f.map((x) => x.message.split(':')[0])).toEqual([
      'SET SCHEMA reporting moves view order_totals to reporting.order_totals',
      'SET SCHEMA reporting moves materialized view daily_sales to reporting.daily_sales',
      'SET SCHEMA billing moves sequence invoice_numbers to billing.invoice_numbers',
      'SET SCHEMA shop moves type order_status to shop.order_status',
      'SET SCHEMA shop moves domain email to shop.email',
      'SET SCHEMA shop moves function price_with_tax(numeric) to shop.price_with_tax',
      'SET SCHEMA extensions moves the functions, types and operators of extension pgcrypto',
    ]);
    expect(f[3]!.fix).toContain('Columns of the type follow the move');
  });

  test('leaves alone: a view with the old name created after the move, objects created in the same migration', async () => {
    const sql = [
      'BEGIN;',
      'ALTER TABLE orders SET SCHEMA archive;',
      'CREATE VIEW public.orders AS SELECT * FROM archive.orders;',
      'COMMIT;',
      'CREATE TABLE import_batch (id bigint PRIMARY KEY);',
      'ALTER TABLE import_batch SET SCHEMA staging;',
      'CREATE VIEW recent AS SELECT 1 AS n;',
      'ALTER VIEW recent SET SCHEMA reporting;',
      "CREATE TYPE mood AS ENUM ('ok');",
      'ALTER TYPE mood SET SCHEMA shop;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
      'ALTER FUNCTION f() SET SCHEMA shop;',
      'CREATE EXTENSION IF NOT EXISTS citext;',
      'ALTER EXTENSION citext SET SCHEMA extensions;',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
  });
});
