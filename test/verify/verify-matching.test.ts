/**
 * verify's matching of the two snapshots, from an independent review: pg_stat_statements rows per
 * role, counters that went down without a new stats_reset (a crash restart), renamed indexes and
 * recreated tables by OID, tables created between the snapshots, a full "before" query list, invalid
 * indexes, seq scans compared with the rate before, secrets in query text, damaged snapshot files.
 */
import { describe, expect, test } from 'vitest';
import { verify, asSnapshot } from '../../src/verify/verify.js';
import { redactSecrets, type Snapshot, type StatementStat, type TableStat, type IndexStat } from '../../src/verify/snapshot.js';

const T0 = '2026-12-05T10:00:00.000Z';
const T1 = '2026-12-05T10:10:00.000Z';
const STARTED = '2026-12-01T00:00:00.000Z';

const table = (name: string, relid: number, o: Partial<TableStat> = {}): TableStat => ({
  table: name, relid, seqScan: 0, seqTupRead: 0, idxScan: 0, liveTuples: 10_000, deadTuples: 0, inserted: 0, updated: 0, deleted: 0, hotUpdated: 0,
  lastVacuum: null, lastAutovacuum: null, lastAnalyze: null, lastAutoanalyze: null, heapBlksHit: 0, heapBlksRead: 0, idxBlksHit: 0, idxBlksRead: 0, bytes: 1 << 20, totalBytes: 2 << 20, ...o,
});
const index = (name: string, indexrelid: number, o: Partial<IndexStat> = {}): IndexStat => ({
  index: name, table: 'public.t', indexrelid, idxScan: 0, lastIdxScan: null, tupRead: 0, tupFetch: 0, blksHit: 0, blksRead: 0, bytes: 8192, valid: true, ...o,
});
const q = (queryid: string, userid: string, calls: number, meanMs: number, query = `SELECT ${queryid}`): StatementStat => ({ queryid, userid, toplevel: true, query, calls, totalMs: calls * meanMs, meanMs, rows: calls, sharedBlksHit: 0, sharedBlksRead: 0 });

function snap(takenAt: string, o: Partial<Snapshot> = {}): Snapshot {
  return {
    version: 1, kind: 'lockstep-snapshot', takenAt, database: { name: 'shop', oid: 5, systemIdentifier: '1' }, server: { versionNum: 150000, major: 15 },
    statements: [], statementsResetAt: null, statementsLimit: 500, serverStartedAt: STARTED, tables: [], indexes: [],
    databaseStats: { commits: 1000, rollbacks: 0, blksHit: 10_000, blksRead: 100, tempFiles: 0, tempBytes: 0, deadlocks: 0, statsResetAt: null },
    replication: [], ...o,
  };
}
const kinds = (r: ReturnType<typeof verify>) => r.findings.map((f) => `${f.kind} ${f.subject}`);

