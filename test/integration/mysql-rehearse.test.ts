/**
 * `lockstep rehearse --sandbox mysql://…` on the MariaDB service: migration histories (golang-migrate
 * layout, test/fixtures/mysql/rehearse/) run up, down and up again in a temporary database, which is
 * dropped afterwards (also after a failing migration); a down that does not restore the schema is named
 * with the diff; a --db source gives the schema and the statistics the rows are synthesized from, and a
 * one-to-one foreign key to a one-row table is a shortfall in the report, not an abort.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bin, expectCleanError, root, runCli } from '../helpers/cli.js';
import { describeMariadb, freshMysqlDatabase, itMariadb, MYSQL_TEST_URL, type MysqlTestDatabase } from '../helpers/mariadb.js';
import mysql from 'mysql2/promise';
import { connectMysql } from '../../src/dialects/mysql/driver.js';
import { fillMy, readStatsMy } from '../../src/dialects/mysql/rehearse/synthesize.js';
import { copySchemaMy, fingerprintMy } from '../../src/dialects/mysql/rehearse/schema.js';
import { checkBounds } from '../../src/dialects/mysql/rehearse/synthesize.js';

const FIX = 'test/fixtures/mysql/rehearse';
const server = new URL(MYSQL_TEST_URL);
server.pathname = '/';
const SANDBOX = server.toString();

async function databaseExists(name: string): Promise<boolean> {
  const c = await mysql.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) });
  try {
    const [rows] = await c.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    return (rows as unknown[]).length > 0;
  } finally {
    await c.end();
  }
}

const sandboxName = (report: { sandbox: { description: string } }) => /temporary database (lockstep_rehearse_[0-9a-f]+)/.exec(report.sandbox.description)?.[1] ?? '';

/** The source of the --db tests: source-schema.sql with rows, its statistics collected (ANALYZE … PERSISTENT FOR ALL). */
async function sourceDatabase(): Promise<MysqlTestDatabase> {
  const db = await freshMysqlDatabase({ keep: true, prefix: 'lockstep_t_rsrc' });
  const c = await db.connect();
  await c.query(readFileSync(`${root}/${FIX}/source-schema.sql`, 'utf8'));
  await c.query(`INSERT INTO user_ (name) VALUES ('admin'); INSERT INTO user_ban (user_id, reason) VALUES (1, 'spam')`);
  const customers = Array.from({ length: 300 }, (_, i) => [`c${i + 1}@example.com`, i % 10 > 8 ? 'enterprise' : i % 10 > 6 ? 'pro' : 'free']);
  await c.query('INSERT INTO customers (email, tier) VALUES ?', [customers]);
  const orders = Array.from({ length: 3000 }, (_, k) => {
    const i = k + 1;
    const d = new Date(Date.UTC(2026, 5, 1) - (i % 400) * 86_400_000).toISOString().slice(0, 10);
    return [1 + (i % 300), (5 + (i % 97) * 1.5).toFixed(2), 1 + (i % 5), ['new', 'paid', 'shipped'][i % 3], i % 4 === 0 ? null : `n${i % 13}`, `${d} 00:00:00`];
  });
  await c.query('INSERT INTO orders (customer_id, amount, quantity, status, note, created_at) VALUES ?', [orders]);
  await c.query('ANALYZE TABLE user_, user_ban, customers, orders PERSISTENT FOR ALL');
  return db;
}

