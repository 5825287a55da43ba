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
  /**
   * Connections that fill at once, each its own range of the key (default 1). More than one needs a
   * way to open connections (apply with a URL) and a table of at least 10 × `initialBatch` rows each.
   */
  workers: number;
}

export const defaultBackfill: BackfillOptions = {
  targetBatchMs: 100,
  initialBatch: 1000,
  minBatch: 50,
  maxBatch: 50_000,
  maxLagSeconds: 2,
  maxLagBytes: 64 * 1024 * 1024,
  pauseMs: 0,
  workers: 1,
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
  /** Opens another connection for a backfill on several (absent: one connection). */
  connectMore?: () => Promise<Db>,
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
    const max = (await db.query(walk.stop)).rows[0]?.k ?? null;
    await startBackfill(db, change, step, o.initialBatch, max, max && connectMore ? await splitKey(db, walk, max, total, o) : []);
    state = (await readBackfill(db, change, step))!;
  }
  const n = b.key.length;
  const started = Date.now();
  const rowsAtStart = state.rowsDone;
  let rows = state.rowsDone;
  let batches = state.batches;
  let size = clampSize(state.batchSize, o);
  let lastEmit = 0;
  const progress = (filled: number, batchSize: number) => {
    batches++;
    rows += filled;
    const now = Date.now();
    if (now - lastEmit > 250) {
      lastEmit = now;
      const rate = (rows - rowsAtStart) / Math.max((now - started) / 1000, 0.001);
      emit({ type: 'backfill', step, rows, total, rowsPerSecond: rate, etaSeconds: total && rate > 0 ? Math.max(0, (total - rows) / rate) : null, batchSize });
    }
  };
  // Each batch is two round trips: the key walk with the replica-lag check, then the batch UPDATE with
  // its checkpoint as one statement, committed on its own (no BEGIN, SET LOCAL, COMMIT). So the batch
  // settings are the session's for the backfill: lock_timeout, and a COMMIT that does not wait for the
  // WAL flush (synchronous_commit off): a crash can lose the last batches, but each loses its checkpoint
  // with it (same WAL, in order), so the rerun does them again; the settings are reset before the step's
  // "done" mark, which commits durably after the last batch and flushes everything before it.
  const lagParam = (after: boolean) => `$${(after ? n : 0) + n + 2}`;
  const next = {
    first: `SELECT l.lsn, l.n, l.s, l.b, w.lo, w.hi FROM (${lagQuery(lagParam(false))}) l LEFT JOIN (${walk.first}) w ON true`,
    after: `SELECT l.lsn, l.n, l.s, l.b, w.lo, w.hi FROM (${lagQuery(lagParam(true))}) l LEFT JOIN (${walk.after}) w ON true`,
  };
  const session = `SET lock_timeout = ${Math.max(1, Math.round(guard.lockTimeoutMs))}; SET synchronous_commit = off`;
  // One failed connection stops the others after their current batch.
  let failed = false;

  /** Walks (lastKey, stop] batch by batch, each with its checkpoint (in the part's row, or the step's). */
  async function walkRange(conn: Db, from: unknown[] | null, stop: unknown[], part?: number, initialSize = size): Promise<void> {
    let lastKey = from;
    let walBefore: string | undefined;
    let sz = initialSize;
    for (;;) {
      if (signal?.aborted || failed) throw interrupted(`step ${step}`);
      const t0 = Date.now();
      let updated = 0;
      let hi: unknown[];
      try {
        // Replicas first: a backfill must not run away from them. The lag counts up to where the WAL
        // was before this walk's last batch (that batch's own WAL is on its way: one batch of slack).
        // With it, the next batch's first and last key (none: this range is done).
        const r = (await conn.query(lastKey ? next.after : next.first, [...(lastKey ?? []), ...stop, sz - 1, walBefore ?? null])).rows[0];
        const lag = lagOf(r);
        const why = overLimit(lag, o.maxLagSeconds, o.maxLagBytes);
        if (why) {
          emit({ type: 'backfill-paused', step, reason: why, lagSeconds: lag.seconds });
          await sleep(500, signal).catch(() => {});
          continue;
        }
        walBefore = lag.lsn;
        if (!r.lo) return;
        hi = r.hi as unknown[];
        updated = await batchWithCheckpoint(conn, batchSql, [...r.lo, ...hi], change, step, hi, sz, part);
      } catch (e) {
        if (!retriable(e)) throw e;
        // Row locks held by the application (or a lock queue on the table): smaller batches, after a pause.
        sz = Math.max(o.minBatch, Math.floor(sz / 2));
        const wait = backoff(1, guard);
        emit({ type: 'lock-wait', step, attempt: 1, retryInMs: wait, blockers: [] });
        await sleep(wait, signal).catch(() => {});
        continue;
      }
      lastKey = hi;
      // Aim each batch at the target duration, changing the size by at most a factor of 2 at a time.
      const ms = Date.now() - t0;
      sz = clampSize(sz * Math.min(2, Math.max(0.5, o.targetBatchMs / Math.max(ms, 1))), o);
      if (part === undefined) size = sz;
      progress(updated, sz);
      if (o.pauseMs) await sleep(o.pauseMs, signal).catch(() => {});
    }
  }

  const extra: Db[] = [];
  const conns = [db];
  try {
    await db.query(session);
    const parts = state.parts ?? [];
    if (parts.length) {
      // Several connections, each taking the next range not yet walked (a rerun may have fewer).
      const want = Math.min(Math.max(1, o.workers), parts.length);
      if (connectMore)
        for (let i = 1; i < want; i++) {
          const more = await connectMore();
          extra.push(more);
          conns.push(more);
          await more.query(session);
        }
      const queue = [...parts];
      const results = await Promise.allSettled(
        conns.map(async (conn) => {
          try {
            for (let p = queue.shift(); p; p = queue.shift()) await walkRange(conn, p.lastKey ?? p.afterKey, p.stopKey, p.part, clampSize(p.batchSize, o));
          } catch (e) {
            failed = true;
            throw e;
          }
        }),
      );
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      // The first real failure, else the interruption.
      if (errors.length) throw errors.find((e) => !(e instanceof LockstepError && e.code === 'E_INTERRUPTED')) ?? errors[0];
    }
    // One walk: the whole key (parts: only a walk the sweep below had begun when a run was stopped).
    if (state.startMaxKey && (!parts.length || state.lastKey)) await walkRange(db, state.lastKey, parts.length ? (await db.query(walk.stop)).rows[0]?.k : state.startMaxKey);
    // Every key up to the stop key is done. Rows written NULL behind the walk (by the application, or
    // before the default for new rows was in place) are picked up by one more walk over today's keys,
    // once, and only when there is such a row the expression gives a value for: rows the expression
    // itself leaves NULL do not start another walk.
    for (let attempt = 1; ; attempt++) {
      try {
        const left = await db.query(`SELECT EXISTS (SELECT 1 FROM ${t} WHERE ${c} IS NULL AND (${b.expression}) IS NOT NULL) AS left`);
        if (left.rows[0].left) {
          const stop = (await db.query(walk.stop)).rows[0]?.k ?? null;
          await resetBackfillKey(db, change, step);
          if (stop) await walkRange(db, null, stop);
        }
        break;
      } catch (e) {
        // A lock queue on the table in front of the check: try again after a pause.
        if (!retriable(e)) throw e;
        const wait = backoff(attempt, guard);
        emit({ type: 'lock-wait', step, attempt, retryInMs: wait, blockers: [] });
        await sleep(wait, signal).catch(() => {});
        if (signal?.aborted) throw interrupted(`step ${step}`);
      }
    }
  } finally {
    // Back to the server's settings before the step's durable "done" mark (and before later steps).
    await db.query('RESET lock_timeout; RESET synchronous_commit').catch(() => {});
    await Promise.all(extra.map((x) => x.close()));
  }
  const seconds = (Date.now() - started) / 1000;
  const rowsPerSecond = (rows - rowsAtStart) / Math.max(seconds, 0.001);
  emit({ type: 'backfill', step, rows, total: rows, rowsPerSecond, etaSeconds: 0, batchSize: size });
  return { step, rows, batches, seconds, rowsPerSecond };
}

