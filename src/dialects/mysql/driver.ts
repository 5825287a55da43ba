/**
 * The one way lockstep connects to MySQL/MariaDB (mysql2, loaded only when a command needs it): one line
 * on failure, the password never shown, values always bound, and read-only when asked (every statement
 * then runs in a READ ONLY transaction, which the server enforces).
 */
import { LockstepError } from '../../core/errors.js';
import { redactIn, redactUrl } from '../../core/redact.js';

export interface MyDb {
  query<R = any>(sql: string, params?: unknown[]): Promise<R[]>;
  /** The same, each row as an array of its values in select-list order (no object per row: for large reads). */
  rows(sql: string, params?: unknown[]): Promise<unknown[][]>;
  /** The connection id (for KILL in tests, and to tell our own session apart in the processlist). */
  id: number;
  close(): Promise<void>;
}

/** Server errors a retry can outlive: lock wait timeouts, deadlocks, a lost connection. */
export function retriable(err: unknown): boolean {
  const errno = (err as { errno?: number } | undefined)?.errno;
  return errno === 1205 /* ER_LOCK_WAIT_TIMEOUT */ || errno === 1213 /* ER_LOCK_DEADLOCK */ || errno === 2013 /* lost connection */ || errno === 2006; /* gone away */
}

export async function connectMysql(url: string, o: { where?: string; readOnly?: boolean } = {}): Promise<MyDb> {
  const where = o.where ?? '--db';
  let u: URL;
  try {
    u = new URL(url);
  } catch (e: any) {
    throw new LockstepError('E_CONNECT', [{ where, message: `invalid connection string ${redactUrl(url)}` }]);
  }
  const { default: mysql } = await import('mysql2/promise');
  let conn: import('mysql2/promise').Connection;
  try {
    conn = await mysql.createConnection({
      host: u.hostname || 'localhost',
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      ...(u.pathname.length > 1 ? { database: decodeURIComponent(u.pathname.slice(1)) } : {}),
      connectTimeout: 10_000,
      // Dates and big numbers as the server prints them: lockstep compares, it does not compute with them.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
      ...(u.searchParams.get('ssl') === 'true' || u.searchParams.get('sslmode') === 'require' ? { ssl: {} } : {}),
    });
  } catch (e: any) {
    throw new LockstepError('E_CONNECT', [{ where, message: `cannot connect to ${redactUrl(url)}: ${redactIn(String(e?.message ?? e?.code ?? e), url)}` }]);
  }
  conn.on('error', () => {}); // a lost connection surfaces at the next query
  const run = async <R>(sql: string, params?: unknown[]): Promise<R[]> => {
    const [rows] = await conn.query(sql, params as any[]);
    return rows as R[];
  };
  const rows = async (sql: string, params?: unknown[]): Promise<unknown[][]> => {
    const [r] = await conn.query({ sql, rowsAsArray: true }, params as any[]);
    return r as unknown[][];
  };
  try {
    if (o.readOnly) await run('SET SESSION TRANSACTION READ ONLY');
    const [row] = await run<{ id: number }>('SELECT CONNECTION_ID() AS id');
    return { id: Number(row?.id), query: run, rows, close: () => conn.end().catch(() => {}) };
  } catch (e: any) {
    await conn.end().catch(() => {});
    throw new LockstepError('E_DATABASE', [{ where, message: `${redactUrl(url)}: ${redactIn(String(e?.message ?? e), url)}` }]);
  }
}
