/**
 * What unsupported-in-version calls a failure fails on the real servers, and what it lets through on a
 * newer version runs there: the rule's claims proved like the effects table's.
 */
import { describe, expect, test } from 'vitest';
import { testServers, freshDatabase } from '../helpers/db.js';
import { lintSql } from '../../src/lint/lint.js';

const setup = `
CREATE TABLE r (id bigint PRIMARY KEY);
CREATE TABLE o (id bigint PRIMARY KEY, a int, c text, g int GENERATED ALWAYS AS (a * 2) STORED);
CREATE TABLE ev (id bigint, k int) PARTITION BY RANGE (k);
CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM (0) TO (10);
`;
const cases = [
  'ALTER TABLE o ADD COLUMN v int GENERATED ALWAYS AS (a * 3)',
  'ALTER TABLE o ADD CONSTRAINT o_a_nn NOT NULL a NOT VALID',
  'ALTER TABLE o ALTER COLUMN g SET EXPRESSION AS (a * 3)',
  'CREATE INDEX CONCURRENTLY ev_k ON ev (k)',
  'ALTER TABLE ev ADD CONSTRAINT ev_fk FOREIGN KEY (id) REFERENCES r (id) NOT VALID',
  'ALTER TABLE o ALTER COLUMN c SET COMPRESSION pglz',
];

describe.each(testServers())('unsupported-in-version on $name', (server) => {
  test.for(cases)('%s', async (sql, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    // lint with the schema known, as after the migration that created it
    const lint = await lintSql(`${setup}\n-- next migration\n`, { pgVersion: server.major });
    expect(lint.findings.filter((f) => f.rule === 'unsupported-in-version')).toEqual([]);
    const { lintMigrations } = await import('../../src/lint/lint.js');
    const mk = (id: string, text: string) => ({ id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: 'none' as const, transactionSource: 'test' });
    const [a, b] = [mk('001', setup), mk('002', sql)];
    const flagged = (await lintMigrations([a, b], [a.up.file, b.up.file], { pgVersion: server.major })).findings.some((f) => f.rule === 'unsupported-in-version');
    await db.query(setup);
    let failed = false;
    try {
      await db.query(sql);
    } catch {
      failed = true;
    }
    expect(failed, `${sql} on PostgreSQL ${server.major}: lockstep ${flagged ? 'said it fails' : 'let it through'}`).toBe(flagged);
  });
});
