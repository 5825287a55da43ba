import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'truncate-table';

const schema = `CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE TABLE audit (id bigint);`;

describe(R, () => {
  test('CASCADE: an error that names every table it empties, recursively', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'TRUNCATE customers CASCADE;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 error TRUNCATE customers CASCADE also empties orders and invoices (every table that references it, recursively), all under ACCESS EXCLUSIVE (blocks reads and writes); it is not MVCC-safe: transactions with an older snapshot see the table empty
      Name every table you mean to empty, without CASCADE: Postgres then refuses to empty a referencing table you did not list, instead of emptying it silently:
      TRUNCATE customers, orders, invoices;",
      ]
    `);
  });

  test('plain TRUNCATE: warning, lock and MVCC, the batched alternative', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'TRUNCATE audit;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:1 warning TRUNCATE audit deletes every row at once under ACCESS EXCLUSIVE (blocks reads and writes) on audit; it is not MVCC-safe: transactions with an older snapshot see the table empty
      If the rows must go while the application runs, delete them in batches instead, each batch its own transaction, so reads and writes go on and every reader sees a consistent snapshot:
      DELETE FROM audit WHERE ctid IN (SELECT ctid FROM audit LIMIT 5000);  -- repeat until it deletes 0 rows
      If emptying it at once is what you want and nothing reads it meanwhile, keep TRUNCATE, with a short lock_timeout (SET lock_timeout = '2s') so it gives up instead of queueing traffic.",
      ]
    `);
  });

  test('plain TRUNCATE of a referenced table says it fails', async () => {
    const catalog = await catalogFrom(schema);
    const [f] = await findingsOf(R, 'TRUNCATE customers;', { catalog });
    expect(f!.severity).toBe('warning');
    expect(f!.message).toContain('it fails while orders references it');
  });

  test('CASCADE without a catalog: error with a placeholder list; quoted names', async () => {
    const [f] = await findingsOf(R, 'TRUNCATE shop."Order Items" CASCADE;');
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain('lockstep does not know which');
    expect(f!.fix).toContain('TRUNCATE shop."Order Items", <each table that references it>;');
  });

  test('leaves alone: tables created in the same migration', async () => {
    expect(await findingsOf(R, 'CREATE TABLE import_batch (id bigint); TRUNCATE import_batch;')).toEqual([]);
    const f = await findingsOf(R, 'CREATE TABLE import_batch (id bigint); TRUNCATE import_batch, audit;');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/^TRUNCATE audit /);
  });
});
