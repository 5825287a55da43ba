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
});
