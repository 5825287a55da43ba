/**
 * Change specs for MySQL/MariaDB, on the MariaDB service: what the MySQL dialect's spec checks accept,
 * the server accepts in the SQL lockstep writes (and what they refuse as not SQL, it refuses too); and
 * the CLI as users run it — `plan` offline (`--dialect`) and with only a `mysql://` URL to say the
 * dialect, `apply` through contract and `rollback` of a spec with MySQL types, backtick names and a
 * NOT NULL column backfilled, and bad specs as one line each, exit 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect } from 'vitest';
import { describeMariadb, freshMysqlDatabase, itMariadb, type MysqlTestDatabase } from '../helpers/mariadb.js';
import { expectCleanError, runCli } from '../helpers/cli.js';
import { mysqlSpecFragments as my } from '../../src/dialects/mysql/spec-fragments.js';
import { defaultSql } from '../../src/dialects/mysql/migrate/planner.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-myspec-'));
});
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return name;
};
const run = (args: string[]) => runCli(args, dir, 120_000);

/** Whether the server takes `sql` (and the error it gives when not). */
async function serverTakes(db: MysqlTestDatabase, sql: string): Promise<true | string> {
  try {
    await db.query(sql);
    return true;
  } catch (e: any) {
    return String(e?.sqlMessage ?? e?.message ?? e);
  }
}

