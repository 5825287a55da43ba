import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'adding-foreign-key';

async function later(first: string, second: string, pgVersion = 15) {
  const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
  const ms = [mk('001', first), mk('002', second)];
  return (await lintMigrations(ms, ms.map((m) => m.up.file), { only: [R], pgVersion })).findings;
}

describe(R, () => {
  test('flags a foreign key without NOT VALID, naming both tables and their locks', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT;')).toMatchInlineSnapshot(`
      [
        "1:24 warning ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY checks every row of orders against customers while holding SHARE ROW EXCLUSIVE (blocks writes) on orders and customers
      Add it NOT VALID (instant; new and updated rows are checked from then on), and validate the existing rows separately:
      ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT NOT VALID;
      -- then, in a separate transaction (it scans under SHARE UPDATE EXCLUSIVE on orders and ROW SHARE on customers, so reads and writes go on):
      ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;",
      ]
    `);
  });

  test('an unnamed foreign key gets the name Postgres would give it; hostile names are quoted', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE "Order Items" ADD FOREIGN KEY ("Order Id", line) REFERENCES "Orders" (id, line);');
    expect(f!.message).toBe('ADD CONSTRAINT "Order Items_Order Id_line_fkey" FOREIGN KEY checks every row of "Order Items" against "Orders" while holding SHARE ROW EXCLUSIVE (blocks writes) on "Order Items" and "Orders"');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_Order Id_line_fkey" FOREIGN KEY ("Order Id", line) REFERENCES "Orders" (id, line) NOT VALID;');
  });

  test('flags ADD COLUMN … REFERENCES with a default: column first, then the key NOT VALID', async () => {
    expect(await lintView(R, "ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL DEFAULT 'EUR' REFERENCES currencies (code);")).toMatchInlineSnapshot(`
      [
        "1:71 warning ADD COLUMN currency REFERENCES currencies with DEFAULT 'EUR' checks every row of orders against currencies while holding ACCESS EXCLUSIVE (blocks reads and writes) on orders and SHARE ROW EXCLUSIVE (blocks writes) on currencies
      Add the column with its default but without REFERENCES, then add the foreign key NOT VALID (instant) and validate it separately (VALIDATE scans under SHARE UPDATE EXCLUSIVE on orders and ROW SHARE on currencies, so reads and writes go on); run each statement as its own transaction:
      ALTER TABLE orders ADD COLUMN currency char(3) DEFAULT 'EUR' NOT NULL;
      ALTER TABLE orders ADD CONSTRAINT orders_currency_fkey FOREIGN KEY (currency) REFERENCES currencies (code) NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_currency_fkey;",
      ]
    `);
  });

  test('a partitioned table before 18: per-partition NOT VALID + VALIDATE, then the parent adopts them', async () => {
    const [f] = await later(
      'CREATE TABLE events (id bigint, k int, customer_id bigint) PARTITION BY RANGE (k);\nCREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (10);',
      'ALTER TABLE events ADD CONSTRAINT events_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
      17,
    );
    expect(f!.fix).toContain('ALTER TABLE events_1 ADD CONSTRAINT events_1_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;');
    expect(f!.fix).toContain('ALTER TABLE events ADD CONSTRAINT events_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);');
    const [g] = await later('CREATE TABLE events (id bigint, k int, customer_id bigint) PARTITION BY RANGE (k);', 'ALTER TABLE events ADD FOREIGN KEY (customer_id) REFERENCES customers (id);', 18);
    expect(g!.fix).toContain('REFERENCES customers (id) NOT VALID;');
  });

  test('leaves alone: NOT VALID, inline REFERENCES without a default (nothing to check), CREATE TABLE, new tables', async () => {
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT fk;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN coupon_id bigint DEFAULT NULL REFERENCES coupons (id);')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint, order_id bigint REFERENCES orders (id));')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint, order_id bigint);\nALTER TABLE refunds ADD FOREIGN KEY (order_id) REFERENCES orders (id);')).toEqual([]);
  });
});
