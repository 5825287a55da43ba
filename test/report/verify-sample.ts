/**
 * A realistic verify result for renderer tests, made by the real `verify` from two hand-built
 * snapshots of a shop database around the change `orders-created-at` (an added column, backfilled,
 * with an index):
 *
 * - queries: the lookup by customer got 60 % slower over 3,000 calls (a regression); the lookup by id
 *   stayed put; the count by status got faster; a new query appeared (no "before"); a report query ran
 *   only 10 times and rose 80 % (too few calls to call it a regression);
 * - indexes: orders_created_at_idx is new and never used while orders was scanned 3,600 times (a
 *   regression); orders_pkey and customers_pkey were scanned; orders_status_idx was not;
 * - tables: orders got 600 sequential scans (a regression on a changed table) and 100,000 dead tuples
 *   (a regression); customers only index scans.
 *
 * `{ reset: true }`: statistics and pg_stat_statements were reset between the snapshots.
 */
import type { IndexStat, Snapshot, StatementStat, TableStat } from '../../src/verify/snapshot.js';
import { verify, type VerifyResult, type VerifyThresholds } from '../../src/verify/verify.js';

const T0 = '2026-11-27T14:00:00.000Z';
const T1 = '2026-11-27T14:10:00.000Z';

function table(name: string, o: Partial<TableStat>): TableStat {
  return {
    table: name,
    seqScan: 0,
    seqTupRead: 0,
    idxScan: 0,
    liveTuples: 100_000,
    deadTuples: 0,
    inserted: 0,
    updated: 0,
    deleted: 0,
    hotUpdated: 0,
    lastVacuum: null,
    lastAutovacuum: null,
    lastAnalyze: null,
    lastAutoanalyze: null,
    heapBlksHit: 0,
    heapBlksRead: 0,
    idxBlksHit: 0,
    idxBlksRead: 0,
    bytes: 20 * 1024 * 1024,
    totalBytes: 30 * 1024 * 1024,
    ...o,
  };
}
function index(name: string, tableName: string, idxScan: number, bytes = 2 * 1024 * 1024): IndexStat {
  return { index: name, table: tableName, idxScan, lastIdxScan: null, tupRead: 0, tupFetch: 0, blksHit: 0, blksRead: 0, bytes, valid: true };
}
function stmt(queryid: string, query: string, calls: number, meanMs: number): StatementStat {
  return { queryid, query, calls, totalMs: calls * meanMs, meanMs, rows: calls, sharedBlksHit: 0, sharedBlksRead: 0 };
}

export const SQL = {
  byCustomer: 'SELECT id, total_cents FROM public.orders WHERE customer_id = $1',
  byId: 'SELECT * FROM public.orders WHERE id = $1',
  byStatus: 'SELECT count(*) FROM public.orders WHERE status = $1',
  recent: 'SELECT id FROM public.orders WHERE created_at > $1 ORDER BY created_at DESC LIMIT $2',
  report: 'SELECT customer_id, sum(total_cents) FROM public.orders GROUP BY customer_id',
};

export function sampleSnapshots(o: { reset?: boolean } = {}): { before: Snapshot; after: Snapshot } {
  const base = {
    version: 1 as const,
    kind: 'lockstep-snapshot' as const,
    database: { name: 'shop', oid: 16384, systemIdentifier: '7300000000000000001' },
    server: { versionNum: 160004, major: 16 },
    replication: [],
  };
  const before: Snapshot = {
    ...base,
    id: 3,
    label: 'before apply',
    change: 'orders-created-at',
    takenAt: T0,
    statements: [stmt('1', SQL.byCustomer, 10_000, 1.0), stmt('2', SQL.byId, 50_000, 0.05), stmt('3', SQL.byStatus, 2_000, 40), stmt('5', SQL.report, 100, 200)],
    statementsResetAt: '2026-11-01T00:00:00.000Z',
    tables: [
      table('public.orders', { seqScan: 1_000, idxScan: 60_000, updated: 5_000, deadTuples: 500 }),
      table('public.customers', { seqScan: 10, idxScan: 8_000, liveTuples: 5_000, bytes: 1024 * 1024, totalBytes: 2 * 1024 * 1024 }),
    ],
    indexes: [index('public.orders_pkey', 'public.orders', 50_000), index('public.orders_status_idx', 'public.orders', 10_000), index('public.customers_pkey', 'public.customers', 8_000)],
    databaseStats: { commits: 100_000, rollbacks: 0, blksHit: 990_000, blksRead: 10_000, tempFiles: 0, tempBytes: 0, deadlocks: 0, statsResetAt: '2026-11-01T00:00:00.000Z' },
  };
  const reset = o.reset ? '2026-11-27T14:05:00.000Z' : undefined;
  const after: Snapshot = {
    ...base,
    id: 4,
    label: 'verify',
    takenAt: T1,
    statements: [
      stmt('1', SQL.byCustomer, 13_000, (10_000 * 1.0 + 3_000 * 1.6) / 13_000),
      stmt('2', SQL.byId, 56_000, 0.05),
      stmt('3', SQL.byStatus, 2_600, (2_000 * 40 + 600 * 20) / 2_600),
      stmt('4', SQL.recent, 1_200, 0.8),
      stmt('5', SQL.report, 110, (100 * 200 + 10 * 360) / 110),
    ],
    statementsResetAt: reset ?? '2026-11-01T00:00:00.000Z',
    tables: [
      table('public.orders', { seqScan: 1_600, idxScan: 63_000, updated: 105_000, deadTuples: 100_500, totalBytes: 60 * 1024 * 1024 }),
      table('public.customers', { seqScan: 10, idxScan: 9_200, liveTuples: 5_000, bytes: 1024 * 1024, totalBytes: 2 * 1024 * 1024 }),
    ],
    indexes: [
      index('public.orders_pkey', 'public.orders', 56_000),
      index('public.orders_status_idx', 'public.orders', 10_000),
      index('public.customers_pkey', 'public.customers', 9_200),
      index('public.orders_created_at_idx', 'public.orders', 0, 3 * 1024 * 1024),
    ],
    databaseStats: { commits: 160_000, rollbacks: 0, blksHit: 1_090_000, blksRead: 12_000, tempFiles: 0, tempBytes: 0, deadlocks: 0, statsResetAt: reset ?? '2026-11-01T00:00:00.000Z' },
  };
  return { before, after };
}

export function sampleVerifyResult(o: { reset?: boolean; thresholds?: Partial<VerifyThresholds> } = {}): VerifyResult {
  const { before, after } = sampleSnapshots(o);
  return verify(before, after, { changedTables: ['public.orders'], ...(o.thresholds ? { thresholds: o.thresholds } : {}) });
}
