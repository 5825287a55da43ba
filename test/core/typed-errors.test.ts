/**
 * The library raises LockstepError, never a plain Error (issue 11 §5: apply/backfill.ts threw one, and
 * the CLI can only call that "internal error", exit 3). This keeps all of src/, both dialects included,
 * free of `throw new Error(` and `Promise.reject(new Error(`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

const plain = /\bthrow\s+(?:new\s+)?(?:Type|Range)?Error\s*\(|\breject\(\s*new\s+Error\s*\(/g;

describe('typed errors', () => {
  test('the pattern finds a plain throw', () => {
    expect('throw new Error("x")'.match(plain)).toHaveLength(1);
    expect('throw Error(`x`)'.match(plain)).toHaveLength(1);
    expect("throw new LockstepError('E_INPUT', [])".match(plain)).toBeNull();
  });

  test('no plain Error is thrown under src/', () => {
    const found = files(join(root, 'src'))
      .map((f) => relative(root, f).split('\\').join('/'))
      .flatMap((f) => (readFileSync(join(root, f), 'utf8').match(plain) ?? []).map((m) => `${f}: ${m}`));
    expect(found).toEqual([]);
  });
});
