import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'multiple-access-exclusive-in-transaction';

describe(R, () => {
  test('a second table locked, and a scan, while an earlier ACCESS EXCLUSIVE is held', async () => {
    expect(
      await lintView(
        R,
        "BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nUPDATE orders SET shipped_at = updated_at;\nALTER TABLE \"Order Items\" ADD COLUMN note text;\nCOMMIT;",
      ),
    ).toMatchInlineSnapshot(`
      [
        "3:8 warning UPDATE orders scans orders while this transaction holds ACCESS EXCLUSIVE on orders (taken by \`ALTER TABLE orders ADD COLUMN shipped_at timestamptz\`): orders stays blocked for reads and writes for the whole scan
      Commit after the earlier statement, so that each transaction blocks one table briefly, each with its own lock_timeout:
      ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
      COMMIT;
      BEGIN;
      SET LOCAL lock_timeout = '2s';
      UPDATE orders SET shipped_at = updated_at;",
        "4:1 warning ALTER TABLE "Order Items" waits for ACCESS EXCLUSIVE on "Order Items" while this transaction still holds ACCESS EXCLUSIVE on orders (taken by \`ALTER TABLE orders ADD COLUMN shipped_at timestamptz\`): orders stays blocked for reads and writes while it waits, and a transaction that locks them in the other order deadlocks with it
      Commit after the earlier statement, so that each transaction blocks one table briefly, each with its own lock_timeout:
      ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
      COMMIT;
      BEGIN;
      SET LOCAL lock_timeout = '2s';
      ALTER TABLE "Order Items" ADD COLUMN note text;",
      ]
    `);
  });

  test('in a runner transaction the fix is separate migrations', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD COLUMN a int;\nCREATE INDEX orders_b_idx ON orders (b);', { transaction: 'wrapped', layout: 'prisma' })).toMatchInlineSnapshot(`
      [
        "2:30 warning CREATE INDEX orders_b_idx ON orders scans orders while this transaction holds ACCESS EXCLUSIVE on orders (taken by \`ALTER TABLE orders ADD COLUMN a int\`): orders stays blocked for reads and writes for the whole scan
      Put them in separate migrations, one table each, each with its own lock_timeout: prisma runs each migration inside a transaction (given), so the statements of one migration share it.
      -- first migration
      SET LOCAL lock_timeout = '2s';
      ALTER TABLE orders ADD COLUMN a int;
      -- next migration
      SET LOCAL lock_timeout = '2s';
      CREATE INDEX orders_b_idx ON orders (b);",
      ]
    `);
  });

  test('a rewrite of another table while one is held', async () => {
    const f = await findingsOf(R, 'BEGIN;\nALTER TABLE customers DROP COLUMN legacy;\nALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\nCOMMIT;');
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/^ALTER TABLE orders rewrites orders while this transaction holds ACCESS EXCLUSIVE on customers \(taken by `ALTER TABLE customers DROP COLUMN legacy`\)/)]);
  });

  test('leaves alone: one table at a time, COMMIT in between, new tables, weaker held locks, a statement that locks the held table itself', async () => {
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nBEGIN;\nALTER TABLE customers ADD COLUMN b int;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nCREATE TABLE refunds (id bigint, order_id bigint);\nALTER TABLE refunds ADD COLUMN reason text;\nCREATE INDEX r_o ON refunds (order_id);\nALTER TABLE orders ADD COLUMN refund_id bigint;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nCREATE INDEX orders_a_idx ON orders (a);\nALTER TABLE customers ADD COLUMN b int;\nCOMMIT;')).toEqual([]);
    // the rewrite itself needs ACCESS EXCLUSIVE on orders anyway (the rewrite rules report it)
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\nCOMMIT;')).toEqual([]);
    // statement by statement, nothing is held
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE customers ADD COLUMN b int;\nUPDATE orders SET a = 1;')).toEqual([]);
    // VALIDATE of a constraint added NOT VALID in the same transaction is not-valid-validate-same-transaction's
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;')).toEqual([]);
  });
});
