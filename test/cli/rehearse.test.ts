/**
 * `lockstep rehearse` as users run it: the README's main job (the bundled shop example on PGlite, with
 * the HTML report), exit 1 when a check fails, and one clear line per bad input with exit 2.
 */
import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, expectCleanError, runCli } from '../helpers/cli.js';

const run = (args: string[], cwd?: string) => runCli(args, cwd);

describe('lockstep rehearse', () => {
  test("the README's main job: the shop example on PGlite, verdict and HTML report", { timeout: 120_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-cli-'));
    const html = join(out, 'rehearsal.html');
    const r = run(['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--schema', 'examples/shop/schema.sql', '--report', html]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}orders-created-at: every check passed \(7\)/m);
    expect(r.stdout).toMatch(/orders 100,000 rows \(fixture\)/);
    expect(r.stdout).toMatch(/index orders_created_at_idx is used by/);
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain('orders-created-at');
  });

  test('--format json is the versioned report; a failing check exits 1', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-cli-'));
    writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;');
    writeFileSync(join(dir, '001_w.sql'), '-- migrate:up\nALTER TABLE t ADD COLUMN w int;\n-- migrate:down\nALTER TABLE t ALTER COLUMN v SET DEFAULT 1;\n');
    const r = run(['rehearse', '001_w.sql', '--schema', 'schema.sql', '--format', 'json'], dir);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ version: 1, ok: false, sandbox: { kind: 'pglite' } });
    const failed = report.checks.find((c: any) => !c.ok);
    expect(failed.name).toBe('down-restores-schema: 001_w');
    expect(failed.diff).toEqual(expect.arrayContaining([expect.stringMatching(/^\+ .*column public\.t\.w/)]));
  });

  test('--latency-budget and config rehearse.latencyBudget: the budget check, each query with its interval', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-cli-'));
    writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 2000) g;');
    writeFileSync(join(dir, '001_w.sql'), '-- migrate:up\nALTER TABLE t ADD COLUMN w int;\n-- migrate:down\nALTER TABLE t DROP COLUMN w;\n');
    writeFileSync(join(dir, 'lockstep.config.json'), JSON.stringify({ rehearse: { latencyBudget: '15%' } }));
    for (const [args, budget] of [[[], 15], [['--latency-budget', '25%'], 25]] as const) {
      const r = run(['rehearse', '001_w.sql', '--schema', 'schema.sql', '--format', 'json', ...args], dir);
      const report = JSON.parse(r.stdout);
      expect(report.latencyBudgetPct).toBe(budget);
      const c = report.checks.find((x: any) => x.name === 'latency-budget');
      expect(c, r.stdout).toBeDefined();
      expect(report.queries.length).toBeGreaterThan(0);
      for (const q of report.queries) {
        expect(q.change.low).toBeLessThanOrEqual(q.change.ratio);
        expect(q.change.high).toBeGreaterThanOrEqual(q.change.ratio);
        expect(q.change.pValue).toBeGreaterThanOrEqual(0);
      }
      // The check fails exactly when a query's whole interval is above the budget (timing itself is not asserted).
      const over = report.queries.filter((q: any) => q.change.significant && q.change.low > 1 + budget / 100);
      expect(c.ok).toBe(over.length === 0);
      expect(r.code).toBe(report.ok ? 0 : 1);
    }
    const text = run(['rehearse', '001_w.sql', '--schema', 'schema.sql'], dir);
    expect(text.stdout).toMatch(/query +before +after +change +95 % interval +beyond noise/);
    expect(text.stdout).toMatch(/budget: \+15 %/);
  });

  test.each([
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--latency-budget', 'lots'], /--latency-budget: must be a percentage like 20%; got "lots"/],
    [['rehearse'], /rehearse: needs a change spec, a migration or a migration directory/],
    [['rehearse', 'nope.yaml'], /nope\.yaml: no such file or directory/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--rows', 'lots'], /--rows: must be a whole number/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--sample', '5'], /--sample: needs --db/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--db', 'postgres://x@127.0.0.1/x', '--sample', '5', '--rows', '10'], /--rows: goes without --sample/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--sandbox', 'docker'], /--sandbox: must be pglite, embedded or a postgres:\/\/ URL/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml'], /orders-created-at: nothing to rehearse on: pass --db .* or --schema/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--schema', 'missing.sql'], /--schema: missing\.sql: no such file/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--schema', 'test/fixtures/rehearse/broken-schema.sql'], /--schema:2:\d+: the schema file failed in the sandbox: syntax error at or near "TABLEX"/],
  ])('bad input %j: one line, exit 2', (args, pattern) => {
    const r = run(args);
    expectCleanError(r, pattern);
    expect(r.stderr).not.toContain('secret');
  });

  test.each([
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--db', 'postgres://u:secret@127.0.0.1:1/x'], /--db: cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/],
    [['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--schema', 'examples/shop/schema.sql', '--sandbox', 'postgres://u:secret@127.0.0.1:1/x'], /--sandbox: cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/],
  ])('unreachable database %j: one line, exit 4', (args, pattern) => {
    const r = run(args);
    expectCleanError(r, pattern, 4);
    expect(r.stderr).not.toContain('secret');
  });
});

