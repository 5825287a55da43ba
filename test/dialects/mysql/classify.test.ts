/** classifyMysql on SQL read by lockstep's parser, with the catalog built from CREATE TABLEs. */
import { describe, expect, it } from 'vitest';
import { parseMysql } from '../../../src/dialects/mysql/parser.js';
import { classifyMysql } from '../../../src/dialects/mysql/classify.js';
import { MysqlCatalog, type MyIndex } from '../../../src/dialects/mysql/catalog.js';
import type { MyStatement } from '../../../src/dialects/mysql/ast.js';
import { parseVersionText, type ServerVersion } from '../../../src/core/version.js';

const SCHEMA = `
CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, bio TEXT, FULLTEXT KEY ft_bio (bio)) DEFAULT CHARSET=utf8mb4;
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  status ENUM('new','paid') NOT NULL DEFAULT 'new',
  note VARCHAR(50),
  tag VARCHAR(20),
  ref VARCHAR(200) CHARACTER SET latin1,
  amount DECIMAL(10,2),
  KEY ix_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;`;

function catalog(): MysqlCatalog {
  const cat = new MysqlCatalog();
  for (const s of parseMysql(SCHEMA).statements) {
    if (s.kind !== 'create-table') continue;
    const indexes: MyIndex[] = s.indexes.map((i) => ({ name: i.name ?? 'PRIMARY', kind: i.kind, columns: i.parts.map((p) => p.column!).filter(Boolean) }));
    for (const c of s.columns) if (c.primaryKey) indexes.push({ name: 'PRIMARY', kind: 'primary', columns: [c.name] });
    cat.create({
      name: s.table,
      columns: s.columns.map((c) => ({ name: c.name, type: c.type, ...(c.charset ? { charset: c.charset } : {}), nullable: c.nullable ?? !c.primaryKey, default: c.default ? (c.default.kind === 'null' ? 'none' : c.default.kind) : 'none' })),
      indexes,
      foreignKeys: [],
      checks: [],
      charset: s.options.charset ?? s.options.default_charset ?? 'utf8mb4',
    });
  }
  return cat;
}

const MARIADB = parseVersionText('10.11.19', 'mariadb')!;
const MYSQL = parseVersionText('8.0.36', 'mysql')!;

function one(sql: string, server: ServerVersion = MARIADB, session = { foreignKeyChecks: true, sqlModeStrict: true }) {
  const stmts = parseMysql(sql).statements;
  expect(stmts).toHaveLength(1);
  return classifyMysql(stmts[0] as MyStatement, { server, catalog: catalog(), session });
}

