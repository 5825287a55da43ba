/** The MariaDB test helper itself: a fresh database exists while the test runs and is gone after drop(). */
import { expect } from 'vitest';
import { describeMariadb, freshMysqlDatabase, itMariadb, mariadb } from '../helpers/mariadb.js';

describeMariadb('MariaDB test helper', () => {
  itMariadb('creates a uniquely named database and drops it', async () => {
    const db = await freshMysqlDatabase({ keep: true });
    expect(db.name).toMatch(/^lockstep_t_[0-9a-f]{12}$/);
    await db.query('CREATE TABLE t (id INT PRIMARY KEY)');
    const c = await db.connect();
    const [rows] = await c.query('SELECT DATABASE() AS d');
    expect((rows as any[])[0].d).toBe(db.name);
    await db.drop();
    const other = await freshMysqlDatabase();
    const left = await other.query<{ n: number }>('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db.name]);
    expect(Number(left[0]!.n)).toBe(0);
    expect(mariadb.version).toBeTruthy();
  });
});
