import { describe, expect, test } from 'vitest';
import { findingsOf, lintView } from './helpers.js';

const R = 'concurrent-index-corruption-bug';

describe(R, () => {
  test('CREATE INDEX CONCURRENTLY on 14.2', async () => {
    expect(await lintView(R, 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);', { pgVersion: '14.2' })).toMatchInlineSnapshot(`
      [
        "1:1 error CREATE INDEX CONCURRENTLY orders_created_at_idx on orders: on PostgreSQL 14.2 (a bug in 14.0–14.3) the build can leave out rows that are updated while it runs, and the index then silently returns wrong results
      Upgrade the server to 14.4 or later (a minor update: no dump/restore) before running it, or build it without CONCURRENTLY (not affected, but it blocks writes while it builds).
      After upgrading, rebuild every index that was built or reindexed CONCURRENTLY on 14.0–14.3 (\`pg_amcheck --heapallindexed\` finds damaged B-tree indexes), e.g.:
      REINDEX INDEX CONCURRENTLY orders_created_at_idx;",
      ]
    `);
  });

  test('REINDEX … CONCURRENTLY on 14.0 and 14.3; quoted names', async () => {
    expect(await findingsOf(R, 'REINDEX TABLE CONCURRENTLY "Order Items";', { pgVersion: '14.0' })).toHaveLength(1);
    const [f] = await findingsOf(R, 'CREATE UNIQUE INDEX CONCURRENTLY "Sku key" ON app."Order Items" (sku);', { pgVersion: '14.3' });
    expect(f!.message).toMatch(/^CREATE INDEX CONCURRENTLY "Sku key" on app\."Order Items": on PostgreSQL 14\.3 \(/);
    expect(f!.fix).toContain('REINDEX INDEX CONCURRENTLY app."Sku key";');
  });

  test('leaves alone: 14.4+, other majors, a plain 14 (minor unknown), builds without CONCURRENTLY', async () => {
    const sql = 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);';
    expect(await findingsOf(R, sql, { pgVersion: '14.4' })).toEqual([]);
    expect(await findingsOf(R, sql, { pgVersion: '15' })).toEqual([]);
    expect(await findingsOf(R, sql, { pgVersion: '13.2' })).toEqual([]);
    expect(await findingsOf(R, sql, { pgVersion: 14 })).toEqual([]);
    expect(await findingsOf(R, 'CREATE INDEX orders_created_at_idx ON orders (created_at);\nREINDEX INDEX orders_pkey;', { pgVersion: '14.2' })).toEqual([]);
  });
});
