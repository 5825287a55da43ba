import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'prefer-timestamptz';

describe(R, () => {
  test('flags timestamp columns, keeping the precision', async () => {
    expect(await lintView(R, 'CREATE TABLE orders (\n  created_at timestamp NOT NULL DEFAULT now(),\n  shipped_at timestamp(3) without time zone\n);')).toMatchInlineSnapshot(`
      [
        "2:14 warning orders.created_at is timestamp without time zone: it stores a wall-clock reading with no offset, so clients in other time zones read a different instant and now() is stored as the session’s local time
      Use timestamptz (an absolute instant, shown in each session’s TimeZone):
      created_at timestamptz NOT NULL DEFAULT now()",
        "3:14 warning orders.shipped_at is timestamp(3) without time zone: it stores a wall-clock reading with no offset, so clients in other time zones read a different instant and now() is stored as the session’s local time
      Use timestamptz (an absolute instant, shown in each session’s TimeZone):
      shipped_at timestamptz(3)",
      ]
    `);
  });

  test('ADD COLUMN and ALTER COLUMN … TYPE, quoted names, arrays', async () => {
    const f = await findingsOf(R, 'ALTER TABLE "Order Items" ADD COLUMN "Packed At" timestamp, ALTER COLUMN scans TYPE timestamp[];');
    expect(f.map((x) => x.fix?.split('\n').pop())).toEqual(['ALTER TABLE "Order Items" ADD COLUMN "Packed At" timestamptz;', 'ALTER TABLE "Order Items" ALTER COLUMN scans TYPE timestamptz[];']);
    expect(f[1]!.message).toContain('timestamp without time zone[]');
  });

  test('leaves alone: timestamptz in every spelling, date, time', async () => {
    expect(await findingsOf(R, 'CREATE TABLE t (a timestamptz, b timestamp with time zone, c timestamptz(3), d date, e time);')).toEqual([]);
  });
});
