/**
 * Running one statement against live traffic: a short lock_timeout so it never sits in the lock queue
 * for long, retried with exponential backoff and jitter up to a deadline, reporting who holds the lock.
 */
import { safeQueryText } from '../core/redact.js';
import type { Db } from './db.js';
import type { Blocker } from './events.js';

export interface GuardOptions {
  /** lock_timeout for statements whose lock blocks traffic (default 200 ms). */
  lockTimeoutMs: number;
  /** lock_timeout for statements whose lock blocks no reads or writes (they may wait longer). */
  patientLockTimeoutMs: number;
  /** statement_timeout for DDL that blocks traffic (default 10 s: those steps are catalog-only). */
  statementTimeoutMs: number;
  /** Give up retrying after this long (default 5 min). */
  deadlineMs: number;
  /** First backoff and its cap. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultGuard: GuardOptions = {
  lockTimeoutMs: 200,
  patientLockTimeoutMs: 60_000,
  statementTimeoutMs: 10_000,
  deadlineMs: 5 * 60_000,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
};

/** SQLSTATEs worth another try: lock_not_available (lock_timeout), deadlock_detected. */
export const retriable = (e: any) => e?.code === '55P03' || e?.code === '40P01';

export class DeadlineError extends Error {
  constructor(
    message: string,
    readonly blockers: Blocker[],
  ) {
    super(message);
  }
}

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

/** Exponential backoff with full jitter. */
export function backoff(attempt: number, o: GuardOptions): number {
  const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(attempt - 1, 16));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/** Sessions holding a lock on `table` in an open transaction (they make a new lock wait). */
export async function blockersOf(db: Db, table: string): Promise<Blocker[]> {
  const r = await db.query(
    `SELECT DISTINCT ON (a.pid) a.pid, coalesce(a.state, '') AS state, extract(epoch FROM now() - a.xact_start)::float8 AS age, l.mode, a.xact_start::text AS xact_start,
            left(coalesce(a.query, ''), 2000) AS query
     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.granted AND l.locktype = 'relation' AND l.relation = to_regclass($1) AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL
     ORDER BY a.pid, a.xact_start`,
    [table],
  );
  return r.rows.map((x: any) => ({ pid: x.pid, state: x.state, transactionSeconds: Number(x.age), mode: x.mode, query: safeQueryText(x.query), xactStart: x.xact_start }));
}

/**
 * Runs `attempt` until it succeeds, retrying lock timeouts and deadlocks with backoff until the deadline.
 * `onWait` hears about every retry (with who holds the lock) so the wait is visible.
 */
export async function withRetry<T>(
  o: GuardOptions,
  attempt: (n: number) => Promise<T>,
  onWait: (n: number, retryInMs: number) => Promise<void>,
  signal?: AbortSignal,
  /** Called after a lock timeout: waits (without taking any lock) while the sessions in the way still hold it. Returns true if it waited for them. */
  waitForBlockers?: (deadline: number) => Promise<boolean>,
): Promise<T> {
  const start = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!retriable(e)) throw e;
      let wait = backoff(n, o);
      if (Date.now() + wait - start > o.deadlineMs) throw new DeadlineError(`still waiting for a lock after ${Math.round((Date.now() - start) / 1000)} s and ${n} attempts`, []);
      await onWait(n, wait);
      // Rejoining the lock queue while the same transaction still holds the table would stall traffic
      // for another lock_timeout each time: watch the blockers instead, and retry as soon as they are gone.
      if (waitForBlockers && (await waitForBlockers(start + o.deadlineMs))) wait = Math.round(Math.random() * 50);
      await sleep(wait, signal);
    }
  }
}

/** Polls (no locks taken) until none of these transactions still holds a lock on `table`, or the deadline. */
export async function waitUntilReleased(db: Db, table: string, blockers: Blocker[], deadline: number, signal?: AbortSignal): Promise<void> {
  const pids = blockers.map((b) => b.pid);
  const starts = blockers.map((b) => b.xactStart ?? '');
  while (pids.length && Date.now() < deadline) {
    const r = await db.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       JOIN unnest($2::int[], $3::text[]) AS b(pid, xact_start) ON b.pid = a.pid AND b.xact_start = a.xact_start::text
       WHERE l.granted AND l.locktype = 'relation' AND l.relation = to_regclass($1)`,
      [table, pids, starts],
    );
    if (!r.rows[0].n) return;
    await sleep(100, signal);
  }
}
