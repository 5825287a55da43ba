/**
 * `--db mysql://…` / `mariadb://…`: the server's flavor and version, the schema of the URL's database
 * (tables, columns with type, length and charset, indexes, foreign keys, checks, table options), table
 * sizes, and the session settings a migration starts with — read from information_schema in one
 * READ ONLY transaction with a consistent snapshot. Nothing is written.
 */
import { LockstepError } from '../../core/errors.js';
import { redactIn, redactUrl } from '../../core/redact.js';
import { parseVersionText, type ServerVersion } from '../../core/version.js';
import type { TargetFacts } from '../dialect.js';
import { MysqlCatalog, type MyColumn, type MyIndex, type MyTable } from './catalog.js';
import { connectMysql, type MyDb } from './driver.js';
import { parseColumnType } from './types.js';

export async function introspectMysql(url: string, where = '--db'): Promise<TargetFacts<MysqlCatalog>> {
  const db = await connectMysql(url, { where, readOnly: true });
  try {
    return await readFacts(db);
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where, message: `reading the schema of ${redactUrl(url)} failed: ${redactIn(String(e?.message ?? e), url)}` }], { cause: e });
  } finally {
    await db.close();
  }
}

/** The flavor and version from `SELECT VERSION()`: `10.11.19-MariaDB-0+deb12u1`, `8.0.36`, `8.4.0-commercial`. */
export function serverVersionOf(version: string): ServerVersion | undefined {
  const flavor = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  // MariaDB 10.x behind a replication-compatible prefix: `5.5.5-10.11.6-MariaDB`.
  const text = version.replace(/^5\.5\.5-/, '');
  const m = /^(\d+\.\d+(?:\.\d+)?)/.exec(text);
  return m ? parseVersionText(m[1]!, flavor) : undefined;
}

