/** A connection for apply/rollback/status: one line on failure, the password never shown. */
import type pg from 'pg';
import { LockstepError } from '../core/errors.js';
import { redactIn, redactUrl } from '../core/redact.js';
import { libpqSslModes } from '../dialects/postgres/introspect.js';

export interface Db {
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The backend's pid (for pg_blocking_pids, pg_terminate_backend in tests). */
  pid: number;
  close(): Promise<void>;
}

export async function connect(url: string, where = '--db', applicationName = 'lockstep'): Promise<Db> {
  const { default: pgModule } = await import('pg');
  let client: pg.Client;
  try {
    client = new pgModule.Client({ connectionString: libpqSslModes(url), connectionTimeoutMillis: 10_000, application_name: applicationName } as pg.ClientConfig);
  } catch (e: any) {
    throw new LockstepError('E_CONNECT', [{ where, message: `invalid connection string ${redactUrl(url)}: ${redactIn(String(e?.message ?? e), url)}` }]);
  }
  let lost: Error | undefined;
  client.on('error', (e) => {
    lost = e;
  });
  try {
    await client.connect();
  } catch (e: any) {
    throw new LockstepError('E_CONNECT', [{ where, message: `cannot connect to ${redactUrl(url)}: ${redactIn(String(e?.message ?? e.code ?? e), url)}` }]);
  }
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return {
    pid,
    query: async (sql, params) => {
      if (lost) throw lost;
      return client.query(sql, params as any[]);
    },
    close: () => client.end().catch(() => {}),
  };
}
