/**
 * verify on snapshots shaped as MySQL/MariaDB writes them (the real ones are in
 * test/integration/mysql-verify.test.ts): a side without table and index activity compares sizes and
 * the buffer pool and says the rest is not compared; rows-read counts are worded as rows; a counter
 * lower than before (an ALTER restarted it) counts from its restart; a start time a second off is not
 * a restart; snapshots of two dialects are refused.
 */
import { describe, expect, test } from 'vitest';
import type { Snapshot } from '../../src/verify/snapshot.js';
import { verify } from '../../src/verify/verify.js';

const T0 = '2026-12-07T10:00:00.000Z';
const T1 = '2026-12-07T10:10:00.000Z';

function snap(takenAt: string, o: Partial<Snapshot> = {}): Snapshot {
  return {
    version: 1,
    kind: 'lockstep-snapshot',
    dialect: 'mysql',
    takenAt,
    database: { name: 'shop', oid: null, systemIdentifier: 'db1:3306:/var/lib/mysql/' },
    server: { versionNum: 101119, major: 10, version: '10.11.19-MariaDB', flavor: 'mariadb' },
    scanUnit: 'rows',
    statementsSource: 'performance_schema statement digests',
    statements: null,
    statementsResetAt: null,
    serverStartedAt: '2026-12-07T09:00:00.000Z',
    tables: [],
    indexes: [],
    databaseStats: { commits: 100, rollbacks: 0, blksHit: 1_000_000, blksRead: 1_000, tempFiles: 0, statsResetAt: null },
    replication: [],
    ...o,
  };
}

const note = 'performance_schema is OFF';

describe('verify on MySQL-shaped snapshots', () => {
  test('without activity: growth and the buffer pool are compared, activity is said not compared', () => {
    const before = snap(T0, { activityNote: note, tables: [{ table: 'orders', liveTuples: 10_000, bytes: 5e6, totalBytes: 8e6 }] });
    const after = snap(T1, {
      activityNote: note,
      tables: [{ table: 'orders', liveTuples: 40_000, bytes: 20e6, totalBytes: 30e6 }],
      databaseStats: { commits: 200, rollbacks: 0, blksHit: 1_010_000, blksRead: 21_000, tempFiles: 0, statsResetAt: null },
    });
    const r = verify(before, after);
    expect(r.findings.map((f) => f.kind).sort()).toEqual(['cache-hit-drop', 'table-growth']);
    expect(r).toMatchObject({ activityCompared: false, activityNote: note, queriesCompared: false, dialect: 'mysql', scanUnit: 'rows' });
    expect(r.rates.tables).toEqual([]);
    expect(r.statementsNote).toBe('performance_schema statement digests was not read in one of the snapshots');
  });

  test('rows read by full scans are worded as rows; a counter an ALTER restarted counts from the restart', () => {
    const t = (seq: number, idx: number) => ({ table: 'orders', liveTuples: 10_000, bytes: 1, totalBytes: 1, seqScan: seq, seqTupRead: seq, idxScan: idx, inserted: 0, updated: 0, deleted: 0 });
    const before = snap(T0, { tables: [t(0, 5_000_000)], indexes: [{ index: 'orders.PRIMARY', table: 'orders', idxScan: 5_000_000, valid: true }] });
    // After an ALTER the table's counters started again: 600,000 rows read by full scans since then, 200 through the new index.
    const after = snap(T1, {
      tables: [t(600_000, 200)],
      indexes: [
        { index: 'orders.PRIMARY', table: 'orders', idxScan: 0, valid: true },
        { index: 'orders.ix_new', table: 'orders', idxScan: 200, valid: true },
        { index: 'orders.ix_unused', table: 'orders', idxScan: 0, valid: true },
      ],
    });
    const r = verify(before, after);
    expect(r.findings.find((f) => f.kind === 'new-seq-scans')?.message).toBe('600,000 rows read by full scans of orders (10,000 rows) since the first snapshot, 1000.00/s, none before');
    expect(r.findings.find((f) => f.kind === 'unused-index')).toMatchObject({ subject: 'orders.ix_unused', message: 'the new index orders.ix_unused was never used, while 600,200 rows of orders were read' });
    expect(r.rates.tables[0]).toMatchObject({ seqScans: 600_000, idxScans: 200 });
    expect(r.rates.indexes.find((i) => i.index === 'orders.ix_new')).toMatchObject({ isNew: true, unused: false, scans: 200 });
    expect(r.statsReset).toBe(false);
  });

  test('a start time a second off is the same start; two seconds or more is a restart', () => {
    expect(verify(snap(T0), snap(T1, { serverStartedAt: '2026-12-07T09:00:01.000Z' })).statsReset).toBe(false);
    const r = verify(snap(T0), snap(T1, { serverStartedAt: '2026-12-07T10:05:00.000Z' }));
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'stats-reset', subject: 'database', message: expect.stringMatching(/^the server restarted at 2026-12-07T10:05:00.000Z/) })]);
  });

  test('every digest both snapshots have counted anew is a reset; one alone is that digest evicted', () => {
    const q = (id: string, calls: number, firstSeen: string) => ({ queryid: id, schema: 'shop', query: `SELECT ${id}`, calls, totalMs: calls, meanMs: 1, rows: calls, firstSeen });
    const before = snap(T0, { statements: [q('a', 100, T0), q('b', 100, T0)], statementsLimit: 500 });
    const both = verify(before, snap(T1, { statements: [q('a', 60, '2026-12-07T10:02:00.000Z'), q('b', 60, '2026-12-07T10:02:00.000Z')], statementsLimit: 500 }));
    expect(both.findings.map((f) => `${f.kind} ${f.subject}`)).toEqual(['stats-reset performance_schema statement digests']);
    expect(both.queriesCompared).toBe(false);
    const one = verify(before, snap(T1, { statements: [q('a', 60, '2026-12-07T10:02:00.000Z'), q('b', 200, T0)], statementsLimit: 500 }));
    expect(one.statsReset).toBe(false);
    expect(one.rates.queries.map((x) => x.query)).toEqual(['SELECT b']);
  });

  test('a MySQL and a PostgreSQL snapshot are different databases', () => {
    const pg = { ...snap(T0), dialect: undefined, database: { name: 'shop', oid: 16384, systemIdentifier: '7300000000000000001' } } as Snapshot;
    expect(() => verify(pg, snap(T1))).toThrow(/the snapshots are of different databases \(a postgres and a mysql one\)/);
    expect(() => verify(snap(T0), snap(T1, { database: { name: 'shop', oid: null, systemIdentifier: 'db2:3306:/var/lib/mysql/' } }))).toThrow(/different databases \(shop on db1:3306.* and shop on db2:3306/);
  });
});
