import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'dropping-constraint';

const schema = `CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL CONSTRAINT orders_customer_id_fkey REFERENCES customers (id),
  number text CONSTRAINT orders_number_key UNIQUE,
  total numeric CONSTRAINT orders_total_check CHECK (total >= 0),
  shipped_at timestamptz
);
ALTER TABLE orders ADD CONSTRAINT orders_shipped_at_not_null CHECK (shipped_at IS NOT NULL) NOT VALID;`;

describe(R, () => {
  test('a CHECK: the guarantee is gone; lock from the effects table, lock_timeout retry', async () => {
    const catalog = await catalogFrom(schema);
    expect(await lintView(R, 'ALTER TABLE orders DROP CONSTRAINT orders_total_check;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:20 info DROP CONSTRAINT orders_total_check on orders: the CHECK is no longer enforced, so rows that break it can be written; putting it back later means fixing those rows and a validation scan; it takes ACCESS EXCLUSIVE (blocks reads and writes) on orders
      Make sure nothing relies on orders_total_check any more (application code that assumes it, reports). To replace it, add the new constraint first (NOT VALID, then VALIDATE CONSTRAINT) and drop this one after. The drop itself is quick, but it waits for every query on orders, so keep that wait short:
      SET lock_timeout = '2s';
      ALTER TABLE orders DROP CONSTRAINT orders_total_check;
      -- on "canceling statement due to lock timeout": wait a moment and run it again",
      ]
    `);
  });

  test('a foreign key locks both tables; a unique constraint takes its index and ON CONFLICT along', async () => {
    const catalog = await catalogFrom(schema);
    const [fk] = await findingsOf(R, 'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;', { catalog });
    expect(fk!.message).toBe(
      'DROP CONSTRAINT orders_customer_id_fkey on orders: rows of orders can point at rows of customers that do not exist, and its ON DELETE / ON UPDATE actions stop; putting it back later means fixing those rows and a validation scan; it takes ACCESS EXCLUSIVE (blocks reads and writes) on orders and customers',
    );
    const [uq] = await findingsOf(R, 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_number_key;', { catalog });
    expect(uq!.message).toContain('duplicates of (number) can be written, and its index goes with it (queries that used it slow down, INSERT … ON CONFLICT (number) fails)');
    expect(uq!.fix).toContain('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_number_key;');
  });

  test('an unknown constraint on a quoted table', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE shop."Order Items" DROP CONSTRAINT "Qty Positive";');
    expect(f!.message).toMatch(/^DROP CONSTRAINT "Qty Positive" on shop."Order Items": the guarantee it gave is gone/);
  });

  test('it is opt-in: off unless enabled', async () => {
    const { lintSql } = await import('../../../src/lint/lint.js');
    const r = await lintSql('ALTER TABLE orders DROP CONSTRAINT orders_total_check;');
    expect(r.findings.filter((f) => f.rule === R)).toEqual([]);
  });

  test('leaves alone: the NOT NULL recipe\u2019s last step, new tables and constraints, 18\u2019s NOT NULL constraints', async () => {
    const catalog = await catalogFrom(schema);
    const recipe = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_shipped_at_not_null;\nALTER TABLE orders ALTER COLUMN shipped_at SET NOT NULL;\nALTER TABLE orders DROP CONSTRAINT orders_shipped_at_not_null;';
    expect(await findingsOf(R, recipe, { catalog })).toEqual([]);
    // a later migration, once the column is NOT NULL (as --db would show it)
    const after = await catalogFrom(`${schema}\nALTER TABLE orders ALTER COLUMN shipped_at SET NOT NULL;`);
    expect(await findingsOf(R, 'ALTER TABLE orders DROP CONSTRAINT orders_shipped_at_not_null;', { catalog: after })).toEqual([]);
    // … but before SET NOT NULL it is a real loss
    expect((await findingsOf(R, 'ALTER TABLE orders DROP CONSTRAINT orders_shipped_at_not_null;', { catalog })).length).toBe(1);
    const sql = [
      'CREATE TABLE refunds (id bigint PRIMARY KEY, amount numeric CONSTRAINT refunds_amount_check CHECK (amount > 0));',
      'ALTER TABLE refunds DROP CONSTRAINT refunds_amount_check;',
      'ALTER TABLE orders ADD CONSTRAINT orders_note_check CHECK (length(note) < 500) NOT VALID;',
      'ALTER TABLE orders DROP CONSTRAINT orders_note_check;',
    ].join('\n');
    expect(await findingsOf(R, sql, { catalog })).toEqual([]);
    const pg18 = await catalogFrom('CREATE TABLE invoices (id bigint, due date NOT NULL);');
    expect(await findingsOf(R, 'ALTER TABLE invoices DROP CONSTRAINT invoices_due_not_null;', { catalog: pg18, pgVersion: 18 })).toEqual([]);
  });

  test('leaves alone the down section dropping the constraint its own up added', async () => {
    const up = 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;';
    const down = 'ALTER TABLE orders DROP CONSTRAINT orders_total_check;';
    const m = {
      id: '001_total_check',
      layout: 'plain' as const,
      up: { file: { path: '001.up.sql', text: up }, parts: [{ start: 0, end: up.length }] },
      down: { file: { path: '001.down.sql', text: down }, parts: [{ start: 0, end: down.length }] },
      transaction: 'none' as const,
      transactionSource: 'test',
    };
    const opts = { rules: { [R]: 'on' as const } };
    expect((await lintMigrations([m], [m.up.file, m.down.file], opts)).findings.filter((f) => f.rule === R)).toEqual([]);
    const m2 = { ...m, up: { file: { path: '001.up.sql', text: 'SELECT 1;' }, parts: [{ start: 0, end: 9 }] } };
    expect((await lintMigrations([m2], [m2.up.file, m2.down.file], opts)).findings.filter((f) => f.rule === R).map((f) => f.file)).toEqual(['001.down.sql']);
  });
});
