/**
 * Faults, on PG 15, 16, 17 and 18: kill -9 of the lockstep process mid-backfill and pg_terminate_backend of its
 * connection, under concurrent writes — the next run finishes with no row updated twice and no write
 * lost; a failed CONCURRENTLY build's INVALID index is dropped before the retry; a long reader in
 * front of an ACCESS EXCLUSIVE step makes apply wait and retry while traffic goes on.
 */
import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { testServers, freshDatabase } from '../helpers/db.js';
import { apply } from '../../src/apply/apply.js';
import type { ApplyEvent } from '../../src/apply/events.js';
import type { Change } from '../../src/operations/types.js';

// Every server of the matrix: PG 15, 16, 17 and 18.
const servers = testServers();
const bin = fileURLToPath(new URL('../../bin/lockstep.js', import.meta.url));
const fast = { guard: { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 60_000 }, replicaWaitMs: 0 };
const ROWS = 60_000;

/** orders with rows, and an audit of every backfill write (transactional: a rolled-back batch leaves none). */
const schema = `
CREATE TABLE orders (id bigint PRIMARY KEY, total bigint NOT NULL);
INSERT INTO orders SELECT g, 1 FROM generate_series(1, ${ROWS}) g;
CREATE TABLE backfill_audit (id bigint NOT NULL);
CREATE FUNCTION audit_created_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.created_at IS NULL AND NEW.created_at IS NOT NULL THEN INSERT INTO backfill_audit VALUES (NEW.id); END IF;
  RETURN NEW;
END $$;
ANALYZE orders;`;
const addTrigger = `CREATE TRIGGER orders_audit BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_created_at()`;

const specYaml = `name: orders-created-at
table: orders
addColumn:
  name: created_at
  type: timestamptz
  nullable: false
  default: clock_timestamp()
`;

/** Inserts and updates from another session until stopped; knows what the table must add up to. */
function writer(url: string) {
  let stop = false;
  let inserted = 0;
  let increments = 0;
  const incrementsOf = new Map<number, number>();
  const insertedIds: number[] = [];
  let id = 10_000_000;
  const c = new pg.Client(url);
  c.on('error', () => {});
  const done = (async () => {
    await c.connect();
    while (!stop) {
      try {
        await c.query('BEGIN');
        await c.query(`INSERT INTO orders (id, total) VALUES ($1, 1)`, [id]);
        await c.query(`UPDATE orders SET total = total + 1 WHERE id = $1`, [1 + (id % ROWS)]);
        await c.query('COMMIT');
        insertedIds.push(id);
        incrementsOf.set(1 + (id % ROWS), (incrementsOf.get(1 + (id % ROWS)) ?? 0) + 1);
        id++;
        inserted++;
        increments++;
      } catch {
        await c.query('ROLLBACK').catch(() => {});
      }
    }
    await c.end();
  })();
  /** What (id, total) must be, row by row, as the md5 the database computes below. */
  const expectedChecksum = () => {
    const rows: string[] = [];
    for (let i = 1; i <= ROWS; i++) rows.push(`${i}:${1 + (incrementsOf.get(i) ?? 0)}`);
    for (const i of insertedIds) rows.push(`${i}:1`);
    return createHash('md5').update(rows.join(',')).digest('hex');
  };
  return { stop: async () => ((stop = true), await done), expectedTotal: () => ROWS + inserted + increments, inserted: () => inserted, expectedChecksum };
}

