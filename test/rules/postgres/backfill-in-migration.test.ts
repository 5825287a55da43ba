import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { Catalog } from '../../../src/dialects/postgres/catalog.js';
import { loadParser, parsePostgres } from '../../../src/dialects/postgres/parser.js';

const R = 'backfill-in-migration';

describe(R, () => {
  test('UPDATE … WHERE next to DDL, in batches with the user\'s SET and WHERE', async () => {
    expect(await lintView(R, "ALTER TABLE orders ADD COLUMN status_code smallint;\nUPDATE orders SET status_code = 1 WHERE status = 'shipped';")).toMatchInlineSnapshot(`
      [
        "2:8 warning UPDATE orders in a migration that also changes the schema rewrites every matching row in one transaction: those rows stay locked until it commits (application writes to them wait), each one leaves a dead version behind (bloat) and their WAL reaches the replicas all at once
      Run the backfill outside the schema migration, after it has committed, in batches of 10,000 rows by primary key (lockstep does not know the primary key of orders and assumes \`id\`), each committed on its own, pausing between batches when replicas fall behind:
      UPDATE orders SET status_code = 1
      WHERE id > 0 AND id <= 10000 AND (status = 'shipped');
      -- then id > 10000 AND id <= 20000, and so on up to (SELECT max(id) FROM orders), one transaction per batch",
      ]
    `);
  });

  test('UPDATE without WHERE, alone, quoted names, inside a transaction that holds the ALTER\'s lock', async () => {
    expect(
      await lintView(R, 'BEGIN;\nALTER TABLE "Order Items" ADD COLUMN note text;\nUPDATE "Order Items" AS oi SET note = \'\';\nCOMMIT;'),
    ).toMatchInlineSnapshot(`
      [
        "3:8 warning UPDATE "Order Items" without WHERE in a migration that also changes the schema rewrites every row in one transaction: those rows stay locked until it commits (application writes to them wait), each one leaves a dead version behind (bloat) and their WAL reaches the replicas all at once; inside this transaction it also keeps ACCESS EXCLUSIVE (blocks reads and writes) on "Order Items" for as long as it runs
      Run the backfill outside the schema migration, after it has committed, in batches of 10,000 rows by primary key (lockstep does not know the primary key of "Order Items" and assumes \`id\`), each committed on its own, pausing between batches when replicas fall behind:
      UPDATE "Order Items" AS oi SET note = ''
      WHERE id > 0 AND id <= 10000;
      -- then id > 10000 AND id <= 20000, and so on up to (SELECT max(id) FROM "Order Items"), one transaction per batch",
      ]
    `);
  });

  test('DDL after the UPDATE counts too; DELETE … WHERE; UPDATE … FROM keeps its join', async () => {
    const f = await findingsOf(R, "UPDATE orders o SET region = c.region FROM customers c WHERE c.id = o.customer_id AND o.region IS NULL;\nDELETE FROM orders WHERE created_at < '2020-01-01';\nCREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);");
    expect(f.map((x) => x.message)).toEqual([
      expect.stringMatching(/^UPDATE orders in a migration that also changes the schema rewrites every matching row/),
      expect.stringMatching(/^DELETE FROM orders in a migration that also changes the schema deletes every matching row/),
    ]);
    expect(f[0]!.fix).toContain('UPDATE orders o SET region = c.region\nFROM customers c\nWHERE o.id > 0 AND o.id <= 10000 AND (c.id = o.customer_id AND o.region IS NULL);');
    expect(f[1]!.fix).toContain("DELETE FROM orders\nWHERE id > 0 AND id <= 10000 AND (created_at < '2020-01-01');");
  });

  test('uses the primary key the catalog knows, and a keyset for non-integer keys', async () => {
    await loadParser();
    const catalog = new Catalog();
    for (const s of parsePostgres('CREATE TABLE orders (order_no bigint PRIMARY KEY, status text);\nCREATE TABLE sessions (token uuid PRIMARY KEY, user_id bigint);').statements) catalog.apply(s, 'schema');
    const [o] = await findingsOf(R, 'UPDATE orders SET status = lower(status);', { catalog });
    expect(o!.fix).toContain('WHERE order_no > 0 AND order_no <= 10000;');
    expect(o!.fix).not.toContain('does not know the primary key');
    const [s] = await findingsOf(R, 'UPDATE sessions SET user_id = 0;', { catalog });
    expect(s!.fix).toContain('WHERE token IN (SELECT token FROM sessions WHERE token > :last_key ORDER BY token LIMIT 10000);');
  });

  test('leaves alone: a data migration with a WHERE and no DDL, DELETE without WHERE, tables created in the migration', async () => {
    expect(await findingsOf(R, "UPDATE orders SET status = 'archived' WHERE created_at < '2020-01-01';\nDELETE FROM sessions WHERE expires_at < now();")).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN a int;\nDELETE FROM sessions;')).toEqual([]);
    expect(await findingsOf(R, "CREATE TABLE refunds (id bigint, state text);\nUPDATE refunds SET state = 'new';\nDELETE FROM refunds WHERE id = 1;")).toEqual([]);
    expect(await findingsOf(R, "SET lock_timeout = '2s';\nUPDATE orders SET status = 'x' WHERE id = 1;\nSELECT 1;")).toEqual([]);
  });
});
