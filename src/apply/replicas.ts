/**
 * The physical standbys of the target, seen from the primary: how far behind they are (the backfill
 * pauses while one lags), and whether they have replayed a phase (a phase is finished only then).
 *
 * Only streaming physical standbys count: pg_stat_replication also lists logical walsenders (they have a
 * database; DDL does not reach their subscribers) and pg_receivewal or base backups (no replay position).
 */
import type { Db } from './db.js';
import { sleep } from './guard.js';

const standbys = `
  FROM pg_stat_replication r
  WHERE r.replay_lsn IS NOT NULL AND r.state IN ('streaming', 'catchup')
    AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.pid AND a.datname IS NOT NULL)`;

export interface Lag {
  replicas: number;
  /** The worst replay lag in seconds, counting only standbys that have not replayed up to the reference position. */
  seconds: number | null;
  /** The worst backlog in bytes of WAL up to the reference position. */
  bytes: number | null;
  /** The primary's WAL insert position now: the reference for the next check. */
  lsn: string;
}

/**
 * Lag of the worst standby, measured against `ref` (a WAL position taken before the last batch) when
 * given: the WAL the backfill has just written is one batch of slack, not a reason to pause. A standby
 * that has replayed past `ref` has no lag, whatever its (stale, last-reported) replay_lag says.
 */
export async function replicationLag(db: Db, ref?: string): Promise<Lag> {
  const r = await db.query(lagQuery('$1'), [ref ?? null]);
  return lagOf(r.rows[0]);
}

/**
 * The lag query, its reference position the parameter `ref` ($n): columns lsn, n, s, b (read them with
 * lagOf). The backfill sends it together with its key walk, one round trip per batch.
 */
export function lagQuery(ref: string): string {
  return `WITH p AS (SELECT pg_current_wal_insert_lsn() AS now, coalesce(${ref}::pg_lsn, pg_current_wal_insert_lsn()) AS ref)
     SELECT p.now::text AS lsn, s.n, s.s, s.b FROM p, LATERAL (
       SELECT count(*)::int AS n,
              max(CASE WHEN r.replay_lsn >= p.ref THEN 0 ELSE extract(epoch FROM r.replay_lag) END)::float8 AS s,
              max(greatest(pg_wal_lsn_diff(p.ref, r.replay_lsn), 0))::float8 AS b
       ${standbys}) s`;
}

export function lagOf(x: { lsn: string; n: number; s: unknown; b: unknown }): Lag {
  return { replicas: x.n, seconds: x.s === null ? null : Number(x.s), bytes: x.b === null ? null : Number(x.b), lsn: x.lsn };
}

/** Human units for a WAL backlog. */
export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} kB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

/** Why the backfill should pause now, naming the limit that tripped; undefined when it may go on. */
export function overLimit(lag: Lag, maxSeconds: number, maxBytes: number): string | undefined {
  const why: string[] = [];
  if (lag.bytes !== null && lag.bytes > maxBytes) why.push(`${formatBytes(lag.bytes)} of WAL behind (limit ${formatBytes(maxBytes)})`);
  if (lag.seconds !== null && lag.seconds > maxSeconds) why.push(`${lag.seconds.toFixed(1)} s behind (limit ${maxSeconds} s)`);
  return why.length ? `a replica is ${why.join(' and ')}` : undefined;
}

/**
 * Waits until every standby has replayed the primary's WAL up to now. Returns the seconds it waited, or
 * null when there is no standby; throws `timeout()` after `maxMs`.
 */
export async function waitForReplay(db: Db, maxMs: number, timeout: (behind: number) => Error, signal?: AbortSignal): Promise<number | null> {
  const lsn = (await db.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`)).rows[0].lsn;
  const t0 = Date.now();
  for (;;) {
    const r = await db.query(`SELECT count(*) FILTER (WHERE r.replay_lsn < $1::pg_lsn)::int AS behind, count(*)::int AS n ${standbys}`, [lsn]);
    if (!r.rows[0].n) return null;
    if (r.rows[0].behind === 0) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > maxMs) throw timeout(r.rows[0].behind);
    await sleep(200, signal);
  }
}
