/**
 * `lockstep lint --db mysql://…` on the MariaDB service: the version and flavor come from the server,
 * the live schema gives the column's charset and length (so a VARCHAR change is judged without a
 * CREATE TABLE in the migrations), the table's size is in the message, and a database that cannot be
 * reached is exit 4 (a database failure), not 2 (usage).
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { describeMariadb, freshMysqlDatabase, itMariadb } from '../helpers/mariadb.js';
import { expectCleanError, runCli } from '../helpers/cli.js';

describeMariadb('lint --db mysql://', () => {
  itMariadb('reads version, schema and sizes read-only; judges the ALTER by the live column', async () => {
    const db = await freshMysqlDatabase();
    await db.query('CREATE TABLE orders (id bigint PRIMARY KEY AUTO_INCREMENT, note varchar(60)) DEFAULT CHARSET=utf8mb4');
    await db.query("INSERT INTO orders (note) SELECT 'x' FROM seq_1_to_3000");
    await db.query('ANALYZE TABLE orders');
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-mysql-db-'));
    const file = join(dir, '001_widen.sql');
    writeFileSync(file, 'SET SESSION lock_wait_timeout = 5;\nALTER TABLE orders MODIFY note varchar(100);\n');
    const r = runCli(['lint', file, '--db', db.url, '--format', 'json', '--fail-on', 'never']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.dialect).toBe('mysql');
    expect(out.server.flavor).toBe('mariadb');
    expect(out.server.version).toMatch(/^10\.11\./);
    const f = out.findings.find((x: { rule: string }) => x.rule === 'varchar-length-prefix');
    expect(f?.message).toMatch(/240 → 400 bytes/);
    expect(f?.message).toMatch(/orders: ~\d/);
    const alter = out.statements.find((s: { kind: string }) => s.kind === 'alter-table');
    expect(alter.effects).toMatchObject({ algorithm: 'copy', rebuild: true, blocksWrites: true });
    // Nothing was written: the column is as it was.
    const [col] = await db.query("SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'note'");
    expect(col.t).toBe('varchar(60)');
    await db.drop();
  });

  itMariadb('a database that does not exist is one line and exit 4', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-mysql-db-'));
    const file = join(dir, '001.sql');
    writeFileSync(file, 'ALTER TABLE t ADD COLUMN c int;\n');
    const r = runCli(['lint', file, '--db', 'mysql://root:s3cret@127.0.0.1:3306/lockstep_no_such_db']);
    expectCleanError(r, /--db: cannot connect/, 4);
    expect(r.stderr).not.toContain('s3cret');
  });
});
