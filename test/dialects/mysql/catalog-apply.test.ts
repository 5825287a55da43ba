/**
 * The proof of catalog-apply: the catalog after a sequence of statements equals what MariaDB 10.11's
 * information_schema says after running the same statements (read with introspectMysql).
 */
import { expect } from 'vitest';
import { describeMariadb, freshMysqlDatabase, itMariadb } from '../../helpers/mariadb.js';
import { parseMysql } from '../../../src/dialects/mysql/parser.js';
import { applyStatement } from '../../../src/dialects/mysql/catalog-apply.js';
import { MysqlCatalog, type MyTable } from '../../../src/dialects/mysql/catalog.js';
import { introspectMysql } from '../../../src/dialects/mysql/introspect.js';

const SIZED = new Set(['char', 'varchar', 'binary', 'varbinary', 'decimal', 'bit', 'float', 'double', 'datetime', 'timestamp', 'time']);

/** The facts both sides must agree on (integer display widths are a server display detail; MariaDB stores JSON as LONGTEXT). */
function shape(t: MyTable) {
  return {
    engine: t.engine?.toLowerCase(),
    charset: t.charset,
    columns: t.columns.map((c) => {
      const name = c.type.name === 'json' ? 'longtext' : c.type.name;
      return [
        c.name,
        name,
        SIZED.has(name) ? (c.type.length ?? null) : null,
        SIZED.has(name) ? (c.type.scale ?? null) : null,
        !!c.type.unsigned,
        c.type.members ?? null,
        ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set'].includes(name) ? (c.charset ?? null) : null,
        c.nullable,
        c.default === 'none' ? 'none' : c.default === 'current-timestamp' ? 'now' : 'value',
        c.generated ?? null,
        !!c.autoIncrement,
      ];
    }),
    indexes: t.indexes.map((i) => `${i.name}:${i.kind}:${i.columns.join(',')}`).sort(),
    foreignKeys: t.foreignKeys.map((f) => `${f.name}:${f.columns.join(',')}->${f.references.name}`).sort(),
    checks: [...t.checks].sort(),
    partitioned: !!t.partitioned,
  };
}

/** Runs `steps` (one migration each) on a fresh database and through the catalog; compares after each. */
async function prove(steps: string[]) {
  const db = await freshMysqlDatabase();
  const catalog = new MysqlCatalog();
  catalog.defaultCharset = 'utf8mb4'; // the test database's default
  const conn = await db.connect();
  for (const [n, sql] of steps.entries()) {
    const parsed = parseMysql(sql, 0, { server: { flavor: 'mariadb', major: 10, minor: 11 } });
    for (const s of parsed.statements) {
      expect(s.kind, `${s.text}: ${(s as any).reason}`).not.toBe('unparsed');
      await conn.query(s.text);
      applyStatement(catalog, s, `m${n}`, { flavor: 'mariadb' });
    }
    const facts = await introspectMysql(db.url, 'test');
    const real = Object.fromEntries([...facts.catalog.tables.values()].map((t) => [t.name.name, shape(t)]));
    const mine = Object.fromEntries([...catalog.tables.values()].map((t) => [t.name.name, shape(t)]));
    expect(mine, `after step ${n}: ${sql}`).toEqual(real);
  }
}

describeMariadb('catalog-apply agrees with MariaDB information_schema', () => {
  itMariadb('CREATE TABLE: types, charsets, inline and table keys, generated names, FKs and their indexes, checks', async () => {
    await prove([
      `CREATE TABLE orgs (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL UNIQUE, code CHAR(3) CHARACTER SET latin1) ENGINE=InnoDB`,
      `CREATE TABLE users (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        org_id INT,
        email VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
        nick VARCHAR(30),
        status ENUM('active','it''s') NOT NULL DEFAULT 'active',
        flags SET('a','b') DEFAULT NULL,
        bio TEXT,
        amount DECIMAL NOT NULL DEFAULT 0,
        price DECIMAL(12,3),
        ok BOOLEAN DEFAULT TRUE,
        doc JSON,
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at DATETIME(3) NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(3),
        lower_email VARCHAR(255) AS (lower(email)) VIRTUAL,
        len INT AS (length(email)) PERSISTENT,
        age INT CHECK (age > 0),
        PRIMARY KEY (id),
        UNIQUE KEY (email),
        UNIQUE (email),
        KEY (nick, email),
        INDEX named (created_at),
        FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE SET NULL,
        CHECK (amount >= 0),
        CONSTRAINT amount_max CHECK (amount < 1000)
      ) DEFAULT CHARSET=latin1`,
      `CREATE TABLE copy LIKE users`,
      `CREATE TABLE t3 (a INT, b INT, CONSTRAINT fk_b FOREIGN KEY (b) REFERENCES orgs (id), CONSTRAINT fk_a FOREIGN KEY idx_a (a) REFERENCES orgs (id), KEY (a)) DEFAULT COLLATE utf8mb3_general_ci`,
      `CREATE TABLE p (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d)) (PARTITION p0 VALUES LESS THAN (2020), PARTITION p1 VALUES LESS THAN MAXVALUE)`,
    ]);
  }, 60_000);

  itMariadb('ALTER TABLE: columns placed FIRST/AFTER, modify/change/rename, keys, FKs, checks, options, charset conversion, renames', async () => {
    await prove([
      `CREATE TABLE a (id INT NOT NULL, name VARCHAR(50), note TINYTEXT, body TEXT CHARACTER SET latin1, PRIMARY KEY (id)) CHARSET latin1`,
      `CREATE TABLE b (id INT PRIMARY KEY, a_id INT)`,
      `ALTER TABLE a ADD COLUMN first_col INT FIRST, ADD after_id VARCHAR(10) AFTER id, ADD last_col INT NOT NULL DEFAULT 5, ALGORITHM=INPLACE`,
      `ALTER TABLE a ADD (x INT, y INT), ADD INDEX (x), ADD UNIQUE (y), ADD INDEX (x)`,
      `ALTER TABLE a MODIFY name VARCHAR(80) NOT NULL, CHANGE COLUMN after_id renamed VARCHAR(12) CHARACTER SET utf8mb4 AFTER last_col`,
      `ALTER TABLE a RENAME COLUMN x TO x2, ALTER COLUMN y SET DEFAULT 3, ALTER last_col DROP DEFAULT`,
      `ALTER TABLE a DROP COLUMN y, DROP INDEX x_2, RENAME INDEX x TO ix_x2`,
      `ALTER TABLE b ADD CONSTRAINT fk_ab FOREIGN KEY (a_id) REFERENCES a (id), ADD CHECK (a_id > 0), ADD CONSTRAINT named_ck CHECK (id > 0)`,
      `ALTER TABLE b ADD FOREIGN KEY (id) REFERENCES a (id)`,
      `ALTER TABLE b DROP FOREIGN KEY fk_ab, DROP CONSTRAINT named_ck`,
      `ALTER TABLE a ENGINE=InnoDB, ROW_FORMAT=COMPACT`,
      `ALTER TABLE a CONVERT TO CHARACTER SET utf8mb4`,
      `ALTER TABLE a DEFAULT CHARSET = latin1, ADD z VARCHAR(5)`,
      `ALTER TABLE a DROP PRIMARY KEY, ADD PRIMARY KEY (id, first_col)`,
      `CREATE INDEX by_name ON a (name(10))`,
      `DROP INDEX by_name ON a`,
      `ALTER TABLE a RENAME TO a2`,
      `RENAME TABLE a2 TO a3, b TO b2`,
      `DROP TABLE b2`,
    ]);
  }, 60_000);
});
