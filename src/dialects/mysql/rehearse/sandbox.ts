/**
 * The MySQL/MariaDB sandbox: a scratch server (there is no embedded MySQL that works offline). lockstep
 * creates a uniquely named database there (`lockstep_rehearse_<hex>`), works only in it, and drops it
 * afterwards — also after an error, and on Ctrl-C (the statement running is cut off with KILL first, so
 * the DROP does not wait behind it). A sandbox on the same server as the source (--db) is refused unless
 * allowed: a rehearsal must not load production.
 */
import { randomBytes } from 'node:crypto';
import { LockstepError } from '../../../core/errors.js';
import { redactIn, redactUrl } from '../../../core/redact.js';
import { connectMysql, type MyDb } from '../driver.js';
import { quoteIdent } from '../names.js';

export interface MySandbox {
  /** The temporary database's name. */
  database: string;
  /** A URL of the temporary database (with the sandbox URL's credentials: never shown). */
  url: string;
  /** `MariaDB 10.11.19-MariaDB-0+deb12u1` or `MySQL 8.0.36`. */
  product: string;
  flavor: 'mysql' | 'mariadb';
  /** Major and minor (`10.11`, `8.0`). */
  major: number;
  minor: number;
  /** The main connection (the one migrations run on), its default database the sandbox. */
  db: MyDb;
  /** Another connection to the sandbox database (probe, lock watcher), closed with the sandbox. */
  connect(): Promise<MyDb>;
  /** Drops the database, closes every connection. Safe to call twice; `kill` cuts off running statements first. */
  dispose(o?: { kill?: boolean }): Promise<void>;
}

/** What a server is, to tell two URLs of one server apart (a replica counts as another server). */
async function identity(db: MyDb): Promise<string> {
  const r = (await db.query<{ h: string; p: number; d: string }>('SELECT @@hostname AS h, @@port AS p, @@datadir AS d'))[0]!;
  const uuid = await db.query<{ u: string }>('SELECT @@server_uuid AS u').then((x) => x[0]?.u).catch(() => undefined);
  return uuid ? `uuid:${uuid}` : `${r.h}:${r.p}:${r.d}`;
}

export function describeServer(version: string): { product: string; flavor: 'mysql' | 'mariadb'; major: number; minor: number } {
  const flavor = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  const m = /^(?:5\.5\.5-)?(\d+)\.(\d+)/.exec(version);
  return { flavor, product: `${flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${version.replace(/^5\.5\.5-/, '')}`, major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0) };
}

export async function serverVersion(db: MyDb): Promise<string> {
  return String((await db.query<{ v: string }>('SELECT VERSION() AS v'))[0]!.v);
}

export async function openMySandbox(url: string, o: { sourceUrl?: string; allowSameServer?: boolean }): Promise<MySandbox> {
  const admin = await connectMysql(url, { where: '--sandbox' });
  const database = `lockstep_rehearse_${randomBytes(5).toString('hex')}`;
  const conns: MyDb[] = [];
  let created = false;
  let disposing: Promise<void> | undefined;
  const drop = async (kill: boolean) => {
    if (kill) for (const c of conns) await admin.query(`KILL ${Number(c.id)}`).catch(() => {});
    for (const c of conns.splice(0)) await c.close();
    if (created) {
      created = false;
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`).catch(() => {});
    }
    await admin.close();
  };
  try {
    if (o.sourceUrl && !o.allowSameServer) {
      const source = await connectMysql(o.sourceUrl, { where: '--db', readOnly: true });
      try {
        if ((await identity(source)) === (await identity(admin)))
          throw new LockstepError('E_INPUT', [{ where: '--sandbox', message: `${redactUrl(url)} is the same server as the source (--db): a rehearsal would load it; use a scratch server, or pass --allow-same-server` }]);
      } finally {
        await source.close();
      }
    }
    const server = describeServer(await serverVersion(admin));
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(database)} CHARACTER SET utf8mb4`);
    } catch (e: any) {
      throw new LockstepError('E_DATABASE', [{ where: '--sandbox', message: `cannot create a temporary database on ${redactUrl(url)}: ${redactIn(String(e?.message ?? e), url)}` }]);
    }
    created = true;
    const u = new URL(url);
    u.pathname = `/${database}`;
    const scratch = u.toString();
    const open = async () => {
      const c = await connectMysql(scratch, { where: '--sandbox' });
      conns.push(c);
      return c;
    };
    const db = await open();
    return {
      database,
      url: scratch,
      ...server,
      db,
      connect: open,
      dispose: (d = {}) => (disposing ??= drop(!!d.kill)),
    };
  } catch (e) {
    await drop(false);
    throw e;
  }
}
