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
import { overLimit, replicationLag } from './replicas.js';

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
  const n = keys.length;
  // One batch is a range of the primary key: walk the key index `size` keys past the checkpoint (an
  // index-only walk that does not depend on the new column's statistics, which do not exist yet), then
  // fill the NULLs in that range. The IS NULL is checked again when each row is locked, so a value the
  // application wrote meanwhile is never overwritten.
  const after = (first: number) => keys.map((x, i) => `$${first + i}::${x.type}`).join(', ');
  const upperSql = (hasLast: boolean) =>
    `SELECT ARRAY[${keys.map((x) => `${quoteIdent(x.name)}::text`).join(', ')}] AS k FROM ${t}
     ${hasLast ? `WHERE (${k}) > (${after(1)})` : ''} ORDER BY ${k} OFFSET $${hasLast ? n + 1 : 1} LIMIT 1`;
  const updateSql = (hasLast: boolean, hasUpper: boolean) => {
    const conds = [`${c} IS NULL`];
    if (hasLast) conds.push(`(${k}) > (${after(1)})`);
    if (hasUpper) conds.push(`(${k}) <= (${after(hasLast ? n + 1 : 1)})`);
    return `UPDATE ${t} SET ${c} = ${b.expression} WHERE ${conds.join(' AND ')}`;
  };
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
  let walBefore: string | undefined;

  for (;;) {
    if (signal?.aborted) throw signal.reason;
    // Replicas first: a backfill must not run away from them. The lag counts up to where the WAL was
    // before the last batch (that batch's own WAL is on its way: one batch of slack).
    for (;;) {
      const lag = await replicationLag(db, walBefore);
      const why = overLimit(lag, o.maxLagSeconds, o.maxLagBytes);
      if (!why) {
        walBefore = lag.lsn;
        break;
      }
      emit({ type: 'backfill-paused', step, reason: why, lagSeconds: lag.seconds });
      await sleep(500, signal);
    }
    const t0 = Date.now();
    let result: { updated: number; seen: number; last: unknown[] | null };
    try {
      await db.query('BEGIN');
      await db.query(`SET LOCAL lock_timeout = ${Math.max(1, guard.lockTimeoutMs)}`);
      // The last key of this batch: `size` keys on (none when fewer remain: the batch runs to the end).
      const up = await db.query(upperSql(!!lastKey), lastKey ? [...lastKey, size - 1] : [size - 1]);
      const upper: unknown[] | null = up.rows[0]?.k ?? null;
      const params = [...(lastKey ?? []), ...(upper ?? [])];
      const r = await db.query(updateSql(!!lastKey, !!upper), params);
      result = { updated: r.rowCount ?? 0, seen: upper ? size : -1, last: upper };
      await checkpoint(db, change, step, upper ?? lastKey, result.updated, size);
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
    if (result.seen < 0) {
      // That batch ran to the end of the table. Rows written NULL behind the checkpoint (before the
      // default for new rows was in place) are picked up by one more pass from the start.
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
