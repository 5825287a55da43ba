import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'statement-timeout-too-long';

describe(R, () => {
  test('statement_timeout set to 0 before a scan under ACCESS EXCLUSIVE', async () => {
    const sql = "SET statement_timeout = 0;\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);";
    expect(await lintView(R, sql)).toMatchInlineSnapshot(`
      [
        "2:24 warning ALTER TABLE orders scans orders while holding ACCESS EXCLUSIVE (blocks reads and writes) on orders, with statement_timeout turned off (SET statement_timeout = 0 (line 1)): that traffic can wait for as long as it runs
      Set statement_timeout to a limit sized to orders: time the statement on a production-sized copy and add a margin, so a slower run fails and can be retried instead of blocking traffic:
      SET statement_timeout = '10min';  -- sized to orders
      ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);",
      ]
    `);
  });

  test('more than an hour, SET LOCAL inside a transaction: the fix keeps SET LOCAL', async () => {
    const sql = "BEGIN;\nSET LOCAL statement_timeout = '2h';\nALTER TABLE \"Order Items\" ALTER COLUMN qty TYPE bigint;\nCOMMIT;";
    const [f] = await findingsOf(R, sql);
    expect(f!.message).toMatch(/^ALTER TABLE "Order Items" rewrites "Order Items" while holding ACCESS EXCLUSIVE \(blocks reads and writes\) on "Order Items", and statement_timeout is 2 h \(SET LOCAL statement_timeout = '2h' \(line 2\)\): that traffic can wait that long$/);
    expect(f!.fix).toContain("SET LOCAL statement_timeout = '10min';  -- sized to \"Order Items\"");
  });

  test('a default from the config: the fix says where to lower it', async () => {
    const [f] = await findingsOf(R, 'CREATE INDEX orders_created_at_idx ON orders (created_at);', { session: { statementTimeoutMs: 4 * 3_600_000, source: 'config (assume)' } });
    expect(f!.message).toContain('statement_timeout is 4 h (config (assume))');
    expect(f!.fix).toContain('or lower the one lockstep assumes in the config');
  });

  test('RESET back to a default of 0 counts as turning the limit off', async () => {
    const sql = "SET statement_timeout = '5min';\nRESET statement_timeout;\nVACUUM FULL orders;";
    const [f] = await findingsOf(R, sql);
    expect(f!.message).toMatch(/with statement_timeout turned off \(RESET statement_timeout \(line 2\), back to server default\)/);
  });

  test('one finding per setting, not per statement; size-sensitive', async () => {
    const sql = "SET statement_timeout = 0;\nALTER TABLE orders ADD CONSTRAINT a CHECK (total >= 0);\nALTER TABLE orders ADD CONSTRAINT b CHECK (total < 1e9);\nSET statement_timeout = '3h';\nALTER TABLE orders ADD CONSTRAINT c CHECK (total <> 13);";
    expect((await findingsOf(R, sql)).map((f) => f.message.match(/statement_timeout (is [^(]+|turned off)/)![1]!.trim())).toEqual(['turned off', 'is 3 h']);
    const catalog = await catalogFrom('CREATE TABLE orders (id bigint, total numeric);');
    catalog.table({ name: 'orders' })!.rows = 50_000_000;
    catalog.table({ name: 'orders' })!.bytes = 20 * 1024 ** 3;
    const [big] = await findingsOf(R, "SET statement_timeout = 0;\nALTER TABLE orders ADD CONSTRAINT a CHECK (total >= 0);", { catalog });
    expect(big!.severity).toBe('error');
  });

  test('leaves alone: an hour or less, never set (require-statement-timeout), no blocking lock, catalog-only, new tables', async () => {
    const sql = [
      "SET statement_timeout = '1h';",
      'ALTER TABLE orders ADD CONSTRAINT a CHECK (total >= 0);',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT a CHECK (total >= 0);')).toEqual([]);
    const other = [
      'SET statement_timeout = 0;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;',
      'CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);',
      'ALTER TABLE orders ADD COLUMN note text;',
      'CREATE TABLE refunds (id bigint, amount numeric);',
      'ALTER TABLE refunds ADD CONSTRAINT refunds_amount_check CHECK (amount > 0);',
    ].join('\n');
    expect(await findingsOf(R, other)).toEqual([]);
  });
});
