/**
 * docs/schema/snapshot.v1.json and verify-result.v1.json describe what lockstep writes: a real
 * PostgreSQL 15 snapshot, an older snapshot file (no `dialect`, as written before MySQL support) and
 * the sample verify results validate; a snapshot missing what verify reads does not. (The MySQL and
 * MariaDB side is validated in test/integration/mysql-verify.test.ts.)
 */
import { describe, expect, onTestFinished, test } from 'vitest';
import { freshDatabase, testServers } from '../helpers/db.js';
import { connect } from '../../src/apply/db.js';
import { takeSnapshot } from '../../src/verify/snapshot.js';
import { sampleSnapshots, sampleVerifyResult } from '../report/verify-sample.js';
import { expectValid, validator } from '../helpers/schema.js';

const server = testServers().find((s) => s.major === 15) ?? testServers()[0]!;

describe('snapshot and verify JSON schemas', () => {
  test('a PostgreSQL snapshot validates; so does an older file without dialect; a damaged one does not', async () => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(`CREATE TABLE t (id int PRIMARY KEY, v int); CREATE INDEX t_v ON t (v); INSERT INTO t SELECT g, g FROM generate_series(1, 100) g`);
    const conn = await connect(db.url);
    try {
      const s = JSON.parse(JSON.stringify(await takeSnapshot(conn)));
      expect(s.dialect).toBe('postgres');
      expectValid('snapshot.v1.json', s);
      const { dialect, ...older } = s;
      expect(dialect).toBe('postgres');
      expectValid('snapshot.v1.json', older);
      const { databaseStats, ...damaged } = s;
      expect(databaseStats).toBeDefined();
      expect(validator('snapshot.v1.json')(damaged)).toBe(false);
      expect(validator('snapshot.v1.json')({ ...s, tables: [{ table: 't' }] })).toBe(false);
    } finally {
      await conn.close();
    }
  });

  test('the sample snapshots and verify results validate (with and without a reset)', () => {
    for (const reset of [false, true]) {
      const { before, after } = sampleSnapshots({ reset });
      expectValid('snapshot.v1.json', JSON.parse(JSON.stringify(before)));
      expectValid('snapshot.v1.json', JSON.parse(JSON.stringify(after)));
      expectValid('verify-result.v1.json', JSON.parse(JSON.stringify(sampleVerifyResult({ reset }))));
    }
    expect(validator('verify-result.v1.json')({ ...sampleVerifyResult(), findings: [{ kind: 'made-up', severity: 'info', subject: 'x', message: 'y' }] })).toBe(false);
  });
});
