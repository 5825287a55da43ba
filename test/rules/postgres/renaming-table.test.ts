import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'renaming-table';

describe(R, () => {
  test('flags RENAME TO with the rename-plus-view recipe', async () => {
    expect(await lintView(R, 'ALTER TABLE orders RENAME TO purchases;')).toMatchInlineSnapshot(`
      [
        "1:13 warning RENAME orders TO purchases breaks every query, function and ORM model that still names orders the moment it commits
      Keep the old name working until every client uses purchases: in the same transaction, create a view named orders (a view this simple accepts INSERT, UPDATE and DELETE):
      BEGIN;
      ALTER TABLE orders RENAME TO purchases;
      CREATE VIEW orders AS SELECT * FROM purchases;
      COMMIT;
      -- once no client uses orders any more:
      DROP VIEW orders;
      The view’s columns are fixed when it is created (recreate it after adding a column), and TRUNCATE, COPY … FROM and LOCK TABLE do not work through it.",
      ]
    `);
  });

  test('keeps the schema and quotes hostile names; no BEGIN of its own inside a transaction', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE IF EXISTS shop."Order Items" RENAME TO "Line Items";', { transaction: 'wrapped' });
    expect(f!.message).toContain('RENAME shop."Order Items" TO "Line Items"');
    expect(f!.fix).toContain('CREATE VIEW shop."Order Items" AS SELECT * FROM shop."Line Items";');
    expect(f!.fix).not.toContain('BEGIN;');
  });

  test('an explicit BEGIN counts as a transaction; one closed before does not', async () => {
    const [f] = await findingsOf(R, 'BEGIN; ALTER TABLE orders RENAME TO purchases; COMMIT;');
    expect(f!.fix).not.toContain('BEGIN;');
    const [g] = await findingsOf(R, 'BEGIN; SELECT 1; COMMIT; ALTER TABLE orders RENAME TO purchases;');
    expect(g!.fix).toContain('BEGIN;');
  });

  test('leaves alone: a view with the old name created after it, a table created in the same migration, other renames', async () => {
    expect(await findingsOf(R, 'ALTER TABLE orders RENAME TO purchases; CREATE VIEW orders AS SELECT * FROM purchases;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refund (id bigint); ALTER TABLE refund RENAME TO refunds; ALTER TABLE refunds RENAME TO refunds2;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders RENAME COLUMN amount TO total;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER VIEW order_totals RENAME TO order_sums;')).toEqual([]);
    // a view in another schema does not keep the old name working
    expect(await findingsOf(R, 'ALTER TABLE orders RENAME TO purchases; CREATE VIEW archive.orders AS SELECT * FROM purchases;')).toHaveLength(1);
  });
});
