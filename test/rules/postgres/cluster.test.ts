import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'cluster';

describe(R, () => {
  test('flags CLUSTER … USING with the pg_repack recipe', async () => {
    expect(await lintView(R, 'CLUSTER orders USING orders_created_at_idx;')).toMatchInlineSnapshot(`
      [
        "1:9 warning CLUSTER orders rewrites the table and its indexes in orders_created_at_idx order under ACCESS EXCLUSIVE (blocks reads and writes) on orders until it is done, and needs disk space for the copy
      Reorder it online with pg_repack (needs a primary key or a unique NOT NULL index; locks only briefly at the start and end):
      ALTER TABLE orders CLUSTER ON orders_created_at_idx;  -- marks the clustering index: SHARE UPDATE EXCLUSIVE, catalog only
      pg_repack --table=orders <database>  -- orders by the clustering index
      Or pick the order directly: pg_repack --table=orders '--order-by=<the columns of orders_created_at_idx>' <database>
      The order is not maintained afterwards: rows written later go wherever there is room.",
      ]
    `);
  });

  test('without an index, quoted names', async () => {
    const [f] = await findingsOf(R, 'CLUSTER (VERBOSE) shop."Order Items";');
    expect(f!.message).toContain('CLUSTER shop."Order Items" rewrites the table and its indexes in index order');
    expect(f!.fix).toContain(`pg_repack '--table=shop."Order Items"' <database>`);
    expect(f!.fix).not.toContain('CLUSTER ON');
  });

  test('without a table: every clustered table', async () => {
    const [f] = await findingsOf(R, 'CLUSTER;');
    expect(f!.message).toContain('every table that was clustered before');
  });

  test('leaves alone: a table created in the same migration, ALTER TABLE … CLUSTER ON', async () => {
    expect(await findingsOf(R, 'CREATE TABLE import_batch (id bigint PRIMARY KEY); CLUSTER import_batch USING import_batch_pkey;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders CLUSTER ON orders_created_at_idx;')).toEqual([]);
  });
});

describe(`${R}: CLUSTER without a table`, () => {
  test('names the tables the catalog knows were clustered, and fails in a transaction', async () => {
    const { Catalog } = await import('../../../src/dialects/postgres/catalog.js');
    const { loadParser, parsePostgres } = await import('../../../src/dialects/postgres/parser.js');
    await loadParser();
    const catalog = new Catalog();
    for (const s of parsePostgres('CREATE TABLE orders (id bigint); CREATE INDEX orders_id_idx ON orders (id); ALTER TABLE orders CLUSTER ON orders_id_idx;').statements) catalog.apply(s, 'before');
    const [f] = await findingsOf(R, 'CLUSTER;', { catalog, transaction: 'wrapped' });
    expect(f!.message).toContain('every table that was clustered before (orders)');
    expect(f!.message).toContain('cannot run inside a transaction block');
    expect(f!.fix).toContain('pg_repack --table=orders <database>');
  });
});
