import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'lock-timeout-too-long';

describe(R, () => {
  test('a lock_timeout of a minute before an ACCESS EXCLUSIVE statement', async () => {
    expect(await lintView(R, "SET lock_timeout = '1min';\nALTER TABLE \"Order Items\" ADD COLUMN note text;")).toMatchInlineSnapshot(`
      [
        "2:1 warning ALTER TABLE "Order Items" may wait up to 1 min for ACCESS EXCLUSIVE (blocks reads and writes) on "Order Items" (lock_timeout from SET lock_timeout = '1min' (line 1)): every later query on "Order Items", even a plain SELECT, can wait that long behind it
      Lower the lock_timeout to a few seconds and retry when it times out, after a short pause:
      SET lock_timeout = '2s';
      ALTER TABLE "Order Items" ADD COLUMN note text;",
      ]
    `);
  });

  test('one assumed in the config, and a number in milliseconds', async () => {
    const [f] = await findingsOf(R, 'CREATE INDEX orders_a_idx ON orders (a);', { session: { lockTimeoutMs: 30_000, source: 'config (assume)' } });
    expect(f!.message).toBe('CREATE INDEX orders_a_idx ON orders may wait up to 30 s for SHARE (blocks writes) on orders (lock_timeout from config (assume)): every later write to orders can wait that long behind it');
    expect(f!.fix).toContain('lower the one lockstep assumes in the config');
    expect(await findingsOf(R, 'SET lock_timeout = 15000;\nLOCK TABLE orders;')).toHaveLength(1);
  });

  test('leaves alone: 10 s or less, statements that block neither reads nor writes, new tables', async () => {
    expect(await findingsOf(R, "SET lock_timeout = '10s';\nALTER TABLE orders ADD COLUMN a int;")).toEqual([]);
    expect(await findingsOf(R, "SET lock_timeout = '5min';\nCREATE INDEX CONCURRENTLY i ON orders (a);\nALTER TABLE orders VALIDATE CONSTRAINT c;")).toEqual([]);
    expect(await findingsOf(R, "SET lock_timeout = '5min';\nCREATE TABLE r (id int);\nALTER TABLE r ADD COLUMN a int;")).toEqual([]);
  });
});
