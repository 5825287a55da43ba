/** The MySQL/MariaDB parser: the statements ast.ts describes, unparsed statements instead of errors. */
import { describe, expect, test } from 'vitest';
import { parseMysql } from '../../../src/dialects/mysql/parser.js';
import type { AlterTable, CreateTable, MyStatement } from '../../../src/dialects/mysql/ast.js';

const one = (sql: string, o = {}): MyStatement => {
  const r = parseMysql(sql, 0, o);
  expect(r.statements).toHaveLength(1);
  return r.statements[0]!;
};
const alter = (sql: string) => {
  const s = one(sql);
  if (s.kind !== 'alter-table') throw new Error(`${s.kind}: ${(s as any).reason}`);
  return s as AlterTable;
};

describe('mysql parser: CREATE TABLE', () => {
  test('columns, keys, foreign keys, checks and options', () => {
    const sql = `CREATE TABLE IF NOT EXISTS \`app\`.\`users\` (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  email varchar(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  role SET('a','b') DEFAULT 'a,b',
  flag BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at DATETIME(3) DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(3),
  doc JSON DEFAULT (JSON_OBJECT()),
  u VARCHAR(10) AS (lower(email)) VIRTUAL INVISIBLE,
  c INT CHECK (c > 0),
  PRIMARY KEY (id) USING BTREE,
  UNIQUE INDEX ux (email),
  FULLTEXT KEY ft (email),
  CONSTRAINT fk FOREIGN KEY (id) REFERENCES other (id),
  CONSTRAINT ck CHECK (id > 0) NOT ENFORCED
) ENGINE InnoDB, AUTO_INCREMENT=100 DEFAULT CHARACTER SET = latin1 COMMENT='t' KEY_BLOCK_SIZE=8`;
    const s = one(sql) as CreateTable;
    expect(s.kind).toBe('create-table');
    expect(s.table).toEqual({ schema: 'app', name: 'users' });
    expect(s.columns.map((c) => c.name)).toEqual(['id', 'email', 'role', 'flag', 'updated_at', 'doc', 'u', 'c']);
    expect(s.columns[0]).toMatchObject({ type: { name: 'bigint', length: 20, unsigned: true }, nullable: false, autoIncrement: true });
    expect(s.columns[1]).toMatchObject({ charset: 'utf8mb4', collation: 'utf8mb4_bin', type: { name: 'varchar', length: 191, text: 'varchar(191)' } });
    expect(s.columns[2]!.type.members).toEqual(['a', 'b']);
    expect(s.columns[3]).toMatchObject({ type: { name: 'tinyint', length: 1 }, default: { kind: 'literal', text: 'FALSE' } });
    expect(s.columns[4]).toMatchObject({ default: { kind: 'null' }, onUpdate: 'CURRENT_TIMESTAMP(3)' });
    expect(s.columns[5]!.default).toEqual({ kind: 'expression', text: '(JSON_OBJECT())' });
    expect(s.columns[6]).toMatchObject({ generated: { kind: 'virtual', expr: 'lower(email)' }, invisible: true });
    expect(s.columns[7]!.check).toBe('c > 0');
    expect(s.indexes).toEqual([
      { kind: 'primary', parts: [{ column: 'id' }], using: 'BTREE' },
      { kind: 'unique', name: 'ux', parts: [{ column: 'email' }] },
      { kind: 'fulltext', name: 'ft', parts: [{ column: 'email' }] },
    ]);
    expect(s.foreignKeys).toEqual([{ name: 'fk', columns: ['id'], references: { name: 'other' }, referencedColumns: ['id'] }]);
    expect(s.checks).toEqual([{ name: 'ck', expr: 'id > 0' }]);
    expect(s.options).toEqual({ engine: 'InnoDB', auto_increment: '100', charset: 'latin1', comment: 't', key_block_size: '8' });
    expect(s.span).toEqual({ start: 0, end: sql.length });
  });

  test('LIKE, AS SELECT, partitions, OR REPLACE, TEMPORARY, SERIAL', () => {
    expect(one('CREATE TABLE a LIKE b')).toMatchObject({ kind: 'create-table', like: { name: 'b' } });
    expect(one('CREATE TABLE a (LIKE b)')).toMatchObject({ kind: 'create-table', like: { name: 'b' } });
    expect(one('CREATE TABLE a ENGINE=InnoDB AS SELECT * FROM b')).toMatchObject({ asSelect: true, options: { engine: 'InnoDB' } });
    expect(one('CREATE TABLE a (id INT) SELECT id FROM b')).toMatchObject({ asSelect: true });
    expect(one('CREATE TABLE p (id INT, d DATE) PARTITION BY RANGE (YEAR(d)) (PARTITION p0 VALUES LESS THAN (2020), PARTITION p1 VALUES LESS THAN MAXVALUE)')).toMatchObject({ partitioned: true });
    expect(one('CREATE OR REPLACE TEMPORARY TABLE t (id SERIAL)')).toMatchObject({ orReplace: true, temporary: true, columns: [{ type: { name: 'bigint', unsigned: true }, autoIncrement: true, unique: true, nullable: false }] });
  });

  test('a definition it cannot read is an unparsed statement with the offset, and the next statement still parses', () => {
    const sql = 'CREATE TABLE t (id INT FROBNICATE);\nSELECT 1;';
    const r = parseMysql(sql);
    expect(r.statements.map((s) => s.kind)).toEqual(['unparsed', 'select']);
    const u = r.statements[0] as any;
    expect(u.verb).toBe('create table');
    expect(u.offset).toBe(sql.indexOf('FROBNICATE'));
    expect(u.reason).toMatch(/FROBNICATE/);
  });
});

