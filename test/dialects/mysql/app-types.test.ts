/**
 * `lockstep types` on MySQL/MariaDB: the mapping checked against what mysql2 really returns from the
 * MariaDB service (default options, as an application's pool has them), the rendered lines, and the
 * CLI with --db reading the whole row.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { mapMysqlType, mysqlRowTypes } from '../../../src/dialects/mysql/app-types.js';
import { changeFromMysql, mysqlColumns } from '../../../src/dialects/mysql/app.js';
import { runCli } from '../../helpers/cli.js';
import { describeMariadb, freshMysqlDatabase, itMariadb } from '../../helpers/mariadb.js';

/** Whether a value mysql2 returned has the TypeScript type lockstep says. */
function hasType(v: unknown, ts: string): boolean {
  if (ts === 'number') return typeof v === 'number';
  if (ts === 'string') return typeof v === 'string';
  if (ts === 'Date') return v instanceof Date;
  if (ts === 'Buffer') return Buffer.isBuffer(v);
  if (ts === 'JsonValue') return v !== undefined && typeof v !== 'string';
  if (/^'.*'( \| '.*')*$/.test(ts)) return typeof v === 'string' && ts.split(' | ').includes(`'${v}'`);
  return false;
}

const COLUMNS: [string, string, string][] = [
  ['c_tinyint1', 'TINYINT(1)', '1'],
  ['c_tinyint', 'TINYINT', '-5'],
  ['c_smallint', 'SMALLINT UNSIGNED', '7'],
  ['c_int', 'INT', '42'],
  ['c_bigint', 'BIGINT', '9007199254740991'],
  ['c_decimal', 'DECIMAL(12,2)', '12.50'],
  ['c_double', 'DOUBLE', '1.5'],
  ['c_float', 'FLOAT', '2.5'],
  ['c_char', 'CHAR(3)', "'EUR'"],
  ['c_varchar', 'VARCHAR(40)', "'x'"],
  ['c_text', 'TEXT', "'long'"],
  ['c_enum', "ENUM('new','paid')", "'paid'"],
  ['c_set', "SET('a','b')", "'a,b'"],
  ['c_json', 'JSON', `'{"a":1}'`],
  ['c_date', 'DATE', "'2026-01-02'"],
  ['c_datetime', 'DATETIME(3)', "'2026-01-02 03:04:05.678'"],
  ['c_timestamp', 'TIMESTAMP', "'2026-01-02 03:04:05'"],
  ['c_time', 'TIME', "'12:30:00'"],
  ['c_year', 'YEAR', '2026'],
  ['c_binary', 'BINARY(2)', "X'0102'"],
  ['c_blob', 'BLOB', "X'03'"],
  ['c_bit', 'BIT(3)', "b'101'"],
];

describeMariadb('types on MariaDB: what mysql2 returns', () => {
  itMariadb('each mapped TypeScript type is what a default mysql2 connection gives back', async () => {
    const db = await freshMysqlDatabase();
    await db.query(`CREATE TABLE t (id INT PRIMARY KEY, ${COLUMNS.map(([n, ty]) => `${n} ${ty}`).join(', ')})`);
    await db.query(`INSERT INTO t VALUES (1, ${COLUMNS.map(([, , v]) => v).join(', ')})`);
    const u = new URL(db.url);
    const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: db.name });
    try {
      const [rows] = await conn.query('SELECT * FROM t');
      const row = (rows as any[])[0];
      const wrong = COLUMNS.map(([n, ty]) => ({ n, ts: mapMysqlType(ty, 'mariadb').ts, v: row[n] })).filter((x) => !hasType(x.v, x.ts));
      expect(wrong).toEqual([]);
    } finally {
      await conn.end();
    }
  });

  itMariadb('lockstep types --db: the whole row, the changed column typed from the migration', async () => {
    const db = await freshMysqlDatabase();
    await db.query("CREATE TABLE orders (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, total DECIMAL(12,2) NOT NULL, note VARCHAR(200) NULL, placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)");
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-types-mysql-'));
    writeFileSync(join(dir, 'currency.sql'), 'ALTER TABLE `orders` ADD COLUMN `currency` CHAR(3) NOT NULL;\n');
    const r = runCli(['types', 'currency.sql', '--db', db.url], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(MariaDB, the table read from the database)');
    expect(r.stdout).toMatch(/export interface OrdersRow \{\n(.*\n)*  id: number;\n(.*\n)*  total: string;\n(.*\n)*  note: string \| null;\n(.*\n)*  placed_at: Date;\n(.*\n)*  currency: string \| null;\n\}/);
    const after = runCli(['types', 'currency.sql', '--db', db.url, '--phase', 'contract', '--format', 'prisma'], dir);
    expect(after.stdout).toMatch(/^ {2}currency String @db\.Char\(3\) \/\/ nullable after expand and backfill, NOT NULL after contract$/m);
  });
});

describe('types on MySQL/MariaDB, offline', () => {
  test('the lines for each ORM, and nullability per phase', () => {
    const { change } = changeFromMysql("ALTER TABLE orders ADD COLUMN currency CHAR(3) NOT NULL, ADD COLUMN status ENUM('new','paid') NOT NULL DEFAULT 'new', ADD COLUMN meta JSON NULL;", 'c.sql');
    const cols = mysqlColumns(change);
    const expand = mysqlRowTypes(change, cols, { phase: 'expand', zod: true });
    expect(expand.text.ts).toContain('  currency: string | null;');
    expect(expand.text.ts).toContain("  status: 'new' | 'paid';");
    expect(expand.text.ts).toContain('  meta: JsonValue | null;');
    expect(expand.text.ts).toContain("  status: z.enum(['new', 'paid']),");
    expect(expand.text.prisma).toContain('  status String @default("new") // NOT NULL from expand on');
    const contract = mysqlRowTypes(change, cols, { phase: 'contract', flavor: 'mariadb' });
    expect(contract.text.ts).toContain('  currency: string;');
    expect(contract.text.ts).toContain('  meta: JsonValue | null;');
    expect(contract.text.drizzle).toContain("import { sql } from 'drizzle-orm';\nimport { char, json, mysqlEnum } from 'drizzle-orm/mysql-core';");
    expect(contract.text.drizzle).toContain("  status: mysqlEnum('status', ['new', 'paid']).notNull().default(sql`'new'`), // NOT NULL from expand on");
  });

  test('bad input: one line, exit 2', () => {
    const r = runCli(['types', 'test/fixtures/app/mysql-changes/orders-currency.sql', '--pg-version', '15']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lockstep: --pg-version: is for PostgreSQL; .* says MySQL\/MariaDB\n$/);
  });
});
