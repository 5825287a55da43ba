/**
 * `lockstep verify` and `lockstep snapshot` write nothing before their checks pass: a bad `--out` is
 * refused before anything connects, two snapshots of different databases add no row, the "now"
 * snapshot is stored only after the comparison (and not at all with `--no-store`), and a store that
 * the server refuses (read-only, or a role without CREATE) is one line — a warning for verify, which
 * still prints its result, an error for snapshot. Also `--change` on a table named "user": the tables
 * of the change are spelt as the snapshot spells them (format('%I.%I')). Real PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, freshDatabase, serverUrl, pg15Server, type TestDatabase } from '../helpers/db.js';
import { expectCleanError, runCli } from '../helpers/cli.js';
import { connect } from '../../src/apply/db.js';
import { takeSnapshot } from '../../src/verify/snapshot.js';

const server = pg15Server();
/** A URL nothing answers at: the bad-input cases must fail before they connect. */
const NOWHERE = 'postgres://nobody@127.0.0.1:1/none';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-verify-store-'));
  mkdirSync(join(dir, 'adir'));
});

const run = (args: string[]) => runCli(args, dir, 60_000);

function oneLine(r: { code: number | null; stdout: string; stderr: string }, line: string | RegExp, code: 2 | 4 = 2) {
  expectCleanError(r, line instanceof RegExp ? line : new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n$`), code);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
}

/** SQL on the server's maintenance database (ALTER DATABASE, roles). */
async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function hasLedger(db: TestDatabase): Promise<boolean> {
  return (await db.query(`SELECT to_regclass('lockstep.snapshots') IS NOT NULL OR to_regnamespace('lockstep') IS NOT NULL AS x`))[0].x;
}

/** A snapshot of `db` written to a file, the way `lockstep snapshot --no-store --out` writes one. */
async function snapshotFile(db: TestDatabase, name: string, label = 'before'): Promise<string> {
  const c = await connect(db.url);
  try {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(await takeSnapshot(c, { label })));
    return file;
  } finally {
    await c.close();
  }
}

describe('--out is checked before anything connects', () => {
  test('verify: a directory, a missing directory, a trailing slash', () => {
    oneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--out', 'adir']), 'lockstep: --out: adir: is a directory; give a file name');
    oneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--out', 'new/']), 'lockstep: --out: new/: needs a file name, not a directory');
    oneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--out', '/nonexistent/dir/v.txt']), 'lockstep: --out: /nonexistent/dir/v.txt: its directory /nonexistent/dir does not exist');
    writeFileSync(join(dir, 'plain'), '');
    oneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--out', 'plain/v.txt']), `lockstep: --out: plain/v.txt: ${join(dir, 'plain')} is not a directory`);
  });

  test('snapshot: the same checks', () => {
    oneLine(run(['snapshot', '--db', NOWHERE, '--out', 'adir']), 'lockstep: --out: adir: is a directory; give a file name');
    oneLine(run(['snapshot', '--db', NOWHERE, '--out', '/nonexistent/dir/s.json']), 'lockstep: --out: /nonexistent/dir/s.json: its directory /nonexistent/dir does not exist');
    oneLine(run(['snapshot', '--db', NOWHERE, '--no-store', '--out', 'adir']), 'lockstep: --out: adir: is a directory; give a file name');
  });

  test('snapshot --out to a missing directory stores nothing in a database that answers', async () => {
    const db = await freshDatabase(server);
    oneLine(run(['snapshot', '--db', db.url, '--out', '/nonexistent/dir/s.json']), 'lockstep: --out: /nonexistent/dir/s.json: its directory /nonexistent/dir does not exist');
    expect(await hasLedger(db)).toBe(false);
  });

  test('--no-store goes with --after now only', () => {
    oneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--after', '2', '--no-store']), 'lockstep: --no-store: only goes with --after now (the default); --after 2 stores nothing');
  });
});

describe(`verify writes nothing before its checks pass (${server.name})`, () => {
  test('a snapshot of another database is refused, and no row is added', async () => {
    const a = await freshDatabase(server);
    const b = await freshDatabase(server);
    const file = await snapshotFile(b, 'of-b.json');
    const r = run(['verify', '--db', a.url, '--before', file]);
    oneLine(r, /^lockstep: verify: the snapshots are of different databases \(lockstep_t_\w+, oid \d+ and lockstep_t_\w+, oid \d+\)\n$/);
    expect(await hasLedger(a)).toBe(false);
  });

  test('the "now" snapshot is stored after the comparison; --no-store leaves the database untouched', async () => {
    const db = await freshDatabase(server);
    const file = await snapshotFile(db, 'own.json');
    await new Promise((r) => setTimeout(r, 20));
    const noStore = run(['verify', '--db', db.url, '--before', file, '--no-store']);
    expect(noStore.code, noStore.stderr).toBe(0);
    expect(noStore.stderr).toBe('');
    expect(noStore.stdout).toMatch(/^verify: file "before" at \S+ → snapshot \(not stored\) "verify" at \S+ \((\d+(\.\d)? s|\d+ ms)\)\n/);
    expect(await hasLedger(db)).toBe(false);

    const stored = run(['verify', '--db', db.url, '--before', file, '--format', 'json']);
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stderr).toBe('');
    const rows = await db.query(`SELECT id::int AS id, label FROM lockstep.snapshots`);
    expect(rows).toEqual([{ id: 1, label: 'verify' }]);
    expect(JSON.parse(stored.stdout).after).toMatchObject({ id: 1, label: 'verify' });
  });
});

describe(`a store the server refuses (${server.name})`, () => {
  let db: TestDatabase;
  let file = '';
  const role = `lockstep_t_ro_${randomBytes(4).toString('hex')}`;
  let roleUrl = '';

  beforeAll(async () => {
    db = await freshDatabase(server, { keep: true });
    await db.query(`CREATE TABLE items (id bigint PRIMARY KEY, v int NOT NULL) WITH (autovacuum_enabled = false);
                    INSERT INTO items SELECT g, g FROM generate_series(1, 5000) g`);
    await db.query(`VACUUM ANALYZE items`);
    file = await snapshotFile(db, 'ro-before.json');
    // Every row rewritten: 5,000 dead tuples, a regression.
    await db.query(`UPDATE items SET v = v + 1`);
    const c = await connect(db.url);
    try {
      for (let i = 0; i < 60 && !((await takeSnapshot(c)).tables.find((t) => t.table === 'public.items')?.deadTuples ?? 0); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await c.close();
    }
    // A role that may connect and read the statistics, but not create a schema.
    // (pg_monitor: what a monitoring role is given; the snapshot reads settings such as shared_preload_libraries.)
    await db.query(`CREATE ROLE ${role} LOGIN IN ROLE pg_monitor`);
    const u = new URL(serverUrl(server, db.name));
    u.username = role;
    u.password = '';
    roleUrl = u.toString();
  }, 60_000);

  afterAll(async () => {
    if (db) await dropDatabase(server, db.name);
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  const warning = /^lockstep: --db: warning: the "now" snapshot was not stored in lockstep\.snapshots: .+ \(the comparison is complete; --no-store skips storing\)\n$/;

  test('a role without CREATE: verify prints its result, warns in one line, exits per its findings', async () => {
    const r = run(['verify', '--db', roleUrl, '--before', file, '--fail-on', 'regression', '--threshold', 'cacheHitDropPoints=100']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(warning);
    expect(r.stderr).toContain('permission denied for database');
    expect(r.stdout).toContain('dead-tuples: ');
    expect(r.stdout).toContain('snapshot (not stored) "verify"');
    const json = run(['verify', '--db', roleUrl, '--before', file, '--format', 'json', '--out', 'ro.json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toMatch(warning);
    expect(JSON.parse(readFileSync(join(dir, 'ro.json'), 'utf8')).after.id).toBeUndefined();
    expect(await hasLedger(db)).toBe(false);
    // --no-store: nothing to warn about.
    const quiet = run(['verify', '--db', roleUrl, '--before', file, '--no-store']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  test('a role without CREATE: snapshot is one line under --db, exit 4 (the database refused); --no-store --out works', () => {
    oneLine(
      run(['snapshot', '--db', roleUrl]),
      /^lockstep: --db: storing the snapshot in lockstep\.snapshots failed: permission denied for database \w+ \(--no-store --out <file> keeps it in a file only\)\n$/,
      4,
    );
    const r = run(['snapshot', '--db', roleUrl, '--no-store', '--out', 'ro-snap.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'ro-snap.json'), 'utf8')).kind).toBe('lockstep-snapshot');
  });

  test('default_transaction_read_only = on: the same warning, and nothing half-created', async () => {
    await admin(`ALTER DATABASE ${db.name} SET default_transaction_read_only = on`);
    try {
      const r = run(['verify', '--db', db.url, '--before', file, '--threshold', 'cacheHitDropPoints=100']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(warning);
      expect(r.stderr).toContain('read-only transaction');
      expect(r.stdout).toMatch(/^verify: file "before" at /);
      oneLine(run(['snapshot', '--db', db.url]), /^lockstep: --db: storing the snapshot in lockstep\.snapshots failed: cannot execute CREATE SCHEMA in a read-only transaction /, 4);
    } finally {
      await admin(`ALTER DATABASE ${db.name} RESET default_transaction_read_only`);
    }
    expect(await hasLedger(db)).toBe(false);
  });
});

describe(`--change on tables named "user" and "a$b" (${server.name})`, () => {
  test('the change\'s tables are spelt as the snapshot spells them, so new-seq-scans sees them', async () => {
    const db = await freshDatabase(server);
    await db.query(`CREATE TABLE "user" (id bigint PRIMARY KEY, email text);
                    INSERT INTO "user" SELECT g, g::text FROM generate_series(1, 3000) g;
                    CREATE TABLE "a$b" (id bigint PRIMARY KEY, email text);
                    INSERT INTO "a$b" SELECT g, g::text FROM generate_series(1, 3000) g`);
    await db.query(`ANALYZE "user"; ANALYZE "a$b"`);
    const spec = join(dir, 'user-email.yaml');
    writeFileSync(spec, `name: user-email\nchanges:\n  - table: '"user"'\n    addIndex: { columns: [email] }\n  - table: '"a$b"'\n    addIndex: { columns: [email] }\n`);
    const applied = run(['apply', spec, '--db', db.url]);
    expect(applied.code, applied.stderr).toBe(0);
    // Sequential scans of both tables after the change (the new indexes cannot serve id::text = email).
    for (let i = 0; i < 20; i++) await db.query(`SELECT count(*) FROM "user" WHERE id::text = email; SELECT count(*) FROM "a$b" WHERE id::text = email`);
    await new Promise((r) => setTimeout(r, 1200)); // the statistics of the backends above are flushed
    const r = run(['verify', '--db', db.url, '--change', 'user-email', '--format', 'json', '--no-store']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.changedTables).toEqual(['public."a$b"', 'public."user"']);
    const tables: string[] = result.rates.tables.map((t: any) => t.table);
    for (const t of result.changedTables) expect(tables).toContain(t);
    expect(result.findings.filter((f: any) => f.kind === 'new-seq-scans').map((f: any) => f.subject).sort()).toEqual(['public."a$b"', 'public."user"']);
  });
});
