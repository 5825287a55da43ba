/**
 * verify: what a change did to the database, from two snapshots. The difference per second of wall time
 * between them, and findings against thresholds: a new index never used, a top query whose mean time
 * rose, new sequential scans on a changed table, a lower cache hit ratio, growth and dead tuples left
 * by a backfill, replication lag. A statistics reset between the snapshots is said, not turned into
 * negative rates.
 */
import { LockstepError } from '../core/errors.js';
import { suggest } from '../core/suggest.js';
import type { Snapshot } from './snapshot.js';

export interface VerifyThresholds {
  /** A new index is reported unused once its table saw at least this many scans (default 100). */
  unusedIndexAfterScans: number;
  /** A query's mean time rising more than this (percent, default 20)… */
  queryRegressionPct: number;
  /** …with at least this many calls between the snapshots (default 50). */
  queryMinCalls: number;
  /** Cache hit ratio down by more than this many points (default 2). */
  cacheHitDropPoints: number;
  /** Dead tuples over this share of live ones (default 0.2). */
  deadTupleRatio: number;
  /** Replication lag over this (seconds, default 5). */
  replicationLagSeconds: number;
  /** Sequential scans are only judged on tables of at least this many live rows (default 1000)… */
  seqScanMinRows: number;
  /** …and only when their rate between the snapshots is this many times the table's rate before (default 2; a table never seq-scanned before always counts). */
  seqScanRateFactor: number;
  /** A table (with its indexes) growing by more than this (percent, default 20, and at least 1 MB) is said. */
  tableGrowthPct: number;
}

export const defaultThresholds: VerifyThresholds = {
  unusedIndexAfterScans: 100,
  queryRegressionPct: 20,
  queryMinCalls: 50,
  cacheHitDropPoints: 2,
  deadTupleRatio: 0.2,
  replicationLagSeconds: 5,
  seqScanMinRows: 1000,
  seqScanRateFactor: 2,
  tableGrowthPct: 20,
};

/** The threshold names, as `--threshold name=value` and the config's `verify.thresholds` take them. */
export const thresholdNames = Object.keys(defaultThresholds) as (keyof VerifyThresholds)[];
const wholeThresholds: ReadonlySet<string> = new Set<keyof VerifyThresholds>(['unusedIndexAfterScans', 'queryMinCalls', 'seqScanMinRows']);

/**
 * What is wrong with one threshold setting, as a message to print after its name; undefined when it
 * is fine. Every threshold is a number ≥ 0; the two counts are whole numbers.
 */
export function thresholdProblem(name: string, value: unknown): string | undefined {
  if (!(thresholdNames as string[]).includes(name)) {
    const hint = suggest(name, thresholdNames);
    return `unknown threshold${hint || ` (known: ${thresholdNames.join(', ')})`}`;
  }
  const whole = wholeThresholds.has(name);
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (!whole || Number.isInteger(value));
  return ok ? undefined : `must be ${whole ? 'a whole number' : 'a number'} (0 or more); got ${JSON.stringify(value)}`;
}

export type FindingKind = 'unused-index' | 'query-regression' | 'new-seq-scans' | 'cache-hit-drop' | 'dead-tuples' | 'table-growth' | 'replication-lag' | 'stats-reset';

export interface VerifyFinding {
  kind: FindingKind;
  /** regression: something got worse; info: worth knowing. */
  severity: 'regression' | 'info';
  subject: string;
  message: string;
  /** What to do about it, when there is something to do. */
  advice?: string;
}

export interface VerifySide {
  id?: number;
  takenAt: string;
  label?: string;
  /** The change the snapshot was taken for (apply's "before apply" / "after apply"). */
  change?: string;
}

/**
 * The JSON of `lockstep verify --format json` (version 1). Fields are only ever added to it: a
 * consumer written against an earlier build keeps working.
 */
