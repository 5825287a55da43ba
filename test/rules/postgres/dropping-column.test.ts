import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'dropping-column';


describe(R, () => {
  test('flags DROP COLUMN: deploy first, then drop; names the constraints that go with it and offers a copy', async () => {
    const catalog = await catalogFrom("CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text CHECK (legacy_status <> ''));");
    expect(await lintView(R, 'ALTER TABLE orders DROP COLUMN legacy_status;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:13 warning DROP COLUMN legacy_status deletes its data from orders and breaks every query and ORM model that still names it, the moment it commits
      First deploy code that no longer reads or writes legacy_status. ORMs that select every mapped column fail even when your code never uses it, so make the model ignore it first (Rails: self.ignored_columns += ["legacy_status"]). Then drop it in a later migration:
      ALTER TABLE orders DROP COLUMN legacy_status;
      Constraints that use it are dropped with it: orders_legacy_status_check.
      To keep the values, copy them first: CREATE TABLE orders_legacy_status_backup AS SELECT id, legacy_status FROM orders;",
      ]
    `);
  });

  test('one finding per dropped column; CASCADE explained; hostile names quoted', async () => {
    const f = await findingsOf(R, 'ALTER TABLE shop."Order Items" DROP COLUMN "Unit Price" CASCADE, DROP COLUMN IF EXISTS note;');
    expect(f.map((x) => x.message)).toEqual([
      'DROP COLUMN "Unit Price" deletes its data from shop."Order Items" and breaks every query and ORM model that still names it, the moment it commits',
      'DROP COLUMN note deletes its data from shop."Order Items" and breaks every query and ORM model that still names it, the moment it commits',
    ]);
    expect(f[0]!.fix).toContain('ALTER TABLE shop."Order Items" DROP COLUMN "Unit Price" CASCADE;');
    expect(f[0]!.fix).toContain('CASCADE also drops every view');
    expect(f[0]!.fix).toContain('self.ignored_columns += ["Unit Price"]');
  });

  test('leaves alone: a table created in the same migration, a column added earlier in it, other subcommands', async () => {
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint, note text); ALTER TABLE refunds DROP COLUMN note;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN tmp int; ALTER TABLE orders DROP COLUMN tmp;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders DROP CONSTRAINT orders_status_check;')).toEqual([]);
  });
});