describeMariadb('change specs for MySQL/MariaDB on the MariaDB service', () => {
  itMariadb('the types and defaults the checks accept, the server accepts as lockstep writes them; what they refuse as not SQL, it refuses', async () => {
    const db = await freshMysqlDatabase({ prefix: 'myspec' });
    await db.query('CREATE TABLE t (id INT PRIMARY KEY, amount INT)');
    const types = [
      'INT UNSIGNED',
      'int unsigned zerofill',
      'BIGINT(20) UNSIGNED',
      'DECIMAL(12, 2)',
      'double precision',
      "ENUM('a','b c')",
      "SET('x','y')",
      'JSON',
      'DATETIME(6)',
      'TIMESTAMP(6)',
      'VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin',
      'CHAR(36) BINARY',
      'NATIONAL VARCHAR(10)',
      'VARBINARY(16)',
      'BIT(8)',
      'YEAR',
      'LONGTEXT',
      'INET6',
      'UUID',
    ];
    let n = 0;
    for (const type of types) {
      expect(my.type(type), type).toBeUndefined();
      expect(await serverTakes(db, `ALTER TABLE t ADD COLUMN c${n++} ${type} NULL`), type).toBe(true);
    }
    for (const type of ['timestamptz', 'text[]', 'varchar', 'INT UNSIGNED(', 'numeric(12,2) ARRAY', 'int int']) {
      expect(my.type(type), type).toBeDefined();
      expect(await serverTakes(db, `ALTER TABLE t ADD COLUMN c${n++} ${type} NULL`), type).not.toBe(true);
    }
    // Defaults as the planner writes them (a literal as is, anything else in parentheses).
    const defaults: [string, string][] = [
      ['INT UNSIGNED', '0'],
      ['DATETIME(6)', 'CURRENT_TIMESTAMP(6)'],
      ['DATETIME(6)', 'NOW(6)'],
      ["ENUM('a','b c')", "'b c'"],
      ['VARCHAR(36)', 'uuid()'],
      ['JSON', "JSON_OBJECT('v', 1)"],
      ['DECIMAL(12,2)', '-1.5'],
      ['TINYINT(1)', 'TRUE'],
      ["VARCHAR(20)", "CONCAT('a', 'b')"],
      ['BIT(3)', "b'101'"],
      ['DATE', 'CURRENT_DATE'],
    ];
    for (const [type, d] of defaults) {
      expect(my.expression(d, 'default'), d).toBeUndefined();
      expect(await serverTakes(db, `ALTER TABLE t ADD COLUMN c${n++} ${type} NULL, ALTER COLUMN c${n - 1} SET DEFAULT ${defaultSql(d)}`), `${type} DEFAULT ${d}`).toBe(true);
    }
    // (A variable is refused too, though MariaDB takes one in a DEFAULT: MySQL does not, and lockstep's backfill session has none.)
    for (const d of ['(SELECT 1)', '?']) {
      expect(my.expression(d, 'default'), d).toBeDefined();
      expect(await serverTakes(db, `ALTER TABLE t ADD COLUMN c${n++} INT NULL DEFAULT ${defaultSql(d)}`), d).not.toBe(true);
    }
    // A CHECK: accepted ones are valid constraints, a subquery is refused by both.
    expect(my.expression("amount IN (1, 2) OR amount IS NULL", 'check')).toBeUndefined();
    expect(await serverTakes(db, 'ALTER TABLE t ADD CONSTRAINT t_ok CHECK (amount IN (1, 2) OR amount IS NULL)')).toBe(true);
    expect(my.expression('amount IN (SELECT 1)', 'check')).toBeDefined();
    expect(await serverTakes(db, 'ALTER TABLE t ADD CONSTRAINT t_sub CHECK (amount IN (SELECT 1))')).not.toBe(true);
    await db.drop();
  });

  itMariadb('plan offline and from a mysql:// URL alone, apply through contract, rollback: the spec from the issue and MySQL types', async () => {
    const db = await freshMysqlDatabase({ prefix: 'myspec' });
    await db.query('CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100)) ENGINE=InnoDB');
    await db.query('CREATE TABLE `Order Items` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, qty INT NOT NULL) ENGINE=InnoDB');
    await db.query("INSERT INTO users (email) SELECT CONCAT('u', seq) FROM seq_1_to_300");
    await db.query('INSERT INTO `Order Items` (qty) SELECT seq FROM seq_1_to_300');

    // The issue: offline with --dialect, and with only the URL to say it is MySQL.
    const issue = file('c.yaml', 'table: users\naddColumn: {name: points, type: "INT UNSIGNED", default: 0}\n');
    for (const args of [['--dialect', 'mysql'], ['--dialect', 'mariadb', '--server-version', '10.11'], ['--db', db.url]]) {
      const r = run(['plan', issue, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('ALTER TABLE `users` ADD COLUMN `points` INT UNSIGNED NULL DEFAULT 0, ALGORITHM=INSTANT;');
    }
    // Config says the dialect too.
    writeFileSync(join(dir, 'lockstep.config.json'), JSON.stringify({ dialect: 'mariadb' }));
    const fromConfig = run(['plan', issue]);
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(fromConfig.stdout).toContain('INT UNSIGNED NULL DEFAULT 0');

    const spec = file(
      'shop.yaml',
      [
        'name: myspec-shop',
        'changes:',
        '  - table: users',
        '    addColumn: { name: points, type: INT UNSIGNED, default: 0 }',
        '  - table: users',
        '    addColumn: { name: seen_at, type: DATETIME(6), nullable: false, default: CURRENT_TIMESTAMP(6) }',
        '  - table: users',
        "    addColumn: { name: tier, type: \"ENUM('free','paid plus')\", nullable: false, default: \"'free'\", backfill: \"IF(id % 2 = 0, 'paid plus', 'free')\" }",
        '  - table: users',
        '    addColumn: { name: code, type: VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin, index: true }',
        '  - table: "`Order Items`"',
        "    addColumn: { name: '`Line Total`', type: \"DECIMAL(12, 2)\", nullable: false, backfill: \"qty * 2.5\", check: \"`Line Total` >= 0\" }",
      ].join('\n') + '\n',
    );
    const planned = run(['plan', spec, '--db', db.url]);
    expect(planned.code, planned.stderr).toBe(0);
    const applied = run(['apply', spec, '--db', db.url]);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const cols = await db.query<any>(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS n, COLUMN_DEFAULT AS d, CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN ('points', 'seen_at', 'tier', 'code', 'Line Total') ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    );
    expect(cols.map((x) => `${x.t}.${x.c} ${x.type}${x.n === 'NO' ? ' NOT NULL' : ''}${x.d !== null && x.d !== 'NULL' ? ` DEFAULT ${x.d}` : ''}${x.c === 'code' ? ` ${x.cs}/${x.co}` : ''}`)).toEqual([
      'Order Items.Line Total decimal(12,2) NOT NULL',
      'users.points int(10) unsigned DEFAULT 0',
      'users.seen_at datetime(6) NOT NULL DEFAULT current_timestamp(6)',
      "users.tier enum('free','paid plus') NOT NULL DEFAULT 'free'",
      'users.code varchar(8) ascii/ascii_bin',
    ]);
    // The backfills filled every existing row; the check is there.
    expect((await db.query<any>("SELECT COUNT(*) AS n FROM users WHERE tier = 'paid plus'"))[0].n).toBe('150');
    expect((await db.query<any>('SELECT SUM(`Line Total` = qty * 2.5) AS n FROM `Order Items`'))[0].n).toBe('300');
    expect(await serverTakes(db, 'INSERT INTO `Order Items` (qty, `Line Total`) VALUES (1, -1)')).toMatch(/CONSTRAINT .* failed/i);

    const back = run(['rollback', spec, '--db', db.url, '--yes']);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(await db.query<any>(`SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN ('points', 'seen_at', 'tier', 'code', 'Line Total')`)).toEqual([]);
    await db.drop();
  });

  itMariadb('a bad spec: one line per problem, file:line: path: message, exit 2, offline and with --db', async () => {
    const db = await freshMysqlDatabase({ prefix: 'myspec' });
    const bad = file('bad.yaml', ['table: users', 'addColumn:', '  name: points', '  type: timestamptz', '  default: "0; DROP TABLE users"'].join('\n') + '\n');
    for (const args of [['--dialect', 'mysql'], ['--db', db.url]]) {
      const r = run(['plan', bad, ...args]);
      expectCleanError(r, /^lockstep: bad\.yaml:4: addColumn\.type: "timestamptz" is not a MySQL\/MariaDB type \(unknown data type timestamptz\)$/m);
      expect(r.stderr.trim().split('\n')).toEqual([
        'lockstep: bad.yaml:4: addColumn.type: "timestamptz" is not a MySQL/MariaDB type (unknown data type timestamptz)',
        'lockstep: bad.yaml:5: addColumn.default: "0; DROP TABLE users" must be exactly one SQL expression, without ";"',
      ]);
    }
    expectCleanError(run(['apply', bad, '--db', db.url]), /^lockstep: bad\.yaml:4: addColumn\.type: /m);
    // Nothing was written: no ledger.
    expect(await db.query<any>(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`)).toEqual([]);
    await db.drop();
  });
});
