#!/usr/bin/env node
/**
 * MySQL lint speed against lockstep's own Postgres figure (squawk has no MySQL mode).
 *   npm run build && node bench/lint-mysql.js
 * Generates a realistic golang-migrate MySQL history of ~1,000 files (500 migrations, up + down: tables
 * with backticks and table options, ADD COLUMN with and without AFTER, indexes, VARCHAR growth, ENUM
 * changes, type changes, FKs, seed INSERTs, SET lock_wait_timeout in some) under bench/out/mysql-history,
 * and the Postgres corpus of bench/lint.js (generate-histories.js, Diesel + Prisma). Whole process,
 * `lockstep lint <dir> --format json`, each RUNS times interleaved; reports median wall time and time per file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { generateHistories } from './generate-histories.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench/out');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MIGRATIONS = Number(process.env.BENCH_MYSQL_MIGRATIONS ?? 500);

/** A deterministic pseudo-random sequence (the corpus is the same every run). */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function generateMysqlHistory(dir, n = MIGRATIONS) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = rng(12);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const tables = [];
  let files = 0;
  const write = (i, name, up, down) => {
    const id = String(i).padStart(6, '0');
    writeFileSync(join(dir, `${id}_${name}.up.sql`), up);
    writeFileSync(join(dir, `${id}_${name}.down.sql`), down);
    files += 2;
  };
  for (let i = 1; i <= n; i++) {
    const kind = tables.length < 8 || r() < 0.12 ? 'create' : pick(['add', 'add-after', 'index', 'varchar', 'enum', 'type', 'fk', 'seed', 'not-null', 'unique', 'drop', 'rename-col', 'multi']);
    const guard = r() < 0.3 ? 'SET SESSION lock_wait_timeout = 5;\n' : '';
    if (kind === 'create') {
      const t = { name: `t${i}_${pick(['orders', 'users', 'events', 'invoices', 'items', 'carts'])}`, cols: ['id', 'created_at', 'status', 'label'], n: 0 };
      tables.push(t);
      write(
        i,
        `create_${t.name}`,
        `CREATE TABLE \`${t.name}\` (\n  \`id\` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,\n  \`created_at\` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,\n  \`status\` ENUM('new','active','done') NOT NULL DEFAULT 'new',\n  \`label\` VARCHAR(40) NULL,\n  \`parent_id\` BIGINT UNSIGNED NULL,\n  \`amount\` DECIMAL(10,2) NOT NULL DEFAULT 0,\n  PRIMARY KEY (\`id\`),\n  KEY \`${t.name}_created_at_idx\` (\`created_at\`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n`,
        `DROP TABLE \`${t.name}\`;\n`,
      );
      continue;
    }
    const t = pick(tables);
    const c = `c${i}`;
    const T = `\`${t.name}\``;
    switch (kind) {
      case 'add':
        write(i, `${t.name}_add_${c}`, `${guard}ALTER TABLE ${T} ADD COLUMN \`${c}\` INT NULL;\n`, `ALTER TABLE ${T} DROP COLUMN \`${c}\`;\n`);
        break;
      case 'add-after':
        write(i, `${t.name}_add_${c}`, `${guard}ALTER TABLE ${T} ADD COLUMN \`${c}\` VARCHAR(64) NOT NULL DEFAULT '' AFTER \`status\`, ALGORITHM=INSTANT;\n`, `ALTER TABLE ${T} DROP COLUMN \`${c}\`;\n`);
        break;
      case 'index':
        write(i, `${t.name}_index_${i}`, `${guard}CREATE INDEX \`${t.name}_i${i}\` ON ${T} (\`status\`, \`created_at\`) ALGORITHM=INPLACE LOCK=NONE;\n`, `DROP INDEX \`${t.name}_i${i}\` ON ${T};\n`);
        break;
      case 'varchar':
        write(i, `${t.name}_label_${i}`, `${guard}ALTER TABLE ${T} MODIFY \`label\` VARCHAR(${pick([60, 100, 255])}) NULL;\n`, `ALTER TABLE ${T} MODIFY \`label\` VARCHAR(40) NULL;\n`);
        break;
      case 'enum':
        write(i, `${t.name}_status_${i}`, `${guard}ALTER TABLE ${T} MODIFY \`status\` ENUM(${pick(["'new','active','done','archived'", "'new','pending','active','done'"])}) NOT NULL DEFAULT 'new';\n`, `ALTER TABLE ${T} MODIFY \`status\` ENUM('new','active','done') NOT NULL DEFAULT 'new';\n`);
        break;
      case 'type':
        write(i, `${t.name}_amount_${i}`, `${guard}ALTER TABLE ${T} MODIFY \`amount\` DECIMAL(14,2) NOT NULL DEFAULT 0;\n`, `ALTER TABLE ${T} MODIFY \`amount\` DECIMAL(10,2) NOT NULL DEFAULT 0;\n`);
        break;
      case 'fk': {
        const p = pick(tables);
        write(i, `${t.name}_fk_${i}`, `${guard}ALTER TABLE ${T} ADD CONSTRAINT \`${t.name}_fk${i}\` FOREIGN KEY (\`parent_id\`) REFERENCES \`${p.name}\` (\`id\`) ON DELETE SET NULL;\n`, `ALTER TABLE ${T} DROP FOREIGN KEY \`${t.name}_fk${i}\`;\n`);
        break;
      }
      case 'seed':
        write(i, `${t.name}_seed_${i}`, `INSERT INTO ${T} (\`status\`, \`label\`) VALUES ('new', 'a'), ('active', 'b''s'), ('done', NULL);\nUPDATE ${T} SET \`label\` = 'x' WHERE \`label\` IS NULL;\n`, `DELETE FROM ${T} WHERE \`label\` IN ('a', 'b''s', 'x');\n`);
        break;
      case 'not-null':
        write(i, `${t.name}_label_not_null_${i}`, `${guard}ALTER TABLE ${T} MODIFY \`label\` VARCHAR(40) NOT NULL DEFAULT '';\n`, `ALTER TABLE ${T} MODIFY \`label\` VARCHAR(40) NULL;\n`);
        break;
      case 'unique':
        write(i, `${t.name}_unique_${i}`, `${guard}ALTER TABLE ${T} ADD UNIQUE INDEX \`${t.name}_u${i}\` (\`label\`, \`created_at\`);\n`, `ALTER TABLE ${T} DROP INDEX \`${t.name}_u${i}\`;\n`);
        break;
      case 'drop':
        write(i, `${t.name}_drop_${c}`, `# a column nobody reads\nALTER TABLE ${T} ADD COLUMN \`${c}\` TEXT NULL;\n`, `ALTER TABLE ${T} DROP COLUMN \`${c}\`;\n`);
        break;
      case 'rename-col':
        write(i, `${t.name}_rename_${i}`, `${guard}ALTER TABLE ${T} RENAME COLUMN \`label\` TO \`label_${i}\`;\nALTER TABLE ${T} RENAME COLUMN \`label_${i}\` TO \`label\`;\n`, `SELECT 1;\n`);
        break;
      case 'multi':
        write(i, `${t.name}_multi_${i}`, `${guard}ALTER TABLE ${T} ADD COLUMN \`${c}\` DATETIME NULL;\nCREATE INDEX \`${t.name}_m${i}\` ON ${T} (\`${c}\`);\n/* backfill */\nUPDATE ${T} SET \`${c}\` = \`created_at\` WHERE \`${c}\` IS NULL LIMIT 1000;\n`, `ALTER TABLE ${T} DROP COLUMN \`${c}\`;\n`);
        break;
    }
  }
  return { dir, files };
}