describe('verify matches what it compares', () => {
  test('the same query run by two roles is two rows, each compared with its own', () => {
    const before = snap(T0, { statements: [q('7', 'app', 300, 1), q('7', 'admin', 60, 1)] });
    const after = snap(T1, { statements: [q('7', 'app', 300, 1), q('7', 'admin', 120, 1)] });
    const r = verify(before, after);
    expect(r.rates.queries).toEqual([expect.objectContaining({ calls: 60, meanMsBefore: 1 })]);
  });

  test('counters that went down with no new stats_reset (a crash restart) are a reset, not zeros', () => {
    const before = snap(T0, { tables: [table('public.t', 1, { seqScan: 55 })] });
    const after = snap(T1, { tables: [table('public.t', 1, { seqScan: 3 })], databaseStats: { ...before.databaseStats, commits: 306 } });
    const r = verify(before, after);
    expect(r.statsReset).toBe(true);
    expect(kinds(r)).toEqual(['stats-reset database']);
    const restarted = verify(before, snap(T1, { serverStartedAt: '2026-12-05T10:05:00.000Z' }));
    expect(restarted.findings[0]!.message).toMatch(/^the server restarted at 2026-12-05T10:05:00.000Z/);
  });

  test('a query whose calls went down was reset on its own: left out', () => {
    const r = verify(snap(T0, { statements: [q('1', 'app', 400, 1)] }), snap(T1, { statements: [q('1', 'app', 120, 5)] }));
    expect(r.rates.queries).toEqual([]);
    expect(r.queriesCompared).toBe(true);
  });

  test('a renamed index is the same index; a table dropped and created again is a new one', () => {
    const before = snap(T0, { tables: [table('public.t', 1, { idxScan: 100 })], indexes: [index('public.t_v_idx', 11, { idxScan: 120 })] });
    const after = snap(T1, { tables: [table('public.t', 1, { idxScan: 250 })], indexes: [index('public.t_value_idx', 11, { idxScan: 200 })] });
    const r = verify(before, after);
    expect(kinds(r)).toEqual([]);
    expect(r.rates.indexes).toEqual([expect.objectContaining({ index: 'public.t_value_idx', scans: 80, isNew: false })]);
    const recreated = verify(snap(T0, { tables: [table('public.t', 1, { seqScan: 500 })] }), snap(T1, { tables: [table('public.t', 2, { seqScan: 80 })] }));
    expect(recreated.rates.tables).toEqual([expect.objectContaining({ table: 'public.t', seqScans: 80 })]);
  });

  test('a table created between the snapshots counts from zero', () => {
    const r = verify(snap(T0), snap(T1, { tables: [table('public.fresh', 3, { seqScan: 40, inserted: 5000 })] }));
    expect(r.rates.tables).toEqual([expect.objectContaining({ table: 'public.fresh', seqScans: 40 })]);
  });

  test('a query missing from a full "before" list may have been below the cut: not compared', () => {
    const full = Array.from({ length: 3 }, (_, i) => q(String(i), 'app', 100, 1));
    const r = verify(snap(T0, { statements: full, statementsLimit: 3 }), snap(T1, { statements: [...full.map((x) => ({ ...x, calls: 200, totalMs: 200 })), q('99', 'app', 3, 1)] }));
    expect(r.rates.queries.map((x) => x.query)).toEqual(['SELECT 0', 'SELECT 1', 'SELECT 2']);
  });

  test('an INVALID new index is said as such, not as unused', () => {
    const r = verify(snap(T0, { tables: [table('public.t', 1)] }), snap(T1, { tables: [table('public.t', 1, { seqScan: 500 })], indexes: [index('public.t_x_idx', 12, { valid: false })] }));
    expect(r.findings.find((f) => f.subject === 'public.t_x_idx')!.message).toMatch(/is INVALID/);
  });

  test('sequential scans at the rate they always had are not new; a table never scanned before is', () => {
    // Before: 4 days since the server started, 345,600 s, 3,456 seq scans = 0.01/s. Between: 6 in 600 s = 0.01/s.
    const before = snap(T0, { tables: [table('public.t', 1, { seqScan: 3456 }), table('public.u', 2)] });
    const steady = verify(before, snap(T1, { tables: [table('public.t', 1, { seqScan: 3462 }), table('public.u', 2, { seqScan: 6 })] }));
    expect(kinds(steady)).toEqual(['new-seq-scans public.u']);
    const faster = verify(before, snap(T1, { tables: [table('public.t', 1, { seqScan: 3456 + 600 }), table('public.u', 2)] }));
    expect(kinds(faster)).toEqual(['new-seq-scans public.t']);
    expect(faster.findings[0]!.message).toMatch(/1\.00\/s, against 0\.01\/s before$/);
  });

  test('without pg_stat_statements on a side, the result says queries were not compared', () => {
    const r = verify(snap(T0, { statements: null, statementsNote: 'pg_stat_statements is not installed: …' }), snap(T1, { statements: null }));
    expect(r).toMatchObject({ queriesCompared: false, statementsNote: 'pg_stat_statements is not installed: …' });
  });
});

describe('secrets and damaged files', () => {
  test('passwords in utility statements are replaced before anything stores them', () => {
    expect(redactSecrets("ALTER ROLE app PASSWORD 'hunter2'")).toBe("ALTER ROLE app PASSWORD '***'");
    expect(redactSecrets("create role r login encrypted password 'it''s secret' valid until 'infinity'")).toBe("create role r login encrypted password '***' valid until 'infinity'");
    expect(redactSecrets("CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'u', password 'p4ss')")).toBe("CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'u', password '***')");
    expect(redactSecrets('ALTER ROLE app PASSWORD $x$sec\'ret$x$')).toBe("ALTER ROLE app PASSWORD '***'");
    expect(redactSecrets('SELECT password FROM users WHERE id = $1')).toBe('SELECT password FROM users WHERE id = $1');
  });

  test('a damaged or newer snapshot file is refused in one line that says what is wrong', () => {
    const good = snap(T0);
    expect(() => asSnapshot({ ...good, indexes: undefined }, 'f.json')).toThrow(/a damaged lockstep snapshot: indexes missing or wrong/);
    expect(() => asSnapshot({ ...good, databaseStats: undefined, takenAt: 'garbage' }, 'f.json')).toThrow(/takenAt is not a date, databaseStats/);
    expect(() => asSnapshot({ ...good, version: 2 }, 'f.json')).toThrow(/format version 2; this lockstep reads version 1/);
    expect(() => asSnapshot([], 'f.json')).toThrow(/not a lockstep snapshot/);
  });
});
