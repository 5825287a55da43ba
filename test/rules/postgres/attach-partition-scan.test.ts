import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';
import { lintMigrations } from '../../../src/lint/lint.js';

const R = 'attach-partition-scan';

const orders = `CREATE TABLE orders (id bigint, created_at date) PARTITION BY RANGE (created_at);
CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE orders_2026 (id bigint, created_at date);`;
const attach = "ALTER TABLE orders ATTACH PARTITION orders_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');";

describe(R, () => {
  test('12+: the scan of the new partition, with the CHECK recipe (key unknown without the CREATE TABLE)', async () => {
    const catalog = await catalogFrom(orders);
    expect(await lintView(R, attach, { catalog })).toMatchInlineSnapshot(`
      [
        "1:37 warning ATTACH PARTITION orders_2026 scans every row of orders_2026 (to check it fits the bound) while holding ACCESS EXCLUSIVE (blocks reads and writes) on orders_2026
      Prove the bound with a CHECK constraint first, on orders_2026 while it is not attached (NOT VALID is instant; VALIDATE scans without blocking reads or writes), so ATTACH only checks the catalog:
      ALTER TABLE orders_2026 ADD CONSTRAINT orders_2026_bound CHECK (<partition key> IS NOT NULL AND <partition key> >= '2026-01-01' AND <partition key> < '2027-01-01') NOT VALID;
      ALTER TABLE orders_2026 VALIDATE CONSTRAINT orders_2026_bound;
      ALTER TABLE orders ATTACH PARTITION orders_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
      ALTER TABLE orders_2026 DROP CONSTRAINT orders_2026_bound;  -- redundant once attached
      (lockstep does not know the partition key of orders: put its column in place of <partition key>.)",
      ]
    `);
  });

  test('a DEFAULT partition: its scan too, and a CHECK that excludes the bound', async () => {
    const sql = `${orders}\nCREATE TABLE orders_default PARTITION OF orders DEFAULT;`;
    const catalog = await catalogFrom(sql);
    expect(await lintView(R, attach, { catalog })).toMatchInlineSnapshot(`
      [
        "1:37 warning ATTACH PARTITION orders_2026 scans every row of orders_2026 (to check it fits the bound) and the DEFAULT partition orders_default (for rows that belong in the new partition) while holding ACCESS EXCLUSIVE (blocks reads and writes) on orders_2026 and orders_default (queries on orders that reach orders_default wait)
      Prove the bound with CHECK constraints first, on orders_2026 while it is not attached and on the DEFAULT partition orders_default (NOT VALID is instant; VALIDATE scans without blocking reads or writes), so ATTACH only checks the catalog:
      ALTER TABLE orders_2026 ADD CONSTRAINT orders_2026_bound CHECK (<partition key> IS NOT NULL AND <partition key> >= '2026-01-01' AND <partition key> < '2027-01-01') NOT VALID;
      ALTER TABLE orders_2026 VALIDATE CONSTRAINT orders_2026_bound;
      ALTER TABLE orders_default ADD CONSTRAINT orders_default_not_orders_2026 CHECK (NOT (<partition key> IS NOT NULL AND <partition key> >= '2026-01-01' AND <partition key> < '2027-01-01')) NOT VALID;
      ALTER TABLE orders_default VALIDATE CONSTRAINT orders_default_not_orders_2026;
      ALTER TABLE orders ATTACH PARTITION orders_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
      ALTER TABLE orders_2026 DROP CONSTRAINT orders_2026_bound;  -- redundant once attached
      ALTER TABLE orders_default DROP CONSTRAINT orders_default_not_orders_2026;  -- optional: redundant once attached
      (lockstep does not know the partition key of orders: put its column in place of <partition key>.)",
      ]
    `);
  });

  test('11: ACCESS EXCLUSIVE on the parent for the whole scan', async () => {
    const catalog = await catalogFrom(orders);
    const [f] = await findingsOf(R, attach, { catalog, pgVersion: 11 });
    expect(f!.message).toBe('ATTACH PARTITION orders_2026 holds ACCESS EXCLUSIVE (blocks reads and writes) on orders while it scans every row of orders_2026 (to check it fits the bound)');
  });

  test('list, NULL, multi-column range with MINVALUE, and hash bounds', async () => {
    const [l] = await findingsOf(R, "ALTER TABLE customers ATTACH PARTITION customers_eu FOR VALUES IN ('de', 'fr', NULL);");
    expect(l!.fix).toContain("CHECK (<partition key> IS NULL OR <partition key> IN ('de', 'fr')) NOT VALID;");
    const [r] = await findingsOf(R, 'ALTER TABLE readings ATTACH PARTITION readings_a FOR VALUES FROM (MINVALUE, MINVALUE) TO (10, 5);');
    expect(r!.fix).toContain(
      'CHECK (<partition key 1> IS NOT NULL AND <partition key 2> IS NOT NULL AND (<partition key 1> < 10 OR (<partition key 1> = 10 AND <partition key 2> < 5))) NOT VALID;',
    );
    expect(r!.fix).toContain('put its columns in place of <partition key 1>, <partition key 2>');
    const [h] = await findingsOf(R, 'ALTER TABLE shop."Order Items" ATTACH PARTITION shop."Order Items 0" FOR VALUES WITH (MODULUS 4, REMAINDER 0);');
    expect(h!.fix).toContain(`CHECK (satisfies_hash_partition('shop."Order Items"'::regclass, 4, 0, <partition key>)) NOT VALID;`);
  });

  test('a new partition is not scanned worth mentioning, but the DEFAULT partition still is', async () => {
    const catalog = await catalogFrom(`${orders.split('\n').slice(0, 2).join('\n')}\nCREATE TABLE orders_default PARTITION OF orders DEFAULT;`);
    const [f] = await findingsOf(R, `CREATE TABLE orders_2026 (id bigint, created_at date);\n${attach}`, { catalog });
    expect(f!.message).toBe(
      'ATTACH PARTITION orders_2026 scans the DEFAULT partition orders_default (for rows that belong in the new partition) while holding ACCESS EXCLUSIVE (blocks reads and writes) on orders_default (queries on orders that reach orders_default wait)',
    );
    expect(f!.fix).not.toContain('orders_2026_bound');
    expect(f!.fix).toContain('ALTER TABLE orders_default VALIDATE CONSTRAINT orders_default_not_orders_2026;');
  });

  test('leaves alone: a valid CHECK on the partition (assumed to match), a new parent, a new partition without DEFAULT', async () => {
    const checked = await catalogFrom(`${orders}\nALTER TABLE orders_2026 ADD CONSTRAINT orders_2026_bound CHECK (created_at >= '2026-01-01' AND created_at < '2027-01-01');`);
    expect(await findingsOf(R, attach, { catalog: checked })).toEqual([]);
    const catalog = await catalogFrom(orders.split('\n').slice(0, 2).join('\n'));
    expect(await findingsOf(R, `CREATE TABLE orders_2026 (id bigint, created_at date);\n${attach}`, { catalog })).toEqual([]);
    // NOT VALID is not proof
    const notValid = await catalogFrom(`${orders}\nALTER TABLE orders_2026 ADD CONSTRAINT orders_2026_bound CHECK (created_at >= '2026-01-01') NOT VALID;`);
    expect(await findingsOf(R, attach, { catalog: notValid })).toHaveLength(1);
  });

  test('with the parent created in an earlier migration, the key is still a placeholder (the catalog does not keep it)', async () => {
    const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
    const m1 = mk('001', orders);
    const m2 = mk('002', attach);
    const r = await lintMigrations([m1, m2], [m1.up.file, m2.up.file], { only: [R] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.fix).toContain('<partition key>');
  });
});

describe(`${R}: CHECK constraints added in the same migration`, () => {
  test('ADD … NOT VALID then VALIDATE counts; NOT VALID alone or a dropped one does not', async () => {
    const add = "ALTER TABLE orders_2026 ADD CONSTRAINT b CHECK (created_at >= '2026-01-01') NOT VALID;";
    expect(await findingsOf(R, `${add}\nALTER TABLE orders_2026 VALIDATE CONSTRAINT b;\n${attach}`)).toEqual([]);
    expect(await findingsOf(R, `${add}\n${attach}`)).toHaveLength(1);
    expect(await findingsOf(R, `${add}\nALTER TABLE orders_2026 VALIDATE CONSTRAINT b;\nALTER TABLE orders_2026 DROP CONSTRAINT b;\n${attach}`)).toHaveLength(1);
  });
});