const clampSize = (x: number, o: BackfillOptions) => Math.round(Math.min(o.maxBatch, Math.max(o.minBatch, x)));

/**
 * The ranges of the key for a backfill on `o.workers` connections: split at the keys that cut the table
 * (its estimated rows) into equal parts, found by the same walk of the key. None (one walk) for one
 * worker, an unknown size, or fewer than 10 first batches' worth of rows a part.
 */
async function splitKey(db: Db, walk: ReturnType<typeof backfillWalk>, max: unknown[], total: number | null, o: BackfillOptions): Promise<{ afterKey: unknown[] | null; stopKey: unknown[] }[]> {
  const k = Math.min(Math.max(1, Math.floor(o.workers)), total ? Math.floor(total / (10 * o.initialBatch)) : 1);
  if (k < 2 || !total) return [];
  const cuts: unknown[][] = [];
  for (let i = 1; i < k; i++) {
    const r = (await db.query(walk.first, [...max, Math.round((total * i) / k) - 1])).rows[0];
    const cut = r?.hi as unknown[] | undefined;
    if (!cut || JSON.stringify(cut) === JSON.stringify(max) || (cuts.length && JSON.stringify(cut) === JSON.stringify(cuts.at(-1)))) break;
    cuts.push(cut);
  }
  if (!cuts.length) return [];
  return [...cuts, max].map((stopKey, i) => ({ afterKey: i ? cuts[i - 1]! : null, stopKey }));
}
