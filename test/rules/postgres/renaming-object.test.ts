import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'renaming-object';

const schema = `CREATE TYPE order_status AS ENUM ('new', 'cancelled');
CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL);
CREATE TABLE billing.invoices (id bigint PRIMARY KEY);
CREATE TABLE billing."Credit Notes" (id bigint PRIMARY KEY);`;

describe(R, () => {
  test('RENAME SCHEMA: a schema of views keeps the old name working, with the tables the catalog knows', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'ALTER SCHEMA billing RENAME TO finance;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 warning RENAME SCHEMA billing TO finance breaks every query, function and search_path setting that names billing, the moment it commits
      Postgres has no schema aliases. Keep the old name working for the transition: rename it and, in the same transaction, create billing again with a view of each table (views this simple accept INSERT, UPDATE and DELETE):
      BEGIN;
      ALTER SCHEMA billing RENAME TO finance;
      CREATE SCHEMA billing;
      CREATE VIEW billing.invoices AS SELECT * FROM finance.invoices;
      CREATE VIEW billing."Credit Notes" AS SELECT * FROM finance."Credit Notes";
      -- grant the roles that use billing what they had: GRANT USAGE ON SCHEMA billing TO …; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA billing TO …;
      COMMIT;
      -- once no client names billing (functions and types are only reachable as finance.… from the start):
      DROP VIEW billing.invoices;
      DROP VIEW billing."Credit Notes";
      DROP SCHEMA billing;
      If clients find its tables through search_path (unqualified names), point search_path at the new name as well, e.g. ALTER ROLE <app role> SET search_path = finance, public; (sessions pick it up when they reconnect). Or move the objects one by one with ALTER TABLE … SET SCHEMA finance, each with a view like the ones above.",
      ]
    `);
  });

  test('RENAME SCHEMA without a catalog: placeholders, and no BEGIN inside the runner transaction', async () => {
    const [f] = await findingsOf(R, 'ALTER SCHEMA billing RENAME TO finance;', { transaction: 'wrapped' });
    expect(f!.fix).toContain('CREATE VIEW billing.<table> AS SELECT * FROM finance.<table>;');
    expect(f!.fix).not.toContain('BEGIN;');
  });

  test('RENAME VIEW: a view with the old name on top', async () => {
    expect(await lintView(R, 'ALTER VIEW shop."Order Totals" RENAME TO customer_totals;')).toMatchInlineSnapshot(`
      [
        "1:12 warning RENAME VIEW shop."Order Totals" TO customer_totals breaks every query that still reads shop."Order Totals", the moment it commits
      Keep the old name working until every client uses shop.customer_totals: in the same transaction, create a view named shop."Order Totals" on top of it:
      BEGIN;
      ALTER VIEW shop."Order Totals" RENAME TO customer_totals;
      CREATE VIEW shop."Order Totals" AS SELECT * FROM shop.customer_totals;
      COMMIT;
      -- once no client uses shop."Order Totals":
      DROP VIEW shop."Order Totals";",
      ]
    `);
  });

  test('RENAME VALUE of an enum: add, migrate the rows the catalog knows, stop using the old one', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, "ALTER TYPE order_status RENAME VALUE 'cancelled' TO 'canceled';", { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 warning RENAME VALUE 'cancelled' TO 'canceled' of order_status: every query that still writes or compares 'cancelled' fails (invalid input value for enum) the moment it commits
      Add the new value next to the old one instead (nothing uses it yet, so nothing breaks), deploy code that accepts both and writes 'canceled', then move the rows over. Enum values cannot be removed: 'cancelled' stays in the type, unused.
      ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'canceled' AFTER 'cancelled';
      -- in a later migration, once code that writes 'canceled' is deployed (a value cannot be used in the transaction that adds it):
      UPDATE orders SET status = 'canceled' WHERE status = 'cancelled';  -- in batches on a large table
      Also update CHECK constraints, partial indexes and function bodies that mention 'cancelled'.",
      ]
    `);
  });

  test('types, domains, sequences, functions, procedures, triggers, view columns and type attributes', async () => {
    const sql = [
      'ALTER TYPE order_status RENAME TO status;',
      'ALTER DOMAIN email RENAME TO email_address;',
      'ALTER SEQUENCE orders_id_seq RENAME TO order_numbers;',
      'ALTER FUNCTION price_with_tax(numeric, text) RENAME TO gross_price;',
      'ALTER PROCEDURE archive_orders() RENAME TO archive_old_orders;',
      'ALTER TRIGGER orders_audit ON orders RENAME TO a_orders_audit;',
      'ALTER VIEW order_totals RENAME COLUMN total TO amount;',
      'ALTER MATERIALIZED VIEW daily_sales RENAME TO sales_per_day;',
      'ALTER TYPE address RENAME ATTRIBUTE zip TO postal_code;',
    ].join('\n');
    const f = await findingsOf(R, sql);
    expect(f.map((x) => x.message.split(/ breaks|:/)[0])).toEqual([
      'RENAME TYPE order_status TO status',
      'RENAME DOMAIN email TO email_address',
      'RENAME SEQUENCE orders_id_seq TO order_numbers',
      'RENAME FUNCTION price_with_tax(numeric, text) TO gross_price',
      'RENAME PROCEDURE archive_orders() TO archive_old_orders',
      'RENAME TRIGGER orders_audit ON orders TO a_orders_audit',
      'RENAME COLUMN total TO amount of view order_totals',
      'RENAME MATERIALIZED VIEW daily_sales TO sales_per_day',
      'RENAME ATTRIBUTE zip TO postal_code of type address',
    ]);
    expect(f.every((x) => x.severity === 'warning')).toBe(true);
    expect(f[3]!.fix).toContain('CREATE FUNCTION gross_price(numeric, text) … with the same body');
    expect(f[5]!.fix).toContain(`WHERE tgrelid = 'orders'::regclass`);
  });

  test('leaves alone: tables, columns, constraints, indexes, policies, and objects created in the same migration', async () => {
    const sql = [
      'ALTER TABLE orders RENAME TO purchases;',
      'ALTER TABLE orders RENAME COLUMN total TO amount;',
      'ALTER TABLE orders RENAME CONSTRAINT orders_total_check TO orders_total_positive;',
      'ALTER INDEX orders_created_idx RENAME TO orders_created_at_idx;',
      'ALTER POLICY tenant ON orders RENAME TO tenant_isolation;',
      'ALTER DOMAIN email RENAME CONSTRAINT email_check TO email_format;',
      'CREATE VIEW recent_orders AS SELECT 1 AS n;',
      'ALTER VIEW recent_orders RENAME TO latest_orders;',
      'CREATE SCHEMA staging;',
      'ALTER SCHEMA staging RENAME TO imports;',
      "CREATE TYPE mood AS ENUM ('ok');",
      "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';",
      'ALTER TYPE mood RENAME TO feeling;',
      "ALTER TYPE order_status ADD VALUE 'refunded';",
      "ALTER TYPE order_status RENAME VALUE 'refunded' TO 'returned';",
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
      'ALTER FUNCTION f() RENAME TO g;',
      'CREATE TABLE refunds (id bigint);',
      'ALTER TRIGGER refunds_audit ON refunds RENAME TO refunds_log;',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
  });
});
