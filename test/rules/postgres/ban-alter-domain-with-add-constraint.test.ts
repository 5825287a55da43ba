import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintSequence } from './types-batch-helpers.js';

const R = 'ban-alter-domain-with-add-constraint';

const schema = `CREATE DOMAIN positive_amount AS numeric(12,2) CHECK (VALUE > 0);
CREATE TABLE payments (id bigint PRIMARY KEY, amount positive_amount NOT NULL, fee positive_amount);
CREATE TABLE "Refund Lines" (id bigint PRIMARY KEY, "Amount" positive_amount);
CREATE TABLE customers (id bigint PRIMARY KEY, name text);`;

describe(R, () => {
  test('without a database: names no tables, recipe with placeholders', async () => {
    expect(await lintView(R, 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_cap CHECK (VALUE < 1000000);')).toMatchInlineSnapshot(`
      [
        "1:1 warning ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_cap scans every table with a column of positive_amount under SHARE (blocks writes) until every column of the domain is checked (lockstep does not know which tables use it: lint with --db to name them)
      Add the rule to each column that uses positive_amount as a table CHECK constraint instead: NOT VALID is instant, and a table’s VALIDATE lets reads and writes go on (SHARE UPDATE EXCLUSIVE):
      ALTER TABLE <table> ADD CONSTRAINT <table>_<column>_check CHECK (<column> < 1000000) NOT VALID;
      ALTER TABLE <table> VALIDATE CONSTRAINT <table>_<column>_check;",
      ]
    `);
  });

  test('with a database: names every user, sizes by the biggest, a table CHECK per column', async () => {
    const f = await lintSequence(R, ['ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_cap CHECK (VALUE < 1000000);'], { db: { schema, rows: { payments: 5_000_000, 'Refund Lines': 300 } } });
    expect(f.map((x) => `${x.severity} ${x.message}\n${x.fix}`)).toMatchInlineSnapshot(`
      [
        "error ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_cap scans payments, "Refund Lines" under SHARE (blocks writes) until every column of the domain is checked (payments: ~5.0M rows, 477 MB)
      Add the rule to each column that uses positive_amount as a table CHECK constraint instead: NOT VALID is instant, and a table’s VALIDATE lets reads and writes go on (SHARE UPDATE EXCLUSIVE):
      ALTER TABLE payments ADD CONSTRAINT payments_amount_check CHECK (amount < 1000000) NOT VALID;
      ALTER TABLE payments VALIDATE CONSTRAINT payments_amount_check;
      ALTER TABLE payments ADD CONSTRAINT payments_fee_check CHECK (fee < 1000000) NOT VALID;
      ALTER TABLE payments VALIDATE CONSTRAINT payments_fee_check;
      ALTER TABLE "Refund Lines" ADD CONSTRAINT "Refund Lines_Amount_check" CHECK ("Amount" < 1000000) NOT VALID;
      ALTER TABLE "Refund Lines" VALIDATE CONSTRAINT "Refund Lines_Amount_check";",
      ]
    `);
  });

  test('NOT VALID is flagged too: for a domain, the VALIDATE that follows blocks writes all the same', async () => {
    const f = await lintSequence(R, ['ALTER DOMAIN positive_amount ADD CONSTRAINT cap CHECK (VALUE < 1000000) NOT VALID;\nALTER DOMAIN positive_amount VALIDATE CONSTRAINT cap;'], { db: { schema } });
    expect(f.map((x) => x.message)).toEqual([
      'ALTER DOMAIN positive_amount ADD CONSTRAINT cap NOT VALID is instant, but the VALIDATE CONSTRAINT it needs scans payments, "Refund Lines" under SHARE (blocks writes): for a domain, NOT VALID + VALIDATE does not avoid blocking writes',
      'ALTER DOMAIN positive_amount VALIDATE CONSTRAINT cap scans payments, "Refund Lines" under SHARE (blocks writes): unlike a table\u2019s VALIDATE, a domain\u2019s blocks writes',
    ]);
    // VALIDATE finds the condition in the earlier ADD, and offers to drop the domain constraint instead
    expect(f[1]!.fix).toContain('ALTER TABLE "Refund Lines" ADD CONSTRAINT "Refund Lines_Amount_check" CHECK ("Amount" < 1000000) NOT VALID;');
    expect(f[1]!.fix).toContain('ALTER DOMAIN positive_amount DROP CONSTRAINT cap;');
  });

  test('SET NOT NULL: the per-version NOT NULL recipe on each column', async () => {
    const sql = 'ALTER DOMAIN positive_amount SET NOT NULL;';
    const v15 = await lintSequence(R, [sql], { db: { schema: 'CREATE DOMAIN positive_amount AS numeric; CREATE TABLE payments (id bigint, amount positive_amount);' }, pgVersion: 15 });
    expect(v15[0]!.fix!.split('\n').slice(1)).toEqual([
      'ALTER TABLE payments ADD CONSTRAINT payments_amount_not_null CHECK (amount IS NOT NULL) NOT VALID;',
      'ALTER TABLE payments VALIDATE CONSTRAINT payments_amount_not_null;',
      'ALTER TABLE payments ALTER COLUMN amount SET NOT NULL;  -- uses the valid CHECK, no scan',
      'ALTER TABLE payments DROP CONSTRAINT payments_amount_not_null;',
    ]);
    const v18 = await lintSequence(R, [sql], { db: { schema: 'CREATE DOMAIN positive_amount AS numeric; CREATE TABLE payments (id bigint, amount positive_amount);' }, pgVersion: 18 });
    expect(v18[0]!.fix!.split('\n').slice(1)).toEqual(['ALTER TABLE payments ADD CONSTRAINT payments_amount_not_null NOT NULL amount NOT VALID;', 'ALTER TABLE payments VALIDATE CONSTRAINT payments_amount_not_null;']);
    const v11 = await lintSequence(R, [sql], { db: { schema: 'CREATE DOMAIN positive_amount AS numeric; CREATE TABLE payments (id bigint, amount positive_amount);' }, pgVersion: 11 });
    expect(v11[0]!.fix).not.toContain('SET NOT NULL');
  });

  test('a domain and its tables from an earlier migration count as existing', async () => {
    const f = await lintSequence(R, [schema, 'ALTER DOMAIN positive_amount ADD CHECK (VALUE < 1000000);']);
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('ALTER DOMAIN positive_amount ADD CHECK scans payments, "Refund Lines" under SHARE');
  });

  test('leaves alone: a domain created in this migration, a domain no table uses (database known), other ALTER DOMAIN forms', async () => {
    expect(await findingsOf(R, 'CREATE DOMAIN ref AS text;\nCREATE TABLE t (r ref);\nALTER DOMAIN ref ADD CONSTRAINT ref_format CHECK (VALUE ~ \'^R\');')).toEqual([]);
    expect(await lintSequence(R, ['ALTER DOMAIN unused ADD CHECK (VALUE > 0);'], { db: { schema: 'CREATE DOMAIN unused AS int; CREATE TABLE t (id bigint);' } })).toEqual([]);
    expect(await findingsOf(R, 'ALTER DOMAIN positive_amount DROP CONSTRAINT cap; ALTER DOMAIN positive_amount SET DEFAULT 1; ALTER DOMAIN positive_amount DROP NOT NULL;')).toEqual([]);
  });
});
