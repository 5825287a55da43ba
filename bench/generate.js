/**
 * Deterministic benchmark inputs:
 *  (a) bench/out/mixed.sql: 10,000 mixed DDL statements (the kinds real migrations are made of);
 *  (b) bench/out/migrations/: 1,000 realistic migration files (a growing shop schema: tables, columns,
 *      indexes, constraints, backfills, renames), plain layout.
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const types = ['bigint', 'integer', 'text', 'varchar(120)', 'timestamptz', 'boolean', 'numeric(12,2)', 'jsonb', 'uuid', 'date'];
const defaults = ['0', "''", 'now()', 'false', 'clock_timestamp()', 'gen_random_uuid()', "'{}'::jsonb", 'CURRENT_DATE'];

function statement(i, tables) {
  const t = pick(tables);
  const c = `col_${i}`;
  switch (i % 20) {
    case 0:
      return `CREATE TABLE table_${i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`;
    case 1:
    case 2:
      return `ALTER TABLE ${t} ADD COLUMN ${c} ${pick(types)};`;
    case 3:
      return `ALTER TABLE ${t} ADD COLUMN ${c} ${pick(types)} NOT NULL DEFAULT ${pick(defaults)};`;
    case 4:
      return `CREATE INDEX ${t}_${c}_idx ON ${t} (created_at, name);`;
    case 5:
      return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${t}_${i}_idx ON ${t} (name) WHERE created_at > '2024-01-01';`;
    case 6:
      return `ALTER TABLE ${t} ADD CONSTRAINT ${t}_${i}_check CHECK (char_length(name) < 200) NOT VALID;`;
    case 7:
      return `ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_${i - 1}_check;`;
    case 8:
      return `ALTER TABLE ${t} ADD CONSTRAINT ${t}_${i}_fk FOREIGN KEY (id) REFERENCES ${pick(tables)} (id);`;
    case 9:
      return `ALTER TABLE ${t} ALTER COLUMN name SET NOT NULL;`;
    case 10:
      return `UPDATE ${t} SET name = lower(name) WHERE id < ${i};`;
    case 11:
      return `ALTER TABLE ${t} ALTER COLUMN name TYPE varchar(200);`;
    case 12:
      return `SET lock_timeout = '${1 + (i % 5)}s';`;
    case 13:
      return `DROP INDEX IF EXISTS ${t}_${i - 9}_idx;`;
    case 14:
      return `ALTER TABLE ${t} RENAME COLUMN ${c} TO ${c}_renamed;`;
    case 15:
      return `COMMENT ON TABLE ${t} IS 'table ${i}';`;
    case 16:
      return `INSERT INTO ${t} (name) VALUES ('seed ${i}');`;
    case 17:
      return `ALTER TABLE ${t} ADD CONSTRAINT ${t}_${i}_key UNIQUE (name);`;
    case 18:
      return `BEGIN;`;
    default:
      return `COMMIT;`;
  }
}

export function generate(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'migrations'), { recursive: true });
  seed = 42;
  const tables = ['orders', 'customers', 'products', 'invoices', 'shipments'];
  const base = tables.map((t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, name text, created_at timestamptz);`);
  const stmts = [...base];
  for (let i = stmts.length; i < 10_000; i++) stmts.push(statement(i, tables));
  writeFileSync(join(outDir, 'mixed.sql'), stmts.join('\n') + '\n');

  seed = 7;
  let count = 0;
  for (let m = 1; m <= 1000; m++) {
    const n = 2 + Math.floor(rand() * 8);
    const body = [`-- migration ${m}: ${pick(['orders', 'billing', 'search', 'shipping', 'accounts'])} change`];
    for (let k = 0; k < n; k++) body.push(statement(m * 10 + k, tables));
    if (m === 1) body.unshift(...base);
    count += body.length - 1;
    writeFileSync(join(outDir, 'migrations', `${String(m).padStart(4, '0')}_change_${m}.sql`), body.join('\n') + '\n');
  }
  return { mixed: join(outDir, 'mixed.sql'), migrations: join(outDir, 'migrations'), migrationStatements: count };
}
