/**
 * The built CLI as users run it (node bin/lockstep.js): exit codes, formats, and one clear line for
 * every kind of bad input, never a stack trace.
 */
import { describe, expect, test, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectCleanError } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/lockstep.js');

export function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-cli-'));
  writeFileSync(join(dir, 'bad.sql'), 'CREATE INDEX orders_created_at_idx ON orders (created_at);\n');
  writeFileSync(join(dir, 'clean.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS orders_created_at_idx;\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);\n');
  writeFileSync(join(dir, 'binary.sql'), Buffer.from([0x43, 0x52, 0x00, 0x01, 0x02]));
  mkdirSync(join(dir, 'empty'));
});

describe('lockstep lint', () => {
  test('--help and --version', () => {
    expect(run(['--help']).stdout).toContain('lint [paths…]');
    // The exit-code table: a database failure (4) is not bad usage (2).
    expect(run(['--help']).stdout).toMatch(/^ {2}2 +bad usage or input[^\n]*\n {2}3 +internal error[^\n]*\n {2}4 +database: /m);
    expect(run(['help', 'apply']).stdout).toContain('--db <url>');
    expect(run(['lint', '--help']).stdout).toContain('--fail-on');
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('exit codes follow --fail-on', () => {
    const bad = join(dir, 'bad.sql');
    expect(run(['lint', bad]).code).toBe(0); // a warning is below the default (error)
    expect(run(['lint', bad, '--fail-on', 'warning']).code).toBe(1);
    expect(run(['lint', bad, '--fail-on', 'never']).code).toBe(0);
    expect(run(['lint', join(dir, 'clean.sql'), '--fail-on', 'warning']).code).toBe(0);
  });

  test('formats', () => {
    const bad = join(dir, 'bad.sql');
    const json = JSON.parse(run(['lint', bad, '--format', 'json']).stdout);
    expect(json.version).toBe(2);
    expect(json.statements.map((s: any) => s.kind)).toEqual(["IndexStmt"]);
    expect(json.findings[0].rule).toBe('require-concurrent-index-creation');
    expect(run(['lint', bad, '--format', 'github']).stdout).toMatch(/^::warning file=/);
    expect(JSON.parse(run(['lint', bad, '--format', 'sarif']).stdout).version).toBe('2.1.0');
    expect(run(['lint', bad]).stdout).toContain('warning[require-concurrent-index-creation]');
  });

  test('NO_COLOR off and FORCE_COLOR on', () => {
    const bad = join(dir, 'bad.sql');
    expect(run(['lint', bad]).stdout).not.toMatch(/\x1b\[/);
    expect(run(['lint', bad], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).stdout).toMatch(/\x1b\[/);
  });

  test.each([
    [['lint', 'does/not/exist.sql'], /^lockstep: does\/not\/exist\.sql: no such file or directory/],
    [['lint', '__binary__'], /is a binary file, not SQL/],
    [['lint', '__empty__'], /no migrations found/],
    [['lint', '__bad__', '--layout', 'rails'], /^lockstep: --layout: must be one of plain, golang-migrate/],
    [['lint', '__bad__', '--format', 'xml'], /^lockstep: --format: must be one of text, json, github, sarif; got "xml"/],
    [['lint', '__bad__', '--pg-version', '9.6'], /^lockstep: --pg-version: must be a PostgreSQL major from 11 to 18/],
    [['lint', '__bad__', '--server-version', '8.0.36'], /^lockstep: --server-version: must be a PostgreSQL major from 11 to 18/],
    [['lint', '__bad__', '--dialect', 'oracle'], /^lockstep: --dialect: must be one of postgres, mysql, mariadb/],
    [['lint', '__bad__', '--fail-on', 'sometimes'], /^lockstep: --fail-on: must be one of error, warning, never/],
    [['lint', '__bad__', '--frobnicate'], /^lockstep: --frobnicate: unknown option/],
    [['lint'], /no paths given/],
    [['lint', '__bad__', '--db', 'redis://x'], /^lockstep: --db: must be a postgres:\/\/, postgresql:\/\/, mysql:\/\/ or mariadb:\/\/ URL$/m],
    [['frob'], /^lockstep: unknown command "frob"/],
  ])('bad input %j → one line, exit 2', (args, pattern) => {
    const a = args.map((x) => (x === '__binary__' ? join(dir, 'binary.sql') : x === '__empty__' ? join(dir, 'empty') : x === '__bad__' ? join(dir, 'bad.sql') : x));
    expectCleanError(run(a), pattern);
  });

  test('several bad flags are reported together', () => {
    const r = run(['lint', join(dir, 'bad.sql'), '--format', 'xml', '--fail-on', 'x', '--pg-version', '99']);
    expectCleanError(r, /--format/);
    expect(r.stderr.trim().split('\n')).toHaveLength(3);
  });

  test('unreachable --db: one line, password redacted, exit 4 (a database, not bad usage)', () => {
    const r = run(['lint', join(dir, 'bad.sql'), '--db', 'postgres://app:s3cr3tpw@127.0.0.1:1/prod']);
    expectCleanError(r, /^lockstep: --db: cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/prod/, 4);
    expect(r.stderr).not.toContain('s3cr3tpw');
  });

  test('config: unknown rule, invalid values, all reported at once with their paths', () => {
    const cdir = mkdtempSync(join(tmpdir(), 'lockstep-cfg-'));
    writeFileSync(join(cdir, 'lockstep.config.json'), JSON.stringify({ pgVersion: 9, rules: { 'require-concurent-index-creation': 'off', 'syntax-error': 'loud' }, failOn: 'x', layouts: { dbmate: { transaction: 'maybe' } } }));
    writeFileSync(join(cdir, 'a.sql'), 'SELECT 1;');
    const r = run(['lint', 'a.sql'], { cwd: cdir });
    expectCleanError(r, /lockstep\.config\.json: pgVersion: must be a Postgres major/);
    expect(r.stderr).toContain('rules.require-concurent-index-creation: unknown rule (did you mean require-concurrent-index-creation?)');
    expect(r.stderr).toContain('rules.syntax-error: must be one of off, on, error, warning, info; got "loud"');
    expect(r.stderr).toContain('failOn: must be one of error, warning, never');
    expect(r.stderr).toContain('layouts.dbmate.transaction: must be one of none, wrapped, multi-statement; got "maybe"');
  });

  test('config paths are relative to the config file, from any subdirectory', () => {
    const cdir = mkdtempSync(join(tmpdir(), 'lockstep-sub-'));
    mkdirSync(join(cdir, 'db', 'migrations'), { recursive: true });
    mkdirSync(join(cdir, 'app', 'src'), { recursive: true });
    writeFileSync(join(cdir, 'db', 'migrations', '001.sql'), 'CREATE INDEX orders_a_idx ON orders (a);\n');
    writeFileSync(join(cdir, 'lockstep.config.json'), JSON.stringify({ paths: ['db/migrations'] }));
    const r = run(['lint', '--format', 'json'], { cwd: join(cdir, 'app', 'src') });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).findings[0].file).toBe('../../db/migrations/001.sql');
  });

  test('--db with sslmode: still one line on failure (no driver warning)', () => {
    const r = run(['lint', join(dir, 'bad.sql'), '--db', 'postgres://app:pw123@127.0.0.1:1/x?sslmode=require']);
    expectCleanError(r, /^lockstep: --db: cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/x\?sslmode=require/, 4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('config: invalid JSON is one line', () => {
    const cdir = mkdtempSync(join(tmpdir(), 'lockstep-cfg-'));
    writeFileSync(join(cdir, 'lockstep.config.json'), '{ "pgVersion": 15, }');
    expectCleanError(run(['lint', 'x.sql'], { cwd: cdir }), /lockstep\.config\.json: invalid JSON/);
  });

  test('config from package.json "lockstep": paths, failOn and rule severities apply', () => {
    const cdir = mkdtempSync(join(tmpdir(), 'lockstep-pkg-'));
    mkdirSync(join(cdir, 'db'));
    writeFileSync(join(cdir, 'db', '001.sql'), 'CREATE INDEX orders_created_at_idx ON orders (created_at);\n');
    writeFileSync(join(cdir, 'package.json'), JSON.stringify({ name: 'app', lockstep: { paths: ['db'], failOn: 'warning', rules: { 'require-concurrent-index-creation': 'error' } } }));
    const r = run(['lint', '--format', 'json'], { cwd: cdir });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).findings[0]).toMatchObject({ rule: 'require-concurrent-index-creation', severity: 'error', file: 'db/001.sql' });
    writeFileSync(join(cdir, 'package.json'), JSON.stringify({ name: 'app', lockstep: { paths: ['db'], failOn: 'error', rules: { 'require-concurrent-index-creation': 'off' } } }));
    const off = run(['lint', '--format', 'json'], { cwd: cdir });
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(off.stdout).findings.map((f: { rule: string }) => f.rule)).not.toContain('require-concurrent-index-creation');
  });
});

describe('lockstep plan', () => {
  test('a spec: text, json, sql files', () => {
    const d = mkdtempSync(join(tmpdir(), 'lockstep-plan-'));
    writeFileSync(join(d, 'orders-created-at.yaml'), 'table: orders\naddColumn:\n  name: created_at\n  type: timestamptz\n  nullable: false\n  default: clock_timestamp()\n  index: true\n');
    const text = run(['plan', join(d, 'orders-created-at.yaml'), '--pg-version', '16']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Plan for orders-created-at (PostgreSQL 16, planned offline)');
    expect(text.stdout).toMatch(/expand\n {2}1\.add-column/);
    const json = JSON.parse(run(['plan', join(d, 'orders-created-at.yaml'), '--format', 'json']).stdout);
    expect(json.version).toBe(1);
    expect(json.phases.map((p: { name: string }) => p.name)).toEqual(['expand', 'backfill', 'contract']);
    const out = run(['plan', join(d, 'orders-created-at.yaml'), '--format', 'sql', '--out', join(d, 'steps')]);
    expect(out.stdout).toMatch(/^wrote 16 files \(8 steps, up and down\)/);
  });

  test('SQL in: statements it cannot plan are listed, exit 1', () => {
    const d = mkdtempSync(join(tmpdir(), 'lockstep-plan-'));
    writeFileSync(join(d, 'm.sql'), 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders RENAME COLUMN total TO amount;\n');
    const r = run(['plan', join(d, 'm.sql')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1.add-column');
    expect(r.stderr).toMatch(/m\.sql:2:1: not planned: .*\(lint: .*renaming-column/);
  });

  test.each([
    [['plan'], /^lockstep: plan: needs a change file/],
    [['plan', 'nope.yaml'], /nope\.yaml/],
    [['plan', '__spec__', '--format', 'xml'], /^lockstep: --format: must be one of text, json, sql/],
    [['plan', '__spec__', '--out', 'x'], /^lockstep: --out: only goes with --format sql/],
    [['plan', '__badspec__'], /addColumn\.nulable: unknown key/],
  ])('bad input %j → exit 2, no stack', (args, pattern) => {
    const d = mkdtempSync(join(tmpdir(), 'lockstep-plan-'));
    writeFileSync(join(d, 'ok.yaml'), 'table: orders\naddColumn:\n  name: a\n  type: int\n');
    writeFileSync(join(d, 'bad.yaml'), 'table: orders\naddColumn:\n  name: a\n  type: int\n  nulable: false\n');
    const a = args.map((x) => (x === '__spec__' ? join(d, 'ok.yaml') : x === '__badspec__' ? join(d, 'bad.yaml') : x));
    const r = run(a, { cwd: d });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('lockstep apply / rollback / status: bad input', () => {
  test.each([
    [['apply', 'x.yaml'], /^lockstep: --db: is required/],
    [['apply', 'x.yaml', '--db', 'redis://h/db'], /^lockstep: --db: must be a postgres:\/\//],
    // MySQL/MariaDB apply exists now: the missing spec is said first, before any connection.
    [['apply', 'x.yaml', '--db', 'mysql://h/db'], /^lockstep: x\.yaml: no such file/],
    [['apply', 'x.yaml', '--db', 'postgres://h/db', '--until', 'later'], /^lockstep: --until: must be one of expand, backfill, contract/],
    [['apply', 'x.yaml', '--db', 'postgres://h/db', '--lock-timeout', '0'], /^lockstep: --lock-timeout: must be a positive number/],
    [['apply', 'x.yaml', '--db', 'postgres://h/db', '--workers', '0'], /^lockstep: --workers: must be a whole number from 1 to 8; got "0"/],
    [['apply', 'x.yaml', '--db', 'postgres://h/db', '--workers', '2.5'], /^lockstep: --workers: must be a whole number from 1 to 8/],
    [['apply', 'x.yaml', '--db', 'postgres://h/db', '--workers', '9'], /^lockstep: --workers: must be a whole number from 1 to 8/],
    // The MySQL/MariaDB backfill runs on one connection: said before anything is read or connected.
    [['apply', 'x.yaml', '--db', 'mysql://h/db', '--workers', '2'], /^lockstep: --workers: this database backfills on one connection \(--workers is for PostgreSQL\)/],
    [['rollback', '--db', 'postgres://h/db'], /^lockstep: rollback: needs the change/],
    [['status'], /^lockstep: --db: is required/],
    [['apply', 'missing.yaml', '--db', 'postgres://u:secretpw@127.0.0.1:1/db'], /missing\.yaml/],
  ])('%j → one line, exit 2', (args, pattern) => {
    const r = run(args, { cwd: mkdtempSync(join(tmpdir(), 'lockstep-apply-')) });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('secretpw');
  });
});
