/**
 * lockstep's own online table copy for MySQL/MariaDB (the `lockstep` CopyEngine; copy-engine.ts is the
 * contract, docs/online-copy-mysql.md the user's page). Trigger-based, so it works with the binlog off
 * (the MariaDB default) and without replication privileges:
 *
 *   prepare   CREATE TABLE shadow LIKE t; ALTER TABLE shadow <the change>   (refusals checked first)
 *   triggers  AFTER INSERT/UPDATE/DELETE on t mirror every write into the shadow, in the writer's transaction
 *   copy      chunks in key order, INSERT … SELECT with READ COMMITTED consistent reads (no S locks on t),
 *             sized by time, throttled on Threads_running and replica lag; after each chunk a checksum of
 *             old vs new in ONE consistent snapshot, and a re-copy of a chunk that differs
 *   verify    row counts of both tables in one snapshot
 *   cut-over  RENAME TABLE t TO old, shadow TO t (atomic) with a short lock wait, jittered retries, naming blockers
 *   cleanup   drop the triggers and the old table (or keep the old table: `keepOld`)
 *
 * Progress lives in the ledger table `lockstep_copy` of the table's database, keyed by (change, step):
 * a run killed at any point is rerun with the same job and continues. GET_LOCK per table keeps two runs apart.
 */
import { createHash } from 'node:crypto';
import { LockstepError } from '../../core/errors.js';
import { redactIn, safeQueryText } from '../../core/redact.js';
import type { CopyEngine, CopyJob, CopyOptions, CopyPhase, CopyProgress, CopyResult } from './copy-engine.js';
import { connectMysql, retriable, type MyDb } from './driver.js';
import { quoteIdent as Q } from './names.js';
import { listedReplicaUrls } from './replicas.js';

export const LEDGER_TABLE = 'lockstep_copy';
/** MySQL/MariaDB identifier limit, in characters. */
const MAX_IDENT = 64;

type Phase = 'preparing' | 'prepared' | 'copying' | 'copied' | 'swapped' | 'done';

interface LedgerRow {
  change_name: string;
  step: string;
  table_name: string;
  shadow_name: string;
  old_name: string;
  alter_sql: string;
  phase: Phase;
  last_key: string | null;
  end_key: string | null;
  rows_copied: string | number;
  recopied: number;
  old_kept: number;
}

export interface CopyNames {
  shadow: string;
  old: string;
  triggers: { ins: string; upd: string; del: string };
}

/**
 * The shadow, old and trigger names of a copy: `_<table>_new_<hash>`, `_<table>_old_<hash>`,
 * `_<table>_ins_<hash>` …, the hash from (table, change, step) so a rerun finds what an earlier run made.
 * The table part is cut (by characters, never inside one) so every name fits in 64 characters.
 */
export function copyNames(table: string, change: string, step: string): CopyNames {
  const h = createHash('sha1').update(`${table}\u0000${change}\u0000${step}`).digest('hex').slice(0, 10);
  const fit = (kind: string): string => {
    const suffix = `_${kind}_${h}`;
    const room = MAX_IDENT - 1 - suffix.length;
    // Identifiers cannot end in a space: the cut must not leave one before the suffix either way.
    const prefix = Array.from(table).slice(0, room).join('').replace(/\s+$/u, '');
    return `_${prefix}${suffix}`;
  };
  return { shadow: fit('new'), old: fit('old'), triggers: { ins: fit('ins'), upd: fit('upd'), del: fit('del') } };
}

