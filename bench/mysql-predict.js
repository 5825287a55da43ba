#!/usr/bin/env node
// MySQL effects: offline prediction vs the server. For a broad set of ALTERs over a few realistic tables
// (different charsets, ENUMs, indexes, a FULLTEXT index, foreign keys, a table without a primary key),
// predict the algorithm and lock offline — catalog built by parsing the CREATE TABLEs with lockstep's
// parser, then classifyMysql — and ask the MariaDB server: ALGORITHM=INSTANT → NOCOPY → INPLACE → COPY
// for the best accepted algorithm, LOCK=NONE → SHARED for the least accepted lock, each on a fresh copy
// of the tables, plus the tablespace id for the rebuild. Counts agreement (algorithm and lock both right).
//
//   npm run build && node bench/mysql-predict.js [--url mysql://root@127.0.0.1:3306] [--write]
// --write replaces the "MySQL effects: prediction vs server" section of bench/RESULTS.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import mysql from 'mysql2/promise';
import { parseMysql } from '../dist/dialects/mysql/parser.js';
import { classifyMysql } from '../dist/dialects/mysql/classify.js';
import { MysqlCatalog } from '../dist/dialects/mysql/catalog.js';
import { attempt, probe } from '../dist/dialects/mysql/alter-probe.js';
import { parseVersionText } from '../dist/core/version.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const url = new URL(args.includes('--url') ? args[args.indexOf('--url') + 1] : process.env.LOCKSTEP_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306');

const SCHEMA = [
  `CREATE TABLE customers (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  code CHAR(10) CHARACTER SET latin1,
  country VARCHAR(2) CHARACTER SET latin1 NOT NULL DEFAULT 'US',
  email VARCHAR(60),
  bio TEXT,
  tier ENUM('free','pro','enterprise') NOT NULL DEFAULT 'free',
  UNIQUE KEY uq_email (email),
  FULLTEXT KEY ft_bio (bio)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new',
  flags SET('gift','express'),
  note VARCHAR(50),
  ref VARCHAR(30) CHARACTER SET latin1,
  amount DECIMAL(10,2) NOT NULL DEFAULT 0,
  qty SMALLINT,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  KEY ix_customer (customer_id),
  KEY ix_created (created_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE events (
  id INT NOT NULL PRIMARY KEY,
  kind VARCHAR(40) NOT NULL,
  label VARCHAR(80),
  payload TEXT,
  ts TIMESTAMP NULL,
  score INT,
  KEY ix_kind (kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3`,
  `CREATE TABLE audit (
  id INT NOT NULL,
  msg VARCHAR(200) CHARACTER SET latin1,
  at DATETIME
) ENGINE=InnoDB DEFAULT CHARSET=latin1`,
];
const DATA = [
  `INSERT INTO customers (id, name, code, country, email, bio, tier) VALUES (1, 'Ann', 'A1', 'US', 'ann@example.com', 'likes tea', 'free'), (2, 'Bob', 'B2', 'DE', 'bob@example.com', 'likes coffee', 'pro')`,
  `INSERT INTO orders (customer_id, status, flags, note, ref, amount, qty) VALUES (1, 'new', 'gift', 'n1', 'r1', 10.5, 1), (2, 'paid', NULL, 'n2', 'r2', 20, 2), (1, 'shipped', 'express', 'n3', 'r3', 30, 3)`,
  `INSERT INTO events VALUES (1, 'click', 'l1', 'p', NULL, 1), (2, 'view', 'l2', 'q', NULL, 2)`,
  `INSERT INTO audit VALUES (1, 'm1', NULL), (2, 'm2', NULL)`,
];

