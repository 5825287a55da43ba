/**
 * apply against a REAL streaming replica (a primary and a hot standby of PostgreSQL 18, started by this
 * file): the backfill pauses while the standby lags behind and continues once it has caught up; a phase
 * is finished only when the standby has replayed it. The lag is made on demand with
 * pg_wal_replay_pause() on the standby (it still receives the WAL, it just does not replay it).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startReplicaPair, type ReplicaPair } from '../helpers/replica.js';
import { apply } from '../../src/apply/apply.js';
import { connect } from '../../src/apply/db.js';
import { replicationLag } from '../../src/apply/replicas.js';
import type { ApplyEvent } from '../../src/apply/events.js';
import type { Change } from '../../src/operations/types.js';

const debug = !!process.env.LOCKSTEP_REPLICA_DEBUG;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pair: ReplicaPair | undefined;

beforeAll(async () => {
  pair = await startReplicaPair({ major: 18 });
}, 120_000);

afterAll(async () => {
  await pair?.stop();
}, 60_000);

const guard = { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 };

/** A database on the primary with `rows` rows in `items`, replayed on the standby before it returns. */
async function database(name: string, rows: number): Promise<string> {
  const p = pair!;
  await p.primary.query(`CREATE DATABASE ${name}`);
  await p.primary.query(`CREATE TABLE items (id bigint PRIMARY KEY, v integer NOT NULL); INSERT INTO items SELECT g, g % 100 FROM generate_series(1, ${rows}) g; ANALYZE items;`, [], name);
  await p.waitForReplay();
  return name;
}

/** A NOT NULL column with a default for new rows and a different value for existing ones: expand, backfill, contract. */
const doubled = (name: string): Change => ({
  name,
  operations: [{ kind: 'addColumn', table: { name: 'items' }, name: 'doubled', type: 'bigint', nullable: false, default: '0', backfill: 'id * 2' }],
});

/** Pauses replay on the standby; resumes it when the test ends, also when it fails. */
async function pauseReplay(onTestFinished: (fn: () => Promise<void>) => void): Promise<void> {
  const p = pair!;
  onTestFinished(async () => {
    await p.standby.query(`SELECT pg_wal_replay_resume()`).catch(() => {});
  });
  await p.standby.query(`SELECT pg_wal_replay_pause()`);
}

/** Polls `check` (every 100 ms) until it returns something truthy and resolves with that; after `ms`, rejects with `why()`. */
async function until<T>(ms: number, check: () => T | false | Promise<T | false>, why: () => Promise<string>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(await why());
    await sleep(100);
  }
}

