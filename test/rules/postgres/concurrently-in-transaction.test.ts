import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'concurrently-in-transaction';

describe(R, () => {
  test('explicit BEGIN: says where it fails and moves it out of the block', async () => {
    expect(
      await lintView(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);\nCOMMIT;'),
    ).toMatchInlineSnapshot(`
      [
        "3:1 error CREATE INDEX CONCURRENTLY orders_shipped_at_idx on orders inside BEGIN … COMMIT fails with "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
      Move it out of the BEGIN … COMMIT block (after the COMMIT), so it runs as a statement of its own:
      CREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);",
      ]
    `);
  });

  test('runner transaction: names the runner and how to get out of it', async () => {
    expect(await lintView(R, 'CREATE INDEX CONCURRENTLY "Order Items_sku_idx" ON "Order Items" (sku);', { transaction: 'wrapped', layout: 'dbmate' })).toMatchInlineSnapshot(`
      [
        "1:1 error CREATE INDEX CONCURRENTLY "Order Items_sku_idx" on "Order Items" fails with "CREATE INDEX CONCURRENTLY cannot run inside a transaction block": dbmate runs each migration inside a transaction (given)
      Put it in its own migration whose up section starts with \`-- migrate:up transaction:false\`.
      The statement on its own:
      CREATE INDEX CONCURRENTLY "Order Items_sku_idx" ON "Order Items" (sku);",
      ]
    `);
  });

  test('golang-migrate: a multi-statement file is one transaction, even after a COMMIT in the middle', async () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);';
    const [f] = await findingsOf(R, sql, { transaction: 'multi-statement', layout: 'golang-migrate' });
    expect(f!.message).toContain('golang-migrate sends the file as one multi-statement query');
    expect(f!.fix).toContain('Put it alone in its own migration file');
    // the same file run statement by statement is fine
    expect(await findingsOf(R, sql)).toEqual([]);
    // and a golang-migrate file with the index alone is not a transaction block
    expect(await findingsOf(R, 'CREATE INDEX CONCURRENTLY orders_shipped_at_idx ON orders (shipped_at);', { transaction: 'multi-statement', layout: 'golang-migrate' })).toEqual([]);
  });

  test('flags every statement that cannot run in a transaction block, with the error Postgres gives', async () => {
    const msgs = async (stmt: string, pgVersion = 15) => (await findingsOf(R, `BEGIN;\n${stmt}\nCOMMIT;`, { pgVersion })).map((f) => f.message);
    expect(await msgs('DROP INDEX CONCURRENTLY orders_shipped_at_idx;')).toEqual([expect.stringContaining('"DROP INDEX CONCURRENTLY cannot run inside a transaction block"')]);
    expect(await msgs('REINDEX INDEX CONCURRENTLY orders_pkey;')).toEqual([expect.stringContaining('"REINDEX CONCURRENTLY cannot run inside a transaction block"')]);
    expect(await msgs('ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;')).toEqual([expect.stringContaining('"ALTER TABLE ... DETACH CONCURRENTLY cannot run inside a transaction block"')]);
    expect(await msgs('VACUUM (ANALYZE) orders;')).toEqual([expect.stringMatching(/^VACUUM orders .*"VACUUM cannot run/)]);
    expect(await msgs('VACUUM FULL orders;')).toEqual([expect.stringMatching(/^VACUUM FULL orders /)]);
  });

  test('ALTER TYPE … ADD VALUE in a transaction on 11 is left to enum-value-in-transaction (one finding, not two)', async () => {
    const sql = "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded';\nCOMMIT;";
    expect(await findingsOf(R, sql, { pgVersion: 11 })).toEqual([]);
    expect((await findingsOf('enum-value-in-transaction', sql, { pgVersion: 11 })).length).toBe(1);
  });

  test('leaves alone: outside any block, after COMMIT, statements that can run in a transaction, versions without the statement', async () => {
    expect(await findingsOf(R, 'CREATE INDEX CONCURRENTLY i ON orders (a);')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON orders (a);')).toEqual([]);
    expect(await findingsOf(R, 'BEGIN;\nCREATE INDEX i ON orders (a);\nANALYZE orders;\nCOMMIT;')).toEqual([]);
    // a wrapped migration whose COMMIT ended the runner's transaction early (transaction-nesting reports that)
    expect(await findingsOf(R, 'COMMIT;\nCREATE INDEX CONCURRENTLY i ON orders (a);', { transaction: 'wrapped' })).toEqual([]);
    // DETACH … CONCURRENTLY does not exist before 14: nothing to say about transactions
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;\nCOMMIT;', { pgVersion: 13 })).toEqual([]);
  });

  test('COMMIT AND CHAIN keeps a transaction open', async () => {
    expect(await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT AND CHAIN;\nCREATE INDEX CONCURRENTLY i ON orders (a);\nCOMMIT;')).toHaveLength(1);
  });
});
