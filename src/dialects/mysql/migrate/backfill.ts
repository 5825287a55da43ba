/**
 * The MySQL/MariaDB backfill: existing rows filled in batches by primary key, among the keys that existed
 * when it began (rows written later get the column's default, or the application's value). Each batch
 * is one short transaction that commits with its checkpoint in lockstep_backfill, so a killed run
 * continues after the last batch done — nothing redone, nothing skipped. The batch size follows a
 * target duration; the backfill pauses while Threads_running is high or a replica (when given) lags.
 */
import { LockstepError } from '../../../core/errors.js';
import type { Backfill } from '../../../plan/types.js';
import type { ProgressListener } from '../../../apply/events.js';
import type { BackfillResult } from '../../../apply/backfill.js';
import { connectMysql, retriable, type MyDb } from '../driver.js';
import { quoteIdent, sqlName } from '../names.js';
import { backfillBatchSql } from './backfill-sql.js';
import * as ledger from './ledger.js';
import { sleep } from './guard.js';
import { listedReplicaUrls } from '../replicas.js';

export interface MyBackfillOptions {
  /** Target duration of one batch, ms (default 100). */
  targetBatchMs: number;
  initialBatch: number;
  minBatch: number;
  maxBatch: number;
  /** Pause between batches, ms (default 0). */
  pauseMs: number;
  /** Pause while the server's Threads_running is above this (default 25). */
  maxThreadsRunning: number;
  /** Pause while a replica lags more than this, s (default 2). */
  maxLagSeconds: number;
  /** Replica URLs to watch (SHOW REPLICA STATUS / SHOW SLAVE STATUS). */
  replicas: string[];
}

export const defaultMyBackfill: MyBackfillOptions = { targetBatchMs: 100, initialBatch: 500, minBatch: 50, maxBatch: 20_000, pauseMs: 0, maxThreadsRunning: 25, maxLagSeconds: 2, replicas: [] };

const row = (parts: string[]) => (parts.length === 1 ? parts[0]! : `(${parts.join(', ')})`);

export function interrupted(where: string): LockstepError {
  return new LockstepError('E_INTERRUPTED', [{ where, message: 'stopped on request; run apply again to continue from the last checkpoint' }]);
}

/** Replica lag in seconds (the worst of them), or null when none is given or none reports it. */
async function replicaLag(replicas: MyDb[]): Promise<number | null> {
  let worst: number | null = null;
  for (const r of replicas) {
    let rows: any[] = [];
    try {
      rows = await r.query('SHOW REPLICA STATUS');
    } catch {
      rows = await r.query('SHOW SLAVE STATUS').catch(() => []);
    }
    const x = rows[0];
    const lag = x ? (x.Seconds_Behind_Source ?? x.Seconds_Behind_Master) : null;
    if (lag === null || lag === undefined) continue;
    worst = Math.max(worst ?? 0, Number(lag));
  }
  return worst;
}

/** The replicas to watch: the given URLs, else those the primary lists (SHOW SLAVE HOSTS, report_host), reached with its credentials. */
async function replicaUrls(db: MyDb, url: string, given: string[]): Promise<{ urls: string[]; discovered: boolean }> {
  if (given.length) return { urls: given, discovered: false };
  const urls = await listedReplicaUrls(db, url);
  return { urls, discovered: true };
}

