/**
 * The text of `lockstep verify` is one line per finding whatever the database holds: query text with
 * newlines, escape sequences in SQL comments (C0, DEL and C1 controls) and very long queries are made
 * safe and short; the interval is readable below a second. And `--threshold` takes plain decimal
 * numbers only, each name once; a bad config entry is reported with bad flags, in one go.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSeconds, oneLine, parseThresholds, renderVerifyText } from '../../src/cli/verify.js';
import { defaultThresholds, type VerifyResult } from '../../src/verify/verify.js';
import type { Problem } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';

const NOWHERE = 'postgres://nobody@127.0.0.1:1/none';

function result(o: Partial<VerifyResult>): VerifyResult {
  return {
    version: 1,
    database: 'shop',
    before: { id: 3, takenAt: '2026-11-27T14:00:00.000Z', label: 'before apply' },
    after: { takenAt: '2026-11-27T14:00:00.500Z', label: 'verify' },
    seconds: 0.5,
    thresholds: { ...defaultThresholds },
    findings: [],
    rates: { tables: [], indexes: [], queries: [] },
    statsReset: false,
    ...o,
  } as VerifyResult;
}

describe('renderVerifyText', () => {
  test('a query with newlines, escape sequences and 300 characters stays one safe line', () => {
    const query = `SELECT id\n  FROM orders /* \x1b[2J\x1b]0;pwned\x07 \x9b31m */\r\n WHERE note = 'a\tb\x00c\x7f' ${'AND x = 1 '.repeat(30)}`;
    const subject = query.slice(0, 120);
    const text = renderVerifyText(
      result({
        findings: [
          { kind: 'query-regression', severity: 'regression', subject, message: `mean time 1.000 ms → 2.000 ms (+100 %) over 60 calls: ${subject}`, advice: 'compare its EXPLAIN\n(ANALYZE, BUFFERS)' },
          { kind: 'dead-tuples', severity: 'regression', subject: 'public."a\nb"', message: 'dead tuples in public."a\nb"\x1b[31m', advice: 'VACUUM (ANALYZE) public."a\nb"' },
        ],
      }),
      false,
    );
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    const finding = lines[1]!;
    expect(finding.startsWith('  regression  query-regression: mean time 1.000 ms → 2.000 ms (+100 %) over 60 calls: SELECT id FROM orders /* ?[2J?]0;pwned? ?31m */ WHERE')).toBe(true);
    const q = finding.slice(finding.indexOf('calls: ') + 'calls: '.length);
    expect(q.length).toBeLessThanOrEqual(120);
    expect(lines[2]).toBe('              compare its EXPLAIN (ANALYZE, BUFFERS)');
    expect(lines[3]).toBe('  regression  dead-tuples: dead tuples in public."a b"?[31m');
    expect(lines[4]).toBe('              VACUUM (ANALYZE) public."a b"');
  });

  test('a long query that verify() did not cut is cut to 120 characters, with …', () => {
    const subject = `SELECT ${'x, '.repeat(100)}y FROM t`;
    const text = renderVerifyText(result({ findings: [{ kind: 'query-regression', severity: 'regression', subject, message: `mean time 1 ms → 3 ms over 60 calls: ${subject}` }] }), false);
    const line = text.split('\n')[1]!;
    const q = line.slice(line.indexOf('calls: ') + 'calls: '.length);
    expect(q).toHaveLength(120);
    expect(q.endsWith('…')).toBe(true);
  });

  test('the interval, and the "after" side by where it came from', () => {
    expect(renderVerifyText(result({}), false).split('\n')[0]).toBe(
      'verify: snapshot 3 "before apply" at 2026-11-27T14:00:00.000Z → file "verify" at 2026-11-27T14:00:00.500Z (0.5 s)',
    );
    expect(renderVerifyText(result({}), false, { afterNow: true }).split('\n')[0]).toContain('→ snapshot (not stored) "verify" at');
    expect(renderVerifyText(result({ after: { id: 4, takenAt: '2026-11-27T14:00:00.500Z', label: 'verify' } }), false, { afterNow: true }).split('\n')[0]).toContain('→ snapshot 4 "verify" at');
    expect(renderVerifyText(result({ before: { takenAt: '2026-11-27T14:00:00.000Z', label: 'x\n\x1b[2Jy' } }), false).split('\n')[0]).toContain('file "x ?[2Jy"');
    expect([0.004, 0.05, 0.5, 3.25, 9.94, 10, 59.6, 3600].map(formatSeconds)).toEqual(['4 ms', '50 ms', '0.5 s', '3.3 s', '9.9 s', '10 s', '60 s', '3,600 s']);
  });

  test('oneLine', () => {
    expect(oneLine('  a\n\n\tb  ')).toBe('a b');
    expect(oneLine('a\u2028b\u00a0c')).toBe('a b c');
    expect(oneLine('\x1b[0m\x9b\x85')).toBe('?[0m??');
    expect(oneLine('abcdef', 4)).toBe('abc…');
  });
});

describe('--threshold', () => {
  const parsed = (flags: string[]) => {
    const p: Problem[] = [];
    const out = parseThresholds(flags, p);
    return { out, problems: p.map((x) => `${x.where}: ${x.message}`) };
  };

  test('plain decimal numbers only', () => {
    expect(parsed(['queryRegressionPct=30', 'deadTupleRatio=0.25', 'queryMinCalls=007'])).toEqual({ out: { queryRegressionPct: 30, deadTupleRatio: 0.25, queryMinCalls: 7 }, problems: [] });
    expect(parsed(['queryRegressionPct=0x10', 'cacheHitDropPoints=1e3', 'deadTupleRatio=.5', 'replicationLagSeconds=+5', 'queryMinCalls=Infinity', 'unusedIndexAfterScans=0b1']).problems).toEqual([
      '--threshold: queryRegressionPct: must be a number (0 or more); got "0x10"',
      '--threshold: cacheHitDropPoints: must be a number (0 or more); got "1e3"',
      '--threshold: deadTupleRatio: must be a number (0 or more); got ".5"',
      '--threshold: replicationLagSeconds: must be a number (0 or more); got "+5"',
      '--threshold: queryMinCalls: must be a whole number (0 or more); got "Infinity"',
      '--threshold: unusedIndexAfterScans: must be a whole number (0 or more); got "0b1"',
    ]);
    expect(parsed(['deadTupleRatio=-0.5']).problems).toEqual(['--threshold: deadTupleRatio: must be a number (0 or more); got -0.5']);
  });

  test('a name given twice is refused once, whatever the values', () => {
    expect(parsed(['queryMinCalls=10', 'queryMinCalls=20', 'queryMinCalls=10', 'deadTupleRatio=0.5']).problems).toEqual(['--threshold: queryMinCalls: given twice (10 and 20); give it once']);
  });

  test('on the command line: one line each, bad flags and a bad config entry together, exit 2', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lockstep-verify-thr-'));
    writeFileSync(join(cwd, 'lockstep.config.json'), JSON.stringify({ verify: { thresholds: { deadTupleRatio: 'lots' } } }));
    const r = runCli(['verify', '--db', NOWHERE, '--before', '1', '--threshold', 'queryRegressionPct=0x10', '--threshold', 'queryMinCalls=1', '--threshold', 'queryMinCalls=2', '--format', 'pdf'], cwd, 60_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'lockstep: --format: must be one of text, json, html; got "pdf"',
      'lockstep: --threshold: queryRegressionPct: must be a number (0 or more); got "0x10"',
      'lockstep: --threshold: queryMinCalls: given twice (1 and 2); give it once',
      `lockstep: ${join(cwd, 'lockstep.config.json')}: verify.thresholds.deadTupleRatio: must be a number (0 or more); got "lots"`,
    ]);
  });
});
