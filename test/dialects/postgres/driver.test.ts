/** The one Postgres connect (PG 15): read-only is one option the server enforces; failures are one redacted line. */
import { describe, expect, test } from 'vitest';
import { testServers, freshDatabase } from '../../helpers/db.js';
import { connectPostgres } from '../../../src/dialects/postgres/driver.js';
import { LockstepError } from '../../../src/core/errors.js';

const servers = testServers([15]);

describe.each(servers)('connectPostgres on $name', (server) => {
  test('readOnly: every transaction is READ ONLY; without it the session writes', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query('CREATE TABLE t (id int)');
    const ro = await connectPostgres(db.url, { readOnly: true, applicationName: 'lockstep test' });
    try {
      expect(ro.pid).toBeGreaterThan(0);
      await expect(ro.query('INSERT INTO t VALUES (1)')).rejects.toMatchObject({ code: '25006' });
      expect((await ro.query(`SELECT current_setting('application_name') AS a`)).rows[0].a).toBe('lockstep test');
    } finally {
      await ro.close();
    }
    const rw = await connectPostgres(db.url);
    try {
      await rw.query('INSERT INTO t VALUES (1)');
    } finally {
      await rw.close();
    }
    expect((await db.query('SELECT count(*)::int AS n FROM t'))[0].n).toBe(1);
  });

  test('a refused connection is one E_CONNECT line without the password', async () => {
    const e = await connectPostgres('postgres://u:pw-secret-1@127.0.0.1:1/db', { where: '--db' }).catch((x) => x);
    expect(e).toBeInstanceOf(LockstepError);
    expect(e.code).toBe('E_CONNECT');
    expect(e.message).toMatch(/^--db: cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/);
    expect(e.message).not.toContain('pw-secret-1');
  });
});
