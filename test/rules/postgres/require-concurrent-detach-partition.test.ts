import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'require-concurrent-detach-partition';

const parts = `CREATE TABLE measurements (id bigint, k int) PARTITION BY RANGE (k);
CREATE TABLE measurements_2023 PARTITION OF measurements FOR VALUES FROM (0) TO (100);`;

describe(R, () => {
  test('14+: CONCURRENTLY, with FINALIZE for an interrupted run', async () => {
    const catalog = await catalogFrom(parts);
    expect(await lintView(R, 'ALTER TABLE measurements DETACH PARTITION measurements_2023;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:43 warning DETACH PARTITION measurements_2023 takes ACCESS EXCLUSIVE (blocks reads and writes) on measurements and measurements_2023: it waits for every running query on measurements, and every later query waits behind it
      Detach it without blocking queries:
      ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;
      If it is interrupted, finish it with: ALTER TABLE measurements DETACH PARTITION measurements_2023 FINALIZE;",
      ]
    `);
  });

  test('a DEFAULT partition makes CONCURRENTLY impossible: locks it too, lock_timeout and retry', async () => {
    const catalog = await catalogFrom(`${parts}\nCREATE TABLE measurements_default PARTITION OF measurements DEFAULT;`);
    expect(await lintView(R, 'ALTER TABLE measurements DETACH PARTITION measurements_2023;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:43 warning DETACH PARTITION measurements_2023 takes ACCESS EXCLUSIVE (blocks reads and writes) on measurements, measurements_2023 and measurements_default: it waits for every running query on measurements, and every later query waits behind it
      CONCURRENTLY is not possible here: measurements has a DEFAULT partition (measurements_default), and Postgres refuses to detach concurrently then. Keep the lock from queueing traffic: set a short lock_timeout and retry until it gets through:
      SET lock_timeout = '2s';
      ALTER TABLE measurements DETACH PARTITION measurements_2023;
      -- on "canceling statement due to lock timeout": wait a moment and run it again",
      ]
    `);
  });

  test('an existing lock_timeout is credited instead of set again', async () => {
    const catalog = await catalogFrom(`${parts}\nCREATE TABLE measurements_default PARTITION OF measurements DEFAULT;`);
    const [f] = await findingsOf(R, "SET lock_timeout = '3s';\nALTER TABLE measurements DETACH PARTITION measurements_2023;", { catalog });
    expect(f!.fix).toContain('lock_timeout is already 3s');
    expect(f!.fix).not.toContain("SET lock_timeout = '2s'");
  });

  test('11–13: no concurrent form, said as info', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE measurements DETACH PARTITION measurements_2023;', { pgVersion: 13 });
    expect(f!.severity).toBe('info');
    expect(f!.fix).toContain('Postgres 13 has no DETACH PARTITION … CONCURRENTLY');
    expect(f!.fix).not.toContain('CONCURRENTLY;');
  });

  test('quoted names, transaction advice, and the unknown-DEFAULT caveat without a catalog', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE shop."Order Items" DETACH PARTITION shop."Order Items 2023";', { transaction: 'wrapped', layout: 'dbmate' });
    expect(f!.fix).toContain('ALTER TABLE shop."Order Items" DETACH PARTITION shop."Order Items 2023" CONCURRENTLY;');
    expect(f!.fix).toContain('lockstep does not know whether it has one');
    expect(f!.fix).toContain('transaction:false');
  });

  test('leaves alone: CONCURRENTLY, FINALIZE, a parent created in the same migration', async () => {
    expect(await findingsOf(R, 'ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE measurements DETACH PARTITION measurements_2023 FINALIZE;')).toEqual([]);
    expect(await findingsOf(R, `${parts}\nALTER TABLE measurements DETACH PARTITION measurements_2023;`)).toEqual([]);
  });
});
