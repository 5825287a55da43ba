import { describe, expect, test } from 'vitest';
import { findingsOf } from './helpers.js';

const R = 'unsupported-in-version';
const msgs = async (sql: string, pgVersion: number) => (await findingsOf(R, sql, { pgVersion })).map((f) => f.message);

describe(R, () => {
  test('statements newer than the target version', async () => {
    expect(await msgs('REINDEX INDEX CONCURRENTLY orders_pkey;', 11)).toEqual(['REINDEX … CONCURRENTLY needs PostgreSQL 12 or later: PostgreSQL 11 rejects it']);
    expect(await msgs('REINDEX INDEX CONCURRENTLY orders_pkey;', 12)).toEqual([]);
    expect(await msgs('ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;', 13)).toHaveLength(1);
    expect(await msgs('ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;', 14)).toEqual([]);
    expect(await msgs('ALTER TABLE o ADD COLUMN g int GENERATED ALWAYS AS (a * 2);', 17)).toEqual([expect.stringContaining('VIRTUAL needs PostgreSQL 18')]);
    expect(await msgs('ALTER TABLE o ADD COLUMN g int GENERATED ALWAYS AS (a * 2);', 18)).toEqual([]);
    expect(await msgs('ALTER TABLE o ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED;', 11)).toHaveLength(1);
    expect(await msgs('ALTER TABLE o ALTER COLUMN c SET COMPRESSION lz4;', 13)).toHaveLength(1);
    expect(await msgs('ALTER TABLE o ALTER COLUMN g SET EXPRESSION AS (a * 3);', 16)).toHaveLength(1);
    expect(await msgs('ALTER TABLE o ADD CONSTRAINT o_a_nn NOT NULL a NOT VALID;', 17)).toHaveLength(1);
  });

  test('statements that fail on a partitioned table', async () => {
    const parts = 'CREATE TABLE ev (id bigint, k int) PARTITION BY RANGE (k);\n';
    // the table must exist before this migration for the statement to be judged as on an existing table; the failure is the same for a new one
    expect(await msgs(parts + 'CREATE INDEX CONCURRENTLY ev_k ON ev (k);', 18)).toEqual(['CREATE INDEX CONCURRENTLY fails on partitioned table ev: Postgres cannot build a partitioned index concurrently']);
    expect(await msgs(parts + 'ALTER TABLE ev ADD CONSTRAINT ev_fk FOREIGN KEY (id) REFERENCES r (id) NOT VALID;', 17)).toHaveLength(1);
    expect(await msgs(parts + 'ALTER TABLE ev ADD CONSTRAINT ev_fk FOREIGN KEY (id) REFERENCES r (id) NOT VALID;', 18)).toEqual([]);
    expect(await msgs('CREATE INDEX CONCURRENTLY o_k ON orders (k);', 18)).toEqual([]);
  });
});
