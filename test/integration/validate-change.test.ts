/**
 * A Change built by hand reaches plan() and apply() through the spec validator, and a resumed apply
 * checks the plan stored in the ledger before running any of it (PG 15).
 */
import { describe, expect, test } from 'vitest';
import { testServers, freshDatabase } from '../helpers/db.js';
import { apply } from '../../src/apply/apply.js';
import { plan } from '../../src/plan/planner.js';
import { LockstepError } from '../../src/core/errors.js';
import type { Change } from '../../src/operations/types.js';

const servers = testServers([15]);
const fast = { guard: { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 }, replicaWaitMs: 0, snapshot: false };

const hostile: Change = {
  name: 'evil',
  operations: [
    { kind: 'addColumn', table: { name: 'orders' }, name: 'x', type: 'int', nullable: true, default: '1); DROP TABLE orders; --', index: { method: 'btree; DROP TABLE orders', where: 'true) OR (1 = 1' } },
    { kind: 'addIndex', table: { name: 'orders' }, columns: ['id'], where: 'x > 0; DELETE FROM orders' },
    { kind: 'frob' as any, table: { name: 'orders' } } as any,
  ],
};

async function problemsOf(p: Promise<unknown>) {
  const e = await p.then(() => undefined, (x) => x);
  expect(e).toBeInstanceOf(LockstepError);
  expect((e as LockstepError).code).toBe('E_INPUT');
  return (e as LockstepError).problems.map((x) => x.where);
}

test('plan(): every problem of a hand-built Change in one error, with its path', async () => {
  expect(await problemsOf(plan(hostile, { version: 15 }))).toEqual([
    'change.operations[0].addColumn.default',
    'change.operations[0].addColumn.index.method',
    'change.operations[0].addColumn.index.where',
    'change.operations[1].addIndex.where',
    'change.operations[2].kind',
  ]);
  // Names are a Change's own (quoted when rendered): any text is fine, nothing to reject.
  const odd: Change = { name: 'odd', operations: [{ kind: 'addColumn', table: { schema: 'My Schema', name: 'Order "Items"' }, name: 'Created At', type: 'timestamptz', nullable: true, index: { name: 'idx;x' } }] };
  await expect(plan(odd, { version: 15 })).resolves.toMatchObject({ change: odd });
});

describe.each(servers)('on $name', (server) => {
  test('apply(): a hand-built Change is checked before anything connects or runs', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY)`);
    expect(await problemsOf(apply(hostile, { url: db.url, ...fast }))).toHaveLength(5);
    const [r] = await db.query(`SELECT to_regclass('lockstep.changes') IS NULL AS none, to_regclass('orders') IS NOT NULL AS orders`);
    expect(r).toEqual({ none: true, orders: true });
  });

  test('a resumed apply refuses a stored plan that was tampered with, and runs nothing', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 100)`);
    const change: Change = { name: 'c', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()' }] };
    await apply(change, { url: db.url, until: 'expand', ...fast });
    await db.query(`UPDATE lockstep.changes SET plan = jsonb_set(jsonb_set(plan, '{phases,1,steps,0,backfill,expression}', '"1; DROP TABLE orders"'), '{phases,2,steps,0,up}', '"DROP TABLE orders"')`);
    const where = await problemsOf(apply(change, { url: db.url, ...fast }));
    expect(where).toEqual([
      "the ledger's plan of c: phases[1].steps[0].backfill.expression",
      "the ledger's plan of c: phases[2].steps[0].up",
      'c',
    ]);
    const [r] = await db.query(`SELECT count(*) FILTER (WHERE created_at IS NULL)::int AS nulls FROM orders`);
    expect(r.nulls).toBe(100);
  });
});
