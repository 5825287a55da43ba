import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'lock-queue-without-timeout';

describe(R, () => {
  test('SET LOCAL ended with the COMMIT: every later blocking statement', async () => {
    expect(
      await lintView(
        R,
        "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\n\nALTER TABLE \"Order Items\" ADD COLUMN note text;\nCREATE INDEX orders_shipped_at_idx ON orders (shipped_at);",
      ),
    ).toMatchInlineSnapshot(`
      [
        "6:1 warning ALTER TABLE "Order Items" waits for ACCESS EXCLUSIVE (blocks reads and writes) on "Order Items" with no lock_timeout in effect (the lock_timeout from SET LOCAL lock_timeout = '2s' (line 2) ended with the COMMIT at line 4): every later query on "Order Items", even a plain SELECT, can queue behind it
      Set the lock_timeout again right before it (a session-level SET lasts across transactions), and retry when it times out, after a short pause:
      SET lock_timeout = '2s';
      ALTER TABLE "Order Items" ADD COLUMN note text;",
        "7:1 warning CREATE INDEX orders_shipped_at_idx ON orders waits for SHARE (blocks writes) on orders with no lock_timeout in effect (the lock_timeout from SET LOCAL lock_timeout = '2s' (line 2) ended with the COMMIT at line 4): every later write to orders can queue behind it
      Set the lock_timeout again right before it (a session-level SET lasts across transactions), and retry when it times out, after a short pause:
      SET lock_timeout = '2s';
      CREATE INDEX orders_shipped_at_idx ON orders (shipped_at);",
      ]
    `);
  });

  test('RESET, RESET ALL, SET … TO DEFAULT and SET … = 0 each say what turned it off', async () => {
    const why = async (off: string) => (await findingsOf(R, `SET lock_timeout = '2s';\n${off};\nALTER TABLE orders ADD COLUMN a int;`)).map((f) => f.message.replace(/^.*\(|\):.*$/g, ''));
    expect(await why('RESET lock_timeout')).toEqual(['RESET lock_timeout at line 2 turned it off']);
    expect(await why('SET lock_timeout TO DEFAULT')).toEqual(['SET lock_timeout TO DEFAULT at line 2 turned it off']);
    expect(await why('RESET ALL')).toEqual(['RESET ALL at line 2 reset it']);
    expect(await why('SET lock_timeout = 0')).toEqual(['SET lock_timeout = 0 at line 2 turned it off']);
  });

  test('ROLLBACK undoes a session-level SET made inside the transaction', async () => {
    const f = await findingsOf(R, "BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\nALTER TABLE orders ADD COLUMN a int;");
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining("the lock_timeout from SET lock_timeout = '2s' (line 2) ended with the ROLLBACK at line 3")]);
  });

  test('SET LOCAL outside a transaction block has no effect at all', async () => {
    const f = await findingsOf(R, "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;");
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining("SET LOCAL lock_timeout = '2s' at line 1 is outside a transaction block, where SET LOCAL has no effect")]);
  });

  test('leaves alone: still in effect, set again, session-level SET across COMMIT, RESET back to a database default, never set', async () => {
    expect(await findingsOf(R, "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;")).toEqual([]);
    expect(await findingsOf(R, "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;")).toEqual([]);
    expect(await findingsOf(R, "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT;\nALTER TABLE customers ADD COLUMN b int;")).toEqual([]);
    expect(await findingsOf(R, "SET lock_timeout = '5s';\nRESET ALL;\nALTER TABLE orders ADD COLUMN a int;", { session: { lockTimeoutMs: 3000, source: "the database's settings" } })).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;')).toEqual([]);
    // non-blocking statements and new tables
    expect(await findingsOf(R, "SET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY i ON orders (a);\nCREATE TABLE r (id int);\nALTER TABLE r ADD COLUMN a int;")).toEqual([]);
  });
});
