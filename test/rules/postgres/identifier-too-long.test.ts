import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'identifier-too-long';

describe(R, () => {
  test('flags a long index name with the name Postgres will use', async () => {
    expect(await lintView(R, 'CREATE INDEX index_orders_on_customer_id_and_fulfillment_center_id_and_created_at ON orders (customer_id, fulfillment_center_id, created_at);')).toMatchInlineSnapshot(`
      [
        "1:14 warning index_orders_on_customer_id_and_fulfillment_center_id_and_created_at is 68 bytes: Postgres silently truncates it to index_orders_on_customer_id_and_fulfillment_center_id_and_creat (63 bytes), so a second name sharing those bytes collides with it, and code that looks it up by the full name as a string does not find it
      Choose a name of at most 63 bytes, e.g. what Postgres would make of it:
      index_orders_on_customer_id_and_fulfillment_center_id_and_creat",
      ]
    `);
  });

  test('counts bytes, not characters, and cuts on a character boundary', async () => {
    const name = '\u00e9'.repeat(40); // 40 characters, 80 bytes
    const [f] = await findingsOf(R, `CREATE TABLE t (id bigint, "${name}" text);`);
    expect(f!.message).toBe(`"${name}" is 80 bytes (40 characters): Postgres silently truncates it to "${'\u00e9'.repeat(31)}" (62 bytes), so a second name sharing those bytes collides with it, and code that looks it up by the full name as a string does not find it`);
    // 32 ASCII + 16 two-byte letters = 64 bytes in 48 characters
    const mixed = `${'a'.repeat(32)}${'\u00fc'.repeat(16)}`;
    expect(await findingsOf(R, `CREATE TABLE "${mixed}" (id bigint);`)).toHaveLength(1);
  });

  test('every kind of name a statement defines, and names that collide after the cut', async () => {
    const long = 'order_line_items_with_a_rather_descriptive_and_very_long_name_x';
    const sql = `CREATE TABLE ${long}1 (id bigint, CONSTRAINT ${long}2 CHECK (id > 0));
ALTER TABLE orders ADD COLUMN ${long}3 int, ADD CONSTRAINT ${long}4 CHECK (true);
ALTER TABLE orders RENAME COLUMN a TO ${long}5;
CREATE SEQUENCE ${long}6;
CREATE VIEW ${long}7 AS SELECT 1;
CREATE FUNCTION ${long}8() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TRIGGER ${long}9 AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f();
CREATE SCHEMA ${long}10;
CREATE TYPE ${long}11 AS ENUM ('a');
CREATE DOMAIN ${long}12 AS int;`;
    const f = await findingsOf(R, sql);
    expect(f.map((x) => sql.slice(x.span.start, x.span.end))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `${long}${n}`));
    expect(f[1]!.message).toContain(`the same name as ${long}1 earlier in this statement`);
  });

  test('enum labels over 63 bytes are an error, not a truncation', async () => {
    const label = 'x'.repeat(64);
    const f = await findingsOf(R, `CREATE TYPE s AS ENUM ('ok', '${label}'); ALTER TYPE s ADD VALUE '${label}y';`);
    expect(f.map((x) => x.severity)).toEqual(['error', 'error']);
  });

  test('leaves alone: 63-byte names, long names that are only referenced, long strings and comments', async () => {
    const ok = 'a'.repeat(63);
    const long = 'b'.repeat(70);
    expect(await findingsOf(R, `CREATE TABLE ${ok} (${ok} int);`)).toEqual([]);
    expect(await findingsOf(R, `CREATE INDEX CONCURRENTLY short_idx ON ${long} (${long});\nALTER TABLE ${long} ADD COLUMN c int;`)).toEqual([]);
    expect(await findingsOf(R, `-- ${long}\nCREATE TABLE t (c text DEFAULT '${long}');`)).toEqual([]);
  });
});
