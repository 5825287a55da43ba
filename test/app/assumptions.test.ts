import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/dialects/postgres/parser.js';
import { plan } from '../../src/plan/planner.js';
import { appAssumptions } from '../../src/app/assumptions.js';
import type { Change } from '../../src/operations/types.js';

beforeAll(loadParser);

/** The ledger's steps after the first `k` steps of the plan took effect. */
async function after(change: Change, version: number, k: number) {
  const steps = (await plan(change, { version })).phases.flatMap((p) => p.steps);
  return { ids: steps.map((s) => s.id), steps: steps.map((s, i) => ({ id: s.id, up: s.up, state: i < k ? 'done' : 'pending' })) };
}

const currency: Change = { name: 'c', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'currency', type: 'char(3)', nullable: false, backfill: "'EUR'" }] };

describe('appAssumptions: what the app may assume after each step', () => {
  it.each([15, 18])('a NOT NULL column with a backfill and no default, PG %i: every stage in order', async (v) => {
    const { ids } = await after(currency, v, 0);
    const stages: string[] = [];
    for (let k = 0; k <= ids.length; k++) stages.push(appAssumptions(currency, (await after(currency, v, k)).steps)[0]!.stage);
    expect([...new Set(stages)]).toEqual(['absent', 'nullable', 'backfilled', 'new-rows-checked', 'not-null']);
    // NOT NULL once validated: PG 15's validated CHECK, PG 18's validated NOT NULL.
    const validated = ids.findIndex((id) => /validate-not-null/.test(id));
    expect(stages[validated + 1]).toBe('not-null');
  });

  it('says an insert without the column fails only when there is no default', async () => {
    const withDefault: Change = { name: 'd', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'ts', type: 'timestamptz', nullable: false, default: 'clock_timestamp()' }] };
    const a = appAssumptions(withDefault, (await after(withDefault, 15, 2)).steps)[0]!;
    expect(a.stage).toBe('nullable');
    expect(a.now).toContain('inserts that leave ts out get its default');
    expect(a.deploy).not.toContain('inserts set');
    const b = appAssumptions(currency, (await after(currency, 15, 1)).steps)[0]!;
    expect(b.now).toContain('inserts must set currency before the contract phase (it has no default)');
  });

  it('an instant NOT NULL DEFAULT has no NULL window; a nullable column stays nullable', async () => {
    const instant: Change = { name: 'i', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'now()' }] };
    expect(appAssumptions(instant, (await after(instant, 15, 1)).steps)[0]!.stage).toBe('not-null');
    const nullable: Change = { name: 'n', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
    const n = appAssumptions(nullable, (await after(nullable, 15, 1)).steps)[0]!;
    expect(n).toMatchObject({ stage: 'nullable', now: 'orders.note exists and is nullable: reads must handle NULL' });
  });

  it('ADD COLUMN + SET NOT NULL of a SQL migration is one column, not two contradicting lines', async () => {
    const sql: Change = {
      name: 's',
      operations: [
        { kind: 'addColumn', table: { name: 'orders' }, name: 'currency', type: 'char(3)', nullable: true },
        { kind: 'setNotNull', table: { name: 'orders' }, column: 'currency' },
      ],
    };
    const { ids } = await after(sql, 15, 0);
    const first = appAssumptions(sql, (await after(sql, 15, 0)).steps);
    expect(first).toHaveLength(1);
    expect(first[0]!.stage).toBe('absent');
    expect(appAssumptions(sql, (await after(sql, 15, 1)).steps)[0]!.stage).toBe('nullable');
    expect(appAssumptions(sql, (await after(sql, 15, ids.length)).steps)).toMatchObject([{ stage: 'not-null' }]);
  });

  it('after a rollback: the column is gone, or nullable again for a setNotNull', async () => {
    const { steps } = await after(currency, 15, 99);
    expect(appAssumptions(currency, steps, true)[0]!).toMatchObject({ stage: 'absent', now: expect.stringContaining('(rolled back)') });
    const snn: Change = { name: 'x', operations: [{ kind: 'setNotNull', table: { name: 'orders' }, column: 'note' }] };
    const r = appAssumptions(snn, (await after(snn, 15, 99)).steps, true)[0]!;
    expect(r.stage).toBe('nullable');
    expect(r.now).toBe('orders.note is nullable again (rolled back): reads must handle NULL');
  });
});
