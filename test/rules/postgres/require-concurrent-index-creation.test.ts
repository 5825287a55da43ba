import { describe, expect, test } from 'vitest';
import { lintView, findingsOf } from './helpers.js';

const R = 'require-concurrent-index-creation';

describe(R, () => {
  test('flags a plain CREATE INDEX with the concurrent form of the same statement', async () => {
    expect(await lintView(R, 'CREATE UNIQUE INDEX orders_ref_idx ON orders (ref) WHERE deleted_at IS NULL;')).toMatchInlineSnapshot(`
      [
        "1:1 warning CREATE INDEX on orders holds SHARE (blocks writes) until the whole index is built
      Build it without blocking writes:
      CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON orders (ref) WHERE deleted_at IS NULL;
      If the build fails it leaves an INVALID index: drop it (DROP INDEX CONCURRENTLY) before trying again.",
      ]
    `);
  });

  test('in a runner transaction it says how to get out of it, per layout', async () => {
    const [f] = await findingsOf(R, 'CREATE INDEX orders_created_at_idx ON orders (created_at);', { transaction: 'wrapped', layout: 'dbmate' });
    expect(f!.fix).toContain('-- migrate:up transaction:false');
  });

  test('partitioned parent: the ON ONLY + per-partition CONCURRENTLY + ATTACH recipe with the real partitions', async () => {
    const sql = `CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
-- new migration statements on the (now existing) table are judged below`;
    // tables created in the same migration are exempt, so lint the index in a separate file
    const { lintMigrations } = await import('../../../src/lint/lint.js');
    const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
    const m1 = mk('001', sql);
    const m2 = mk('002', 'CREATE INDEX events_at_idx ON events (at);');
    const r = await lintMigrations([m1, m2], [m1.up.file, m2.up.file], { only: [R] });
    expect(r.findings.map((f) => `${f.file}: ${f.message}\n${f.fix}`)).toMatchInlineSnapshot(`
      [
        "002.sql: CREATE INDEX on partitioned table events locks it and every partition with SHARE (blocks writes) while all of them are indexed
      Create the parent index ON ONLY (instant, invalid until every partition has one), build each partition’s index CONCURRENTLY, and attach it:
      CREATE INDEX events_at_idx ON ONLY events (at);
      CREATE INDEX CONCURRENTLY events_at_idx_events_2026 ON events_2026 (at);
      ALTER INDEX events_at_idx ATTACH PARTITION events_at_idx_events_2026;
      CREATE INDEX CONCURRENTLY events_at_idx_events_2027 ON events_2027 (at);
      ALTER INDEX events_at_idx ATTACH PARTITION events_at_idx_events_2027;",
      ]
    `);
  });

  test('leaves alone: CONCURRENTLY, a table created in the same migration, ON ONLY', async () => {
    expect(await findingsOf(R, 'CREATE INDEX CONCURRENTLY i ON orders (a);')).toEqual([]);
    expect(await findingsOf(R, 'CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);')).toEqual([]);
    expect(await findingsOf(R, 'CREATE INDEX p_a ON ONLY p (a);')).toEqual([]);
  });
});
