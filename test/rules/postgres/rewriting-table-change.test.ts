import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'rewriting-table-change';

describe(R, () => {
  test('SET LOGGED: what it does, no online way, lock_timeout', async () => {
    expect(await lintView(R, 'ALTER TABLE order_events SET LOGGED;')).toMatchInlineSnapshot(`
      [
        "1:13 warning SET LOGGED rewrites order_events and writes all of it to the WAL (replicas receive the whole table) under ACCESS EXCLUSIVE (blocks reads and writes) on order_events until the copy is done
      SET LOGGED is worth it once a table loaded UNLOGGED (a fast bulk load) becomes real data that must survive a crash and reach the replicas.
      There is no online way to do this: run it while the table is small or unused (a maintenance window), with a short lock_timeout so it gives up instead of queueing traffic while it waits for the lock:
      SET lock_timeout = '2s';
      ALTER TABLE order_events SET LOGGED;
      -- on "canceling statement due to lock timeout": wait a moment and run it again",
      ]
    `);
  });

  test('SET TABLESPACE: pg_repack --tablespace', async () => {
    expect(await lintView(R, 'ALTER TABLE shop."Order Items" SET TABLESPACE fast_ssd;')).toMatchInlineSnapshot(`
      [
        "1:13 warning SET TABLESPACE fast_ssd copies every file of shop."Order Items" to the new tablespace under ACCESS EXCLUSIVE (blocks reads and writes) on shop."Order Items" until the copy is done (its indexes stay where they are)
      Moving a table to another tablespace is worth it to free a full disk or put hot data on faster storage. Do it online with pg_repack, which copies the table while traffic goes on and locks only briefly at the start and end (--moveidx moves its indexes too):
      pg_repack '--table=shop."Order Items"' --tablespace=fast_ssd --moveidx <database>
      Or replicate it logically into a copy in the new tablespace and switch over. For a small table, this statement with a short lock_timeout is fine.",
      ]
    `);
  });

  test('SET UNLOGGED and SET ACCESS METHOD; one finding per subcommand', async () => {
    const f = await findingsOf(R, 'ALTER TABLE order_events SET UNLOGGED, SET ACCESS METHOD columnar;');
    expect(f.map((x) => x.message)).toEqual([
      'SET UNLOGGED rewrites order_events under ACCESS EXCLUSIVE (blocks reads and writes) on order_events until the copy is done; afterwards it is emptied after a crash and is not on replicas',
      'SET ACCESS METHOD columnar rewrites every row of order_events into the new storage format under ACCESS EXCLUSIVE (blocks reads and writes) on order_events until the copy is done',
    ]);
  });

  test('SET ACCESS METHOD does not exist before 15: not flagged there', async () => {
    expect(await findingsOf(R, 'ALTER TABLE order_events SET ACCESS METHOD columnar;', { pgVersion: 14 })).toEqual([]);
  });

  test('ALTER TABLE ALL IN TABLESPACE moves every table', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE ALL IN TABLESPACE slow_hdd SET TABLESPACE fast_ssd;');
    expect(f!.message).toContain('copies every table in slow_hdd');
    expect(f!.fix).toContain('--tablespace=fast_ssd --moveidx');
  });

  test('leaves alone: a table created in the same migration, other ALTER TABLE forms', async () => {
    expect(await findingsOf(R, 'CREATE UNLOGGED TABLE import_batch (id bigint); ALTER TABLE import_batch SET LOGGED;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders SET (fillfactor = 90); ALTER TABLE orders ADD COLUMN note text;')).toEqual([]);
  });
});
