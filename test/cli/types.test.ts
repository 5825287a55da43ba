/** `lockstep types` through the built CLI: the row per phase, and one clear line per bad input. */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanError, runCli } from '../helpers/cli.js';

const spec = 'examples/shop/changes/orders-currency.yaml';

const run = (args: string[], cwd?: string) => runCli(args, cwd);

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
