/**
 * One way to be read-only (issue 11 §6): a connection that only reads the user's database asks the
 * one connect for `readOnly` (dialects/postgres/driver.ts: default_transaction_read_only, proven in
 * test/dialects/postgres/driver.test.ts). Each Postgres connect call under src/ either passes it or is
 * a command that writes (listed here with what it writes).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Connections that write, by the application name they show: what they write. */
const writers: Record<string, string> = {
  'lockstep apply': 'the change and the ledger',
  'lockstep rollback': 'the undo and the ledger',
  'lockstep verify': 'the "now" snapshot (lockstep.snapshots), unless --no-store',
  'lockstep snapshot': 'the snapshot (lockstep.snapshots), unless --no-store',
  'lockstep rehearse (--sandbox)': 'the scratch server: its temporary database',
  'lockstep cleanup': 'drops the INVALID indexes a killed apply left',
};
/** Connect calls whose application name is the caller's: the file, and what its sessions write. */
const writerFiles: Record<string, string> = {
  'src/dialects/postgres/metrics.ts': 'snapshot and verify sessions: they store snapshots (lockstep.snapshots)',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

/** Every `connect(…)` / `connectPostgres(…)` call line outside the connect functions themselves. */
function calls(): { file: string; line: string }[] {
  return files(join(root, 'src'))
    .map((f) => relative(root, f).split('\\').join('/'))
    .filter((f) => !f.startsWith('src/dialects/mysql/') && f !== 'src/apply/db.ts')
    .flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((l) => /\b(?:connect|connectPostgres)\((?!\))/.test(l) && !/function connect/.test(l))
        .map((line) => ({ file, line: line.trim() })),
    );
}

function kind(line: string, file = ''): string {
  if (/readOnly: true/.test(line)) return 'read-only';
  if (writerFiles[file]) return writerFiles[file]!;
  if (/'--sandbox'/.test(line)) return 'lockstep rehearse (--sandbox)';
  const name = /'(lockstep[^']*)'/.exec(line)?.[1];
  return name && writers[name] ? name : `unlisted: ${line}`;
}

describe('read-only connections', () => {
  test('the scan finds the connect calls', () => {
    const all = calls();
    expect(all.length).toBeGreaterThan(8);
    expect(all.some((c) => c.file === 'src/apply/status.ts')).toBe(true);
  });

  test('every connect under src/ is read-only or a listed writer', () => {
    expect(calls().map((c) => `${c.file}: ${kind(c.line, c.file)}`).filter((k) => k.includes('unlisted'))).toEqual([]);
  });

  test('status, lint --db, types, app-check and the source of a rehearsal connect read-only', () => {
    const ro = calls().filter((c) => kind(c.line) === 'read-only').map((c) => c.file);
    for (const f of ['src/apply/status.ts', 'src/dialects/postgres/introspect.ts', 'src/app/types.ts', 'src/dialects/postgres/app.ts', 'src/rehearse/rehearse.ts', 'src/rehearse/sandbox.ts']) expect(ro, f).toContain(f);
  });
});
