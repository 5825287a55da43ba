import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'unanalyzable-statement';

describe(R, () => {
  test('a DO block: says what it runs, briefly', async () => {
    expect(
      await lintView(R, "DO $$ BEGIN\n  EXECUTE format('ALTER TABLE %I ADD COLUMN note text', 'orders');\n  UPDATE orders SET note = '';\nEND $$;"),
    ).toMatchInlineSnapshot(`
      [
        "1:1 info DO block: lockstep cannot see the statements it runs (it runs ALTER TABLE, UPDATE and dynamic SQL (EXECUTE))
      Write the schema changes and data changes it makes as plain statements in the migration, so that lockstep (and reviewers) can check them; keep procedural code for what has no plain-SQL form.",
      ]
    `);
  });

  test('a Prisma-style enum guard is one short info line', async () => {
    const [f] = await findingsOf(R, `DO $$ BEGIN CREATE TYPE "Status" AS ENUM ('new', 'paid'); EXCEPTION WHEN duplicate_object THEN null; END $$;`);
    expect(f!.severity).toBe('info');
    expect(f!.message).toBe('DO block: lockstep cannot see the statements it runs (it runs CREATE TYPE)');
  });

  test('CALL, and a function created here then called from SELECT', async () => {
    const sql = `CREATE PROCEDURE backfill_totals() LANGUAGE plpgsql AS $$ BEGIN UPDATE orders SET total = 0 WHERE total IS NULL; END $$;
CALL backfill_totals();
CREATE FUNCTION migrate_notes() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE orders DROP COLUMN legacy_note; END $$;
SELECT migrate_notes();
CALL other_schema.cleanup(30);`;
    const f = await findingsOf(R, sql);
    expect(f.map((x) => x.message)).toEqual([
      'CALL backfill_totals(…) runs a procedure whose statements lockstep cannot see (it runs UPDATE); it was created at line 1',
      'SELECT migrate_notes() calls migrate_notes(), created earlier in this migration: lockstep cannot see what it runs (ALTER TABLE and DROP COLUMN)',
      'CALL other_schema.cleanup(…) runs a procedure whose statements lockstep cannot see',
    ]);
  });

  test('a function that changes the schema but is not called here is reported where it is created', async () => {
    const [f] = await findingsOf(R, `CREATE FUNCTION archive_month(m date) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('CREATE TABLE %I (LIKE orders)', 'orders_' || m); END $$;`);
    expect(f!.message).toBe('The body of function archive_month() runs CREATE TABLE and dynamic SQL (EXECUTE) whenever it is called; lockstep does not check it');
  });

  test('EXECUTE of a prepared statement', async () => {
    const f = await findingsOf(R, 'PREPARE purge(int) AS DELETE FROM order_events WHERE id < $1; EXECUTE purge(1000);');
    expect(f.map((x) => x.message)).toEqual(['EXECUTE purge runs a prepared statement that lockstep does not check: DELETE FROM order_events WHERE id < $1']);
  });

  test('leaves alone: trigger functions, plain SELECTs, functions that only compute, SQL-standard bodies without changes', async () => {
    expect(
      await findingsOf(
        R,
        `CREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); INSERT INTO audit VALUES (NEW.id); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_touch();
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b;
SELECT add(1, 2);
SELECT pg_catalog.set_config('search_path', '', false);
SELECT * FROM orders FOR UPDATE;`,
      ),
    ).toEqual([]);
  });
});
