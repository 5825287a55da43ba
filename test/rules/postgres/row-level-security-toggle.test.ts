import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'row-level-security-toggle';

describe(R, () => {
  test('ENABLE without a policy in the migration', async () => {
    expect(await lintView(R, 'ALTER TABLE orders ENABLE ROW LEVEL SECURITY;')).toMatchInlineSnapshot(`
      [
        "1:13 warning ENABLE ROW LEVEL SECURITY on orders: unless policies exist for it, every role but the owner sees no rows and cannot write any, the moment it commits
      Create the policies before enabling it, in the same transaction, so no query runs in between without them (lockstep does not track policies: if they already exist, this does not apply):
      BEGIN;
      CREATE POLICY orders_policy ON orders USING (<which rows may be seen>);
      ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
      COMMIT;",
      ]
    `);
  });

  test('DISABLE: everyone sees every row', async () => {
    expect(await lintView(R, 'ALTER TABLE shop."Order Items" DISABLE ROW LEVEL SECURITY;')).toMatchInlineSnapshot(`
      [
        "1:13 warning DISABLE ROW LEVEL SECURITY on shop."Order Items": its policies stop applying, and every role with privileges on the table sees and changes every row
      Make sure that is intended. To let one role bypass the policies, give it BYPASSRLS (ALTER ROLE <role> BYPASSRLS;) or a policy of its own (CREATE POLICY … ON shop."Order Items" TO <role> USING (true);) instead of turning them off for everyone.",
      ]
    `);
  });

  test('FORCE and NO FORCE', async () => {
    const f = await findingsOf(R, 'ALTER TABLE orders FORCE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;', { transaction: 'wrapped' });
    expect(f.map((x) => x.message)).toEqual([
      'FORCE ROW LEVEL SECURITY on orders: the policies apply to its owner too; unless they let the owner through, the owner (often the application’s role) sees no rows',
      'NO FORCE ROW LEVEL SECURITY on orders: its owner bypasses the policies again and sees every row',
    ]);
    expect(f[0]!.fix).toContain('CREATE POLICY orders_policy ON orders TO <owner role>');
    expect(f[0]!.fix).not.toContain('BEGIN;');
  });

  test('leaves alone: a policy created earlier in the migration, a table created in it', async () => {
    expect(await findingsOf(R, 'CREATE POLICY orders_by_tenant ON orders USING (true); ALTER TABLE orders ENABLE ROW LEVEL SECURITY;')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE notes (id bigint); ALTER TABLE notes ENABLE ROW LEVEL SECURITY;')).toEqual([]);
    // a policy on another table does not count
    expect(await findingsOf(R, 'CREATE POLICY p ON invoices USING (true); ALTER TABLE orders ENABLE ROW LEVEL SECURITY;')).toHaveLength(1);
  });
});
