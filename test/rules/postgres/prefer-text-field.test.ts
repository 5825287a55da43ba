import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'prefer-text-field';

describe(R, () => {
  test('CREATE TABLE: text with the limit as a named CHECK on the column', async () => {
    expect(await lintView(R, 'CREATE TABLE customers (\n  id bigint PRIMARY KEY,\n  email varchar(255) NOT NULL UNIQUE\n);')).toMatchInlineSnapshot(`
      [
        "3:9 info customers.email is varchar(255): lowering the limit later rewrites the table under ACCESS EXCLUSIVE (blocks reads and writes); a CHECK constraint on a text column can be changed without blocking writes
      Use text and state the limit as a constraint:
      email text NOT NULL UNIQUE CONSTRAINT customers_email_max_length CHECK (char_length(email) <= 255)",
      ]
    `);
  });

  test('an existing table: ADD COLUMN text, then the CHECK NOT VALID and VALIDATE', async () => {
    expect(await lintView(R, 'ALTER TABLE "Order Items" ADD COLUMN "Gift Note" character varying(140);')).toMatchInlineSnapshot(`
      [
        "1:50 info "Order Items"."Gift Note" is varchar(140): lowering the limit later rewrites the table under ACCESS EXCLUSIVE (blocks reads and writes); a CHECK constraint on a text column can be changed without blocking writes
      Use text and state the limit as a constraint, added NOT VALID (instant) and then validated while reads and writes go on (SHARE UPDATE EXCLUSIVE):
      ALTER TABLE "Order Items" ADD COLUMN "Gift Note" text;
      ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_Gift Note_max_length" CHECK (char_length("Gift Note") <= 140) NOT VALID;
      ALTER TABLE "Order Items" VALIDATE CONSTRAINT "Order Items_Gift Note_max_length";",
      ]
    `);
  });

  test('ALTER COLUMN … TYPE varchar(n) on an existing table', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE customers ALTER COLUMN name TYPE varchar(100);');
    expect(f!.fix!.split('\n').slice(1)).toEqual([
      'ALTER TABLE customers ALTER COLUMN name TYPE text;',
      'ALTER TABLE customers ADD CONSTRAINT customers_name_max_length CHECK (char_length(name) <= 100) NOT VALID;',
      'ALTER TABLE customers VALIDATE CONSTRAINT customers_name_max_length;',
    ]);
  });

  test('a table created in the same migration gets the CHECK directly', async () => {
    const f = await findingsOf(R, 'CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN code varchar(8);');
    expect(f).toHaveLength(1);
    expect(f[0]!.fix).toContain('ALTER TABLE t ADD CONSTRAINT t_code_max_length CHECK (char_length(code) <= 8);');
    expect(f[0]!.fix).not.toContain('NOT VALID');
  });

  test('arrays become text[] without a per-element CHECK; constraint names stay within 63 bytes', async () => {
    const [arr] = await findingsOf(R, 'CREATE TABLE t (tags varchar(20)[]);');
    expect(arr!.fix).toContain('tags text[]');
    const long = 'c'.repeat(60);
    const [f] = await findingsOf(R, `CREATE TABLE t (${long} varchar(5));`);
    const name = /CONSTRAINT (\S+) CHECK/.exec(f!.fix!)![1]!;
    expect(Buffer.byteLength(name)).toBe(63);
  });

  test('leaves alone: varchar without a limit, text, other schemas', async () => {
    expect(await findingsOf(R, 'CREATE TABLE t (a varchar, b character varying, c text, d other.varchar(3));')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE t ALTER COLUMN a TYPE varchar;')).toEqual([]);
  });
});
