/**
 * The backfill: batches that are ranges of the primary key (dialects/postgres/backfill.ts renders their
 * SQL, the same the plan shows), each one statement with its checkpoint (a data-modifying CTE), so it
 * commits together with it and a rerun goes on after the last batch done; two round trips a batch. The
 * walk moves by key, so it ends even when the expression is NULL for some rows.
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
import { batchWithCheckpoint, readBackfill, resetBackfillKey, startBackfill } from './ledger.js';
import { lagOf, lagQuery, overLimit } from './replicas.js';

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
  const n = b.key.length;
  // Each batch is two round trips: the key walk with the replica-lag check, then the batch UPDATE with
  // its checkpoint as one statement, committed on its own (no BEGIN, SET LOCAL, COMMIT). So the batch
  // settings are the session's for the backfill: lock_timeout, and a COMMIT that does not wait for the
  // WAL flush (synchronous_commit off): a crash can lose the last batches, but each loses its checkpoint
  // with it (same WAL, in order), so the rerun does them again; the settings are reset before the step's
  // "done" mark, which commits durably after the last batch and flushes everything before it.
  const lagParam = (after: boolean) => `$${(after ? n : 0) + n + 2}`;
  const next = { first: `SELECT l.lsn, l.n, l.s, l.b, w.lo, w.hi FROM (${lagQuery(lagParam(false))}) l LEFT JOIN (${walk.first}) w ON true`, after: `SELECT l.lsn, l.n, l.s, l.b, w.lo, w.hi FROM (${lagQuery(lagParam(true))}) l LEFT JOIN (${walk.after}) w ON true` };
  await db.query(`SET lock_timeout = ${Math.max(1, Math.round(guard.lockTimeoutMs))}; SET synchronous_commit = off`);
  try {
    for (;;) {
      if (signal?.aborted) throw interrupted(`step ${step}`);
      const t0 = Date.now();
      let updated = 0;
      let hi: unknown[] | null = null;
      try {
        if (stop) {
          // Replicas first: a backfill must not run away from them. The lag counts up to where the WAL
          // was before the last batch (that batch's own WAL is on its way: one batch of slack). With it,
          // the next batch's first and last key (none: the walk is over).
          const r = (await db.query(lastKey ? next.after : next.first, [...(lastKey ?? []), ...stop, size - 1, walBefore ?? null])).rows[0];
          const lag = lagOf(r);
          const why = overLimit(lag, o.maxLagSeconds, o.maxLagBytes);
          if (why) {
            emit({ type: 'backfill-paused', step, reason: why, lagSeconds: lag.seconds });
            await sleep(500, signal).catch(() => {});
            continue;
          }
          walBefore = lag.lsn;
          if (r.lo) {
            hi = r.hi as unknown[];
            updated = await batchWithCheckpoint(db, batchSql, [...r.lo, ...hi], change, step, hi, size);
          }
        }
        if (!hi) {
          // Every key up to the stop key is done. Rows written NULL behind the walk (by the application,
          // or before the default for new rows was in place) are picked up by one more walk over today's
          // keys, once, and only when there is such a row the expression gives a value for: rows the
          // expression itself leaves NULL do not start another walk.
          if (swept) break;
          const left = await db.query(`SELECT EXISTS (SELECT 1 FROM ${t} WHERE ${c} IS NULL AND (${b.expression}) IS NOT NULL) AS left`);
          if (!left.rows[0].left) break;
          stop = (await db.query(walk.stop)).rows[0]?.k ?? null;
          await resetBackfillKey(db, change, step);
          swept = true;
          lastKey = null;
          continue;
        }
      } catch (e) {
        if (!retriable(e)) throw e;
        // Row locks held by the application (or a lock queue on the table): smaller batches, after a pause.
        size = Math.max(o.minBatch, Math.floor(size / 2));
        const wait = backoff(1, guard);
        emit({ type: 'lock-wait', step, attempt: 1, retryInMs: wait, blockers: [] });
        await sleep(wait, signal).catch(() => {});
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
  } finally {
    // Back to the server's settings before the step's durable "done" mark (and before later steps).
    await db.query('RESET lock_timeout; RESET synchronous_commit').catch(() => {});
  }
  const seconds = (Date.now() - started) / 1000;
  const rowsPerSecond = (rows - rowsAtStart) / Math.max(seconds, 0.001);
  emit({ type: 'backfill', step, rows, total: rows, rowsPerSecond, etaSeconds: 0, batchSize: size });
  return { step, rows, batches, seconds, rowsPerSecond };
}
