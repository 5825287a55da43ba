import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'setting-not-null';
const SQL = 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;';

/** Lints `second` as a later migration than `first`, so that lockstep knows the tables `first` creates. */
async function later(first: string, second: string, pgVersion = 15) {
  const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
  const ms = [mk('001', first), mk('002', second)];
  return (await lintMigrations(ms, ms.map((m) => m.up.file), { only: [R], pgVersion })).findings;
}

describe(R, () => {
  test('12–17: CHECK NOT VALID, VALIDATE, SET NOT NULL, DROP CONSTRAINT', async () => {
    expect(await lintView(R, SQL, { pgVersion: 15 })).toMatchInlineSnapshot(`
      [
        "1:20 warning SET NOT NULL on orders.customer_id scans all of orders under ACCESS EXCLUSIVE (blocks reads and writes) to check for NULLs
      Prove there are no NULLs with a CHECK constraint first: added NOT VALID it is instant, VALIDATE scans under SHARE UPDATE EXCLUSIVE while reads and writes go on, and SET NOT NULL then uses it instead of scanning. Run each statement as its own transaction:
      ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;
      ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
      ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;",
      ]
    `);
  });

  test('18: the NOT NULL constraint NOT VALID, then VALIDATE', async () => {
    expect(await lintView(R, SQL, { pgVersion: 18 })).toMatchInlineSnapshot(`
      [
        "1:20 warning SET NOT NULL on orders.customer_id scans all of orders under ACCESS EXCLUSIVE (blocks reads and writes) to check for NULLs
      Add the NOT NULL constraint NOT VALID (instant; new rows are checked from then on), then validate it in a separate transaction (it scans under SHARE UPDATE EXCLUSIVE, so reads and writes go on):
      ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null NOT NULL customer_id NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;",
      ]
    `);
  });

  test('11: says there is no way around the scan', async () => {
    expect(await lintView(R, SQL, { pgVersion: 11 })).toMatchInlineSnapshot(`
      [
        "1:20 warning SET NOT NULL on orders.customer_id scans all of orders under ACCESS EXCLUSIVE (blocks reads and writes) to check for NULLs
      Postgres 11 cannot skip the scan of SET NOT NULL (it does not use a CHECK constraint to prove the column has no NULLs), so it holds ACCESS EXCLUSIVE while it reads all of orders: run it when the table is quiet, with a short lock_timeout so that it gives up instead of making traffic queue behind it.
      SET lock_timeout = '2s';
      ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
      If the column's NOT NULL flag itself is not needed, a validated CHECK constraint enforces the same rule without the long lock (VALIDATE scans under SHARE UPDATE EXCLUSIVE):
      ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;",
      ]
    `);
  });

  test('18: ADD CONSTRAINT … NOT NULL without NOT VALID is flagged with its own name; before 18 it is a syntax error', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT orders_customer_nn NOT NULL customer_id;', { pgVersion: 18 });
    expect(f!.message).toBe('ADD CONSTRAINT orders_customer_nn NOT NULL customer_id without NOT VALID scans all of orders under ACCESS EXCLUSIVE (blocks reads and writes) to check for NULLs');
    expect(f!.fix).toContain('ALTER TABLE orders ADD CONSTRAINT orders_customer_nn NOT NULL customer_id NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_nn;');
    const [g] = await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT orders_customer_nn NOT NULL customer_id;', { pgVersion: 17 });
    expect(g!.severity).toBe('error');
    expect(g!.message).toContain('is Postgres 18 syntax');
  });

  test('quotes hostile names and keeps constraint names within 63 bytes', async () => {
    const long = `Customer${'x'.repeat(55)}`;
    const [f] = await findingsOf(R, `ALTER TABLE "Order Items" ALTER COLUMN "${long}" SET NOT NULL;`);
    expect(f!.message).toBe(`SET NOT NULL on "Order Items"."${long}" scans all of "Order Items" under ACCESS EXCLUSIVE (blocks reads and writes) to check for NULLs`);
    const name = /ADD CONSTRAINT "([^"]+)"/.exec(f!.fix!)![1]!;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name.endsWith('_not_null')).toBe(true);
    expect(f!.fix).toContain(`CHECK ("${long}" IS NOT NULL) NOT VALID;`);
  });

  test('a NOT VALID proof already there: validate it instead of adding another', async () => {
    const [f] = await findingsOf(R, `ALTER TABLE orders ADD CONSTRAINT orders_cid_nn CHECK (customer_id IS NOT NULL) NOT VALID;\n${SQL}`);
    expect(f!.fix).toContain('ALTER TABLE orders VALIDATE CONSTRAINT orders_cid_nn;');
    expect(f!.fix).not.toContain('ADD CONSTRAINT');
  });

  test('11 with a valid CHECK: still flagged (11 does not use it), and says the CHECK already does the job', async () => {
    const [f] = await later('CREATE TABLE orders (id bigint, customer_id bigint, CONSTRAINT orders_cid_nn CHECK (customer_id IS NOT NULL));', SQL, 11);
    expect(f!.message).toContain('Postgres 11 does not use the valid CHECK (customer_id IS NOT NULL)');
    expect(f!.fix).toContain('already keeps NULLs out');
  });

  test('leaves alone: a validated CHECK proof (same or earlier migration), new tables, columns already NOT NULL', async () => {
    expect(
      await findingsOf(
        R,
        `ALTER TABLE orders ADD CONSTRAINT orders_cid_nn CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_cid_nn;\n${SQL}`,
      ),
    ).toEqual([]);
    expect(await later('CREATE TABLE orders (id bigint, customer_id bigint CHECK (customer_id IS NOT NULL));', SQL)).toEqual([]);
    expect(await later('CREATE TABLE orders (id bigint, customer_id bigint NOT NULL);', SQL)).toEqual([]);
    expect(await findingsOf(R, `CREATE TABLE orders (id bigint, customer_id bigint);\n${SQL}`)).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT orders_cid_nn NOT NULL customer_id NOT VALID;', { pgVersion: 18 })).toEqual([]);
  });
});
