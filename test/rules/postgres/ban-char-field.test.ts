import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'ban-char-field';

describe(R, () => {
  test('flags char(n) with text and the length as a possible CHECK', async () => {
    expect(await lintView(R, 'CREATE TABLE customers (\n  id bigint PRIMARY KEY,\n  country_code char(2) NOT NULL\n);')).toMatchInlineSnapshot(`
      [
        "3:16 warning customers.country_code is char(2): values are blank-padded to 2 characters, trailing spaces are ignored when comparing and lost when read as text, and converting the column later rewrites the table
      Use text (or varchar without a limit); if the length is a rule, state it as a constraint, e.g. CHECK (char_length(country_code) <= 2):
      country_code text NOT NULL",
      ]
    `);
  });

  test('char / character without a length is char(1); bpchar without one has no limit', async () => {
    const f = await findingsOf(R, 'CREATE TABLE t (flag character, code bpchar, grade national character(4));');
    expect(f.map((x) => x.message)).toEqual([
      't.flag is character without a length, which means char(1): any longer value is rejected, and trailing spaces are ignored when comparing and lost when read as text',
      't.code is bpchar: trailing spaces are ignored when comparing and lost when read as text, and converting the column later rewrites the table',
      't.grade is char(4): values are blank-padded to 4 characters, trailing spaces are ignored when comparing and lost when read as text, and converting the column later rewrites the table',
    ]);
    expect(f[2]!.fix).toContain('grade text\n'.trim());
  });

  test('ADD COLUMN and ALTER COLUMN … TYPE, with quoted names and arrays', async () => {
    const f = await findingsOf(R, 'ALTER TABLE "Order Items" ADD COLUMN "Unit Code" char(3)[] NOT NULL DEFAULT \'{}\', ALTER COLUMN sku TYPE character(12);');
    expect(f.map((x) => x.fix?.split('\n').pop())).toEqual([
      'ALTER TABLE "Order Items" ADD COLUMN "Unit Code" text[] NOT NULL DEFAULT \'{}\';',
      'ALTER TABLE "Order Items" ALTER COLUMN sku TYPE text;',
    ]);
  });

  test('"char"(n): the internal one-byte type with a length, which Postgres refuses', async () => {
    expect(await lintView(R, 'CREATE TABLE orders (id bigint, grade "char"(3), codes pg_catalog."char"(2)[]);\nALTER TABLE "Order Items" ADD COLUMN "Tier" "char"(1);')).toMatchInlineSnapshot(`
      [
        "1:39 error orders.grade is "char"(3): the quoted "char" is Postgres' internal one-byte type and takes no length, so Postgres rejects it (type modifier is not allowed for type "char")
      For text of up to 3 characters use text, with the length as a constraint, e.g. CHECK (char_length(grade) <= 3); for a one-byte code, "char" without a length:
      grade text",
        "1:56 error orders.codes is pg_catalog."char"(2)[]: the quoted "char" is Postgres' internal one-byte type and takes no length, so Postgres rejects it (type modifier is not allowed for type "pg_catalog.char[]")
      For text of up to 2 characters use text, with the length as a constraint, e.g. CHECK (char_length(codes) <= 2); for a one-byte code, "char" without a length:
      codes text[]",
        "2:45 error "Order Items"."Tier" is "char"(1): the quoted "char" is Postgres' internal one-byte type and takes no length, so Postgres rejects it (type modifier is not allowed for type "char")
      For text of up to 1 character use text, with the length as a constraint, e.g. CHECK (char_length("Tier") <= 1); for a one-byte code, "char" without a length:
      ALTER TABLE "Order Items" ADD COLUMN "Tier" text;",
      ]
    `);
  });

  test('leaves alone: the internal "char" type, varchar, text, char in casts', async () => {
    expect(await findingsOf(R, 'CREATE TABLE t (a "char", b varchar(3), c text, d pg_catalog."char", e "char"[]);\nALTER TABLE t ALTER COLUMN c TYPE "char" USING left(c, 1)::"char";')).toEqual([]);
    expect(await findingsOf(R, "SELECT 'x'::char(3);")).toEqual([]);
  });
});
