import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintSequence } from './types-batch-helpers.js';

const R = 'enum-value-in-transaction';

describe(R, () => {
  test('12+: a later statement of the same transaction that uses the new value', async () => {
    expect(
      await lintView(R, "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded' AFTER 'delivered';\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;\nCOMMIT;"),
    ).toMatchInlineSnapshot(`
      [
        "3:28 error 'refunded' was added to order_status earlier in this transaction; using it before that transaction commits fails with: unsafe use of new value "refunded" of enum type order_status
      Commit the new value before using it: put the ALTER TYPE in a migration of its own (a transaction is fine, as long as it commits before this one starts), or COMMIT right after it:
      ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'delivered';",
      ]
    `);
  });

  test('12+: inside a runner transaction, uses in INSERT, DEFAULT, CHECK, WHERE and casts', async () => {
    const sql = `ALTER TYPE order_status ADD VALUE 'refunded';
INSERT INTO orders (id, status) VALUES (1, 'refunded');
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'refunded';
ALTER TABLE orders ADD CONSTRAINT no_refunds CHECK (status <> 'refunded') NOT VALID;
DELETE FROM orders WHERE status = 'refunded';
SELECT 'refunded'::order_status;`;
    const f = await findingsOf(R, sql, { transaction: 'wrapped', pgVersion: 16 });
    expect(f.map((x) => sql.slice(0, x.span.start).split('\n').length)).toEqual([2, 3, 4, 5, 6]);
    expect(f[0]!.fix).not.toContain('COMMIT right after it');
  });

  test('12+: the catalog rules out literals that cannot reach the enum', async () => {
    const f = await lintSequence(R, [
      "CREATE TYPE order_status AS ENUM ('paid');\nCREATE TABLE orders (id bigint, status order_status);\nCREATE TABLE notes (id bigint, body text);",
      "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded';\nINSERT INTO notes (body) VALUES ('refunded');\nSELECT 'refunded'::text;\nUPDATE orders SET status = 'refunded';\nCOMMIT;",
    ]);
    expect(f.map((x) => x.message)).toEqual(['\'refunded\' was added to order_status earlier in this transaction; using it before that transaction commits fails with: unsafe use of new value "refunded" of enum type order_status']);
  });

  test('type created in the same transaction: fine on 17+, not on 12–16', async () => {
    const sql = "BEGIN;\nCREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood ADD VALUE 'great';\nCREATE TABLE people (name text, mood mood DEFAULT 'great');\nCOMMIT;";
    expect(await findingsOf(R, sql, { pgVersion: 16 })).toHaveLength(1);
    expect(await findingsOf(R, sql, { pgVersion: 17 })).toEqual([]);
  });

  test('11: ADD VALUE itself cannot run in a transaction block', async () => {
    expect(await lintView(R, "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE id = 1;", { pgVersion: 11, transaction: 'wrapped', layout: 'dbmate' })).toMatchInlineSnapshot(`
      [
        "1:1 error ALTER TYPE order_status ADD VALUE cannot run inside a transaction block on Postgres 11, and dbmate runs each migration inside a transaction (given)
      Add the value in a migration of its own that runs outside a transaction, before the migrations that use it:
      ALTER TYPE order_status ADD VALUE 'refunded';
      Put it in its own migration whose up section starts with \`-- migrate:up transaction:false\`.",
      ]
    `);
    const [f] = await findingsOf(R, "BEGIN;\nALTER TYPE \"Order Status\" ADD VALUE 'refunded';\nCOMMIT;", { pgVersion: 11 });
    expect(f!.message).toBe('ALTER TYPE "Order Status" ADD VALUE cannot run inside a transaction block on Postgres 11, and this one runs after BEGIN');
  });

  test('leaves alone: after COMMIT, outside a transaction, other values, 11 outside a transaction or with the type created in it', async () => {
    expect(await findingsOf(R, "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded';\nCOMMIT;\nUPDATE orders SET status = 'refunded';")).toEqual([]);
    expect(await findingsOf(R, "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded';")).toEqual([]);
    expect(await findingsOf(R, "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'paid';\nCOMMIT;")).toEqual([]);
    expect(await findingsOf(R, "ALTER TYPE order_status ADD VALUE 'refunded';", { pgVersion: 11 })).toEqual([]);
    expect(await findingsOf(R, "BEGIN;\nCREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood ADD VALUE 'great';\nCOMMIT;", { pgVersion: 11 })).toEqual([]);
  });
});
