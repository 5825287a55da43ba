/**
 * The one way lockstep connects to PostgreSQL: one line on failure with the password never shown,
 * libpq's meaning of `sslmode`, an application_name, and read-only as an option (the session's
 * default_transaction_read_only, set once after connecting, so every transaction it opens is READ ONLY;
 * a SET works through poolers that refuse startup `options`).
 */
import type pg from 'pg';
import { LockstepError } from '../../core/errors.js';
import { redactIn, redactUrl } from '../../core/redact.js';

export interface Db {
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The backend's pid (for pg_blocking_pids, pg_terminate_backend in tests). */
  pid: number;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Where the URL came from, for messages (default `--db`). */
  where?: string;
  /** Shown in pg_stat_activity (default `lockstep`). */
  applicationName?: string;
  /** Every transaction of the session is READ ONLY (the server refuses writes). */
  readOnly?: boolean;
}

/**
 * `sslmode` as libpq means it (require: encrypt, do not verify; verify-full: verify). node-postgres
 * reads `require` as verify-full and prints an eight-line warning unless told to behave like libpq.
 */
export function libpqSslModes(url: string): string {
  try {
    const u = new URL(url);
    if (u.searchParams.has('sslmode') && !u.searchParams.has('uselibpqcompat')) u.searchParams.set('uselibpqcompat', 'true');
    return u.toString();
  } catch {
    return url;
  }
}

export async function connectPostgres(url: string, o: ConnectOptions = {}): Promise<Db> {
  const where = o.where ?? '--db';
  // pg is loaded only when a database is actually used (lint without --db never needs it).
  const { default: pgModule } = await import('pg');
  let client: pg.Client;
  try {
    client = new pgModule.Client({ connectionString: libpqSslModes(url), connectionTimeoutMillis: 10_000, application_name: o.applicationName ?? 'lockstep' } as pg.ClientConfig);
  } catch (e: any) {
    throw new LockstepError('E_CONNECT', [{ where, message: `invalid connection string ${redactUrl(url)}: ${redactIn(String(e?.message ?? e), url)}` }]);
  }
  let lost: Error | undefined;
  client.on('error', (e) => {
    lost = e;
  });
  let pid: number;
  try {
    await client.connect();
    pid = (await client.query<{ pid: number }>(o.readOnly ? `SET default_transaction_read_only = on; SELECT pg_backend_pid() AS pid` : 'SELECT pg_backend_pid() AS pid').then((r: any) => (Array.isArray(r) ? r[1] : r))).rows[0]!.pid;
  } catch (e: any) {
    await client.end().catch(() => {});
    throw new LockstepError('E_CONNECT', [{ where, message: `cannot connect to ${redactUrl(url)}: ${redactIn(String(e?.message ?? e.code ?? e), url)}` }]);
  }
  return {
    pid,
    query: async (sql, params) => {
      if (lost) throw lost;
      return client.query(sql, params as any[]);
    },
    close: () => client.end().catch(() => {}),
  };
}