export interface VerifyResult {
  version: 1;
  /** The database's name. */
  database: string;
  before: VerifySide;
  after: VerifySide;
  seconds: number;
  /** The tables the new-seq-scans finding looked at (the change's tables); absent: every table. */
  changedTables?: string[];
  /** The thresholds the findings were judged against (defaults, config and flags merged). */
  thresholds: VerifyThresholds;
  findings: VerifyFinding[];
  /** Per-second rates over the interval, per table, per index and per query (those with activity). */
  rates: {
    /** Counts are between the snapshots; per-second rates are those counts over `seconds`. */
    tables: { table: string; seqScansPerS: number; idxScansPerS: number; rowsWrittenPerS: number; seqScans: number; idxScans: number }[];
    /**
     * Indexes that are new, were scanned between the snapshots, or whose table was active: scans
     * between the snapshots (and per second), idx_scan in each snapshot (null before: a new index),
     * and whether it is a new index reported unused.
     */
    indexes: { index: string; table: string; scansPerS: number; scans: number; scansBefore: number | null; scansAfter: number; isNew: boolean; unused: boolean }[];
    /** meanMsBefore: the mean up to the first snapshot; meanMsAfter: the mean of the calls between the two. */
    queries: { query: string; callsPerS: number; meanMsBefore: number | null; meanMsAfter: number | null; calls: number; regression: boolean }[];
  };
  statsReset: boolean;
  /** False when pg_stat_statements was missing (or unreadable) on either side: no query was compared; `statementsNote` says why. */
  queriesCompared: boolean;
  statementsNote?: string;
  /** The snapshots' dialect; absent: postgres. */
  dialect?: string;
  /** What the scan figures count: absent or scans (PostgreSQL), rows (MySQL/MariaDB performance_schema: rows read by full scans / through indexes). */
  scanUnit?: 'scans' | 'rows';
  /** Where query figures come from; absent: pg_stat_statements. */
  statementsSource?: string;
  /** False when table and index activity was not read on a side (performance_schema OFF): `activityNote` says why; sizes and the cache are still compared. */
  activityCompared?: boolean;
  activityNote?: string;
  /**
   * Server-wide counters both snapshots kept (MySQL/MariaDB: Handler_read_*, Select_scan, the buffer
   * pool…), their growth between the snapshots and per second; absent without them or across a reset.
   */
  serverCounters?: { name: string; delta: number; perS: number }[];
}

/** The advice verify gives, in the dialect's words (the defaults are PostgreSQL's; a dialect's Metrics gives its own). */
export interface VerifyWords {
  queryAdvice: string;
  cacheAdvice: string;
  dropIndex: (index: string) => string;
}

export const postgresVerifyWords: VerifyWords = {
  queryAdvice: 'compare its EXPLAIN (ANALYZE, BUFFERS) with the plan before the change',
  cacheAdvice: 'a new index or a larger table may no longer fit in shared_buffers',
  dropIndex: () => 'DROP INDEX CONCURRENTLY',
};

/** Two takenAt/startedAt times closer than this are the same moment (MySQL/MariaDB derive the start from Uptime, whole seconds). */
const SAME_MOMENT_MS = 2000;

const ratio = (hit: number, read: number) => (hit + read > 0 ? (100 * hit) / (hit + read) : null);

