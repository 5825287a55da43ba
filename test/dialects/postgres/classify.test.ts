/**
 * The classifier recognizes every effects-table entry from its own proof statement, with the same
 * relations in each role that the proof observes on the servers (the catalog is built from the
 * same fixture by reading its SQL, as lint does with migrations).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { loadParser, parsePostgres } from '../../../src/dialects/postgres/parser.js';
import { Catalog } from '../../../src/dialects/postgres/catalog.js';
import { classify } from '../../../src/dialects/postgres/classify.js';
import { effects, proofFixture, MAX_VERSION, type RelRole } from '../../../src/dialects/postgres/effects.js';

beforeAll(loadParser);

function catalogFrom(sql: string): Catalog {
  const cat = new Catalog();
  for (const s of parsePostgres(sql).statements) cat.apply(s, 'fixture');
  return cat;
}

describe('classify() recognizes each effects entry from its proof', () => {
  for (const entry of effects.filter((e) => e.proof)) {
    test(entry.id, () => {
      const proof = entry.proof!;
      const version = Math.max(entry.claims[entry.claims.length - 1]!.from, 12);
      const cat = catalogFrom(proofFixture + ';' + (proof.setup ?? ''));
      const stmts = parsePostgres(proof.sql).statements;
      for (const s of stmts.slice(0, -1)) cat.apply(s, 'proof');
      const tz = /TimeZone = '([^']+)'/.exec(proof.sql)?.[1];
      const effect = classify(stmts[stmts.length - 1]!, { version: Math.min(version, MAX_VERSION), catalog: cat, ...(tz ? { timeZoneUtc: tz === 'UTC' } : {}) });
      const part = effect.parts.find((p) => p.entry === entry.id);
      expect(effect.parts.map((p) => p.entry), proof.sql).toContain(entry.id);
      for (const [role, names] of Object.entries(proof.relations) as [RelRole, string[]][]) {
        if (role === 'dependent') continue; // views dropped by CASCADE are not modelled
        const got = (part!.relations[role] ?? []).map((r) => r.name).sort();
        // Statements over many tables (a schema, every clustered table) are observed blocked on one of them.
        if (entry.id === 'reindex-schema') expect(got, `${entry.id}: ${role}`).toEqual(expect.arrayContaining(names));
        else expect(got, `${entry.id}: ${role}`).toEqual([...names].sort());
      }
    });
  }
});

describe('classify() decisions the proofs do not cover', () => {
  // Built once the parser is loaded (beforeAll), not while the tests are collected: the parser's WASM
  // is only ready then, and a catalog read without it is silently empty (a flake seen in a full run).
  let cat: Catalog;
  beforeAll(async () => {
    await loadParser();
    cat = catalogFrom(`CREATE TABLE o (id bigint PRIMARY KEY, v varchar(10), n numeric(8,2), ts timestamp(3), ch char(2));
    CREATE FUNCTION stable_f() RETURNS int STABLE LANGUAGE sql AS 'select 1';
    CREATE FUNCTION default_f() RETURNS int LANGUAGE sql AS 'select 1';`);
  });
  const entryOf = (sql: string, version = 15) => classify(parsePostgres(sql).statements[0]!, { version, catalog: cat }).parts.map((p) => p.entry);
  test.each([
    ['ALTER TABLE o ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP', 'add-column-default'],
    ['ALTER TABLE o ADD COLUMN c uuid DEFAULT gen_random_uuid()', 'add-column-volatile-default'],
    ['ALTER TABLE o ADD COLUMN c int DEFAULT stable_f()', 'add-column-default'],
    ['ALTER TABLE o ADD COLUMN c int DEFAULT default_f()', 'add-column-volatile-default'],
    ["ALTER TABLE o ADD COLUMN c text NOT NULL DEFAULT 'x'", 'add-column-not-null-default'],
    ['ALTER TABLE o ALTER COLUMN v TYPE varchar', 'alter-column-type-binary-coercible'],
    ['ALTER TABLE o ALTER COLUMN v TYPE varchar(5)', 'alter-column-type-varchar-shorten'],
    ['ALTER TABLE o ALTER COLUMN n TYPE numeric(8,3)', 'alter-column-type'],
    ['ALTER TABLE o ALTER COLUMN n TYPE numeric', 'alter-column-type-numeric-widen'],
    ['ALTER TABLE o ALTER COLUMN ts TYPE timestamp(6)', 'alter-column-type-binary-coercible'],
    ['ALTER TABLE o ALTER COLUMN ts TYPE timestamp(1)', 'alter-column-type'],
    ['ALTER TABLE o ALTER COLUMN ch TYPE text', 'alter-column-type-char-to-varchar'],
    ['ALTER TABLE o ALTER COLUMN v TYPE text USING lower(v)', 'alter-column-type'],
    ['ALTER TABLE o ALTER COLUMN id TYPE int', 'alter-column-type'],
  ])('%s → %s', (sql, entry) => {
    expect(entryOf(sql)).toEqual([entry]);
  });

  test('an unknown function default is treated as volatile and says so', () => {
    const e = classify(parsePostgres('ALTER TABLE o ADD COLUMN c int DEFAULT my_schema.next_code()').statements[0]!, { version: 15, catalog: cat });
    expect(e.parts[0]!.entry).toBe('add-column-volatile-default');
    expect(e.parts[0]!.uncertain).toMatch(/my_schema\.next_code/);
  });

  test('a multi-subcommand ALTER takes the strongest lock and ORs rewrite and scan', () => {
    const e = classify(parsePostgres('ALTER TABLE o ALTER COLUMN v SET STATISTICS 100, ADD COLUMN c float8 DEFAULT random()').statements[0]!, { version: 15, catalog: cat });
    expect(e.locks).toEqual([{ relation: { name: 'o' }, role: 'table', mode: 'AccessExclusive' }]);
    expect(e.rewrite).toBe(true);
  });

  test('version-specific entries have no claim before their version', () => {
    const e = classify(parsePostgres('REINDEX INDEX CONCURRENTLY o_pkey').statements[0]!, { version: 11, catalog: cat });
    expect(e.parts[0]!.entry).toBe('reindex-concurrently');
    expect(e.parts[0]!.claim).toBeUndefined();
  });

  test('the type of a column changed by an earlier statement is the one used', () => {
    const c2 = catalogFrom('CREATE TABLE p (v varchar(10)); ALTER TABLE p ALTER COLUMN v TYPE text');
    const e = classify(parsePostgres('ALTER TABLE p ALTER COLUMN v TYPE varchar(20)').statements[0]!, { version: 15, catalog: c2 });
    expect(e.parts[0]!.entry).toBe('alter-column-type-varchar-shorten');
  });
});
