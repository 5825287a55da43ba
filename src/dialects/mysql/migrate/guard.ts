/**
 * The metadata-lock guard around every DDL lockstep runs on MySQL/MariaDB. Every ALTER takes an
 * exclusive metadata lock at its start (and, when it is not INSTANT, again at its end); while it waits
 * for one, every later query on the table queues behind it. So:
 *
 * - before the statement: who holds the table now — metadata-lock holders from
 *   performance_schema.metadata_locks (when it is on) or MariaDB's METADATA_LOCK_INFO plugin (when
 *   loaded), and long transactions from information_schema.innodb_trx with their processlist row;
 * - the statement waits at most a short lock_wait_timeout (whole seconds on both servers); on MariaDB
 *   the first attempts use NOWAIT, which does not queue at all, and an INSTANT statement then waits at
 *   most lockWaitMs (max_statement_time, to the millisecond);
 * - on a lock wait timeout it steps out of the queue, names the blockers (query text redacted, control
 *   characters stripped), waits until they are gone (or a jittered backoff), and retries, up to a deadline.
 */
import { LockstepError } from '../../../core/errors.js';
import { safeQueryText } from '../../../core/redact.js';
import type { Blocker, ProgressListener } from '../../../apply/events.js';
import type { MyDb } from '../driver.js';
import { retriable } from '../driver.js';

export interface MyGuardOptions {
  /** lock_wait_timeout of a DDL that blocks traffic while it waits, seconds (whole; default 1). */
  lockWaitSeconds: number;
  /** MariaDB: attempts made with NOWAIT before a bounded wait (default 4). */
  nowaitAttempts: number;
  /**
   * MariaDB: how long an `ALGORITHM=INSTANT` statement may wait for its metadata lock after the NOWAIT
   * attempts, ms (default 200; `--lock-timeout`). `WAIT n` and lock_wait_timeout take whole seconds only
   * (`WAIT 0.2` acts as NOWAIT), so the bound is `SET STATEMENT max_statement_time = … FOR`, which does
   * interrupt a DDL waiting for its lock. Only for INSTANT statements: a statement that builds or copies
   * would be cut off mid-work, so those keep `WAIT n`.
   */
  lockWaitMs: number;
  /** Give up after this long, ms (default 5 min). */
  deadlineMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A transaction open this long counts as a possible blocker, seconds (default 1). */
  longTransactionSeconds: number;
}

export const defaultMyGuard: MyGuardOptions = { lockWaitSeconds: 1, nowaitAttempts: 4, lockWaitMs: 200, deadlineMs: 5 * 60_000, baseDelayMs: 100, maxDelayMs: 3_000, longTransactionSeconds: 1 };

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(t), reject(signal!.reason));
    const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Exponential backoff with jitter (half fixed, half random). */
export function backoff(attempt: number, o: MyGuardOptions): number {
  const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(attempt - 1, 16));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

const mdlSource = new WeakMap<MyDb, 'performance_schema' | 'metadata_lock_info' | 'none'>();

async function mdlSourceOf(db: MyDb): Promise<'performance_schema' | 'metadata_lock_info' | 'none'> {
  const known = mdlSource.get(db);
  if (known) return known;
  let src: 'performance_schema' | 'metadata_lock_info' | 'none' = 'none';
  try {
    const [ps] = await db.query<{ on: number | string }>('SELECT @@performance_schema AS `on`');
    if (Number(ps?.on) === 1) {
      const [i] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM performance_schema.setup_instruments WHERE NAME = 'wait/lock/metadata/sql/mdl' AND ENABLED = 'YES'`);
      if (Number(i?.n) > 0) src = 'performance_schema';
    }
    if (src === 'none') {
      const [t] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'METADATA_LOCK_INFO'`);
      if (Number(t?.n) > 0) src = 'metadata_lock_info';
    }
  } catch {
    src = 'none';
  }
  mdlSource.set(db, src);
  return src;
}

