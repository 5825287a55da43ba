/**
 * Several histories linted side by side (a worker thread lints a share): the result must be exactly the
 * one thread's. The worker runs the built code (dist/), as the CLI does; vitest runs src/ as TypeScript,
 * which a worker thread cannot load.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { splitHistories } from '../../src/lint/parallel.js';
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

const history = (path: string, sizes: number[]): History => ({ path, migrations: [], files: sizes.map((n, i) => ({ path: `${path}/${i}.sql`, text: 'x'.repeat(n) })) });

describe('splitHistories', () => {
  test('largest first onto the lightest share; each share keeps the histories in their order', () => {
    const hs = [history('a', [100_000]), history('b', [10_000]), history('c', [60_000]), history('d', [50_000])];
    expect(splitHistories(hs, 2)).toEqual([[0, 1], [2, 3]]);
    expect(splitHistories(hs, 1)).toEqual([[0, 1, 2, 3]]);
    // Never more shares than histories.
    expect(splitHistories(hs.slice(0, 1), 4)).toEqual([[0]]);
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
    const paths = dirs();
    const one = await lintPaths(paths, { records: true });
    const two = await lintPaths(paths, { records: true, threads: 2 });
    expect(one.findings.length).toBeGreaterThan(10);
    expect(new Set(one.findings.map((f) => f.file.split('/')[0])).size).toBeGreaterThan(1);
    expect(two).toEqual(one);
  });

  test('the worker lints a share as this thread does, and its errors come back as lockstep errors', async () => {
    const { LintWorker } = (await import(dist('lint/parallel.js'))) as typeof import('../../src/lint/parallel.js');
    const { lintShare } = (await import(dist('lint/lint.js'))) as typeof import('../../src/lint/lint.js');
    const { readMigrations } = (await import(dist('parse/layouts/index.js'))) as typeof import('../../src/parse/layouts/index.js');
    const { LockstepError } = (await import(dist('core/errors.js'))) as typeof import('../../src/core/errors.js');
    const { histories } = await readMigrations(dirs());
    const req = { histories, opts: { records: true } };
    const here = await lintShare(req);
    const there = await new LintWorker().run(req);
    expect(there).toEqual(here);
    expect(there.map((r) => r.statements)).toEqual(here.map((r) => r.statements));

    const bad = new LintWorker().run({ histories, opts: { only: ['no-such-rule' as never] } });
    await expect(bad).rejects.toBeInstanceOf(LockstepError);
    await expect(bad).rejects.toThrow(/no-such-rule is not a rule/);
  });
});
