/**
 * `lockstep app-check` on MySQL/MariaDB applications, as users run it (the built CLI): the dialect
 * picked from the change's syntax, the Prisma provider, the drizzle.config dialect, --dialect or --db;
 * one clear line for what does not fit; and --db on the MariaDB service, where an existing column's
 * nullability and default decide what an insert must write.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectCleanError, runCli } from '../helpers/cli.js';
import { describeMariadb, freshMysqlDatabase, itMariadb } from '../helpers/mariadb.js';

const change = 'test/fixtures/app/mysql-changes/orders-currency.sql';
const plain = 'test/fixtures/app/mysql-changes/orders-currency-plain.sql';

describe('lockstep app-check on MySQL/MariaDB', () => {
  test('a MySQL migration (backticks) picks the dialect: findings with file:line, exit 1', () => {
    const r = runCli(['app-check', change, 'test/fixtures/app/mysql-express']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^database: MySQL\/MariaDB \(from test\/fixtures\/app\/mysql-changes\/orders-currency\.sql \(a backtick-quoted table name: MySQL syntax\)\)$/m);
    expect(r.stdout).toMatch(/^orders\.currency CHAR\(3\): new; NULL in rows not yet backfilled until contract, NOT NULL after \(no default: inserts must set it\)$/m);
    expect(r.stdout).toMatch(/^test\/fixtures\/app\/mysql-express\/src\/orders\.ts:16:\d+ {2}error {4}insert-omits-column {2}INSERT INTO orders \(customer_id, total\) does not set currency/m);
    expect(r.stdout).toMatch(/^2 files checked: 6 error\(s\), 2 warning\(s\), 0 info$/m);
  });

  test('SQL that reads the same in both: the Prisma provider or the drizzle.config dialect decides', () => {
    const prisma = runCli(['app-check', plain, 'test/fixtures/app/mysql-prisma', '--format', 'json']);
    expect(prisma.code, prisma.stderr).toBe(1);
    expect(JSON.parse(prisma.stdout).findings.map((f: any) => f.rule).sort()).toEqual(['assumes-not-null', 'assumes-not-null', 'insert-omits-column', 'select-star']);
    const drizzle = runCli(['app-check', plain, 'test/fixtures/app/mysql-drizzle']);
    expect(drizzle.stdout).toMatch(/^database: MySQL\/MariaDB \(from test\/fixtures\/app\/mysql-drizzle\/drizzle\.config\.ts: dialect\)$/m);
    expect(drizzle.stdout).toMatch(/^3 files checked: 3 error\(s\), 1 warning\(s\), 0 info$/m);
    // --dialect says it for an app that declares nothing.
    const express = runCli(['app-check', plain, 'test/fixtures/app/mysql-express', '--dialect', 'mariadb', '--format', 'json']);
    expect(JSON.parse(express.stdout).findings.filter((f: any) => f.rule === 'sql-not-parsed')).toEqual([]);
  });

  test('a change spec with MySQL types is read for the dialect app-check is told, as plan reads it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-check-mysql-'));
    writeFileSync(join(dir, 'points.yaml'), 'table: orders\naddColumn: { name: points, type: INT UNSIGNED, nullable: false, default: 0 }\n');
    writeFileSync(join(dir, 'orders.ts'), `export const q = (pool: any) => pool.query('SELECT id, points FROM orders WHERE id = ?', [1]);\n`);
    const r = runCli(['app-check', 'points.yaml', '.', '--dialect', 'mysql', '--format', 'json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).columns).toMatchObject([{ column: 'points', type: 'INT UNSIGNED', kind: 'addColumn', nullableDuringRollout: false }]);
    // Read for PostgreSQL (nothing says MySQL), the same spec is not a change at all.
    expectCleanError(runCli(['app-check', 'points.yaml', '.'], dir), /^lockstep: points\.yaml:2: addColumn\.type: "INT UNSIGNED" is not an SQL type/m);
    const types = runCli(['types', 'points.yaml', '--dialect', 'mariadb'], dir);
    expect(types.code, types.stderr).toBe(0);
    expect(types.stdout).toMatch(/points: number;/);
  });

  test('bad input: one line each, exit 2', () => {
    expectCleanError(runCli(['app-check', change, 'test/fixtures/app/mysql-express', '--pg-version', '15']), /^lockstep: --pg-version: is for PostgreSQL; .* says MySQL\/MariaDB$/m);
    expectCleanError(runCli(['app-check', change, '.', '--dialect', 'oracle']), /^lockstep: --dialect: must be one of /m);
    expectCleanError(runCli(['app-check', plain, '.', '--dialect', 'mysql', '--db', 'postgres://postgres@127.0.0.1:5432/test']), /^lockstep: --db: says PostgreSQL, but --dialect says MySQL$/m);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-check-mysql-'));
    writeFileSync(join(dir, 'idx.sql'), 'CREATE INDEX orders_status ON `orders` (status);\n');
    expectCleanError(runCli(['app-check', 'idx.sql', '.'], dir), /^lockstep: idx\.sql: adds no column and sets no NOT NULL/m);
  });

  test('a server that cannot be reached: exit 4, one line, no password', () => {
    expectCleanError(runCli(['app-check', change, 'test/fixtures/app/mysql-express', '--db', 'mysql://root:s3cret@127.0.0.1:1/shop']), /^lockstep: --db: cannot connect to mysql:\/\/root:\*+@127\.0\.0\.1:1\/shop/m, 4);
  });
});

describeMariadb('lockstep app-check --db on MariaDB', () => {
  itMariadb('an existing column made NOT NULL: its default and nullability come from the server', async () => {
    const db = await freshMysqlDatabase();
    await db.query("CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, email VARCHAR(100) NULL DEFAULT 'n/a', note VARCHAR(10) NULL)");
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-check-mysql-'));
    writeFileSync(join(dir, 'change.sql'), 'ALTER TABLE `orders` MODIFY email VARCHAR(100) NOT NULL, MODIFY note VARCHAR(10) NOT NULL, MODIFY customer_id INT NOT NULL;\n');
    writeFileSync(
      join(dir, 'orders.ts'),
      [
        `export async function place(pool: any, c: number) {`,
        `  await pool.execute('INSERT INTO orders (customer_id) VALUES (?)', [c]);`,
        `  const [rows] = await pool.query('SELECT id, customer_id, note FROM orders WHERE id = ?', [1]);`,
        `  return [rows[0].customer_id.toFixed(0), rows[0].note.trim()];`,
        `}`,
      ].join('\n'),
    );
    const withDb = runCli(['app-check', 'change.sql', '.', '--db', db.url, '--format', 'json'], dir);
    expect(withDb.code, withDb.stderr).toBe(1);
    const j = JSON.parse(withDb.stdout);
    expect(j.columns).toMatchObject([
      { column: 'email', kind: 'setNotNull', hasDefault: true, defaultKnown: true, nullableDuringRollout: true },
      { column: 'note', kind: 'setNotNull', hasDefault: false, defaultKnown: true, nullableDuringRollout: true },
      { column: 'customer_id', kind: 'setNotNull', hasDefault: false, defaultKnown: true, nullableDuringRollout: false },
    ]);
    // email has a default, customer_id is written: only note must be; customer_id was NOT NULL already, note was not.
    expect(j.findings.map((f: any) => `${f.line}:${f.rule}:${f.severity}:${/\bnote\b/.test(f.message) ? 'note' : /customer_id/.test(f.message) ? 'customer_id' : '?'}`)).toEqual([
      '2:insert-omits-column:error:note',
      '4:assumes-not-null:error:note',
    ]);
    // Without --db the defaults are unknown: the inserts that leave them out are warnings.
    const offline = JSON.parse(runCli(['app-check', 'change.sql', '.', '--format', 'json'], dir).stdout);
    expect(offline.findings.filter((f: any) => f.rule === 'insert-omits-column').map((f: any) => f.severity)).toEqual(['warning', 'warning']);
  });

  itMariadb('after apply, the plan the ledger recorded decides (as on PostgreSQL): a column made NOT NULL was nullable during the rollout', async () => {
    const db = await freshMysqlDatabase({ prefix: 'myspec' });
    await db.query("CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(10) NULL DEFAULT 'n/a', ref VARCHAR(10) NULL)");
    await db.query("INSERT INTO orders (note, ref) VALUES ('a', 'r1'), ('b', 'r2')");
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-check-mysql-'));
    writeFileSync(join(dir, 'notes.yaml'), 'name: myspec-notes\nchanges:\n  - table: orders\n    setNotNull: { column: note }\n  - table: orders\n    setNotNull: { column: ref }\n');
    writeFileSync(
      join(dir, 'orders.ts'),
      [
        `export async function show(pool: any) {`,
        `  await pool.execute('INSERT INTO orders (ref) VALUES (?)', ['r']);`,
        `  const [rows] = await pool.query('SELECT id, note, ref FROM orders WHERE id = ?', [1]);`,
        `  return [rows[0].note.trim(), rows[0].ref.trim()];`,
        `}`,
      ].join('\n'),
    );
    const check = () => {
      const r = runCli(['app-check', 'notes.yaml', '.', '--db', db.url, '--format', 'json'], dir);
      expect(r.code, r.stderr).toBe(1);
      const j = JSON.parse(r.stdout);
      return { columns: j.columns.map((c: any) => `${c.column}: ${c.nullableDuringRollout ? 'nullable until contract' : 'never null'}, ${c.hasDefault ? 'default' : 'no default'}`), findings: j.findings.map((f: any) => `${f.line}:${f.rule}`) };
    };
    const expected = {
      columns: ['note: nullable until contract, default', 'ref: nullable until contract, no default'],
      findings: ['4:assumes-not-null', '4:assumes-not-null'],
    };
    // Before anything ran: the database says both are nullable, note has a default.
    expect(check()).toEqual(expected);
    const applied = runCli(['apply', 'notes.yaml', '--db', db.url], dir);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await db.query<any>(`SELECT COLUMN_NAME AS c, IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND COLUMN_NAME IN ('note', 'ref') ORDER BY 1`)).map((x) => `${x.c} ${x.n}`)).toEqual(['note NO', 'ref NO']);
    // Applied: the database now says NOT NULL, the ledger's plan says what they were before the change.
    expect(check()).toEqual(expected);
    const types = runCli(['types', 'notes.yaml', '--db', db.url, '--phase', 'expand'], dir);
    expect(types.code, types.stderr).toBe(0);
    expect(types.stdout).toContain('// Nullability from the plan recorded in the ledger (MariaDB, the table read from the database)');
    expect(types.stdout).toMatch(/^ {2}note: string \| null;$/m);
    expect(runCli(['types', 'notes.yaml', '--db', db.url, '--phase', 'contract'], dir).stdout).toMatch(/^ {2}note: string;$/m);
    // A change of the same name with other operations is not the one recorded: the database as it is now decides.
    writeFileSync(join(dir, 'other.yaml'), 'name: myspec-notes\ntable: orders\nsetNotNull: { column: note }\n');
    const other = JSON.parse(runCli(['app-check', 'other.yaml', '.', '--db', db.url, '--format', 'json'], dir).stdout);
    expect(other.columns).toMatchObject([{ column: 'note', nullableDuringRollout: false }]);
    // Rolled back: the recorded plan no longer applies; the database is as before the change again.
    const back = runCli(['rollback', 'notes.yaml', '--db', db.url, '--yes'], dir);
    expect(back.code, back.stderr).toBe(0);
    expect(check()).toEqual(expected);
    await db.drop();
  });

  itMariadb('lockstep status: a NOT NULL column added with its constant default in one step may be relied on at once', async () => {
    const db = await freshMysqlDatabase({ prefix: 'myspec' });
    await db.query('CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY)');
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-check-mysql-'));
    writeFileSync(join(dir, 'level.yaml'), 'name: myspec-level\ntable: users\naddColumn: { name: level, type: INT UNSIGNED, nullable: false, default: 1 }\n');
    writeFileSync(join(dir, 'seen.yaml'), "name: myspec-seen\ntable: users\naddColumn: { name: seen, type: DATETIME(6), nullable: false, default: CURRENT_TIMESTAMP(6), backfill: '2020-01-01' }\n");
    expect(runCli(['apply', 'level.yaml', '--db', db.url], dir).code).toBe(0);
    expect(runCli(['apply', 'seen.yaml', '--db', db.url, '--until', 'backfill'], dir).code).toBe(0);
    const st = runCli(['status', '--db', db.url], dir);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout.split('\n').filter((l) => /^ {2}app: /.test(l))).toEqual([
      '  app: users.level is NOT NULL: code may rely on it',
      '  app: every existing row of users has seen; new rows get its default: reads must still handle NULL until then',
    ]);
    await db.drop();
  });
});