/** Sessions that hold `table` (metadata locks, when the server shows them) or keep a transaction open long (possible holders). */
export async function blockersOf(db: MyDb, schema: string, table: string, o: MyGuardOptions = defaultMyGuard, minSeconds?: number): Promise<Blocker[]> {
  const out = new Map<number, Blocker>();
  const src = await mdlSourceOf(db);
  try {
    if (src === 'performance_schema') {
      const rows = await db.query<any>(
        `SELECT t.PROCESSLIST_ID AS id, m.LOCK_TYPE AS mode, p.COMMAND AS command, p.TIME AS time, p.INFO AS info, x.trx_started AS started,
                TIMESTAMPDIFF(MICROSECOND, x.trx_started, NOW(6)) / 1e6 AS age, x.trx_query AS trx_query
           FROM performance_schema.metadata_locks m
           JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
           LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.PROCESSLIST_ID
           LEFT JOIN information_schema.INNODB_TRX x ON x.trx_mysql_thread_id = t.PROCESSLIST_ID
          WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = ? AND m.OBJECT_NAME = ? AND m.LOCK_STATUS = 'GRANTED' AND t.PROCESSLIST_ID <> CONNECTION_ID()`,
        [schema, table],
      );
      for (const r of rows) out.set(Number(r.id), blocker(r, `metadata ${String(r.mode).toLowerCase()}`));
    } else if (src === 'metadata_lock_info') {
      const rows = await db.query<any>(
        `SELECT m.THREAD_ID AS id, m.LOCK_MODE AS mode, p.COMMAND AS command, p.TIME AS time, p.INFO AS info, x.trx_started AS started,
                TIMESTAMPDIFF(MICROSECOND, x.trx_started, NOW(6)) / 1e6 AS age, x.trx_query AS trx_query
           FROM information_schema.METADATA_LOCK_INFO m
           LEFT JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID
           LEFT JOIN information_schema.INNODB_TRX x ON x.trx_mysql_thread_id = m.THREAD_ID
          WHERE m.TABLE_SCHEMA = ? AND m.TABLE_NAME = ? AND m.THREAD_ID <> CONNECTION_ID()`,
        [schema, table],
      );
      for (const r of rows) out.set(Number(r.id), blocker(r, String(r.mode).toLowerCase().replace(/^mdl_/, 'metadata ')));
    }
  } catch {
    /* the lock tables are not readable for this user: the open transactions below still say who may hold it */
  }
  // Open transactions: without lock tables, those of sessions using this database (or whose statement names
  // the table) are the possible holders; `minSeconds` 0 after a lock wait timeout (someone does hold it).
  const trx = await db.query<any>(
    `SELECT x.trx_mysql_thread_id AS id, x.trx_started AS started, TIMESTAMPDIFF(MICROSECOND, x.trx_started, NOW(6)) / 1e6 AS age, x.trx_query AS trx_query,
            p.COMMAND AS command, p.TIME AS time, p.INFO AS info, p.DB AS db
       FROM information_schema.INNODB_TRX x LEFT JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
      WHERE x.trx_mysql_thread_id <> CONNECTION_ID() AND x.trx_started <= NOW(6) - INTERVAL ? MICROSECOND`,
    [Math.round((minSeconds ?? o.longTransactionSeconds) * 1e6)],
  );
  const names = (q: unknown) => typeof q === 'string' && q.toLowerCase().includes(table.toLowerCase());
  for (const r of trx) {
    if (out.has(Number(r.id))) continue;
    if (src === 'none' && r.db !== schema && !names(r.info) && !names(r.trx_query)) continue;
    out.set(Number(r.id), blocker(r, src === 'none' ? 'open transaction (may hold the table)' : 'open transaction'));
  }
  return [...out.values()].sort((a, b) => b.transactionSeconds - a.transactionSeconds);
}

function blocker(r: any, mode: string): Blocker {
  const q = r.info ?? r.trx_query;
  return {
    pid: Number(r.id),
    state: r.command === 'Sleep' ? (r.started ? 'idle in transaction' : 'idle') : String(r.command ?? 'unknown').toLowerCase(),
    transactionSeconds: r.age !== null && r.age !== undefined ? Number(r.age) : Number(r.time ?? 0),
    mode,
    query: q ? safeQueryText(String(q)) : '',
    ...(r.started ? { xactStart: String(r.started) } : {}),
  };
}

/** Waits until none of `blockers` still has the same transaction open (or the deadline). */
async function waitUntilGone(db: MyDb, blockers: Blocker[], until: number, signal?: AbortSignal): Promise<void> {
  const ids = blockers.map((b) => b.pid);
  if (!ids.length) return;
  while (Date.now() < until) {
    const rows = await db.query<any>(`SELECT trx_mysql_thread_id AS id, trx_started AS started FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id IN (${ids.map(() => '?').join(', ')})`, ids);
    const still = blockers.filter((b) => rows.some((r) => Number(r.id) === b.pid && (!b.xactStart || String(r.started) === b.xactStart)));
    if (!still.length) return;
    await sleep(100, signal);
  }
}