describe('classifyMysql', () => {
  it('ADD COLUMN at the end is instant, proven on MariaDB 10.11, documented only for MySQL', () => {
    const m = one('ALTER TABLE orders ADD COLUMN coupon VARCHAR(20)');
    expect(m.parts.map((p) => p.entry)).toEqual(['add-column-last']);
    expect(m).toMatchObject({ algorithm: 'instant', lock: 'none', rebuild: false, blocksWrites: false, metadataLock: true, implicitCommit: true, proven: true });
    const y = one('ALTER TABLE orders ADD COLUMN coupon VARCHAR(20)', MYSQL);
    expect(y).toMatchObject({ algorithm: 'instant', proven: false, rowVersions: 1 });
    expect(y.parts[0]!.source).toMatch(/MySQL 8\.0 Reference Manual/);
  });

  it('a table with a FULLTEXT index cannot add a column instantly', () => {
    expect(one('ALTER TABLE customers ADD COLUMN phone VARCHAR(20)')).toMatchObject({ algorithm: 'inplace', lock: 'shared', rebuild: true, blocksWrites: true });
  });

  it('ADD COLUMN AFTER: INPLACE rebuild before MySQL 8.0.29, instant from 8.0.29', () => {
    expect(one('ALTER TABLE orders ADD COLUMN c INT AFTER id', parseVersionText('8.0.20', 'mysql')!)).toMatchObject({ algorithm: 'inplace', rebuild: true });
    expect(one('ALTER TABLE orders ADD COLUMN c INT AFTER id', parseVersionText('8.0.30', 'mysql')!)).toMatchObject({ algorithm: 'instant', rebuild: false, rowVersions: 1 });
  });

  it('VARCHAR growth: the length-prefix class is counted in the column charset bytes', () => {
    const same = one('ALTER TABLE orders MODIFY note VARCHAR(63)'); // utf8mb4 200 → 252 bytes
    expect(same.parts[0]).toMatchObject({ entry: 'varchar-extend-same-prefix', algorithm: 'instant' });
    expect(same.parts[0]!.detail).toMatch(/200 → 252 bytes/);
    const cross = one('ALTER TABLE orders MODIFY note VARCHAR(64)'); // 200 → 256 bytes
    expect(cross.parts[0]!.entry).toBe('varchar-extend-cross-prefix');
    expect(cross).toMatchObject({ algorithm: 'copy', lock: 'shared', rebuild: true, blocksWrites: true, blocksReads: false });
    // MariaDB: from ≤ 127 bytes the stored lengths keep one byte, so crossing is instant there; MySQL copies.
    expect(one('ALTER TABLE orders MODIFY tag VARCHAR(64)')).toMatchObject({ algorithm: 'instant' });
    expect(one('ALTER TABLE orders MODIFY tag VARCHAR(64)', MYSQL)).toMatchObject({ algorithm: 'copy' });
    // latin1: 200 → 255 bytes stays, 256 crosses.
    expect(one('ALTER TABLE orders MODIFY ref VARCHAR(255) CHARACTER SET latin1').parts[0]!.entry).toBe('varchar-extend-same-prefix');
    expect(one('ALTER TABLE orders MODIFY ref VARCHAR(256) CHARACTER SET latin1').parts[0]!.entry).toBe('varchar-extend-cross-prefix');
    // MODIFY without CHARACTER SET converts a latin1 column to the table's utf8mb4.
    expect(one('ALTER TABLE orders MODIFY ref VARCHAR(200)').parts[0]!.entry).toBe('column-charset');
  });

  it('ENUM: appending is instant, inserting before the end copies', () => {
    expect(one("ALTER TABLE orders MODIFY status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new'").parts.map((p) => p.entry)).toEqual(['enum-append']);
    expect(one("ALTER TABLE orders MODIFY status ENUM('new','pending','paid') NOT NULL DEFAULT 'new'")).toMatchObject({ algorithm: 'copy', parts: [{ entry: 'enum-reorder' }] });
  });

  it('MODIFY without NOT NULL makes a NOT NULL column nullable; adding NOT NULL depends on strict mode only in the note', () => {
    expect(one('ALTER TABLE orders MODIFY customer_id INT').parts.map((p) => p.entry)).toEqual(['make-nullable']);
    const nn = one('ALTER TABLE orders MODIFY note VARCHAR(50) NOT NULL', MARIADB, { foreignKeyChecks: true, sqlModeStrict: false });
    expect(nn).toMatchObject({ algorithm: 'inplace', lock: 'none', rebuild: true });
    expect(nn.parts[0]!.detail).toMatch(/not strict/);
  });

  it('ALGORITHM clause: MySQL runs exactly the one named, MariaDB treats it as a floor', () => {
    expect(one('ALTER TABLE orders ADD COLUMN c INT, ALGORITHM=INPLACE', MYSQL)).toMatchObject({ effective: { algorithm: 'inplace' }, rebuild: true });
    expect(one('ALTER TABLE orders ADD COLUMN c INT, ALGORITHM=INPLACE')).toMatchObject({ effective: { algorithm: 'instant' }, rebuild: false });
    expect(one('ALTER TABLE orders ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=NONE', MYSQL).refused).toMatch(/Incorrect usage of ALGORITHM=INSTANT and LOCK/);
    expect(one('ALTER TABLE orders ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=NONE').refused).toBeUndefined();
  });

  it('refusals in the server words', () => {
    expect(one('ALTER TABLE orders MODIFY amount DECIMAL(14,2), ALGORITHM=INSTANT').refused).toBe('ALGORITHM=INSTANT is not supported for this operation. Try ALGORITHM=COPY');
    expect(one('ALTER TABLE orders MODIFY amount DECIMAL(14,2), LOCK=NONE').refused).toMatch(/^LOCK=NONE is not supported\. Reason: .*Try LOCK=SHARED$/);
    expect(one('ALTER TABLE orders ADD INDEX ix_note (note), ALGORITHM=INSTANT').refused).toBe('ALGORITHM=INSTANT is not supported for this operation. Try ALGORITHM=NOCOPY');
    expect(one('ALTER TABLE orders RENAME TO orders2, LOCK=NONE').refused).toBe('LOCK=NONE/SHARED is not supported for this operation. Try LOCK=EXCLUSIVE');
    expect(one('DROP INDEX ix_customer ON orders ALGORITHM=INPLACE').refused).toMatch(/syntax/);
    expect(one('DROP INDEX ix_customer ON orders ALGORITHM=INPLACE', MYSQL).refused).toBeUndefined();
  });

  it('foreign keys: validated (copy) with foreign_key_checks on, NOCOPY off', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id)';
    expect(one(sql)).toMatchObject({ algorithm: 'copy', blocksWrites: true, parts: [{ entry: 'add-foreign-key' }] });
    expect(one(sql, MARIADB, { foreignKeyChecks: false, sqlModeStrict: true })).toMatchObject({ algorithm: 'nocopy', lock: 'none', parts: [{ entry: 'add-foreign-key-unchecked' }] });
  });

  it('combines parts: weakest algorithm, strongest lock, rebuild if any (instant ADD COLUMN + index rebuilds)', () => {
    expect(one('ALTER TABLE orders ADD COLUMN c INT, ADD INDEX ix_c (c)')).toMatchObject({ algorithm: 'inplace', lock: 'none', rebuild: true });
    expect(one('ALTER TABLE orders ADD INDEX ix_a (amount), MODIFY amount DECIMAL(12,2)')).toMatchObject({ algorithm: 'copy', lock: 'shared' });
    expect(one('ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, customer_id)').parts.map((p) => p.entry)).toEqual(['replace-primary-key']);
  });

  it('an unknown column is said and the conservative case assumed', () => {
    const e = one('ALTER TABLE orders MODIFY nope INT');
    expect(e).toMatchObject({ algorithm: 'copy', parts: [{ entry: 'change-type' }] });
    expect(e.parts[0]!.detail).toMatch(/not in the catalog/);
    expect(one('ALTER TABLE elsewhere DROP COLUMN x').parts[0]).toMatchObject({ entry: 'drop-column-indexed' });
  });

  it('other statements', () => {
    expect(one('CREATE INDEX ix_n ON orders (note)')).toMatchObject({ algorithm: 'nocopy', lock: 'none', scan: true });
    expect(one('RENAME TABLE orders TO orders_old').parts[0]!.entry).toBe('rename-table');
    expect(one('OPTIMIZE TABLE orders')).toMatchObject({ rebuild: true, parts: [{ entry: 'optimize-table' }] });
    expect(one('TRUNCATE TABLE orders')).toMatchObject({ lock: 'exclusive', blocksReads: true });
    expect(one('CREATE TABLE x (id INT PRIMARY KEY)')).toMatchObject({ metadataLock: false, implicitCommit: true });
    expect(one('SELECT 1')).toMatchObject({ parts: [], metadataLock: false, implicitCommit: false });
  });
});
