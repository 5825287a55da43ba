/**
 * `lockstep verify` as users run it (the built bin): --format html to a file or stdout, thresholds from
 * --threshold and from lockstep.config.json (the flag wins), and one clear line with exit 2 for every
 * bad flag, threshold or config entry, before anything connects. The snapshots are taken on a real
 * PostgreSQL 15 (the CI service) around a change that leaves every row dead.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase, freshDatabase, pg15Server } from '../helpers/db.js';
import { connect } from '../../src/apply/db.js';
import { takeSnapshot } from '../../src/verify/snapshot.js';

const bin = fileURLToPath(new URL('../../bin/lockstep.js', import.meta.url));
const server = pg15Server();
/** A URL nothing answers at: the bad-input cases must fail before they connect. */
const NOWHERE = 'postgres://nobody@127.0.0.1:1/none';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-verify-cli-'));
});

function run(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLine(r: { code: number | null; stdout: string; stderr: string }, line: string | RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
}

describe('bad input: one line, exit 2, nothing connects', () => {
  test('--threshold', () => {
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--threshold', 'queryRegresionPct=10']), 'lockstep: --threshold: queryRegresionPct: unknown threshold (did you mean queryRegressionPct?)');
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--threshold', 'queryMinCalls=abc']), 'lockstep: --threshold: queryMinCalls: must be a whole number (0 or more); got "abc"');
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--threshold', 'deadTupleRatio=-0.5']), 'lockstep: --threshold: deadTupleRatio: must be a number (0 or more); got -0.5');
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--threshold', 'deadTupleRatio']), 'lockstep: --threshold: expected name=value (like queryRegressionPct=30); got "deadTupleRatio"');
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--threshold']), /^lockstep: --threshold: /);
  });

  test('--format and --out', () => {
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--format', 'pdf']), 'lockstep: --format: must be one of text, json, html; got "pdf"');
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--format', 'html', '--out', 'no/such/dir/v.html']), `lockstep: --out: no/such/dir/v.html: its directory ${join(dir, 'no/such/dir')} does not exist`);
  });

  test('the config: "verify": { "thresholds": … }', () => {
    const cfgDir = mkdtempSync(join(tmpdir(), 'lockstep-verify-cfg-'));
    writeFileSync(join(cfgDir, 'lockstep.config.json'), JSON.stringify({ verify: { thresholds: { deadTupleRatio: 'lots' } } }));
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1'], cfgDir), `lockstep: ${join(cfgDir, 'lockstep.config.json')}: verify.thresholds.deadTupleRatio: must be a number (0 or more); got "lots"`);
    writeFileSync(join(cfgDir, 'other.json'), JSON.stringify({ verify: { tresholds: {} } }));
    expectOneLine(run(['verify', '--db', NOWHERE, '--before', '1', '--config', 'other.json'], cfgDir), 'lockstep: other.json: verify.tresholds: unknown setting (known: thresholds)');
  });

  test('--help names the flags and every threshold with its default', () => {
    const help = run(['verify', '--help']).stdout;
    expect(help).toContain('--format <f>         text | json | html');
    expect(help).toContain('--out <file>');
    for (const t of ['unusedIndexAfterScans=100', 'queryRegressionPct=20', 'queryMinCalls=50', 'cacheHitDropPoints=2', 'deadTupleRatio=0.2', 'replicationLagSeconds=5']) expect(help).toContain(t);
  });
});

describe(`verify on ${server.name}: html, thresholds from flags and config`, () => {
  let url = '';
  let before = '';
  let after = '';
  let dbName = '';
  afterAll(async () => {
    if (dbName) await dropDatabase(server, dbName);
  });
  beforeAll(async () => {
    const db = await freshDatabase(server, { keep: true });
    dbName = db.name;
    url = db.url;
    await db.query(`CREATE TABLE items (id bigint PRIMARY KEY, v int NOT NULL) WITH (autovacuum_enabled = false);
                    INSERT INTO items SELECT g, g FROM generate_series(1, 5000) g`);
    await db.query(`VACUUM ANALYZE items`);
    const conn = await connect(db.url);
    try {
      const a = await takeSnapshot(conn, { label: 'before <the> change' });
      // The "change": every row rewritten, 5,000 dead tuples left behind (autovacuum is off).
      await db.query(`UPDATE items SET v = v + 1`);
      let b = await takeSnapshot(conn, { label: 'after' });
      for (let i = 0; i < 60 && !(b.tables.find((t) => t.table === 'public.items')?.deadTuples ?? 0); i++) {
        await new Promise((r) => setTimeout(r, 100));
        b = await takeSnapshot(conn, { label: 'after' });
      }
      expect(b.tables.find((t) => t.table === 'public.items')!.deadTuples).toBeGreaterThanOrEqual(5000);
      before = join(dir, 'before.json');
      after = join(dir, 'after.json');
      writeFileSync(before, JSON.stringify(a));
      writeFileSync(after, JSON.stringify(b));
    } finally {
      await conn.close();
    }
  }, 60_000);

  const deadTuples = (out: string) => JSON.parse(out).findings.filter((f: any) => f.kind === 'dead-tuples').map((f: any) => f.subject);

  test('--format html --out writes one self-contained page; without --out it goes to stdout', () => {
    // (The cache hit ratio is left out of the count: whether a few catalog blocks were read is up to the server.)
    const r = run(['verify', '--db', url, '--before', before, '--after', after, '--format', 'html', '--out', 'report.html', '--fail-on', 'regression', '--threshold', 'cacheHitDropPoints=100']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    // The dead tuples, and the UPDATE's sequential scan of items.
    expect(r.stdout).toBe('verify: 2 regression(s); html written to report.html\n');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy"`);
    expect(html).toContain('data-kind="dead-tuples"');
    expect(html).toContain('data-kind="new-seq-scans"');
    expect(html).toContain('VACUUM (ANALYZE) public.items');
    expect(html).toContain('snapshot file &quot;before &lt;the&gt; change&quot;');
    const out = run(['verify', '--db', url, '--before', before, '--after', after, '--format', 'html', '--threshold', 'cacheHitDropPoints=100']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe(html);
  });

  test('--threshold overrides the default, the config overrides the default, the flag overrides the config', () => {
    const json = (args: string[], cwd = dir) => {
      const r = run(['verify', '--db', url, '--before', before, '--after', after, '--format', 'json', ...args], cwd);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(deadTuples(json([]))).toEqual(['public.items']);
    const relaxed = json(['--threshold', 'deadTupleRatio=2', '--threshold', 'queryMinCalls=10']);
    expect(deadTuples(relaxed)).toEqual([]);
    expect(JSON.parse(relaxed).thresholds).toMatchObject({ deadTupleRatio: 2, queryMinCalls: 10, queryRegressionPct: 20 });

    const cfgDir = mkdtempSync(join(tmpdir(), 'lockstep-verify-cfg-'));
    writeFileSync(join(cfgDir, 'lockstep.config.json'), JSON.stringify({ verify: { thresholds: { deadTupleRatio: 3, queryRegressionPct: 35 } } }));
    const fromConfig = JSON.parse(json([], cfgDir));
    expect(deadTuples(JSON.stringify(fromConfig))).toEqual([]);
    expect(fromConfig.thresholds).toMatchObject({ deadTupleRatio: 3, queryRegressionPct: 35 });
    const flagWins = JSON.parse(json(['--threshold', 'deadTupleRatio=0.5'], cfgDir));
    expect(deadTuples(JSON.stringify(flagWins))).toEqual(['public.items']);
    expect(flagWins.thresholds).toMatchObject({ deadTupleRatio: 0.5, queryRegressionPct: 35 });
  });

  test('--out with text writes the text, and the same thresholds apply', () => {
    const r = run(['verify', '--db', url, '--before', before, '--after', after, '--out', 'v.txt', '--threshold', 'deadTupleRatio=2', '--threshold', 'cacheHitDropPoints=100']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('verify: 1 regression(s); text written to v.txt\n');
    const text = readFileSync(join(dir, 'v.txt'), 'utf8');
    expect(text).toMatch(/^verify: file "before <the> change" at .* → file "after" at /);
    expect(text).toContain('new-seq-scans: ');
    expect(text).not.toContain('dead-tuples');
    expect(text).not.toContain('\x1b['); // no colour in a file
  });
});
