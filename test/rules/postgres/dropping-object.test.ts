import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'dropping-object';

const schema = `CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TABLE orders (id bigserial PRIMARY KEY, status order_status NOT NULL, total numeric);
CREATE TABLE refunds (id bigint PRIMARY KEY, status order_status);
CREATE TABLE billing.invoices (id bigint PRIMARY KEY);
CREATE TABLE billing.payments (id bigint PRIMARY KEY);`;

describe(R, () => {
  test('DROP VIEW: breaks readers, with the pg_depend look-up in the fix', async () => {
    expect(await lintView(R, 'DROP VIEW order_totals;')).toMatchInlineSnapshot(`
      [
        "1:1 warning DROP VIEW order_totals breaks every query that still reads it, the moment it commits; it fails while another view is built on it
      Deploy code that no longer uses order_totals first, then drop it in a later migration.
      -- what still depends on it:
      SELECT DISTINCT pg_describe_object(classid, objid, objsubid) FROM pg_depend WHERE refobjid = 'order_totals'::regclass AND deptype = 'n';
      -- then:
      DROP VIEW order_totals;",
      ]
    `);
  });

  test('DROP FUNCTION with its argument list; defaults, triggers and checks are named', async () => {
    expect(await lintView(R, 'DROP FUNCTION IF EXISTS billing.price_with_tax(numeric, "Tax Rate");')).toMatchInlineSnapshot(`
      [
        "1:1 warning DROP FUNCTION billing.price_with_tax(numeric, "Tax Rate") breaks every query and function that still calls it, the moment it commits; it fails while a column default, trigger, CHECK constraint, index or view still uses it
      Deploy code that no longer uses billing.price_with_tax(numeric, "Tax Rate") first, then drop it in a later migration. Column defaults, triggers and CHECK constraints that call it are not in your application code: look for them too.
      -- what still depends on it:
      SELECT DISTINCT pg_describe_object(classid, objid, objsubid) FROM pg_depend WHERE refobjid = 'billing.price_with_tax(numeric, "Tax Rate")'::regprocedure AND deptype = 'n';
      -- then:
      DROP FUNCTION IF EXISTS billing.price_with_tax(numeric, "Tax Rate");",
      ]
    `);
  });

  test('DROP TYPE … CASCADE is an error and names the columns it takes along', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'DROP TYPE order_status CASCADE;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:11 error DROP TYPE order_status CASCADE breaks every query and function that names it (casts, function arguments, ORM type mappings); CASCADE also drops the columns orders.status and refunds.status with their data
      Deploy code that no longer uses order_status first, then drop it in a later migration, dropping what depends on it yourself so the migration says what goes.
      -- what still depends on it:
      SELECT DISTINCT pg_describe_object(classid, objid, objsubid) FROM pg_depend WHERE refobjid = 'order_status'::regtype AND deptype = 'n';
      -- then:
      ALTER TABLE orders DROP COLUMN status;
      ALTER TABLE refunds DROP COLUMN status;
      DROP TYPE order_status;",
      ]
    `);
  });

  test('DROP TYPE without CASCADE says which columns make it fail', async () => {
    const catalog = await catalogFrom(schema);
    const [f] = await findingsOf(R, 'DROP TYPE order_status;', { catalog });
    expect(f!.severity).toBe('warning');
    expect(f!.message).toContain('it fails while orders.status and refunds.status still have that type');
  });

  test('DROP SCHEMA … CASCADE writes out the tables it drops', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'DROP SCHEMA billing CASCADE;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 error DROP SCHEMA billing CASCADE breaks every query, function and search_path setting that names it; CASCADE also drops everything in it, including billing.invoices and billing.payments with all their rows
      Deploy code that no longer uses billing first, then drop it in a later migration, dropping what depends on it yourself so the migration says what goes.
      -- what still depends on it:
      SELECT DISTINCT pg_describe_object(classid, objid, 0) FROM pg_depend WHERE refobjid = 'billing'::regnamespace AND deptype = 'n';
      -- then:
      DROP TABLE billing.invoices;
      DROP TABLE billing.payments;
      DROP SCHEMA billing;",
      ]
    `);
  });

  test('DROP SEQUENCE … CASCADE names the serial column whose default goes', async () => {
    const catalog = await catalogFrom(schema);
    const [f] = await findingsOf(R, 'DROP SEQUENCE orders_id_seq CASCADE;', { catalog });
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('CASCADE also drops the default of orders.id');
    expect(f!.fix).toContain('ALTER TABLE orders ALTER COLUMN id DROP DEFAULT;\nDROP SEQUENCE orders_id_seq;');
  });

  test('DROP TRIGGER: what it did stops, and the lock from the effects table, with a lock_timeout retry', async () => {
    expect(await lintView(R, 'DROP TRIGGER orders_audit ON "Order Items";')).toMatchInlineSnapshot(`
      [
        "1:1 warning DROP TRIGGER orders_audit ON "Order Items" stops what it did on every write to "Order Items" (audit rows, synced columns, checks), and takes ACCESS EXCLUSIVE (blocks reads and writes) on "Order Items"
      Make sure what orders_audit did is no longer needed (or is done elsewhere) before it goes. The drop waits for every query on the table, so keep the wait short:
      SET lock_timeout = '2s';
      DROP TRIGGER orders_audit ON "Order Items";
      -- on "canceling statement due to lock timeout": wait a moment and run it again",
      ]
    `);
  });

  test('DROP TRIGGER … CASCADE stays a warning (nothing depends on a trigger)', async () => {
    const [f] = await findingsOf(R, 'DROP TRIGGER orders_audit ON orders CASCADE;');
    expect(f!.severity).toBe('warning');
  });

  test('DROP POLICY, DROP RULE, DROP EXTENSION, DROP DOMAIN, DROP MATERIALIZED VIEW, DROP PROCEDURE', async () => {
    const sql = 'DROP POLICY tenant_isolation ON orders; DROP RULE orders_insert ON order_view; DROP EXTENSION citext CASCADE; DROP DOMAIN email; DROP MATERIALIZED VIEW daily_sales; DROP PROCEDURE archive_orders();';
    const f = await findingsOf(R, sql);
    expect(f.map((x) => `${x.severity} ${x.message.split(' ').slice(0, 4).join(' ')}`)).toEqual([
      'warning DROP POLICY tenant_isolation ON',
      'warning DROP RULE orders_insert ON',
      'error DROP EXTENSION citext CASCADE',
      'warning DROP DOMAIN email breaks',
      'warning DROP MATERIALIZED VIEW daily_sales',
      'warning DROP PROCEDURE archive_orders() breaks',
    ]);
    expect(f[2]!.message).toContain('CASCADE also drops every column, index and function that uses its types');
  });

  test('several views in one DROP: one finding each, quoted names kept', async () => {
    const f = await findingsOf(R, 'DROP VIEW shop."Order Totals", daily_sales;');
    expect(f.map((x) => x.message.split(' breaks')[0])).toEqual(['DROP VIEW shop."Order Totals"', 'DROP VIEW daily_sales']);
    expect(f[0]!.fix).toContain(`WHERE refobjid = 'shop."Order Totals"'::regclass`);
  });

  test('dropped and created again outside a transaction: the gap is flagged', async () => {
    const sql = 'DROP VIEW order_totals;\nCREATE VIEW order_totals AS SELECT 1 AS n;';
    expect(await lintView(R, sql)).toMatchInlineSnapshot(`
      [
        "1:1 warning DROP VIEW order_totals and the CREATE at line 2 run in separate transactions: queries that use it in between fail
      Run both in one transaction, so that queries wait for the commit instead of failing:
      BEGIN;
      DROP VIEW order_totals;
      CREATE VIEW order_totals AS SELECT 1 AS n;
      COMMIT;
      Or change the view in place with CREATE OR REPLACE VIEW: that works as long as its existing columns stay as they are (new ones may be added at the end).",
      ]
    `);
  });

  test('leaves alone: created earlier in the migration, re-created in the same transaction, objects of a new table, tables and indexes', async () => {
    expect(await findingsOf(R, 'CREATE VIEW v AS SELECT 1; DROP VIEW v;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; DROP FUNCTION f();')).toEqual([]);
    expect(await findingsOf(R, "CREATE TYPE mood AS ENUM ('ok'); DROP TYPE mood;")).toEqual([]);
    expect(await findingsOf(R, 'CREATE SCHEMA scratch; DROP SCHEMA scratch;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE imports (id bigint); CREATE TRIGGER t BEFORE INSERT ON imports FOR EACH ROW EXECUTE FUNCTION f(); DROP TRIGGER t ON imports;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE imports (id bigint); DROP POLICY p ON imports;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN; DROP VIEW v; CREATE VIEW v AS SELECT 2; COMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'DROP FUNCTION f(int); CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;', { transaction: 'wrapped' })).toEqual([]);
    expect(await findingsOf(R, 'DROP TABLE orders; DROP INDEX orders_idx; DROP DATABASE shop;')).toEqual([]);
  });

  test('… but not a CASCADE that is followed by a re-create: the dependents are gone', async () => {
    const f = await findingsOf(R, 'BEGIN; DROP VIEW v CASCADE; CREATE VIEW v AS SELECT 2; COMMIT;');
    expect(f.map((x) => x.severity)).toEqual(['error']);
  });

  test('leaves alone the down section dropping what its own up created; flags it for another migration', async () => {
    const up = "CREATE TYPE order_status AS ENUM ('new');\nCREATE VIEW order_totals AS SELECT 1 AS n;\nCREATE FUNCTION price_with_tax(numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT $1 * 1.2 $$;";
    const down = 'DROP FUNCTION price_with_tax(numeric);\nDROP VIEW order_totals;\nDROP TYPE order_status;';
    const m = {
      id: '001_views',
      layout: 'plain' as const,
      up: { file: { path: '001.up.sql', text: up }, parts: [{ start: 0, end: up.length }] },
      down: { file: { path: '001.down.sql', text: down }, parts: [{ start: 0, end: down.length }] },
      transaction: 'none' as const,
      transactionSource: 'test',
    };
    const r = await lintMigrations([m], [m.up.file, m.down.file], { only: [R] });
    expect(r.findings).toEqual([]);
    const m2 = { ...m, id: '002_other', up: { file: { path: '002.up.sql', text: 'SELECT 1;' }, parts: [{ start: 0, end: 9 }] }, down: { file: { path: '002.down.sql', text: down }, parts: [{ start: 0, end: down.length }] } };
    const r2 = await lintMigrations([m, m2], [m.up.file, m2.up.file, m2.down.file], { only: [R] });
    expect(r2.findings.map((f) => `${f.file} ${f.message.split(' breaks')[0]}`)).toEqual(['002.down.sql DROP FUNCTION price_with_tax(numeric)', '002.down.sql DROP VIEW order_totals', '002.down.sql DROP TYPE order_status']);
  });
});
