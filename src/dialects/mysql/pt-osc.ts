/**
 * `--engine pt-osc`: the online copy (copy-engine.ts) handed to Percona's pt-online-schema-change
 * (Debian's `percona-toolkit`, 3.2.1 tested). lockstep builds the command with its own throttle settings,
 * turns pt-osc's output into CopyProgress events, records the run in the ledger (`lockstep_pt_osc`) and
 * checks the end state itself; docs/mysql-pt-osc.md says what the user sees.
 *
 * - No shell: pt-osc is spawned with an argument array. The password never reaches argv or the
 *   environment: it goes into a 0600 option file in a 0700 temporary directory, named by the DSN's `F=`,
 *   removed when pt-osc exits.
 * - Throttle: `--max-load Threads_running=N` (pause), `--critical-load Threads_running=max(4N, 50)` (pt-osc
 *   aborts and removes its triggers: at four times the pause level the triggers' write amplification is
 *   the thing to remove), `--chunk-time`, `--max-lag` when the server has replicas (else
 *   `--recursion-method none`: pt-osc does not go looking), `--set-vars lock_wait_timeout=…` for its
 *   trigger and RENAME statements, `--tries` for every metadata-lock step (pt-osc waits a fixed time between
 *   tries; it has no jitter).
 * - The old table is dropped after the swap (pt-osc's default; lockstep does not pass --no-drop-old-table):
 *   once the triggers are gone it is a stale copy, not a way back, and it doubles the disk used.
 * - pt-osc 3.2.1 cannot resume a copy. A rerun after a crash first removes what the crashed run left
 *   (its triggers and `_<t>_new`), or, when the crashed run had already swapped the tables, only finishes
 *   its cleanup; then it copies from the start.
 * - One run per table at a time: lockstep holds a named lock (`GET_LOCK`, the name lockstep's own engine
 *   uses) on its own connection while pt-osc runs; a second run of either engine, `abort` or `cleanup`
 *   of that table refuses while it is held.
 * - Its own ledger table, not online-copy.ts's `lockstep_copy`: that one's rows name lockstep's shadow,
 *   old and trigger names (hashed per change) and its key checkpoint, which pt-osc does not have; its
 *   cleanup would look for the wrong objects.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockstepError } from '../../core/errors.js';
import { redactIn, redactUrl } from '../../core/redact.js';
import type { CopyEngine, CopyJob, CopyOptions, CopyPhase, CopyProgress, CopyResult } from './copy-engine.js';
import { connectMysql, type MyDb } from './driver.js';
import { quoteIdent } from './names.js';
import { lockName } from './online-copy.js';

export const PT_OSC = 'pt-online-schema-change';
/** The ledger table of pt-osc runs, in the URL's database (else the job's). */
export const PT_OSC_LEDGER = 'lockstep_pt_osc';
const WHERE = '--engine pt-osc';

const dbErr = (message: string, cause?: unknown) => new LockstepError('E_DATABASE', [{ where: WHERE, message }], { cause });

interface Target {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The URL's database, if it names one. */
  database?: string;
}

