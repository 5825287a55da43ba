import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';
import { Catalog } from '../../../src/dialects/postgres/catalog.js';

const R = 'delete-without-where';

describe(R, () => {
  test('flags DELETE without WHERE with a batched delete', async () => {
    expect(await lintView(R, 'DELETE FROM order_events;')).toMatchInlineSnapshot(`
      [
        "1:13 warning DELETE FROM order_events without WHERE deletes every row in one transaction and holds a row lock on each until it commits (updates and deletes of them wait)
      Delete in batches, each its own transaction, so row locks are short and VACUUM keeps up:
      DELETE FROM order_events WHERE ctid IN (SELECT ctid FROM order_events LIMIT 5000);  -- repeat until it deletes 0 rows
      If the table should simply be emptied and nothing reads it meanwhile, TRUNCATE order_events; is instant (but takes ACCESS EXCLUSIVE and is not MVCC-safe).",
      ]
    `);
  });

  test('WHERE true counts; quoted names; runner transaction advice', async () => {
    const [f] = await findingsOf(R, 'DELETE FROM shop."Order Items" WHERE true;', { transaction: 'wrapped', layout: 'dbmate' });
    expect(f!.message).toContain('DELETE FROM shop."Order Items" with WHERE true');
    expect(f!.fix).toContain('DELETE FROM shop."Order Items" WHERE ctid IN (SELECT ctid FROM shop."Order Items" LIMIT 5000);');
    expect(f!.fix).toContain('transaction:false');
  });

  test('size-sensitive: a small table is only info, a big one an error', async () => {
    const catalog = new Catalog();
    catalog.tables.set('public.order_events', { name: { name: 'order_events' }, kind: 'table', columns: new Map(), constraints: new Map(), indexes: new Set(), rows: 50, bytes: 8192 });
    catalog.tables.set('public.orders', { name: { name: 'orders' }, kind: 'table', columns: new Map(), constraints: new Map(), indexes: new Set(), rows: 5_000_000, bytes: 2 ** 31 });
    const [small] = await findingsOf(R, 'DELETE FROM order_events;', { catalog });
    const [big] = await findingsOf(R, 'DELETE FROM orders;', { catalog });
    expect(small!.severity).toBe('info');
    expect(big!.severity).toBe('error');
  });

  test('leaves alone: a WHERE clause, a table created in the same migration', async () => {
    expect(await findingsOf(R, "DELETE FROM order_events WHERE created_at < now() - interval '90 days';")).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE import_batch (id bigint); DELETE FROM import_batch;')).toEqual([]);
  });
});