async function waitFor(fn: () => Promise<boolean>, what: string, ms = 60_000) {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function checkNoneTwiceNoneLost(db: { query: (s: string) => Promise<any[]> }, w: ReturnType<typeof writer>) {
  const [r] = await db.query(`SELECT
    (SELECT count(*) FROM orders WHERE created_at IS NULL)::int AS nulls,
    (SELECT count(*) FROM (SELECT id FROM backfill_audit GROUP BY id HAVING count(*) > 1) x)::int AS twice,
    (SELECT sum(total) FROM orders)::bigint AS total,
    (SELECT count(*) FROM orders)::int AS n,
    (SELECT md5(string_agg(id || ':' || total, ',' ORDER BY id)) FROM orders) AS checksum`);
  expect(r.nulls).toBe(0);
  expect(r.twice).toBe(0); // no row was filled twice
  expect(Number(r.total)).toBe(w.expectedTotal()); // no concurrent write was lost
  expect(r.n).toBe(ROWS + w.inserted());
  expect(r.checksum).toBe(w.expectedChecksum()); // every row's total exactly as the writer left it
}

describe.each(servers)('faults on $name', (server) => {
  test('kill -9 during the backfill, under writes: the next run resumes from the checkpoint', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-kill-'));
    writeFileSync(join(dir, 'orders-created-at.yaml'), specYaml);
    // expand first, then the trigger (it needs the column), then the backfill in a process we kill
    await apply({ name: 'orders-created-at', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()' }] }, { url: db.url, until: 'expand', ...fast });
    await db.query(addTrigger);
    const w = writer(db.url);
    try {
      const child = spawn(process.execPath, [bin, 'apply', join(dir, 'orders-created-at.yaml'), '--db', db.url, '--batch-ms', '5', '--pause', '20'], { stdio: 'ignore' });
      await waitFor(async () => ((await db.query(`SELECT coalesce(max(rows_done), 0)::int AS n FROM lockstep.backfills`))[0]?.n ?? 0) > 2000, 'the backfill to get going');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const [mid] = await db.query(`SELECT rows_done::int AS n FROM lockstep.backfills`);
      expect(mid.n).toBeGreaterThan(0);
      expect(mid.n).toBeLessThan(ROWS);
      const resumed: ApplyEvent[] = [];
      await apply({ name: 'orders-created-at', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()' }] }, { url: db.url, onProgress: (e) => resumed.push(e), ...fast });
      expect(resumed.find((e) => e.type === 'change')).toMatchObject({ resumed: true });
    } finally {
      await w.stop();
    }
    await checkNoneTwiceNoneLost(db, w);
  });

  test('kill -9 during a backfill on 2 connections, under writes: the next run resumes both ranges from their checkpoints', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-kill-'));
    writeFileSync(join(dir, 'orders-created-at.yaml'), specYaml);
    const change: Change = { name: 'orders-created-at', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()' }] };
    await apply(change, { url: db.url, until: 'expand', ...fast });
    await db.query(addTrigger);
    const w = writer(db.url);
    try {
      const child = spawn(process.execPath, [bin, 'apply', join(dir, 'orders-created-at.yaml'), '--db', db.url, '--batch-ms', '5', '--pause', '20', '--workers', '2'], { stdio: 'ignore' });
      const partRows = async () => (await db.query(`SELECT coalesce(min(rows_done), 0)::int AS n, count(*)::int AS parts FROM lockstep.backfill_parts`).catch(() => [{ n: 0, parts: 0 }]))[0];
      await waitFor(async () => (await partRows()).n > 1000, 'both ranges to get going');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const mid = await db.query(`SELECT rows_done::int AS n FROM lockstep.backfill_parts ORDER BY part`);
      expect(mid).toHaveLength(2);
      expect(mid[0]!.n + mid[1]!.n).toBeLessThan(ROWS);
      await apply(change, { url: db.url, ...fast, backfill: { workers: 2 } });
      const [end] = await db.query(`SELECT sum(rows_done)::int AS n FROM lockstep.backfill_parts`);
      expect(end.n).toBe(ROWS);
    } finally {
      await w.stop();
    }
    await checkNoneTwiceNoneLost(db, w);
  });

  test('the connection killed mid-backfill: a clear error, the ledger says where, the next run recovers', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const change: Change = { name: 'orders-created-at', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()' }] };
    await apply(change, { url: db.url, until: 'expand', ...fast });
    await db.query(addTrigger);
    const w = writer(db.url);
    try {
      const running = apply(change, { url: db.url, ...fast, backfill: { targetBatchMs: 5, pauseMs: 20 } });
      running.catch(() => {}); // it may fail before the expectation below is attached
      await waitFor(async () => ((await db.query(`SELECT coalesce(max(rows_done), 0)::int AS n FROM lockstep.backfills`))[0]?.n ?? 0) > 2000, 'the backfill to get going');
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lockstep apply' AND datname = current_database()`);
      await expect(running).rejects.toThrow(/step 1\.backfill/);
      const [st] = await db.query(`SELECT state FROM lockstep.steps WHERE id = '1.backfill'`);
      expect(st.state).toMatch(/running|failed/);
      await apply(change, { url: db.url, ...fast });
    } finally {
      await w.stop();
    }
    await checkNoneTwiceNoneLost(db, w);
  });

  test('a failed CREATE UNIQUE INDEX CONCURRENTLY leaves an INVALID index, dropped before the retry', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY, ref text); INSERT INTO orders SELECT g, 'r' || g FROM generate_series(1, 1000) g; UPDATE orders SET ref = 'dup' WHERE id IN (1, 2);`);
    const change: Change = { name: 'orders-ref-unique', operations: [{ kind: 'addUnique', table: { name: 'orders' }, columns: ['ref'] }] };
    await expect(apply(change, { url: db.url, ...fast })).rejects.toThrow(/could not create unique index|duplicate key/);
    expect((await db.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_ref_key'::regclass`))[0].indisvalid).toBe(false);
    await db.query(`UPDATE orders SET ref = 'r2' WHERE id = 2`);
    const events: ApplyEvent[] = [];
    await apply(change, { url: db.url, onProgress: (e) => events.push(e), ...fast });
    expect(events).toContainEqual({ type: 'invalid-index-dropped', step: '1.create-unique-index', index: 'orders_ref_key' });
    expect((await db.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'orders_ref_key'`))[0].convalidated).toBe(true);
  });

  test('a long reader in front of ACCESS EXCLUSIVE: apply times out, waits outside the lock queue until the reader is gone, then takes the lock; traffic goes on', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const reader = await db.connect();
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM orders');
    const readerPid = (await reader.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    // apply reports transactions open for a second or more before a step; let this one be one of them
    await waitFor(async () => (await db.query(`SELECT now() - xact_start >= interval '1 second' AS old FROM pg_stat_activity WHERE pid = ${readerPid}`))[0].old, 'the reader to be a long one', 5000);
    const w = writer(db.url);
    onTestFinished(() => w.stop());
    const events: { e: ApplyEvent; at: number }[] = [];
    const change: Change = { name: 'orders-note', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
    const running = apply(change, { url: db.url, onProgress: (e) => events.push({ e, at: Date.now() }), ...fast });
    running.catch(() => {});
    await waitFor(async () => events.some((x) => x.e.type === 'lock-wait'), 'apply to time out on its lock');
    // While the reader stays, apply is not in the lock queue: the application's writes go on, and apply
    // does not rejoin the queue every backoff (each time would stall them for another lock_timeout).
    const before = w.inserted();
    await new Promise((r) => setTimeout(r, 1500));
    const commitsWhileWaiting = w.inserted() - before;
    const waitsWhileReaderHeld = events.filter((x) => x.e.type === 'lock-wait').length;
    const queued = await db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'orders'::regclass`);
    await reader.query('COMMIT');
    await running;
    await w.stop();
    expect(commitsWhileWaiting).toBeGreaterThan(5);
    expect(waitsWhileReaderHeld).toBe(1);
    expect(queued[0].n).toBe(0);
    const waits = events.map((x) => x.e).filter((e): e is Extract<ApplyEvent, { type: 'lock-wait' }> => e.type === 'lock-wait');
    expect(waits[0]!.blockers.some((b) => b.pid === readerPid)).toBe(true);
    expect(events.some((x) => x.e.type === 'blockers')).toBe(true);
    expect(events.some((x) => x.e.type === 'step-done')).toBe(true);
    expect((await db.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'`))[0].n).toBe(1);
  });
});
