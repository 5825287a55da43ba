/**
 * lockstep snapshot on PG 15 and 18: the table, index and database statistics a workload moved, stored
 * in the ledger and written to a file; apply takes one before and one after a change; without
 * pg_stat_statements the snapshot says how to enable it and carries on. (With pg_stat_statements:
 * test/integration/pg-stat-statements.test.ts, on embedded 15 and 18 that preload it.)
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testServers, freshDatabase } from '../helpers/db.js';
import { connect } from '../../src/apply/db.js';
import { apply } from '../../src/apply/apply.js';
import { storeSnapshot, takeSnapshot } from '../../src/verify/snapshot.js';
import type { Change } from '../../src/operations/types.js';

const servers = testServers([15, 18]);
const bin = fileURLToPath(new URL('../../bin/lockstep.js', import.meta.url));

describe.each(servers)('snapshot on $name', (server) => {
  test('tables, indexes and the database as a workload left them; stored in the ledger', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE "Order Items" (id bigint PRIMARY KEY, qty int NOT NULL); CREATE INDEX items_qty ON "Order Items" (qty);
                    INSERT INTO "Order Items" SELECT g, g % 10 FROM generate_series(1, 2000) g; DELETE FROM "Order Items" WHERE id <= 100;`);
    await db.query(`SELECT count(*) FROM "Order Items"`); // a sequential scan
    for (let i = 0; i < 5; i++) await db.query(`SELECT * FROM "Order Items" WHERE id = $1`, [500 + i]);
    await db.query(`SELECT pg_stat_force_next_flush()`).catch(() => {}); // PG 15+: make this session's counts visible
    const conn = await connect(db.url);
    try {
      // Statistics reach the views when the sessions that made them report (at the latest when they end).
      let s = await takeSnapshot(conn, { label: 'before' });
      for (let i = 0; i < 50 && !(s.tables[0]?.seqScan && s.tables[0]?.deadTuples); i++) {
        await new Promise((r) => setTimeout(r, 100));
        s = await takeSnapshot(conn, { label: 'before' });
      }
      expect(s).toMatchObject({ version: 1, kind: 'lockstep-snapshot', label: 'before', server: { major: server.major }, database: { name: db.name } });
      const t = s.tables.find((x) => x.table === 'public."Order Items"')!;
      expect(t.seqScan).toBeGreaterThanOrEqual(1);
      expect(t.idxScan).toBeGreaterThanOrEqual(5);
      expect(t.inserted).toBe(2000);
      expect(t.deleted).toBe(100);
      expect(t.deadTuples).toBe(100);
      expect(t.totalBytes).toBeGreaterThan(t.bytes);
      expect(s.indexes.map((i) => i.index).sort()).toEqual(['public."Order Items_pkey"', 'public.items_qty']);
      expect(s.indexes.find((i) => i.index === 'public."Order Items_pkey"')!.idxScan).toBeGreaterThanOrEqual(5);
      // last_idx_scan exists from PostgreSQL 16 on.
      const last = s.indexes.find((i) => i.index === 'public."Order Items_pkey"')!.lastIdxScan;
      if (server.major >= 16) expect(last).not.toBeNull();
      else expect(last).toBeNull();
      expect(s.databaseStats.commits).toBeGreaterThan(0);
      // No pg_stat_statements here: it says how to get it and carries on.
      expect(s.statements).toBeNull();
      expect(s.statementsNote).toMatch(/shared_preload_libraries/);
      const id = await storeSnapshot(conn, s);
      const [row] = await db.query(`SELECT label, data->>'kind' AS kind, (data->'tables'->0->>'inserted')::int AS ins FROM lockstep.snapshots WHERE id = $1`, [id]);
      expect(row).toEqual({ label: 'before', kind: 'lockstep-snapshot', ins: 2000 });
    } finally {
      await conn.close();
    }
  });

  test('apply takes a snapshot before the first step and after the last, linked to the change', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 100);`);
    const change: Change = { name: 'orders-note', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
    const r = await apply(change, { url: db.url, replicaWaitMs: 0 });
    expect(r.snapshots?.error).toBeUndefined();
    const rows = await db.query(`SELECT id::int, label, change, data->'tables' @> '[{"table": "public.orders"}]' AS has FROM lockstep.snapshots ORDER BY id`);
    expect(rows).toEqual([
      { id: r.snapshots!.before, label: 'before apply', change: 'orders-note', has: true },
      { id: r.snapshots!.after, label: 'after apply', change: 'orders-note', has: true },
    ]);
    // Switched off: none.
    const other: Change = { name: 'orders-flag', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'flag', type: 'boolean', nullable: true }] };
    const r2 = await apply(other, { url: db.url, replicaWaitMs: 0, snapshot: false });
    expect(r2.snapshots).toBeUndefined();
    expect((await db.query(`SELECT count(*)::int AS n FROM lockstep.snapshots`))[0].n).toBe(2);
  });

  test('a snapshot apply cannot store is a warning the CLI prints, and the change is still applied (exit 0)', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    // A lockstep.snapshots table that is not lockstep's: the INSERT of each snapshot fails.
    await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY); CREATE SCHEMA lockstep; CREATE TABLE lockstep.snapshots (id int);`);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-snap-'));
    writeFileSync(join(dir, 'orders-note.yaml'), 'name: orders-note\ntable: orders\naddColumn:\n  name: note\n  type: text\n');
    const r = spawnSync(process.execPath, [bin, 'apply', 'orders-note.yaml', '--db', db.url], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status, r.stderr).toBe(0);
    // Both snapshots failed; the warning gives both reasons, once.
    expect(r.stderr.split('\n').filter((l) => l.startsWith('lockstep: '))).toEqual([
      'lockstep: warning: no snapshot for verify (before apply: column "label" of relation "snapshots" does not exist; after apply: column "label" of relation "snapshots" does not exist)',
    ]);
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'note'`))[0].n).toBe(1);
  });

  test('the CLI: --out writes the file, --no-store leaves the database untouched, bad flags are one line', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE t (id int PRIMARY KEY)`);
    const out = join(mkdtempSync(join(tmpdir(), 'lockstep-snap-')), 's.json');
    const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const r = run(['snapshot', '--db', db.url, '--label', 'before deploy', '--out', out, '--no-store']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^snapshot of lockstep_t_\w+ \(PostgreSQL \d+\) at .*, "before deploy": 1 tables, 1 indexes, no query statistics; written to /);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ kind: 'lockstep-snapshot', label: 'before deploy' });
    expect((await db.query(`SELECT to_regnamespace('lockstep') IS NULL AS none`))[0].none).toBe(true);
    const stored = run(['snapshot', '--db', db.url]);
    expect(stored.status, stored.stderr).toBe(0);
    expect(stored.stdout).toMatch(/^snapshot 1 of /);
    const bad = run(['snapshot', '--no-store', '--format', 'yaml']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'lockstep: --db: is required',
      'lockstep: --format: must be text or json; got "yaml"',
      'lockstep: --no-store: needs --out (the snapshot has to go somewhere)',
    ]);
  });
});
