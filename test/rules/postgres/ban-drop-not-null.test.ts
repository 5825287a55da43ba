import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'ban-drop-not-null';

async function later(first: string, second: string, pgVersion = 15) {
  const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
  const ms = [mk('001', first), mk('002', second)];
  return (await lintMigrations(ms, ms.map((m) => m.up.file), { only: [R], pgVersion })).findings;
}

describe(R, () => {
  test('flags DROP NOT NULL on an existing table', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ALTER COLUMN shipping_address_id DROP NOT NULL;')).toMatchInlineSnapshot(`
      [
        "1:20 warning DROP NOT NULL lets NULLs into orders.shipping_address_id: readers that assume it always has a value will break
      Before this runs, make sure everything that reads orders.shipping_address_id handles NULL (application code, reports, exports, NOT IN subqueries, joins on it, downstream consumers), and deploy that first. Putting NOT NULL back later means fixing every NULL and scanning the table.",
      ]
    `);
  });

  test('quotes hostile names and points at the subcommand', async () => {
    const sql = 'ALTER TABLE "Order Items" ALTER COLUMN "Qty" SET DEFAULT 1, ALTER "Qty" DROP NOT NULL;';
    const [f] = await findingsOf(R, sql);
    expect(f!.message).toBe('DROP NOT NULL lets NULLs into "Order Items"."Qty": readers that assume it always has a value will break');
    expect(f!.span.start).toBe(sql.indexOf('ALTER "Qty"'));
  });

  test('18: dropping the NOT NULL constraint of a column does the same', async () => {
    const [f] = await later('CREATE TABLE orders (id bigint, status text NOT NULL);', 'ALTER TABLE orders DROP CONSTRAINT orders_status_not_null;', 18);
    expect(f!.message).toBe('DROP CONSTRAINT orders_status_not_null lets NULLs into orders.status: readers that assume it always has a value will break');
    const [g] = await later('CREATE TABLE orders (id bigint, status text);', 'ALTER TABLE orders ADD CONSTRAINT status_nn NOT NULL status NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT status_nn;\nALTER TABLE orders DROP CONSTRAINT status_nn;', 18);
    expect(g!.message).toContain('DROP CONSTRAINT status_nn lets NULLs into orders.status');
  });

  test('leaves alone: new tables, columns lockstep knows are nullable, other constraints, the 12–17 NOT NULL recipe', async () => {
    expect(await findingsOf(R, 'CREATE TABLE refunds (reason text NOT NULL);\nALTER TABLE refunds ALTER COLUMN reason DROP NOT NULL;')).toEqual([]);
    expect(await later('CREATE TABLE orders (id bigint, note text);', 'ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;')).toEqual([]);
    expect(await later('CREATE TABLE orders (id bigint, status text NOT NULL);', 'ALTER TABLE orders DROP CONSTRAINT orders_status_not_null;', 17)).toEqual([]);
    expect(
      await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT orders_cid_nn CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_cid_nn;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_cid_nn;'),
    ).toEqual([]);
  });
});
