/**
 * Per-test databases on the servers the global setup started, and PGlite instances.
 * Everything a test creates is dropped when the test ends, also when it fails.
 */
import { randomBytes } from 'node:crypto';
import { inject, onTestFinished, test } from 'vitest';
import pg from 'pg';
import { allServerNames, type ServerInfo } from './servers.js';

export type { ServerInfo };

const allMajors = allServerNames.map((n) => Number(n.replace(/^pg/, '')));
/** Per test file (each file has its own module instance): say each missing server once. */
const said = new Set<string>();

/**
 * The test servers of `majors` (default: every major lockstep tests on) that this run started. A file
 * never shrinks silently: when one it asks for is missing, in CI (where every server runs) a failing
 * test says so; elsewhere (LOCKSTEP_TEST_SERVERS limited the run) a loud warning names it, and the
 * tests it would have run are left out.
 */
export function testServers(majors: readonly number[] = allMajors): ServerInfo[] {
  const started = inject('servers');
  const missing = majors.filter((m) => !started.some((s) => s.major === m)).map((m) => `pg${m}`);
  if (missing.length) {
    const what = `PostgreSQL test server${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not started (this run has ${started.map((s) => s.name).join(', ') || 'none'})`;
    if (!said.has(what)) {
      said.add(what);
      if (process.env.CI)
        test(`${missing.join(', ')} running`, () => {
          throw new Error(`${what}: CI runs every server, so this file's tests on ${missing.join(', ')} would be lost`);
        });
      else {
        console.warn(`\n!!! SKIPPING the tests on ${missing.join(', ')}: ${what}. In CI this fails the run.\n`);
        // Named in the report as well (and a file left with nothing else is not "no test suite found").
        test.skip(`on ${missing.join(', ')}: not started in this run (LOCKSTEP_TEST_SERVERS)`, () => {});
      }
    }
  }
  return started.filter((s) => majors.includes(s.major));
}

/** The PostgreSQL 15 server: every run has it (the service, or an embedded 15; servers.ts). */
export function pg15Server(): ServerInfo {
  const s = inject('servers').find((x) => x.major === 15);
  if (!s) throw new Error('no PostgreSQL 15 test server: test/helpers/servers.ts always starts one (the service or an embedded 15)');
  return s;
}

export function serverUrl(server: ServerInfo, database: string): string {
  const u = new URL(server.url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(server: ServerInfo, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  server: ServerInfo;
  name: string;
  url: string;
  /** A connected client; closed automatically when the test ends. */
  connect(): Promise<pg.Client>;
  /** Runs SQL on a short-lived connection. */
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** A new empty database (or a copy of `template`) on `server`, dropped when the current test ends. */
export async function freshDatabase(
  server: ServerInfo,
  opts: { template?: string; keep?: boolean; /** the test context, required in concurrent tests */ ctx?: { onTestFinished: typeof onTestFinished } } = {},
): Promise<TestDatabase> {
  const name = `lockstep_t_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE ${name}${opts.template ? ` TEMPLATE ${opts.template}` : ''}`));
  const url = serverUrl(server, name);
  const clients: pg.Client[] = [];
  const db: TestDatabase = {
    server,
    name,
    url,
    async connect() {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {}); // a terminated backend must not crash the test process
      await c.connect();
      clients.push(c);
      return c;
    },
    async query(sql, params) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(sql, params as any[])).rows;
      } finally {
        await c.end();
      }
    },
  };
  if (!opts.keep) {
    (opts.ctx?.onTestFinished ?? onTestFinished)(async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await dropDatabase(server, name);
    });
  }
  return db;
}

export async function dropDatabase(server: ServerInfo, name: string): Promise<void> {
  await admin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Creates a database from SQL, for use as a template by many tests; returns its name. */
export async function createTemplate(server: ServerInfo, sql: string): Promise<string> {
  const name = `lockstep_tmpl_${randomBytes(6).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE ${name}`));
  const c = new pg.Client({ connectionString: serverUrl(server, name) });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
  return name;
}
