import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'index-too-many-columns';

describe(R, () => {
  test('four key columns: the trailing one moves to INCLUDE, the rest of the statement kept', async () => {
    const sql = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_lookup_idx ON orders USING btree (customer_id, status, created_at DESC, total) WHERE deleted_at IS NULL;';
    expect(await lintView(R, sql)).toMatchInlineSnapshot(`
      [
        "1:62 info CREATE INDEX orders_lookup_idx on orders has 4 key columns (customer_id, status, created_at DESC, total): a B-tree index helps mostly queries that filter on its leading columns, so the trailing ones make it bigger and slower to maintain for little use
      Keep the columns that queries filter on, equality columns first (three or fewer usually suffice), and check with EXPLAIN that the queries you built it for use it. Columns that are only read back can go to INCLUDE, which keeps them out of the search key but still allows index-only scans:
      CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_lookup_idx ON orders USING btree (customer_id, status, created_at DESC) INCLUDE (total) WHERE deleted_at IS NULL;",
      ]
    `);
  });

  test('an existing INCLUDE list gets the moved columns; quoted names survive', async () => {
    const [f] = await findingsOf(R, 'CREATE INDEX "Lookup" ON shop."Order Items" ("Order Id", sku, "Warehouse", qty, price) INCLUDE (note);');
    expect(f!.message).toMatch(/^CREATE INDEX "Lookup" on shop."Order Items" has 5 key columns \("Order Id", sku, "Warehouse", qty, price\)/);
    expect(f!.fix).toContain('CREATE INDEX "Lookup" ON shop."Order Items" ("Order Id", sku, "Warehouse") INCLUDE (qty, price, note);');
  });

  test('trailing expressions or sort orders cannot go to INCLUDE: advice without SQL', async () => {
    const [f] = await findingsOf(R, 'CREATE INDEX orders_idx ON orders (customer_id, status, created_at, lower(email));');
    expect(f!.fix).toContain('INCLUDE takes plain columns only');
    expect(f!.fix).not.toContain('CREATE INDEX');
    const [g] = await findingsOf(R, 'CREATE INDEX orders_idx ON orders (a, b, c, d DESC);');
    expect(g!.fix).not.toContain('CREATE INDEX');
  });

  test('it is opt-in: off unless enabled', async () => {
    const { lintSql } = await import('../../../src/lint/lint.js');
    const r = await lintSql('CREATE INDEX i ON orders (a, b, c, d);');
    expect(r.findings.filter((f) => f.rule === R)).toEqual([]);
  });

  test('leaves alone: three columns, INCLUDE columns, unique indexes, other index types', async () => {
    const sql = [
      'CREATE INDEX i1 ON orders (customer_id, status, created_at);',
      'CREATE INDEX i2 ON orders (customer_id, status, created_at) INCLUDE (total, currency);',
      'CREATE UNIQUE INDEX i3 ON order_lines (order_id, product_id, variant_id, warehouse_id);',
      'CREATE INDEX i4 ON documents USING gin (title, body, tags, author);',
      'CREATE INDEX i5 ON events USING brin (a, b, c, d);',
    ].join('\n');
    expect(await findingsOf(R, sql)).toEqual([]);
  });
});
