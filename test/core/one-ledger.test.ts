/**
 * One ledger (issue 11 §6): every SQL statement that reads or writes the Postgres ledger — the
 * `lockstep` schema's changes, steps, backfills and snapshots — lives in src/apply/ledger.ts. Anything
 * else goes through its functions, so a change to a ledger table is made in one place.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const src = join(root, 'src');
const LEDGER = 'src/apply/ledger.ts';

/** SQL touching a `lockstep.<table>` relation or the `lockstep` schema itself (not prose, not GUCs). */
const ledgerSql = /\b(?:FROM|INTO|UPDATE|JOIN|TABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?|to_regclass\s*\(\s*'|(?:CREATE|DROP)\s+SCHEMA(?:\s+IF\s+(?:NOT\s+)?EXISTS)?)\s+"?lockstep"?(?:\.\w+|\s*[;`'](?!\w))/gi;
// `to_regclass('lockstep.x')` has no space after the quote: match that form too.
const regclass = /to_regclass\s*\(\s*'lockstep\.\w+/gi;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(n) ? [p] : [];
  });
}

function hits(text: string): string[] {
  return [...text.matchAll(ledgerSql), ...text.matchAll(regclass)].map((m) => m[0]);
}

describe('the Postgres ledger is queried from one file', () => {
  test('the pattern finds ledger SQL (so the check below can fail)', () => {
    expect(hits("await db.query(`SELECT plan FROM lockstep.changes WHERE name = $1`)")).toHaveLength(1);
    expect(hits("`DELETE FROM lockstep.backfills WHERE change = $1`")).toHaveLength(1);
    expect(hits("`SELECT to_regclass('lockstep.snapshots') IS NOT NULL`")).toHaveLength(1);
    expect(hits('`CREATE TABLE IF NOT EXISTS lockstep.snapshots (`')).toHaveLength(1);
    expect(hits('`UPDATE lockstep.steps SET state = $3`')).toHaveLength(1);
    // Prose and settings are not ledger SQL.
    expect(hits('the snapshot was not stored in lockstep.snapshots: denied')).toHaveLength(0);
    expect(hits("set_config('lockstep.fill_ok', 'x', false)")).toHaveLength(0);
    expect(hits('lockstep.config.json')).toHaveLength(0);
    expect(hits("ledger: 'schema lockstep'")).toHaveLength(0);
    expect(hits("nullability from lockstep's rollout")).toHaveLength(0);
    expect(hits('`CREATE SCHEMA IF NOT EXISTS lockstep`')).toHaveLength(1);
    // ledger.ts itself holds them.
    expect(hits(readFileSync(join(root, LEDGER), 'utf8')).length).toBeGreaterThan(10);
  });

  test(`no file under src/ but ${LEDGER} holds SQL on the lockstep schema`, () => {
    const outside = files(src)
      .map((f) => relative(root, f).split('\\').join('/'))
      .filter((f) => f !== LEDGER)
      .flatMap((f) => hits(readFileSync(join(root, f), 'utf8')).map((h) => `${f}: ${h}`));
    expect(outside).toEqual([]);
  });
});