/** Compares two snapshots of the same database. `changedTables` narrows the seq-scan finding. */
export function verify(before: Snapshot, after: Snapshot, o: { thresholds?: Partial<VerifyThresholds>; changedTables?: string[]; words?: Partial<VerifyWords> } = {}): VerifyResult {
  const words: VerifyWords = { ...postgresVerifyWords, ...o.words };
  const th: VerifyThresholds = { ...defaultThresholds };
  const bad: { where: string; message: string }[] = [];
  for (const [k, v] of Object.entries(o.thresholds ?? {})) {
    if (v === undefined) continue;
    const problem = thresholdProblem(k, v);
    if (problem) bad.push({ where: `thresholds.${k}`, message: problem });
    else th[k as keyof VerifyThresholds] = v;
  }
  if (bad.length) throw new LockstepError('E_INPUT', bad);
  if (before.kind !== 'lockstep-snapshot' || after.kind !== 'lockstep-snapshot') throw new LockstepError('E_INPUT', [{ where: 'verify', message: 'both sides must be lockstep snapshots' }]);
  const dialect = after.dialect ?? 'postgres';
  if ((before.dialect ?? 'postgres') !== dialect)
    throw new LockstepError('E_INPUT', [{ where: 'verify', message: `the snapshots are of different databases (a ${before.dialect ?? 'postgres'} and a ${dialect} one)` }]);
  const sameDb =
    before.database.name === after.database.name &&
    before.database.oid === after.database.oid &&
    (before.database.systemIdentifier === null || after.database.systemIdentifier === null || before.database.systemIdentifier === after.database.systemIdentifier);
  if (!sameDb)
    throw new LockstepError('E_INPUT', [{ where: 'verify', message: `the snapshots are of different databases (${dbName(before)} and ${dbName(after)})` }]);
  const seconds = (Date.parse(after.takenAt) - Date.parse(before.takenAt)) / 1000;
  if (!(seconds > 0)) throw new LockstepError('E_INPUT', [{ where: 'verify', message: `the "after" snapshot (${after.takenAt}) is not later than the "before" one (${before.takenAt})` }]);

  const findings: VerifyFinding[] = [];
  // A reset between the two: counters started again, so differences mean nothing. Said by a newer
  // stats_reset, by a server restart (a crash leaves stats_reset NULL), or by totals that went down.
  const bd = before.databaseStats;
  const ad = after.databaseStats;
  const restarted = !!before.serverStartedAt && !!after.serverStartedAt && Math.abs(Date.parse(before.serverStartedAt) - Date.parse(after.serverStartedAt)) >= SAME_MOMENT_MS;
  const wentDown = ad.commits < bd.commits || ad.blksHit < bd.blksHit || ad.blksRead < bd.blksRead;
  const resetAt =
    ad.statsResetAt !== null &&
    (bd.statsResetAt === null || Math.abs(Date.parse(bd.statsResetAt) - Date.parse(ad.statsResetAt)) >= SAME_MOMENT_MS) &&
    Date.parse(ad.statsResetAt) > Date.parse(before.takenAt);
  const dbReset = resetAt || restarted || wentDown;
  const source = after.statementsSource ?? 'pg_stat_statements';
  // Per-query counters that started again: a reset time (pg_stat_statements_info), or every query
  // both snapshots have with fewer calls, or counted from after the first snapshot (FIRST_SEEN).
  const countersDown = statementsWentDown(before, after);
  const pssReset = (!!after.statementsResetAt && Date.parse(after.statementsResetAt) > Date.parse(before.takenAt)) || countersDown;
  if (dbReset)
    findings.push({
      kind: 'stats-reset',
      severity: 'info',
      subject: 'database',
      message: `${resetAt ? `statistics were reset at ${ad.statsResetAt}` : restarted ? `the server restarted at ${after.serverStartedAt}` : 'the database counters went down (a reset or a crash restart)'}, between the snapshots: table, index and cache figures are not compared`,
    });
  if (pssReset)
    findings.push({
      kind: 'stats-reset',
      severity: 'info',
      subject: source,
      message: `${countersDown && !after.statementsResetAt ? `the ${source} counters went down (reset, or the server restarted)` : `${source} was reset at ${after.statementsResetAt}`}, between the snapshots: query times are not compared`,
    });
  // Without table and index activity on a side (performance_schema OFF), those are not compared.
  const activityNote = before.activityNote ?? after.activityNote;
  const activityCompared = activityNote === undefined;
  const scanUnit = after.scanUnit ?? 'scans';
  const scanWord = scanUnit === 'rows' ? 'rows read by full scans of' : 'sequential scans of';

  // Tables and indexes by OID when both snapshots have it (a renamed index is the same index; a table
  // dropped and created again is a new one), else by name (snapshot files from before OIDs were kept).
  const byOid = before.tables.every((t) => t.relid !== undefined) && after.tables.every((t) => t.relid !== undefined);
  const tkey = (t: Snapshot['tables'][number]) => (byOid ? `#${t.relid}` : t.table);
  const ikeyOk = before.indexes.every((i) => i.indexrelid !== undefined) && after.indexes.every((i) => i.indexrelid !== undefined);
  const ikey = (i: Snapshot['indexes'][number]) => (ikeyOk ? `#${i.indexrelid}` : i.index);
  const tb = new Map(before.tables.map((t) => [tkey(t), t]));
  const ib = new Map(before.indexes.map((i) => [ikey(i), i]));
  const tableAfter = new Map(after.tables.map((t) => [t.table, t]));
  // The rate of sequential scans before the first snapshot: over the time since statistics last started.
  const since = bd.statsResetAt ?? before.serverStartedAt ?? null;
  const lifetime = since ? (Date.parse(before.takenAt) - Date.parse(since)) / 1000 : null;
  const rates: VerifyResult['rates'] = { tables: [], indexes: [], queries: [] };
  const changed = o.changedTables ? new Set(o.changedTables) : undefined;

  if (!dbReset) {
    const zero = { seqScan: 0, seqTupRead: 0, idxScan: 0, inserted: 0, updated: 0, deleted: 0, deadTuples: 0, totalBytes: 0 };
    const beforeOf = new Map<string, Pick<Snapshot['tables'][number], keyof typeof zero>>();
    const n = (x: number | undefined) => x ?? 0;
    for (const t of after.tables) {
      // A table created between the snapshots starts from zero.
      const b = tb.get(tkey(t)) ?? zero;
      beforeOf.set(t.table, b);
      const d = (k: keyof typeof zero) => since0(t[k], b[k]);
      if (b.totalBytes > 0 && t.totalBytes > (1 + th.tableGrowthPct / 100) * b.totalBytes && t.totalBytes - b.totalBytes > 1024 * 1024) {
        findings.push({ kind: 'table-growth', severity: 'info', subject: t.table, message: `${t.table} grew from ${mb(b.totalBytes)} to ${mb(t.totalBytes)} with its indexes` });
      }
      if (!activityCompared) continue;
      const seq = d('seqScan');
      const idx = d('idxScan');
      const written = d('inserted') + d('updated') + d('deleted');
      if (seq || idx || written) rates.tables.push({ table: t.table, seqScansPerS: seq / seconds, idxScansPerS: idx / seconds, rowsWrittenPerS: written / seconds, seqScans: seq, idxScans: idx });
      const rateBefore = lifetime && lifetime > 0 ? n(b.seqScan) / lifetime : null;
      const newlyScanned = n(b.seqScan) === 0 || rateBefore === null || seq / seconds > th.seqScanRateFactor * rateBefore;
      if ((!changed || changed.has(t.table)) && seq > 0 && t.liveTuples >= th.seqScanMinRows && newlyScanned) {
        findings.push({
          kind: 'new-seq-scans',
          severity: 'regression',
          subject: t.table,
          message: `${seq.toLocaleString('en-US')} ${scanWord} ${t.table} (${t.liveTuples.toLocaleString('en-US')} rows) since the first snapshot, ${(seq / seconds).toFixed(2)}/s${rateBefore !== null && n(b.seqScan) > 0 ? `, against ${rateBefore.toFixed(2)}/s before` : n(b.seqScan) === 0 ? ', none before' : ''}`,
          advice: 'find the query with EXPLAIN; an index may be missing or unused',
        });
      }
      if (t.deadTuples !== undefined && t.deadTuples > th.deadTupleRatio * Math.max(t.liveTuples, 1) && t.deadTuples > n(b.deadTuples)) {
        findings.push({ kind: 'dead-tuples', severity: 'regression', subject: t.table, message: `${t.deadTuples.toLocaleString('en-US')} dead tuples in ${t.table} (${Math.round((100 * t.deadTuples) / Math.max(t.liveTuples, 1))} % of its live rows; ${n(b.deadTuples).toLocaleString('en-US')} before)`, advice: `VACUUM (ANALYZE) ${t.table}` });
      }
    }
    const activeTables = new Set(rates.tables.map((t) => t.table));
    for (const i of activityCompared ? after.indexes : []) {
      const prev = ib.get(ikey(i));
      let unused = false;
      if (!prev && !i.valid) {
        findings.push({ kind: 'unused-index', severity: 'regression', subject: i.index, message: `the new index ${i.index} is INVALID (a failed CREATE INDEX CONCURRENTLY?): it is maintained on every write and never used`, advice: `${words.dropIndex(i.index)} ${i.index}, then build it again` });
      } else if (!prev) {
        // A new index (not in the first snapshot) whose table was scanned a lot, never through it.
        const t = tableAfter.get(i.table);
        const b = beforeOf.get(i.table);
        const scans = t && b ? since0(t.seqScan, b.seqScan) + since0(t.idxScan, b.idxScan) : 0;
        if (n(i.idxScan) === 0 && scans >= th.unusedIndexAfterScans) {
          unused = true;
          findings.push({
            kind: 'unused-index',
            severity: 'regression',
            subject: i.index,
            message: `the new index ${i.index}${i.bytes !== undefined ? ` (${mb(i.bytes)})` : ''} was never used, while ${scanUnit === 'rows' ? `${scans.toLocaleString('en-US')} rows of ${i.table} were read` : `${i.table} was scanned ${scans} times`}`,
            advice: `check the query it was made for with EXPLAIN; drop it if nothing needs it (${words.dropIndex(i.index)})`,
          });
        }
      }
      const scans = since0(i.idxScan, prev?.idxScan);
      if (!prev || scans > 0 || activeTables.has(i.table))
        rates.indexes.push({ index: i.index, table: i.table, scansPerS: scans / seconds, scans, scansBefore: prev ? n(prev.idxScan) : null, scansAfter: n(i.idxScan), isNew: !prev, unused });
    }
    const hb = ratio(before.databaseStats.blksHit, before.databaseStats.blksRead);
    const hitDelta = after.databaseStats.blksHit - before.databaseStats.blksHit;
    const readDelta = after.databaseStats.blksRead - before.databaseStats.blksRead;
    const hInterval = ratio(hitDelta, readDelta);
    if (hb !== null && hInterval !== null && hb - hInterval > th.cacheHitDropPoints)
      findings.push({ kind: 'cache-hit-drop', severity: 'regression', subject: 'database', message: `cache hit ratio ${hInterval.toFixed(1)} % between the snapshots, against ${hb.toFixed(1)} % before`, advice: words.cacheAdvice });
  }

  // Counters, not gauges: Uptime and Threads_running are not rates.
  const gauges = new Set(['Uptime', 'Uptime_since_flush_status', 'Threads_running']);
  const serverCounters =
    before.serverStatus && after.serverStatus && !dbReset
      ? Object.entries(after.serverStatus)
          .filter(([k, v]) => !gauges.has(k) && before.serverStatus![k] !== undefined && v >= before.serverStatus![k]!)
          .map(([name, v]) => ({ name, delta: v - before.serverStatus![name]!, perS: (v - before.serverStatus![name]!) / seconds }))
      : undefined;

  const queriesCompared = !!before.statements && !!after.statements && !pssReset;
  if (queriesCompared && before.statements && after.statements) {
    // One row per (role, query, top level) in pg_stat_statements: matched on all three when both
    // snapshots have them (older snapshot files only have the query id).
    const byRole = before.statements.every((q) => q.userid !== undefined) && after.statements.every((q) => q.userid !== undefined);
    const qkey = (q: NonNullable<Snapshot['statements']>[number]) => `${q.schema !== undefined ? `${q.schema}/` : ''}${byRole ? `${q.userid}/${q.queryid}/${q.toplevel ?? ''}` : q.queryid}`;
    const qb = new Map(before.statements.map((q) => [qkey(q), q]));
    // The first snapshot kept only its top queries: one missing from a full list may have been below the cut.
    const beforeFull = before.statements.length >= (before.statementsLimit ?? 500);
    for (const q of after.statements) {
      const b = qb.get(qkey(q));
      if (!b && beforeFull) continue;
      // Fewer calls than before, or counted anew since the first snapshot: this entry was reset (pg_stat_statements_reset for one query, or evicted).
      if (b && (q.calls < b.calls || (q.firstSeen !== undefined && Date.parse(q.firstSeen) > Date.parse(before.takenAt)))) continue;
      const calls = q.calls - (b?.calls ?? 0);
      if (calls <= 0) continue;
      const meanInterval = (q.totalMs - (b?.totalMs ?? 0)) / calls;
      const regression = !!b && b.calls >= th.queryMinCalls && calls >= th.queryMinCalls && b.meanMs > 0 && meanInterval > b.meanMs * (1 + th.queryRegressionPct / 100);
      rates.queries.push({ query: q.query, callsPerS: calls / seconds, meanMsBefore: b && b.calls ? b.meanMs : null, meanMsAfter: meanInterval, calls, regression });
      if (regression && b)
        findings.push({
          kind: 'query-regression',
          severity: 'regression',
          subject: q.query.slice(0, 120),
          message: `mean time ${b.meanMs.toFixed(3)} ms → ${meanInterval.toFixed(3)} ms (+${Math.round((meanInterval / b.meanMs - 1) * 100)} %) over ${calls} calls: ${q.query.slice(0, 120)}`,
          advice: words.queryAdvice,
        });
    }
  }
  for (const r of after.replication)
    if (r.replayLagSeconds !== null && r.replayLagSeconds > th.replicationLagSeconds)
      findings.push({ kind: 'replication-lag', severity: 'regression', subject: r.name || 'replica', message: `replica ${r.name || '(unnamed)'} is ${r.replayLagSeconds.toFixed(1)} s behind` });

  rates.tables.sort((a, b) => b.rowsWrittenPerS + b.seqScansPerS - (a.rowsWrittenPerS + a.seqScansPerS));
  rates.queries.sort((a, b) => b.callsPerS - a.callsPerS);
  rates.indexes.sort((a, b) => Number(b.isNew) - Number(a.isNew) || b.scansPerS - a.scansPerS || a.index.localeCompare(b.index));
  const side = (x: Snapshot): VerifySide => ({
    ...(x.id !== undefined ? { id: x.id } : {}),
    takenAt: x.takenAt,
    ...(x.label ? { label: x.label } : {}),
    ...(x.change ? { change: x.change } : {}),
  });
  return {
    version: 1,
    database: after.database.name,
    before: side(before),
    after: side(after),
    seconds,
    ...(o.changedTables ? { changedTables: [...o.changedTables] } : {}),
    thresholds: th,
    findings,
    rates,
    statsReset: dbReset || pssReset,
    queriesCompared,
    ...(!queriesCompared && !pssReset ? { statementsNote: before.statementsNote ?? after.statementsNote ?? `${source} was not read in one of the snapshots` } : {}),
    ...(after.dialect ? { dialect: after.dialect } : {}),
    ...(after.scanUnit ? { scanUnit: after.scanUnit } : {}),
    ...(after.statementsSource ? { statementsSource: after.statementsSource } : {}),
    ...(after.dialect && after.dialect !== 'postgres' ? { activityCompared } : !activityCompared ? { activityCompared } : {}),
    ...(activityNote !== undefined ? { activityNote } : {}),
    ...(serverCounters ? { serverCounters } : {}),
  };
}

