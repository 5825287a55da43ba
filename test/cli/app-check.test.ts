/**
 * `lockstep app-check` as users run it (the built CLI): findings with file:line and exit 1, the clean
 * twin exit 0, JSON, and one clear line per bad input with exit 2. Guards and scoping of the NULL check.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanError, root, runCli } from '../helpers/cli.js';

const spec = 'examples/shop/changes/orders-currency.yaml';

const run = (args: string[], cwd?: string) => runCli(args, cwd);

describe('lockstep app-check', () => {
  test('the broken fixture: file:line findings, the unparseable file skipped, exit 1', () => {
    const r = run(['app-check', spec, 'test/fixtures/app/broken', '--pg-version', '15']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^orders\.currency char\(3\): new; NULL in rows not yet backfilled until contract, NOT NULL after \(no default: inserts must set it\)$/m);
    expect(r.stdout).toMatch(/^test\/fixtures\/app\/broken\/src\/orders-pg\.ts:23:\d+ {2}error {4}insert-without-columns {2}INSERT INTO orders VALUES … without a column list: currency will get NULL/m);
    expect(r.stdout).toMatch(/^test\/fixtures\/app\/broken\/prisma\/schema\.prisma:18:1 {2}error {4}model-missing-column {2}the Prisma model Order \(orders\) has no field for currency/m);
    expect(r.stdout).toMatch(/^test\/fixtures\/app\/broken\/src\/half-written\.ts: skipped: does not parse \(line 4:\d+\)/m);
    expect(r.stdout).toMatch(/^8 files checked: 13 error\(s\), 3 warning\(s\), 0 info; 1 skipped$/m);
    expect(run(['app-check', spec, 'test/fixtures/app/broken', '--pg-version', '15', '--fail-on', 'never']).code).toBe(0);
  });

  test('the clean twin: nothing, exit 0; JSON carries the columns and findings', () => {
    const r = run(['app-check', spec, 'test/fixtures/app/clean']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^8 files checked: 0 error\(s\), 0 warning\(s\), 0 info$/m);
    const j = JSON.parse(run(['app-check', spec, 'test/fixtures/app/broken', '--format', 'json']).stdout);
    expect(j).toMatchObject({ version: 1, phase: 'expand', filesChecked: 8, columns: [{ column: 'currency', nullableDuringRollout: true, nullableAtEnd: false, hasDefault: false }] });
    expect(j.findings.length).toBe(16);
  });

  test('reads of the column: guarded ones pass, unguarded ones and ! are found; files that never touch the table are not read for it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-check-'));
    writeFileSync(
      join(dir, 'orders.ts'),
      [
        `const rows = await pool.query('SELECT id, currency FROM orders');`,
        `for (const row of rows.rows) {`,
        `  if (!row.currency) continue;`,
        `  console.log(row.currency.trim());`,
        `}`,
        `export const a = (row: any) => row.currency?.trim();`,
        `export const b = (row: any) => row.currency && row.currency.trim();`,
        `export const c = (row: any) => (row.currency != null ? row.currency.trim() : '');`,
        `export const d = (row: any) => (row.currency ?? 'n/a').trim();`,
        `export const e = (row: any) => row.currency!;`,
        `export const f = (row: any) => row.currency.length;`,
        `export function g(row: any) { row.currency = 'EUR'; return row; }`,
      ].join('\n'),
    );
    writeFileSync(join(dir, 'fx.ts'), `export const rate = (q: any) => q.currency.trim(); // another table's currency: not orders`);
    const r = run(['app-check', join(root, spec), '.', '--format', 'json'], dir);
    const found = JSON.parse(r.stdout).findings.map((f: any) => `${f.file}:${f.line}:${f.rule}`);
    expect(found).toEqual(['orders.ts:10:assumes-not-null', 'orders.ts:11:assumes-not-null']);
  });

  test('bad input: one line each, exit 2', () => {
    expectCleanError(run(['app-check']), /^lockstep: app-check: needs a change file/);
    expectCleanError(run(['app-check', spec, '--phase', 'later']), /^lockstep: --phase: must be one of expand, contract; got "later"$/m);
    expectCleanError(run(['app-check', spec, 'no/such/dir']), /^lockstep: no\/such\/dir: no such file or directory$/m);
    expectCleanError(run(['app-check', 'no-such.yaml', '.']), /^lockstep: no-such\.yaml: /);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-check-'));
    writeFileSync(join(dir, 'index.yaml'), 'name: idx\ntable: orders\naddIndex:\n  columns: [status]\n');
    expectCleanError(run(['app-check', 'index.yaml', '.'], dir), /^lockstep: index\.yaml: adds no column and sets no NOT NULL/);
  });
});