describe('lockstep rehearse on real servers', () => {
  // Only databases this test's rehearsal made: other tests make and drop theirs in parallel.
  const query = async (url: string, sql: string, params: unknown[] = []) => {
    const { default: pg } = await import('pg');
    const c = new pg.Client(url);
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as any[];
    } finally {
      await c.end();
    }
  };

  test('Ctrl-C during a rehearsal on a scratch server: the temporary database is dropped, one line, non-zero exit', { timeout: 120_000 }, async () => {
    const { pg15Server, serverUrl } = await import('../helpers/db.js');
    const pg15 = pg15Server();
    const url = serverUrl(pg15, 'postgres');
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-cli-'));
    // Enough rows that the load takes a few seconds; a marker in the schema's text finds this rehearsal's
    // database by the query its session runs.
    const marker = `lockstep_cli_${Math.random().toString(36).slice(2)}`;
    writeFileSync(join(dir, 'schema.sql'), `-- ${marker}\nCREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 3000000) g;`);
    writeFileSync(join(dir, 'c.yaml'), 'name: c\ntable: t\naddColumn:\n  name: w\n  type: int\n');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'rehearse', 'c.yaml', '--schema', 'schema.sql', '--sandbox', url], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait for the sandbox database to be loading the schema, then interrupt.
    const t0 = Date.now();
    let mine: string | undefined;
    while (!mine) {
      if (Date.now() - t0 > 30_000) throw new Error(`no sandbox database appeared; stderr: ${stderr}`);
      mine = (await query(url, `SELECT datname FROM pg_stat_activity WHERE datname LIKE 'lockstep_rehearse_%' AND query LIKE $1`, [`%${marker}%`]))[0]?.datname;
      if (!mine) await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).not.toBe(0);
    expect(stderr.trim()).toBe('lockstep: rehearse: interrupted; the sandbox was removed');
    expect(await query(url, `SELECT datname FROM pg_database WHERE datname = $1`, [mine])).toEqual([]);
  });

  test('a sandbox server where the user may not create a database: one line, exit 4, nothing left', { timeout: 60_000 }, async () => {
    const { pg15Server, serverUrl } = await import('../helpers/db.js');
    const pg15 = pg15Server();
    const { default: pg } = await import('pg');
    const c = new pg.Client(pg15.url);
    await c.connect();
    await c.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lockstep_nocreatedb') THEN CREATE ROLE lockstep_nocreatedb LOGIN NOCREATEDB; END IF; END $$`);
    await c.end();
    const u = new URL(serverUrl(pg15, 'postgres'));
    u.username = 'lockstep_nocreatedb';
    const r = run(['rehearse', 'examples/shop/changes/orders-created-at.yaml', '--schema', 'examples/shop/schema.sql', '--sandbox', u.toString()]);
    expectCleanError(r, /--sandbox: cannot create a temporary database on postgres:\/\/lockstep_nocreatedb@.*permission denied to create database/, 4);
    // Nothing this role owns (scoped to it: other tests' scratch databases come and go meanwhile).
    expect(await query(pg15.url, `SELECT datname FROM pg_database WHERE datdba = 'lockstep_nocreatedb'::regrole`)).toEqual([]);
  });

  test('--sandbox embedded starts a real PostgreSQL of the target major, and removes it', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-cli-'));
    // Enough rows that the CONCURRENTLY build lasts many of the watcher's samples even on a busy machine
    // (with 20,000 it once ended between two samples: observed 'none').
    writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 300000) g;');
    writeFileSync(join(dir, 'c.yaml'), 'name: c\ntable: t\naddColumn:\n  name: w\n  type: int\n  index: true\n');
    const r = run(['rehearse', 'c.yaml', '--schema', 'schema.sql', '--sandbox', 'embedded', '--pg-version', '16', '--format', 'json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/done is not a function/);
    const report = JSON.parse(r.stdout);
    expect(report.sandbox).toMatchObject({ kind: 'embedded', major: 16, targetMajor: 16 });
    expect(report.versionNotes).toEqual([]);
    // Real server: the CONCURRENTLY build was watched from a second session, stalls were measured.
    const idx = report.steps.find((s: any) => s.pass === 'up' && s.id.endsWith('create-index'));
    expect(idx.observed).toBe('watcher');
    expect(report.steps.every((s: any) => s.stallMs !== null)).toBe(true);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('lockstep-sandbox-'))).toEqual([]);
  });
});