describe('mysql parser: ALTER TABLE', () => {
  test('every clause kind', () => {
    const s = alter(`ALTER TABLE t
      ADD COLUMN a INT FIRST, ADD b VARCHAR(10) AFTER a, ADD (c INT, d INT),
      DROP COLUMN IF EXISTS e, MODIFY f BIGINT NOT NULL, CHANGE COLUMN g h TEXT AFTER a,
      RENAME COLUMN i TO j, ALTER COLUMN k SET DEFAULT 1, ALTER l DROP DEFAULT, ALTER COLUMN m SET INVISIBLE,
      ADD INDEX ix (a), ADD UNIQUE KEY ux (b), DROP INDEX old, DROP KEY old2, DROP PRIMARY KEY, ADD PRIMARY KEY (a, b),
      RENAME INDEX p TO q, ALTER INDEX q INVISIBLE,
      ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES o (id) ON DELETE CASCADE, DROP FOREIGN KEY fk2,
      ADD CONSTRAINT ck CHECK (a > 0), DROP CHECK ck2, DROP CONSTRAINT c3,
      ENGINE=InnoDB ROW_FORMAT=COMPRESSED, CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,
      DEFAULT CHARSET=latin1, FORCE, RENAME TO t2, ALGORITHM=INPLACE, LOCK=SHARED`);
    expect(s.actions.map((a) => a.type)).toEqual([
      'add-column', 'add-column', 'add-column', 'add-column', 'drop-column', 'modify-column', 'change-column',
      'rename-column', 'set-default', 'drop-default', 'column-visibility', 'add-index', 'add-index', 'drop-index', 'drop-index',
      'drop-primary-key', 'add-index', 'rename-index', 'index-visibility', 'add-foreign-key', 'drop-foreign-key', 'add-check',
      'drop-check', 'drop-constraint', 'table-options', 'convert-charset', 'table-options', 'force', 'rename-table',
    ]);
    expect(s.algorithm).toBe('inplace');
    expect(s.lock).toBe('shared');
    const [a, b] = s.actions as any[];
    expect(a.position).toEqual({ first: true });
    expect(b.position).toEqual({ after: 'a' });
    expect(s.actions[6]).toMatchObject({ oldName: 'g', column: { name: 'h' }, position: { after: 'a' } });
    expect(s.actions[24]).toMatchObject({ options: { engine: 'InnoDB', row_format: 'COMPRESSED' } });
    expect(s.actions[25]).toMatchObject({ charset: 'utf8mb4', collation: 'utf8mb4_general_ci' });
    expect(s.actions[19]).toMatchObject({ foreignKey: { name: 'fk', columns: ['a'], references: { name: 'o' }, onDelete: 'CASCADE' } });
    // each clause's span is its text
    const text = s.text;
    expect(text.slice(s.actions[1]!.span.start - s.span.start, s.actions[1]!.span.end - s.span.start)).toBe('ADD b VARCHAR(10) AFTER a');
  });

  test('MariaDB: ONLINE, IGNORE, IF EXISTS, WAIT/NOWAIT, IF [NOT] EXISTS on columns and indexes', () => {
    const s = alter('ALTER ONLINE IGNORE TABLE IF EXISTS t NOWAIT ADD COLUMN IF NOT EXISTS x INT, DROP INDEX IF EXISTS y, ADD INDEX IF NOT EXISTS z (x), ALGORITHM=NOCOPY');
    expect(s).toMatchObject({ online: true, ignore: true, ifExists: true, wait: 0, algorithm: 'nocopy' });
    expect(s.actions).toMatchObject([{ ifNotExists: true }, { ifExists: true }, { index: { ifNotExists: true, name: 'z' } }]);
    expect(alter('ALTER TABLE t WAIT 10 ENGINE=InnoDB').wait).toBe(10);
  });

  test('partition clauses', () => {
    expect(alter('ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (2030))').actions[0]).toMatchObject({ type: 'partition', op: 'add', partitions: ['p3'] });
    expect(alter('ALTER TABLE t DROP PARTITION p0, p1').actions[0]).toMatchObject({ op: 'drop', partitions: ['p0', 'p1'] });
    expect(alter('ALTER TABLE t TRUNCATE PARTITION ALL').actions[0]).toMatchObject({ op: 'truncate' });
    expect(alter('ALTER TABLE t REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (1), PARTITION b VALUES LESS THAN (2))').actions[0]).toMatchObject({ op: 'reorganize' });
    expect(alter('ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE u WITHOUT VALIDATION').actions[0]).toMatchObject({ op: 'exchange' });
    expect(alter('ALTER TABLE t REMOVE PARTITIONING').actions[0]).toMatchObject({ op: 'remove' });
    expect(alter('ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4').actions[0]).toMatchObject({ op: 'partition-by' });
  });
});

