/**
 * The verify rules on snapshots built by hand (verify is a pure function of two snapshots): a query
 * regression over the threshold with enough calls, not under it or with few calls; a statistics reset
 * between the snapshots is said instead of compared; snapshots of different databases are refused.
 */
import { describe, expect, test } from 'vitest';
import { verify, asSnapshot } from '../../src/verify/verify.js';
import type { Snapshot } from '../../src/verify/snapshot.js';

function snap(at: string, o: Partial<Snapshot> = {}): Snapshot {
  return {
    version: 1,
    kind: 'lockstep-snapshot',
    takenAt: at,
    database: { name: 'shop', oid: 16384, systemIdentifier: '7300000000000000001' },
    server: { versionNum: 160004, major: 16 },
    statements: [],
    statementsResetAt: '2026-11-01T00:00:00.000Z',
    tables: [],
    indexes: [],
    databaseStats: { commits: 1000, rollbacks: 0, blksHit: 99_000, blksRead: 1000, tempFiles: 0, tempBytes: 0, deadlocks: 0, statsResetAt: '2026-11-01T00:00:00.000Z' },
    replication: [],
    ...o,
  };
}
const q = (queryid: string, calls: number, totalMs: number) => ({ queryid, query: `SELECT ${queryid}`, calls, totalMs, meanMs: totalMs / calls, rows: calls, sharedBlksHit: 0, sharedBlksRead: 0 });

describe('verify', () => {
  test('a query whose mean rose more than 20 % over enough calls is a regression; a small rise or few calls are not', () => {
    const before = snap('2026-11-27T10:00:00Z', { statements: [q('a', 1000, 1000), q('b', 1000, 1000), q('c', 10, 10)] });
    // a: 1000 more calls at 1.5 ms (was 1 ms); b: 1000 more at 1.1 ms; c: 5 more calls at 10 ms.
    const after = snap('2026-11-27T10:10:00Z', { statements: [q('a', 2000, 2500), q('b', 2000, 2100), q('c', 15, 60)] });
    const r = verify(before, after);
    expect(r.findings.map((f) => `${f.kind} ${f.subject}`)).toEqual(['query-regression SELECT a']);
    expect(r.findings[0]!.message).toBe('mean time 1.000 ms → 1.500 ms (+50 %) over 1000 calls: SELECT a');
    expect(r.seconds).toBe(600);
    expect(r.rates.queries.find((x) => x.query === 'SELECT a')!.callsPerS).toBeCloseTo(1000 / 600, 6);
  });

  test('a reset between the snapshots is said, and nothing is compared across it', () => {
    const before = snap('2026-11-27T10:00:00Z', { statements: [q('a', 1000, 1000)] });
    const after = snap('2026-11-27T10:10:00Z', {
      statements: [q('a', 10, 100)],
      statementsResetAt: '2026-11-27T10:05:00Z',
      databaseStats: { ...snap('x').databaseStats, commits: 10, blksHit: 10, blksRead: 1000, statsResetAt: '2026-11-27T10:05:00Z' },
    });
    const r = verify(before, after);
    expect(r.statsReset).toBe(true);
    expect(r.findings.map((f) => f.kind)).toEqual(['stats-reset', 'stats-reset']);
    expect(r.findings.every((f) => f.severity === 'info')).toBe(true);
  });

  test('the cache hit ratio between the snapshots against the one before', () => {
    const before = snap('2026-11-27T10:00:00Z');
    const after = snap('2026-11-27T10:10:00Z', { databaseStats: { ...snap('x').databaseStats, blksHit: 99_000 + 9000, blksRead: 1000 + 1000 } });
    expect(verify(before, after).findings.map((f) => f.message)).toEqual(['cache hit ratio 90.0 % between the snapshots, against 99.0 % before']);
  });

  test('different databases, the wrong order, and a file that is not a snapshot are refused', () => {
    const a = snap('2026-11-27T10:00:00Z');
    expect(() => verify(a, snap('2026-11-27T10:10:00Z', { database: { name: 'shop', oid: 16384, systemIdentifier: '7300000000000000002' } }))).toThrow(/different databases/);
    expect(() => verify(a, snap('2026-11-27T10:10:00Z', { database: { name: 'other', oid: 16390, systemIdentifier: '7300000000000000001' } }))).toThrow(/different databases \(shop, oid 16384 and other, oid 16390\)/);
    expect(() => verify(snap('2026-11-27T10:10:00Z'), a)).toThrow(/is not later than/);
    expect(() => asSnapshot({ hello: 1 }, '--before x.json')).toThrow(/--before x\.json: not a lockstep snapshot/);
  });
});
