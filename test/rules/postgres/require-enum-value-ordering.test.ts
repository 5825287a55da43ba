import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintSequence } from './types-batch-helpers.js';

const R = 'require-enum-value-ordering';

describe(R, () => {
  test('with the enum known: shows the statement with an explicit AFTER the last value', async () => {
    expect(await lintView(R, "CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered');\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';")).toMatchInlineSnapshot(`
      [
        "2:1 info ADD VALUE 'refunded' to order_status without BEFORE or AFTER puts it last, after 'delivered'; ORDER BY and comparisons on the column use the declared order
      Say where it goes among 'pending', 'paid', 'shipped', 'delivered'; to keep it last:
      ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded' AFTER 'delivered';",
      ]
    `);
  });

  test('the enum from an earlier migration, values added since included', async () => {
    const f = await lintSequence(R, ["CREATE TYPE order_status AS ENUM ('pending', 'paid');\nALTER TYPE order_status ADD VALUE 'shipped' AFTER 'paid';", "ALTER TYPE order_status ADD VALUE 'refunded';"]);
    expect(f).toHaveLength(1);
    expect(f[0]!.fix).toContain("ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'shipped';");
  });

  test('unknown enum: a placeholder position; quoted names and quotes in values', async () => {
    const [f] = await findingsOf(R, 'ALTER TYPE "Order Status" ADD VALUE \'it\'\'s late\';');
    expect(f!.message).toBe('ADD VALUE \'it\'\'s late\' to "Order Status" without BEFORE or AFTER puts it last; ORDER BY and comparisons on the column use the declared order');
    expect(f!.fix).toContain('ALTER TYPE "Order Status" ADD VALUE \'it\'\'s late\' AFTER \'<value>\';');
  });

  test('leaves alone: BEFORE / AFTER given, RENAME VALUE, CREATE TYPE', async () => {
    expect(
      await findingsOf(R, "ALTER TYPE s ADD VALUE 'a' BEFORE 'b'; ALTER TYPE s ADD VALUE IF NOT EXISTS 'c' AFTER 'b'; ALTER TYPE s RENAME VALUE 'a' TO 'z'; CREATE TYPE t AS ENUM ('x');"),
    ).toEqual([]);
  });
});
