/** The built CLI as users run it (a child process, no colour), and the shape every bad-input error must have. */
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'bin/lockstep.js');

export function runCli(args: string[], cwd = root, timeout = 120_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' }, timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2 (bad usage or input; 4 for a database that cannot be reached or fails), every line `lockstep: …`, no stack trace, and the message matches. */
export function expectCleanError(r: { code: number | null; stderr: string }, pattern: RegExp, code: 2 | 4 = 2): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const line of r.stderr.trim().split('\n')) expect(line).toMatch(/^lockstep: /);
}
