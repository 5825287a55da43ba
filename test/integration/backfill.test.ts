/**
 * The backfill on PG 15: the batch SQL the plan shows is the SQL apply runs, and a backfill whose
 * expression is NULL for some rows ends (the batches walk the key, they do not pick "rows still NULL"),
 * both as apply runs it and as the plan's PL/pgSQL block (`plan --format sql`) runs it.
 */
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import { testServers, freshDatabase } from '../helpers/db.js';
import { apply } from '../../src/apply/apply.js';
import { introspectUrl } from '../../src/dialects/postgres/introspect.js';
import { plan } from '../../src/plan/planner.js';
import { renderPlanSqlFiles } from '../../src/report/plan.js';
import { backfillBatchStatement } from '../../src/dialects/postgres/backfill.js';
import type { Change } from '../../src/operations/types.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockersOf } from '../../src/apply/guard.js';
import { connect } from '../../src/apply/db.js';

const bin = fileURLToPath(new URL('../../bin/lockstep.js', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exit, out: () => ({ stdout, stderr }) };
}

async function waitFor(fn: () => Promise<boolean>, what: string, ms = 60_000) {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const servers = testServers([15]);
const fast = { guard: { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 }, replicaWaitMs: 0, snapshot: false };

// Every third row has no value for the expression: NULL stays NULL there, and the backfill must end.
const nullForSome = `CASE WHEN n % 3 = 0 THEN NULL ELSE n * 2 END`;
const schema = `
CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL);
INSERT INTO items SELECT g, g FROM generate_series(1, 3000) g;
CREATE TABLE pairs (a int, b text, n int NOT NULL, PRIMARY KEY (a, b));
INSERT INTO pairs SELECT g % 7, 'k' || g, g FROM generate_series(1, 3000) g;
ANALYZE;`;

const change = (table: string): Change => ({
  name: `fill-${table}`,
  operations: [{ kind: 'addColumn', table: { name: table }, name: 'twice', type: 'int', nullable: true, backfill: nullForSome }],
});

const counts = (table: string) => `SELECT count(*) FILTER (WHERE twice IS NULL)::int AS nulls, count(*) FILTER (WHERE twice = n * 2)::int AS filled FROM ${table}`;

describe.each(servers)('backfill on $name', (server) => {
  test.for(['items', 'pairs'])('apply: an expression NULL for some rows of %s ends, in many batches, and fills the rest', async (table, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const r = await apply(change(table), { url: db.url, ...fast, backfill: { initialBatch: 100, minBatch: 100, maxBatch: 100 } });
    const [c] = await db.query(counts(table));
    expect(c).toEqual({ nulls: 1000, filled: 2000 });
    expect(r.backfills).toHaveLength(1);
    expect(r.backfills[0]).toMatchObject({ step: '1.backfill', rows: 3000 });
    expect(r.backfills[0]!.batches).toBeGreaterThanOrEqual(30);
    expect(r.backfills[0]!.rowsPerSecond).toBeGreaterThan(0);
    // The step's SQL, as the plan shows it, is the statement the backfill ran.
    const step = r.plan.phases.flatMap((p) => p.steps).find((s) => s.backfill)!;
    expect(step.up).toBe(backfillBatchStatement(step.backfill!));
    const [{ n }] = await db.query(`SELECT batches AS n FROM lockstep.backfills`);
    expect(n).toBe(r.backfills[0]!.batches);
  });

  test.for(['items', 'pairs'])('apply sends each batch of %s as the plan\'s UPDATE with its checkpoint, in one statement, and leaves the session\'s settings as they were', async (table, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const conn = await connect(db.url);
    const sent: string[] = [];
    const recording = { pid: conn.pid, close: () => conn.close(), query: (sql: string, params?: unknown[]) => (sent.push(sql), conn.query(sql, params)) };
    try {
      const before = (await conn.query(`SELECT current_setting('lock_timeout') AS l, current_setting('synchronous_commit') AS s`)).rows[0];
      const r = await apply(change(table), { db: recording, ...fast, backfill: { initialBatch: 500, minBatch: 500, maxBatch: 500 } });
      const step = r.plan.phases.flatMap((p) => p.steps).find((s) => s.backfill)!;
      const batches = sent.filter((q) => q.includes(step.up));
      // Every batch (3000 rows, 500 a batch) is the plan's statement, verbatim, with the checkpoint.
      expect(batches.length).toBe(6);
      for (const q of batches) expect(q.startsWith(`WITH batch AS (${step.up} RETURNING 1)`)).toBe(true);
      expect(r.backfills[0]).toMatchObject({ rows: 3000, batches: 6 });
      expect((await conn.query(`SELECT rows_done::int AS n, batches FROM lockstep.backfills`)).rows[0]).toEqual({ n: 3000, batches: 6 });
      // The backfill's session settings (lock_timeout, synchronous_commit off) are gone afterwards.
      expect((await conn.query(`SELECT current_setting('lock_timeout') AS l, current_setting('synchronous_commit') AS s`)).rows[0]).toEqual(before);
    } finally {
      await conn.close();
    }
  });

  test.for(['items', 'pairs'])('workers: 2 connections fill %s on two ranges of the key, each with its own checkpoint', async (table, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const o = { url: db.url, ...fast, backfill: { initialBatch: 100, minBatch: 100, maxBatch: 100, workers: 2 } };
    const r = await apply(change(table), o);
    const [c] = await db.query(counts(table));
    expect(c).toEqual({ nulls: 1000, filled: 2000 });
    expect(r.backfills[0]).toMatchObject({ step: '1.backfill', rows: 3000 });
    const parts = await db.query(`SELECT part, after_key, stop_key, rows_done::int AS rows, batches FROM lockstep.backfill_parts ORDER BY part`);
    expect(parts).toHaveLength(2);
    // Two ranges that meet: the second begins after the key the first stops at, and ends at the highest key.
    expect(parts[0]).toMatchObject({ part: 0, after_key: null });
    expect(parts[1]!.after_key).toEqual(parts[0]!.stop_key);
    const [max] = await db.query(`SELECT ${table === 'items' ? `ARRAY[max(id)::text]` : `(SELECT ARRAY[a::text, b] FROM pairs ORDER BY a DESC, b DESC LIMIT 1)`} AS k FROM ${table}`);
    expect(parts[1]!.stop_key).toEqual(max.k);
    for (const p of parts) expect(p.rows).toBeGreaterThan(1000);
    expect(parts[0]!.rows + parts[1]!.rows).toBe(3000);
    expect(r.backfills[0]!.batches).toBe(parts[0]!.batches + parts[1]!.batches);
    // No connection of the backfill is left behind.
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'lockstep apply'`))[0].n).toBe(0);
  });

  test('workers: a failure on one connection fails the step; what is filled is what the checkpoints say, and the rerun goes on from them', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    // The expression fails on one row of the second half of the key.
    await db.query(`CREATE TABLE boom (id bigint PRIMARY KEY); INSERT INTO boom VALUES (2500)`);
    const failing: Change = { name: 'fill-items', operations: [{ kind: 'addColumn', table: { name: 'items' }, name: 'twice', type: 'int', nullable: true, backfill: `CASE WHEN id IN (SELECT id FROM boom) THEN 1 / (n - n) ELSE n * 2 END` }] };
    const o = { url: db.url, ...fast, backfill: { initialBatch: 100, minBatch: 100, maxBatch: 100, workers: 2 } };
    await expect(apply(failing, o)).rejects.toThrow(/division by zero/);
    const parts = await db.query(`SELECT rows_done::int AS rows FROM lockstep.backfill_parts ORDER BY part`);
    expect(parts).toHaveLength(2);
    const [mid] = await db.query(`SELECT count(*) FILTER (WHERE twice IS NOT NULL)::int AS filled FROM items`);
    // What is filled is exactly what the checkpoints say: nothing half done, nothing after a failure.
    expect(mid.filled).toBe(parts[0]!.rows + parts[1]!.rows);
    expect(parts[1]!.rows).toBeLessThan(1500);
    await db.query(`DELETE FROM boom`);
    const r = await apply(failing, o);
    expect(r.backfills[0]).toMatchObject({ rows: 3000 });
    const [end] = await db.query(`SELECT count(*) FILTER (WHERE twice = n * 2)::int AS filled FROM items`);
    expect(end.filled).toBe(3000);
  });

  test.for(['items', 'pairs'])("the plan's SQL block for %s, run as is, ends with the same result", async (table, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const facts = await introspectUrl(db.url);
    const p = await plan(change(table), { version: facts.major, catalog: facts.catalog });
    const files = renderPlanSqlFiles(p);
    const step = p.phases.flatMap((x) => x.steps).find((s) => s.backfill)!;
    const up = files.find((f) => f.name.includes('backfill') && f.name.endsWith('.up.sql'))!;
    // The block holds the same batch UPDATE, with its variables for the bounds.
    expect(up.text).toMatch(/UPDATE (items|pairs) SET twice = CASE WHEN n % 3 = 0 THEN NULL ELSE n \* 2 END WHERE .* >= .*lockstep_lo_1.* AND .* <= .*lockstep_hi_1.* AND twice IS NULL;/);
    expect(step.up).toMatch(/>= \(?\$1/);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (const f of files.filter((x) => x.name.endsWith('.up.sql'))) await c.query(f.text);
    } finally {
      await c.end();
    }
    const [r] = await db.query(counts(table));
    expect(r).toEqual({ nulls: 1000, filled: 2000 });
  });

  test('Ctrl-C mid-backfill: the CLI stops between batches, exits 130, and a rerun completes from the checkpoint', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY, total int NOT NULL); INSERT INTO orders SELECT g, 1 FROM generate_series(1, 60000) g; ANALYZE orders;`);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-sigint-'));
    const spec = join(dir, 'orders-created-at.yaml');
    writeFileSync(spec, 'table: orders\naddColumn:\n  name: created_at\n  type: timestamptz\n  nullable: false\n  default: clock_timestamp()\n');
    const first = run(['apply', spec, '--db', db.url, '--batch-ms', '5', '--pause', '20', '--no-snapshot']);
    await waitFor(async () => ((await db.query(`SELECT coalesce(max(rows_done), 0)::int AS n FROM lockstep.backfills`).catch(() => [{ n: 0 }]))[0]?.n ?? 0) > 2000, 'the backfill to get going');
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(130);
    expect(first.out().stderr).toMatch(/SIGINT: stopping after the current batch/);
    expect(first.out().stderr).toMatch(/interrupted; the ledger keeps where it stopped: run apply again to continue/);
    expect(first.out().stderr).not.toMatch(/internal error/);
    const [mid] = await db.query(`SELECT b.rows_done::int AS done, s.state, s.last_error FROM lockstep.backfills b JOIN lockstep.steps s ON s.change = b.change AND s.id = b.step`);
    expect(mid.done).toBeGreaterThan(0);
    expect(mid.done).toBeLessThan(60000);
    expect(mid).toMatchObject({ state: 'failed', last_error: expect.stringMatching(/interrupted/) });
    // Nothing was left half done: every row up to the checkpoint is filled, none after it.
    const [split] = await db.query(`SELECT count(*) FILTER (WHERE created_at IS NOT NULL)::int AS filled FROM orders`);
    expect(split.filled).toBe(mid.done);

    const second = run(['apply', spec, '--db', db.url, '--no-snapshot']);
    expect(await second.exit).toBe(0);
    expect(second.out().stderr).toMatch(/resuming/);
    expect(second.out().stdout).toMatch(/backfill 1\.backfill: 60,000 rows in [\d.]+ s, [\d,]+ rows\/s \(\d+ batches\)/);
    const [end] = await db.query(`SELECT count(*) FILTER (WHERE created_at IS NULL)::int AS nulls, (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'created_at') AS notnull FROM orders`);
    expect(end).toEqual({ nulls: 0, notnull: true });
  });

  test('blockers: their query text comes without secrets or control characters', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT count(*), 'password=hunter2' AS "\x1b[2Jx" FROM items /* ALTER ROLE app PASSWORD 'hunter2' */`);
    const me = await connect(db.url);
    try {
      const [b] = await blockersOf(me, 'items');
      expect(b!.pid).toBeGreaterThan(0);
      expect(b!.query).toMatch(/^SELECT count\(\*\), 'password=\*\*\*' AS "\[2Jx" FROM items/);
      expect(b!.query).not.toMatch(/hunter2|\x1b/);
    } finally {
      await me.close();
      await holder.query('ROLLBACK');
    }
  });
});
