import { describe, expect, test } from 'vitest';
import { findingsOf } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'changing-column-type';
const TABLE = 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity integer, note varchar(100), code varchar(20), ch char(3), amount numeric(10, 2), net cidr, paid_at timestamp);';

async function later(first: string, second: string, opts: { pgVersion?: number; transaction?: 'none' | 'wrapped' } = {}) {
  const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: opts.transaction ?? ('none' as const), transactionSource: 'test' });
  const ms = [mk('001', first), mk('002', second)];
  return (await lintMigrations(ms, ms.map((m) => m.up.file), { only: [R], pgVersion: opts.pgVersion ?? 15 })).findings;
}

describe(R, () => {
  test('flags integer → bigint with the new column / trigger / backfill / swap recipe', async () => {
    const f = await later(TABLE, 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;');
    expect(f.map((x) => `${x.message}\n${x.fix}`)).toMatchInlineSnapshot(`
      [
        "ALTER COLUMN quantity TYPE bigint (from integer) rewrites orders and its indexes under ACCESS EXCLUSIVE (blocks reads and writes)
      Add a column of the new type, keep it in sync with a trigger, fill it in batches, and swap the names in one short transaction (views and foreign keys that use quantity follow it to quantity_old: recreate them on the new column). Run each step on its own:
      ALTER TABLE orders ADD COLUMN quantity_new bigint;
      CREATE FUNCTION orders_quantity_new_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.quantity_new := NEW.quantity;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER orders_quantity_new_sync BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_quantity_new_sync();
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
          UPDATE orders SET quantity_new = quantity WHERE id >= lockstep_lo_1 AND id <= lockstep_hi_1 AND quantity_new IS NULL;
          COMMIT;
          PERFORM pg_sleep(0.05);  -- give traffic and replicas room
          -- the next batch starts after this one’s last key: the walk always moves on, NULL results or not
          SELECT id INTO lockstep_lo_1 FROM orders WHERE id > lockstep_hi_1 AND id <= lockstep_stop_1 ORDER BY id LIMIT 1;
        END LOOP;
      END
      $lockstep$;
      -- give quantity_new what quantity has: its indexes (CREATE INDEX CONCURRENTLY), constraints (NOT VALID, then VALIDATE), default and NOT NULL; then swap the names in one short transaction:
      BEGIN;
      SET LOCAL lock_timeout = '2s';
      ALTER TABLE orders RENAME COLUMN quantity TO quantity_old;
      ALTER TABLE orders RENAME COLUMN quantity_new TO quantity;
      DROP TRIGGER orders_quantity_new_sync ON orders;
      DROP FUNCTION orders_quantity_new_sync();
      COMMIT;
      -- once nothing reads it any more:
      ALTER TABLE orders DROP COLUMN quantity_old;",
      ]
    `);
  });

  test('timestamp → timestamptz on 12+: SET LOCAL TimeZone = UTC first, in a transaction', async () => {
    const [f] = await later(TABLE, 'ALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz;', { pgVersion: 16 });
    expect(f!.fix).toContain("BEGIN;\nSET LOCAL TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz;\nCOMMIT;");
    const [w] = await later(TABLE, 'ALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz;', { pgVersion: 16, transaction: 'wrapped' });
    expect(w!.fix).not.toContain('BEGIN;');
    expect(w!.fix).toContain("SET LOCAL TimeZone = 'UTC';");
    const [z] = await later(TABLE, "SET TimeZone = 'Europe/Berlin';\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz;", { pgVersion: 16 });
    expect(z!.message).toContain('the session TimeZone is not UTC');
    // 11 rewrites even in UTC: the general recipe
    const [v11] = await later(TABLE, "BEGIN;\nSET LOCAL TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz;\nCOMMIT;", { pgVersion: 11 });
    expect(v11!.fix).toContain('ADD COLUMN paid_at_new timestamptz;');
  });

  test('varchar shortening offers a CHECK instead; char(n) → text says why it rewrites', async () => {
    const [f] = await later(TABLE, 'ALTER TABLE orders ALTER COLUMN code TYPE varchar(10);');
    expect(f!.fix).toContain('ALTER TABLE orders ADD CONSTRAINT orders_code_length_check CHECK (char_length(code) <= 10) NOT VALID;');
    const [g] = await later(TABLE, 'ALTER TABLE orders ALTER COLUMN ch TYPE text;');
    expect(g!.message).toContain('from char(n) strips the padding of every value');
  });

  test('USING: the expression is used for the backfill and, with NEW., in the trigger; hostile names are quoted', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE "Order Items" ALTER COLUMN "Price" TYPE numeric(12, 2) USING "Price"::numeric / 100;');
    expect(f!.fix).toContain('NEW."Price_new" := NEW."Price"::numeric / 100;');
    expect(f!.fix).toContain('UPDATE "Order Items" SET "Price_new" = "Price"::numeric / 100 WHERE');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" RENAME COLUMN "Price" TO "Price_old";');
  });

  test('unknown current type: says lockstep assumes a rewrite and how to tell it', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ALTER COLUMN note TYPE text;');
    expect(f!.message).toContain('lockstep does not know the current type of orders.note, so it assumes a rewrite');
    expect(f!.fix).toContain('passing --db, or by linting the migration that created orders');
  });

  test('leaves alone: binary-coercible changes, UTC timestamptz on 12+, and new tables', async () => {
    const safe = [
      'ALTER TABLE orders ALTER COLUMN note TYPE text;',
      'ALTER TABLE orders ALTER COLUMN note TYPE varchar(200);',
      'ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 2);',
      'ALTER TABLE orders ALTER COLUMN net TYPE inet;',
      "BEGIN;\nSET LOCAL TimeZone = 'UTC';\nALTER TABLE orders ALTER COLUMN paid_at TYPE timestamptz;\nCOMMIT;",
    ];
    for (const sql of safe) expect(await later(TABLE, sql, { pgVersion: 16 }), sql).toEqual([]);
    expect(await findingsOf(R, `${TABLE}\nALTER TABLE orders ALTER COLUMN quantity TYPE bigint;`)).toEqual([]);
  });
});
