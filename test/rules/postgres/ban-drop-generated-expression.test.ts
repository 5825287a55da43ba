import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'ban-drop-generated-expression';

describe(R, () => {
  test('DROP EXPRESSION: values kept, no longer computed; a trigger keeps it computed', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ALTER COLUMN total_cents DROP EXPRESSION;')).toMatchInlineSnapshot(`
      [
        "1:20 warning DROP EXPRESSION on orders.total_cents: it keeps its current values but is no longer computed, so rows inserted from now on get NULL and updates of the columns it was computed from leave it stale, unless every writer sets it
      Writers cannot set a generated column before this runs, so keep it computed by a trigger from the same transaction on; then deploy code that writes total_cents on every INSERT into orders and on every UPDATE of the columns it is computed from, and drop the trigger in a later migration:
      BEGIN;
      CREATE FUNCTION orders_total_cents_compute() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.total_cents := <the generation expression of total_cents, with NEW. before each column>;
        RETURN NEW;
      END $$;
      ALTER TABLE orders ALTER COLUMN total_cents DROP EXPRESSION;
      CREATE TRIGGER orders_total_cents_compute BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_total_cents_compute();
      COMMIT;
      -- once the code writes total_cents itself:
      DROP TRIGGER orders_total_cents_compute ON orders;
      DROP FUNCTION orders_total_cents_compute();",
      ]
    `);
  });

  test('inside the runner transaction: no BEGIN/COMMIT in the fix; quoted names', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE shop."Order Items" ALTER "Line Total" DROP EXPRESSION IF EXISTS;', { transaction: 'wrapped' });
    expect(f!.message).toMatch(/^DROP EXPRESSION on shop."Order Items"."Line Total": it keeps its current values/);
    expect(f!.fix).not.toContain('BEGIN;');
    expect(f!.fix).toContain('CREATE TRIGGER "Order Items_Line Total_compute" BEFORE INSERT OR UPDATE ON shop."Order Items" FOR EACH ROW EXECUTE FUNCTION shop."Order Items_Line Total_compute"();');
  });

  test('the finding points at the ALTER COLUMN subcommand', async () => {
    const sql = 'ALTER TABLE orders\n  ALTER COLUMN total_cents DROP EXPRESSION;';
    expect((await lintView(R, sql)).map((l) => l.split(' ')[0])).toEqual(['2:3']);
  });

  test('Postgres 11 and 12 have no DROP EXPRESSION: not this rule\u2019s business', async () => {
    expect(await findingsOf(R, 'ALTER TABLE orders ALTER COLUMN total_cents DROP EXPRESSION;', { pgVersion: 12 })).toEqual([]);
    expect((await findingsOf(R, 'ALTER TABLE orders ALTER COLUMN total_cents DROP EXPRESSION;', { pgVersion: 13 })).length).toBe(1);
  });

  test('leaves alone: new tables and columns added in the same migration', async () => {
    const sql = [
      'CREATE TABLE refunds (amount numeric, amount_cents bigint GENERATED ALWAYS AS ((amount * 100)::bigint) STORED);',
      'ALTER TABLE refunds ALTER COLUMN amount_cents DROP EXPRESSION;',
      'ALTER TABLE orders ADD COLUMN tax_cents bigint GENERATED ALWAYS AS ((total * 20)::bigint) STORED;',
      'ALTER TABLE orders ALTER COLUMN tax_cents DROP EXPRESSION;',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
  });
});
