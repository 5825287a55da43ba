import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { appCheck } from '../../src/app/app-check.js';
import { readChange } from '../../src/spec/read.js';

const root = join(import.meta.dirname, '../fixtures/app');
const spec = join(import.meta.dirname, '../../examples/shop/changes/orders-currency.yaml');

/** Every "expect: <rule>" marker in the fixture: file:line:rule. */
async function planted(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else
        (await readFile(p, 'utf8')).split('\n').forEach((l, i) => {
          for (const m of l.matchAll(/expect: ([a-z-]+)/g)) out.push(`${relative(dir, p)}:${i + 1}:${m[1]}`);
        });
    }
  };
  await walk(dir);
  return out.sort();
}

async function check(twin: 'broken' | 'clean', phase: 'expand' | 'contract' = 'expand', version = 15) {
  const { change } = await readChange(spec);
  return appCheck(change, { paths: ['.'], cwd: join(root, twin), phase, version });
}

describe('app-check on the fixture app (node-postgres, Drizzle, Kysely, Knex, TypeORM, Prisma)', () => {
  it('finds every planted problem, at its line, and nothing else', async () => {
    const r = await check('broken');
    const found = r.findings.map((f) => `${f.file}:${f.line}:${f.rule}`).sort();
    expect(found).toEqual(await planted(join(root, 'broken')));
    // Each finding says what to do.
    for (const f of r.findings) expect(f.advice.length).toBeGreaterThan(10);
  });

  it('reports the file that does not parse and checks the rest', async () => {
    const r = await check('broken');
    expect(r.skipped).toEqual([{ file: 'src/half-written.ts', reason: expect.stringMatching(/^does not parse \(line \d+:\d+\): /) }]);
    expect(r.filesChecked).toBe(8);
  });

  it('finds nothing in the clean twin', async () => {
    const r = await check('clean');
    expect(r.findings).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.filesChecked).toBe(8);
  });

  it('after the contract phase, NOT NULL may be relied on: only the missing writes and the rest remain', async () => {
    const r = await check('broken', 'contract');
    expect(r.findings.filter((f) => f.rule === 'assumes-not-null')).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'insert-omits-column').length).toBe(5);
    // The clean twin's nullable types are still correct code after contract.
    expect((await check('clean', 'contract')).findings).toEqual([]);
  });

  it('a column NOT NULL with its default from the start has no nullable window and needs no writes', async () => {
    const { change } = await readChange(join(import.meta.dirname, '../../examples/shop/changes/orders-created-at.yaml'));
    const r = await appCheck(change, { paths: ['.'], cwd: join(root, 'broken'), version: 15 });
    expect(r.columns).toMatchObject([{ column: 'created_at', nullableDuringRollout: false, nullableAtEnd: false, hasDefault: true }]);
    // Only what is about the table's shape remains: the star selects and the positional insert.
    expect([...new Set(r.findings.map((f) => f.rule))].sort()).toEqual(['insert-without-columns', 'model-missing-column', 'select-star']);
    expect(r.findings.find((f) => f.rule === 'insert-without-columns')!.severity).toBe('warning');
  });
});