// [table, ALTER] — the statements users write, across the effects table.
const ALTERS = [
  ['orders', "ALTER TABLE orders ADD COLUMN coupon VARCHAR(20)"],
  ['orders', "ALTER TABLE orders ADD COLUMN paid TINYINT(1) NOT NULL DEFAULT 0"],
  ['orders', "ALTER TABLE orders ADD COLUMN currency CHAR(3) NOT NULL DEFAULT 'EUR' AFTER amount"],
  ['orders', "ALTER TABLE orders ADD COLUMN first_col INT FIRST"],
  ['orders', "ALTER TABLE orders ADD COLUMN updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"],
  ['orders', "ALTER TABLE orders ADD COLUMN total DECIMAL(12,2) AS (amount * qty) VIRTUAL"],
  ['orders', "ALTER TABLE orders ADD COLUMN total_s DECIMAL(12,2) AS (amount * qty) STORED"],
  ['orders', "ALTER TABLE orders ADD COLUMN c1 INT, ADD COLUMN c2 INT"],
  ['orders', "ALTER TABLE orders ADD COLUMN c1 INT, ADD INDEX ix_c1 (c1)"],
  ['orders', "ALTER TABLE orders DROP COLUMN note"],
  ['orders', "ALTER TABLE orders DROP COLUMN created_at"],
  ['orders', "ALTER TABLE orders RENAME COLUMN note TO remark"],
  ['orders', "ALTER TABLE orders CHANGE note remark VARCHAR(50)"],
  ['orders', "ALTER TABLE orders CHANGE note remark VARCHAR(60)"],
  ['orders', "ALTER TABLE orders MODIFY note VARCHAR(50) AFTER id"],
  ['orders', "ALTER TABLE orders ALTER COLUMN qty SET DEFAULT 1"],
  ['orders', "ALTER TABLE orders ALTER COLUMN amount DROP DEFAULT"],
  ['orders', "ALTER TABLE orders MODIFY note VARCHAR(50) NOT NULL"],
  ['orders', "ALTER TABLE orders MODIFY amount DECIMAL(10,2) NULL DEFAULT 0"],
  ['orders', "ALTER TABLE orders MODIFY note VARCHAR(63)"],
  ['orders', "ALTER TABLE orders MODIFY note VARCHAR(64)"],
  ['orders', "ALTER TABLE orders MODIFY note VARCHAR(200)"],
  ['orders', "ALTER TABLE orders MODIFY note VARCHAR(20)"],
  ['orders', "ALTER TABLE orders MODIFY ref VARCHAR(255) CHARACTER SET latin1"],
  ['orders', "ALTER TABLE orders MODIFY ref VARCHAR(300) CHARACTER SET latin1"],
  ['orders', "ALTER TABLE orders MODIFY ref VARCHAR(30) CHARACTER SET utf8mb4"],
  ['orders', "ALTER TABLE orders MODIFY status ENUM('new','paid','shipped','refunded') NOT NULL DEFAULT 'new'"],
  ['orders', "ALTER TABLE orders MODIFY status ENUM('new','pending','paid','shipped') NOT NULL DEFAULT 'new'"],
  ['orders', "ALTER TABLE orders MODIFY flags SET('gift','express','fragile')"],
  ['orders', "ALTER TABLE orders MODIFY qty INT"],
  ['orders', "ALTER TABLE orders MODIFY amount DECIMAL(14,2) NOT NULL DEFAULT 0"],
  ['orders', "ALTER TABLE orders MODIFY id INT NOT NULL AUTO_INCREMENT"],
  ['orders', "ALTER TABLE orders ADD INDEX ix_status (status)"],
  ['orders', "ALTER TABLE orders ADD UNIQUE KEY uq_ref (ref)"],
  ['orders', "ALTER TABLE orders ADD INDEX ix_note (note(10))"],
  ['orders', "ALTER TABLE orders DROP INDEX ix_created"],
  ['orders', "ALTER TABLE orders RENAME INDEX ix_created TO ix_created_at"],
  ['orders', "ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer"],
  ['orders', "ALTER TABLE orders ADD CONSTRAINT ck_qty CHECK (qty > 0)"],
  ['orders', "ALTER TABLE orders ADD FULLTEXT INDEX ft_note (note)"],
  ['orders', "ALTER TABLE orders ENGINE=InnoDB"],
  ['orders', "ALTER TABLE orders FORCE"],
  ['orders', "ALTER TABLE orders ROW_FORMAT=COMPACT"],
  ['orders', "ALTER TABLE orders AUTO_INCREMENT=1000"],
  ['orders', "ALTER TABLE orders COMMENT='customer orders'"],
  ['orders', "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb3"],
  ['orders', "ALTER TABLE orders DEFAULT CHARSET=latin1"],
  ['orders', "ALTER TABLE orders RENAME TO orders_v2"],
  ['orders', "ALTER TABLE orders MODIFY note VARCHAR(50) INVISIBLE"],
  ['orders', "ALTER TABLE orders ALTER INDEX ix_created IGNORED"],
  ['customers', "ALTER TABLE customers ADD COLUMN phone VARCHAR(20)"],
  ['customers', "ALTER TABLE customers ADD FULLTEXT INDEX ft_name (name)"],
  ['customers', "ALTER TABLE customers DROP INDEX ft_bio"],
  ['customers', "ALTER TABLE customers MODIFY name VARCHAR(120) NOT NULL"],
  ['customers', "ALTER TABLE customers MODIFY name VARCHAR(60) NOT NULL"],
  ['customers', "ALTER TABLE customers MODIFY email VARCHAR(64)"],
  ['customers', "ALTER TABLE customers MODIFY country VARCHAR(3) CHARACTER SET latin1 NOT NULL DEFAULT 'US'"],
  ['customers', "ALTER TABLE customers MODIFY tier ENUM('free','pro','enterprise','partner') NOT NULL DEFAULT 'free'"],
  ['customers', "ALTER TABLE customers MODIFY tier ENUM('free','enterprise','pro') NOT NULL DEFAULT 'free'"],
  ['customers', "ALTER TABLE customers DROP INDEX uq_email, ADD UNIQUE KEY uq_email (email, name)"],
  ['customers', "ALTER TABLE customers FORCE"],
  ['events', "ALTER TABLE events ADD COLUMN source VARCHAR(10)"],
  ['events', "ALTER TABLE events MODIFY kind VARCHAR(80) NOT NULL"],
  ['events', "ALTER TABLE events MODIFY kind VARCHAR(90) NOT NULL"],
  ['events', "ALTER TABLE events MODIFY label VARCHAR(85)"],
  ['events', "ALTER TABLE events MODIFY label VARCHAR(90)"],
  ['events', "ALTER TABLE events MODIFY label VARCHAR(80) CHARACTER SET utf8mb4"],
  ['events', "ALTER TABLE events MODIFY score BIGINT"],
  ['events', "ALTER TABLE events MODIFY ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP"],
  ['events', "ALTER TABLE events MODIFY payload MEDIUMTEXT"],
  ['events', "ALTER TABLE events DROP PRIMARY KEY, ADD PRIMARY KEY (id, kind)"],
  ['events', "ALTER TABLE events DROP PRIMARY KEY"],
  ['events', "ALTER TABLE events ADD INDEX ix_score (score), DROP INDEX ix_kind"],
  ['events', "ALTER TABLE events ADD CONSTRAINT fk_events_customer FOREIGN KEY (score) REFERENCES customers (id)"],
  ['audit', "ALTER TABLE audit ADD PRIMARY KEY (id)"],
  ['audit', "ALTER TABLE audit ADD COLUMN seq INT NOT NULL AUTO_INCREMENT, ADD UNIQUE KEY (seq)"],
  ['audit', "ALTER TABLE audit MODIFY msg VARCHAR(255) CHARACTER SET latin1"],
  ['audit', "ALTER TABLE audit MODIFY msg VARCHAR(256) CHARACTER SET latin1"],
  ['audit', "ALTER TABLE audit ENGINE=Aria"],
  ['audit', "ALTER TABLE audit ADD INDEX ix_at (at)"],
];

