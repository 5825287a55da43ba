/**
 * Bugs found in review, each reproduced here first. Every case states what Postgres or the migration
 * tool really does, checked by hand on PG 15 or in the tool's source.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { lintSql, lintMigrations, lintPaths } from '../../src/lint/lint.js';
import { loadParser, parsePostgres } from '../../src/dialects/postgres/parser.js';
import { Catalog } from '../../src/dialects/postgres/catalog.js';
import { classify } from '../../src/dialects/postgres/classify.js';
import { readMigrations } from '../../src/parse/layouts/index.js';
import { lintRenderers } from '../../src/report/index.js';
import type { Migration } from '../../src/parse/migrations.js';

beforeAll(loadParser);

const rulesAt = async (sql: string, opts = {}) => (await lintSql(sql, opts)).findings.map((f) => `${f.rule}@${sql.slice(0, f.span.start).split('\n').length}`);
const mig = (id: string, text: string): Migration => ({ id, layout: 'plain', up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none', transactionSource: 'test' });
const lintSeq = async (texts: string[], opts = {}) => {
  const ms = texts.map((t, i) => mig(String(i + 1).padStart(3, '0'), t));
  return (await lintMigrations(ms, ms.map((m) => m.up.file), opts)).findings;
};
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-regr-'));
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

describe('engine and session', () => {
  test('an ignore on one statement does not silence a once-per-section rule for the later ones', async () => {
    const sql = '-- lockstep-ignore require-lock-timeout: audit is tiny\nALTER TABLE audit ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;';
    expect((await rulesAt(sql)).filter((r) => r.startsWith('require-lock-timeout'))).toEqual(['require-lock-timeout@3']);
  });

  test('an unterminated quote loses only its own statement', async () => {
    const r = await rulesAt("CREATE INDEX i ON orders (a);\nSELECT 'unterminated;\n");
    expect(r).toContain('require-concurrent-index-creation@1');
    expect(r).toContain('syntax-error@2');
  });

  test('ROLLBACK TO SAVEPOINT undoes a lock_timeout set after the savepoint (Postgres: back to 0)', async () => {
    const sql = "BEGIN;\nSAVEPOINT s;\nSET LOCAL lock_timeout = '2s';\nROLLBACK TO SAVEPOINT s;\nALTER TABLE t ADD COLUMN b text;\nCOMMIT;";
    expect(await rulesAt(sql)).toContain('lock-queue-without-timeout@5');
  });

  test('SET LOCAL TimeZone outside a transaction has no effect, so timestamp → timestamptz still rewrites', async () => {
    const f = await lintSeq(['CREATE TABLE t (id int, ts timestamp);', "SET LOCAL TimeZone = 'UTC';\nALTER TABLE t ALTER COLUMN ts TYPE timestamptz;"], { pgVersion: 16 });
    expect(f.map((x) => x.rule)).toContain('changing-column-type');
  });

  test('an unnamed CHECK is named as Postgres names it, so validating it later is recognized', async () => {
    const f = await lintSeq(['CREATE TABLE cn (id bigint PRIMARY KEY, a bigint);', 'ALTER TABLE cn ADD CHECK (a IS NOT NULL) NOT VALID;', 'ALTER TABLE cn VALIDATE CONSTRAINT cn_a_check;', 'ALTER TABLE cn ALTER COLUMN a SET NOT NULL;']);
    expect(f.filter((x) => x.rule === 'setting-not-null')).toEqual([]);
  });

  test('NOT VALID inside CREATE TABLE is ignored by Postgres: the constraint is valid', async () => {
    const f = await lintSeq(['CREATE TABLE nv (a int, CONSTRAINT nv_a_nn CHECK (a IS NOT NULL) NOT VALID);', 'ALTER TABLE nv ALTER COLUMN a SET NOT NULL;']);
    expect(f.filter((x) => x.rule === 'setting-not-null')).toEqual([]);
  });

  test('a table created in the migration and renamed in it is still new', async () => {
    const sql = 'CREATE TABLE orders_new (id bigint PRIMARY KEY, a bigint);\nALTER TABLE orders_new RENAME TO orders2;\nCREATE INDEX orders2_a_idx ON orders2 (a);\nALTER TABLE orders2 ADD COLUMN b text NOT NULL;';
    const r = await rulesAt(sql);
    for (const rule of ['require-concurrent-index-creation', 'adding-not-null-column', 'require-lock-timeout']) expect(r.some((x) => x.startsWith(rule)), rule).toBe(false);
  });

  test('after a rename, indexes and foreign keys point at the new name', async () => {
    const cat = new Catalog();
    for (const s of parsePostgres('CREATE TABLE a (id bigint PRIMARY KEY); CREATE TABLE b (a_id bigint REFERENCES a (id)); CREATE INDEX a_idx ON a (id); ALTER TABLE a RENAME TO a2;').statements) cat.apply(s, 'm');
    expect(cat.index({ name: 'a_idx' })!.table).toEqual({ name: 'a2' });
    expect(cat.referencing({ name: 'a2' })).toEqual([{ name: 'b' }]);
  });

  test('findings are ordered by file (in migration order), then position', async () => {
    const f = await lintSeq(['CREATE INDEX j ON t (c);\nSELECT 1;\nCREATE INDEX i ON t (b);', 'CREATE INDEX k ON t (a);']);
    const files = f.map((x) => x.file);
    expect(new Set(files)).toEqual(new Set(['001.sql', '002.sql']));
    expect(files).toEqual([...files].sort());
    const first = f.filter((x) => x.file === '001.sql').map((x) => x.span.start);
    expect(first).toEqual([...first].sort((a, b) => a - b));
    expect(first[0]).toBe(0);
    expect(first[first.length - 1]).toBeGreaterThan(30); // the second CREATE INDEX, after SELECT 1
  });

  test('no state survives a lint call: the same migrations linted twice, and after another history, give the same findings', async () => {
    // Rules that keep per-section state (require-lock-timeout once per section, backfill-in-migration,
    // dropping-object, setting-schema) and the down section's view of its up section (engine.ts).
    const text = '-- migrate:up\nALTER TABLE orders ADD COLUMN a int;\nUPDATE orders SET a = 1;\nDROP TABLE legacy;\nSET search_path = app;\n-- migrate:down\nALTER TABLE orders DROP COLUMN a;\n';
    const file = { path: 'm.sql', text };
    const split = text.indexOf('-- migrate:down');
    const m: Migration = { id: 'm', layout: 'dbmate', up: { file, parts: [{ start: 0, end: split }] }, down: { file, parts: [{ start: split, end: text.length }] }, transaction: 'none', transactionSource: 'test' };
    const view = async () => (await lintMigrations([m], [file])).findings.map((f) => `${f.rule}@${f.section}:${f.span.start}`);
    const first = await view();
    expect(first).toEqual(expect.arrayContaining(['require-lock-timeout@up:14', 'require-lock-timeout@down:' + (split + 16)]));
    expect(await view()).toEqual(first);
    await lintSeq(['CREATE TABLE t (id int);', 'ALTER TABLE t ADD COLUMN b int;']);
    expect(await view()).toEqual(first);
  });

  test('a pathologically nested statement does not crash lint, nor cost the statements after it their findings', async () => {
    const next = 'CREATE INDEX i ON t (a);';
    const alone = (await lintSql(`SELECT 1;\n${next}`)).findings.map((f) => f.rule);
    expect(alone).toContain('require-concurrent-index-creation');
    // 2,000 levels: the parser reads it (PG 15 itself only refuses it as 7 > 6 array dimensions); nothing to flag in it.
    const deep = `SELECT ${'ARRAY['.repeat(2000)}1${']'.repeat(2000)};`;
    const r = await lintSql(`${deep}\n${next}`);
    expect(r.findings.filter((f) => f.span.start < deep.length)).toEqual([]);
    expect(r.findings.map((f) => f.rule)).toEqual(alone);
    // 20,000 levels: the parser runs out of stack (as the server's does): a syntax error on that statement only.
    const deeper = `SELECT ${'ARRAY['.repeat(20000)}1${']'.repeat(20000)};`;
    const r2 = await lintSql(`${deeper}\n${next}`);
    const inDeeper = r2.findings.filter((f) => f.span.start < deeper.length);
    expect(inDeeper.map((f) => [f.rule, f.severity])).toEqual([['syntax-error', 'error']]);
    expect(inDeeper[0]!.message).toMatch(/^syntax error: /);
    expect(r2.findings.filter((f) => f.span.start > deeper.length).map((f) => f.rule)).toContain('require-concurrent-index-creation');
  });
});

describe('classifier', () => {
  const cat = new Catalog();
  beforeAll(() => {
    for (const s of parsePostgres('CREATE TABLE plain (id int, a int, iv interval(6), b bit(5)); CREATE TABLE m (id int, k int) PARTITION BY RANGE (k);').statements) cat.apply(s, 'm');
  });
  const entry = (sql: string) => classify(parsePostgres(sql).statements[0]!, { version: 15, catalog: cat }).parts.map((p) => p.entry);

  test('ON ONLY on a plain table builds the whole index (Postgres: SHARE lock, valid index)', () => {
    expect(entry('CREATE INDEX plain_a ON ONLY plain (a)')).toEqual(['create-index']);
    expect(entry('CREATE INDEX m_k ON ONLY m (k)')).toEqual(['create-index-only']);
  });

  test('interval precision decrease and bit length change are not free (Postgres: rewrite / error)', () => {
    expect(entry('ALTER TABLE plain ALTER COLUMN iv TYPE interval(3)')).toEqual(['alter-column-type']);
    expect(entry('ALTER TABLE plain ALTER COLUMN iv TYPE interval')).toEqual(['alter-column-type-binary-coercible']);
    expect(entry('ALTER TABLE plain ALTER COLUMN b TYPE bit(10)')).toEqual(['alter-column-type']);
  });

  test('a new partition of a parent without a DEFAULT partition scans nothing', () => {
    expect(entry('CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM (0) TO (10)')).toEqual(['create-partition']);
  });
});

describe('histories', () => {
  // dirA proves orders.note non-null with a validated CHECK; dirB has a table of the same name without one.
  const dirA = () => tree({ '001_a.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n', '002_b.sql': 'ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID;\n', '003_c.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT note_nn;\n' });
  const dirB = () => tree({ '001_x.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n" });

  test('each directory is its own history: a CHECK validated in one does not prove anything in another', async () => {
    const b = dirB();
    const alone = (await lintPaths([b])).findings.filter((f) => f.rule === 'setting-not-null');
    expect(alone).toHaveLength(1);
    const both = await lintPaths([dirA(), b]);
    expect(both.findings.filter((f) => f.rule === 'setting-not-null').map((f) => f.file)).toEqual([alone[0]!.file]);
    expect(both.migrations).toBe(4);
  });

  test('files given one by one from one directory are one history, in the order given', async () => {
    const a = dirA();
    const x = join(a, '004_x.sql');
    writeFileSync(x, "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");
    const r = await lintPaths(['001_a.sql', '002_b.sql', '003_c.sql', '004_x.sql'].map((f) => join(a, f)));
    expect(r.findings.filter((f) => f.rule === 'setting-not-null')).toEqual([]);
    // The same file from another directory's glob starts from nothing.
    const apart = await lintPaths([join(a, '001_a.sql'), join(dirB(), '001_x.sql')]);
    expect(apart.findings.filter((f) => f.rule === 'setting-not-null')).toHaveLength(1);
  });
});

describe('layouts', () => {
  test('Flyway runs a script with CREATE INDEX CONCURRENTLY outside a transaction', async () => {
    const dir = tree({ 'V1__init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, a int);\n', 'V2__idx.sql': 'CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);\n' });
    const { migrations } = await readMigrations([dir]);
    expect(migrations.map((m) => m.transaction)).toEqual(['wrapped', 'none']);
    const r = await lintPaths([dir]);
    expect(r.findings.map((f) => f.rule)).not.toContain('concurrently-in-transaction');
  });

  test('dbmate reads each section\u2019s transaction option from its own marker', async () => {
    const dir = tree({ '20240101000000_idx.sql': '-- migrate:up\nCREATE TABLE foo (id bigint PRIMARY KEY, a text);\n\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS foo_a_idx;\nDROP TABLE foo;\n' });
    const { migrations } = await readMigrations([dir]);
    expect(migrations[0]!.transaction).toBe('wrapped');
    expect(migrations[0]!.down!.transaction).toBe('none');
    expect((await lintPaths([dir])).findings.map((f) => f.rule)).not.toContain('concurrently-in-transaction');
  });

  test('node-pg-migrate without an up marker runs the whole file on migrate up', async () => {
    const dir = tree({ '1700000000000_a.sql': 'CREATE TABLE a (id bigint);\n\n-- Down Migration\nDROP TABLE users;\n' });
    const { migrations } = await readMigrations([dir], { layout: 'node-pg-migrate' });
    const up = migrations[0]!.up;
    expect(up.file.text.slice(up.parts[0]!.start, up.parts[0]!.end)).toContain('DROP TABLE users');
  });
});

describe('output', () => {
  test('SARIF uris are percent-encoded', async () => {
    const r = await lintSql('CREATE INDEX i ON t (a);', { file: 'sar if/001 add #2 100%.sql' });
    const sarif = JSON.parse(lintRenderers.sarif(r, { color: false }));
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('sar%20if/001%20add%20%232%20100%25.sql');
  });
});