/** The GET_LOCK name of a table (at most 64 characters whatever the names). */
export function lockName(schema: string, table: string): string {
  return `lockstep_copy_${createHash('sha1').update(`${schema}\u0000${table}`).digest('hex').slice(0, 40)}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One column of a table, as information_schema says. */
interface Col {
  name: string;
  columnType: string;
  dataType: string;
  charset: string | null;
  generated: boolean;
  autoIncrement: boolean;
  nullable: boolean;
}

interface TableInfo {
  engine: string | null;
  type: string;
  rows: number | null;
  autoIncrement: number | null;
  columns: Col[];
  /** Unique indexes: name → columns (in order), with whether every column is NOT NULL and no prefix part. */
  uniques: { name: string; columns: string[]; usable: boolean }[];
}

async function tableInfo(db: MyDb, schema: string, table: string): Promise<TableInfo | undefined> {
  const [t] = await db.query<{ ENGINE: string | null; TABLE_TYPE: string; TABLE_ROWS: string | null; AUTO_INCREMENT: string | null }>(
    'SELECT ENGINE, TABLE_TYPE, TABLE_ROWS, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, table],
  );
  if (!t) return undefined;
  const cols = await db.query<{ COLUMN_NAME: string; COLUMN_TYPE: string; DATA_TYPE: string; CHARACTER_SET_NAME: string | null; EXTRA: string | null; IS_NULLABLE: string }>(
    `SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, CHARACTER_SET_NAME, EXTRA, IS_NULLABLE FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  const idx = await db.query<{ INDEX_NAME: string; COLUMN_NAME: string; SUB_PART: string | null; NULLABLE: string }>(
    `SELECT INDEX_NAME, COLUMN_NAME, SUB_PART, NULLABLE FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
    [schema, table],
  );
  const uniques: TableInfo['uniques'] = [];
  for (const r of idx) {
    let u = uniques.find((x) => x.name === r.INDEX_NAME);
    if (!u) uniques.push((u = { name: r.INDEX_NAME, columns: [], usable: true }));
    u.columns.push(r.COLUMN_NAME);
    if (r.SUB_PART !== null || r.NULLABLE === 'YES') u.usable = false;
  }
  return {
    engine: t.ENGINE,
    type: t.TABLE_TYPE,
    rows: t.TABLE_ROWS === null ? null : Number(t.TABLE_ROWS),
    autoIncrement: t.AUTO_INCREMENT === null ? null : Number(t.AUTO_INCREMENT),
    columns: cols.map((c) => ({
      name: c.COLUMN_NAME,
      columnType: c.COLUMN_TYPE,
      dataType: c.DATA_TYPE.toLowerCase(),
      charset: c.CHARACTER_SET_NAME,
      generated: /\b(VIRTUAL|STORED|PERSISTENT)\b/i.test(c.EXTRA ?? ''),
      autoIncrement: /auto_increment/i.test(c.EXTRA ?? ''),
      nullable: c.IS_NULLABLE !== 'NO',
    })),
    uniques,
  };
}

/** The key the copy walks: the primary key, else the first unique key whose columns are all NOT NULL. */
function chooseKey(info: TableInfo): { name: string; columns: string[] } | undefined {
  const k = info.uniques.find((u) => u.usable);
  return k && { name: k.name, columns: k.columns };
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The expression a column's value is compared through, on the old table's side, so a changed type does
 * not make every chunk differ: `DECIMAL(10,2)` read as `CAST(x AS DECIMAL(14,2))` prints like the new
 * column. Undefined: lockstep cannot tell how the server converts (ENUM, JSON, BLOB …) and leaves the
 * column out of the checksum (the key and the other columns still are compared).
 */
function comparable(src: Col, dst: Col): { src: string; dst: string } | undefined {
  const q = Q(src.name);
  const text = (x: string, c: Col) => (c.charset ? `CONVERT(${x} USING utf8mb4)` : x);
  if (src.columnType.toLowerCase() === dst.columnType.toLowerCase() && src.charset === dst.charset) return { src: text(q, src), dst: text(q, dst) };
  const ints = ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint'];
  const chars = ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext'];
  const t = dst.dataType;
  if (ints.includes(t)) return ints.includes(src.dataType) ? { src: q, dst: q } : { src: `CAST(${q} AS ${/unsigned/i.test(dst.columnType) ? 'UNSIGNED' : 'SIGNED'})`, dst: q };
  if (t === 'decimal') {
    const m = /\((\d+)(?:,(\d+))?\)/.exec(dst.columnType);
    return m ? { src: `CAST(${q} AS DECIMAL(${m[1]},${m[2] ?? 0}))`, dst: q } : undefined;
  }
  if (t === 'double') return { src: `CAST(${q} AS DOUBLE)`, dst: q };
  if (chars.includes(t) && (chars.includes(src.dataType) || !src.charset)) return { src: `CONVERT(${q} USING utf8mb4)`, dst: text(q, dst) };
  const frac = /\((\d)\)/.exec(dst.columnType)?.[1] ?? '0';
  if (t === 'date') return { src: `CAST(${q} AS DATE)`, dst: q };
  if (t === 'datetime' || t === 'timestamp') return { src: `CAST(${q} AS DATETIME(${frac}))`, dst: t === 'timestamp' ? `CAST(${q} AS DATETIME(${frac}))` : q };
  if (t === 'time') return { src: `CAST(${q} AS TIME(${frac}))`, dst: q };
  return undefined;
}

/** A key value as the ledger stores it (JSON; binary keys as hex). */
type KeyValue = string | number | { hex: string };
const encodeKey = (row: Record<string, unknown>, cols: string[]): KeyValue[] =>
  cols.map((c) => {
    const v = row[c];
    if (Buffer.isBuffer(v)) return { hex: v.toString('hex') };
    return typeof v === 'number' ? v : String(v);
  });
const bindKey = (k: KeyValue[]): unknown[] => k.map((v) => (typeof v === 'object' ? Buffer.from(v.hex, 'hex') : v));

/** `(k1 > ?) OR (k1 = ? AND k2 > ?) …`: rows strictly after `key` in key order, with its parameters. */
function after(cols: string[], key: KeyValue[], alias = ''): { sql: string; params: unknown[] } {
  const vals = bindKey(key);
  const ors: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < cols.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) {
      parts.push(`${alias}${Q(cols[j]!)} = ?`);
      params.push(vals[j]);
    }
    parts.push(`${alias}${Q(cols[i]!)} > ?`);
    params.push(vals[i]);
    ors.push(`(${parts.join(' AND ')})`);
  }
  return { sql: `(${ors.join(' OR ')})`, params };
}

/** The rows of one chunk: after `from` (or from the start) up to and including `to`. */
function range(cols: string[], from: KeyValue[] | null, to: KeyValue[]): { sql: string; params: unknown[] } {
  const upper = after(cols, to);
  const lower = from ? after(cols, from) : undefined;
  return {
    sql: `${lower ? `${lower.sql} AND ` : ''}NOT ${upper.sql}`,
    params: [...(lower?.params ?? []), ...upper.params],
  };
}

interface Ctx {
  db: MyDb;
  url: string;
  schema: string;
  job: CopyJob;
  names: CopyNames;
  mariadb: boolean;
  o: CopyOptions;
  emit: (e: CopyProgress) => void;
  /** `schema`.`name` */
  t: (name: string) => string;
}

function where(job: CopyJob, schema: string): string {
  return `copy of ${Q(schema)}.${Q(job.table)}`;
}

/** Identifiers may hold any character, newlines and terminal escapes too: a message stays one printable line. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');

function fail(code: 'E_INPUT' | 'E_DATABASE' | 'E_INTERRUPTED', ctx: { job: CopyJob; schema: string }, message: string, cause?: unknown): LockstepError {
  return new LockstepError(code, [{ where: oneLine(where(ctx.job, ctx.schema)), message: oneLine(message) }], cause ? { cause } : undefined);
}

/** A server error as one redacted line. */
const errText = (e: any, url: string): string => redactIn(String(e?.sqlMessage ?? e?.message ?? e), url);

async function ensureLedger(db: MyDb, schema: string): Promise<void> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${Q(schema)}.${Q(LEDGER_TABLE)} (
       change_name VARCHAR(191) NOT NULL,
       step VARCHAR(191) NOT NULL,
       table_name VARCHAR(64) NOT NULL,
       shadow_name VARCHAR(64) NOT NULL,
       old_name VARCHAR(64) NOT NULL,
       alter_sql MEDIUMTEXT NOT NULL,
       phase VARCHAR(16) NOT NULL,
       last_key MEDIUMTEXT NULL,
       end_key MEDIUMTEXT NULL,
       rows_copied BIGINT NOT NULL DEFAULT 0,
       recopied INT NOT NULL DEFAULT 0,
       old_kept TINYINT NOT NULL DEFAULT 0,
       started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
       updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
       PRIMARY KEY (change_name, step)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  );
}

async function ledgerExists(db: MyDb, schema: string): Promise<boolean> {
  const r = await db.query('SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [schema, LEDGER_TABLE]);
  return r.length > 0;
}

async function tableExists(db: MyDb, schema: string, name: string): Promise<boolean> {
  const r = await db.query('SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [schema, name]);
  return r.length > 0;
}

async function triggersOn(db: MyDb, schema: string, table: string): Promise<string[]> {
  const r = await db.query<{ n: string }>('SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME', [schema, table]);
  return r.map((x) => x.n);
}

async function setPhase(db: MyDb, schema: string, job: CopyJob, phase: Phase, extra: Record<string, unknown> = {}): Promise<void> {
  const sets = ['phase = ?', ...Object.keys(extra).map((k) => `${Q(k)} = ?`)];
  await db.query(`UPDATE ${Q(schema)}.${Q(LEDGER_TABLE)} SET ${sets.join(', ')} WHERE change_name = ? AND step = ?`, [phase, ...Object.values(extra), job.change, job.step]);
}

/**
 * Takes the per-table lock for the whole session (held until release or the connection ends, so a
 * killed run frees it). A second run refuses in one line naming the connection that holds it.
 */
async function takeLock(db: MyDb, schema: string, table: string, w: string): Promise<string> {
  const name = lockName(schema, table);
  const [r] = await db.query<{ ok: number | null; holder: number | null }>('SELECT GET_LOCK(?, 2) AS ok, IS_USED_LOCK(?) AS holder', [name, name]);
  if (Number(r?.ok) !== 1) {
    throw new LockstepError('E_INPUT', [
      { where: oneLine(w), message: `another lockstep copy of this table is running (connection ${r?.holder ?? '?'}); wait for it to finish, or stop it and run cleanup` },
    ]);
  }
  return name;
}

/** The sessions most likely to hold a metadata lock the DDL waits for, redacted and without control characters. */
async function blockers(ctx: Ctx, tables: string[]): Promise<{ id: number; seconds: number; query: string }[]> {
  const { db, url, schema } = ctx;
  const clean = (q: string | null, idle: boolean) => safeQueryText(redactIn(q ?? (idle ? '(idle in transaction)' : ''), url));
  try {
    const [ps] = await db.query<{ on: number }>('SELECT @@performance_schema AS `on`');
    if (Number(ps?.on) === 1) {
      const rows = await db.query<{ id: number; seconds: number; q: string | null }>(
        `SELECT DISTINCT p.ID AS id, p.TIME AS seconds, p.INFO AS q
           FROM performance_schema.metadata_locks ml
           JOIN performance_schema.threads th ON th.THREAD_ID = ml.OWNER_THREAD_ID
           JOIN information_schema.PROCESSLIST p ON p.ID = th.PROCESSLIST_ID
          WHERE ml.OBJECT_SCHEMA = ? AND ml.OBJECT_NAME IN (${tables.map(() => '?').join(', ')})
            AND ml.LOCK_STATUS = 'GRANTED' AND p.ID <> CONNECTION_ID() LIMIT 5`,
        [schema, ...tables],
      );
      if (rows.length) return rows.map((r) => ({ id: Number(r.id), seconds: Number(r.seconds), query: clean(r.q, true) }));
    }
  } catch {
    /* performance_schema not readable: fall back to the transaction list */
  }
  const rows = await db.query<{ id: number; seconds: number; q: string | null; state: string | null }>(
    `SELECT p.ID AS id, TIMESTAMPDIFF(SECOND, x.trx_started, NOW()) AS seconds, COALESCE(x.trx_query, p.INFO) AS q, p.STATE AS state
       FROM information_schema.INNODB_TRX x JOIN information_schema.PROCESSLIST p ON p.ID = x.trx_mysql_thread_id
      WHERE p.ID <> CONNECTION_ID() AND COALESCE(p.STATE, '') NOT LIKE 'Waiting for table metadata lock%'
      ORDER BY x.trx_started LIMIT 5`,
  );
  return rows.map((r) => ({ id: Number(r.id), seconds: Number(r.seconds), query: clean(r.q, true) }));
}

const isLockWait = (e: any) => e?.errno === 1205 || e?.errno === 1969 /* max_statement_time */ || e?.errno === 3024;

/**
 * Runs a DDL statement that needs an exclusive metadata lock with a short wait (MariaDB: sub-second,
 * through max_statement_time; MySQL: lock_wait_timeout in whole seconds) and jittered retries; each
 * wait names the sessions that hold the table.
 */
async function ddlWithRetry(ctx: Ctx, what: string, tables: string[], run: () => Promise<unknown>): Promise<void> {
  const { db, o } = ctx;
  const waitMs = Math.max(1, o.lockWaitMs ?? (o.lockWaitTimeoutSeconds !== undefined ? o.lockWaitTimeoutSeconds * 1000 : 500));
  const attempts = Math.max(1, o.attempts ?? 10);
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  let last: { id: number; seconds: number; query: string }[] = [];
  for (let attempt = 1; ; attempt++) {
    await db.query(`SET SESSION lock_wait_timeout = ${seconds}`);
    if (ctx.mariadb) await db.query(`SET SESSION max_statement_time = ${(waitMs / 1000).toFixed(3)}`);
    try {
      await run();
      return;
    } catch (e: any) {
      if (!isLockWait(e) && e?.errno !== 1213) throw e;
    } finally {
      if (ctx.mariadb) await db.query('SET SESSION max_statement_time = 0');
    }
    last = await blockers(ctx, tables);
    if (attempt >= attempts) break;
    const retryInMs = Math.round(Math.min(250 * 2 ** (attempt - 1), 8000) * (0.5 + Math.random()));
    ctx.emit({ type: 'copy-lock-wait', what, attempt, retryInMs, blockers: last });
    await sleep(retryInMs);
    checkSignal(ctx, `before retrying ${what}`);
  }
  const who = last.length ? `, held by ${last.map((b) => `connection ${b.id} (${b.seconds} s${b.query ? `: ${b.query}` : ''})`).join(', ')}` : '';
  throw fail('E_DATABASE', ctx, `${what} waited ${attempts} times for the metadata lock on the table${who}; rerun to continue (the shadow table is kept current by the triggers), or abort`);
}

function checkSignal(ctx: Ctx, when: string): void {
  if (ctx.o.signal?.aborted) throw fail('E_INTERRUPTED', ctx, `stopped ${when}; rerun the same job to continue`);
}

/** Why the copy cannot be made on this table, checked before anything is created. */
async function refusals(ctx: Ctx, info: TableInfo | undefined): Promise<string | undefined> {
  const { db, schema, job } = ctx;
  const name = `${Q(schema)}.${Q(job.table)}`;
  if (!info) return `table ${name} does not exist`;
  if (info.type !== 'BASE TABLE') return `${name} is a ${info.type.toLowerCase()}, not a table`;
  if ((info.engine ?? '').toLowerCase() !== 'innodb') return `${name} uses the ${info.engine} engine; the online copy needs InnoDB (consistent reads and row locks)`;
  if (!chooseKey(info)) return `${name} has no primary key and no unique key on NOT NULL columns; the online copy walks and mirrors rows by key: add a primary key first`;
  const incoming = await db.query<{ s: string; t: string; c: string }>(
    `SELECT CONSTRAINT_SCHEMA AS s, TABLE_NAME AS t, CONSTRAINT_NAME AS c FROM information_schema.REFERENTIAL_CONSTRAINTS
      WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? AND NOT (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?)`,
    [schema, job.table, schema, job.table],
  );
  if (incoming.length) {
    const list = incoming.map((r) => `${Q(r.t)}.${Q(r.c)}`).join(', ');
    return `foreign keys point at ${name} (${list}); after the swap they would point at the old table. Drop them, run the change, and add them back (with foreign_key_checks=0 that is instant), or use --engine pt-osc`;
  }
  const outgoing = await db.query<{ c: string }>('SELECT CONSTRAINT_NAME AS c FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?', [schema, job.table]);
  if (outgoing.length) {
    return `${name} has foreign keys (${outgoing.map((r) => Q(r.c)).join(', ')}); CREATE TABLE … LIKE does not copy them, so the swapped table would lose them: drop them first and add them back after (instant with foreign_key_checks=0), or use --engine pt-osc`;
  }
  const own = new Set(Object.values(ctx.names.triggers));
  const theirs = (await triggersOn(db, schema, job.table)).filter((n) => !own.has(n));
  if (theirs.length) {
    return `${name} has triggers (${theirs.map(Q).join(', ')}); they would stay with the old table at the swap, so the new table would silently lose them: drop them first and re-create them after, or use --engine pt-osc`;
  }
  return undefined;
}

/** What the copy needs to know about both tables: the key, the columns copied, and how each is compared. */
interface Shape {
  key: { name: string; columns: string[] };
  /** Columns copied (in both tables, not generated in the new one), by the old table's names. */
  common: string[];
  /** Per common column, the expressions compared (old side, new side); columns without one are not checked. */
  compare: { src: string; dst: string }[];
  /** Common columns that may be NULL in either table: the checksum marks which are (CONCAT_WS skips NULLs). */
  nullable: string[];
  unchecked: string[];
  /**
   * The new table has an AUTO_INCREMENT column. InnoDB (innodb_autoinc_lock_mode 1, the default) holds a
   * table-level AUTO-INC lock for a whole INSERT … SELECT, and every writer's insert (through the
   * trigger) queues behind it — a stall of the chunk's length, and a deadlock when the chunk then waits
   * for a row that writer holds. Such tables are copied by reading the chunk and inserting it with
   * multi-row VALUES (a "simple insert": no table lock), each value in a form that survives the trip.
   */
  autoInc: boolean;
  /**
   * For the client path: an expression over the old table that the server turns into the SQL text of
   * one row's VALUES tuple, `(1,12.50,_utf8mb4 X'6E6F7465','2026-01-01 00:00:00')`. The client only
   * joins these strings into INSERT statements: no value is parsed or escaped in JavaScript.
   */
  tuple: string;
}

const BINARY_TYPES = /^(binary|varbinary|tinyblob|blob|mediumblob|longblob|geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection)$/;
const NUMERIC_TYPES = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|double|real)$/;

/**
 * The SQL literal of one column's value, written by the server (NULL as `NULL`), in a form that comes
 * back unchanged: text as its own bytes in hex with its charset's introducer (`_latin1 X'E9'`, then
 * converted to the new column's charset by the insert), binary as `X'…'`, BIT as its number, FLOAT
 * through DOUBLE (whose text is the shortest that reads back the same value), numbers as printed,
 * everything else (dates, times, YEAR) quoted as printed — TIMESTAMPs in UTC, the copy sessions'
 * time zone, so no value falls in a daylight-saving overlap.
 */
function literal(c: Col): string {
  const q = Q(c.name);
  const hex = (introducer: string) => `IF(${q} IS NULL, 'NULL', CONCAT('${introducer}X''', HEX(${q}), ''''))`;
  if (c.charset) return hex(/^\w+$/.test(c.charset) ? `_${c.charset} ` : '');
  if (BINARY_TYPES.test(c.dataType)) return hex('');
  if (c.dataType === 'bit') return `IFNULL(CAST(${q} AS UNSIGNED), 'NULL')`;
  if (c.dataType === 'float') return `IFNULL(CAST(${q} AS DOUBLE), 'NULL')`;
  if (NUMERIC_TYPES.test(c.dataType)) return `IFNULL(${q}, 'NULL')`;
  return `QUOTE(${q})`;
}

async function shape(ctx: Ctx, src: TableInfo): Promise<Shape | string> {
  const dst = await tableInfo(ctx.db, ctx.schema, ctx.names.shadow);
  if (!dst) return 'the shadow table disappeared';
  const key = chooseKey(src)!;
  const newKey = dst.uniques.find((u) => u.columns.length === key.columns.length && u.columns.every((c, i) => same(c, key.columns[i]!)));
  if (!newKey) return `the change removes the key (${key.columns.map(Q).join(', ')}) the copy mirrors rows by; it cannot be done with an online copy`;
  const added = dst.uniques.filter((u) => !src.uniques.some((s) => s.columns.length === u.columns.length && s.columns.every((c, i) => same(c, u.columns[i]!))));
  if (added.length) {
    return `the change adds unique key ${added.map((u) => Q(u.name)).join(', ')}: copying into it would silently drop or replace rows with duplicate values; add it with ALTER TABLE … ADD UNIQUE …, ALGORITHM=INPLACE, LOCK=NONE instead`;
  }
  const lost = src.columns.filter((c) => !dst.columns.some((d) => same(d.name, c.name)) && !c.generated);
  const drops = lost.filter((c) => !new RegExp(`\\bDROP\\s+(COLUMN\\s+)?(${escapeRe(Q(c.name))}|${escapeRe(c.name)})(?=\\s|,|$)`, 'iu').test(ctx.job.alter));
  if (drops.length) return `the change removes column(s) ${drops.map((c) => Q(c.name)).join(', ')} without DROP COLUMN (a rename?): the copy would lose their data; rename columns with ALTER TABLE … RENAME COLUMN, ALGORITHM=INSTANT instead`;
  const common: string[] = [];
  const compare: Shape['compare'] = [];
  const unchecked: string[] = [];
  const literals: string[] = [];
  const nullable: string[] = [];
  for (const c of src.columns) {
    const d = dst.columns.find((x) => same(x.name, c.name));
    if (!d || d.generated) continue;
    common.push(c.name);
    if (c.nullable || d.nullable) nullable.push(c.name);
    literals.push(literal(c));
    const cmp = comparable(c, d);
    if (cmp) compare.push(cmp);
    else unchecked.push(c.name);
  }
  const lockMode = await ctx.db.query<{ m: number | string | null }>('SELECT @@innodb_autoinc_lock_mode AS m').then((r) => r[0]?.m, () => null);
  const tuple = `CONCAT('(', ${literals.join(", ',', ")}, ')')`;
  return { key, common, compare, nullable, unchecked, autoInc: needsClientCopy(dst.columns.some((c) => c.autoIncrement), lockMode), tuple };
}

/**
 * Whether the chunks must go through the client (multi-row VALUES) instead of INSERT … SELECT: only
 * when the new table has an AUTO_INCREMENT column and InnoDB takes its table-level AUTO-INC lock for
 * bulk inserts — lock modes 0 and 1 (MariaDB's default is 1). In mode 2 ("interleaved", MySQL 8's
 * default) no insert takes that lock, so the faster INSERT … SELECT is safe for the writers. An unknown
 * mode counts as one that takes it.
 */
export function needsClientCopy(hasAutoIncrement: boolean, lockMode: number | string | null | undefined): boolean {
  return hasAutoIncrement && Number(lockMode) !== 2;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function createTriggers(ctx: Ctx, sh: Shape): Promise<void> {
  const { db, schema, job, names } = ctx;
  const existing = new Set(await triggersOn(db, schema, job.table));
  const src = ctx.t(job.table);
  const dst = ctx.t(names.shadow);
  const cols = sh.common.map(Q).join(', ');
  const vals = (p: string) => sh.common.map((c) => `${p}.${Q(c)}`).join(', ');
  const keyIs = (p: string) => sh.key.columns.map((c) => `${dst}.${Q(c)} = ${p}.${Q(c)}`).join(' AND ');
  const keySame = sh.key.columns.map((c) => `OLD.${Q(c)} <=> NEW.${Q(c)}`).join(' AND ');
  // Insert the row, or overwrite it where it is: ON DUPLICATE KEY UPDATE locks only the duplicate key's
  // record, where REPLACE takes a next-key lock (the gap before it too) that copy chunks and other
  // writers' inserts would queue on.
  const upsert = `INSERT INTO ${dst} (${cols}) VALUES (${vals('NEW')}) ON DUPLICATE KEY UPDATE ${sh.common.map((c) => `${Q(c)} = NEW.${Q(c)}`).join(', ')}`;
  const bodies: [keyof CopyNames['triggers'], string, string][] = [
    ['ins', 'INSERT', upsert],
    ['upd', 'UPDATE', `BEGIN DELETE IGNORE FROM ${dst} WHERE NOT (${keySame}) AND ${keyIs('OLD')}; ${upsert}; END`],
    ['del', 'DELETE', `DELETE IGNORE FROM ${dst} WHERE ${keyIs('OLD')}`],
  ];
  for (const [k, event, body] of bodies) {
    const name = names.triggers[k];
    if (existing.has(name)) continue;
    await ddlWithRetry(ctx, `CREATE TRIGGER (${event})`, [job.table], () => db.query(`CREATE TRIGGER ${ctx.t(name)} AFTER ${event} ON ${src} FOR EACH ROW ${body}`));
  }
}

async function dropTriggers(ctx: Ctx, on: string, removed?: string[]): Promise<void> {
  const present = new Set(await triggersOn(ctx.db, ctx.schema, on));
  for (const n of Object.values(ctx.names.triggers)) {
    if (!present.has(n)) continue;
    await ddlWithRetry(ctx, 'DROP TRIGGER', [on], () => ctx.db.query(`DROP TRIGGER IF EXISTS ${ctx.t(n)}`));
    removed?.push(`trigger ${Q(ctx.schema)}.${Q(n)}`);
  }
}

/** Pauses while the server is busy or a replica lags; returns when the copy may go on. */
class Throttle {
  private replicas: { label: string; db: MyDb }[] | undefined;
  constructor(private readonly ctx: Ctx) {}

  private async connectReplicas(): Promise<{ label: string; db: MyDb }[]> {
    if (this.replicas) return this.replicas;
    const { db, url, o } = this.ctx;
    let urls = o.replicas;
    if (!urls) {
      // Replicas that registered with report_host, reached with the primary's credentials.
      urls = await listedReplicaUrls(db, url);
    }
    this.replicas = [];
    for (const r of urls) {
      const label = new URL(r).host;
      try {
        this.replicas.push({ label, db: await connectMysql(r, { where: `replica ${label}`, readOnly: true }) });
      } catch (e: any) {
        if (o.replicas) throw e;
        this.ctx.emit({ type: 'copy-paused', reason: `replica ${label} is not reachable with the primary's credentials; its lag is not checked (pass replicas explicitly)` });
      }
    }
    return this.replicas;
  }

  /** Seconds behind of the worst replica (Infinity when one's replication is stopped), or undefined without replicas. */
  private async lag(): Promise<{ label: string; seconds: number } | undefined> {
    let worst: { label: string; seconds: number } | undefined;
    for (const r of await this.connectReplicas()) {
      let rows: Record<string, unknown>[];
      try {
        rows = await r.db.query('SHOW REPLICA STATUS');
      } catch {
        rows = await r.db.query('SHOW SLAVE STATUS');
      }
      for (const s of rows) {
        const v = s.Seconds_Behind_Source ?? s.Seconds_Behind_Master;
        const seconds = v === null || v === undefined ? Infinity : Number(v);
        if (!worst || seconds > worst.seconds) worst = { label: r.label, seconds };
      }
    }
    return worst;
  }

  async wait(): Promise<void> {
    const { db, o } = this.ctx;
    const maxThreads = o.maxThreadsRunning ?? 25;
    const maxLagS = (o.maxReplicaLagMs ?? 2000) / 1000;
    for (let i = 0; ; i++) {
      const [s] = await db.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Threads_running'");
      const running = Number(s?.Value ?? 0);
      let reason: string | undefined;
      if (running > maxThreads) reason = `Threads_running is ${running} (more than ${maxThreads})`;
      else {
        const lag = await this.lag();
        if (lag && lag.seconds > maxLagS) reason = lag.seconds === Infinity ? `replica ${lag.label} is not replicating` : `replica ${lag.label} is ${lag.seconds} s behind (more than ${maxLagS} s)`;
      }
      if (!reason) return;
      if (i % 20 === 0) this.ctx.emit({ type: 'copy-paused', reason });
      await sleep(250);
      checkSignal(this.ctx, 'while paused');
    }
  }

  async close(): Promise<void> {
    for (const r of this.replicas ?? []) await r.db.close();
  }
}

/** Checksum (count, BIT_XOR of row CRCs) of one key range of both tables, read in one consistent snapshot. */
async function checksum(db: MyDb, ctx: Ctx, sh: Shape, from: KeyValue[] | null, to: KeyValue[]): Promise<boolean> {
  const { job, names } = ctx;
  const r = range(sh.key.columns, from, to);
  // Which columns are NULL, for those that can be (a column NOT NULL in both tables never is).
  const nulls = sh.nullable.length ? [`CONCAT(${sh.nullable.map((c) => `ISNULL(${Q(c)})`).join(', ')})`] : [];
  const crc = (side: 'src' | 'dst') => {
    const parts = [...sh.compare.map((c) => c[side]), ...nulls];
    return `COALESCE(BIT_XOR(CRC32(CONCAT_WS('#', ${parts.length ? parts.join(', ') : "''"}))), 0)`;
  };
  const q = (table: string, side: 'src' | 'dst') => `SELECT COUNT(*) AS n, ${crc(side)} AS x FROM ${ctx.t(table)} WHERE ${r.sql}`;
  await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await db.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  try {
    const [a] = await db.query<{ n: string; x: string }>(q(job.table, 'src'), r.params);
    const [b] = await db.query<{ n: string; x: string }>(q(names.shadow, 'dst'), r.params);
    return String(a?.n) === String(b?.n) && String(a?.x) === String(b?.x);
  } finally {
    await db.query('COMMIT');
  }
}

/** One chunk of the copy: the rows after `from` (or from the start) up to and including `to`, in key order. */
interface Chunk {
  from: KeyValue[] | null;
  to: KeyValue[];
  /** Rows asked for when the chunk was cut (the next chunks are sized from it and the write's time). */
  size: number;
  /** Client path: the chunk's rows as VALUES tuples, read ahead of the write; dropped once written. */
  tuples?: string[];
  /** Rows this run wrote (the server's affected rows). */
  rows: number;
  /** How long the write took, ms. */
  ms: number;
}

/** How chunks are read and written: through the client (VALUES tuples) or with INSERT … SELECT on the server. */
interface Copier {
  /** The chunk after `from` (about `size` rows, never past the copy's end key), or undefined at the end. A consistent read: no locks. */
  next(db: MyDb, from: KeyValue[] | null, size: number): Promise<Chunk | undefined>;
  /** Writes a chunk that next() cut, on one or more sessions; sets its rows. */
  write(dbs: MyDb[], c: Chunk): Promise<void>;
  /** Copies a chunk's range from the table again (in the caller's transaction; `locking`: a shared-lock read); the rows written. */
  again(db: MyDb, c: Chunk, locking: boolean): Promise<number>;
}

/** The largest INSERT the client path sends: 1 MB, or less when max_allowed_packet is smaller (a character may take 4 bytes). */
export function statementLimit(maxAllowedPacket: number): number {
  const packet = Number.isFinite(maxAllowedPacket) && maxAllowedPacket > 0 ? maxAllowedPacket : 4 * 2 ** 20;
  return Math.max(16 * 1024, Math.min(STATEMENT_BYTES, Math.floor((packet - 4096) / 4)));
}
const STATEMENT_BYTES = 1_000_000;
/** Sessions that write a chunk's statements side by side on the client path (its disjoint parts never wait for each other). */
const WRITE_SESSIONS = 2;

function copier(ctx: Ctx, sh: Shape, endKey: KeyValue[], maxPacket: number): Copier {
  const keyCols = sh.key.columns;
  const keyList = keyCols.map(Q).join(', ');
  const keyDesc = keyCols.map((c) => `${Q(c)} DESC`).join(', ');
  const hint = `FORCE INDEX (${Q(sh.key.name)})`;
  const src = ctx.t(ctx.job.table);
  const dst = ctx.t(ctx.names.shadow);
  const cols = sh.common.map(Q).join(', ');
  const firstKey = `${dst}.${Q(keyCols[0]!)}`;
  // A duplicate is a row a trigger already wrote (newer than this read): keep it. Any other problem
  // (a value that does not fit the new type) is an error, not a warning as under INSERT IGNORE.
  const onDup = `ON DUPLICATE KEY UPDATE ${firstKey} = ${firstKey}`;
  // Only up to the last key that existed once the triggers were in place: rows after it were
  // inserted since, through the triggers, and chasing them would never end under inserts.
  const end = after(keyCols, endKey);
  const upTo = (from: KeyValue[] | null) => {
    const lower = from ? after(keyCols, from) : undefined;
    return { sql: `${lower ? `${lower.sql} AND ` : ''}NOT ${end.sql}`, params: [...(lower?.params ?? []), ...end.params] };
  };
  const keyOf = (row: unknown[]) => encodeKey(Object.fromEntries(keyCols.map((c, i) => [c, row[i]])), keyCols);

  if (!sh.autoInc) {
    const again = async (db: MyDb, c: Chunk, locking: boolean): Promise<number> => {
      const r = range(keyCols, c.from, c.to);
      const res: any = await db.query(`INSERT INTO ${dst} (${cols}) SELECT ${cols} FROM ${src} ${hint} WHERE ${r.sql}${locking ? ' LOCK IN SHARE MODE' : ''} ${onDup}`, r.params);
      return Number(res?.affectedRows ?? 0);
    };
    return {
      async next(db, from, size) {
        const r = upTo(from);
        let [edge] = await db.query<Record<string, unknown>>(`SELECT ${keyList} FROM ${src} ${hint} WHERE ${r.sql} ORDER BY ${keyList} LIMIT 1 OFFSET ${size - 1}`, r.params);
        if (!edge) [edge] = await db.query<Record<string, unknown>>(`SELECT ${keyList} FROM ${src} ${hint} WHERE ${r.sql} ORDER BY ${keyDesc} LIMIT 1`, r.params);
        return edge ? { from, to: encodeKey(edge, keyCols), size, rows: 0, ms: 0 } : undefined;
      },
      async write(dbs, c) {
        c.rows = await again(dbs[0]!, c, false);
      },
      again,
    };
  }

  // The client path. The server prints each row as the text of its VALUES tuple; the key columns come
  // along, so the chunk's last key is read with its rows (no separate query for the chunk's edge).
  const limit = statementLimit(maxPacket);
  const head = `INSERT INTO ${dst} (${cols}) VALUES `;
  const tail = ` ${onDup}`;
  const room = limit - Buffer.byteLength(head) - Buffer.byteLength(tail);
  const tuplesOf = (got: unknown[][]): string[] => {
    const k = keyCols.length;
    const out = new Array<string>(got.length);
    for (let i = 0; i < got.length; i++) {
      const t = got[i]![k];
      // CONCAT gives NULL (and a warning) when its result would exceed max_allowed_packet.
      if (t === null || t === undefined) {
        throw fail('E_DATABASE', ctx, `the row with key ${JSON.stringify(keyOf(got[i]!))} does not fit in max_allowed_packet (${maxPacket} bytes) as SQL text (text and binary values travel as hex, twice their size): raise max_allowed_packet on the server, or use --engine pt-osc`);
      }
      out[i] = typeof t === 'string' ? t : String(t);
    }
    return out;
  };
  /** Inserts the tuples in statements of at most `limit` bytes, the sessions taking the next statement in turn. */
  const insert = async (dbs: MyDb[], tuples: string[]): Promise<number> => {
    let i = 0;
    let n = 0;
    let failed = false;
    const statement = (): string | undefined => {
      if (failed || i >= tuples.length) return undefined;
      const start = i;
      let len = 0;
      // The tuples are ASCII (hex, digits, dates) unless a value is printed as text (QUOTE): a tuple
      // that is not is counted by its UTF-8 bytes.
      for (; i < tuples.length; i++) {
        const t = tuples[i]!;
        const bytes = /^[\x00-\x7f]*$/.test(t) ? t.length : Buffer.byteLength(t);
        if (i > start && len + bytes + 1 > room) break;
        len += bytes + 1;
      }
      return head + (i - start === 1 ? tuples[start]! : tuples.slice(start, i).join(',')) + tail;
    };
    const results = await Promise.allSettled(
      dbs.map(async (db) => {
        for (let sql = statement(); sql !== undefined; sql = statement()) {
          try {
            const res: any = await db.query(sql);
            n += Number(res?.affectedRows ?? 0);
          } catch (e) {
            failed = true;
            throw e;
          }
        }
      }),
    );
    const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) throw bad.reason;
    return n;
  };
  return {
    async next(db, from, size) {
      const r = upTo(from);
      const got = await db.rows(`SELECT ${keyList}, ${sh.tuple} FROM ${src} ${hint} WHERE ${r.sql} ORDER BY ${keyList} LIMIT ${size}`, r.params);
      if (!got.length) return undefined;
      return { from, to: keyOf(got[got.length - 1]!), size, tuples: tuplesOf(got), rows: 0, ms: 0 };
    },
    async write(dbs, c) {
      c.rows = await insert(dbs, c.tuples ?? []);
      c.tuples = undefined;
    },
    async again(db, c, locking) {
      const r = range(keyCols, c.from, c.to);
      const got = await db.rows(`SELECT ${keyList}, ${sh.tuple} FROM ${src} ${hint} WHERE ${r.sql}${locking ? ' LOCK IN SHARE MODE' : ''}`, r.params);
      return insert([db], tuplesOf(got));
    },
  };
}

/**
 * The copy loop, from the ledger's last key to the end key, on two sessions of its own: while one
 * writes chunk N, the other reads chunk N+1 ahead and verifies chunk N-1 behind (checksum, re-copy
 * while it differs), and the control session records N-1 in the ledger. The ranges are disjoint, so
 * the sessions never wait for each other; the ledger's last key only moves past verified chunks, in
 * order. A chunk read ahead can be older than the rows the triggers write meanwhile: the write keeps
 * those (ON DUPLICATE KEY), and a row deleted in between is what the checksum catches.
 */
async function copyRows(
  ctx: Ctx,
  sh: Shape,
  startKey: KeyValue[] | null,
  endKey: KeyValue[] | null,
  total: number | null,
  session: (db: MyDb) => Promise<void>,
): Promise<{ rows: number; recopied: number }> {
  const { db, job, o } = ctx;
  const target = Math.max(10, o.chunkTargetMs ?? 500);
  const throttle = new Throttle(ctx);
  const ledger = ctx.t(LEDGER_TABLE);
  let size = 1000;
  let rows = 0;
  let recopied = 0;
  const started = Date.now();
  const [done] = await db.query<{ n: string }>(`SELECT rows_copied AS n FROM ${ledger} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
  let copiedSoFar = Number(done?.n ?? 0);
  const sessions: MyDb[] = [];
  try {
    checkSignal(ctx, 'between chunks');
    await throttle.wait();
    if (!endKey) return { rows, recopied }; // the table was empty when the triggers were made: they mirror every row since
    for (let i = 0; i < 1 + (sh.autoInc ? WRITE_SESSIONS : 1); i++) {
      const s = await connectMysql(ctx.url, { where: where(job, ctx.schema) });
      sessions.push(s);
      await session(s);
    }
    const [reader, ...writers] = sessions as [MyDb, ...MyDb[]];
    const [mp] = await reader.query<{ p: string }>('SELECT @@max_allowed_packet AS p');
    const io = copier(ctx, sh, endKey, Number(mp?.p));

    const write = async (c: Chunk): Promise<void> => {
      const t0 = Date.now();
      try {
        await retry(() => io.write(writers, c));
      } catch (e: any) {
        if (e instanceof LockstepError) throw e;
        throw fail('E_DATABASE', ctx, `copying the rows after key ${JSON.stringify(c.from)} up to ${JSON.stringify(c.to)} failed: ${errText(e, ctx.url)}`, e);
      }
      c.ms = Date.now() - t0;
    };
    // Verifies a written chunk (a difference — a row deleted between the read and the write — is
    // re-copied), then records it and reports progress.
    const settle = async (c: Chunk): Promise<void> => {
      let attempts = 0;
      while (!(await checksum(reader, ctx, sh, c.from, c.to))) {
        attempts++;
        if (attempts > 5) throw fail('E_DATABASE', ctx, `the chunk after key ${JSON.stringify(c.from)} up to ${JSON.stringify(c.to)} still differs after ${attempts - 1} copies: the new definition changes the values (see docs/online-copy-mysql.md); nothing was swapped, abort or fix the change`);
        // After three re-copies the fourth reads with shared locks: writers wait for that one chunk.
        const locking = attempts > 3;
        const r = range(sh.key.columns, c.from, c.to);
        await retry(async () => {
          await reader.query('START TRANSACTION');
          try {
            await reader.query(`DELETE FROM ${ctx.t(ctx.names.shadow)} WHERE ${r.sql}`, r.params);
            await io.again(reader, c, locking);
            await reader.query('COMMIT');
          } catch (e) {
            await reader.query('ROLLBACK').catch(() => {});
            throw e;
          }
        });
        recopied++;
        ctx.emit({ type: 'copy-chunk-mismatch', from: JSON.stringify(c.from), to: JSON.stringify(c.to), recopied: true });
      }
      rows += c.rows;
      copiedSoFar += c.rows;
      await db.query(`UPDATE ${ledger} SET last_key = ?, rows_copied = rows_copied + ?, recopied = recopied + ? WHERE change_name = ? AND step = ?`, [
        JSON.stringify(c.to),
        c.rows,
        attempts,
        job.change,
        job.step,
      ]);
      const secs = (Date.now() - started) / 1000;
      const rps = secs > 0 ? rows / secs : 0;
      ctx.emit({
        type: 'copy-progress',
        rows: copiedSoFar,
        total,
        rowsPerSecond: Math.round(rps),
        etaSeconds: total !== null && rps > 0 ? Math.max(0, Math.round((total - copiedSoFar) / rps)) : null,
        chunkSize: size,
      });
    };

    let next = await io.next(reader, startKey, size);
    let pending: Chunk | undefined; // written, not verified yet
    while (next || pending) {
      const cur = next;
      const [w, b] = await Promise.allSettled([
        cur ? write(cur) : undefined,
        (async () => {
          const ahead = cur ? await io.next(reader, cur.to, size) : undefined;
          if (pending) await settle(pending);
          return ahead;
        })(),
      ]);
      if (w.status === 'rejected') throw w.reason;
      if (b.status === 'rejected') throw b.reason;
      pending = cur;
      next = b.value;
      // Size the next chunks by the write's time: towards the target, at most doubling or halving.
      if (cur) size = Math.min(Math.max(Math.round((cur.size * target) / Math.max(1, cur.ms)), Math.floor(size / 2), 10), size * 2, 200_000);
      checkSignal(ctx, 'between chunks');
      await throttle.wait();
    }
  } finally {
    await throttle.close();
    for (const s of sessions) await s.close();
  }
  return { rows, recopied };
}

/** Retries a statement that lost a deadlock or a row-lock wait (the copy is the one that waits, not the writers). */
async function retry<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e: any) {
      if (!retriable(e) || e?.errno === 2013 || e?.errno === 2006 || i >= 10) throw e;
      await sleep(50 * i * (0.5 + Math.random()));
    }
  }
}

async function openCtx(url: string, job: CopyJob, o: CopyOptions, w: string): Promise<Ctx> {
  const db = await connectMysql(url, { where: w });
  try {
    const [r] = await db.query<{ d: string | null; v: string }>('SELECT DATABASE() AS d, VERSION() AS v');
    const schema = job.schema ?? r?.d;
    if (!schema) throw new LockstepError('E_USAGE', [{ where: w, message: 'no database: name it in the URL (mysql://user@host:3306/app) or in the job' }]);
    const emit = (e: CopyProgress) => {
      try {
        o.onProgress?.(e);
      } catch {
        /* a listener's error is not the copy's */
      }
    };
    return { db, url, schema, job, names: copyNames(job.table, job.change, job.step), mariadb: /mariadb/i.test(r!.v), o, emit, t: (n) => `${Q(schema)}.${Q(n)}` };
  } catch (e) {
    await db.close();
    throw e;
  }
}

function validateJob(job: CopyJob): void {
  const problems: { where: string; message: string }[] = [];
  for (const k of ['table', 'alter', 'change', 'step'] as const) {
    if (typeof job?.[k] !== 'string' || !job[k].trim()) problems.push({ where: `job.${k}`, message: 'required (a non-empty string)' });
  }
  if (typeof job?.table === 'string' && Array.from(job.table).length > MAX_IDENT) problems.push({ where: 'job.table', message: 'longer than 64 characters' });
  if (typeof job?.change === 'string' && job.change.length > 191) problems.push({ where: 'job.change', message: 'longer than 191 characters' });
  if (typeof job?.step === 'string' && job.step.length > 191) problems.push({ where: 'job.step', message: 'longer than 191 characters' });
  if (problems.length) throw new LockstepError('E_INPUT', problems);
}

async function run(url: string, job: CopyJob, o: CopyOptions = {}): Promise<CopyResult> {
  validateJob(job);
  const started = Date.now();
  const ctx = await openCtx(url, job, o, `copy of ${Q(job.table)}`);
  const { db, schema, names } = ctx;
  const phase = (p: CopyPhase) => ctx.emit({ type: 'copy-phase', phase: p });
  let lock: string | undefined;
  try {
    lock = await takeLock(db, schema, job.table, where(job, schema));
    await ensureLedger(db, schema);
    const ledger = ctx.t(LEDGER_TABLE);
    const others = await db.query<LedgerRow>(`SELECT * FROM ${ledger} WHERE table_name = ? AND phase <> 'done' AND NOT (change_name = ? AND step = ?)`, [job.table, job.change, job.step]);
    if (others.length) {
      const x = others[0]!;
      throw fail('E_INPUT', ctx, `an interrupted copy of this table for change ${JSON.stringify(x.change_name)} step ${JSON.stringify(x.step)} is not finished; rerun it, or abort or clean it up first`);
    }
    let [row] = await db.query<LedgerRow>(`SELECT * FROM ${ledger} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
    const resumed = !!row && row.phase !== 'done';
    if (row && row.alter_sql !== job.alter) {
      throw fail('E_INPUT', ctx, `change ${JSON.stringify(job.change)} step ${JSON.stringify(job.step)} was started with a different ALTER (${JSON.stringify(row.alter_sql)}); abort it first to run another`);
    }
    const result = (rows: number, recopied: number, unchecked: string[] = [], swapped = true): CopyResult => {
      const seconds = (Date.now() - started) / 1000;
      return {
        engine: 'lockstep',
        rows,
        seconds,
        rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : 0,
        recopiedChunks: recopied,
        resumed,
        ...(row?.old_kept || o.keepOld ? { oldTable: names.old } : {}),
        ...(unchecked.length ? { uncheckedColumns: unchecked } : {}),
        swapped,
      };
    };
    if (row?.phase === 'done') return { ...result(0, 0), resumed: true };

    phase('prepare');
    let info = await tableInfo(db, schema, job.table);
    // A crash between the RENAME and the ledger update: the old table exists and the shadow does not.
    const swappedAlready = !!row && row.phase !== 'swapped' && (await tableExists(db, schema, names.old)) && !(await tableExists(db, schema, names.shadow));
    if (swappedAlready) {
      await setPhase(db, schema, job, 'swapped');
      row = { ...row!, phase: 'swapped' };
    }
    if (!row || (row.phase !== 'swapped' && row.phase !== 'done')) {
      const refusal = await refusals(ctx, info);
      if (refusal) throw fail('E_INPUT', ctx, refusal);
    }
    if (!row) {
      for (const n of [names.shadow, names.old]) {
        if (await tableExists(db, schema, n)) throw fail('E_INPUT', ctx, `table ${Q(n)} exists but no copy of this job is recorded in ${LEDGER_TABLE}; drop it or rename it first`);
      }
      await db.query(`INSERT INTO ${ledger} (change_name, step, table_name, shadow_name, old_name, alter_sql, phase, old_kept) VALUES (?, ?, ?, ?, ?, ?, 'preparing', ?)`, [
        job.change,
        job.step,
        job.table,
        names.shadow,
        names.old,
        job.alter,
        o.keepOld ? 1 : 0,
      ]);
      [row] = await db.query<LedgerRow>(`SELECT * FROM ${ledger} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
    }
    let p = row!.phase;
    if (p === 'preparing') {
      // Nothing was copied yet: whatever an interrupted prepare left is made again.
      await db.query(`DROP TABLE IF EXISTS ${ctx.t(names.shadow)}`);
      await db.query(`CREATE TABLE ${ctx.t(names.shadow)} LIKE ${ctx.t(job.table)}`);
      try {
        await db.query(`ALTER TABLE ${ctx.t(names.shadow)} ${job.alter}`);
      } catch (e: any) {
        await db.query(`DROP TABLE IF EXISTS ${ctx.t(names.shadow)}`);
        await db.query(`DELETE FROM ${ledger} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
        throw fail('E_INPUT', ctx, `the change failed on the shadow table (nothing else was touched): ${errText(e, url)}`, e);
      }
      const sh = await shape(ctx, info!);
      if (typeof sh === 'string') {
        await db.query(`DROP TABLE IF EXISTS ${ctx.t(names.shadow)}`);
        await db.query(`DELETE FROM ${ledger} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
        throw fail('E_INPUT', ctx, sh);
      }
      if (info!.autoIncrement) await db.query(`ALTER TABLE ${ctx.t(names.shadow)} AUTO_INCREMENT = ${Math.floor(info!.autoIncrement)}`);
      await setPhase(db, schema, job, (p = 'prepared'));
    }
    let copied = { rows: 0, recopied: 0 };
    let unchecked: string[] = [];
    if (p === 'prepared' || p === 'copying' || p === 'copied') {
      const sh = await shape(ctx, info!);
      if (typeof sh === 'string') throw fail('E_INPUT', ctx, sh);
      unchecked = sh.unchecked;
      if (p === 'prepared') {
        phase('triggers');
        await createTriggers(ctx, sh);
        await setPhase(db, schema, job, (p = 'copying'));
      }
      if (p === 'copying') {
        // A run killed between the triggers' creation and the phase update: make sure all three exist.
        await createTriggers(ctx, sh);
        phase('copy');
        // Consistent reads without locks (InnoDB reads the source of INSERT … SELECT unlocked under
        // READ COMMITTED); with statement-based binary logging the server needs REPEATABLE READ.
        const [b] = await db.query<{ bin: number; fmt: string | null }>('SELECT @@log_bin AS bin, @@binlog_format AS fmt');
        const rc = !(Number(b?.bin) === 1 && String(b?.fmt).toUpperCase() === 'STATEMENT');
        const session = async (s: MyDb) => {
          await s.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${rc ? 'READ COMMITTED' : 'REPEATABLE READ'}`);
          // The copy gives way: a chunk that waits for a writer's row lock gives up after 1 s and is
          // retried, rather than holding its own locks (and the writers queued on them) for 50 s.
          await s.query('SET SESSION innodb_lock_wait_timeout = 1');
          // TIMESTAMP values leave and come back as UTC text: no local time is ambiguous (a daylight-saving overlap).
          await s.query("SET SESSION time_zone = '+00:00'");
        };
        let [cur] = await db.query<LedgerRow>(`SELECT last_key, end_key FROM ${ledger} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
        if (!cur?.end_key) {
          // The triggers exist now: every row from here on is mirrored, so the copy ends at today's last key.
          const keyDesc = sh.key.columns.map((c) => `${Q(c)} DESC`).join(', ');
          const [lastRow] = await db.query<Record<string, unknown>>(`SELECT ${sh.key.columns.map(Q).join(', ')} FROM ${ctx.t(job.table)} FORCE INDEX (${Q(sh.key.name)}) ORDER BY ${keyDesc} LIMIT 1`);
          await db.query(`UPDATE ${ledger} SET end_key = ? WHERE change_name = ? AND step = ?`, [JSON.stringify(lastRow ? encodeKey(lastRow, sh.key.columns) : null), job.change, job.step]);
          [cur] = await db.query<LedgerRow>(`SELECT last_key, end_key FROM ${ledger} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
        }
        const startKey = cur?.last_key ? (JSON.parse(cur.last_key) as KeyValue[]) : null;
        const endKey = JSON.parse(cur!.end_key!) as KeyValue[] | null;
        copied = await copyRows(ctx, sh, startKey, endKey, info!.rows, session);
        await setPhase(db, schema, job, (p = 'copied'));
      }
      if (o.postponeCutOver) return result(copied.rows, copied.recopied, unchecked, false);
      phase('verify');
      await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await db.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      let counts: [string, string];
      try {
        const [a] = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${ctx.t(job.table)}`);
        const [b] = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${ctx.t(names.shadow)}`);
        counts = [String(a?.n), String(b?.n)];
      } finally {
        await db.query('COMMIT');
      }
      if (counts[0] !== counts[1]) throw fail('E_DATABASE', ctx, `the copy has ${counts[1]} rows and the table ${counts[0]}; nothing was swapped (abort, and report this)`);

      phase('cut-over');
      // Checked again: a foreign key or trigger added since the copy started would be lost at the swap.
      const refusal = await refusals(ctx, (info = await tableInfo(db, schema, job.table)));
      if (refusal) throw fail('E_INPUT', ctx, `${refusal} (nothing was swapped; the copy is kept current until you rerun or abort)`);
      const [ai] = await db.query<{ s: string | null; n: string | null }>(
        `SELECT (SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?) AS s,
                (SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?) AS n`,
        [schema, job.table, schema, names.shadow],
      );
      if (ai?.s && ai.n && Number(ai.s) > Number(ai.n)) {
        await ddlWithRetry(ctx, 'AUTO_INCREMENT of the shadow table', [names.shadow], () => db.query(`ALTER TABLE ${ctx.t(names.shadow)} AUTO_INCREMENT = ${Math.floor(Number(ai.s))}`));
      }
      await ddlWithRetry(ctx, 'the cut-over RENAME TABLE', [job.table, names.shadow], () =>
        db.query(`RENAME TABLE ${ctx.t(job.table)} TO ${ctx.t(names.old)}, ${ctx.t(names.shadow)} TO ${ctx.t(job.table)}`),
      );
      await setPhase(db, schema, job, (p = 'swapped'));
    }
    if (p === 'swapped') {
      phase('cleanup');
      // The triggers moved with the old table at the RENAME; nobody writes to it any more.
      const keep = !!row!.old_kept || !!o.keepOld;
      if (keep) await dropTriggers(ctx, names.old);
      else {
        await dropTriggers(ctx, names.old);
        await db.query(`DROP TABLE IF EXISTS ${ctx.t(names.old)}`);
      }
      await setPhase(db, schema, job, 'done', { old_kept: keep ? 1 : 0 });
      row = { ...row!, old_kept: keep ? 1 : 0 };
    }
    phase('done');
    return result(copied.rows, copied.recopied, unchecked);
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw fail('E_DATABASE', ctx, errText(e, url), e);
  } finally {
    if (lock) await db.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => {});
    await db.close();
  }
}

async function abort(url: string, job: CopyJob): Promise<void> {
  validateJob(job);
  const ctx = await openCtx(url, job, {}, `abort of ${Q(job.table)}`);
  const { db, schema, names } = ctx;
  let lock: string | undefined;
  try {
    lock = await takeLock(db, schema, job.table, where(job, schema));
    const rows = (await ledgerExists(db, schema)) ? await db.query<LedgerRow>(`SELECT * FROM ${ctx.t(LEDGER_TABLE)} WHERE change_name = ? AND step = ?`, [job.change, job.step]) : [];
    const row = rows[0];
    const swapped = row ? row.phase === 'swapped' || row.phase === 'done' : false;
    if (swapped || (!(await tableExists(db, schema, names.shadow)) && (await tableExists(db, schema, names.old)))) {
      throw fail('E_INPUT', ctx, `the copy was already swapped in (the table has the change${row?.old_kept ? `; the old table is kept as ${Q(names.old)}` : ''}); abort cannot undo it: run the step's down instead`);
    }
    await dropTriggers(ctx, job.table);
    await db.query(`DROP TABLE IF EXISTS ${ctx.t(names.shadow)}`);
    if (row) await db.query(`DELETE FROM ${ctx.t(LEDGER_TABLE)} WHERE change_name = ? AND step = ?`, [job.change, job.step]);
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw fail('E_DATABASE', ctx, errText(e, url), e);
  } finally {
    if (lock) await db.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => {});
    await db.close();
  }
}

async function cleanup(url: string, change?: string): Promise<string[]> {
  const db = await connectMysql(url, { where: 'cleanup' });
  const removed: string[] = [];
  try {
    const [r] = await db.query<{ d: string | null; v: string }>('SELECT DATABASE() AS d, VERSION() AS v');
    const schema = r?.d;
    if (!schema) throw new LockstepError('E_USAGE', [{ where: 'cleanup', message: 'no database: name it in the URL (mysql://user@host:3306/app)' }]);
    if (!(await ledgerExists(db, schema))) return removed;
    const rows = await db.query<LedgerRow>(`SELECT * FROM ${Q(schema)}.${Q(LEDGER_TABLE)}${change === undefined ? '' : ' WHERE change_name = ?'} ORDER BY started_at`, change === undefined ? [] : [change]);
    for (const row of rows) {
      const job: CopyJob = { schema, table: row.table_name, alter: row.alter_sql, change: row.change_name, step: row.step };
      const ctx: Ctx = {
        db,
        url,
        schema,
        job,
        names: copyNames(row.table_name, row.change_name, row.step),
        mariadb: /mariadb/i.test(r!.v),
        o: {},
        emit: () => {},
        t: (n) => `${Q(schema)}.${Q(n)}`,
      };
      const lock = await takeLock(db, schema, row.table_name, where(job, schema));
      try {
        const { names } = ctx;
        const shadowThere = await tableExists(db, schema, names.shadow);
        const oldThere = await tableExists(db, schema, names.old);
        const swapped = row.phase === 'swapped' || row.phase === 'done' || (oldThere && !shadowThere);
        if (swapped) {
          if (oldThere) {
            await dropTriggers(ctx, names.old, removed);
            await db.query(`DROP TABLE IF EXISTS ${ctx.t(names.old)}`);
            removed.push(`table ${Q(schema)}.${Q(names.old)}`);
          }
        } else {
          await dropTriggers(ctx, row.table_name, removed);
          if (shadowThere) {
            await db.query(`DROP TABLE IF EXISTS ${ctx.t(names.shadow)}`);
            removed.push(`table ${Q(schema)}.${Q(names.shadow)}`);
          }
        }
        await db.query(`DELETE FROM ${Q(schema)}.${Q(LEDGER_TABLE)} WHERE change_name = ? AND step = ?`, [row.change_name, row.step]);
        removed.push(`checkpoint of change ${JSON.stringify(row.change_name)} step ${JSON.stringify(row.step)} (${row.phase})`);
      } finally {
        await db.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => {});
      }
    }
    return removed;
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where: 'cleanup', message: errText(e, url) }], { cause: e });
  } finally {
    await db.close();
  }
}

async function unavailable(url: string): Promise<string | undefined> {
  let db: MyDb;
  try {
    db = await connectMysql(url, { where: 'lockstep copy engine' });
  } catch (e: any) {
    return String(e?.message ?? e);
  }
  try {
    const [s] = await db.query<{ bin: number; trust: number; d: string | null }>('SELECT @@log_bin AS bin, @@log_bin_trust_function_creators AS trust, DATABASE() AS d');
    const privs = await db.query<{ p: string }>(
      `SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'")
       UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'") AND TABLE_SCHEMA = DATABASE()`,
    );
    const have = new Set(privs.map((x) => x.p.toUpperCase()));
    if (!have.has('TRIGGER')) return 'this user lacks the TRIGGER privilege the online copy needs';
    if (Number(s?.bin) === 1 && Number(s?.trust) !== 1 && !have.has('SUPER')) return 'binary logging is on and this user lacks SUPER: CREATE TRIGGER needs SUPER or log_bin_trust_function_creators=1';
    return undefined;
  } catch (e: any) {
    return errText(e, url);
  } finally {
    await db.close();
  }
}

export const onlineCopy: CopyEngine = { id: 'lockstep', unavailable, run, abort, cleanup };