async function readFacts(db: MyDb): Promise<TargetFacts<MysqlCatalog>> {
  await db.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  const [info] = await db.query<{ v: string; db: string | null; lwt: string; cs: string; binlog: string | null; mode: string }>(
    'SELECT VERSION() AS v, DATABASE() AS db, @@lock_wait_timeout AS lwt, @@character_set_server AS cs, @@binlog_format AS binlog, @@sql_mode AS mode',
  );
  const version = serverVersionOf(info!.v);
  if (!version) throw new LockstepError('E_DATABASE', [{ where: '--db', message: `cannot read the server version from ${JSON.stringify(info!.v)}` }]);
  if (!info!.db) throw new LockstepError('E_USAGE', [{ where: '--db', message: 'the URL names no database: add it as the path, e.g. mysql://user@host:3306/app' }]);
  // The statement timeout has a different name and unit per flavor.
  const [st] = await db.query<{ ms: string }>(version.flavor === 'mariadb' ? 'SELECT @@max_statement_time * 1000 AS ms' : 'SELECT @@max_execution_time AS ms');

  const cat = new MysqlCatalog();
  cat.complete = true;
  cat.defaultCharset = info!.cs;
  cat.server = { sqlModeStrict: /STRICT_(TRANS|ALL)_TABLES/i.test(info!.mode), ...(info!.binlog ? { binlogFormat: info!.binlog } : {}) };

  const tables = await db.query<{ name: string; engine: string | null; row_format: string | null; rows: string | null; bytes: string | null; charset: string | null; options: string | null }>(
    `SELECT t.TABLE_NAME AS name, t.ENGINE AS engine, t.ROW_FORMAT AS row_format, t.TABLE_ROWS AS \`rows\`, t.DATA_LENGTH + t.INDEX_LENGTH AS bytes,
            c.CHARACTER_SET_NAME AS charset, t.CREATE_OPTIONS AS options
       FROM information_schema.TABLES t LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION
      WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'`,
  );
  const byName = new Map<string, MyTable>();
  for (const t of tables) {
    const table: MyTable = {
      name: { name: t.name },
      columns: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
      ...(t.engine ? { engine: t.engine } : {}),
      ...(t.row_format ? { rowFormat: t.row_format } : {}),
      ...(t.charset ? { charset: t.charset } : {}),
      ...(/partitioned/i.test(t.options ?? '') ? { partitioned: true } : {}),
      ...(t.rows !== null ? { rows: Number(t.rows) } : {}),
      ...(t.bytes !== null ? { bytes: Number(t.bytes) } : {}),
    };
    byName.set(t.name, table);
    cat.create(table);
  }

  const cols = await db.query<{ t: string; name: string; type: string; charset: string | null; collation: string | null; nullable: string; def: string | null; extra: string; gen: string | null }>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS name, COLUMN_TYPE AS type, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation,
            IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def, EXTRA AS extra, GENERATION_EXPRESSION AS gen
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  );
  for (const c of cols) {
    const t = byName.get(c.t);
    if (!t) continue; // a view's columns
    const extra = c.extra.toLowerCase();
    const col: MyColumn = {
      name: c.name,
      type: parseColumnType(c.type),
      ...(c.charset ? { charset: c.charset } : {}),
      ...(c.collation ? { collation: c.collation } : {}),
      nullable: c.nullable === 'YES',
      // MariaDB prints a NULL default as the text NULL; CURRENT_TIMESTAMP as current_timestamp().
      default: c.def === null || c.def === 'NULL' ? 'none' : /^current_timestamp/i.test(c.def) ? 'current-timestamp' : extra.includes('default_generated') ? 'expression' : 'literal',
      ...(extra.includes('virtual') ? { generated: 'virtual' as const } : extra.includes('stored') || extra.includes('persistent') ? { generated: 'stored' as const } : {}),
      ...(extra.includes('auto_increment') ? { autoIncrement: true } : {}),
    };
    t.columns.push(col);
  }

  const stats = await db.query<{ t: string; name: string; non_unique: string | number; col: string | null; type: string }>(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS name, NON_UNIQUE AS non_unique, COLUMN_NAME AS col, INDEX_TYPE AS type
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
  );
  for (const s of stats) {
    const t = byName.get(s.t);
    if (!t) continue;
    let ix = t.indexes.find((i) => i.name === s.name);
    if (!ix) {
      const kind: MyIndex['kind'] = s.name === 'PRIMARY' ? 'primary' : s.type === 'FULLTEXT' ? 'fulltext' : s.type === 'SPATIAL' ? 'spatial' : Number(s.non_unique) === 0 ? 'unique' : 'index';
      ix = { name: s.name, columns: [], kind };
      t.indexes.push(ix);
    }
    if (s.col) ix.columns.push(s.col); // an expression part (MySQL 8 functional index) has no column
  }

  const fks = await db.query<{ t: string; name: string; col: string; ref_schema: string; ref_table: string; db: string }>(
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name, COLUMN_NAME AS col, REFERENCED_TABLE_SCHEMA AS ref_schema, REFERENCED_TABLE_NAME AS ref_table, DATABASE() AS db
       FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
  );
  for (const f of fks) {
    const t = byName.get(f.t);
    if (!t) continue;
    let fk = t.foreignKeys.find((x) => x.name === f.name);
    if (!fk) t.foreignKeys.push((fk = { name: f.name, columns: [], references: f.ref_schema === f.db ? { name: f.ref_table } : { schema: f.ref_schema, name: f.ref_table } }));
    fk.columns.push(f.col);
  }

  const checks = await db.query<{ t: string; name: string }>(
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK'`,
  );
  for (const c of checks) byName.get(c.t)?.checks.push(c.name);

  // MySQL 8.0.29+: how many of the 64 INSTANT row versions each table has used.
  if (version.flavor === 'mysql') {
    try {
      const rv = await db.query<{ name: string; v: string }>(
        `SELECT SUBSTRING_INDEX(NAME, '/', -1) AS name, TOTAL_ROW_VERSIONS AS v FROM information_schema.INNODB_TABLES WHERE NAME LIKE CONCAT(DATABASE(), '/%')`,
      );
      for (const r of rv) {
        const t = byName.get(r.name);
        if (t) t.rowVersions = Number(r.v);
      }
    } catch {
      // Before 8.0.29 the column does not exist: there is no cap to track.
    }
  }
  await db.query('COMMIT');

  return {
    version,
    catalog: cat,
    settings: {
      lockTimeoutMs: Number(info!.lwt) * 1000,
      statementTimeoutMs: Number(st?.ms ?? 0),
      source: "the database's settings for this user",
    },
  };
}
