import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'adding-stored-generated-column';
const SQL = 'ALTER TABLE order_lines ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price_cents * quantity) STORED;';

describe(R, () => {
  test('on 12–17: a plain column kept up to date by a trigger, backfilled in batches', async () => {
    expect(await lintView(R, SQL, { pgVersion: 16 })).toMatchInlineSnapshot(`
      [
        "1:36 warning ADD COLUMN total_cents GENERATED ALWAYS AS (price_cents * quantity) STORED rewrites order_lines and its indexes under ACCESS EXCLUSIVE (blocks reads and writes) to compute the value for every row
      Add a plain column that a trigger keeps up to date, and fill existing rows in batches; run each statement as its own transaction (unlike a generated column, it can also be written directly; on Postgres 18 a VIRTUAL generated column is added without a rewrite):
      ALTER TABLE order_lines ADD COLUMN total_cents bigint;
      CREATE FUNCTION order_lines_total_cents_fill() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.total_cents := NEW.price_cents * NEW.quantity;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER order_lines_total_cents_fill BEFORE INSERT OR UPDATE ON order_lines FOR EACH ROW EXECUTE FUNCTION order_lines_total_cents_fill();
      -- id stands for the primary key of order_lines:
      -- Runs batch after batch, committing each one; needs to run OUTSIDE a transaction block.
      -- The same batch UPDATE lockstep apply runs (apply sizes batches by time instead of a fixed count).
      DO $lockstep$
      DECLARE
        lockstep_lo_1 order_lines.id%TYPE;
        lockstep_hi_1 order_lines.id%TYPE;
        lockstep_stop_1 order_lines.id%TYPE;
      BEGIN
        -- the highest key now: rows written after this get the column's default
        SELECT id INTO lockstep_stop_1 FROM order_lines ORDER BY id DESC LIMIT 1;
        SELECT id INTO lockstep_lo_1 FROM order_lines WHERE id <= lockstep_stop_1 ORDER BY id LIMIT 1;
        WHILE FOUND LOOP
          SELECT id INTO lockstep_hi_1 FROM order_lines WHERE id >= lockstep_lo_1 AND id <= lockstep_stop_1 ORDER BY id OFFSET 999 LIMIT 1;
          IF NOT FOUND THEN lockstep_hi_1 := lockstep_stop_1; END IF;
          UPDATE order_lines SET total_cents = price_cents * quantity WHERE id >= lockstep_lo_1 AND id <= lockstep_hi_1 AND total_cents IS NULL;
          COMMIT;
          PERFORM pg_sleep(0.05);  -- give traffic and replicas room
          -- the next batch starts after this one’s last key: the walk always moves on, NULL results or not
          SELECT id INTO lockstep_lo_1 FROM order_lines WHERE id > lockstep_hi_1 AND id <= lockstep_stop_1 ORDER BY id LIMIT 1;
        END LOOP;
      END
      $lockstep$;",
      ]
    `);
  });

  test('on 18: suggests VIRTUAL first, the trigger recipe second', async () => {
    const [f] = await findingsOf(R, SQL, { pgVersion: 18 });
    expect(f!.fix!.split('\n').slice(0, 2)).toEqual([
      'Make it VIRTUAL: the value is computed when it is read and nothing is stored, so adding it only changes the catalog (a virtual column cannot be indexed, and its expression may use only built-in functions and types):',
      'ALTER TABLE order_lines ADD COLUMN total_cents bigint GENERATED ALWAYS AS (price_cents * quantity) VIRTUAL;',
    ]);
    expect(f!.fix).toContain('CREATE TRIGGER order_lines_total_cents_fill BEFORE INSERT OR UPDATE ON order_lines');
  });

  test('quotes hostile names, in the trigger body too', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE "Order Lines" ADD COLUMN "Total" numeric GENERATED ALWAYS AS ("Unit Price" * qty) STORED;');
    expect(f!.message).toContain('ADD COLUMN "Total" GENERATED ALWAYS AS ("Unit Price" * qty) STORED rewrites "Order Lines"');
    expect(f!.fix).toContain('NEW."Total" := NEW."Unit Price" * NEW.qty;');
    expect(f!.fix).toContain('CREATE FUNCTION "Order Lines_Total_fill"() RETURNS trigger');
    // rows whose value is NULL stay NULL and the key walk goes on (it always ends)
    expect(f!.fix).toContain('UPDATE "Order Lines" SET "Total" = "Unit Price" * qty WHERE id >= lockstep_lo_1 AND id <= lockstep_hi_1 AND "Total" IS NULL;');
  });

  test('does not run before Postgres 12 (no generated columns there)', async () => {
    expect(await findingsOf(R, SQL, { pgVersion: 11 })).toEqual([]);
  });

  test('leaves alone: VIRTUAL on 18, new tables, plain columns', async () => {
    expect(await findingsOf(R, SQL.replace('STORED', 'VIRTUAL'), { pgVersion: 18 })).toEqual([]);
    expect(await findingsOf(R, `CREATE TABLE order_lines (price_cents bigint, quantity int);\n${SQL}`)).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE order_lines ADD COLUMN total_cents bigint;')).toEqual([]);
  });
});
