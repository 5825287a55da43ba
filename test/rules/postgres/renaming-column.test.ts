import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'renaming-column';


describe(R, () => {
  test('flags RENAME COLUMN with the expand/contract recipe and the view shortcut, typed from the catalog', async () => {
    const catalog = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(10, 2));');
    expect(await lintView(R, 'ALTER TABLE orders RENAME COLUMN amount TO total;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:13 warning RENAME COLUMN amount TO total on orders breaks every query, function and ORM mapping that still uses amount the moment it commits
      Rename in steps so that old and new code both work (expand/contract). Add total, keep both columns in sync with a trigger, and backfill:
      ALTER TABLE orders ADD COLUMN total numeric(10, 2);
      CREATE FUNCTION orders_total_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (TG_OP = 'INSERT' AND NEW.total IS NOT NULL) OR (TG_OP = 'UPDATE' AND NEW.total IS DISTINCT FROM OLD.total) THEN
          NEW.amount := NEW.total;  -- new code wrote total
        ELSE
          NEW.total := NEW.amount;  -- old code wrote amount
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER orders_total_sync BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_total_sync();
      UPDATE orders SET total = amount WHERE total IS DISTINCT FROM amount;  -- in batches on a large table
      -- then give total the default, NOT NULL, indexes and constraints of amount (each the safe way),
      -- deploy code that reads and writes total, and in a later migration:
      DROP TRIGGER orders_total_sync ON orders;
      DROP FUNCTION orders_total_sync();
      ALTER TABLE orders DROP COLUMN amount;
      Or, shorter: rename it, and until every client uses total, put a view named orders in front of the table that shows the column under both names (a simple view like this accepts INSERT, UPDATE and DELETE; check that your ORM works through a view):
      BEGIN;
      ALTER TABLE orders RENAME TO orders_base;
      ALTER TABLE orders_base RENAME COLUMN amount TO total;
      CREATE VIEW orders AS SELECT *, total AS amount FROM orders_base;
      COMMIT;
      -- once no client uses amount:
      BEGIN;
      DROP VIEW orders;
      ALTER TABLE orders_base RENAME TO orders;
      COMMIT;",
      ]
    `);
  });

  test('the short form (RENAME a TO b) and hostile names are quoted everywhere', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE shop."Order Items" RENAME "Unit Price" TO "select";');
    expect(f!.message).toContain('RENAME COLUMN "Unit Price" TO "select" on shop."Order Items"');
    expect(f!.fix).toContain('ALTER TABLE shop."Order Items" ADD COLUMN "select" <type of Unit Price>;');
    expect(f!.fix).toContain('NEW."Unit Price" := NEW."select";');
    expect(f!.fix).toContain('CREATE VIEW shop."Order Items" AS SELECT *, "select" AS "Unit Price" FROM shop."Order Items_base";');
  });

  test('in a transactional migration the view shortcut has no BEGIN/COMMIT of its own', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders RENAME COLUMN amount TO total;', { transaction: 'wrapped' });
    expect(f!.fix).not.toContain('BEGIN;');
    const [g] = await findingsOf(R, 'ALTER TABLE orders RENAME COLUMN amount TO total;');
    expect(g!.fix).toContain('BEGIN;');
  });

  test('leaves alone: a table created or renamed in the same migration, a column added in it, other renames', async () => {
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint, amt numeric); ALTER TABLE refunds RENAME COLUMN amt TO amount;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN totl numeric; ALTER TABLE orders RENAME COLUMN totl TO total;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders RENAME TO orders_base; ALTER TABLE orders_base RENAME COLUMN amount TO total; CREATE VIEW orders AS SELECT *, total AS amount FROM orders_base;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders RENAME CONSTRAINT orders_amount_check TO orders_total_check;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER VIEW order_totals RENAME COLUMN n TO order_count;')).toEqual([]);
  });
});
