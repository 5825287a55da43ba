import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'adding-constrained-domain-column';

describe(R, () => {
  test('flags a column of a CHECK domain, with the base type and the domain condition as a table CHECK', async () => {
    expect(await lintView(R, 'CREATE DOMAIN positive_cents AS bigint CHECK (VALUE > 0);\nALTER TABLE orders ADD COLUMN discount_cents positive_cents;')).toMatchInlineSnapshot(`
      [
        "2:31 warning ADD COLUMN discount_cents of domain positive_cents, which has constraints, rewrites orders and its indexes under ACCESS EXCLUSIVE (blocks reads and writes) to check them against every row
      Add the column with the domain's base type and enforce the same rule with a table CHECK added NOT VALID, then validated (which scans without blocking reads or writes); run each statement as its own transaction:
      ALTER TABLE orders ADD COLUMN discount_cents bigint;
      ALTER TABLE orders ADD CONSTRAINT orders_discount_cents_check CHECK (discount_cents > 0) NOT VALID;
      ALTER TABLE orders VALIDATE CONSTRAINT orders_discount_cents_check;",
      ]
    `);
  });

  test('a NOT NULL domain with a constant default keeps the cheap NOT NULL DEFAULT; hostile names are quoted', async () => {
    const [f] = await findingsOf(R, 'CREATE DOMAIN app.cents AS numeric(12, 2) CONSTRAINT nonneg CHECK (VALUE >= 0) NOT NULL;\nALTER TABLE "Order Items" ADD COLUMN "Price" app.cents DEFAULT 0;');
    expect(f!.message).toBe('ADD COLUMN "Price" of domain app.cents, which has constraints, rewrites "Order Items" and its indexes under ACCESS EXCLUSIVE (blocks reads and writes) to check them against every row');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD COLUMN "Price" numeric(12, 2) DEFAULT 0 NOT NULL;');
    expect(f!.fix).toContain('ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_Price_check" CHECK ("Price" >= 0) NOT VALID;');
  });

  test('a NOT NULL domain without a default fails on rows: error, with a backfill in the recipe', async () => {
    const [f] = await findingsOf(R, 'CREATE DOMAIN code AS text NOT NULL;\nALTER TABLE orders ADD COLUMN promo code;', { pgVersion: 18 });
    expect(f!.severity).toBe('error');
    expect(f!.message).toBe('ADD COLUMN promo of NOT NULL domain code without a default fails as soon as orders has a row: every existing row would get NULL');
    expect(f!.fix).toContain('UPDATE orders SET promo = <value>');
    expect(f!.fix).toContain('ALTER TABLE orders ADD CONSTRAINT orders_promo_not_null NOT NULL promo NOT VALID;');
  });

  test('a domain defined in an earlier migration: placeholders for what lockstep has not seen', async () => {
    const { lintMigrations } = await import('../../../src/lint/lint.js');
    const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
    const ms = [mk('001', 'CREATE DOMAIN positive_cents AS bigint CHECK (VALUE > 0);'), mk('002', 'ALTER TABLE orders ADD COLUMN discount_cents positive_cents;')];
    const [f] = (await lintMigrations(ms, ms.map((m) => m.up.file), { only: [R] })).findings;
    expect(f!.fix).toContain('ALTER TABLE orders ADD COLUMN discount_cents <base type of positive_cents>;');
    expect(f!.fix).toContain('CHECK (<the CHECK condition of positive_cents, with VALUE replaced by discount_cents>) NOT VALID');
  });

  test('leaves alone: new tables, domains without constraints, domains lockstep does not know', async () => {
    expect(await findingsOf(R, 'CREATE DOMAIN positive_cents AS bigint CHECK (VALUE > 0);\nCREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN amount positive_cents;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE DOMAIN label AS text;\nALTER TABLE orders ADD COLUMN tag label;')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN tag some_type;')).toEqual([]);
  });
});