describeMariadb('lockstep rehearse on MySQL/MariaDB', () => {
  itMariadb('a history whose downs restore the schema passes; the temporary database is dropped afterwards', async () => {
    const r = runCli(['rehearse', `${FIX}/pass`, '--sandbox', SANDBOX, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ version: 1, ok: true, sandbox: { kind: 'server', product: expect.stringMatching(/^MariaDB 10\./) } });
    expect(report.checks.map((c: any) => c.name)).toEqual(['up-runs', 'down-restores-schema', 'down-keeps-data', 'up-again', 'claims-hold']);
    // The effects table's rebuild claims held: ADD COLUMN … INSTANT, DROP COLUMN (instant on MariaDB 10.4+), CREATE/DROP INDEX in place.
    expect(report.checks.at(-1).detail).toMatch(/as the effects table claimed for 6 step\(s\), is what the server did/);
    expect(report.steps.filter((s: any) => s.claim).every((s: any) => s.claim.agrees && !s.claim.rewrite && !s.rewrites.length)).toBe(true);
    // Every migration ran up, down and up again, one statement each.
    expect(report.steps.map((s: any) => `${s.pass} ${s.id}`)).toContain('up-again 004_index_created_at#1');
    expect(report.steps).toHaveLength(12);
    // The tables migrations created got rows: 1,000 users (CHECK age BETWEEN 13 AND 120 honoured), one profile per user.
    expect(report.data).toEqual([
      expect.objectContaining({ table: '`users`', rows: 1000, requested: 1000, how: 'synthetic-types', after: '001_create_users' }),
      expect.objectContaining({ table: '`profiles`', rows: 1000, requested: 1000, after: '002_create_profiles' }),
    ]);
    // The steps on a table with rows were probed by a writer.
    expect(report.steps.find((s: any) => s.id === '003_add_nickname#1').stallMs).toEqual(expect.any(Number));
    const name = sandboxName(report);
    expect(name).not.toBe('');
    expect(await databaseExists(name)).toBe(false);
  }, 60_000);

  itMariadb('the text report: the sandbox, the checks, the steps and the verdict', () => {
    const r = runCli(['rehearse', `${FIX}/pass`, '--sandbox', SANDBOX]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rehearsal of test\/fixtures\/mysql\/rehearse\/pass on MariaDB 10\.\d+.* \(temporary database lockstep_rehearse_[0-9a-f]+\)/);
    expect(r.stdout).toMatch(/pass {2}down-restores-schema: the down of each of the 4 migration\(s\) restored the schema exactly/);
    expect(r.stdout).toMatch(/up-again +004_index_created_at#1/);
    expect(r.stdout).toMatch(/PASS {2}test\/fixtures\/mysql\/rehearse\/pass: every check passed \(5\)/);
  }, 60_000);

  itMariadb('dbmate layout, a trigger body without DELIMITER, and MariaDB JSON (a json_valid CHECK) filled', async () => {
    const r = runCli(['rehearse', `${FIX}/dbmate`, '--sandbox', SANDBOX, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    // The trigger is one statement (its BEGIN … END body is not split at the inner `;`).
    expect(report.steps.filter((s: any) => s.pass === 'up').map((s: any) => s.id)).toEqual(['20260101000000_create_events#1', '20260102000000_events_trigger#1', '20260102000000_events_trigger#2']);
    expect(report.data).toEqual([expect.objectContaining({ table: '`events`', rows: 1000, requested: 1000 })]);
    expect(await databaseExists(sandboxName(report))).toBe(false);
  }, 60_000);

  itMariadb('a down that does not restore the schema: the migration is named, with the diff, and the ones after it are not rehearsed', async () => {
    const r = runCli(['rehearse', `${FIX}/bad-down`, '--sandbox', SANDBOX, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c: any) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0].name).toBe('down-restores-schema: 002_widen_email');
    expect(failed[0].detail).toMatch(/the down of 002_widen_email does not restore the schema \(2 line\(s\) differ\); the 1 migration\(s\) after it were not rehearsed/);
    expect(failed[0].diff).toEqual(['- column `users`.`email` varchar(255) NOT NULL', '+ column `users`.`email` varchar(255) DEFAULT NULL']);
    expect(report.checks[0]).toMatchObject({ name: 'migrations-before', ok: true });
    expect(report.steps.some((s: any) => s.id.startsWith('003_'))).toBe(false);
    // MODIFY … NULL rebuilt the table (its InnoDB table id changed), as the effects table claims.
    const down = report.steps.find((s: any) => s.pass === 'down' && s.id === '002_widen_email#1');
    expect(down).toMatchObject({ rewrites: ['`users`'], claim: { rewrite: true, agrees: true } });
    expect(await databaseExists(sandboxName(report))).toBe(false);
    const t = runCli(['rehearse', `${FIX}/bad-down`, '--sandbox', SANDBOX]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('- column `users`.`email` varchar(255) NOT NULL');
    expect(t.stdout).toMatch(/FAIL {2}test\/fixtures\/mysql\/rehearse\/bad-down: 1 of 3 checks failed \(down-restores-schema: 002_widen_email\)/);
  }, 60_000);

  itMariadb('a migration that fails: the failing statement with the server error and a code frame; the sandbox is dropped too', async () => {
    const r = runCli(['rehearse', `${FIX}/failing`, '--sandbox', SANDBOX, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    const failed = report.checks.find((c: any) => !c.ok);
    expect(failed.name).toBe('up-runs: 002_broken');
    const step = report.steps.find((s: any) => s.id === '002_broken#1');
    expect(step.error.message).toMatch(/oops/);
    expect(step.error.codeFrame).toMatch(/002_broken\.up\.sql:\d+:\d+/);
    expect(await databaseExists(sandboxName(report))).toBe(false);
  }, 60_000);

  describe('with a --db source', () => {
    itMariadb('schema copied, rows synthesized from its statistics; a one-to-one foreign key to a one-row table is a shortfall, and the rehearsal goes on', async () => {
      const src = await sourceDatabase();
      try {
        const r = runCli(['rehearse', `${FIX}/source-migrations`, '--sandbox', SANDBOX, '--db', src.url, '--allow-same-server', '--format', 'json']);
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout);
        expect(report.ok).toBe(true);
        expect(report.source).toMatchObject({ url: src.url, product: expect.stringMatching(/^MariaDB/) });
        const data = Object.fromEntries(report.data.map((d: any) => [d.table, d]));
        expect(data['`orders`']).toMatchObject({ rows: 3000, requested: 3000, how: 'synthetic-stats' });
        expect(data['`customers`']).toMatchObject({ rows: 300, how: 'synthetic-stats' });
        expect(data['`user_`']).toMatchObject({ rows: 1 });
        expect(data['`user_settings`']).toMatchObject({ rows: 1, requested: 1000, after: '20260102_user_settings', shortfall: 'foreign key `user_settings_user_fk` is one-to-one and `user_` has only 1 rows' });
        // The workload: derived from the tables the migrations change, timed before and after.
        expect(report.workload).toMatch(/derived from the schema: a primary-key lookup and a count of `orders`, `user_ban`; performance_schema is off on the source/);
        expect(report.queries.map((q: any) => q.name)).toEqual(['primary-key lookup on `orders`', 'count of `orders`', 'primary-key lookup on `user_ban`', 'count of `user_ban`']);
        for (const q of report.queries) expect(q.change).toMatchObject({ method: 'bootstrap-95-ratio-of-medians+mann-whitney' });
        expect(await databaseExists(sandboxName(report))).toBe(false);
        // The text report says it in its data section.
        const t = runCli(['rehearse', `${FIX}/source-migrations`, '--sandbox', SANDBOX, '--db', src.url, '--allow-same-server']);
        expect(t.stdout).toContain('`user_settings`: 1 of 1,000 rows (after 20260102_user_settings): foreign key `user_settings_user_fk` is one-to-one and `user_` has only 1 rows');
        // Without --allow-same-server: refused, one line.
        expectCleanError(runCli(['rehearse', `${FIX}/source-migrations`, '--sandbox', SANDBOX, '--db', src.url]), /--sandbox: mysql:\/\/.* is the same server as the source \(--db\): a rehearsal would load it; use a scratch server, or pass --allow-same-server/);
      } finally {
        await src.drop();
      }
    }, 90_000);

    itMariadb('synthetic rows follow the statistics and honour NOT NULL, ENUM, CHECK, unique and foreign keys', async () => {
      const src = await sourceDatabase();
      const dst = await freshMysqlDatabase();
      const s = await connectMysql(src.url, { readOnly: true });
      const d = await connectMysql(dst.url);
      try {
        const tables = await copySchemaMy(s, d, ['orders']);
        expect(tables).toEqual(['customers', 'orders']);
        const stats = new Map([
          ['customers', await readStatsMy(s, 'customers')],
          ['orders', await readStatsMy(s, 'orders')],
        ]);
        expect(stats.get('orders')!.columns.get('note')).toMatchObject({ from: 'mysql.column_stats', nullFrac: expect.closeTo(0.25, 2) });
        const res = await fillMy(d, tables, { rows: { customers: 300, orders: 3000 }, defaultRows: 0, stats, seed: 1 });
        expect(res.map((x) => [x.table, x.rows, x.shortfall])).toEqual([
          ['customers', 300, undefined],
          ['orders', 3000, undefined],
        ]);
        const [o] = await d.query<any>(
          `SELECT COUNT(*) AS n, AVG(note IS NULL) AS nulls, MIN(quantity) AS qmin, MAX(quantity) AS qmax, COUNT(DISTINCT status) AS statuses,
                  SUM(customer_id NOT IN (SELECT id FROM customers)) AS orphans, MIN(created_at) AS dmin, MAX(created_at) AS dmax, AVG(amount) AS amount
           FROM orders`,
        );
        expect(Number(o.nulls)).toBeGreaterThan(0.15);
        expect(Number(o.nulls)).toBeLessThan(0.35);
        expect([Number(o.qmin), Number(o.qmax)]).toEqual([expect.any(Number), expect.any(Number)]);
        expect(Number(o.qmin)).toBeGreaterThanOrEqual(1);
        expect(Number(o.qmax)).toBeLessThanOrEqual(10);
        expect(Number(o.statuses)).toBe(3);
        expect(Number(o.orphans)).toBe(0);
        // The source's dates run from 2025-04-28 to 2026-06-01 (its min and max in mysql.column_stats).
        expect(o.dmin >= '2025-04-28').toBe(true);
        expect(o.dmax <= '2026-06-01 00:00:00').toBe(true);
        // Amounts from the source's histogram: 5.00 … 149.00, mean 77.
        expect(Number(o.amount)).toBeGreaterThan(50);
        expect(Number(o.amount)).toBeLessThan(105);
        const [c] = await d.query<any>('SELECT COUNT(DISTINCT email) AS e, COUNT(*) AS n FROM customers');
        expect(Number(c.e)).toBe(Number(c.n));
        // The copy is the source's schema (fingerprints of the copied tables agree).
        const fs = await fingerprintMy(s);
        const fd = await fingerprintMy(d);
        expect(fd.lines.filter((l) => /`(orders|customers)`/.test(l))).toEqual(fs.lines.filter((l) => /`(orders|customers)`/.test(l) && !/^(key|column|table) `(user_|user_ban)`/.test(l)));
      } finally {
        await s.close();
        await d.close();
        await src.drop();
      }
    }, 60_000);
  });

  itMariadb('--schema, a --workload file with ? placeholders, --latency-budget and the HTML report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-myrehearse-'));
    const html = join(dir, 'r.html');
    const r = runCli(['rehearse', `${FIX}/source-migrations`, '--sandbox', SANDBOX, '--schema', `${FIX}/source-schema.sql`, '--workload', `${FIX}/workload.sql`, '--latency-budget', '500%', '--rows', '500', '--format', 'json', '--report', html]);
    expect([0, 1]).toContain(r.code);
    const report = JSON.parse(r.stdout);
    // The schema file's tables got synthetic rows from their types; the table a migration creates too.
    expect(report.data.map((d: any) => [d.table, d.rows, d.how])).toEqual([
      ['`customers`', 500, 'synthetic-types'],
      ['`orders`', 500, 'synthetic-types'],
      ['`user_`', 500, 'synthetic-types'],
      ['`user_ban`', 500, 'synthetic-types'],
      ['`user_settings`', 500, 'synthetic-types'],
    ]);
    expect(report.workload).toBe(`${FIX}/workload.sql`);
    expect(report.queries.map((q: any) => [q.name, q.origin])).toEqual([
      ['workload #1', 'workload-file'],
      ['workload #2', 'workload-file'],
    ]);
    for (const q of report.queries) expect(q.runs).toBeGreaterThanOrEqual(30);
    expect(report.latencyBudgetPct).toBe(500);
    expect(report.checks.map((c: any) => c.name)).toEqual(['up-runs', 'down-restores-schema', 'down-keeps-data', 'up-again', 'queries-run', 'claims-hold', 'latency-budget']);
    expect(report.checks.filter((c: any) => c.name !== 'latency-budget').every((c: any) => c.ok)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(report.sandbox.product);
    expect(page).not.toContain('PostgreSQL');
    expect(await databaseExists(sandboxName(report))).toBe(false);
  }, 90_000);

  itMariadb("a change spec: the MySQL planner's plan applied, rolled back and applied again, step by step", async () => {
    const r = runCli(['rehearse', `${FIX}/orders-created-at.yaml`, '--sandbox', SANDBOX, '--schema', `${FIX}/source-schema.sql`, '--rows', '500', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, subject: 'orders-created-at' });
    expect(report.checks.map((c: any) => c.name)).toEqual(['up-runs', 'queries-run', 'down-restores-schema', 'down-keeps-data', 'up-again']);
    const ids = (p: string) => report.steps.filter((s: any) => s.pass === p).map((s: any) => s.id);
    expect(ids('up')).toEqual(['1.add-column', '1.set-default', '1.backfill', '1.set-not-null', '1.add-index']);
    expect(ids('down')).toEqual(['1.add-index', '1.set-not-null', '1.set-default', '1.add-column']);
    expect(ids('up-again')).toEqual(ids('up'));
    expect(report.steps.find((s: any) => s.id === '1.add-column').sql).toMatch(/ALTER TABLE `orders` ADD COLUMN `created_on`/);
    // The writer probed `orders` during each step.
    expect(report.steps.every((s: any) => typeof s.stallMs === 'number')).toBe(true);
    expect(await databaseExists(sandboxName(report))).toBe(false);
  }, 90_000);

  itMariadb('bad input: one line each, exit 2 (4 for a sandbox that cannot be reached, its password hidden)', () => {
    expectCleanError(runCli(['rehearse', `${FIX}/pass`, '--dialect', 'mariadb']), /--sandbox: no embedded MySQL\/MariaDB exists that works offline: MySQL\/MariaDB rehearsals need a scratch server \(--sandbox mysql:\/\/user@host\/\)/);
    expectCleanError(runCli(['rehearse', `${FIX}/pass`, '--dialect', 'mysql', '--sandbox', 'pglite']), /--sandbox: no embedded MySQL\/MariaDB exists/);
    expectCleanError(runCli(['rehearse', `${FIX}/pass`, '--dialect', 'mysql', '--sandbox', 'scratch-server']), /--sandbox: must be a mysql:\/\/ or mariadb:\/\/ URL of a scratch server/);
    expectCleanError(runCli(['rehearse', `${FIX}/pass`, '--sandbox', SANDBOX, '--db', 'postgres://x@127.0.0.1/y']), /--db: says PostgreSQL, but --sandbox says MySQL/);
    expectCleanError(runCli(['rehearse', `${FIX}/orders-created-at.yaml`, '--sandbox', SANDBOX]), /orders-created-at: nothing to rehearse on: pass --db .* or --schema schema\.sql/);
    const r = runCli(['rehearse', `${FIX}/pass`, '--sandbox', 'mysql://u:s3cret@127.0.0.1:1/']);
    expectCleanError(r, /--sandbox: cannot connect to mysql:\/\/u:\*\*\*@127\.0\.0\.1:1\//, 4);
    expect(r.stderr).not.toContain('s3cret');
  }, 60_000);

  itMariadb('Ctrl-C drops the temporary database before lockstep exits', async () => {
    const child = spawn(process.execPath, [bin, 'rehearse', `${FIX}/pass`, '--sandbox', SANDBOX, '--rows', '200000'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    const c = await mysql.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username || 'root'), password: decodeURIComponent(server.password) });
    let name = '';
    try {
      // Wait until its temporary database has the first migration's table being filled, then interrupt.
      const t0 = Date.now();
      while (!name) {
        if (Date.now() - t0 > 30_000) throw new Error(`no sandbox database appeared; stderr: ${stderr}`);
        const [rows] = await c.query(`SELECT TABLE_SCHEMA AS s FROM information_schema.TABLES WHERE TABLE_SCHEMA LIKE 'lockstep\\_rehearse\\_%' AND TABLE_NAME = 'users'`);
        name = (rows as any[])[0]?.s ?? '';
        if (!name) await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(2);
      expect(stderr.trim()).toBe('lockstep: rehearse: interrupted; the sandbox was removed');
      expect(await databaseExists(name)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await c.end();
    }
  }, 60_000);
});

describe('checkBounds (simple CHECK conditions)', () => {
  it('reads BETWEEN, comparisons and IN lists, and leaves NOT alone', () => {
  const b = (clause: string, col = 'age') => checkBounds([clause], col);
  expect(b('`age` is null or `age` between 13 and 120')).toEqual({ lo: 13, hi: 120 });
  expect(b('`age` > 0 and `age` <= 99')).toEqual({ lo: 1, hi: 99 });
  expect(b("`kind` in ('a','b''c')", 'kind')).toEqual({ values: ['a', "b'c"] });
  expect(b('not (`age` between 1 and 5)')).toEqual({});
  expect(b('`age` is not null and `age` >= 18')).toEqual({ lo: 18 });
  });
});