const NAMES = /\b(customers|orders|orders_v2|events|audit|fk_orders_customer|fk_events_customer)\b/g;
const localize = (sql, k) => sql.replace(NAMES, (m) => `${m}_${k}`);

function connOpts(database) {
  return { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password), ...(database ? { database } : {}), multipleStatements: false };
}

/** The catalog from the CREATE TABLEs, parsed with lockstep's parser (as lint builds it from migration files). */
function offlineCatalog() {
  const cat = new MysqlCatalog();
  const parsed = parseMysql(SCHEMA.join(';\n') + ';');
  for (const s of parsed.statements) {
    if (s.kind !== 'create-table') throw new Error(`schema statement not parsed as CREATE TABLE: ${s.kind} ${s.reason ?? ''}`);
    const charset = (s.options.charset ?? s.options.default_charset ?? s.options.character_set ?? cat.defaultCharset).toLowerCase();
    const indexes = s.indexes.map((i) => ({ name: i.name ?? (i.kind === 'primary' ? 'PRIMARY' : i.parts[0]?.column ?? 'idx'), kind: i.kind, columns: i.parts.map((p) => p.column).filter(Boolean) }));
    for (const c of s.columns) {
      if (c.primaryKey) indexes.push({ name: 'PRIMARY', kind: 'primary', columns: [c.name] });
      if (c.unique) indexes.push({ name: c.name, kind: 'unique', columns: [c.name] });
    }
    const pkCols = new Set(indexes.filter((i) => i.kind === 'primary').flatMap((i) => i.columns.map((x) => x.toLowerCase())));
    cat.create({
      name: s.table,
      columns: s.columns.map((c) => ({
        name: c.name,
        type: c.type,
        ...(c.charset ? { charset: c.charset } : {}),
        nullable: c.nullable ?? !(c.primaryKey || pkCols.has(c.name.toLowerCase())),
        default: c.default ? (c.default.kind === 'null' ? 'none' : c.default.kind) : 'none',
        ...(c.generated ? { generated: c.generated.kind } : {}),
        ...(c.autoIncrement ? { autoIncrement: true } : {}),
      })),
      indexes,
      foreignKeys: s.foreignKeys.map((f) => ({ name: f.name ?? 'fk', columns: f.columns, references: f.references })),
      checks: s.checks.map((c) => c.expr),
      engine: s.options.engine ?? 'InnoDB',
      ...(s.options.row_format ? { rowFormat: s.options.row_format } : {}),
      charset,
    });
  }
  return cat;
}