export async function runMyBackfill(db: MyDb, url: string, change: string, step: string, b: Backfill, o: MyBackfillOptions, emit: ProgressListener, signal?: AbortSignal): Promise<BackfillResult> {
  const t = sqlName(b.table);
  const keyCols = b.key.map(quoteIdent);
  const k = row(keyCols);
  const order = keyCols.join(', ');
  const marks = row(b.key.map(() => '?'));
  const keyOf = (r: any) => b.key.map((c) => r[c]);
  let state = await ledger.readBackfill(db, change, step);
  if (!state) {
    const [last] = await db.query<any>(`SELECT ${keyCols.join(', ')} FROM ${t} ORDER BY ${keyCols.map((c) => `${c} DESC`).join(', ')} LIMIT 1`);
    await ledger.startBackfill(db, change, step, o.initialBatch, last ? keyOf(last) : null);
    state = (await ledger.readBackfill(db, change, step))!;
  }
  const stop = state.startMaxKey;
  const started = Date.now();
  let rows = 0;
  let batches = 0;
  let size = Math.min(o.maxBatch, Math.max(o.minBatch, state.batchSize || o.initialBatch));
  let lastKey = state.lastKey;
  const [est] = await db.query<any>(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [b.table.name]);
  const total = est?.n !== null && est?.n !== undefined ? Math.max(Number(est.n), state.rowsDone) : null;
  const replicas: MyDb[] = [];
  try {
    const found = await replicaUrls(db, url, o.replicas);
    for (const r of found.urls) {
      try {
        replicas.push(await connectMysql(r, { where: 'replica', readOnly: true }));
      } catch (e) {
        if (!found.discovered) throw e;
        emit({ type: 'backfill-paused', step, reason: `replica ${new URL(r).host} is not reachable with the primary's credentials: its lag is not watched`, lagSeconds: null });
      }
    }
    const sql = backfillBatchSql(b);
    await db.query('SET SESSION innodb_lock_wait_timeout = 2');
    while (stop) {
      if (signal?.aborted) throw interrupted(`backfill ${step}`);
      // Throttle: the server is busy, or a replica is behind.
      for (;;) {
        const [tr] = await db.query<any>(`SHOW GLOBAL STATUS LIKE 'Threads_running'`);
        const running = Number(tr?.Value ?? 0);
        const lag = replicas.length ? await replicaLag(replicas) : null;
        const reason = running > o.maxThreadsRunning ? `Threads_running is ${running} (over ${o.maxThreadsRunning})` : lag !== null && lag > o.maxLagSeconds ? `a replica is ${lag} s behind (over ${o.maxLagSeconds} s)` : undefined;
        if (!reason) break;
        emit({ type: 'backfill-paused', step, reason, lagSeconds: lag });
        await sleep(250, signal);
      }
      const from = lastKey
        ? await db.query<any>(`SELECT ${keyCols.join(', ')} FROM ${t} WHERE ${k} > ${marks} AND ${k} <= ${marks} ORDER BY ${order} LIMIT 1`, [...lastKey, ...stop])
        : await db.query<any>(`SELECT ${keyCols.join(', ')} FROM ${t} WHERE ${k} <= ${marks} ORDER BY ${order} LIMIT 1`, [...stop]);
      if (!from.length) break;
      const lo = keyOf(from[0]);
      const to = await db.query<any>(`SELECT ${keyCols.join(', ')} FROM ${t} WHERE ${k} >= ${marks} AND ${k} <= ${marks} ORDER BY ${order} LIMIT 1 OFFSET ${size - 1}`, [...lo, ...stop]);
      const hi = to.length ? keyOf(to[0]) : stop;
      const t0 = Date.now();
      let changed = 0;
      for (let attempt = 1; ; attempt++) {
        await db.query('START TRANSACTION');
        try {
          const r: any = await db.query(sql, [...lo, ...hi]);
          changed = Number(r?.affectedRows ?? 0);
          await ledger.checkpoint(db, change, step, hi, changed, size);
          await db.query('COMMIT');
          break;
        } catch (e) {
          await db.query('ROLLBACK').catch(() => {});
          // A row lock held by the application (or a deadlock with it): a smaller batch, again.
          if (!retriable(e) || attempt >= 5 || (e as any)?.errno === 2013 || (e as any)?.errno === 2006) throw e;
          size = Math.max(o.minBatch, Math.floor(size / 2));
          await sleep(50 * attempt, signal);
        }
      }
      const ms = Math.max(1, Date.now() - t0);
      rows += changed;
      batches++;
      lastKey = hi;
      // Sized by time: aim at targetBatchMs, never more than double or less than half at once.
      size = Math.round(Math.min(o.maxBatch, Math.max(o.minBatch, size * Math.min(2, Math.max(0.5, o.targetBatchMs / ms)))));
      const seconds = (Date.now() - started) / 1000;
      const rate = rows / Math.max(seconds, 0.001);
      const done = state.rowsDone + rows;
      emit({ type: 'backfill', step, rows: done, total, rowsPerSecond: rate, etaSeconds: total !== null && rate > 0 ? Math.max(0, (total - done) / rate) : null, batchSize: size });
      if (o.pauseMs) await sleep(o.pauseMs, signal);
      if (!to.length) break;
    }
  } finally {
    await db.query('SET SESSION innodb_lock_wait_timeout = DEFAULT').catch(() => {});
    for (const r of replicas) await r.close();
  }
  const seconds = (Date.now() - started) / 1000;
  return { step, rows: state.rowsDone + rows, batches: state.batches + batches, seconds, rowsPerSecond: rows / Math.max(seconds, 0.001) };
}
