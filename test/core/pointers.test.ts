/**
 * A comment that points at a test or source file ("proven in test/integration/…") names a file that
 * exists (issue 11 §5: effects.ts pointed at a test file that did not). Globs must match something.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname, basename } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    if (n === 'node_modules' || n === 'fixtures') return [];
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

/** Paths with an extension under src, test, bench, docs or scripts; a `*` is a glob. */
const pointer = /\b(?:src|test|bench|docs|scripts)\/[A-Za-z0-9_.\/*-]+\.(?:ts|js|md|sql)\b/g;

function exists(path: string): boolean {
  // An import names the compiled `.js` of a .ts source file.
  if (!path.includes('*')) return existsSync(join(root, path)) || (path.endsWith('.js') && existsSync(join(root, path.replace(/\.js$/, '.ts'))));
  const dir = join(root, dirname(path));
  const re = new RegExp(`^${basename(path).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return existsSync(dir) && readdirSync(dir).some((n) => re.test(n));
}

describe('file pointers in comments', () => {
  test('the check can fail', () => {
    expect(exists('test/integration/effects.pg15.test.ts')).toBe(true);
    expect(exists('test/integration/effects.pg*.test.ts')).toBe(true);
    expect(exists('test/integration/rehearse-statements.test.ts')).toBe(false);
  });

  test('every path under src/ and test/ that a .ts file names exists', () => {
    const broken = [...files(join(root, 'src')), ...files(join(root, 'test'))].flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return [...text.matchAll(pointer)]
        .map((m) => m[0])
        // a path built at run time (`test/${x}.ts`) or written into a temp dir is not a pointer
        .filter((p) => !text.includes(`'${p}'`) && !text.includes(`"${p}"`) && !text.includes(`\`${p}\``))
        .filter((p) => !exists(p))
        .map((p) => `${relative(root, f)}: ${p}`);
    });
    expect(broken).toEqual([]);
  });
});