function target(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LockstepError('E_CONNECT', [{ where: WHERE, message: `invalid connection string ${redactUrl(url)}` }]);
  }
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(u.pathname.length > 1 ? { database: decodeURIComponent(u.pathname.slice(1)) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The command

export interface PtOscCommand {
  /** The argument array passed to pt-online-schema-change (no password in it, ever). */
  args: string[];
  /** The option file's text (`[client]` user, password, host, port): written 0600, named by F= in the DSN. */
  optionFile: string;
}

/** A value in a MySQL option file: double-quoted, with the escapes the client library reads back. */
function optionValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/**
 * The pt-online-schema-change command lockstep runs for `job` (exported for the tests and `plan`):
 * pure, so what runs is what this returns with the option file's path filled in.
 */
export function ptOscCommand(url: string, job: CopyJob, o: CopyOptions & { serverHasReplicas?: boolean; optionFilePath: string }): PtOscCommand {
  const t = target(url);
  const schema = job.schema ?? t.database;
  if (!schema) throw new LockstepError('E_USAGE', [{ where: WHERE, message: `no database: name it in the connection string (${redactUrl(url)}) or in the change` }]);
  // pt-osc's DSN is `k=v,k=v`: a comma (or a leading `k=`) in a value cannot be written in it.
  for (const [what, v] of [['database', schema], ['table', job.table], ['host', t.host]] as const) {
    if (v.includes(',')) throw new LockstepError('E_USAGE', [{ where: WHERE, message: `pt-online-schema-change cannot name a ${what} with a comma in it (${JSON.stringify(v)}); use lockstep's own engine` }]);
  }
  if (!job.alter.trim()) throw new LockstepError('E_USAGE', [{ where: WHERE, message: 'nothing to alter' }]);
  if (o.postponeCutOver) {
    throw new LockstepError('E_USAGE', [{ where: WHERE, message: 'pt-online-schema-change cannot postpone the cut-over (it cannot pick up a finished copy later to swap it); use lockstep\'s own engine' }]);
  }
  // Replicas named by the caller: pt-osc 3.2.1 takes one (--check-slave-lag), reached with the same option file.
  let lagCheck: string | undefined;
  if (o.replicas?.length) {
    if (o.replicas.length > 1) throw new LockstepError('E_USAGE', [{ where: WHERE, message: `pt-online-schema-change watches one named replica (--check-slave-lag), not ${o.replicas.length}; name one, or let it find them` }]);
    const r = target(o.replicas[0]!);
    if (r.user !== t.user || r.password !== t.password) throw new LockstepError('E_USAGE', [{ where: WHERE, message: `the replica ${redactUrl(o.replicas[0]!)} has other credentials than the primary; pt-online-schema-change would need them on its command line` }]);
    if (r.host.includes(',')) throw new LockstepError('E_USAGE', [{ where: WHERE, message: 'pt-online-schema-change cannot name a replica host with a comma in it' }]);
    lagCheck = `F=${o.optionFilePath},h=${r.host},P=${r.port}`;
  }
  const n = Math.max(1, Math.round(o.maxThreadsRunning ?? 25));
  const chunk = Math.max(0.05, (o.chunkTargetMs ?? 500) / 1000);
  // pt-osc sets lock_wait_timeout, whole seconds: lockWaitMs is rounded up.
  const lockWait = o.lockWaitMs !== undefined ? Math.max(1, Math.ceil(o.lockWaitMs / 1000)) : Math.max(1, Math.round(o.lockWaitTimeoutSeconds ?? 2));
  const attempts = Math.max(1, Math.round(o.attempts ?? 10));
  const wait = 0.5;
  const maxLag = Math.max(1, Math.ceil((o.maxReplicaLagMs ?? 2000) / 1000));
  const tries = ['create_triggers', 'drop_triggers', 'swap_tables', 'update_foreign_keys', 'analyze_table'].map((op) => `${op}:${attempts}:${wait}`);
  tries.push(`copy_rows:${attempts}:0.25`);
  const args = [
    '--execute',
    '--no-version-check',
    `--alter=${job.alter}`,
    // Bytes in, bytes out: pt-osc 3.2.1 compares the table name from argv (bytes) with the server's; with
    // utf8/utf8mb4 it decodes only the server's and a non-ASCII name "does not exist". The copy and the
    // triggers run inside the server, so no data passes through Perl's decoding either way.
    '--charset=binary',
    `--max-load=Threads_running=${n}`,
    `--critical-load=Threads_running=${Math.max(4 * n, 50)}`,
    `--chunk-time=${chunk}`,
    `--set-vars=lock_wait_timeout=${lockWait}`,
    `--tries=${tries.join(',')}`,
    '--progress=time,1',
    ...(o.keepOld ? ['--no-drop-old-table'] : []),
    ...(lagCheck
      ? [`--max-lag=${maxLag}`, `--check-slave-lag=${lagCheck}`, '--recursion-method=none']
      : o.serverHasReplicas
        ? [`--max-lag=${maxLag}`, '--recursion-method=processlist']
        : ['--recursion-method=none']),
    `F=${o.optionFilePath},D=${schema},t=${job.table}`,
  ];
  const optionFile = ['[client]', `user=${optionValue(t.user)}`, `password=${optionValue(t.password)}`, `host=${optionValue(t.host)}`, `port=${t.port}`, ''].join('\n');
  return { args, optionFile };
}

// ---------------------------------------------------------------------------------------------------------
// Output parsing

export type PtOscEvent =
  | { kind: 'phase'; phase: CopyPhase }
  | { kind: 'estimate'; rows: number }
  | { kind: 'progress'; fraction: number; remainSeconds: number }
  | { kind: 'paused'; reason: string }
  | { kind: 'new-table'; name: string }
  | { kind: 'swapped' };

const secs = (s: string) => s.split(':').reduce((a, p) => a * 60 + Number(p), 0);

/** One line of pt-osc's stdout or stderr, as an event (or undefined when it says nothing lockstep shows). */
export function parsePtOscLine(line: string): PtOscEvent | undefined {
  const l = line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d /, '').trim();
  let m: RegExpExecArray | null;
  if ((m = /^Copying .*:\s+(\d+)% ((?:\d+-)?[\d:]+) remain$/.exec(l))) {
    const rem = m[2]!.includes('-') ? Number(m[2]!.split('-')[0]) * 86400 + secs(m[2]!.split('-')[1]!) : secs(m[2]!);
    return { kind: 'progress', fraction: Number(m[1]) / 100, remainSeconds: rem };
  }
  if ((m = /^Copying approximately (\d+) rows/.exec(l))) return { kind: 'estimate', rows: Number(m[1]) };
  if ((m = /^Created new table (.+) OK\.$/.exec(l))) return { kind: 'new-table', name: m[1]! };
  if (/^Creating new table/.test(l)) return { kind: 'phase', phase: 'prepare' };
  if (/^Creating triggers/.test(l)) return { kind: 'phase', phase: 'triggers' };
  if (/^Analyzing new table|^Swapping tables/.test(l)) return { kind: 'phase', phase: 'cut-over' };
  if (/^Swapped original and new tables OK/.test(l)) return { kind: 'swapped' };
  if (/^Dropping old table|^Dropping triggers/.test(l)) return { kind: 'phase', phase: 'cleanup' };
  if (/^Pausing because |^Replica lag is |Replica .* is stopped\.\s+Waiting/.test(l)) return { kind: 'paused', reason: l.replace(/\s+/g, ' ') };
  return undefined;
}

/**
 * pt-osc's own error, in one line: the last error it printed (stderr first, else the stdout line saying
 * why), without Perl's ` at /usr/bin/… line N.`, DBI's prefix, or the statement it echoes; redacted.
 */
export function ptOscError(stdout: string, stderr: string, url: string): string {
  const noise = (l: string) => !l.trim() || /^Copying .*remain$/.test(l.trim()) || /^# Exiting on SIG/.test(l.trim()) || /^\(in cleanup\)/.test(l.trim()) || /^Pausing because|^Replica lag is/.test(l.trim());
  const errLines = stderr.split('\n').map((l) => l.trim()).filter((l) => !noise(l));
  let msg = errLines.at(-1);
  if (!msg) {
    const out = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    // The line before "`db`.`t` was not altered." (or the last line) says why.
    const i = out.findIndex((l) => / was not altered\.$/.test(l));
    msg = (i > 0 ? out[i - 1] : out.at(-1)) ?? 'no output';
    if (/^(Dropped new table OK|Dropping new table|Dropped triggers OK)/.test(msg.replace(/^\S+T\S+ /, ''))) msg = out.at(-1) ?? msg;
  }
  msg = msg
    .replace(/^\S+T\d\d:\d\d:\d\d /, '')
    .replace(/ at \S+ line \d+\.?$/, '')
    .replace(/DBD::mysql::\w+ \w+ failed: /g, '')
    .replace(/ \[for Statement "[\s\S]*"\]/, '')
    .replace(/DBI connect\('[^']*','[^']*',\.\.\.\) failed: /, '')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return redactIn(msg, url);
}

// ---------------------------------------------------------------------------------------------------------
// Server side: ledger, lock, leftovers, end state

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS ${quoteIdent(PT_OSC_LEDGER)} (
  change_id VARCHAR(255) NOT NULL,
  step_id VARCHAR(255) NOT NULL,
  table_schema VARCHAR(64) NOT NULL,
  table_name VARCHAR(64) NOT NULL,
  alter_sql TEXT NOT NULL,
  state VARCHAR(16) NOT NULL COMMENT 'running | done | failed | aborted | cleaned',
  phase VARCHAR(16) NULL,
  attempts INT NOT NULL DEFAULT 0,
  expected_ddl MEDIUMTEXT NULL COMMENT 'normalized SHOW CREATE TABLE the change must produce',
  new_table VARCHAR(64) NULL,
  old_table VARCHAR(64) NULL COMMENT 'kept with keepOld until cleanup',
  swapped TINYINT NOT NULL DEFAULT 0,
  rows_estimate BIGINT NULL,
  seconds DOUBLE NULL,
  error TEXT NULL,
  started_at DATETIME(3) NULL,
  finished_at DATETIME(3) NULL,
  PRIMARY KEY (change_id, step_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

interface LedgerRow {
  change_id: string;
  step_id: string;
  table_schema: string;
  table_name: string;
  alter_sql: string;
  state: string;
  phase: string | null;
  attempts: number;
  expected_ddl: string | null;
  new_table: string | null;
  old_table: string | null;
  swapped: number;
  finished_at: string | null;
}

/**
 * The named lock one copy of a table holds while it runs: the same name lockstep's own engine takes
 * (online-copy.ts), so a pt-osc run and a lockstep copy of one table also exclude each other.
 */
export function copyLockName(schema: string, table: string): string {
  return lockName(schema, table);
}

async function takeLock(db: MyDb, schema: string, table: string, what: string): Promise<void> {
  const name = copyLockName(schema, table);
  const [r] = await db.query<{ got: number | null }>('SELECT GET_LOCK(?, 0) AS got', [name]);
  if (Number(r?.got) === 1) return;
  const [h] = await db.query<{ id: number | null }>('SELECT IS_USED_LOCK(?) AS id', [name]);
  throw new LockstepError('E_USAGE', [{ where: WHERE, message: `cannot ${what} ${quoteIdent(schema)}.${quoteIdent(table)}: another online copy of it is running (connection ${h?.id ?? '?'}); wait for it or stop it first` }]);
}

const releaseLock = (db: MyDb, schema: string, table: string) => db.query('SELECT RELEASE_LOCK(?)', [copyLockName(schema, table)]).catch(() => {});

async function ensureLedger(db: MyDb, ledgerDb: string): Promise<string> {
  const name = `${quoteIdent(ledgerDb)}.${quoteIdent(PT_OSC_LEDGER)}`;
  await db.query(LEDGER_DDL.replace(quoteIdent(PT_OSC_LEDGER), name));
  return name;
}

/** SHOW CREATE TABLE, normalized for comparison: no table name, AUTO_INCREMENT counter or foreign keys (pt-osc renames their constraints). */
export function normalizeCreate(ddl: string): string {
  return ddl
    .split('\n')
    .slice(1)
    .filter((l) => !/^\s*CONSTRAINT .* FOREIGN KEY /.test(l))
    .join('\n')
    .replace(/ AUTO_INCREMENT=\d+/, '')
    .replace(/,\n\)/, '\n)')
    .trim();
}

async function showCreate(db: MyDb, schema: string, table: string): Promise<string | undefined> {
  try {
    const [r] = await db.query<Record<string, string>>(`SHOW CREATE TABLE ${quoteIdent(schema)}.${quoteIdent(table)}`);
    return r ? String(r['Create Table']) : undefined;
  } catch (e: any) {
    if (e?.errno === 1146) return undefined;
    throw e;
  }
}

/**
 * What the table must look like after the change: the ALTER applied to an empty `CREATE TABLE … LIKE`
 * copy (instant), then dropped. Undefined (with the server's error) when the ALTER fails there: pt-osc
 * then runs anyway, so the user sees pt-osc's own error.
 */
async function expectedCreate(db: MyDb, schema: string, job: CopyJob): Promise<{ ddl?: string; error?: string }> {
  const probe = `_lockstep_probe_${randomBytes(6).toString('hex')}`;
  const q = `${quoteIdent(schema)}.${quoteIdent(probe)}`;
  try {
    await db.query(`CREATE TABLE ${q} LIKE ${quoteIdent(schema)}.${quoteIdent(job.table)}`);
    await db.query(`ALTER TABLE ${q} ${job.alter}`);
    const ddl = await showCreate(db, schema, probe);
    return ddl ? { ddl: normalizeCreate(ddl) } : { error: 'the probe table vanished' };
  } catch (e: any) {
    return { error: String(e?.message ?? e) };
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${q}`).catch(() => {});
  }
}

interface Leftovers {
  triggers: { name: string; table: string }[];
  tables: string[];
}

/** pt-osc's triggers on the table (or its old copy) and its `_<t>_new` / `_<t>_old` tables. */
async function findLeftovers(db: MyDb, schema: string, table: string, o: { newTable?: string | null; oldTables: boolean }): Promise<Leftovers> {
  const esc = (s: string) => s.replace(/[\\_%]/g, '\\$&');
  const names = await db.query<{ n: string }>(
    `SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND (TABLE_NAME LIKE ? OR TABLE_NAME LIKE ?)`,
    [schema, `\\_%${esc(table)}\\_new`, `\\_%${esc(table)}\\_old`],
  );
  const isNew = (n: string) => n === o.newTable || new RegExp(`^_+${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_new$`).test(n);
  const isOld = (n: string) => new RegExp(`^(?:_+|[A-Z0-9]{6}_)${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_old$`).test(n);
  const tables = names.map((r) => String(r.n)).filter((n) => isNew(n) || (o.oldTables && isOld(n)));
  if (o.newTable && !tables.includes(o.newTable) && names.some((r) => r.n === o.newTable)) tables.push(o.newTable);
  const on = [table, ...names.map((r) => String(r.n)).filter(isOld)];
  const trig = await db.query<{ name: string; tbl: string }>(
    `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND EVENT_OBJECT_TABLE IN (?) AND TRIGGER_NAME LIKE 'pt\\_osc\\_%'`,
    [schema, on],
  );
  return { triggers: trig.map((r) => ({ name: String(r.name), table: String(r.tbl) })), tables };
}

/** DDL under a short lock_wait_timeout, retried with jittered backoff (it waits behind long transactions). */
async function guardedDdl(db: MyDb, sql: string, o: CopyOptions): Promise<void> {
  const attempts = Math.max(1, o.attempts ?? 10);
  await db.query(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.round(o.lockWaitTimeoutSeconds ?? 2))}`);
  for (let i = 1; ; i++) {
    try {
      await db.query(sql);
      return;
    } catch (e: any) {
      if (e?.errno !== 1205 || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** i) * (0.5 + Math.random())));
    }
  }
}

async function removeLeftovers(db: MyDb, schema: string, l: Leftovers, o: CopyOptions = {}): Promise<string[]> {
  const removed: string[] = [];
  for (const t of l.triggers) {
    await guardedDdl(db, `DROP TRIGGER IF EXISTS ${quoteIdent(schema)}.${quoteIdent(t.name)}`, o);
    removed.push(`trigger ${quoteIdent(schema)}.${quoteIdent(t.name)}`);
  }
  for (const t of l.tables) {
    await guardedDdl(db, `DROP TABLE IF EXISTS ${quoteIdent(schema)}.${quoteIdent(t)}`, o);
    removed.push(`table ${quoteIdent(schema)}.${quoteIdent(t)}`);
  }
  return removed;
}

/** `` `db`.`_t_new` `` or `db._t_new` as pt-osc prints it → `_t_new`. */
function bareName(printed: string, schema: string): string {
  const m = /^`((?:[^`]|``)*)`\.`((?:[^`]|``)*)`$/.exec(printed);
  if (m) return m[2]!.replace(/``/g, '`');
  return printed.startsWith(`${schema}.`) ? printed.slice(schema.length + 1) : printed;
}

/** Whether the server has replicas this copy must wait for: it writes a binlog and a replica is attached. */
async function hasReplicas(db: MyDb): Promise<boolean> {
  const [b] = await db.query<{ b: number }>('SELECT @@log_bin AS b');
  if (!Number(b?.b)) return false;
  const r = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'").catch(() => [{ n: 1 }]);
  return Number(r[0]?.n) > 0;
}

// ---------------------------------------------------------------------------------------------------------
// The engine

/** Privileges pt-osc needs on the table's database: copy, triggers, the swap and the drops. */
const NEEDED = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'TRIGGER'];

function runTool(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err?: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (e: any) => {
      clearTimeout(timer);
      resolve({ code: null, out, err: e?.code ?? String(e) });
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function unavailable(url: string): Promise<string | undefined> {
  const v = await runTool(PT_OSC, ['--version'], 15_000);
  if (v.err === 'ENOENT') return `${PT_OSC} is not on PATH (Debian/Ubuntu: apt-get install percona-toolkit)`;
  if (v.code !== 0) return `${PT_OSC} --version failed: ${v.out.trim().split('\n').at(-1) ?? v.err}`;
  const dbd = await runTool('perl', ['-MDBD::mysql', '-e', '1'], 15_000);
  if (dbd.code !== 0) return `${PT_OSC} needs the Perl DBD::mysql module (Debian/Ubuntu: apt-get install libdbd-mysql-perl)`;
  const t = target(url);
  let db: MyDb;
  try {
    db = await connectMysql(url, { where: WHERE });
  } catch (e: any) {
    return String(e?.message ?? e);
  }
  try {
    const grantee = "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";
    const rows = await db.query<{ p: string }>(
      `SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ${grantee}` +
        (t.database ? ` UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ${grantee} AND ? LIKE TABLE_SCHEMA` : ''),
      t.database ? [t.database] : [],
    );
    const have = new Set(rows.map((r) => String(r.p).toUpperCase()));
    const missing = NEEDED.filter((p) => !have.has(p));
    if (missing.length) return `${t.user} lacks ${missing.join(', ')} on ${t.database ? quoteIdent(t.database) : 'the server'}, which ${PT_OSC} needs (privileges through roles are not counted)`;
    const [b] = await db.query<{ bin: number; trust: number }>('SELECT @@log_bin AS bin, @@log_bin_trust_function_creators AS trust');
    if (Number(b?.bin) && !Number(b?.trust) && !have.has('SUPER')) return `the server writes a binlog and log_bin_trust_function_creators is off: creating ${PT_OSC}'s triggers needs SUPER, which ${t.user} lacks`;
    return undefined;
  } catch (e: any) {
    return `cannot read ${t.user}'s privileges: ${redactIn(String(e?.message ?? e), url)}`;
  } finally {
    await db.close();
  }
}

/** The directory and 0600 option file carrying the password; removed by the returned function. */
function writeOptionFile(text: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lockstep-pt-osc-${process.pid}-`)); // created 0700
  const path = join(dir, 'client.cnf');
  writeFileSync(path, text, { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Option-file directories of lockstep processes that are gone (kill -9 skips the `finally`). */
function removeStaleOptionFiles(): void {
  for (const d of readdirSync(tmpdir())) {
    const m = /^lockstep-pt-osc-(\d+)-/.exec(d);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e: any) {
      alive = e?.code === 'EPERM';
    }
    if (!alive) {
      try {
        if (statSync(join(tmpdir(), d)).isDirectory()) rmSync(join(tmpdir(), d), { recursive: true, force: true });
      } catch {
        /* someone else removed it */
      }
    }
  }
}

async function run(url: string, job: CopyJob, o: CopyOptions = {}): Promise<CopyResult> {
  const t = target(url);
  const schema = job.schema ?? t.database;
  if (!schema) throw new LockstepError('E_USAGE', [{ where: WHERE, message: `no database: name it in the connection string (${redactUrl(url)}) or in the change` }]);
  const ledgerDb = t.database ?? schema;
  let lastPhase: CopyPhase | undefined;
  const emit = (e: CopyProgress) => {
    if (e.type === 'copy-phase') {
      if (e.phase === lastPhase) return;
      lastPhase = e.phase;
    }
    o.onProgress?.(e);
  };
  const db = await connectMysql(url, { where: WHERE });
  const name = `${quoteIdent(schema)}.${quoteIdent(job.table)}`;
  try {
    await takeLock(db, schema, job.table, 'copy');
    const ledger = await ensureLedger(db, ledgerDb);
    const [prev] = await db.query<LedgerRow>(`SELECT * FROM ${ledger} WHERE change_id = ? AND step_id = ?`, [job.change, job.step]);
    const before = await showCreate(db, schema, job.table);
    if (!before) throw dbErr(`${name} does not exist`);

    // An earlier run of this step: done (nothing to do), or crashed (finish or undo what it left).
    if (prev && prev.alter_sql !== job.alter && (prev.state === 'done' || prev.state === 'running')) {
      throw new LockstepError('E_USAGE', [{ where: WHERE, message: `step ${job.step} of change ${job.change} ${prev.state === 'done' ? 'already ran' : 'was interrupted'} with another ALTER (${prev.alter_sql}); a changed step needs a new change id` }]);
    }
    let expected: string | undefined = prev?.expected_ddl ?? undefined;
    if (prev && prev.state === 'done' && expected && normalizeCreate(before) === expected) {
      emit({ type: 'copy-phase', phase: 'done' });
      return { engine: 'pt-osc', rows: 0, seconds: 0, rowsPerSecond: 0, recopiedChunks: 0, resumed: false };
    }
    if (prev && prev.state === 'running') {
      const swapped = expected !== undefined && normalizeCreate(before) === expected;
      const left = await findLeftovers(db, schema, job.table, { newTable: prev.new_table, oldTables: swapped });
      emit({ type: 'copy-phase', phase: 'cleanup' });
      await removeLeftovers(db, schema, left, o);
      if (swapped) {
        await db.query(`UPDATE ${ledger} SET state = 'done', phase = 'done', finished_at = NOW(3) WHERE change_id = ? AND step_id = ?`, [job.change, job.step]);
        emit({ type: 'copy-phase', phase: 'done' });
        return { engine: 'pt-osc', rows: 0, seconds: 0, rowsPerSecond: 0, recopiedChunks: 0, resumed: true };
      }
    }
    const fkIn = await db.query<{ n: string; t: string }>(
      'SELECT CONSTRAINT_NAME AS n, CONCAT(CONSTRAINT_SCHEMA, \'.\', TABLE_NAME) AS t FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?',
      [schema, job.table],
    );
    if (fkIn.length) {
      throw new LockstepError('E_USAGE', [{ where: WHERE, message: `foreign keys point at ${name} (${fkIn.map((r) => `${r.t} ${r.n}`).join(', ')}): pt-online-schema-change would have to rebuild or drop them (--alter-foreign-keys-method), which lockstep does not choose for you` }]);
    }

    emit({ type: 'copy-phase', phase: 'prepare' });
    const probe = await expectedCreate(db, schema, job);
    expected = probe.ddl;
    const replicas = await hasReplicas(db);
    await db.query(
      `INSERT INTO ${ledger} (change_id, step_id, table_schema, table_name, alter_sql, state, phase, attempts, expected_ddl, started_at)
       VALUES (?, ?, ?, ?, ?, 'running', 'prepare', 1, ?, NOW(3))
       ON DUPLICATE KEY UPDATE table_schema = VALUES(table_schema), table_name = VALUES(table_name), alter_sql = VALUES(alter_sql), state = 'running', phase = 'prepare',
         attempts = attempts + 1, expected_ddl = VALUES(expected_ddl), new_table = NULL, swapped = 0, error = NULL, started_at = NOW(3), finished_at = NULL`,
      [job.change, job.step, schema, job.table, job.alter, expected ?? null],
    );
    const setLedger = (cols: Record<string, unknown>) =>
      db.query(`UPDATE ${ledger} SET ${Object.keys(cols).map((k) => `${quoteIdent(k)} = ?`).join(', ')} WHERE change_id = ? AND step_id = ?`, [...Object.values(cols), job.change, job.step]).catch(() => {});

    // Tables like `_t_old` that were there before this run are not this run's leftovers.
    const there = new Set((await findLeftovers(db, schema, job.table, { oldTables: true })).tables);
    if (o.signal?.aborted) {
      await db.query(`UPDATE ${ledger} SET state = 'aborted', finished_at = NOW(3) WHERE change_id = ? AND step_id = ?`, [job.change, job.step]);
      throw new LockstepError('E_INTERRUPTED', [{ where: WHERE, message: `copy of ${name} stopped before pt-online-schema-change started; the table is as it was` }]);
    }
    removeStaleOptionFiles();
    const file = writeOptionFile('');
    let cmd: PtOscCommand;
    try {
      cmd = ptOscCommand(url, job, { ...o, serverHasReplicas: replicas, optionFilePath: file.path });
      writeFileSync(file.path, cmd.optionFile, { mode: 0o600 });
    } catch (e) {
      file.remove();
      throw e;
    }
    const started = Date.now();
    let estimate: number | null = null;
    let newTable: string | null = null;
    let swapped = false;
    let stdout = '';
    let stderr = '';
    let lastRows = 0;
    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: string }>((resolve) => {
      const p = spawn(PT_OSC, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const onAbort = () => p.kill('SIGTERM'); // pt-osc drops its triggers and new table on SIGTERM
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const lines = (which: 'out' | 'err') => {
        let buf = '';
        return (d: Buffer) => {
          const s = d.toString('utf8');
          if (which === 'out') stdout += s;
          else stderr += s;
          buf += s;
          const parts = buf.split('\n');
          buf = parts.pop()!;
          for (const line of parts) {
            const ev = parsePtOscLine(line);
            if (!ev) continue;
            if (ev.kind === 'phase') {
              emit({ type: 'copy-phase', phase: ev.phase });
              void setLedger({ phase: ev.phase });
            } else if (ev.kind === 'estimate') {
              estimate = ev.rows;
              emit({ type: 'copy-phase', phase: 'copy' });
              void setLedger({ phase: 'copy', rows_estimate: ev.rows });
            } else if (ev.kind === 'progress') {
              const elapsed = (Date.now() - started) / 1000;
              const rows = estimate !== null ? Math.round(ev.fraction * estimate) : 0;
              lastRows = rows;
              emit({ type: 'copy-progress', rows, total: estimate, rowsPerSecond: elapsed > 0 ? rows / elapsed : 0, etaSeconds: ev.remainSeconds, chunkSize: 0 });
            } else if (ev.kind === 'paused') emit({ type: 'copy-paused', reason: ev.reason });
            else if (ev.kind === 'new-table') {
              newTable = bareName(ev.name, schema);
              void setLedger({ new_table: newTable });
            } else if (ev.kind === 'swapped') {
              swapped = true;
              void setLedger({ swapped: 1 });
            }
          }
        };
      };
      p.stdout.on('data', lines('out'));
      p.stderr.on('data', lines('err'));
      p.on('error', (e: any) => resolve({ code: null, signal: null, spawnError: e?.code === 'ENOENT' ? `${PT_OSC} is not on PATH (Debian/Ubuntu: apt-get install percona-toolkit)` : String(e?.message ?? e) }));
      p.on('close', (code, signal) => {
        o.signal?.removeEventListener('abort', onAbort);
        resolve({ code, signal });
      });
    }).finally(() => file.remove());
    const seconds = (Date.now() - started) / 1000;

    if (outcome.code !== 0) {
      // pt-osc cleans up after itself on errors and SIGTERM, not after SIGKILL: remove what is left.
      const after = await showCreate(db, schema, job.table);
      const isSwapped = swapped && expected !== undefined && after !== undefined && normalizeCreate(after) === expected;
      const left = await findLeftovers(db, schema, job.table, { newTable, oldTables: isSwapped }).catch(() => ({ triggers: [], tables: [] }) as Leftovers);
      const removed = await removeLeftovers(db, schema, left, o).catch(() => [] as string[]);
      const why = outcome.spawnError ?? (outcome.signal ? `${PT_OSC} was stopped by ${outcome.signal}` : ptOscError(stdout, stderr, url));
      const interrupted = o.signal?.aborted === true;
      await setLedger({ state: interrupted ? 'aborted' : 'failed', error: why, seconds, finished_at: new Date() });
      const tail = removed.length ? ` (lockstep removed what it left: ${removed.join(', ')})` : '';
      if (interrupted) throw new LockstepError('E_INTERRUPTED', [{ where: WHERE, message: `copy of ${name} stopped; the table is as it was, rerun to start the copy again${tail}` }]);
      throw dbErr(`${PT_OSC} failed on ${name}: ${why}${tail}`);
    }

    emit({ type: 'copy-phase', phase: 'verify' });
    const after = await showCreate(db, schema, job.table);
    const left = await findLeftovers(db, schema, job.table, { newTable, oldTables: true });
    left.tables = left.tables.filter((x) => !there.has(x));
    // --no-drop-old-table (keepOld): the table as it was stays, named in the result and the ledger, until cleanup.
    const oldTable = o.keepOld ? left.tables.find((x) => x !== newTable && /_old$/.test(x)) : undefined;
    if (oldTable) left.tables = left.tables.filter((x) => x !== oldTable);
    const problems: string[] = [];
    if (!after) problems.push(`${name} is gone`);
    else if (expected !== undefined && normalizeCreate(after) !== expected) problems.push(`SHOW CREATE TABLE ${name} does not show the change`);
    else if (expected === undefined && normalizeCreate(after) === normalizeCreate(before)) problems.push(`SHOW CREATE TABLE ${name} is unchanged`);
    if (left.triggers.length) problems.push(`triggers left: ${left.triggers.map((x) => x.name).join(', ')}`);
    if (left.tables.length) problems.push(`tables left: ${left.tables.join(', ')}`);
    if (problems.length) {
      await setLedger({ state: 'failed', error: problems.join('; '), seconds, finished_at: new Date() });
      throw dbErr(`${PT_OSC} reported success on ${name} but ${problems.join('; ')}`);
    }
    const rows = estimate ?? lastRows;
    await setLedger({ state: 'done', phase: 'done', seconds, old_table: oldTable ?? null, finished_at: new Date() });
    emit({ type: 'copy-phase', phase: 'done' });
    return { engine: 'pt-osc', rows, seconds, rowsPerSecond: seconds > 0 ? rows / seconds : 0, recopiedChunks: 0, resumed: prev?.state === 'running', swapped: true, ...(oldTable ? { oldTable } : {}) };
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw dbErr(`${name}: ${redactIn(String(e?.message ?? e), url)}`, e);
  } finally {
    await releaseLock(db, schema, job.table);
    await db.close();
  }
}

async function abort(url: string, job: CopyJob): Promise<void> {
  const t = target(url);
  const schema = job.schema ?? t.database;
  if (!schema) throw new LockstepError('E_USAGE', [{ where: WHERE, message: `no database: name it in the connection string (${redactUrl(url)}) or in the change` }]);
  const db = await connectMysql(url, { where: WHERE });
  try {
    await takeLock(db, schema, job.table, 'abort the copy of');
    const ledger = await ensureLedger(db, t.database ?? schema);
    const [row] = await db.query<LedgerRow>(`SELECT * FROM ${ledger} WHERE change_id = ? AND step_id = ?`, [job.change, job.step]);
    const now = await showCreate(db, schema, job.table);
    if (row && (row.state === 'done' || (row.swapped && row.expected_ddl && now && normalizeCreate(now) === row.expected_ddl))) {
      throw new LockstepError('E_USAGE', [{ where: WHERE, message: `the copy of ${quoteIdent(schema)}.${quoteIdent(job.table)} was already swapped in${row.finished_at ? ` at ${row.finished_at}` : ''} and pt-online-schema-change dropped the old table: there is nothing to abort; undo it with a change of its own` }]);
    }
    const left = await findLeftovers(db, schema, job.table, { newTable: row?.new_table, oldTables: false });
    await removeLeftovers(db, schema, left);
    if (row) await db.query(`UPDATE ${ledger} SET state = 'aborted', finished_at = NOW(3) WHERE change_id = ? AND step_id = ?`, [job.change, job.step]);
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw dbErr(redactIn(String(e?.message ?? e), url), e);
  } finally {
    await releaseLock(db, schema, job.table);
    await db.close();
  }
}

async function cleanup(url: string, change?: string): Promise<string[]> {
  const t = target(url);
  if (!t.database) throw new LockstepError('E_USAGE', [{ where: WHERE, message: `cleanup reads the ledger in the connection string's database; name one (${redactUrl(url)})` }]);
  removeStaleOptionFiles();
  const db = await connectMysql(url, { where: WHERE });
  const removed: string[] = [];
  try {
    const ledger = await ensureLedger(db, t.database);
    const rows = await db.query<LedgerRow>(
      `SELECT * FROM ${ledger} WHERE (state IN ('running', 'failed', 'aborted') OR (state = 'done' AND old_table IS NOT NULL))${change !== undefined ? ' AND change_id = ?' : ''}`,
      change !== undefined ? [change] : [],
    );
    for (const row of rows) {
      await takeLock(db, row.table_schema, row.table_name, 'clean up after the copy of');
      try {
        if (row.state === 'done') {
          // An old table kept after the swap (keepOld).
          await guardedDdl(db, `DROP TABLE IF EXISTS ${quoteIdent(row.table_schema)}.${quoteIdent(row.old_table!)}`, {});
          removed.push(`table ${quoteIdent(row.table_schema)}.${quoteIdent(row.old_table!)}`);
          await db.query(`UPDATE ${ledger} SET old_table = NULL WHERE change_id = ? AND step_id = ?`, [row.change_id, row.step_id]);
          continue;
        }
        const now = await showCreate(db, row.table_schema, row.table_name);
        const swapped = !!now && !!row.expected_ddl && normalizeCreate(now) === row.expected_ddl;
        const left = await findLeftovers(db, row.table_schema, row.table_name, { newTable: row.new_table, oldTables: swapped && !!row.swapped });
        if (row.old_table) left.tables = left.tables.filter((x) => x !== row.old_table);
        removed.push(...(await removeLeftovers(db, row.table_schema, left)));
        await db.query(`UPDATE ${ledger} SET state = ?, finished_at = NOW(3) WHERE change_id = ? AND step_id = ?`, [swapped && row.swapped ? 'done' : 'cleaned', row.change_id, row.step_id]);
      } finally {
        await releaseLock(db, row.table_schema, row.table_name);
      }
    }
    return removed;
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw dbErr(redactIn(String(e?.message ?? e), url), e);
  } finally {
    await db.close();
  }
}

export const ptOsc: CopyEngine = { id: 'pt-osc', unavailable, run, abort, cleanup };
