import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'require-lock-timeout';

describe(R, () => {
  test('the first blocking statement, once per section', async () => {
    expect(
      await lintView(R, 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nALTER TABLE customers ADD COLUMN vip boolean;\nCREATE INDEX orders_shipped_at_idx ON orders (shipped_at);'),
    ).toMatchInlineSnapshot(`
      [
        "1:1 warning ALTER TABLE orders waits for ACCESS EXCLUSIVE (blocks reads and writes) on orders with no lock_timeout: while it waits behind a long transaction, every later query on orders, even a plain SELECT, queues behind it
      Set a lock_timeout first, so the statement gives up instead of stalling traffic, and retry when it times out, after a short pause:
      SET lock_timeout = '2s';
      ALTER TABLE orders ADD COLUMN shipped_at timestamptz;",
      ]
    `);
  });

  test('a lock that blocks only writes says so; SET LOCAL inside a transaction; quoted names', async () => {
    expect(await lintView(R, 'BEGIN;\nCREATE INDEX "Order Items_sku_idx" ON "Order Items" (sku);\nCOMMIT;')).toMatchInlineSnapshot(`
      [
        "2:1 warning CREATE INDEX "Order Items_sku_idx" ON "Order Items" waits for SHARE (blocks writes) on "Order Items" with no lock_timeout: while it waits behind a long transaction, every later write to "Order Items" queues behind it
      Set a lock_timeout first (SET LOCAL: it ends with the transaction), so the statement gives up instead of stalling traffic, and retry when it times out, after a short pause:
      SET LOCAL lock_timeout = '2s';
      CREATE INDEX "Order Items_sku_idx" ON "Order Items" (sku);",
      ]
    `);
  });

  test('inside the runner transaction the fix uses SET LOCAL', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders DROP COLUMN legacy;', { transaction: 'wrapped', layout: 'dbmate' });
    expect(f!.fix).toContain("SET LOCAL lock_timeout = '2s';");
  });

  test('skips statements that do not block traffic until the first one that does', async () => {
    const f = await findingsOf(R, 'CREATE INDEX CONCURRENTLY i ON orders (a);\nUPDATE orders SET a = 1 WHERE id = 1;\nALTER TABLE orders ALTER COLUMN a SET NOT NULL;');
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/^ALTER TABLE orders waits for ACCESS EXCLUSIVE/)]);
  });

  test('leaves alone: a lock_timeout set before, one assumed in config, new tables, non-blocking locks', async () => {
    expect(await findingsOf(R, "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;")).toEqual([]);
    expect(await findingsOf(R, "SELECT set_config('lock_timeout', '2s', false);\nALTER TABLE orders ADD COLUMN a int;")).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;', { session: { lockTimeoutMs: 2000, source: 'config (assume)' } })).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN a int;\nCREATE INDEX r_a ON refunds (a);')).toEqual([]);
    expect(await findingsOf(R, 'CREATE INDEX CONCURRENTLY i ON orders (a);\nALTER TABLE orders VALIDATE CONSTRAINT orders_a_check;')).toEqual([]);
    // a timeout that was set and then lost is lock-queue-without-timeout's
    expect(await findingsOf(R, "SET lock_timeout = '2s';\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN a int;")).toEqual([]);
  });

  test('each section counts on its own (up and down)', async () => {
    const { lintMigrations } = await import('../../../src/lint/lint.js');
    const text = '-- migrate:up\nALTER TABLE orders ADD COLUMN a int;\n-- migrate:down\nALTER TABLE orders DROP COLUMN a;\n';
    const file = { path: 'm.sql', text };
    const split = text.indexOf('-- migrate:down');
    const m = { id: 'm', layout: 'dbmate' as const, up: { file, parts: [{ start: 0, end: split }] }, down: { file, parts: [{ start: split, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' };
    const r = await lintMigrations([m], [file], { only: [R] });
    expect(r.findings.map((f) => f.section)).toEqual(['up', 'down']);
  });
});

describe(`${R}: statements that take SHARE UPDATE EXCLUSIVE`, () => {
  // COMMENT ON and plain VACUUM take SHARE UPDATE EXCLUSIVE (proven in test/integration/effects-proof.ts:
  // entries comment-on and vacuum), which blocks neither reads nor writes: no lock-queue stall to warn of.
  test('COMMENT ON a table or column and plain VACUUM are left alone', async () => {
    expect(await lintView(R, "COMMENT ON TABLE orders IS 'placed orders';\nCOMMENT ON COLUMN public.orders.total IS 'in cents';\nVACUUM orders;")).toEqual([]);
  });

  test('a blocking statement after them is still the one flagged', async () => {
    const found = await lintView(R, "COMMENT ON TABLE orders IS 'placed orders';\nALTER TABLE orders ADD COLUMN note text;");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^2:1 warning ALTER TABLE orders waits for ACCESS EXCLUSIVE/);
  });
});

describe(`${R}: statements that cannot run in a transaction block`, () => {
  // SET LOCAL outside a transaction block does nothing (Postgres only warns): for VACUUM FULL the fix
  // is a session SET before it and a RESET after it (run for real in test/integration/fixes.test.ts).
  test('VACUUM FULL: a session SET and a RESET, not SET LOCAL', async () => {
    expect(await lintView(R, 'VACUUM FULL orders;')).toMatchInlineSnapshot(`
      [
        "1:1 warning VACUUM FULL orders waits for ACCESS EXCLUSIVE (blocks reads and writes) on orders with no lock_timeout: while it waits behind a long transaction, every later query on orders, even a plain SELECT, queues behind it
      Set a lock_timeout first (a session SET, reset after it: VACUUM FULL orders cannot run in a transaction block, where SET LOCAL would do nothing), so the statement gives up instead of stalling traffic, and retry when it times out, after a short pause:
      SET lock_timeout = '2s';
      VACUUM FULL orders;
      RESET lock_timeout;",
      ]
    `);
  });

  test('even where the runner wraps the file in a transaction (where VACUUM FULL fails anyway)', async () => {
    const [f] = await findingsOf(R, 'VACUUM FULL orders;', { transaction: 'wrapped', layout: 'dbmate' });
    expect(f!.fix).not.toMatch(/^SET LOCAL/m);
    expect(f!.fix).toContain("SET lock_timeout = '2s';\nVACUUM FULL orders;\nRESET lock_timeout;");
  });

  test('leaves alone: the fix applied, and a transactional statement keeps SET LOCAL inside BEGIN', async () => {
    const [f] = await findingsOf(R, 'VACUUM FULL orders;');
    const fixed = f!.fix!.split('\n').filter((l) => /^(SET|VACUUM|RESET)\b/.test(l)).join('\n');
    expect(await findingsOf(R, fixed)).toEqual([]);
    expect(await findingsOf('lock-queue-without-timeout', fixed)).toEqual([]);
    const [tx] = await findingsOf(R, 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;');
    expect(tx!.fix).toContain("SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;");
    expect(tx!.fix).not.toContain('RESET');
  });
});
