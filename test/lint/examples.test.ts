/** The bundled example the README's first command lints: the unsafe migrations are caught, the safe one is clean. */
import { expect, test } from 'vitest';
import { lintPaths } from '../../src/lint/lint.js';

test('examples/shop/migrations', async () => {
  const r = await lintPaths(['examples/shop/migrations']);
  expect(r.migrations).toBe(4);
  const by = (m: string, section = 'up') => [...new Set(r.findings.filter((f) => f.migration === m && f.section === section).map((f) => f.rule))].sort();
  expect(by('20261115143000_add_orders_created_at')).toEqual([
    'adding-volatile-default',
    'multiple-access-exclusive-in-transaction',
    'require-concurrent-index-creation',
    'require-lock-timeout',
    'require-statement-timeout',
  ]);
  expect(by('20261120101500_orders_shipping')).toEqual(
    expect.arrayContaining(['adding-foreign-key', 'backfill-in-migration', 'prefer-timestamptz', 'setting-not-null']),
  );
  expect(by('20261126120000_orders_paid_at_safely')).toEqual([]);
  expect(by('20261126120000_orders_paid_at_safely', 'down')).toEqual([]);
  // the down of the migration that added created_at drops it: that rollback is not a finding of its own
  expect(by('20261115143000_add_orders_created_at', 'down')).not.toContain('dropping-column');
  expect(r.findings.every((f) => f.severity !== 'error')).toBe(true); // so the README command exits 0
});

test('examples/mysql/migrations: recognized as MySQL, the unsafe changes caught, the safe one clean', async () => {
  const r = await lintPaths(['examples/mysql/migrations']);
  expect(r.dialect).toBe('mysql');
  expect(r.server).toEqual({ flavor: 'mysql', major: 8, minor: 0, patch: 40 });
  expect(r.migrations).toBe(8);
  const by = (m: string, section = 'up') => [...new Set(r.findings.filter((f) => f.migration === m && f.section === section).map((f) => f.rule))].sort();
  expect(by('000001_create_customers')).toEqual([]);
  expect(by('000002_create_orders')).toEqual([]);
  expect(by('000003_orders_coupon')).toEqual(['multiple-ddl-in-migration', 'require-lock-wait-timeout']);
  expect(by('000004_orders_amount_precision')).toEqual(['changing-column-type']);
  expect(by('000005_orders_status_refunded')).toEqual(['enum-reorder']);
  expect(by('000006_orders_customer_fk')).toEqual(['adding-foreign-key']);
  expect(by('000007_customers_name_longer')).toEqual(['varchar-length-prefix']);
  expect(by('000008_orders_shipped_at_safely')).toEqual([]);
  expect(by('000008_orders_shipped_at_safely', 'down')).toEqual([]);
  expect(r.findings.every((f) => f.severity !== 'error')).toBe(true);
});

test('examples/mysql/migrations as MariaDB 10.11: the same changes caught, in MariaDB terms', async () => {
  const r = await lintPaths(['examples/mysql/migrations'], { dialect: 'mariadb', serverVersion: '10.11', records: true });
  expect(r.server).toEqual({ flavor: 'mariadb', major: 10, minor: 11 });
  const rules = new Set(r.findings.filter((f) => f.section === 'up').map((f) => f.rule));
  for (const id of ['multiple-ddl-in-migration', 'require-lock-wait-timeout', 'changing-column-type', 'enum-reorder', 'adding-foreign-key', 'varchar-length-prefix']) expect(rules, id).toContain(id);
  // lint's statements carry the server's own algorithm and lock words
  const fk = r.records!.find((s) => s.migration === '000006_orders_customer_fk' && s.section === 'up' && s.kind === 'alter-table')!;
  expect(fk.effects).toMatchObject({ algorithm: 'copy', lock: 'shared', rewrite: true, blocksWrites: true, entries: ['add-foreign-key'] });
  const safe = r.records!.find((s) => s.migration === '000008_orders_shipped_at_safely' && s.section === 'up' && s.kind === 'alter-table')!;
  expect(safe.effects).toMatchObject({ algorithm: 'instant', lock: 'none', rewrite: false, blocksWrites: false, proven: true });
});
