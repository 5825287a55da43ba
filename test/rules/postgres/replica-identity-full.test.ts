import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'replica-identity-full';


describe(R, () => {
  test('a table with a primary key: REPLICA IDENTITY DEFAULT uses it', async () => {
    const catalog = await catalogFrom('CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);');
    expect(await lintView(R, 'ALTER TABLE orders REPLICA IDENTITY FULL;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:13 warning REPLICA IDENTITY FULL on orders makes every UPDATE and DELETE write the whole old row to the WAL (more WAL, slower apply on logical-replication subscribers), and the change takes ACCESS EXCLUSIVE (blocks reads and writes) on orders
      Unless a consumer needs the whole old row (change-data-capture before-images, row filters on non-key columns), identify rows by a key instead:
      ALTER TABLE orders REPLICA IDENTITY DEFAULT;  -- uses the primary key orders_pkey",
      ]
    `);
  });

  test('a unique constraint on NOT NULL columns: USING INDEX', async () => {
    const catalog = await catalogFrom('CREATE TABLE order_events (event_id uuid NOT NULL, CONSTRAINT order_events_event_id_key UNIQUE (event_id));');
    const [f] = await findingsOf(R, 'ALTER TABLE order_events REPLICA IDENTITY FULL;', { catalog });
    expect(f!.fix).toContain('ALTER TABLE order_events REPLICA IDENTITY USING INDEX order_events_event_id_key;');
  });

  test('no key at all: says to add one; quoted names', async () => {
    const catalog = await catalogFrom('CREATE TABLE shop."Order Items" (sku text);');
    const [f] = await findingsOf(R, 'ALTER TABLE shop."Order Items" REPLICA IDENTITY FULL;', { catalog });
    expect(f!.fix).toContain('shop."Order Items" has no primary key');
  });

  test('a table created in the same migration is still flagged for the WAL cost, without the lock', async () => {
    const [f] = await findingsOf(R, 'CREATE TABLE audit (id bigint PRIMARY KEY); ALTER TABLE audit REPLICA IDENTITY FULL;');
    expect(f!.message).toContain('whole old row');
    expect(f!.message).not.toContain('ACCESS EXCLUSIVE');
    expect(f!.fix).toContain('ALTER TABLE audit REPLICA IDENTITY DEFAULT;  -- uses the primary key');
  });

  test('leaves alone: DEFAULT, USING INDEX, NOTHING', async () => {
    expect(await findingsOf(R, 'ALTER TABLE orders REPLICA IDENTITY DEFAULT; ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_ref_key; ALTER TABLE orders REPLICA IDENTITY NOTHING;')).toEqual([]);
  });
});
