import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'prefer-jsonb';

describe(R, () => {
  test('flags a json column in CREATE TABLE with the corrected definition', async () => {
    expect(await lintView(R, "CREATE TABLE webhook_events (\n  id bigint PRIMARY KEY,\n  payload json NOT NULL DEFAULT '{}'  -- raw body\n);")).toMatchInlineSnapshot(`
      [
        "3:11 warning webhook_events.payload is json: json has no equality operator (DISTINCT, GROUP BY, UNION and = fail on it), cannot have a GIN index, and is stored as text that is parsed again on every access
      Use jsonb (stored parsed, comparable, GIN-indexable); keep json only if the exact input text, key order or duplicate keys must survive:
      payload jsonb NOT NULL DEFAULT '{}'",
      ]
    `);
  });

  test('flags ADD COLUMN and ALTER COLUMN … TYPE with the whole statement, quoting hostile names', async () => {
    const f = await findingsOf(R, 'ALTER TABLE "Order Items" ADD COLUMN IF NOT EXISTS "Meta Data" json, ALTER COLUMN notes TYPE pg_catalog.json USING notes::json;');
    expect(f.map((x) => x.fix?.split('\n').pop())).toEqual([
      'ALTER TABLE "Order Items" ADD COLUMN IF NOT EXISTS "Meta Data" jsonb;',
      'ALTER TABLE "Order Items" ALTER COLUMN notes TYPE jsonb USING notes::json;',
    ]);
    expect(f[0]!.message).toContain('"Order Items"."Meta Data" is json');
  });

  test('keeps arrays arrays and reports at the type', async () => {
    const sql = 'CREATE TABLE t (id bigint, docs json[]);';
    const [f] = await findingsOf(R, sql);
    expect(f!.fix).toContain('docs jsonb[]');
    expect(sql.slice(f!.span.start, f!.span.start + 4)).toBe('json');
  });

  test('leaves alone: jsonb, a json type in another schema, json in expressions', async () => {
    expect(await findingsOf(R, 'CREATE TABLE t (a jsonb, b jsonb[]);')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE t (a myext.json);')).toEqual([]);
    expect(await findingsOf(R, "SELECT '{}'::json; CREATE VIEW v AS SELECT '{}'::json AS j;")).toEqual([]);
  });
});
