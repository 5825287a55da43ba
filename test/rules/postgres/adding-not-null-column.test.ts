import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'adding-not-null-column';

describe(R, () => {
  test('flags NOT NULL without a default as an error: a constant default, or nullable + backfill + NOT NULL', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD COLUMN currency text NOT NULL;')).toMatchInlineSnapshot(`
      [
        "1:31 error ADD COLUMN currency NOT NULL without a default fails as soon as orders has a row: every existing row would get NULL
      If one value suits every existing row, make it the default: the column is then added instantly (the value is kept in the catalog, nothing is rewritten):
      ALTER TABLE orders ADD COLUMN currency text DEFAULT <value> NOT NULL;
      Otherwise add it nullable, fill it in batches, then make it NOT NULL without a long lock; run each statement as its own transaction:
      ALTER TABLE orders ADD COLUMN currency text;
      -- id stands for the primary key of orders:
      -- Runs batch after batch, committing each one; needs to run OUTSIDE a transaction block.
      -- The same batch UPDATE lockstep apply runs (apply sizes batches by time instead of a fixed count).
      DO $lockstep$
      DECLARE
        lockstep_lo_1 orders.id%TYPE;
        lockstep_hi_1 orders.id%TYPE;
        lockstep_stop_1 orders.id%TYPE;
      BEGIN
        -- the highest key now: rows written after this get the column's default
        SELECT id INTO lockstep_stop_1 FROM orders ORDER BY id DESC LIMIT 1;
        SELECT id INTO lockstep_lo_1 FROM orders WHERE id <= lockstep_stop_1 ORDER BY id LIMIT 1;
        WHILE FOUND LOOP
          SELECT id INTO lockstep_hi_1 FROM orders WHERE id >= lockstep_lo_1 AND id <= lockstep_stop_1 ORDER BY id OFFSET 999 LIMIT 1;
          IF NOT FOUND THEN lockstep_hi_1 := lockstep_stop_1; END IF;
          UPDATE orders SET currency = <value> WHERE id >= lockstep_lo_1 AND id <= lockstep_hi_1 AND currency IS NULL;
          COMMIT;
          PERFORM pg_sleep(0.05);  -- give traffic and replicas room
          -- the next batch starts after this one’s last key: the walk always moves on, NULL results or not
          SELECT id INTO lockstep_lo_1 FROM orders WHERE id > lockstep_hi_1 AND id <= lockstep_stop_1 ORDER BY id LIMIT 1;
        END LOOP;
      END
      $lockstep$;
      ALTER TABLE orders ADD CONSTRAINT orders_currency_not_null CHECK (currency IS NOT NULL) NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_currency_not_null;
      ALTER TABLE orders ALTER COLUMN currency SET NOT NULL;
      ALTER TABLE orders DROP CONSTRAINT orders_currency_not_null;",
      ]
    `);
  });

  test('hostile names; an inline REFERENCES moves out of the default variant (it would scan)', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE "Order Items" ADD COLUMN "Currency" char(3) NOT NULL REFERENCES currencies (code);');
    expect(f!.message).toBe('ADD COLUMN "Currency" NOT NULL without a default fails as soon as "Order Items" has a row: every existing row would get NULL');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD COLUMN "Currency" char(3) DEFAULT <value> NOT NULL;');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_Currency_fkey" FOREIGN KEY ("Currency") REFERENCES currencies (code) NOT VALID;');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD COLUMN "Currency" char(3) REFERENCES currencies (code);');
  });

  test('a PRIMARY KEY column: no default variant, and the key is attached from a concurrent index', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN uid uuid PRIMARY KEY;', { pgVersion: 18 });
    expect(f!.message).toContain('ADD COLUMN uid PRIMARY KEY without a default fails');
    expect(f!.fix).not.toContain('DEFAULT <value>');
    expect(f!.fix).toContain('CREATE UNIQUE INDEX CONCURRENTLY orders_pkey ON orders (uid);');
    expect(f!.fix).toContain('ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey;');
  });

  test('the NOT NULL step follows the version', async () => {
    const [v11] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN currency text NOT NULL;', { pgVersion: 11 });
    expect(v11!.fix).toContain('Postgres 11 cannot skip the scan');
    const [v18] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN currency text NOT NULL;', { pgVersion: 18 });
    expect(v18!.fix).toContain('NOT NULL currency NOT VALID;');
  });

  test('leaves alone: with a default, nullable, serial/identity/generated, and new tables', async () => {
    expect(await findingsOf(R, "ALTER TABLE orders ADD COLUMN currency text NOT NULL DEFAULT 'EUR';")).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN currency text;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN n bigserial NOT NULL;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN n bigint NOT NULL GENERATED ALWAYS AS IDENTITY;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN currency text NOT NULL;')).toEqual([]);
  });
});
