/**
 * verify's thresholds: each one moves its finding; bad names and values are refused with the name of
 * what is wrong (in the library, the config's `verify.thresholds`, and `--threshold name=value`); and
 * the fields verify added (per-index rates, counts, thresholds) sit beside the version-1 ones.
 */
import { describe, expect, test } from 'vitest';
import { defaultThresholds, thresholdNames, thresholdProblem, verify } from '../../src/verify/verify.js';
import { validateConfig } from '../../src/config/config.js';
import { parseThresholds } from '../../src/cli/verify.js';
import type { Problem } from '../../src/core/errors.js';
import { sampleSnapshots } from '../report/verify-sample.js';

describe('thresholds', () => {
  test('each threshold moves its finding', () => {
    const { before, after } = sampleSnapshots();
    const kinds = (t = {}) => verify(before, after, { thresholds: t }).findings.map((f) => f.kind);
    expect(kinds()).toEqual(expect.arrayContaining(['query-regression', 'dead-tuples', 'unused-index']));
    // The lookup by customer rose 60 %: not a regression at 70 %; the report query (+80 %, 10 calls) is one with 10 calls enough.
    expect(kinds({ queryRegressionPct: 70 })).not.toContain('query-regression');
    expect(verify(before, after, { thresholds: { queryMinCalls: 10 } }).findings.filter((f) => f.kind === 'query-regression').map((f) => f.subject)).toHaveLength(2);
    expect(kinds({ deadTupleRatio: 2 })).not.toContain('dead-tuples');
    expect(kinds({ unusedIndexAfterScans: 5000 })).not.toContain('unused-index');
    const r = verify(before, after, { thresholds: { queryRegressionPct: 70, queryMinCalls: undefined } });
    expect(r.thresholds).toEqual({ ...defaultThresholds, queryRegressionPct: 70 });
    expect(r.rates.queries.every((q) => !q.regression)).toBe(true);
  });

  test('a bad threshold given to the library is refused, naming it', () => {
    const { before, after } = sampleSnapshots();
    expect(() => verify(before, after, { thresholds: { queryMinCalls: -1 } })).toThrow(/^thresholds\.queryMinCalls: must be a whole number \(0 or more\); got -1$/);
    expect(() => verify(before, after, { thresholds: { nope: 1 } as never })).toThrow(/^thresholds\.nope: unknown threshold \(known: unusedIndexAfterScans, /);
  });

  test('thresholdProblem: names, numbers, whole numbers', () => {
    expect(thresholdNames).toEqual(['unusedIndexAfterScans', 'queryRegressionPct', 'queryMinCalls', 'cacheHitDropPoints', 'deadTupleRatio', 'replicationLagSeconds', 'seqScanMinRows', 'seqScanRateFactor', 'tableGrowthPct']);
    expect(thresholdProblem('queryRegressionPct', 12.5)).toBeUndefined();
    expect(thresholdProblem('deadTupleRatio', 0)).toBeUndefined();
    expect(thresholdProblem('queryRegresionPct', 10)).toBe('unknown threshold (did you mean queryRegressionPct?)');
    expect(thresholdProblem('queryMinCalls', 2.5)).toBe('must be a whole number (0 or more); got 2.5');
    expect(thresholdProblem('deadTupleRatio', '20%')).toBe('must be a number (0 or more); got "20%"');
    expect(thresholdProblem('replicationLagSeconds', -3)).toBe('must be a number (0 or more); got -3');
  });

  test('the config: "verify": { "thresholds": { … } }, every bad entry named at once', () => {
    expect(validateConfig({ verify: { thresholds: { queryRegressionPct: 30, queryMinCalls: 100 } } }, 'lockstep.config.json').verify).toEqual({ thresholds: { queryRegressionPct: 30, queryMinCalls: 100 } });
    expect(validateConfig({ verify: {} }, 'c.json').verify).toEqual({});
    const problems = (raw: unknown) => {
      try {
        validateConfig(raw, 'lockstep.config.json');
        return [];
      } catch (e: any) {
        return String(e.message).split('\n');
      }
    };
    expect(problems({ verify: { thresholds: { queryRegresionPct: 30, deadTupleRatio: 'lots', queryMinCalls: -1 } } })).toEqual([
      'lockstep.config.json: verify.thresholds.queryRegresionPct: unknown threshold (did you mean queryRegressionPct?)',
      'lockstep.config.json: verify.thresholds.deadTupleRatio: must be a number (0 or more); got "lots"',
      'lockstep.config.json: verify.thresholds.queryMinCalls: must be a whole number (0 or more); got -1',
    ]);
    expect(problems({ verify: { threshold: {} } })).toEqual(['lockstep.config.json: verify.threshold: unknown setting (known: thresholds)']);
    expect(problems({ verify: { thresholds: [1] } })).toEqual(['lockstep.config.json: verify.thresholds: must be an object of threshold name → number']);
    expect(problems({ verify: 3 })).toEqual(['lockstep.config.json: verify: must be an object like { "thresholds": { "queryRegressionPct": 30 } }']);
  });

  test('--threshold name=value', () => {
    const p: Problem[] = [];
    expect(parseThresholds(['queryRegressionPct=30', ' queryMinCalls = 10 ', 'deadTupleRatio=0.5'], p)).toEqual({ queryRegressionPct: 30, queryMinCalls: 10, deadTupleRatio: 0.5 });
    expect(p).toEqual([]);
    parseThresholds(['queryRegresionPct=30', 'queryMinCalls=abc', 'queryMinCalls=', 'deadTupleRatio', 'cacheHitDropPoints=-1'], p);
    expect(p.map((x) => `${x.where}: ${x.message}`)).toEqual([
      '--threshold: queryRegresionPct: unknown threshold (did you mean queryRegressionPct?)',
      '--threshold: queryMinCalls: must be a whole number (0 or more); got "abc"',
      '--threshold: queryMinCalls: must be a whole number (0 or more); got ""',
      '--threshold: expected name=value (like queryRegressionPct=30); got "deadTupleRatio"',
      '--threshold: cacheHitDropPoints: must be a number (0 or more); got -1',
    ]);
  });
});

describe('the JSON only grows', () => {
  test('the version-1 fields are all there; per-index rates, counts and thresholds are added', () => {
    const { before, after } = sampleSnapshots();
    const r = verify(before, after, { changedTables: ['public.orders'] });
    expect(r.version).toBe(1);
    for (const k of ['before', 'after', 'seconds', 'findings', 'rates', 'statsReset']) expect(r).toHaveProperty(k);
    for (const t of r.rates.tables) for (const k of ['table', 'seqScansPerS', 'idxScansPerS', 'rowsWrittenPerS']) expect(t).toHaveProperty(k);
    for (const q of r.rates.queries) for (const k of ['query', 'callsPerS', 'meanMsBefore', 'meanMsAfter']) expect(q).toHaveProperty(k);
    expect(r.database).toBe('shop');
    expect(r.changedTables).toEqual(['public.orders']);
    expect(r.before).toEqual({ id: 3, takenAt: '2026-11-27T14:00:00.000Z', label: 'before apply', change: 'orders-created-at' });
    expect(r.rates.tables.find((t) => t.table === 'public.orders')).toMatchObject({ seqScans: 600, idxScans: 3000, seqScansPerS: 1, idxScansPerS: 5 });
    // Per index: new first, then by scans per second; idx_scan in each snapshot, null before for a new one.
    expect(r.rates.indexes).toEqual([
      { index: 'public.orders_created_at_idx', table: 'public.orders', scansPerS: 0, scans: 0, scansBefore: null, scansAfter: 0, isNew: true, unused: true },
      { index: 'public.orders_pkey', table: 'public.orders', scansPerS: 10, scans: 6000, scansBefore: 50_000, scansAfter: 56_000, isNew: false, unused: false },
      { index: 'public.customers_pkey', table: 'public.customers', scansPerS: 2, scans: 1200, scansBefore: 8000, scansAfter: 9200, isNew: false, unused: false },
      { index: 'public.orders_status_idx', table: 'public.orders', scansPerS: 0, scans: 0, scansBefore: 10_000, scansAfter: 10_000, isNew: false, unused: false },
    ]);
    const q = r.rates.queries.find((x) => x.query.includes('customer_id = $1'))!;
    expect(q).toMatchObject({ calls: 3000, regression: true, meanMsBefore: 1 });
    expect(q.meanMsAfter).toBeCloseTo(1.6, 9);
  });

  test('an index on a quiet table that nobody scanned is left out', () => {
    const { before, after } = sampleSnapshots();
    const quiet = (s: typeof before) => ({ ...s, tables: [...s.tables, { ...s.tables[1]!, table: 'public.archive', seqScan: 0, idxScan: 0 }], indexes: [...s.indexes, { ...s.indexes[0]!, index: 'public.archive_pkey', table: 'public.archive', idxScan: 7 }] });
    expect(verify(quiet(before), quiet(after)).rates.indexes.map((i) => i.index)).not.toContain('public.archive_pkey');
  });
});
