import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'adding-volatile-default';

/** Lints `second` as a later migration than `first`, so that lockstep knows the tables `first` creates. */
async function later(first: string, second: string, pgVersion = 15) {
  const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
  const ms = [mk('001', first), mk('002', second)];
  return (await lintMigrations(ms, ms.map((m) => m.up.file), { only: [R], pgVersion })).findings;
}

describe(R, () => {
  test('flags a volatile default with the add / set default / backfill / not-null recipe', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();')).toMatchInlineSnapshot(`
      [
        "1:31 warning ADD COLUMN public_id with a volatile default (gen_random_uuid()) rewrites orders and its indexes under ACCESS EXCLUSIVE (blocks reads and writes)
      Add the column without the default, give new rows the default (instant, no rewrite), and fill existing rows in batches; run each statement as its own transaction:
      ALTER TABLE orders ADD COLUMN public_id uuid;
      ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();
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
          UPDATE orders SET public_id = gen_random_uuid() WHERE id >= lockstep_lo_1 AND id <= lockstep_hi_1 AND public_id IS NULL;
          COMMIT;
          PERFORM pg_sleep(0.05);  -- give traffic and replicas room
          -- the next batch starts after this one’s last key: the walk always moves on, NULL results or not
          SELECT id INTO lockstep_lo_1 FROM orders WHERE id > lockstep_hi_1 AND id <= lockstep_stop_1 ORDER BY id LIMIT 1;
        END LOOP;
      END
      $lockstep$;
      ALTER TABLE orders ADD CONSTRAINT orders_public_id_not_null CHECK (public_id IS NOT NULL) NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_public_id_not_null;
      ALTER TABLE orders ALTER COLUMN public_id SET NOT NULL;
      ALTER TABLE orders DROP CONSTRAINT orders_public_id_not_null;",
      ]
    `);
  });

  test('names the volatile function, and quotes hostile names everywhere', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE "Order Items" ADD COLUMN "Picked At" timestamptz DEFAULT clock_timestamp();');
    expect(f!.message).toBe('ADD COLUMN "Picked At" with a volatile default (clock_timestamp()) rewrites "Order Items" and its indexes under ACCESS EXCLUSIVE (blocks reads and writes)');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD COLUMN "Picked At" timestamptz;');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ALTER COLUMN "Picked At" SET DEFAULT clock_timestamp();');
    // the one backfill rendering (dialects/postgres/backfill.ts): the batch UPDATE plan shows and apply runs
    expect(f!.fix).toContain('UPDATE "Order Items" SET "Picked At" = clock_timestamp() WHERE id >= lockstep_lo_1 AND id <= lockstep_hi_1 AND "Picked At" IS NULL;');
    expect(f!.fix).toContain('lockstep_lo_1 "Order Items".id%TYPE;');
  });

  test('uses the primary key lockstep knows for the batches', async () => {
    const [f] = await later('CREATE TABLE orders (order_no bigint PRIMARY KEY);', 'ALTER TABLE orders ADD COLUMN token text DEFAULT md5(random()::text);');
    expect(f!.fix).toContain('UPDATE orders SET token = md5(random()::text) WHERE order_no >= lockstep_lo_1 AND order_no <= lockstep_hi_1 AND token IS NULL;');
    expect(f!.fix).toContain('SELECT order_no INTO lockstep_stop_1 FROM orders ORDER BY order_no DESC LIMIT 1;');
    expect(f!.fix).not.toContain('id stands for the primary key');
  });

  test('a function of unknown volatility: says lockstep could not tell and how to find out', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN region text DEFAULT app.default_region();');
    expect(f!.message).toContain('app.default_region(), whose volatility lockstep does not know');
    expect(f!.fix).toContain('Pass --db');
    expect(f!.fix).toContain('STABLE or IMMUTABLE');
  });

  test('a user function lint saw declared VOLATILE (the default) is flagged; declared STABLE it is not', async () => {
    expect(await findingsOf(R, "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;\nALTER TABLE orders ADD COLUMN code text DEFAULT next_code();")).toHaveLength(1);
    expect(await findingsOf(R, "CREATE FUNCTION cur_code() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'x' $$;\nALTER TABLE orders ADD COLUMN code text DEFAULT cur_code();")).toEqual([]);
  });

  test('on Postgres 11 the NOT NULL step says there is no way around the scan', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();', { pgVersion: 11 });
    expect(f!.fix).toContain('Postgres 11 cannot skip the scan of SET NOT NULL');
    expect(f!.fix).toContain('ALTER TABLE orders ALTER COLUMN public_id SET NOT NULL;');
    expect(f!.fix).not.toContain('NOT VALID');
  });

  test('on Postgres 18 NOT NULL comes from a NOT VALID not-null constraint', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();', { pgVersion: 18 });
    expect(f!.fix).toContain('ALTER TABLE orders ADD CONSTRAINT orders_public_id_not_null NOT NULL public_id NOT VALID;');
  });

  test('an unknown function, or a built-in name called with arguments no built-in overload takes, may be volatile', async () => {
    // PG 15: with a user function now(integer) VOLATILE on the search_path, DEFAULT now(123) calls it and rewrites the table.
    expect(await lintView(R, 'ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT now(123);')).toMatchInlineSnapshot(`
      [
        "1:31 warning ADD COLUMN seen_at with a default that calls now(1 argument), whose volatility lockstep does not know: if it is volatile, this rewrites orders and its indexes under ACCESS EXCLUSIVE (blocks reads and writes)
      lockstep could not tell whether now(1 argument) is volatile (no built-in now takes that many arguments, so the call is to a function of your own, volatile unless declared otherwise). Pass --db so it reads the function's volatility from the database, or, if the function is STABLE or IMMUTABLE, declare it so (ALTER FUNCTION … STABLE, or in the CREATE FUNCTION that lint reads): then this ADD COLUMN only touches the catalog. If it is volatile, add the column in steps:
      ALTER TABLE orders ADD COLUMN seen_at timestamptz;
      ALTER TABLE orders ALTER COLUMN seen_at SET DEFAULT now(123);
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
          UPDATE orders SET seen_at = now(123) WHERE id >= lockstep_lo_1 AND id <= lockstep_hi_1 AND seen_at IS NULL;
          COMMIT;
          PERFORM pg_sleep(0.05);  -- give traffic and replicas room
          -- the next batch starts after this one’s last key: the walk always moves on, NULL results or not
          SELECT id INTO lockstep_lo_1 FROM orders WHERE id > lockstep_hi_1 AND id <= lockstep_stop_1 ORDER BY id LIMIT 1;
        END LOOP;
      END
      $lockstep$;",
      ]
    `);
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN code text DEFAULT my_func();');
    expect(f!.message).toContain('calls my_func(), whose volatility lockstep does not know');
    // a function the migration declared STABLE is known
    expect(await findingsOf(R, 'CREATE FUNCTION my_func() RETURNS text STABLE LANGUAGE sql AS $$SELECT 1::text$$;\nALTER TABLE orders ADD COLUMN code text DEFAULT my_func();')).toEqual([]);
  });

  test('leaves alone: constants, now(), CURRENT_TIMESTAMP, stable functions, and new tables', async () => {
    expect(await findingsOf(R, "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';")).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT CURRENT_TIMESTAMP;')).toEqual([]);
    expect(await findingsOf(R, "ALTER TABLE orders ADD COLUMN day date DEFAULT to_char(now(), 'YYYY-MM-DD')::date;")).toEqual([]);
    // argument counts the built-ins take: defaults and VARIADIC included
    expect(await findingsOf(R, "ALTER TABLE orders ADD COLUMN label text DEFAULT concat('a', 'b', 'c', format('%s-%s', 1, 2)), ADD COLUMN span interval DEFAULT make_interval(days => 1);")).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN public_id uuid DEFAULT gen_random_uuid();')).toEqual([]);
  });
});