describe('mysql parser: other statements', () => {
  test('CREATE/DROP INDEX, DROP/RENAME TABLE, maintenance', () => {
    expect(one('CREATE UNIQUE INDEX IF NOT EXISTS ix USING HASH ON t (a(10), (lower(b)) DESC) WAIT 3 ALGORITHM = INPLACE LOCK = NONE')).toMatchObject({
      kind: 'create-index', table: { name: 't' }, wait: 3, algorithm: 'inplace', lock: 'none',
      index: { name: 'ix', kind: 'unique', using: 'HASH', ifNotExists: true, parts: [{ column: 'a', length: 10 }, { expression: 'lower(b)', descending: true }] },
    });
    expect(one('DROP INDEX `ix` ON db.t ALGORITHM=INPLACE')).toMatchObject({ kind: 'drop-index', name: 'ix', table: { schema: 'db', name: 't' }, algorithm: 'inplace' });
    expect(one('DROP TEMPORARY TABLE IF EXISTS a, b')).toMatchObject({ kind: 'drop-table', tables: [{ name: 'a' }, { name: 'b' }], ifExists: true, temporary: true });
    expect(one('RENAME TABLE a TO b, c TO d')).toMatchObject({ kind: 'rename-table', renames: [{ from: { name: 'a' }, to: { name: 'b' } }, { from: { name: 'c' }, to: { name: 'd' } }] });
    expect(one('TRUNCATE TABLE t')).toMatchObject({ kind: 'truncate', tables: [{ name: 't' }] });
    expect(one('OPTIMIZE NO_WRITE_TO_BINLOG TABLE a, b')).toMatchObject({ kind: 'optimize', tables: [{ name: 'a' }, { name: 'b' }] });
    expect(one('ANALYZE TABLE t PERSISTENT FOR ALL')).toMatchObject({ kind: 'analyze' });
  });

  test('SET in its forms, and SET STATEMENT … FOR on the inner statement', () => {
    expect(one("SET SESSION lock_wait_timeout = 5, sql_mode = 'STRICT_ALL_TABLES'")).toMatchObject({
      kind: 'set', assignments: [{ scope: 'session', name: 'lock_wait_timeout', literal: 5 }, { scope: 'session', name: 'sql_mode', literal: 'STRICT_ALL_TABLES' }],
    });
    expect(one('SET @@GLOBAL.max_statement_time = 10')).toMatchObject({ assignments: [{ scope: 'global', name: 'max_statement_time', literal: 10 }] });
    expect(one('SET foreign_key_checks=0')).toMatchObject({ assignments: [{ name: 'foreign_key_checks', literal: 0 }] });
    expect(one('SET foreign_key_checks = OFF')).toMatchObject({ assignments: [{ literal: 0 }] });
    expect(one('SET lock_wait_timeout = DEFAULT')).toMatchObject({ assignments: [{ value: 'DEFAULT' }] });
    expect((one('SET lock_wait_timeout = DEFAULT') as any).assignments[0].literal).toBeUndefined();
    expect(one('SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci')).toMatchObject({ kind: 'set', special: 'names', assignments: [] });
    expect(one('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')).toMatchObject({ special: 'transaction' });
    const s = one('SET STATEMENT lock_wait_timeout=2, max_statement_time=60 FOR ALTER TABLE t ADD x INT');
    expect(s).toMatchObject({ kind: 'alter-table', statementSettings: [{ name: 'lock_wait_timeout', literal: 2 }, { name: 'max_statement_time', literal: 60 }] });
    expect(s.span.start).toBe(0);
  });

  test('transactions, locks, USE, DML, DELIMITER, object headers, other', () => {
    const sql = `BEGIN; START TRANSACTION; COMMIT; ROLLBACK; SAVEPOINT s; ROLLBACK TO SAVEPOINT s; LOCK TABLES t WRITE, u AS x READ; UNLOCK TABLES; USE app;
UPDATE t SET a = 1; UPDATE t SET a = (SELECT 1 WHERE 1) ; DELETE FROM t WHERE id = 1; INSERT INTO t VALUES (1); GRANT SELECT ON *.* TO x; FLUSH PRIVILEGES;
DELIMITER //
CREATE DEFINER=\`root\`@\`%\` TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN INSERT INTO log VALUES (1); END//
DELIMITER ;
CREATE OR REPLACE VIEW v AS SELECT 1; DROP PROCEDURE IF EXISTS p; CREATE DATABASE IF NOT EXISTS d; ALTER DATABASE d CHARACTER SET utf8mb4;`;
    const r = parseMysql(sql);
    expect(r.statements.map((s) => s.kind)).toEqual([
      'begin', 'begin', 'commit', 'rollback', 'savepoint', 'rollback-to-savepoint', 'lock-tables', 'unlock-tables', 'use',
      'update', 'update', 'delete', 'insert', 'other', 'other', 'delimiter', 'create-trigger', 'delimiter', 'create-view', 'drop-routine', 'create-database', 'alter-database',
    ]);
    const s = r.statements as any[];
    expect(s[6].tables).toEqual([{ table: { name: 't' }, mode: 'write' }, { table: { name: 'u' }, mode: 'read' }]);
    expect(s[9]).toMatchObject({ table: { name: 't' }, noWhere: true });
    expect(s[10]).toMatchObject({ noWhere: true });
    expect(s[11]).toMatchObject({ table: { name: 't' }, noWhere: false });
    expect(s[13].verb).toBe('grant');
    expect(s[16]).toMatchObject({ name: { name: 'trg' }, table: { name: 't' }, timing: 'after', event: 'insert' });
    expect(s[18]).toMatchObject({ orReplace: true, name: { name: 'v' } });
    expect(s[19]).toMatchObject({ ifExists: true });
  });

  test('executable comments follow the target version', () => {
    const sql = '/*!40101 SET NAMES utf8 */; /*M!100500 ALTER TABLE t ADD c INT */;';
    expect(parseMysql(sql, 0, { server: { flavor: 'mysql', major: 8, minor: 0 } }).statements.map((s) => s.kind)).toEqual(['set']);
    expect(parseMysql(sql, 0, { server: { flavor: 'mariadb', major: 10, minor: 11 } }).statements.map((s) => s.kind)).toEqual(['set', 'alter-table']);
  });

  test('offsets are file offsets; an unterminated string in DML is a syntax error, never a throw', () => {
    const r = parseMysql('ALTER TABLE t ADD c INT', 1000);
    expect(r.statements[0]!.span).toEqual({ start: 1000, end: 1023 });
    const bad = parseMysql("SELECT 'abc");
    expect(bad.statements).toEqual([]);
    expect(bad.syntaxErrors[0]).toMatchObject({ message: 'unterminated string', offset: 7 });
    expect(parseMysql("ALTER TABLE t COMMENT 'x").statements[0]).toMatchObject({ kind: 'unparsed', reason: 'unterminated string' });
  });
});
