import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'prefer-robust-stmts';

describe(R, () => {
  test('CREATE INDEX CONCURRENTLY: drop a leftover invalid index first', async () => {
    expect(await lintView(R, 'CREATE UNIQUE INDEX CONCURRENTLY "Order Items_sku_key" ON "Order Items" (sku);')).toMatchInlineSnapshot(`
      [
        "1:1 warning CREATE INDEX CONCURRENTLY "Order Items_sku_key" leaves an INVALID index behind if it fails part way (deadlock, lock timeout, a duplicate key), and a rerun fails because the index already exists
      Drop a leftover invalid index right before building it, so the migration can simply be rerun:
      DROP INDEX CONCURRENTLY IF EXISTS "Order Items_sku_key";
      CREATE UNIQUE INDEX CONCURRENTLY "Order Items_sku_key" ON "Order Items" (sku);",
      ]
    `);
  });

  test('IF NOT EXISTS keeps an invalid index; an unnamed index gets a name', async () => {
    const [f] = await findingsOf(R, 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);');
    expect(f!.message).toContain('silently keeps that invalid index');
    expect(await lintView(R, 'CREATE INDEX CONCURRENTLY ON orders (customer_id);')).toMatchInlineSnapshot(`
      [
        "1:1 warning CREATE INDEX CONCURRENTLY on orders has no name: if it fails part way it leaves an INVALID index with a generated name behind, and a rerun builds another one next to it
      Name the index, and drop a leftover invalid one before building it, so the migration can simply be rerun:
      DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx;
      CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);",
      ]
    `);
  });

  test('other statements of a non-transactional migration, as info, with IF [NOT] EXISTS written in', async () => {
    expect(
      await lintView(
        R,
        'CREATE TABLE refunds (id bigint);\nALTER TABLE orders ADD COLUMN refund_id bigint, DROP COLUMN "Legacy Id", DROP CONSTRAINT orders_legacy_check;\nCREATE INDEX orders_refund_id_idx ON orders (refund_id);\nDROP TABLE legacy_refunds;\nDROP INDEX CONCURRENTLY IF EXISTS orders_b_idx;\nCREATE INDEX CONCURRENTLY orders_b_idx ON orders (b);',
      ),
    ).toMatchInlineSnapshot(`
      [
        "1:1 info CREATE TABLE refunds without IF NOT EXISTS in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here, because refunds already exists
      Write it so that a rerun skips it:
      CREATE TABLE IF NOT EXISTS refunds (id bigint);",
        "2:1 info ALTER TABLE orders ADD COLUMN refund_id, DROP COLUMN "Legacy Id", DROP CONSTRAINT orders_legacy_check without IF [NOT] EXISTS in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here
      Write it so that a rerun skips it:
      ALTER TABLE orders ADD COLUMN IF NOT EXISTS refund_id bigint, DROP COLUMN IF EXISTS "Legacy Id", DROP CONSTRAINT IF EXISTS orders_legacy_check;",
        "3:1 info CREATE INDEX orders_refund_id_idx without IF NOT EXISTS in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here, because the index already exists
      Write it so that a rerun skips it:
      CREATE INDEX IF NOT EXISTS orders_refund_id_idx ON orders (refund_id);",
        "4:1 info DROP TABLE legacy_refunds without IF EXISTS in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here, because it is already gone
      Write it so that a rerun skips it:
      DROP TABLE IF EXISTS legacy_refunds;",
      ]
    `);
  });

  test('golang-migrate: the DROP cannot go into the same file', async () => {
    const [f] = await findingsOf(R, 'CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);', { transaction: 'multi-statement', layout: 'golang-migrate' });
    expect(f!.fix).toContain('The DROP cannot go into this file');
    expect(f!.fix).toContain('DROP INDEX CONCURRENTLY IF EXISTS orders_a_idx;');
  });

  test('leaves alone: transactional migrations, explicit blocks, the last statement, already robust statements', async () => {
    const sql = 'CREATE TABLE refunds (id bigint);\nALTER TABLE orders ADD COLUMN refund_id bigint;\nDROP TABLE legacy;\nCREATE INDEX i ON orders (a);';
    expect(await findingsOf(R, sql, { transaction: 'wrapped' })).toEqual([]);
    expect(await findingsOf(R, `BEGIN;\n${sql}\nCOMMIT;`)).toEqual([]);
    expect(await findingsOf(R, sql, { transaction: 'multi-statement' })).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN refund_id bigint;')).toEqual([]);
    expect(
      await findingsOf(
        R,
        'CREATE TABLE IF NOT EXISTS refunds (id bigint);\nALTER TABLE orders ADD COLUMN IF NOT EXISTS refund_id bigint, DROP COLUMN IF EXISTS legacy;\nDROP TABLE IF EXISTS legacy;\nCREATE INDEX IF NOT EXISTS i ON orders (a);\nALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nSELECT 1;',
      ),
    ).toEqual([]);
  });
});
