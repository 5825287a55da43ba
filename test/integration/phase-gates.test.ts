/**
 * The phase-gate flow of docs/app.md, on real servers (PG 15: the CHECK → SET NOT NULL path; PG 18:
 * NOT NULL … NOT VALID), with the example app (examples/shop/app/orders.ts) and the example change
 * (orders.currency, NOT NULL, backfilled, no default):
 *   apply --until expand → deploy the app (reads tolerate NULL, writes set currency) → apply until
 *   backfill → flag on → apply (contract) → the app that relies on NOT NULL,
 * with `status` saying at each point what the application may assume, and the old app's insert shown
 * to be exactly what breaks at contract.
 */
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { testServers, freshDatabase } from '../helpers/db.js';
import { apply } from '../../src/apply/apply.js';
import { status } from '../../src/apply/status.js';
import { readChange } from '../../src/spec/read.js';
import { appCheck } from '../../src/app/app-check.js';
import { main } from '../../src/cli/main.js';
import { getOrder, placeOrder, toResponse } from '../../examples/shop/app/orders.js';

const servers = testServers([15, 18]);
const shop = join(import.meta.dirname, '../../examples/shop');
const fast = { guard: { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 }, replicaWaitMs: 0, snapshot: false };

async function statusText(url: string): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const code = await main(['status', '--db', url], { stdout: out, stderr: out, env: {}, cwd: shop });
  expect(code).toBe(0);
  return text;
}

describe.each(servers)('phase gates on $name', (server) => {
  test('expand → deploy → backfill → flag → contract, with status saying what the app may assume', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`
      CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
      CREATE TABLE orders (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES customers,
        status text NOT NULL DEFAULT 'pending',
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        note text
      );
      INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 100) g;
      INSERT INTO orders (customer_id, total_cents) SELECT 1 + g % 100, g FROM generate_series(1, 3000) g;`);
    const { change } = await readChange(join(shop, 'changes/orders-currency.yaml'));
    const c = await db.connect();
    // The app before the change: it knows nothing of currency.
    const oldAppInsert = () => c.query(`INSERT INTO orders (customer_id, total_cents) VALUES (1, 500) RETURNING id`);
    const stage = async () => (await status(db.url, change.name))[0]!.app[0]!.stage;

    // 1. Expand: the column exists, NULL everywhere. The old app still works; the new one may be deployed.
    expect((await apply(change, { url: db.url, until: 'expand', ...fast })).stoppedAfter).toBe('expand');
    expect(await stage()).toBe('nullable');
    expect(await statusText(db.url)).toContain('app: orders.currency exists and may be NULL: reads must handle NULL; inserts must set currency before the contract phase (it has no default)');
    await oldAppInsert();
    // app-check with --db mid-change: the plan apply recorded, not a new one that finds the column already there.
    const r = await appCheck(change, { paths: ['app'], cwd: shop, phase: 'expand', db: db.url });
    expect(r.findings).toEqual([]);
    expect(r.filesChecked).toBe(1);
    expect(r.columns).toMatchObject([{ column: 'currency', nullableDuringRollout: true, nullableAtEnd: false, hasDefault: false, defaultKnown: true }]);
    // …and the app of before the change, which omits currency, is what it reports.
    const old = await appCheck(change, { paths: ['test/fixtures/app/broken/src/orders-pg.ts'], cwd: join(shop, '../..'), db: db.url });
    expect(old.findings.filter((f) => f.rule === 'insert-omits-column')).toHaveLength(1);

    // 2. The new app is deployed: it writes currency, and reads rows the backfill has not reached.
    const placed = await placeOrder(c, { customerId: 2, totalCents: 1250, currency: 'USD' });
    expect(placed.currency).toBe('USD');
    const first = (await getOrder(c, 1))!;
    expect(first.currency).toBeNull();
    expect(toResponse(first, { showCurrency: true })).toEqual({ id: '1', total: '0.01' });

    // 3. Backfill: every existing row filled — the flag that shows currency may go on.
    await apply(change, { url: db.url, until: 'backfill', ...fast });
    expect(await stage()).toBe('backfilled');
    expect((await db.query(`SELECT count(*)::int AS n FROM orders WHERE currency IS NULL`))[0].n).toBe(0);
    expect(toResponse((await getOrder(c, 1))!, { showCurrency: true })).toEqual({ id: '1', total: '0.01', currency: 'EUR' });
    expect(await statusText(db.url)).toContain('a feature flag that shows currency may be turned on');

    // 4. Contract: NOT NULL. The old app's insert is exactly what breaks; the new app goes on.
    await apply(change, { url: db.url, ...fast });
    expect(await stage()).toBe('not-null');
    expect(await statusText(db.url)).toContain('app: orders.currency is NOT NULL: code may rely on it');
    await expect(oldAppInsert()).rejects.toMatchObject({ code: '23502' });
    expect((await placeOrder(c, { customerId: 3, totalCents: 99, currency: 'GBP' })).currency).toBe('GBP');
    const col = (await db.query(`SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'currency'`))[0];
    expect(col.is_nullable).toBe('NO');
  });
});