/** `ALTER TABLE t …` → `ALTER TABLE t NOWAIT …` / `… WAIT n …` (MariaDB: the wait of this statement alone). */
export function withWait(sql: string, wait: 'nowait' | number): string {
  const m = /^(\s*ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:`(?:[^`]|``)*`(?:\.`(?:[^`]|``)*`)?))/i.exec(sql);
  if (!m) return sql;
  return `${m[1]} ${wait === 'nowait' ? 'NOWAIT' : `WAIT ${wait}`}${sql.slice(m[1]!.length)}`;
}

const ER_STATEMENT_TIMEOUT = 1969;

/**
 * The SQL of one attempt: on MariaDB NOWAIT first (it never queues), then an INSTANT statement bounded
 * to `lockWaitMs` by max_statement_time, any other statement `WAIT n` (whole seconds); on MySQL the
 * statement as it is, under the session's lock_wait_timeout.
 */
export function attemptSql(sql: string, flavor: 'mysql' | 'mariadb', attempt: number, o: MyGuardOptions): string {
  if (flavor !== 'mariadb') return sql;
  if (attempt <= o.nowaitAttempts) return withWait(sql, 'nowait');
  if (/\bALGORITHM\s*=\s*INSTANT\b/i.test(sql) && o.lockWaitMs < 1000)
    return `SET STATEMENT max_statement_time = ${(Math.max(o.lockWaitMs, 10) / 1000).toFixed(3)} FOR ${sql.trimStart()}`;
  return withWait(sql, Math.max(1, Math.round(o.lockWaitSeconds)));
}

export interface GuardedDdl {
  db: MyDb;
  sql: string;
  flavor: 'mysql' | 'mariadb';
  schema: string;
  table: string;
  step: string;
  emit: ProgressListener;
  signal?: AbortSignal | undefined;
  o: MyGuardOptions;
  /** Called before each attempt (counts it in the ledger). */
  onAttempt?: (n: number) => Promise<void>;
}

/** Runs one DDL under the guard; returns the attempts it took. */
export async function guardedDdl(g: GuardedDdl): Promise<number> {
  const { db, o } = g;
  const deadline = Date.now() + o.deadlineMs;
  // Who holds the table right now: a long transaction makes the first attempt wait, so wait for it outside the queue.
  const now = await blockersOf(db, g.schema, g.table, o);
  const holders = now.filter((b) => b.mode.startsWith('metadata'));
  if (now.length) g.emit({ type: 'blockers', step: g.step, table: `${g.schema}.${g.table}`, blockers: now });
  if (holders.length) await waitUntilGone(db, holders, Math.min(deadline, Date.now() + o.maxDelayMs * 4), g.signal);
  await db.query(`SET SESSION lock_wait_timeout = ${Math.max(1, Math.round(o.lockWaitSeconds))}`);
  try {
    for (let attempt = 1; ; attempt++) {
      await g.onAttempt?.(attempt);
      const sql = attemptSql(g.sql, g.flavor, attempt, o);
      try {
        await db.query(sql);
        return attempt;
      } catch (e: any) {
        const bounded = sql.startsWith('SET STATEMENT max_statement_time') && e?.errno === ER_STATEMENT_TIMEOUT;
        if ((!retriable(e) && !bounded) || e?.errno === 2013 || e?.errno === 2006) throw e;
        const blockers = await blockersOf(db, g.schema, g.table, o, 0).catch(() => [] as Blocker[]);
        if (Date.now() >= deadline) {
          const who = blockers.length ? `: held by ${blockers.map((b) => `connection ${b.pid} (${b.state}, transaction open ${Math.round(b.transactionSeconds)} s${b.query ? `: ${b.query}` : ''})`).join('; ')}` : '';
          throw new LockstepError('E_DATABASE', [{ where: `step ${g.step}`, message: `gave up after ${attempt} attempts in ${Math.round(o.deadlineMs / 1000)} s waiting for the metadata lock on ${g.schema}.${g.table}${who}` }], { cause: e });
        }
        const wait = backoff(attempt, o);
        g.emit({ type: 'lock-wait', step: g.step, attempt: attempt + 1, retryInMs: wait, blockers });
        // Out of the queue: wait for the blockers to end (a round at most 10 s, so one that is not the holder does not hold us up), then the backoff.
        if (blockers.length) await waitUntilGone(db, blockers, Math.min(deadline, Date.now() + 10_000), g.signal);
        await sleep(wait, g.signal);
      }
    }
  } finally {
    await db.query('SET SESSION lock_wait_timeout = DEFAULT').catch(() => {});
  }
}
