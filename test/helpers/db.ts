/**
 * Per-test databases on the servers the global setup started, and PGlite instances.
 * Everything a test creates is dropped when the test ends, also when it fails.
 */
import { randomBytes } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';
import pg from 'pg';
import type { ServerInfo } from './servers.js';

export type { ServerInfo };

export function testServers(): ServerInfo[] {
  return inject('servers');
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
