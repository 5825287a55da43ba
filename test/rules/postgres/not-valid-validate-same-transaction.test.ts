import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'not-valid-validate-same-transaction';

describe(R, () => {
  test('a foreign key added NOT VALID and validated in one BEGIN block', async () => {
    expect(
      await lintView(
        R,
        'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fk;\nCOMMIT;',
      ),
    ).toMatchInlineSnapshot(`
      [
        "3:13 warning VALIDATE CONSTRAINT orders_customer_id_fk runs in the same transaction that added it NOT VALID, so the SHARE ROW EXCLUSIVE (blocks writes) from the ADD (\`ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fk FOR…\`) is still held on orders and customers during the whole validation scan, which defeats NOT VALID
      Commit the ADD first, so its lock is released and the scan runs under SHARE UPDATE EXCLUSIVE (reads and writes go on):
      ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
      COMMIT;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fk;",
      ]
    `);
  });

  test('a CHECK in one runner transaction, quoted names', async () => {
    expect(
      await lintView(R, 'ALTER TABLE "Order Items" ADD CONSTRAINT "Qty positive" CHECK (qty > 0) NOT VALID;\nALTER TABLE "Order Items" VALIDATE CONSTRAINT "Qty positive";', { transaction: 'wrapped', layout: 'dbmate' }),
    ).toMatchInlineSnapshot(`
      [
        "2:13 warning VALIDATE CONSTRAINT "Qty positive" runs in the same transaction that added it NOT VALID, so the ACCESS EXCLUSIVE (blocks reads and writes) from the ADD (\`ALTER TABLE "Order Items" ADD CONSTRAINT "Qty positive" CHE…\`) is still held on "Order Items" during the whole validation scan, which defeats NOT VALID: dbmate runs each migration inside a transaction (given)
      Move the VALIDATE into the next migration, so the ADD commits first and the scan runs under SHARE UPDATE EXCLUSIVE (reads and writes go on):
      -- this migration
      ALTER TABLE "Order Items" ADD CONSTRAINT "Qty positive" CHECK (qty > 0) NOT VALID;
      -- next migration
      ALTER TABLE "Order Items" VALIDATE CONSTRAINT "Qty positive";",
      ]
    `);
  });

  test('18: NOT NULL … NOT VALID then VALIDATE', async () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_nn NOT NULL total NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_nn;\nCOMMIT;';
    expect(await findingsOf(R, sql, { pgVersion: 18 })).toHaveLength(1);
  });

  test('leaves alone: COMMIT in between, separate migrations run statement by statement, a constraint from before, a new table', async () => {
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT c;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE customers VALIDATE CONSTRAINT c;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nCREATE TABLE refunds (id bigint, total int);\nALTER TABLE refunds ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nALTER TABLE refunds VALIDATE CONSTRAINT c;\nCOMMIT;')).toEqual([]);
    // golang-migrate: a COMMIT in the file ends the transaction that held the ADD's lock
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT c;', { transaction: 'multi-statement', layout: 'golang-migrate' })).toEqual([]);
  });
});
