/**
 * `--engine pt-osc` (src/dialects/mysql/pt-osc.ts) on the MariaDB service with the real
 * pt-online-schema-change (Debian's percona-toolkit): a type change under writers (end state and
 * checksum against a control table written in the same transactions), a bad ALTER reported with
 * pt-osc's own error in one line, the password never in pt-osc's argv or environment, a second run of the
 * same table refused, and what a killed pt-osc or a killed lockstep leaves behind removed.
 *
 * Without pt-online-schema-change on PATH the tests are skipped with a loud notice outside CI and fail in
 * CI (like the MariaDB service itself, test/helpers/mariadb.ts). The killed-lockstep test runs the built
 * engine (dist/, which `npm test` builds first) in a child process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeMariadb, freshMysqlDatabase, itMariadb, MYSQL_TEST_URL, type MysqlTestDatabase } from '../helpers/mariadb.js';
import { PT_OSC, PT_OSC_LEDGER, parsePtOscLine, ptOsc, ptOscCommand, ptOscError } from '../../src/dialects/mysql/pt-osc.js';
import { copyEngine } from '../../src/dialects/mysql/engines.js';
import type { CopyJob, CopyProgress } from '../../src/dialects/mysql/copy-engine.js';
import { LockstepError } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';

const installed = spawnSync(PT_OSC, ['--version'], { encoding: 'utf8' });
const ptOk = installed.status === 0;
const ptMissing = `${PT_OSC} is not installed (${installed.error?.message ?? installed.stderr?.trim() ?? 'exit ' + installed.status}); apt-get install percona-toolkit`;

/** describeMariadb that also needs pt-online-schema-change: fails in CI when it is missing, skips loudly outside. */
function describePtOsc(name: string, fn: () => void): void {
  if (ptOk) return describeMariadb(name, fn);
  if (process.env.CI) {
    describe(name, () => it(`${PT_OSC} installed`, () => { throw new Error(ptMissing); }));
    return;
  }
  console.warn(`\n!!! SKIPPING ${name}: ${ptMissing}. In CI this fails the run.\n`);
  describe.skip(name, fn);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `t` (the table pt-osc changes) and `ctl` (the same rows, never copied), `n` rows each. */
async function fixture(db: MysqlTestDatabase, n: number): Promise<void> {
  await db.query('CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, amount DECIMAL(10,2) NOT NULL, note VARCHAR(40) NOT NULL) ENGINE=InnoDB');
  await db.query('CREATE TABLE ctl (id INT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, note VARCHAR(40) NOT NULL) ENGINE=InnoDB');
  await db.query(`INSERT INTO t (id, amount, note) SELECT seq, seq % 100000 / 100, CONCAT('row ', seq) FROM seq_1_to_${n}`);
  await db.query('INSERT INTO ctl SELECT * FROM t');
}

const checksum = async (db: MysqlTestDatabase, table: string) =>
  (await db.query<{ n: string; x: string }>(`SELECT COUNT(*) AS n, BIT_XOR(CRC32(CONCAT_WS('#', id, amount, note))) AS x FROM ${table}`))[0];

/** Writers: each transaction changes `t` and `ctl` alike (UPDATE by id, every 4th an INSERT), so a rolled-back one changes neither. */
function writers(db: MysqlTestDatabase, count: number, maxId: number) {
  let stop = false;
  const stats = { commits: 0, failures: 0 };
  const loops = Array.from({ length: count }, async (_, w) => {
    const c = await db.connect();
    for (let i = 0; !stop; i++) {
      try {
        await c.query('BEGIN');
        if (i % 4 === 3) {
          const [r] = (await c.query('INSERT INTO t (amount, note) VALUES (?, ?)', [w + i / 100, `w${w} i${i}`])) as any;
          await c.query('INSERT INTO ctl (id, amount, note) VALUES (?, ?, ?)', [r.insertId, w + i / 100, `w${w} i${i}`]);
        } else {
          const id = 1 + Math.floor(Math.random() * maxId);
          await c.query('UPDATE t SET amount = amount + 1, note = ? WHERE id = ?', [`w${w} i${i}`, id]);
          await c.query('UPDATE ctl SET amount = amount + 1, note = ? WHERE id = ?', [`w${w} i${i}`, id]);
        }
        await c.query('COMMIT');
        stats.commits++;
      } catch {
        stats.failures++;
        await c.query('ROLLBACK').catch(() => {});
        await sleep(5);
      }
    }
  });
  return {
    stats,
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}

/** Tables and triggers pt-osc may leave: `_t_new`, `_t_old`, `pt_osc_*`. */
async function leftovers(db: MysqlTestDatabase): Promise<string[]> {
  const tables = await db.query<{ n: string }>("SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND (TABLE_NAME LIKE '%\\_new' OR TABLE_NAME LIKE '%\\_old')", [db.name]);
  const triggers = await db.query<{ n: string }>('SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db.name]);
  return [...tables.map((r) => `table ${r.n}`), ...triggers.map((r) => `trigger ${r.n}`)];
}

const columnType = async (db: MysqlTestDatabase, col: string) =>
  (await db.query<{ t: string }>('SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?', [db.name, 't', col]))[0]?.t;

/** The running pt-online-schema-change processes working on `dbName`, with their argv and environment. */
function ptProcesses(dbName: string): { pid: number; argv: string[]; env: string }[] {
  const out: { pid: number; argv: string[]; env: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!argv.some((a) => a.includes(PT_OSC)) || !argv.some((a) => a.includes(`D=${dbName},`))) continue;
      out.push({ pid: Number(d), argv, env: readFileSync(`/proc/${d}/environ`, 'utf8') });
    } catch {
      /* gone */
    }
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const job = (over: Partial<CopyJob> = {}): CopyJob => ({ table: 't', alter: 'MODIFY amount DECIMAL(14,2) NOT NULL', change: `c_${randomBytes(3).toString('hex')}`, step: 'copy', ...over });

describe('pt-osc: command and output parsing (no server)', () => {
  it('builds an argument array with lockstep throttle settings and no password', () => {
    const url = 'mysql://app:Very%2Csecret%22pw@db.example:3307/shop';
    const cmd = ptOscCommand(url, job({ change: 'c', step: 's' }), { maxThreadsRunning: 12, chunkTargetMs: 250, lockWaitTimeoutSeconds: 3, attempts: 7, optionFilePath: '/tmp/x/client.cnf' });
    expect(cmd.args).toContain('--max-load=Threads_running=12');
    expect(cmd.args).toContain('--critical-load=Threads_running=50');
    expect(cmd.args).toContain('--chunk-time=0.25');
    expect(cmd.args).toContain('--set-vars=lock_wait_timeout=3');
    expect(cmd.args).toContain('--recursion-method=none');
    expect(cmd.args.find((a) => a.startsWith('--tries='))).toMatch(/swap_tables:7:0\.5.*copy_rows:7:0\.25/);
    expect(cmd.args).not.toContain('--no-drop-old-table');
    expect(cmd.args.at(-1)).toBe('F=/tmp/x/client.cnf,D=shop,t=t');
    expect(cmd.args.join(' ')).not.toMatch(/secret|Very/);
    expect(cmd.optionFile).toContain('password="Very,secret\\"pw"');
    expect(cmd.optionFile).toContain('port=3307');
    const withReplicas = ptOscCommand(url, job(), { serverHasReplicas: true, maxReplicaLagMs: 1500, optionFilePath: '/f' });
    expect(withReplicas.args).toContain('--max-lag=2');
    expect(withReplicas.args).toContain('--recursion-method=processlist');
    const named = ptOscCommand(url, job(), { replicas: ['mysql://app:Very%2Csecret%22pw@replica1:3308'], lockWaitMs: 300, keepOld: true, optionFilePath: '/f' });
    expect(named.args).toEqual(expect.arrayContaining(['--check-slave-lag=F=/f,h=replica1,P=3308', '--recursion-method=none', '--set-vars=lock_wait_timeout=1', '--no-drop-old-table']));
    expect(named.args.join(' ')).not.toMatch(/secret/);
    expect(() => ptOscCommand(url, job(), { replicas: ['mysql://other:pw@r:3306'], optionFilePath: '/f' })).toThrow(/other credentials/);
    expect(() => ptOscCommand(url, job(), { replicas: ['mysql://r1', 'mysql://r2'], optionFilePath: '/f' })).toThrow(/one named replica/);
    expect(() => ptOscCommand(url, job(), { postponeCutOver: true, optionFilePath: '/f' })).toThrow(/cannot postpone the cut-over/);
    expect(() => ptOscCommand(url, job({ table: 'a,b' }), { optionFilePath: '/f' })).toThrow(/comma/);
  });

  it('reads pt-osc progress, phases and pauses', () => {
    expect(parsePtOscLine('Copying `db`.`t`:  45% 00:10 remain')).toEqual({ kind: 'progress', fraction: 0.45, remainSeconds: 10 });
    expect(parsePtOscLine('Copying `db`.`t`:  99% 01:02:03 remain')).toEqual({ kind: 'progress', fraction: 0.99, remainSeconds: 3723 });
    expect(parsePtOscLine('2026-12-07T16:35:11 Copying approximately 200001 rows...')).toEqual({ kind: 'estimate', rows: 200001 });
    expect(parsePtOscLine('Created new table mypt_try._t_new OK.')).toEqual({ kind: 'new-table', name: 'mypt_try._t_new' });
    expect(parsePtOscLine('2026-12-07T16:35:12 Swapping tables...')).toEqual({ kind: 'phase', phase: 'cut-over' });
    expect(parsePtOscLine('Pausing because Threads_running=31.')).toEqual({ kind: 'paused', reason: 'Pausing because Threads_running=31.' });
    expect(parsePtOscLine('Operation, tries, wait:')).toBeUndefined();
  });

  it("keeps pt-osc's error to one redacted line", () => {
    const url = 'mysql://app:hunter22@h/db';
    const err = [
      "\t(in cleanup) Error altering new table `db`.`_t_new`: DBD::mysql::db do failed: Unknown column 'nosuch' in '_t_new' [for Statement \"ALTER TABLE `db`.`_t_new` MODIFY nosuch INT\"] at /usr/bin/pt-online-schema-change line 9490.",
      '',
      "Error altering new table `db`.`_t_new`: DBD::mysql::db do failed: Unknown column 'nosuch' in '_t_new' hunter22 [for Statement \"ALTER TABLE `db`.`_t_new` MODIFY nosuch INT\"] at /usr/bin/pt-online-schema-change line 9490.",
      '',
    ].join('\n');
    expect(ptOscError('', err, url)).toBe("Error altering new table `db`.`_t_new`: Unknown column 'nosuch' in '_t_new' ***");
    expect(ptOscError('No slaves found.\nThe original table `db`.`nosuch` does not exist.\n', '', url)).toBe('The original table `db`.`nosuch` does not exist.');
  });
});

describePtOsc('pt-osc engine on MariaDB', () => {
  itMariadb('is registered and available here', async () => {
    expect((await copyEngine('pt-osc')).id).toBe('pt-osc');
    expect(await ptOsc.unavailable(MYSQL_TEST_URL)).toBeUndefined();
  });

  itMariadb('changes a column type under writers: end state, checksum, no trigger or shadow left, ledger row', async () => {
    const db = await freshMysqlDatabase();
    const rows = 60_000;
    await fixture(db, rows);
    const w = writers(db, 4, rows);
    await sleep(200);
    const events: CopyProgress[] = [];
    const j = job();
    const result = await ptOsc.run(db.url, j, { chunkTargetMs: 100, onProgress: (e) => events.push(e) }).finally(() => w.stop());
    expect(w.stats.commits).toBeGreaterThan(0);
    expect(result).toMatchObject({ engine: 'pt-osc', resumed: false });
    expect(result.rows).toBeGreaterThan(rows / 2);
    expect(await columnType(db, 'amount')).toBe('decimal(14,2)');
    expect(await leftovers(db)).toEqual([]);
    expect(await checksum(db, 't')).toEqual(await checksum(db, 'ctl'));
    const phases = events.filter((e) => e.type === 'copy-phase').map((e) => (e as any).phase);
    expect(phases).toEqual(expect.arrayContaining(['prepare', 'triggers', 'copy', 'cut-over', 'verify', 'done']));
    for (const e of events) if (e.type === 'copy-progress') expect(e.total).toBeGreaterThan(0);
    const [led] = await db.query(`SELECT state, alter_sql, new_table, swapped FROM ${PT_OSC_LEDGER} WHERE change_id = ?`, [j.change]);
    expect(led).toEqual({ state: 'done', alter_sql: j.alter, new_table: '_t_new', swapped: 1 });
    // The same step again is done: nothing runs.
    expect((await ptOsc.run(db.url, j)).rows).toBe(0);
    await expect(ptOsc.abort(db.url, j)).rejects.toThrow(/already swapped in/);
  });

  itMariadb('keepOld keeps the table as it was until cleanup', async () => {
    const db = await freshMysqlDatabase();
    await fixture(db, 2000);
    const j = job();
    const r = await ptOsc.run(db.url, j, { keepOld: true });
    expect(r.oldTable).toBe('_t_old');
    expect(await columnType(db, 'amount')).toBe('decimal(14,2)');
    expect(await leftovers(db)).toEqual(['table _t_old']);
    expect(await ptOsc.cleanup(db.url, j.change)).toEqual([`table \`${db.name}\`.\`_t_old\``]);
    expect(await leftovers(db)).toEqual([]);
  });

  itMariadb('quotes hostile names: a backtick and non-ASCII characters in the table name', async () => {
    const db = await freshMysqlDatabase();
    const name = 'ord`ér€ 表';
    await db.query(`CREATE TABLE \`${name.replace(/`/g, '``')}\` (id INT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, note VARCHAR(20) NOT NULL)`);
    await db.query(`INSERT INTO \`${name.replace(/`/g, '``')}\` SELECT seq, seq / 100, CONCAT('é', seq) FROM seq_1_to_3000`);
    const sum = async () => (await db.query(`SELECT COUNT(*) AS n, BIT_XOR(CRC32(CONCAT_WS('#', id, amount, note))) AS x FROM \`${name.replace(/`/g, '``')}\``))[0];
    const before = await sum();
    await ptOsc.run(db.url, job({ table: name, alter: "MODIFY amount DECIMAL(14,2) NOT NULL COMMENT 'montant €'" }));
    const [col] = await db.query('SELECT COLUMN_TYPE AS t, COLUMN_COMMENT AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?', [db.name, name, 'amount']);
    expect(col).toEqual({ t: 'decimal(14,2)', c: 'montant €' });
    expect(await sum()).toEqual(before);
    expect(await leftovers(db)).toEqual([]);
  });

  itMariadb('lockstep apply --engine pt-osc and rollback, from the CLI', async () => {
    const db = await freshMysqlDatabase();
    await fixture(db, 5000);
    const before = await checksum(db, 't');
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-pt-cli-'));
    try {
      writeFileSync(join(dir, '001_amount.sql'), 'ALTER TABLE t MODIFY amount DECIMAL(14,2) NOT NULL;\n');
      const up = runCli(['apply', join(dir, '001_amount.sql'), '--db', db.url, '--engine', 'pt-osc']);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout + up.stderr).toMatch(/online copy: copy/);
      expect(await columnType(db, 'amount')).toBe('decimal(14,2)');
      expect((await db.query(`SELECT state FROM ${PT_OSC_LEDGER} WHERE change_id = '001_amount'`))[0]).toEqual({ state: 'done' });
      const down = runCli(['rollback', '001_amount', '--db', db.url, '--yes']);
      expect(down.code, down.stderr).toBe(0);
      expect(await columnType(db, 'amount')).toBe('decimal(10,2)');
      expect(await checksum(db, 't')).toEqual(before);
      expect(await leftovers(db)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itMariadb("reports a bad ALTER with pt-osc's own error, in one line, leaving the table as it was", async () => {
    const db = await freshMysqlDatabase();
    await fixture(db, 1000);
    const err = await ptOsc.run(db.url, job({ alter: 'MODIFY nosuch INT' })).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(LockstepError);
    expect(err.code).toBe('E_DATABASE');
    expect(err.message).toMatch(/pt-online-schema-change failed on `lockstep_t_\w+`\.`t`: Error altering new table .*Unknown column 'nosuch'/);
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toMatch(/ at \/usr\/bin| line \d+/);
    expect(await columnType(db, 'amount')).toBe('decimal(10,2)');
    expect(await leftovers(db)).toEqual([]);
  });

  itMariadb('never puts the password in argv or the environment; the option file is 0600 and removed', async () => {
    const db = await freshMysqlDatabase();
    await fixture(db, 30_000);
    const user = `lockstep_pt_${randomBytes(4).toString('hex')}`;
    const password = `Pw-${randomBytes(8).toString('hex')},"x`;
    await db.query(`CREATE USER '${user}'@'%' IDENTIFIED BY ?`, [password]);
    try {
      await db.query(`GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%'`);
      const u = new URL(db.url);
      u.username = user;
      u.password = encodeURIComponent(password);
      const url = u.toString();
      expect(await ptOsc.unavailable(url)).toBeUndefined();
      // A reader holds the table's metadata lock from the copy on, so the swap waits and the process is seen.
      const reader = await db.connect();
      let holds: Promise<unknown> | undefined;
      const run = ptOsc.run(url, job(), {
        lockWaitTimeoutSeconds: 1,
        onProgress: (e) => {
          if (e.type === 'copy-phase' && e.phase === 'copy') holds = reader.query('BEGIN').then(() => reader.query('SELECT id FROM t LIMIT 1'));
        },
      });
      await (await until('the copy phase', () => (holds ? { holds } : undefined))).holds;
      const seen = ptProcesses(db.name);
      expect(seen).toHaveLength(1);
      const path = /^F=([^,]+),/.exec(seen[0]!.argv.at(-1)!)![1]!;
      const file = { path, mode: statSync(path).mode & 0o777, dirMode: statSync(path.replace(/\/[^/]+$/, '')).mode & 0o777, text: readFileSync(path, 'utf8') };
      await reader.query('COMMIT');
      await run;
      for (const p of seen) {
        expect(p.argv.join(' ')).not.toContain(password);
        expect(p.argv.join(' ')).not.toContain(encodeURIComponent(password));
        expect(p.env).not.toContain(password);
      }
      expect(file.mode).toBe(0o600);
      expect(file.dirMode).toBe(0o700);
      expect(file.text).toContain('password=');
      expect(existsSync(file.path)).toBe(false);
      // pt-osc's failure message for this user carries no password either.
      const err = await ptOsc.run(url, job({ alter: `MODIFY nosuch INT COMMENT '${password.replace(/'/g, "''")}'` })).then(() => undefined, (e) => e);
      expect(err?.message).toMatch(/Unknown column/);
      expect(err.message).not.toContain(password);
      // A user without TRIGGER is told in one line.
      await db.query(`REVOKE TRIGGER ON \`${db.name}\`.* FROM '${user}'@'%'`);
      expect(await ptOsc.unavailable(url)).toMatch(new RegExp(`^${user} lacks TRIGGER on \`${db.name}\``));
    } finally {
      await db.query(`DROP USER IF EXISTS '${user}'@'%'`);
    }
  });

  itMariadb('a killed pt-osc: its triggers and shadow are removed, a second run meanwhile refuses, the rerun completes', async () => {
    const db = await freshMysqlDatabase();
    const rows = 40_000;
    await fixture(db, rows);
    const before = await checksum(db, 't');
    const reader = await db.connect();
    const j = job();
    let holds: Promise<unknown> | undefined;
    const run = ptOsc.run(db.url, j, {
      lockWaitTimeoutSeconds: 1,
      onProgress: (e) => {
        // Hold the metadata lock from the copy on, so the swap cannot happen before the kill.
        if (e.type === 'copy-phase' && e.phase === 'copy') holds = reader.query('BEGIN').then(() => reader.query('SELECT id FROM t LIMIT 1'));
      },
    });
    const failed = run.then(() => undefined, (e) => e);
    await (await until('the copy phase', () => (holds ? { holds } : undefined))).holds;
    const second = await ptOsc.run(db.url, job()).then(() => undefined, (e) => e);
    expect(second?.message).toMatch(/another online copy of it is running/);
    const [p] = ptProcesses(db.name);
    expect(p).toBeDefined();
    // Its triggers exist now.
    expect((await leftovers(db)).some((l) => l.startsWith('trigger pt_osc_'))).toBe(true);
    process.kill(p!.pid, 'SIGKILL');
    await sleep(200);
    await reader.query('COMMIT');
    const err = await failed;
    expect(err?.message).toMatch(/pt-online-schema-change was stopped by SIGKILL .*lockstep removed what it left: .*trigger .*pt_osc_.*table .*_t_new/);
    expect(await leftovers(db)).toEqual([]);
    expect(await columnType(db, 'amount')).toBe('decimal(10,2)');
    expect(await checksum(db, 't')).toEqual(before);
    expect((await db.query(`SELECT state FROM ${PT_OSC_LEDGER} WHERE change_id = ?`, [j.change]))[0]).toEqual({ state: 'failed' });
    const again = await ptOsc.run(db.url, j);
    expect(again.rows).toBeGreaterThan(0);
    expect(await columnType(db, 'amount')).toBe('decimal(14,2)');
    expect(await checksum(db, 't')).toEqual(before);
    expect(await leftovers(db)).toEqual([]);
  });

  itMariadb('an AbortSignal stops pt-osc (SIGTERM): it removes its own triggers and shadow, E_INTERRUPTED, the table as it was', async () => {
    const db = await freshMysqlDatabase();
    await fixture(db, 40_000);
    const before = await checksum(db, 't');
    const reader = await db.connect();
    const ac = new AbortController();
    const j = job();
    let holds: Promise<unknown> | undefined;
    const failed = ptOsc
      .run(db.url, j, {
        signal: ac.signal,
        lockWaitTimeoutSeconds: 1,
        onProgress: (e) => {
          if (e.type === 'copy-phase' && e.phase === 'copy') holds = reader.query('BEGIN').then(() => reader.query('SELECT id FROM t LIMIT 1'));
        },
      })
      .then(() => undefined, (e) => e);
    await (await until('the copy phase', () => (holds ? { holds } : undefined))).holds;
    ac.abort();
    await sleep(300);
    await reader.query('COMMIT');
    const err = await failed;
    expect(err?.code).toBe('E_INTERRUPTED');
    expect(err.message).toMatch(/stopped; the table is as it was/);
    expect(await leftovers(db)).toEqual([]);
    expect(await checksum(db, 't')).toEqual(before);
    expect((await db.query(`SELECT state FROM ${PT_OSC_LEDGER} WHERE change_id = ?`, [j.change]))[0]).toEqual({ state: 'aborted' });
  });

  itMariadb('a killed lockstep (and pt-osc with it): cleanup removes what the crashed run left; the rerun completes', async () => {
    const db = await freshMysqlDatabase();
    await fixture(db, 40_000);
    const before = await checksum(db, 't');
    const reader = await db.connect();
    const j = job();
    const dist = fileURLToPath(new URL('../../dist/dialects/mysql/pt-osc.js', import.meta.url));
    const script = `const { ptOsc } = await import(${JSON.stringify(dist)}); await ptOsc.run(process.argv[1], JSON.parse(process.argv[2]), { lockWaitTimeoutSeconds: 1, onProgress: (e) => console.log(JSON.stringify(e)) });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, db.url, JSON.stringify(j)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.on('close', r));
    await until('copy phase in the child', () => out.includes('"phase":"copy"') || (child.exitCode !== null ? (() => { throw new Error(out); })() : undefined));
    await reader.query('BEGIN');
    await reader.query('SELECT id FROM t LIMIT 1');
    const [p] = await until('pt-osc process', () => {
      const ps = ptProcesses(db.name);
      return ps.length ? ps : undefined;
    });
    child.kill('SIGKILL');
    process.kill(p!.pid, 'SIGKILL');
    await exited;
    await reader.query('COMMIT');
    const left = await leftovers(db);
    expect(left.some((l) => l.startsWith('trigger pt_osc_'))).toBe(true);
    expect(left).toContain('table _t_new');
    expect((await db.query(`SELECT state FROM ${PT_OSC_LEDGER} WHERE change_id = ?`, [j.change]))[0]).toEqual({ state: 'running' });
    const removed = await until('the crashed run’s lock to go', async () => {
      try {
        return await ptOsc.cleanup(db.url, j.change);
      } catch (e: any) {
        if (/another online copy/.test(e.message)) return undefined;
        throw e;
      }
    });
    expect(removed.join(' ')).toMatch(/trigger .*pt_osc_.*table `lockstep_t_\w+`\.`_t_new`/);
    expect(await leftovers(db)).toEqual([]);
    expect(await checksum(db, 't')).toEqual(before);
    expect((await db.query(`SELECT state FROM ${PT_OSC_LEDGER} WHERE change_id = ?`, [j.change]))[0]).toEqual({ state: 'cleaned' });
    expect(await ptOsc.cleanup(db.url, j.change)).toEqual([]);
    await ptOsc.run(db.url, j);
    expect(await columnType(db, 'amount')).toBe('decimal(14,2)');
    expect(await checksum(db, 't')).toEqual(before);
  });
});
