import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'changing-inheritance';

describe(R, () => {
  test('INHERIT: the parent starts showing the child\u2019s rows; both tables locked', async () => {
    expect(await lintView(R, 'ALTER TABLE orders_2023 INHERIT orders;')).toMatchInlineSnapshot(`
      [
        "1:33 warning orders_2023 INHERIT orders: queries on orders (without ONLY) start seeing the rows of orders_2023 the moment it commits; it takes ACCESS EXCLUSIVE (blocks reads and writes) on orders_2023 and orders
      Deploy code that expects orders to include the rows of orders_2023 first (counts, reports, UPDATE and DELETE through orders); queries that must not see them need SELECT … FROM ONLY orders. Then keep the wait for the locks short:
      SET lock_timeout = '2s';
      ALTER TABLE orders_2023 INHERIT orders;
      -- on "canceling statement due to lock timeout": wait a moment and run it again",
      ]
    `);
  });

  test('NO INHERIT with quoted, schema-qualified names inside the runner transaction', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE archive."Orders 2023" NO INHERIT shop."Orders";', { transaction: 'wrapped' });
    expect(f!.message).toBe(
      'archive."Orders 2023" NO INHERIT shop."Orders": queries on shop."Orders" (without ONLY) stop seeing the rows of archive."Orders 2023" the moment it commits; it takes ACCESS EXCLUSIVE (blocks reads and writes) on archive."Orders 2023" and shop."Orders"',
    );
    expect(f!.fix).toContain(`SET lock_timeout = '2s';\nALTER TABLE archive."Orders 2023" NO INHERIT shop."Orders";`);
  });

  test('the finding points at the parent named in the subcommand', async () => {
    expect((await lintView(R, 'ALTER TABLE orders_2023\n  INHERIT orders;')).map((l) => l.split(' ')[0])).toEqual(['2:11']);
  });

  test('leaves alone: a new child or a new parent, other ALTERs', async () => {
    const sql = [
      'CREATE TABLE orders_2025 (id bigint);',
      'ALTER TABLE orders_2025 INHERIT orders;',
      'CREATE TABLE orders_all (id bigint);',
      'ALTER TABLE orders_2023 INHERIT orders_all;',
      'ALTER TABLE orders_2023 ADD COLUMN note text;',
      'ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
  });
});
