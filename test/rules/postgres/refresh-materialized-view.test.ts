import { describe, expect, test } from 'vitest';
import { lintView, findingsOf, catalogFrom } from './helpers.js';

const R = 'refresh-materialized-view';

const view = 'CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) AS total FROM orders GROUP BY customer_id;';

describe(R, () => {
  test('the view has a unique index: just CONCURRENTLY', async () => {
    const catalog = await catalogFrom(`${view} CREATE UNIQUE INDEX order_totals_customer_id_key ON order_totals (customer_id);`);
    expect(await lintView(R, 'REFRESH MATERIALIZED VIEW order_totals;', { catalog })).toMatchInlineSnapshot(`
      [
        "1:27 warning REFRESH MATERIALIZED VIEW order_totals holds ACCESS EXCLUSIVE (blocks reads and writes) on order_totals while the whole query reruns: every read of order_totals waits until it is done
      Refresh it CONCURRENTLY: it takes EXCLUSIVE (blocks writes), so reads go on.
      It uses a unique index of the view to match rows (order_totals has order_totals_customer_id_key):
      REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;",
      ]
    `);
  });

  test('the catalog shows no unique index: create one first', async () => {
    const catalog = await catalogFrom(`${view} CREATE INDEX order_totals_total_idx ON order_totals (total);`);
    expect(await lintView(R, 'REFRESH MATERIALIZED VIEW order_totals;', { catalog, transaction: 'wrapped' })).toMatchInlineSnapshot(`
      [
        "1:27 warning REFRESH MATERIALIZED VIEW order_totals holds ACCESS EXCLUSIVE (blocks reads and writes) on order_totals while the whole query reruns: every read of order_totals waits until it is done
      Refresh it CONCURRENTLY: it takes EXCLUSIVE (blocks writes), so reads go on.
      That needs a unique index on the view covering every row (plain columns, no WHERE), and order_totals has none: create one first:
      CREATE UNIQUE INDEX CONCURRENTLY order_totals_key ON order_totals (<columns that identify a row>);
      (CREATE INDEX CONCURRENTLY cannot run inside a transaction block. Run it outside any transaction block, as a statement of its own.)
      REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;",
      ]
    `);
  });

  test('unknown view: the index requirement is conditional; quoted names', async () => {
    const [f] = await findingsOf(R, 'REFRESH MATERIALIZED VIEW shop."Order Totals";');
    expect(f!.fix).toContain('if shop."Order Totals" has none, create one first');
    expect(f!.fix).toContain('CREATE UNIQUE INDEX CONCURRENTLY "Order Totals_key" ON shop."Order Totals" (<columns that identify a row>);');
    expect(f!.fix).toContain('REFRESH MATERIALIZED VIEW CONCURRENTLY shop."Order Totals";');
  });

  test('WITH NO DATA on an existing view: queries fail until the next refresh', async () => {
    const [f] = await findingsOf(R, 'REFRESH MATERIALIZED VIEW order_totals WITH NO DATA;');
    expect(f!.message).toContain('every query on it fails');
  });

  test('leaves alone: CONCURRENTLY, a view created in the same migration (even WITH NO DATA)', async () => {
    expect(await findingsOf(R, 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;')).toEqual([]);
    expect(await findingsOf(R, `CREATE MATERIALIZED VIEW daily AS SELECT 1 AS x WITH NO DATA; REFRESH MATERIALIZED VIEW daily;`)).toEqual([]);
  });
});
