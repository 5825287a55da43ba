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
