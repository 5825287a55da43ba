import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'constraint-missing-not-valid';

describe(R, () => {
  test('flags ADD CONSTRAINT … CHECK without NOT VALID', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD CONSTRAINT orders_total_cents_check CHECK (total_cents >= 0);')).toMatchInlineSnapshot(`
      [
        "1:24 warning ADD CONSTRAINT orders_total_cents_check CHECK (total_cents >= 0) scans all of orders under ACCESS EXCLUSIVE (blocks reads and writes) to check every row
      Add it NOT VALID (instant; new and updated rows are checked from then on), and validate the existing rows separately:
      ALTER TABLE orders ADD CONSTRAINT orders_total_cents_check CHECK (total_cents >= 0) NOT VALID;
      -- then, in a separate transaction (it scans under SHARE UPDATE EXCLUSIVE, so reads and writes go on):
      ALTER TABLE orders VALIDATE CONSTRAINT orders_total_cents_check;",
      ]
    `);
  });

  test('an unnamed CHECK gets the name Postgres would give it, so VALIDATE can name it', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE "Order Items" ADD CHECK ("Qty" > 0);');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_Qty_check" CHECK ("Qty" > 0) NOT VALID;');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" VALIDATE CONSTRAINT "Order Items_Qty_check";');
    const [g] = await findingsOf(R, 'ALTER TABLE orders ADD CHECK (shipped_at >= created_at);');
    expect(g!.fix).toContain('ADD CONSTRAINT orders_check CHECK (shipped_at >= created_at) NOT VALID;');
  });

  test('flags an inline CHECK in ADD COLUMN: column first, then the CHECK NOT VALID', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD COLUMN discount_pct integer NOT NULL DEFAULT 0 CHECK (discount_pct BETWEEN 0 AND 100);')).toMatchInlineSnapshot(`
      [
        "1:71 warning ADD COLUMN discount_pct with CHECK (discount_pct BETWEEN 0 AND 100) scans all of orders under ACCESS EXCLUSIVE (blocks reads and writes) to check the new column in every row
      Add the column without the CHECK, then add the CHECK NOT VALID (instant) and validate it separately (VALIDATE scans under SHARE UPDATE EXCLUSIVE, so reads and writes go on); run each statement as its own transaction:
      ALTER TABLE orders ADD COLUMN discount_pct integer DEFAULT 0 NOT NULL;
      ALTER TABLE orders ADD CONSTRAINT orders_discount_pct_check CHECK (discount_pct BETWEEN 0 AND 100) NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_discount_pct_check;",
      ]
    `);
  });

  test('one finding per CHECK in a multi-command statement, each at its own place', async () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT a_pos CHECK (a > 0), ADD CONSTRAINT b_pos CHECK (b > 0) NO INHERIT;';
    const f = await findingsOf(R, sql);
    expect(f.map((x) => x.span.start)).toEqual([sql.indexOf('CONSTRAINT a_pos'), sql.indexOf('CONSTRAINT b_pos')]);
    expect(f[1]!.fix).toContain('ADD CONSTRAINT b_pos CHECK (b > 0) NO INHERIT NOT VALID;');
  });

  test('leaves alone: NOT VALID, VALIDATE, new tables, other constraint kinds', async () => {
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (amount bigint);\nALTER TABLE refunds ADD CONSTRAINT refunds_amount_check CHECK (amount > 0);')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT u UNIQUE (a);')).toEqual([]);
  });
});
