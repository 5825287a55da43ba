/**
 * The backfill: batches that are ranges of the primary key (dialects/postgres/backfill.ts renders their
 * SQL, the same the plan shows), each its own short transaction (lock_timeout) that commits together with
 * its checkpoint, so a rerun goes on after the last batch done. The walk moves by key, so it ends even
 * when the expression is NULL for some rows.
 * The batch size follows a target batch duration; it shrinks when batches wait on row locks, and the
 * backfill pauses while replicas lag behind.
 */
import { LockstepError } from '../core/errors.js';
import { backfillBatchStatement, backfillWalk } from '../dialects/postgres/backfill.js';
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
  step: string;
  /** Rows filled, by this run and any earlier run of the same step. */
  rows: number;
  batches: number;
  /** This run's time in the backfill, and its rate (rows it filled / that time). */
  seconds: number;
  rowsPerSecond: number;
}

/** The key columns must still be the table's (the plan was made earlier; a resumed run follows the stored plan). */
async function checkKey(db: Db, b: Backfill): Promise<void> {
  const r = await db.query(
    `SELECT count(*)::int AS n FROM unnest($2::text[]) k(name) JOIN pg_attribute a ON a.attrelid = to_regclass($1) AND a.attname = k.name AND NOT a.attisdropped`,
    [sqlName(b.table), b.key],
  );
  if (r.rows[0]?.n !== b.key.length)
    throw new LockstepError('E_DATABASE', [{ where: `backfill of ${sqlName(b.table)}.${quoteIdent(b.column)}`, message: `the key (${b.key.map(quoteIdent).join(', ')}) of ${sqlName(b.table)} was not found: the table changed since the change was planned` }]);
}

/** A stop between batches asked for by the caller (Ctrl-C in the CLI): the ledger is left to resume from. */
export function interrupted(where: string): LockstepError {
  return new LockstepError('E_INTERRUPTED', [{ where, message: 'interrupted; the ledger keeps where it stopped: run apply again to continue' }]);
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
  await checkKey(db, b);
  // The SQL the plan shows (dialects/postgres/backfill.ts): one batch UPDATE over [lo, hi] of the key,
  // and the walk that finds each batch's bounds (an index-only walk of the key, which does not depend on
  // the new column's statistics: there are none yet).
  const batchSql = backfillBatchStatement(b);
  const walk = backfillWalk(b);
  const total = Number((await db.query(`SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`, [t])).rows[0]?.n ?? 0) || null;
  let state = await readBackfill(db, change, step);
  if (!state) {
    const max = await db.query(walk.stop);
    await startBackfill(db, change, step, o.initialBatch, max.rows[0]?.k ?? null);
    state = (await readBackfill(db, change, step))!;
  }
  let stop = state.startMaxKey;
  let lastKey = state.lastKey;
  let size = Math.min(Math.max(state.batchSize, o.minBatch), o.maxBatch);
  let rows = state.rowsDone;
  let batches = state.batches;
  const started = Date.now();
  const rowsAtStart = rows;
  let lastEmit = 0;
  let swept = false;
  let walBefore: string | undefined;

  for (;;) {
    if (signal?.aborted) throw interrupted(`step ${step}`);
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
      await sleep(500, signal).catch(() => {});
      if (signal?.aborted) throw interrupted(`step ${step}`);
    }
    const t0 = Date.now();
    let updated = 0;
    let hi: unknown[] | null = null;
    try {
      // One round trip to open the batch. Its COMMIT does not wait for the WAL flush (synchronous_commit
      // off, this transaction only): a crash can lose the last batches, but each loses its checkpoint with
      // it (same WAL, in order), so the rerun does them again; the step's "done" mark commits durably
      // after the last batch and flushes everything before it.
      await db.query(`BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(guard.lockTimeoutMs))}; SET LOCAL synchronous_commit = off`);
      // The next batch's first and last key (none left: the walk is over).
      const bounds = stop ? (await db.query(lastKey ? walk.after : walk.first, [...(lastKey ?? []), ...stop, size - 1])).rows[0] : undefined;
      if (bounds?.lo) {
        hi = bounds.hi;
        const r = await db.query(batchSql, [...bounds.lo, ...bounds.hi]);
        updated = r.rowCount ?? 0;
        await checkpoint(db, change, step, hi, updated, size);
      }
      await db.query('COMMIT');
    } catch (e) {
      await db.query('ROLLBACK').catch(() => {});
      if (!retriable(e)) throw e;
      // Row locks held by the application: smaller batches, after a pause.
      size = Math.max(o.minBatch, Math.floor(size / 2));
      const wait = backoff(1, guard);
      emit({ type: 'lock-wait', step, attempt: 1, retryInMs: wait, blockers: [] });
      await sleep(wait, signal).catch(() => {});
      continue;
    }
    if (!hi) {
      // Every key up to the stop key is done. Rows written NULL behind the walk (by the application, or
      // before the default for new rows was in place) are picked up by one more walk over today's keys,
      // once, and only when there is such a row the expression gives a value for: rows the expression
      // itself leaves NULL do not start another walk.
      if (swept) break;
      swept = true;
      const left = await db.query(`SELECT EXISTS (SELECT 1 FROM ${t} WHERE ${c} IS NULL AND (${b.expression}) IS NOT NULL) AS left`);
      if (!left.rows[0].left) break;
      stop = (await db.query(walk.stop)).rows[0]?.k ?? null;
      await resetBackfillKey(db, change, step);
      lastKey = null;
      continue;
    }
    const ms = Date.now() - t0;
    batches++;
    rows += updated;
    lastKey = hi;
    // Aim each batch at the target duration, changing the size by at most a factor of 2 at a time.
    const ratio = o.targetBatchMs / Math.max(ms, 1);
    size = Math.round(Math.min(o.maxBatch, Math.max(o.minBatch, size * Math.min(2, Math.max(0.5, ratio)))));
    const now = Date.now();
    if (now - lastEmit > 250) {
      lastEmit = now;
      const rate = (rows - rowsAtStart) / Math.max((now - started) / 1000, 0.001);
      emit({ type: 'backfill', step, rows, total, rowsPerSecond: rate, etaSeconds: total && rate > 0 ? Math.max(0, (total - rows) / rate) : null, batchSize: size });
    }
    if (o.pauseMs) await sleep(o.pauseMs, signal).catch(() => {});
  }
  const seconds = (Date.now() - started) / 1000;
  const rowsPerSecond = (rows - rowsAtStart) / Math.max(seconds, 0.001);
  emit({ type: 'backfill', step, rows, total: rows, rowsPerSecond, etaSeconds: 0, batchSize: size });
  return { step, rows, batches, seconds, rowsPerSecond };
}
