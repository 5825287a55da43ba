/**
 * The backfill: keyset batches over the primary key, `WHERE <col> IS NULL` so a rerun only does what is
 * left, each batch its own short transaction (lock_timeout) that commits together with its checkpoint.
 * The batch size follows a target batch duration; it shrinks when batches wait on row locks, and the
 * backfill pauses while replicas lag behind.
 */
import { quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { Backfill } from '../plan/types.js';
import type { Db } from './db.js';
import type { ProgressListener } from './events.js';
import { backoff, retriable, sleep, type GuardOptions } from './guard.js';
import { checkpoint, readBackfill, resetBackfillKey, startBackfill } from './ledger.js';

export interface BackfillOptions {
  /** Target time per batch (default 100 ms). */
  targetBatchMs: number;
  initialBatch: number;
  minBatch: number;
  maxBatch: number;
  /** Pause while a replica's replay lag exceeds this (seconds; default 2). */
  maxLagSeconds: number;
  /** …or while its replay position is this many bytes of WAL behind (default 64 MB). */
  maxLagBytes: number;
  /** Pause between batches (ms), on top of the adaptive size (default 0). */
  pauseMs: number;
}

export const defaultBackfill: BackfillOptions = {
  targetBatchMs: 100,
  initialBatch: 1000,
  minBatch: 50,
  maxBatch: 50_000,
  maxLagSeconds: 2,
  maxLagBytes: 64 * 1024 * 1024,
  pauseMs: 0,
};

export interface BackfillResult {
  rows: number;
  batches: number;
  seconds: number;
}

interface KeyColumn {
  name: string;
  type: string;
}

async function keyColumns(db: Db, b: Backfill): Promise<KeyColumn[]> {
  const r = await db.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
     FROM unnest($2::text[]) WITH ORDINALITY k(name, i) JOIN pg_attribute a ON a.attrelid = to_regclass($1) AND a.attname = k.name
     ORDER BY k.i`,
    [sqlName(b.table), b.key],
  );
  if (r.rows.length !== b.key.length) throw new Error(`the key (${b.key.join(', ')}) of ${sqlName(b.table)} was not found`);
  return r.rows as KeyColumn[];
}

/** Replication lag now: the worst replica's replay lag in seconds and in bytes of WAL. */
export async function replicationLag(db: Db): Promise<{ seconds: number | null; bytes: number | null; replicas: number }> {
  const r = await db.query(
    `SELECT count(*)::int AS n, max(extract(epoch FROM replay_lag))::float8 AS s,
            max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::float8 AS b
     FROM pg_stat_replication`,
  );
  const x = r.rows[0];
  return { replicas: x.n, seconds: x.s === null ? null : Number(x.s), bytes: x.b === null ? null : Number(x.b) };
}

export async function runBackfill(
  db: Db,
  change: string,
  step: string,
  b: Backfill,
  guard: GuardOptions,
  o: BackfillOptions,
  emit: ProgressListener,
  signal?: AbortSignal,
): Promise<BackfillResult> {
  const t = sqlName(b.table);
  const c = quoteIdent(b.column);
  const keys = await keyColumns(db, b);
  const k = keys.map((x) => quoteIdent(x.name)).join(', ');
  const bound = keys.map((x, i) => `$${i + 1}::${x.type}`).join(', ');
  const n = keys.length;
  // One batch: the next keys (after the checkpoint) whose column is still NULL, updated only if they
  // still are when the row lock is taken (so a value the application wrote meanwhile is never overwritten).
  const batchSql = (after: boolean) => `
    WITH batch AS (
      SELECT ${k} FROM ${t}
      WHERE ${c} IS NULL${after ? ` AND (${k}) > (${bound})` : ''}
      ORDER BY ${k} LIMIT $${after ? n + 1 : 1}
    ), done AS (
      UPDATE ${t} SET ${c} = ${b.expression}
      WHERE (${k}) IN (SELECT ${k} FROM batch) AND ${c} IS NULL
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM done)::int AS updated, (SELECT count(*) FROM batch)::int AS seen,
           (SELECT ARRAY[${keys.map((x) => `${quoteIdent(x.name)}::text`).join(', ')}] FROM batch ORDER BY ${k} DESC LIMIT 1) AS last`;
  // Keys travel as text (a bigint beyond 2^53 survives) and are cast back to their types.

  const total = Number((await db.query(`SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`, [t])).rows[0]?.n ?? 0) || null;
  let state = await readBackfill(db, change, step);
  if (!state) {
    const max = await db.query(`SELECT ARRAY[${keys.map((x) => `${quoteIdent(x.name)}::text`).join(', ')}] AS k FROM ${t} ORDER BY ${k} DESC LIMIT 1`);
    await startBackfill(db, change, step, o.initialBatch, max.rows[0]?.k ?? null);
    state = (await readBackfill(db, change, step))!;
  }
  let lastKey = state.lastKey;
  let size = Math.min(Math.max(state.batchSize, o.minBatch), o.maxBatch);
  let rows = state.rowsDone;
  let batches = state.batches;
  const started = Date.now();
  const rowsAtStart = rows;
  let lastEmit = 0;
  let sweeps = 0;

  for (;;) {
    if (signal?.aborted) throw signal.reason;
    // Replicas first: a backfill must not run away from them.
    for (;;) {
      const lag = await replicationLag(db);
      const over = (lag.seconds ?? 0) > o.maxLagSeconds || (lag.bytes ?? 0) > o.maxLagBytes;
      if (!over) break;
      emit({ type: 'backfill-paused', step, reason: `a replica is ${lag.seconds !== null ? `${lag.seconds.toFixed(1)} s` : ''}${lag.bytes !== null ? ` (${Math.round(lag.bytes / 1024 / 1024)} MB of WAL)` : ''} behind`, lagSeconds: lag.seconds });
      await sleep(500, signal);
    }
    const t0 = Date.now();
    let result: { updated: number; seen: number; last: unknown[] | null };
    try {
      await db.query('BEGIN');
      await db.query(`SET LOCAL lock_timeout = ${Math.max(1, guard.lockTimeoutMs)}`);
      const params = lastKey ? [...lastKey, size] : [size];
      const r = await db.query(batchSql(!!lastKey), params);
      result = r.rows[0];
      await checkpoint(db, change, step, result.last ?? lastKey, result.updated, size);
      await db.query('COMMIT');
    } catch (e) {
      await db.query('ROLLBACK').catch(() => {});
      if (!retriable(e)) throw e;
      // Row locks held by the application: smaller batches, after a pause.
      size = Math.max(o.minBatch, Math.floor(size / 2));
      const wait = backoff(1, guard);
      emit({ type: 'lock-wait', step, attempt: 1, retryInMs: wait, blockers: [] });
      await sleep(wait, signal);
      continue;
    }
    const ms = Date.now() - t0;
    batches++;
    rows += result.updated;
    if (result.seen === 0) {
      // Reached the end. Rows written NULL behind the checkpoint (before the default for new rows was in
      // place) are picked up by one more pass from the start.
      const left = await db.query(`SELECT EXISTS (SELECT 1 FROM ${t} WHERE ${c} IS NULL) AS left`);
      if (!left.rows[0].left || sweeps >= 2) break;
      sweeps++;
      await resetBackfillKey(db, change, step);
      lastKey = null;
      continue;
    }
    lastKey = result.last;
    // Aim each batch at the target duration, changing the size by at most a factor of 2 at a time.
    const ratio = o.targetBatchMs / Math.max(ms, 1);
    size = Math.round(Math.min(o.maxBatch, Math.max(o.minBatch, size * Math.min(2, Math.max(0.5, ratio)))));
    const now = Date.now();
    if (now - lastEmit > 250) {
      lastEmit = now;
      const rate = (rows - rowsAtStart) / Math.max((now - started) / 1000, 0.001);
      emit({ type: 'backfill', step, rows, total, rowsPerSecond: rate, etaSeconds: total && rate > 0 ? Math.max(0, (total - rows) / rate) : null, batchSize: size });
    }
    if (o.pauseMs) await sleep(o.pauseMs, signal);
  }
  const seconds = (Date.now() - started) / 1000;
  emit({ type: 'backfill', step, rows, total: rows, rowsPerSecond: (rows - rowsAtStart) / Math.max(seconds, 0.001), etaSeconds: 0, batchSize: size });
  return { rows, batches, seconds };
}