/** Resolves with `promise`, or rejects after `ms` with `why()` (for a bounded wait with a useful message). */
async function within<T>(ms: number, promise: Promise<T>, why: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void why().then((m) => reject(new Error(m)), (e) => reject(e)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe.sequential('apply with a streaming replica (PG 18 primary + hot standby)', () => {
  test('the backfill pauses while the standby lags over maxLagBytes and continues after it catches up', { timeout: 180_000 }, async ({ onTestFinished }) => {
    const p = pair!;
    const ROWS = 50_000;
    const db = await database('replica_backfill', ROWS);
    const url = p.primary.url(db);
    const change = doubled('items-doubled-lag');

    // Expand with the standby streaming: the phase ends when the standby has replayed it.
    const expandEvents: ApplyEvent[] = [];
    const expand = await apply(change, { url, until: 'expand', guard, replicaWaitMs: 60_000, onProgress: (e) => expandEvents.push(e) });
    expect(expand.stoppedAfter).toBe('expand');
    expect(expandEvents.filter((e) => e.type === 'replicas-caught-up').map((e) => (e as any).phase)).toEqual(['expand']);

    // The standby stops replaying before the rest of the change runs. The expand phase, done and
    // confirmed by the first run, is not waited for again (that wait could not end while replay is paused).
    await pauseReplay(onTestFinished);
    const MAX_LAG_BYTES = 256 * 1024;
    const events: { e: ApplyEvent; afterResume: boolean; at: number }[] = [];
    let resumed = false;
    let pauses = 0;
    const t0 = Date.now();
    const running = apply(change, {
      url,
      guard,
      // Small batches: the backfill takes many of them, so replay is paused long before it could end.
      backfill: { maxLagBytes: MAX_LAG_BYTES, targetBatchMs: 20, maxBatch: 1000 },
      replicaWaitMs: 60_000,
      onProgress: (e) => {
        events.push({ e, afterResume: resumed, at: Date.now() - t0 });
        if (e.type === 'backfill-paused') pauses++;
      },
    });
    running.catch(() => {}); // awaited below; no unhandled rejection meanwhile
    const rowsDone = async () => (await p.primary.query(`SELECT rows_done::int AS n FROM lockstep.backfills WHERE change = $1`, [change.name], db))[0]?.n as number | undefined;
    const diagnose = async () => `rows done: ${await rowsDone()} of ${ROWS}; events: ${[...new Set(events.map((x) => x.e.type))].join(', ')}; pg_stat_replication: ${JSON.stringify(await p.replicationStatus())}`;
    const finishedEarly = running.then(async (): Promise<never> => {
      if (resumed) return new Promise<never>(() => {});
      throw new Error(`apply finished while replay was paused; ${await diagnose()}`);
    });
    finishedEarly.catch(() => {});

    // Wait until the standby is really paused and the primary knows where: from then on the replay
    // position the primary sees cannot move, and the WAL of every further batch adds to the lag.
    const frozen = await Promise.race([
      until(
        60_000,
        async () => {
          const [s] = await p.standby.query(`SELECT pg_get_wal_replay_pause_state() AS state, pg_last_wal_replay_lsn()::text AS lsn`);
          if (s.state !== 'paused') return false;
          const [r] = await p.replicationStatus();
          return r?.replay_lsn === s.lsn && (r!.replay_bytes_behind as number) > MAX_LAG_BYTES ? (s.lsn as string) : false;
        },
        async () => `the standby did not pause replay with a lag over ${MAX_LAG_BYTES} bytes; ${await diagnose()}`,
      ),
      finishedEarly,
    ]);
    // …and the backfill notices: a backfill-paused event after that point.
    const pausesBefore = pauses;
    await Promise.race([until(30_000, () => pauses > pausesBefore, async () => `no backfill-paused event while the standby is over ${MAX_LAG_BYTES} bytes behind (replay paused at ${frozen}); ${await diagnose()}`), finishedEarly]);

    // While paused the checkpoint does not move: two reads a little apart, and nothing but pause notices between them.
    const first = await rowsDone();
    const mark = events.length;
    await sleep(1500);
    const second = await rowsDone();
    const between = events.slice(mark);
    const lagWhilePaused = await p.replicationStatus();
    if (debug) console.log(`paused at ${first} rows (${Date.now() - t0} ms); pg_stat_replication:`, lagWhilePaused);
    expect(first).toBeGreaterThan(0); // it ran batches before the lag built up
    expect(first).toBeLessThan(ROWS); // and stopped before the end
    expect(second).toBe(first);
    expect(between.map((x) => x.e.type)).toEqual(between.map(() => 'backfill-paused'));
    expect(between.length).toBeGreaterThanOrEqual(2); // it keeps checking the lag
    expect(lagWhilePaused[0]!.replay_bytes_behind).toBeGreaterThan(MAX_LAG_BYTES);
    expect((between[0]!.e as Extract<ApplyEvent, { type: 'backfill-paused' }>).reason).toMatch(/^a replica is [\d.]+ (kB|MB) of WAL behind \(limit 256 kB\)$/);
    expect(events.filter((x) => x.e.type === 'replicas-caught-up' && !x.afterResume)).toEqual([]); // expand was not waited for again

    // The standby replays again: the backfill continues and apply finishes.
    resumed = true;
    const tResume = Date.now() - t0;
    await p.standby.query(`SELECT pg_wal_replay_resume()`);
    const result = await within(120_000, running, async () => `apply did not finish within 120 s after the standby resumed; rows done ${await rowsDone()}; pg_stat_replication: ${JSON.stringify(await p.replicationStatus())}`);
    expect(result.stoppedAfter).toBeUndefined();
    const after = events.filter((x) => x.afterResume);
    const progressed = after.filter((x) => x.e.type === 'backfill' && (x.e as any).rows > first!);
    expect(progressed.length).toBeGreaterThan(0);
    expect(after.map((x) => x.e.type)).toContain('done');
    const ledger = await p.primary.query(`SELECT rows_done::int AS rows, (SELECT state FROM lockstep.changes WHERE name = $1) AS state FROM lockstep.backfills WHERE change = $1`, [change.name], db);
    expect(ledger).toEqual([{ rows: ROWS, state: 'applied' }]);
    if (debug) {
      const firstAfter = after.find((x) => x.e.type !== 'backfill-paused');
      console.log(`resumed at ${tResume} ms; first non-pause event ${firstAfter?.e.type} at ${firstAfter?.at} ms; done at ${after.at(-1)?.at} ms; paused events after resume: ${after.filter((x) => x.e.type === 'backfill-paused').length}`);
      console.log(after.map((x) => `${x.at} ${x.e.type} ${(x.e as any).reason ?? (x.e as any).rows ?? (x.e as any).phase ?? ''}${x.e.type === 'backfill' ? ` batch ${(x.e as any).batchSize}` : ''}`).join('\n'));
    }

    // The standby has all of it: every row filled, and the column NOT NULL.
    await p.waitForReplay();
    const [onStandby] = await p.standby.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE doubled IS NULL)::int AS nulls, count(*) FILTER (WHERE doubled = id * 2)::int AS filled,
              (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'doubled') AS notnull,
              pg_is_in_recovery() AS standby
       FROM items`,
      [],
      db,
    );
    expect(onStandby).toEqual({ n: ROWS, nulls: 0, filled: ROWS, notnull: true, standby: true });
  });

  test('a phase is finished only when the standby has replayed it', { timeout: 120_000 }, async ({ onTestFinished }) => {
    const p = pair!;
    const db = await database('replica_phase', 1000);
    const url = p.primary.url(db);
    const change = doubled('items-doubled-phase');
    const hasColumn = `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'doubled' AND NOT attisdropped`;

    await pauseReplay(onTestFinished);
    const t0 = Date.now();
    await expect(apply(change, { url, until: 'expand', guard, replicaWaitMs: 2000 })).rejects.toThrow(/^phase expand: 1 replica\(s\) have not replayed the expand phase after 2 s; run apply again once they catch up$/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000); // it waited before giving up
    // The steps ran on the primary; the standby does not have them.
    expect((await p.primary.query(hasColumn, [], db))[0].n).toBe(1);
    expect((await p.standby.query(hasColumn, [], db))[0].n).toBe(0);

    // Again, with a longer wait; the standby resumes replay while apply waits for it.
    const events: { e: ApplyEvent; resumeRequested: boolean }[] = [];
    let resumeRequested = false;
    let resumeDone: Promise<unknown> = Promise.resolve();
    const again = await apply(change, {
      url,
      until: 'expand',
      guard,
      replicaWaitMs: 60_000,
      onProgress: (e) => {
        events.push({ e, resumeRequested });
        if (e.type === 'phase-done')
          resumeDone = sleep(300).then(() => {
            resumeRequested = true;
            return p.standby.query(`SELECT pg_wal_replay_resume()`);
          });
      },
    });
    await resumeDone;
    expect(again.stoppedAfter).toBe('expand');
    expect(again.ran).toEqual([]); // the steps were done by the first run
    const types = events.map((x) => x.e.type);
    expect(types.slice(types.indexOf('phase-done'))).toEqual(['phase-done', 'replicas-caught-up', 'stopped']);
    const caughtUp = events.find((x) => x.e.type === 'replicas-caught-up')!;
    expect(caughtUp.resumeRequested).toBe(true); // it waited for the standby (resumed 300 ms after the phase ended)
    expect((caughtUp.e as Extract<ApplyEvent, { type: 'replicas-caught-up' }>).seconds).toBeGreaterThanOrEqual(0.25);
    if (debug) console.log('replicas-caught-up', caughtUp.e);
    // …and when apply says the phase is done, the standby has it.
    expect((await p.standby.query(hasColumn, [], db))[0].n).toBe(1);
  });

  test('a standby that has replayed everything has no lag, whatever replay_lag it last reported', { timeout: 60_000 }, async () => {
    const p = pair!;
    const db = await database('replica_idle', 1000);
    await p.primary.query(`UPDATE items SET v = v + 1`, [], db); // some WAL, so the standby reports a replay_lag
    await p.waitForReplay();
    const conn = await connect(p.primary.url(db));
    try {
      // Background WAL (a checkpoint, autovacuum) can move the primary on for a moment: poll briefly.
      const t0 = Date.now();
      let lag = await replicationLag(conn);
      while (lag.seconds !== 0 && Date.now() - t0 < 10_000) {
        await sleep(100);
        lag = await replicationLag(conn);
      }
      expect(lag).toMatchObject({ replicas: 1, seconds: 0, bytes: 0 });
    } finally {
      await conn.close();
    }
  });
});
