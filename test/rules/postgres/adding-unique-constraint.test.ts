import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'adding-unique-constraint';

async function later(first: string, second: string, pgVersion = 15) {
  const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
  const ms = [mk('001', first), mk('002', second)];
  return (await lintMigrations(ms, ms.map((m) => m.up.file), { only: [R], pgVersion })).findings;
}

describe(R, () => {
  test('flags ADD CONSTRAINT … UNIQUE: build the index CONCURRENTLY, then USING INDEX', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE (number);')).toMatchInlineSnapshot(`
      [
        "1:24 warning ADD CONSTRAINT orders_number_key UNIQUE (number) builds its unique index on orders under ACCESS EXCLUSIVE (blocks reads and writes)
      Build the unique index CONCURRENTLY (writes go on), then attach it as the constraint, which only changes the catalog. Run each statement as its own transaction:
      CREATE UNIQUE INDEX CONCURRENTLY orders_number_key ON orders (number);
      ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_key;
      If a CONCURRENTLY build fails (e.g. on a duplicate) it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY before trying again.
      USING INDEX takes a plain unique B-tree index; uniqueness over an expression or over only some rows (WHERE …) has no constraint form: there the unique index built CONCURRENTLY is the whole solution.",
      ]
    `);
  });

  test('PRIMARY KEY: the key columns become NOT NULL first (per version), unless lockstep knows they are', async () => {
    expect(await lintView(R, 'ALTER TABLE "Order Items" ADD PRIMARY KEY (id);', { pgVersion: 18 })).toMatchInlineSnapshot(`
      [
        "1:31 warning ADD CONSTRAINT "Order Items_pkey" PRIMARY KEY (id) builds its unique index on "Order Items" under ACCESS EXCLUSIVE (blocks reads and writes)
      Build the unique index CONCURRENTLY (writes go on), then attach it as the constraint, which only changes the catalog. PRIMARY KEY USING INDEX sets its columns NOT NULL, scanning "Order Items" under ACCESS EXCLUSIVE unless they already are: make id NOT NULL first, without a long lock. Run each statement as its own transaction:
      ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_id_not_null" NOT NULL id NOT VALID;
      ALTER TABLE "Order Items" VALIDATE CONSTRAINT "Order Items_id_not_null";
      CREATE UNIQUE INDEX CONCURRENTLY "Order Items_pkey" ON "Order Items" (id);
      ALTER TABLE "Order Items" ADD CONSTRAINT "Order Items_pkey" PRIMARY KEY USING INDEX "Order Items_pkey";
      If a CONCURRENTLY build fails (e.g. on a duplicate) it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY before trying again.
      USING INDEX takes a plain unique B-tree index; uniqueness over an expression or over only some rows (WHERE …) has no constraint form: there the unique index built CONCURRENTLY is the whole solution.",
      ]
    `);
    const [f] = await later('CREATE TABLE orders (id bigint NOT NULL, number text);', 'ALTER TABLE orders ADD PRIMARY KEY (id);');
    expect(f!.fix).not.toContain('SET NOT NULL');
    expect(f!.fix).toContain('ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey;');
  });

  test('keeps INCLUDE, NULLS NOT DISTINCT and DEFERRABLE; in a runner transaction says how to get out of it', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE NULLS NOT DISTINCT (shop_id, ref) INCLUDE (id) DEFERRABLE INITIALLY DEFERRED;', { transaction: 'wrapped', layout: 'dbmate' });
    expect(f!.fix).toContain('CREATE UNIQUE INDEX CONCURRENTLY orders_ref ON orders (shop_id, ref) INCLUDE (id) NULLS NOT DISTINCT;');
    expect(f!.fix).toContain('ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE USING INDEX orders_ref DEFERRABLE INITIALLY DEFERRED;');
    expect(f!.fix).toContain('-- migrate:up transaction:false');
  });

  test('ADD COLUMN … UNIQUE: the column, then the index and the constraint', async () => {
    const [f] = await findingsOf(R, 'ALTER TABLE orders ADD COLUMN "Public Ref" text UNIQUE;');
    expect(f!.message).toBe('ADD COLUMN "Public Ref" UNIQUE builds its unique index on orders under ACCESS EXCLUSIVE (blocks reads and writes)');
    expect(f!.fix).toContain('ALTER TABLE orders ADD COLUMN "Public Ref" text;\nCREATE UNIQUE INDEX CONCURRENTLY "orders_Public Ref_key" ON orders ("Public Ref");');
  });

  test('a partitioned table: per-partition index + constraint, then the parent adopts them', async () => {
    const [f] = await later(
      'CREATE TABLE events (id bigint, k int) PARTITION BY RANGE (k);\nCREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (10);',
      'ALTER TABLE events ADD CONSTRAINT events_id_k_key UNIQUE (id, k);',
    );
    expect(f!.fix).toContain('A partitioned table has no USING INDEX form');
    expect(f!.fix).toContain('CREATE UNIQUE INDEX CONCURRENTLY events_1_id_k_key ON events_1 (id, k);\nALTER TABLE events_1 ADD CONSTRAINT events_1_id_k_key UNIQUE USING INDEX events_1_id_k_key;');
    expect(f!.fix).toContain('ALTER TABLE events ADD CONSTRAINT events_id_k_key UNIQUE (id, k);');
  });

  test('leaves alone: USING INDEX, new tables, plain columns', async () => {
    expect(await findingsOf(R, 'ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_key;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE refunds (id bigint, ref text);\nALTER TABLE refunds ADD PRIMARY KEY (id), ADD UNIQUE (ref);')).toEqual([]);
    expect(await findingsOf(R, 'ALTER TABLE orders ADD COLUMN ref text;')).toEqual([]);
  });
});