/**
 * A counter's growth between the snapshots. Lower than before: that one counter started again (an
 * ALTER TABLE on MySQL/MariaDB restarts the table's performance_schema counters;
 * pg_stat_reset_single_table_counters on Postgres): what it counted since then.
 */
const since0 = (after: number | undefined, before: number | undefined): number => {
  const a = Number(after ?? 0);
  const b = Number(before ?? 0);
  return a >= b ? a - b : a;
};

const dbName = (s: Snapshot) => (s.database.oid !== null && s.database.oid !== undefined ? `${s.database.name}, oid ${s.database.oid}` : `${s.database.name}${s.database.systemIdentifier ? ` on ${s.database.systemIdentifier}` : ''}`);

/**
 * True when the per-query counters started again between the snapshots: of the queries both have,
 * at least two, and every one has fewer calls now or (MySQL/MariaDB digests) was first seen after the
 * first snapshot. One query alone going down is that entry's reset (or eviction), not a reset of all.
 */
function statementsWentDown(before: Snapshot, after: Snapshot): boolean {
  if (!before.statements || !after.statements) return false;
  const key = (q: NonNullable<Snapshot['statements']>[number]) => `${q.userid ?? ''}/${q.schema ?? ''}/${q.queryid}/${q.toplevel ?? ''}`;
  const b = new Map(before.statements.map((q) => [key(q), q]));
  const since = Date.parse(before.takenAt);
  let both = 0;
  let down = 0;
  for (const q of after.statements) {
    const p = b.get(key(q));
    if (!p) continue;
    both++;
    if (q.calls < p.calls || (q.firstSeen !== undefined && Date.parse(q.firstSeen) > since)) down++;
  }
  return both >= 2 && down === both;
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} kB`;
}

/** Checks that a parsed JSON value is a snapshot (a file the user passed): every field verify reads. */
export function asSnapshot(v: unknown, where: string): Snapshot {
  const s = v as Snapshot;
  const no = (message: string) => new LockstepError('E_INPUT', [{ where, message }]);
  if (!s || typeof s !== 'object' || s.kind !== 'lockstep-snapshot') throw no('not a lockstep snapshot (written by lockstep snapshot --out)');
  if (s.version !== 1) throw no(`a lockstep snapshot of format version ${JSON.stringify(s.version)}; this lockstep reads version 1`);
  const isObj = (x: unknown) => !!x && typeof x === 'object' && !Array.isArray(x);
  const broken: string[] = [];
  if (typeof s.takenAt !== 'string' || Number.isNaN(Date.parse(s.takenAt))) broken.push('takenAt is not a date');
  if (!isObj(s.database) || typeof s.database.name !== 'string') broken.push('database');
  if (!Array.isArray(s.tables) || !s.tables.every(isObj)) broken.push('tables');
  if (!Array.isArray(s.indexes) || !s.indexes.every(isObj)) broken.push('indexes');
  if (!isObj(s.databaseStats)) broken.push('databaseStats');
  if (s.statements !== null && (!Array.isArray(s.statements) || !s.statements.every(isObj))) broken.push('statements');
  if (!Array.isArray(s.replication)) broken.push('replication');
  if (broken.length) throw no(`a damaged lockstep snapshot: ${broken.join(', ')} missing or wrong`);
  return s;
}
