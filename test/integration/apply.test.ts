/**
 * apply → rollback → apply on real servers (PG 15, 16, 17 and 18), on a table with rows, while other sessions
 * write to it; --until stops after a phase and a later apply continues; the ledger refuses a second run
 * and a changed spec; hostile identifiers.
 */
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import { testServers, freshDatabase } from '../helpers/db.js';
import { apply } from '../../src/apply/apply.js';
import { rollback } from '../../src/apply/rollback.js';
import { status } from '../../src/apply/status.js';
import type { Change } from '../../src/operations/types.js';
import type { ApplyEvent } from '../../src/apply/events.js';

// Every server of the matrix: PG 15, 16, 17 and 18.
const servers = testServers();

const schema = (table: string) => `
CREATE TABLE ${table} (id bigint PRIMARY KEY, total numeric, note text);
INSERT INTO ${table} SELECT g, g, 'n' FROM generate_series(1, 20000) g;
ANALYZE ${table};`;

const fast = { guard: { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 }, replicaWaitMs: 0 };

/** Writes into the table from another connection until stopped; counts commits. */
function writer(url: string, table: string) {
  let stop = false;
  let commits = 0;
  let nextId = 1_000_000;
  const c = new pg.Client(url);
  c.on('error', () => {});
  const done = (async () => {
    await c.connect();
    while (!stop) {
      const id = nextId++;
      try {
        await c.query(`INSERT INTO ${table} (id, total) VALUES ($1, 1)`, [id]);
        await c.query(`UPDATE ${table} SET total = total + 1 WHERE id = $1`, [1 + (id % 20000)]);
        commits++;
      } catch {
        /* a moment of contention: go on */
      }
    }
    await c.end();
  })();
  return { stop: async () => ((stop = true), await done), commits: () => commits };
}

const change = (table: string): Change => ({
  name: `add-created-at-${table.replace(/\W/g, '')}`,
  operations: [{ kind: 'addColumn', table: { name: table.replace(/^"|"$/g, '').replace(/""/g, '"') }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()', index: true }],
});

describe.each(servers)('apply on $name', (server) => {
  test('apply → rollback → apply, under concurrent writes', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema('orders'));
    const events: ApplyEvent[] = [];
    const w = writer(db.url, 'orders');
    try {
      const r = await apply(change('orders'), { url: db.url, onProgress: (e) => events.push(e), ...fast });
      expect(r.stoppedAfter).toBeUndefined();
      expect(r.ran.length).toBeGreaterThan(5);
    } finally {
      await w.stop();
    }
    expect(w.commits()).toBeGreaterThan(10);
    const [row] = await db.query(`SELECT count(*) FILTER (WHERE created_at IS NULL)::int AS nulls, count(*)::int AS n,
      (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'created_at') AS notnull,
      (SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_created_at_idx'::regclass) AS idx FROM orders`);
    expect(row).toMatchObject({ nulls: 0, notnull: true, idx: true });
    expect(events.some((e) => e.type === 'backfill')).toBe(true);
    const [st] = await status(db.url);
    expect(st!.change.state).toBe('applied');

    // The application wrote values (rows inserted by the writer got the default): rollback asks first.
    await expect(rollback(change('orders').name, { url: db.url, ...fast })).rejects.toThrow(/written by the application.*--yes/);
    const rb = await rollback(change('orders').name, { url: db.url, yes: true, ...fast });
    expect(rb.losses[0]).toMatchObject({ column: 'orders.created_at', values: row!.n });
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'created_at' AND NOT attisdropped`))[0].n).toBe(0);

    const again = await apply(change('orders'), { url: db.url, ...fast });
    expect(again.skipped).toEqual([]);
    expect((await db.query(`SELECT count(*)::int AS n FROM orders WHERE created_at IS NULL`))[0].n).toBe(0);
  });

  test('--until expand stops; a later apply continues from the ledger; a changed spec is refused', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema('orders'));
    const first = await apply(change('orders'), { url: db.url, until: 'expand', ...fast });
    expect(first.stoppedAfter).toBe('expand');
    expect((await db.query(`SELECT count(*)::int AS n FROM orders WHERE created_at IS NULL`))[0].n).toBe(20000);
    const changed: Change = { ...change('orders'), operations: [{ ...(change('orders').operations[0] as any), index: false }] };
    await expect(apply(changed, { url: db.url, ...fast })).rejects.toThrow(/different spec/);
    const rest = await apply(change('orders'), { url: db.url, ...fast });
    expect(rest.skipped).toEqual(first.ran);
    expect((await db.query(`SELECT count(*)::int AS n FROM orders WHERE created_at IS NULL`))[0].n).toBe(0);
  });

  test('a second apply of the same change is refused while one runs', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema('orders'));
    const holder = await db.connect();
    await holder.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [0x10c5, change('orders').name]);
    await expect(apply(change('orders'), { url: db.url, ...fast })).rejects.toThrow(/another apply of this change is running \(pid \d+/);
  });

  test('a step the server rejects: a clear error naming the step, the ledger says where it stopped', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema('orders'));
    const bad: Change = { name: 'bad-default', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'qty', type: 'integer', nullable: true, default: "'many'::integer" }] };
    await expect(apply(bad, { url: db.url, ...fast })).rejects.toThrow(/^step 1\.add-column: invalid input syntax for type integer: "many"/);
    const [st] = await db.query(`SELECT s.state, s.last_error, c.state AS change FROM lockstep.steps s JOIN lockstep.changes c ON c.name = s.change WHERE s.change = 'bad-default'`);
    expect(st).toMatchObject({ state: 'failed', change: 'failed', last_error: expect.stringContaining('invalid input syntax') });
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'qty'`))[0].n).toBe(0); // nothing half-done
    // Nothing took effect, so the corrected spec is applied under the same name (no rollback needed)…
    const fixed: Change = { ...bad, operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'qty', type: 'integer', nullable: true, default: '1' }] };
    await apply(fixed, { url: db.url, ...fast });
    expect((await db.query(`SELECT state FROM lockstep.changes WHERE name = 'bad-default'`))[0].state).toBe('applied');
    expect((await db.query(`SELECT pg_get_expr(adbin, adrelid) AS d FROM pg_attrdef WHERE adrelid = 'orders'::regclass`))[0].d).toBe('1');
    // …but once a step has taken effect, a changed spec is refused.
    await expect(apply({ ...fixed, operations: [{ ...fixed.operations[0]!, default: '2' } as Change['operations'][number]] }, { url: db.url, ...fast })).rejects.toThrow(/with a different spec/);
  });

  test('hostile identifiers', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema('"Order Items"'));
    const c: Change = { name: 'hostile', operations: [{ kind: 'addColumn', table: { name: 'Order Items' }, name: 'x"; drop table t; --', type: 'int', nullable: false, default: 'random()::int' }] };
    await apply(c, { url: db.url, ...fast });
    expect((await db.query(`SELECT count(*)::int AS n FROM "Order Items" WHERE "x""; drop table t; --" IS NULL`))[0].n).toBe(0);
  });
});
