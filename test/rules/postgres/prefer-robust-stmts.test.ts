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

  test('DROP CONSTRAINT and DROP INDEX CONCURRENTLY without IF EXISTS', async () => {
    expect(await lintView(R, 'ALTER TABLE orders DROP CONSTRAINT "Orders total check";\nDROP INDEX CONCURRENTLY orders_legacy_idx;\nSELECT 1;')).toMatchInlineSnapshot(`
      [
        "1:1 info ALTER TABLE orders DROP CONSTRAINT "Orders total check" without IF EXISTS in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here
      Write it so that a rerun skips it:
      ALTER TABLE orders DROP CONSTRAINT IF EXISTS "Orders total check";",
        "2:1 info DROP INDEX CONCURRENTLY orders_legacy_idx without IF EXISTS in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here, because it is already gone
      Write it so that a rerun skips it:
      DROP INDEX CONCURRENTLY IF EXISTS orders_legacy_idx;",
      ]
    `);
  });

  test('ADD CONSTRAINT: unguarded, unnamed, and repeated after a guarded drop (that one fails even on the first run, last statement or not)', async () => {
    const sql = [
      'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;',
      'ALTER TABLE orders ADD CHECK (total < 1000000);',
      'ALTER TABLE "Order Items" DROP CONSTRAINT IF EXISTS "Qty positive";',
      'ALTER TABLE "Order Items" ADD CONSTRAINT "Qty positive" CHECK (qty > 0);',
      'ALTER TABLE "Order Items" ADD CONSTRAINT "Qty positive" CHECK (qty > 0);',
    ].join('\n');
    expect(await lintView(R, sql)).toMatchInlineSnapshot(`
      [
        "1:24 info ALTER TABLE orders ADD CONSTRAINT orders_total_check in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here, because the constraint already exists (ADD CONSTRAINT has no IF NOT EXISTS)
      Drop it if it exists right before adding it, so a rerun replaces it:
      ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_check;
      ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;",
        "2:24 info ALTER TABLE orders ADD CHECK without a name in a migration that runs statement by statement: when a later statement fails and the migration is rerun, it adds a second, identical constraint under a generated name
      Name the constraint, and drop it if it exists right before adding it (ALTER TABLE orders DROP CONSTRAINT IF EXISTS <name>;), so a rerun replaces it instead.",
        "5:31 error ALTER TABLE "Order Items" ADD CONSTRAINT "Qty positive" again: the DROP CONSTRAINT IF EXISTS before the first ADD (line 4) guards that one only, so this one fails even on the first run (constraint "Qty positive" for relation "Order Items" already exists)
      Keep one ADD CONSTRAINT "Qty positive", or drop it again right before this one:
      ALTER TABLE "Order Items" DROP CONSTRAINT IF EXISTS "Qty positive";",
      ]
    `);
  });

  test('ENABLE / DISABLE ROW LEVEL SECURITY commit on their own', async () => {
    expect(await lintView(R, "ALTER TABLE orders DISABLE ROW LEVEL SECURITY;\nUPDATE orders SET tenant_id = 1 WHERE tenant_id IS NULL;\nALTER TABLE orders ENABLE ROW LEVEL SECURITY;")).toMatchInlineSnapshot(`
      [
        "1:1 info ALTER TABLE orders DISABLE ROW LEVEL SECURITY commits on its own in a migration that runs statement by statement: rerunning it is harmless, but until the statements after it have run — for good, if one of them fails — every role with privileges on it sees and changes every row, whatever the policies say
      Run the migration as one transaction, so the switch commits together with what belongs to it (policies, the data change it was turned off for); if the migration also holds statements that cannot run in a transaction (CONCURRENTLY), move this one and what belongs to it into a migration of their own:
      BEGIN;
      -- … the policies or changes that go with it
      ALTER TABLE orders DISABLE ROW LEVEL SECURITY;
      COMMIT;",
      ]
    `);
    const f = await findingsOf(R, 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\nCREATE POLICY p ON orders USING (true);');
    expect(f.map((x) => x.message.split(' commits')[0])).toEqual(['ALTER TABLE orders ENABLE ROW LEVEL SECURITY', 'ALTER TABLE orders FORCE ROW LEVEL SECURITY']);
  });

  test('leaves alone: transactional migrations, explicit blocks, the last statement, already robust statements', async () => {
    const sql = 'CREATE TABLE refunds (id bigint);\nALTER TABLE orders ADD COLUMN refund_id bigint;\nDROP TABLE legacy;\nCREATE INDEX i ON orders (a);';
    expect(await findingsOf(R, sql, { transaction: 'wrapped' })).toEqual([]);
    expect(await findingsOf(R, `BEGIN;\n${sql}\nCOMMIT;`)).toEqual([]);
    expect(await findingsOf(R, sql, { transaction: 'multi-statement' })).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN refund_id bigint;')).toEqual([]);
    // the last statement, and row-level security on a table the migration created
    expect(await findingsOf(R, 'SELECT 1;\nALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0), ENABLE ROW LEVEL SECURITY;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE IF NOT EXISTS notes (id bigint);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nSELECT 1;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders DROP CONSTRAINT c, ADD CONSTRAINT c CHECK (a > 0);\nSELECT 1;', { transaction: 'wrapped' })).toEqual([]);
    expect(
      await findingsOf(
        R,
        'CREATE TABLE IF NOT EXISTS refunds (id bigint);\nALTER TABLE orders ADD COLUMN IF NOT EXISTS refund_id bigint, DROP COLUMN IF EXISTS legacy;\nDROP TABLE IF EXISTS legacy;\nCREATE INDEX IF NOT EXISTS i ON orders (a);\nALTER TABLE orders DROP CONSTRAINT IF EXISTS c;\nALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nALTER TABLE orders DROP CONSTRAINT IF EXISTS d, ADD CONSTRAINT d UNIQUE USING INDEX d_idx;\nSELECT 1;',
      ),
    ).toEqual([]);
  });
});