function time(commands) {
  const samples = commands.map(() => []);
  const last = [];
  for (let i = 0; i < RUNS; i++) {
    commands.forEach(([cmd, args], k) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
      samples[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.error) throw r.error;
      last[k] = r;
    });
  }
  return samples.map((t, k) => {
    t.sort((a, b) => a - b);
    return { median: t[Math.floor(t.length / 2)], min: t[0], status: last[k].status, stdout: last[k].stdout, stderr: last[k].stderr };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const my = generateMysqlHistory(join(out, 'mysql-history'));
  const pg = generateHistories(out);
  const sqlUnder = (dir) => readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.sql')).length;
  const pgFiles = sqlUnder(pg.diesel) + sqlUnder(pg.prisma);
  const lint = (paths, extra = []) => [process.execPath, [join(root, 'bin/lockstep.js'), 'lint', ...paths, '--format', 'json', '--fail-on', 'never', ...extra]];
  const [m, p] = time([lint([my.dir], ['--dialect', 'mysql']), lint([pg.diesel, pg.prisma])]);
  for (const [name, r] of [['mysql', m], ['postgres', p]]) if (r.status !== 0) throw new Error(`${name} lint exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  const mj = JSON.parse(m.stdout);
  const pj = JSON.parse(p.stdout);
  const perFile = (r, files) => (r.median / files).toFixed(2);
  console.log(`CPU: ${os.cpus()[0]?.model ?? 'unknown'} ×${os.cpus().length}, node ${process.version}, ${RUNS} runs interleaved, median (min)`);
  console.log('| corpus | files | statements | findings | whole process | per file |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| MySQL golang-migrate history (generated) | ${my.files} | ${mj.statements?.length ?? '?'} | ${mj.findings.length} | ${m.median.toFixed(0)} ms (${m.min.toFixed(0)}) | ${perFile(m, my.files)} ms |`);
  console.log(`| Postgres Diesel + Prisma (bench/lint.js corpus) | ${pgFiles} | ${pj.statements?.length ?? '?'} | ${pj.findings.length} | ${p.median.toFixed(0)} ms (${p.min.toFixed(0)}) | ${perFile(p, pgFiles)} ms |`);
  console.log(`MySQL per file / Postgres per file: ${(m.median / my.files / (p.median / pgFiles)).toFixed(2)}`);
}
