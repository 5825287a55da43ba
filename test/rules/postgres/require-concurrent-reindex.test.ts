import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'require-concurrent-reindex';

const schema = 'CREATE TABLE orders (id bigint, created_at timestamptz); CREATE INDEX orders_created_at_idx ON orders (created_at); CREATE INDEX orders_id_idx ON orders (id);';

describe(R, () => {
  test('12+: the same statement with CONCURRENTLY', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'REINDEX (VERBOSE) INDEX orders_created_at_idx;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:25 warning REINDEX INDEX orders_created_at_idx holds SHARE (blocks writes) on orders and ACCESS EXCLUSIVE (blocks reads and writes) on orders_created_at_idx until the index is rebuilt (queries on the table wait too: planning locks every index)
      Rebuild it next to the old one and swap it in with only brief locks:
      REINDEX (VERBOSE) INDEX CONCURRENTLY orders_created_at_idx;
      If it fails, it leaves INVALID indexes named …_ccnew (or …_ccold): drop them with DROP INDEX CONCURRENTLY before trying again.",
      ]
    `);
  });

  test('11: the build-a-copy-and-swap recipe, per index of the table', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'REINDEX TABLE orders;', { catalog, pgVersion: 11 })).toMatchInlineSnapshot(`
      [
        "1:15 warning REINDEX TABLE orders holds SHARE (blocks writes) on orders and ACCESS EXCLUSIVE (blocks reads and writes) on each of its indexes until every index of the table is rebuilt (queries on the table wait too: planning locks every index)
      Postgres 11 has no REINDEX CONCURRENTLY. Build a copy of each index (orders_created_at_idx and orders_id_idx) with CREATE INDEX CONCURRENTLY and the same definition (pg_get_indexdef shows it), drop the old one CONCURRENTLY and give the copy its name:
      SELECT pg_get_indexdef('orders_created_at_idx'::regclass);  -- the definition to copy
      CREATE INDEX CONCURRENTLY orders_created_at_idx_new ON orders (…the same columns, options and WHERE…);
      DROP INDEX CONCURRENTLY orders_created_at_idx;
      ALTER INDEX orders_created_at_idx_new RENAME TO orders_created_at_idx;
      SELECT pg_get_indexdef('orders_id_idx'::regclass);  -- the definition to copy
      CREATE INDEX CONCURRENTLY orders_id_idx_new ON orders (…the same columns, options and WHERE…);
      DROP INDEX CONCURRENTLY orders_id_idx;
      ALTER INDEX orders_id_idx_new RENAME TO orders_id_idx;
      An index that backs a PRIMARY KEY or UNIQUE constraint cannot be dropped this way: build the new one as a UNIQUE index and swap the constraint with ALTER TABLE … DROP CONSTRAINT …, ADD CONSTRAINT … UNIQUE USING INDEX … (brief ACCESS EXCLUSIVE).",
      ]
    `);
  });

  test('SCHEMA and DATABASE: flagged, CONCURRENTLY added, and they cannot run in a transaction', async () => {
    const [s] = await findingsOf(R, 'REINDEX SCHEMA sales;', { transaction: 'wrapped' });
    expect(s!.message).toContain('every index in schema sales');
    expect(s!.fix).toContain('REINDEX SCHEMA CONCURRENTLY sales;');
    expect(s!.fix).toContain('cannot run inside a transaction block at all');
    const [d] = await findingsOf(R, 'REINDEX DATABASE;');
    expect(d!.fix).toContain('REINDEX DATABASE CONCURRENTLY;');
  });

  test('CONCURRENTLY false counts as not concurrent; quoted names stay quoted', async () => {
    const [f] = await findingsOf(R, 'REINDEX (CONCURRENTLY false) INDEX shop."Order Items_pkey";');
    expect(f!.fix).toContain('REINDEX INDEX CONCURRENTLY shop."Order Items_pkey";');
  });

  test('11 with an index lockstep knows: names the new index and the pg_get_indexdef query', async () => {
    const [f] = await findingsOf(R, 'REINDEX INDEX "Order Items_idx";', { pgVersion: 11 });
    expect(f!.fix).toContain(`SELECT pg_get_indexdef('"Order Items_idx"'::regclass)`);
    expect(f!.fix).toContain('ALTER INDEX "Order Items_idx_new" RENAME TO "Order Items_idx";');
  });

  test('leaves alone: CONCURRENTLY, REINDEX SYSTEM, a table created in the same migration', async () => {
    expect(await findingsOf(R, 'REINDEX INDEX CONCURRENTLY orders_created_at_idx;')).toEqual([]);
    expect(await findingsOf(R, 'REINDEX (CONCURRENTLY) TABLE orders;')).toEqual([]);
    expect(await findingsOf(R, 'REINDEX SYSTEM;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint PRIMARY KEY); CREATE INDEX refunds_id ON refunds (id); REINDEX TABLE refunds; REINDEX INDEX refunds_id;')).toEqual([]);
  });
});
