/**
 * Several histories linted side by side (a worker thread lints a share): the result must be exactly the
 * one thread's. The worker runs the built code (dist/), as the CLI does; vitest runs src/ as TypeScript,
 * which a worker thread cannot load.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planShares } from '../../src/lint/parallel.js';
import type { History } from '../../src/parse/layouts/index.js';

const dist = (p: string) => new URL(`../../dist/${p}`, import.meta.url).href;

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-par-'));
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

/** A history of one file per migration, each of `n` statements. */
function history(path: string, sizes: number[]): History {
  const migrations = sizes.map((n, i) => {
    const text = 'ALTER TABLE t ADD COLUMN c int;\n'.repeat(n);
    const file = { path: `${path}/${i}.sql`, text };
    return { id: String(i), layout: 'plain' as const, up: { file, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'plain default' };
  });
  return { path, migrations, files: migrations.map((m) => m.up.file) };
}

describe('planShares', () => {
  test('little SQL stays on one thread', () => {
    expect(planShares([history('a', [10, 20])])).toBeUndefined();
  });

  test('one large history is cut where both threads finish together; the worker takes the rest', () => {
    const plan = planShares([history('a', Array(100).fill(20))])!;
    expect(plan.mine).toEqual([{ history: 0, from: 0, to: plan.theirs[0]!.from }]);
    expect(plan.theirs).toEqual([{ history: 0, from: plan.mine[0]!.to, to: 100 }]);
    // The worker starts later and replays the first part: the calling thread lints more.
    expect(plan.mine[0]!.to).toBeGreaterThan(50);
    expect(plan.mine[0]!.to).toBeLessThan(75);
  });

  test('between histories when that balances best, and never through a file two migrations share', () => {
    // The worker starts later: it gets the lighter history.
    expect(planShares([history('a', Array(50).fill(20)), history('b', Array(13).fill(20))])).toEqual({
      mine: [{ history: 0, from: 0, to: 50 }],
      theirs: [{ history: 1, from: 0, to: 13 }],
    });
    const shared = history('c', Array(100).fill(20));
    // Migrations 10..90 read one file (as a layout with several migrations per file would).
    for (let i = 10; i <= 90; i++) shared.migrations[i]!.up.file = shared.migrations[10]!.up.file;
    const plan = planShares([shared])!;
    expect(plan.mine[0]!.to <= 10 || plan.mine[0]!.to > 90).toBe(true);
  });
});

describe('lint on two threads', () => {
  // Each directory is its own history: what one validates must not reach the other, on any thread.
  const dirs = () => [
    tree({
      '001_a.sql': 'CREATE TABLE orders (id int PRIMARY KEY, note text, at timestamp);\n-- lockstep-ignore prefer-text-field: reviewed\nALTER TABLE orders ADD COLUMN code varchar(10);\n',
      '002_b.sql': 'ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID;\nCREATE INDEX orders_at ON orders (at);\n',
      '003_c.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT note_nn;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\nSELECT 1 FROM;\n',
    }),
    tree({ '001_x.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\nALTER TABLE orders ADD COLUMN n bigint DEFAULT random();\n" }),
    'examples/shop/migrations',
  ];

  test('the findings, statements and counts are the ones one thread gives, in the same order', async () => {
    const { lintPaths } = (await import(dist('index.js'))) as typeof import('../../src/index.js');
    const { readMigrations } = (await import(dist('parse/layouts/index.js'))) as typeof import('../../src/parse/layouts/index.js');
    // Enough SQL to use a worker: the benchmark's two generated histories (Diesel, Prisma), with the small ones around them.
    const out = mkdtempSync(join(tmpdir(), 'lockstep-par-'));
    // @ts-expect-error plain JavaScript, no types
    const { generateHistories } = await import('../../bench/generate-histories.js');
    const h = generateHistories(out, { diesel: 120, prisma: 200 }) as { diesel: string; prisma: string };
    // One long history: cut in two, the worker replays its first part.
    const plan = planShares((await readMigrations([h.prisma])).histories)!;
    expect(plan.theirs[0]!.from).toBeGreaterThan(0);
    const one = await lintPaths([h.prisma], { records: true });
    expect(one.findings.length).toBeGreaterThan(100);
    expect(await lintPaths([h.prisma], { records: true, threads: 2 })).toEqual(one);
    // Several histories, large and small (ignore comments, a syntax error).
    const paths = [...dirs().slice(0, 2), h.diesel, h.prisma, dirs()[2]!];
    expect(planShares((await readMigrations(paths)).histories)).toBeDefined();
    const all = await lintPaths(paths, { records: true });
    expect(new Set(all.findings.map((f) => f.file)).size).toBeGreaterThan(10);
    expect(all.findings.some((f) => f.rule === 'syntax-error')).toBe(true);
    expect(await lintPaths(paths, { records: true, threads: 2 })).toEqual(all);
  });

  test('the worker lints a share as this thread does, and its errors come back as lockstep errors', async () => {
    const { LintWorker } = (await import(dist('lint/parallel.js'))) as typeof import('../../src/lint/parallel.js');
    const { lintShare } = (await import(dist('lint/lint.js'))) as typeof import('../../src/lint/lint.js');
    const { readMigrations } = (await import(dist('parse/layouts/index.js'))) as typeof import('../../src/parse/layouts/index.js');
    const { LockstepError } = (await import(dist('core/errors.js'))) as typeof import('../../src/core/errors.js');
    const { histories } = await readMigrations(dirs());
    // The last history cut after its first migration: the worker replays that one, then lints the rest.
    const [a, b, c] = histories as [History, History, History];
    const req = { pieces: [{ migrations: a.migrations }, { migrations: b.migrations }, { migrations: c.migrations.slice(1), replay: c.migrations.slice(0, 1) }], opts: { records: true } };
    const here = await lintShare(req);
    const there = await new LintWorker().run(req);
    expect(there).toEqual(here);
    expect(there.map((r) => r.statements)).toEqual(here.map((r) => r.statements));

    expect(here[2]!.statements).toBeGreaterThan(0);
    const bad = new LintWorker().run({ pieces: [{ migrations: a.migrations }], opts: { only: ['no-such-rule' as never] } });
    await expect(bad).rejects.toBeInstanceOf(LockstepError);
    await expect(bad).rejects.toThrow(/no-such-rule is not a rule/);
  });
});
