import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'adding-trigger';

const schema = `CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));`;

describe(R, () => {
  test('CREATE TRIGGER on an existing table: info, the lock from the effects table, a lock_timeout retry', async () => {
    expect(await lintView(R, 'CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();')).toMatchInlineSnapshot(`
      [
        "1:1 info CREATE TRIGGER orders_audit: every INSERT and UPDATE on orders runs audit_row() for each row after it from now on; it takes SHARE ROW EXCLUSIVE (blocks writes) on orders while it waits for the lock and until the transaction commits
      Test audit_row() under production-like write load first: it adds its cost to every such write, and an error in it fails the write. Run it in a short transaction of its own, and keep the wait for the lock short:
      SET lock_timeout = '2s';
      CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();
      -- on "canceling statement due to lock timeout": wait a moment and run it again",
      ]
    `);
  });

  test('BEFORE / INSTEAD OF, statement-level, quoted names, a lock_timeout already set', async () => {
    const sql = "SET lock_timeout = '3s';\nCREATE TRIGGER \"Sync Totals\" BEFORE DELETE ON shop.\"Order Items\" EXECUTE FUNCTION shop.sync_totals();";
    const [f] = await findingsOf(R, sql);
    expect(f!.message).toMatch(/^CREATE TRIGGER "Sync Totals": every DELETE on shop."Order Items" runs shop.sync_totals\(\) before it from now on; it takes SHARE ROW EXCLUSIVE \(blocks writes\) on shop."Order Items"/);
    expect(f!.fix).toContain('lock_timeout is already 3s');
  });

  test('DISABLE TRIGGER ALL is a warning that names the foreign keys it stops enforcing', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'ALTER TABLE orders DISABLE TRIGGER ALL;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:20 warning DISABLE TRIGGER ALL on orders also turns off the internal triggers that enforce its foreign keys (orders → customers and invoices → orders): rows that break them can be written meanwhile, and nothing checks them when the triggers are enabled again; it takes SHARE ROW EXCLUSIVE (blocks writes) on orders
      Disable only your own triggers, so that foreign keys stay enforced, and enable them again in the same transaction (writes from every session skip them meanwhile):
      BEGIN;
      ALTER TABLE orders DISABLE TRIGGER USER;
      -- …
      ALTER TABLE orders ENABLE TRIGGER USER;
      COMMIT;
      Disabling the foreign-key triggers also needs superuser rights.",
      ]
    `);
  });

  test('other toggles are info, each pointing at its own subcommand', async () => {
    const sql = 'ALTER TABLE orders DISABLE TRIGGER orders_audit,\n  ENABLE REPLICA TRIGGER orders_sync,\n  DISABLE TRIGGER USER;';
    const lines = await lintView(R, sql);
    expect(lines.map((l) => l.split('\n')[0])).toEqual([
      '1:20 info DISABLE TRIGGER orders_audit on orders: orders_audit stops firing, in every session, until it is enabled again; it takes SHARE ROW EXCLUSIVE (blocks writes) on orders',
      '2:3 info ENABLE REPLICA TRIGGER orders_sync on orders: orders_sync fires only when session_replication_role is replica, no longer for ordinary writes; it takes SHARE ROW EXCLUSIVE (blocks writes) on orders',
      '3:3 info DISABLE TRIGGER USER on orders: no trigger of your own on orders fires (audit rows, synced columns, checks written as triggers), in every session, until they are enabled again; it takes SHARE ROW EXCLUSIVE (blocks writes) on orders',
    ]);
  });

  test('leaves alone: new tables, a trigger replaced after being created in the same migration, other ALTERs', async () => {
    const sql = [
      'CREATE TABLE refunds (id bigint PRIMARY KEY);',
      'CREATE TRIGGER refunds_audit AFTER INSERT ON refunds FOR EACH ROW EXECUTE FUNCTION audit_row();',
      'ALTER TABLE refunds DISABLE TRIGGER ALL;',
      'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;',
      'ALTER TABLE orders ADD COLUMN note text;',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
    const replaced = 'CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();\nCREATE OR REPLACE TRIGGER orders_audit AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();';
    expect((await findingsOf(R, replaced)).length).toBe(1);
  });
});
