import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'ban-duplicate-column-assignments';

describe(R, () => {
  test('UPDATE … SET and the SET (a, b) = … form', async () => {
    expect(await lintView(R, "UPDATE orders SET status = 'shipped', shipped_at = now(), status = 'delivered' WHERE id = 42;\nUPDATE orders SET (status, shipped_at) = ('shipped', now()), shipped_at = NULL;")).toMatchInlineSnapshot(`
      [
        "1:59 error UPDATE orders SET assigns status twice: Postgres rejects it (multiple assignments to same column "status")
      Assign status once, with the value you want.",
        "2:62 error UPDATE orders SET assigns shipped_at twice: Postgres rejects it (multiple assignments to same column "shipped_at")
      Assign shipped_at once, with the value you want.",
      ]
    `);
  });

  test('CREATE TABLE, view column lists, INSERT and ON CONFLICT, with quoted names', async () => {
    const f = await findingsOf(
      R,
      'CREATE TABLE "Order Items" ("Unit Price" numeric, qty int, "Unit Price" money);\nCREATE VIEW order_totals (id, id) AS SELECT 1, 2;\nINSERT INTO orders (id, status, id) VALUES (1, \'paid\', 2) ON CONFLICT (id) DO UPDATE SET status = \'paid\', status = \'late\';',
    );
    expect(f.map((x) => x.message)).toEqual([
      'CREATE TABLE "Order Items" declares column "Unit Price" twice: Postgres rejects it (column "Unit Price" specified more than once)',
      'the column list of order_totals names id twice: Postgres rejects it (column "id" specified more than once)',
      'INSERT INTO orders lists column id twice: Postgres rejects it (column "id" specified more than once)',
      'ON CONFLICT DO UPDATE SET assigns status twice: Postgres rejects it (multiple assignments to same column "status")',
    ]);
    expect(f.every((x) => x.severity === 'error')).toBe(true);
  });

  test('ALTER TABLE: two ADD COLUMN, two TYPE changes (errors); IF NOT EXISTS and two different defaults (accepted, warning)', async () => {
    const f = await findingsOf(
      R,
      'ALTER TABLE orders ADD COLUMN note text, ADD COLUMN note varchar(20), ALTER COLUMN total TYPE numeric, ALTER COLUMN total TYPE bigint;\nALTER TABLE orders ADD COLUMN IF NOT EXISTS tag text, ADD COLUMN IF NOT EXISTS tag int, ALTER COLUMN status SET DEFAULT \'new\', ALTER COLUMN status SET DEFAULT \'paid\';',
    );
    expect(f.map((x) => `${x.severity} ${x.message}`)).toEqual([
      'error ALTER TABLE orders adds column note twice: Postgres rejects it (column "note" of relation "orders" already exists)',
      'error ALTER TABLE orders changes the type of total twice: Postgres rejects it (cannot alter type of column "total" twice)',
      'warning ALTER TABLE orders adds column tag twice: the second ADD COLUMN IF NOT EXISTS is silently skipped, so its definition is ignored',
      'warning ALTER TABLE orders sets the default of status twice with different values: Postgres accepts it and the last one wins',
    ]);
  });

  test('a whole-column assignment next to an element assignment is a duplicate', async () => {
    expect(await findingsOf(R, "UPDATE orders SET tags = '{}', tags[1] = 'gift';")).toHaveLength(1);
    expect(await findingsOf(R, "INSERT INTO orders (tags, tags[2]) VALUES ('{}', 'x');")).toHaveLength(1);
  });

  test('leaves alone: distinct columns, different elements or fields of one column, the same default twice', async () => {
    expect(await findingsOf(R, "UPDATE orders SET status = 'paid', paid_at = now(); UPDATE orders SET tags[1] = 'a', tags[2] = 'b', addr.city = 'x', addr.zip = 'y';")).toEqual([]);
    expect(await findingsOf(R, "INSERT INTO orders (tags[1], tags[2]) VALUES ('a', 'b'); CREATE TABLE t (a int, b int);")).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ALTER COLUMN qty SET DEFAULT 1, ALTER COLUMN qty SET DEFAULT 1, ADD COLUMN a int, ADD COLUMN b int;')).toEqual([]);
  });
  test('MERGE: a column twice in one INSERT column list or one UPDATE SET list', async () => {
    const sql =
      'MERGE INTO "Order Items" AS t USING staged s ON t.id = s.id\nWHEN MATCHED THEN UPDATE SET qty = s.qty, (qty, note) = (1, \'x\')\nWHEN NOT MATCHED THEN INSERT (id, qty, id) VALUES (s.id, s.qty, 2);';
    expect(await lintView(R, sql)).toMatchInlineSnapshot(`
      [
        "2:44 error MERGE INTO "Order Items" … THEN UPDATE SET assigns qty twice: Postgres rejects it (multiple assignments to same column "qty")
      Assign qty once in the UPDATE SET list, with the value you want.",
        "3:40 error MERGE INTO "Order Items" … THEN INSERT lists column id twice: Postgres rejects it (column "id" specified more than once)
      List id once in the INSERT column list, with the value you want.",
      ]
    `);
  });

  test('leaves alone: MERGE with a column in several WHEN clauses, different elements of one column, DO NOTHING', async () => {
    const sql =
      "MERGE INTO orders t USING staged s ON t.id = s.id\nWHEN MATCHED AND s.cancel THEN UPDATE SET status = 'cancelled'\nWHEN MATCHED THEN UPDATE SET status = s.status, tags[1] = 'a', tags[2] = 'b'\nWHEN NOT MATCHED AND s.skip THEN DO NOTHING\nWHEN NOT MATCHED THEN INSERT (id, status) VALUES (s.id, s.status);";
    expect(await findingsOf(R, sql)).toEqual([]);
  });
  test('views, materialized views and CREATE TABLE AS whose result has one name twice (inferred names, AS, *)', async () => {
    const sql = [
      'CREATE VIEW order_flags AS SELECT 1, 2;',
      'CREATE MATERIALIZED VIEW order_counts AS SELECT count(*), count(DISTINCT customer_id) FROM orders;',
      'CREATE TABLE order_snapshot AS SELECT o.id, o.total::text, c.id FROM orders o JOIN customers c ON c.id = o.customer_id;',
      'CREATE VIEW "Totals" (id) AS SELECT 1, 2 AS id;',
    ].join('\n');
    expect(await lintView(R, sql)).toMatchInlineSnapshot(`
      [
        "1:38 error CREATE VIEW order_flags gives two of its columns the name "?column?", \`1\` (named ?column? by Postgres, for want of an AS) and \`2\` (named ?column? by Postgres, for want of an AS): Postgres rejects it (column "?column?" specified more than once)
      Give \`2\` a name of its own with AS (\`2 AS <other name>\`), or name the columns after order_flags: CREATE VIEW order_flags (col1, col2, …) AS …",
        "2:59 error CREATE MATERIALIZED VIEW order_counts gives two of its columns the name count, \`count(*)\` (named count by Postgres) and \`count(DISTINCT customer_id)\` (named count by Postgres): Postgres rejects it (column "count" specified more than once)
      Give \`count(DISTINCT customer_id)\` a name of its own with AS (\`count(DISTINCT customer_id) AS <other name>\`), or name the columns after order_counts: CREATE MATERIALIZED VIEW order_counts (col1, col2, …) AS …",
        "3:60 error CREATE TABLE order_snapshot AS gives two of its columns the name id, \`o.id\` (named id by Postgres) and \`c.id\` (named id by Postgres): Postgres rejects it (column "id" specified more than once)
      Give \`c.id\` a name of its own with AS (\`c.id AS <other name>\`), or name the columns after order_snapshot: CREATE TABLE order_snapshot (col1, col2, …) AS …",
        "4:40 error CREATE VIEW "Totals" gives two of its columns the name id, id in the column list and \`2 AS id\`: Postgres rejects it (column "id" specified more than once)
      Give \`2 AS id\` another name, or name the columns after "Totals": CREATE VIEW "Totals" (col1, col2, …) AS …",
      ]
    `);
  });

  test('* is expanded from the tables the migration created (USING merges a column)', async () => {
    const schema = 'CREATE TABLE orders (id bigint, customer_id bigint, total numeric);\nCREATE TABLE customers (id bigint, name text);\n';
    expect(await lintView(R, `${schema}CREATE VIEW order_rows AS SELECT * FROM orders o, customers c;`)).toMatchInlineSnapshot(`
      [
        "3:34 error CREATE VIEW order_rows gives two of its columns the name id, o.id (from *) and c.id (from *): Postgres rejects it (column "id" specified more than once)
      List the columns instead of *, and rename one of the two with AS (\`c.id AS <other name>\`), or name the columns after order_rows: CREATE VIEW order_rows (col1, col2, …) AS …",
      ]
    `);
    expect(await findingsOf(R, `${schema}CREATE VIEW v AS SELECT o.*, c.name FROM orders o JOIN customers c ON c.id = o.customer_id;`)).toEqual([]);
    expect(await findingsOf(R, `${schema}CREATE VIEW v AS SELECT * FROM orders JOIN customers USING (id);`)).toEqual([]);
    expect(await findingsOf(R, `${schema}CREATE VIEW v AS SELECT o.*, o.total FROM orders o;`)).toHaveLength(1);
  });

  test('before 15, true and false were named bool', async () => {
    expect(await findingsOf(R, 'CREATE VIEW v AS SELECT true, 1;', { pgVersion: 15 })).toHaveLength(1);
    expect(await findingsOf(R, 'CREATE VIEW v AS SELECT true, 1;', { pgVersion: 14 })).toEqual([]);
    expect(await findingsOf(R, 'CREATE VIEW v AS SELECT true, false;', { pgVersion: 14 })).toHaveLength(1);
  });

  test('leaves alone: names Postgres keeps apart, unknown tables behind *, CTEs, VALUES, set operations, a column list that renames', async () => {
    const sql = [
      'CREATE VIEW v1 AS SELECT 1 AS a, 2 AS b, count(*), sum(total), now(), current_date, (SELECT max(id) FROM refunds), coalesce(max(note), \'\') FROM orders;',
      'CREATE VIEW v2 AS SELECT * FROM orders, customers;',
      'CREATE VIEW v3 AS WITH orders AS (SELECT 1 AS id) SELECT *, id FROM legacy_orders, orders;',
      'CREATE VIEW v4 AS VALUES (1, 2), (3, 4);',
      'CREATE VIEW v5 AS SELECT 1 AS x UNION ALL SELECT 2 AS x;',
      'CREATE VIEW v6 (a, b) AS SELECT 1, 2;',
      'CREATE VIEW v7 (a) AS SELECT a.x, b.x FROM a, b;',
      'CREATE TABLE t2 AS EXECUTE fetch_orders;',
      'CREATE VIEW v8 AS SELECT arr[1], arr[2] AS first FROM t;',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
  });
});
