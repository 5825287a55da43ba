/** `lockstep types` through the built CLI: the row per phase, and one clear line per bad input. */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/lockstep.js');
const spec = 'examples/shop/changes/orders-currency.yaml';

function run(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectCleanError(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const line of r.stderr.trim().split('\n')) expect(line).toMatch(/^lockstep: /);
}

describe('lockstep types', () => {
  test('nullable while the plan leaves it so, exact after contract; Prisma and Drizzle lines', () => {
    const expand = run(['types', spec, '--pg-version', '15']);
    expect(expand.code, expand.stderr).toBe(0);
    expect(expand.stdout).toMatch(/^ {2}currency: string \| null;$/m);
    const contract = run(['types', spec, '--phase', 'contract', '--format', 'all', '--zod']);
    expect(contract.code, contract.stderr).toBe(0);
    expect(contract.stdout).toMatch(/^ {2}currency: string;$/m);
    expect(contract.stdout).toMatch(/^ {2}currency: z\.string\(\)/m);
    expect(contract.stdout).toMatch(/^ {2}currency String @db\.Char\(3\)/m);
    expect(contract.stdout).toMatch(/^ {2}currency: char\('currency', \{ length: 3 \}\)\.notNull\(\),/m);
    // NOT NULL with a stable default: PostgreSQL 11+ adds it NOT NULL at once, so no nullable window.
    expect(run(['types', 'examples/shop/changes/orders-created-at.yaml']).stdout).toMatch(/^ {2}created_at: Date;$/m);
  });

  test('bad input: one line each, exit 2', () => {
    expectCleanError(run(['types']), /^lockstep: /);
    expectCleanError(run(['types', spec, '--phase', 'later']), /^lockstep: --phase: /);
    expectCleanError(run(['types', spec, '--format', 'sql']), /^lockstep: --format: /);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-types-'));
    writeFileSync(join(dir, 'index.yaml'), 'name: idx\ntable: orders\naddIndex:\n  columns: [status]\n');
    expectCleanError(run(['types', 'index.yaml'], dir), /^lockstep: index\.yaml: has no addColumn or setNotNull/);
    writeFileSync(join(dir, 'bad.yaml'), 'name: [\n');
    expectCleanError(run(['types', 'bad.yaml'], dir), /^lockstep: bad\.yaml/);
  });
});
