/**
 * The MariaDB 10.11 service (127.0.0.1:3306, root, no password) for the MySQL/MariaDB tests.
 *
 * - `mariadbAvailable()` probes the server once per process (LOCKSTEP_TEST_MYSQL_URL overrides the
 *   default mysql://root@127.0.0.1:3306).
 * - `describeMariadb` / `itMariadb`: in CI (`process.env.CI`) an unreachable server FAILS the run (a test
 *   named "MariaDB service reachable" fails with the connection error); outside CI the tests are skipped
 *   with a loud console.warn naming the missing service. Never a silent shrink.
 * - `freshMysqlDatabase()`: a uniquely named database (`lockstep_t_<hex>`), dropped when the current test
 *   ends (or, with `{ keep: true }`, when the caller calls `drop()` — e.g. one database per file in
 *   beforeAll/afterAll).
 */
import { randomBytes } from 'node:crypto';
import { describe, it, onTestFinished, type TestFunction } from 'vitest';
import mysql from 'mysql2/promise';

export const MYSQL_TEST_URL = process.env.LOCKSTEP_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306';

export interface MariadbProbe {
  ok: boolean;
  /** `SELECT VERSION()` when reachable, e.g. `10.11.19-MariaDB-0+deb12u1`. */
  version?: string;
  /** The connection error when not. */
  error?: string;
}

function connOptions(url: string, database?: string): mysql.ConnectionOptions {
  const u = new URL(url);
  const db = database ?? (u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(db ? { database: db } : {}),
    connectTimeout: 5_000,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    multipleStatements: true,
  };
}

let probe: Promise<MariadbProbe> | undefined;

/** Probes the MySQL/MariaDB test server once per process. */
export function mariadbAvailable(): Promise<MariadbProbe> {
  probe ??= (async () => {
    let c: mysql.Connection | undefined;
    try {
      c = await mysql.createConnection(connOptions(MYSQL_TEST_URL));
      const [rows] = await c.query('SELECT VERSION() AS v');
      return { ok: true, version: String((rows as any[])[0]?.v) };
    } catch (e: any) {
      return { ok: false, error: String(e?.message ?? e?.code ?? e) };
    } finally {
      await c?.end().catch(() => {});
    }
  })();
  return probe;
}

// Resolved at import, so describe/it can decide at collection time.
const state = await mariadbAvailable();
let warned = false;

function notice(): string {
  return `MariaDB/MySQL test server not reachable at ${new URL(MYSQL_TEST_URL).host} (${state.error}); set LOCKSTEP_TEST_MYSQL_URL or start the MariaDB 10.11 service`;
}

function warnOnce(what: string): void {
  if (warned) return;
  warned = true;
  console.warn(`\n!!! SKIPPING MySQL/MariaDB tests (${what}): ${notice()}. In CI this fails the run.\n`);
}

/** The probe's result, for tests that want the server's version string. */
export const mariadb: Readonly<MariadbProbe> = state;

/** `describe` that needs the MariaDB service (fails in CI when unreachable, skips loudly outside CI). */
export function describeMariadb(name: string, fn: () => void, opts: { concurrent?: boolean } = {}): void {
  if (state.ok) {
    (opts.concurrent ? describe.concurrent : describe)(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('MariaDB service reachable', () => {
        throw new Error(notice());
      });
    });
    return;
  }
  warnOnce(name);
  describe.skip(name, fn);
}

/** `it` that needs the MariaDB service (fails in CI when unreachable, skips loudly outside CI). */
export function itMariadb(name: string, fn: TestFunction, timeout?: number): void {
  if (state.ok) {
    it(name, fn, timeout);
    return;
  }
  if (process.env.CI) {
    it(name, () => {
      throw new Error(notice());
    });
    return;
  }
  warnOnce(name);
  it.skip(name, fn, timeout);
}

export interface MysqlTestDatabase {
  name: string;
  /** mysql://…/<name> */
  url: string;
  /** A new connection to the database (multipleStatements on); closed when the database is dropped. */
  connect(): Promise<mysql.Connection>;
  /** Runs SQL on a pooled connection of this database; returns the rows. */
  query<R = any>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Drops the database and closes every connection made through it. */
  drop(): Promise<void>;
}

/** A new empty database on the test server, dropped when the current test ends (unless `keep`). */
export async function freshMysqlDatabase(
  opts: { keep?: boolean; prefix?: string; ctx?: { onTestFinished: typeof onTestFinished } } = {},
): Promise<MysqlTestDatabase> {
  const name = `${opts.prefix ?? 'lockstep_t'}_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection(connOptions(MYSQL_TEST_URL));
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  } finally {
    await admin.end().catch(() => {});
  }
  const u = new URL(MYSQL_TEST_URL);
  u.pathname = `/${name}`;
  const conns: mysql.Connection[] = [];
  let pool: mysql.Pool | undefined;
  const db: MysqlTestDatabase = {
    name,
    url: u.toString(),
    async connect() {
      const c = await mysql.createConnection(connOptions(MYSQL_TEST_URL, name));
      c.on('error', () => {}); // a killed connection must not crash the test process
      conns.push(c);
      return c;
    },
    async query(sql, params) {
      pool ??= mysql.createPool({ ...connOptions(MYSQL_TEST_URL, name), connectionLimit: 4 });
      const [rows] = await pool.query(sql, params as any[]);
      return rows as any;
    },
    async drop() {
      await Promise.all(conns.map((c) => c.end().catch(() => c.destroy())));
      await pool?.end().catch(() => {});
      const a = await mysql.createConnection(connOptions(MYSQL_TEST_URL));
      try {
        await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await a.end().catch(() => {});
      }
    },
  };
  if (!opts.keep) (opts.ctx?.onTestFinished ?? onTestFinished)(() => db.drop());
  return db;
}