async function main() {
  const admin = await mysql.createConnection(connOpts());
  const [[{ v }]] = await admin.query('SELECT VERSION() AS v');
  const server = parseVersionText(String(v), 'mariadb');
  const schema = `lockstep_bench_predict_${process.pid}`;
  await admin.query(`CREATE DATABASE \`${schema}\``);
  const conns = await Promise.all([0, 1, 2, 3].map(() => mysql.createConnection(connOpts(schema))));
  const free = [...conns];
  const waiting = [];
  const use = async (fn) => {
    const c = free.pop() ?? (await new Promise((r) => waiting.push(r)));
    try {
      return await fn(c);
    } finally {
      const n = waiting.shift();
      if (n) n(c);
      else free.push(c);
    }
  };
  let seq = 0;
  const catalog = offlineCatalog();
  const started = Date.now();
  const rows = [];
  try {
    await Promise.all(
      ALTERS.map(async ([table, sql]) => {
        const parsed = parseMysql(sql);
        const stmt = parsed.statements[0];
        const effect = stmt && stmt.kind === 'alter-table' ? classifyMysql(stmt, { server, catalog, session: { foreignKeyChecks: true, sqlModeStrict: true } }) : undefined;
        const run = (clause) =>
          use(async (c) => {
            const k = ++seq;
            const q = async (s) => (await c.query(s))[0];
            return attempt(q, { setup: [...SCHEMA, ...DATA].map((s) => localize(s, k)), statement: localize(sql, k), place: 'alter', schema, table: localize(table, k), ...(sql.includes('RENAME TO orders_v2') ? { tableAfter: localize('orders_v2', k) } : {}) }, clause);
          });
        const r = await probe(run, 'mariadb', 'alter');
        const said = [r.algorithms.instant, r.locks.none].filter((a) => a && !a.ok).map((a) => `${a.clause}: ${a.error}`);
        rows.push({
          sql,
          predicted: effect ? { algorithm: effect.algorithm, lock: effect.lock, rebuild: effect.rebuild, entries: effect.parts.map((p) => p.entry) } : { error: stmt ? `${stmt.kind} ${stmt.reason ?? ''}` : 'no statement' },
          server: { ok: r.plain.ok, error: r.plain.error, algorithm: r.bestAlgorithm, lock: r.leastLock, rebuild: r.plain.rebuilt },
          said,
        });
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end()));
    await admin.query(`DROP DATABASE IF EXISTS \`${schema}\``);
    await admin.end();
  }
  const ms = Date.now() - started;
  rows.sort((a, b) => ALTERS.findIndex((x) => x[1] === a.sql) - ALTERS.findIndex((x) => x[1] === b.sql));
  const valid = rows.filter((r) => r.server.ok);
  const agree = (r) => r.predicted.algorithm === r.server.algorithm && r.predicted.lock === r.server.lock;
  const agreeAlg = valid.filter((r) => r.predicted.algorithm === r.server.algorithm).length;
  const agreeLock = valid.filter((r) => r.predicted.lock === r.server.lock).length;
  const agreeBoth = valid.filter(agree).length;
  const rebuildKnown = valid.filter((r) => r.server.rebuild !== undefined);
  const agreeRebuild = rebuildKnown.filter((r) => r.predicted.rebuild === r.server.rebuild).length;
  const pct = (n, d) => `${((100 * n) / d).toFixed(1)} %`;
  const failed = rows.filter((r) => !r.server.ok);
  const lines = [];
  lines.push(`## MySQL effects: prediction vs server — \`node bench/mysql-predict.js\``);
  lines.push('');
  lines.push(`${ALTERS.length} ALTERs over 4 tables (utf8mb4, utf8mb3 and latin1 columns, ENUM/SET, secondary/unique/FULLTEXT indexes, a foreign key, a table without a primary key). Prediction: offline, catalog from parsing the CREATE TABLEs with lockstep's parser, then \`classifyMysql\` for MariaDB ${server.major}.${server.minor}, strict sql_mode, foreign_key_checks on. Server: each ALTER on a fresh copy of the tables with ALGORITHM=INSTANT/NOCOPY/INPLACE/COPY (best accepted) and LOCK=NONE/SHARED (least accepted, no ALGORITHM clause); the rebuild from the tablespace id.`);
  lines.push('');
  lines.push(`### ${new Date().toISOString().slice(0, 16).replace('T', ', ')} UTC — ${String(v)}, ${os.cpus().length} vCPUs, Node ${process.version}, ${(ms / 1000).toFixed(1)} s`);
  lines.push('');
  lines.push(`| measure | agree | of | share |`);
  lines.push(`|---|---|---|---|`);
  lines.push(`| **algorithm and lock (the goal, ≥ 90 %)** | ${agreeBoth} | ${valid.length} | **${pct(agreeBoth, valid.length)}** |`);
  lines.push(`| algorithm | ${agreeAlg} | ${valid.length} | ${pct(agreeAlg, valid.length)} |`);
  lines.push(`| lock | ${agreeLock} | ${valid.length} | ${pct(agreeLock, valid.length)} |`);
  lines.push(`| rebuild (tablespace id) | ${agreeRebuild} | ${rebuildKnown.length} | ${pct(agreeRebuild, rebuildKnown.length)} |`);
  lines.push('');
  if (failed.length) {
    lines.push(`Statements the server refused as written (not counted): ${failed.map((r) => `\`${r.sql}\` (${r.server.error})`).join('; ')}.`);
    lines.push('');
  }
  const dis = valid.filter((r) => !agree(r) || (r.server.rebuild !== undefined && r.predicted.rebuild !== r.server.rebuild));
  lines.push(dis.length ? 'Disagreements (predicted → server):' : 'No disagreements.');
  lines.push('');
  if (dis.length) {
    lines.push('| ALTER | entries | predicted alg / lock / rebuild | server alg / lock / rebuild | server said |');
    lines.push('|---|---|---|---|---|');
    for (const r of dis) {
      const p = r.predicted;
      const s = r.server;
      lines.push(`| \`${r.sql}\` | ${(p.entries ?? []).join(', ') || p.error} | ${p.algorithm} / ${p.lock} / ${p.rebuild ? 'yes' : 'no'} | ${s.algorithm} / ${s.lock} / ${s.rebuild === undefined ? '?' : s.rebuild ? 'yes' : 'no'} | ${r.said.join('; ').replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  const section = lines.join('\n');
  console.log(section);
  if (args.includes('--write')) {
    const file = join(root, 'bench/RESULTS.md');
    const text = readFileSync(file, 'utf8');
    const head = '## MySQL effects: prediction vs server';
    const i = text.indexOf(head);
    let out;
    if (i < 0) out = text.trimEnd() + '\n\n' + section;
    else {
      const j = text.indexOf('\n## ', i + head.length);
      out = text.slice(0, i) + section + (j < 0 ? '' : '\n' + text.slice(j + 1));
    }
    writeFileSync(file, out.trimEnd() + '\n');
  }
}

main().catch((e) => {
  console.error(`mysql-predict: ${e?.message ?? e}`);
  process.exit(1);
});
