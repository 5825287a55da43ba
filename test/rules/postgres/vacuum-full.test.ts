import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'vacuum-full';

describe(R, () => {
  test('flags VACUUM FULL with pg_repack and plain VACUUM as alternatives', async () => {
    expect(await lintView(R, 'VACUUM FULL order_events;')).toMatchInlineSnapshot(`
      [
        "1:1 warning VACUUM FULL order_events rewrites the table and its indexes under ACCESS EXCLUSIVE (blocks reads and writes) on order_events until it is done, and needs disk space for the copy
      Give the space back online with pg_repack (needs a primary key or a unique NOT NULL index; locks only briefly at the start and end) or the pg_squeeze extension:
      pg_repack --table=order_events --no-order <database>
      Or, if the space only needs to be reusable (not returned to the operating system), plain VACUUM does that without blocking reads or writes:
      VACUUM order_events;",
      ]
    `);
  });

  test('the option form, several tables, quoted names, and the transaction failure', async () => {
    const [f] = await findingsOf(R, 'VACUUM (FULL, ANALYZE) orders, shop."Order Items";', { transaction: 'wrapped' });
    expect(f!.message).toContain('VACUUM FULL orders and shop."Order Items" rewrites each table');
    expect(f!.message).toContain('it fails here: VACUUM cannot run inside a transaction block');
    expect(f!.fix).toContain(`pg_repack --table=orders '--table=shop."Order Items"' --no-order <database>`);
    expect(f!.fix).toContain('VACUUM orders, shop."Order Items";');
  });

  test('without a table: the whole database', async () => {
    const [f] = await findingsOf(R, 'VACUUM FULL;');
    expect(f!.message).toContain('every table in the database');
    expect(f!.fix).toContain('pg_repack --no-order <database>');
  });

  test('leaves alone: plain VACUUM, FULL false/off/0, a table created in the same migration', async () => {
    expect(await findingsOf(R, 'VACUUM (ANALYZE) orders;')).toEqual([]);
    expect(await findingsOf(R, 'VACUUM (FULL false) orders; VACUUM (FULL off) orders; VACUUM (FULL 0) orders;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE import_batch (id bigint); VACUUM FULL import_batch;')).toEqual([]);
  });
});
