import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'require-statement-timeout';

describe(R, () => {
  test('a scan under ACCESS EXCLUSIVE', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);')).toMatchInlineSnapshot(`
      [
        "1:24 warning ALTER TABLE orders scans orders while holding ACCESS EXCLUSIVE (blocks reads and writes) on orders, with no statement_timeout: nothing limits how long that traffic waits
      Set a statement_timeout sized to orders first: time the statement on a production-sized copy and add a margin, so a slower run fails and can be retried instead of blocking traffic:
      SET statement_timeout = '5min';  -- sized to orders
      ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);",
      ]
    `);
  });

  test('a rewrite, inside a transaction (SET LOCAL), with a quoted name; only the first per section', async () => {
    expect(
      await lintView(R, 'BEGIN;\nALTER TABLE "Order Items" ALTER COLUMN qty TYPE bigint;\nALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\nCOMMIT;'),
    ).toMatchInlineSnapshot(`
      [
        "2:40 warning ALTER TABLE "Order Items" rewrites "Order Items" while holding ACCESS EXCLUSIVE (blocks reads and writes) on "Order Items", with no statement_timeout: nothing limits how long that traffic waits
      Set a statement_timeout sized to "Order Items" first (SET LOCAL: it ends with the transaction): time the statement on a production-sized copy and add a margin, so a slower run fails and can be retried instead of blocking traffic:
      SET LOCAL statement_timeout = '5min';  -- sized to "Order Items"
      ALTER TABLE "Order Items" ALTER COLUMN qty TYPE bigint;",
      ]
    `);
  });

  test('a scan that takes only a weak lock itself, while the transaction holds a blocking one', async () => {
    const f = await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN status_code int;\nUPDATE orders SET status_code = 1;\nCOMMIT;');
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('UPDATE orders scans orders while this transaction holds ACCESS EXCLUSIVE (blocks reads and writes) on orders')]);
  });

  test('CREATE INDEX blocks writes while it scans', async () => {
    const f = await findingsOf(R, 'CREATE INDEX orders_created_at_idx ON orders (created_at);');
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('scans orders while holding SHARE (blocks writes) on orders')]);
  });

  test('leaves alone: a statement_timeout set before or assumed, catalog-only changes, scans that block nothing, new tables', async () => {
    expect(await findingsOf(R, "SET statement_timeout = '5min';\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);")).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);', { session: { statementTimeoutMs: 60_000, source: 'config (assume)' } })).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE INDEX CONCURRENTLY i ON orders (a);\nALTER TABLE orders VALIDATE CONSTRAINT c;\nUPDATE orders SET a = 1;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint, total int);\nALTER TABLE refunds ADD CONSTRAINT c CHECK (total >= 0);\nCREATE INDEX r_t ON refunds (total);')).toEqual([]);
  });
});

describe(`${R}: statements that cannot run in a transaction block`, () => {
  // SET LOCAL outside a transaction block does nothing (Postgres only warns): for VACUUM FULL the fix
  // is a session SET before it and a RESET after it (run for real in test/integration/fixes.test.ts).
  test('VACUUM FULL: a session SET and a RESET, not SET LOCAL', async () => {
    expect(await lintView(R, 'VACUUM FULL orders;')).toMatchInlineSnapshot(`
      [
        "1:1 warning VACUUM FULL orders rewrites orders while holding ACCESS EXCLUSIVE (blocks reads and writes) on orders, with no statement_timeout: nothing limits how long that traffic waits
      Set a statement_timeout sized to orders first (a session SET, reset after it: VACUUM FULL orders cannot run in a transaction block, where SET LOCAL would do nothing): time the statement on a production-sized copy and add a margin, so a slower run fails and can be retried instead of blocking traffic:
      SET statement_timeout = '5min';  -- sized to orders
      VACUUM FULL orders;
      RESET statement_timeout;",
      ]
    `);
  });

  test('even where the runner wraps the file in a transaction (where VACUUM FULL fails anyway)', async () => {
    const [f] = await findingsOf(R, 'VACUUM FULL orders;', { transaction: 'wrapped', layout: 'dbmate' });
    expect(f!.fix).not.toMatch(/^SET LOCAL/m);
    expect(f!.fix).toContain("SET statement_timeout = '5min';  -- sized to orders\nVACUUM FULL orders;\nRESET statement_timeout;");
  });

  test('leaves alone: the fix applied', async () => {
    const [f] = await findingsOf(R, 'VACUUM FULL orders;');
    const fixed = f!.fix!.split('\n').filter((l) => /^(SET|VACUUM|RESET)\b/.test(l)).join('\n');
    expect(await findingsOf(R, fixed)).toEqual([]);
  });
});
