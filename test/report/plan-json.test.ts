/**
 * `lockstep plan --format json` is one document for every dialect (docs/schema/plan.v1.json): every
 * operation kind, offline and against a real server (PostgreSQL 15 with a session holding a lock, so
 * `live.blockers` is filled; the MariaDB service), validated against the schema.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { expectValid } from '../helpers/schema.js';
import { freshDatabase, pg15Server } from '../helpers/db.js';
import { describeMariadb, freshMysqlDatabase, itMariadb } from '../helpers/mariadb.js';

const specs: Record<string, string> = {
  'add-column': 'table: orders\naddColumn:\n  name: created_at\n  type: {T}\n  nullable: false\n  default: {D}\n  index: true\n',
  'add-index': 'table: orders\naddIndex:\n  columns: [amount]\n',
  'add-check': 'table: orders\naddCheck:\n  name: amount_positive\n  expression: amount > 0\n',
  'add-fk': 'table: orders\naddForeignKey:\n  columns: [customer_id]\n  references:\n    table: customers\n    columns: [id]\n',
  'add-unique': 'table: orders\naddUnique:\n  columns: [code]\n',
  'set-not-null': 'table: orders\nsetNotNull:\n  column: amount\n',
};

function files(pg: boolean, o: { offline?: boolean } = {}): string[] {
  const d = mkdtempSync(join(tmpdir(), 'lockstep-planjson-'));
  // MySQL's MODIFY … NOT NULL restates the whole column: planned only with --db (it says so).
  return Object.entries(specs).filter(([name]) => pg || !o.offline || name !== 'set-not-null').map(([name, text]) => {
    const f = join(d, `${name}.yaml`);
    writeFileSync(f, text.replace('{T}', pg ? 'timestamptz' : 'datetime').replace('{D}', pg ? 'clock_timestamp()' : 'CURRENT_TIMESTAMP'));
    return f;
  });
}

function planJson(args: string[]): any {
  const r = runCli(['plan', ...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('plan JSON: one schema for every dialect', () => {
  it('PostgreSQL, offline: every operation kind validates, says its dialect and server', () => {
    for (const f of files(true)) {
      const p = planJson([f, '--pg-version', '16']);
      expectValid('plan.v1.json', p);
      expect(p).toMatchObject({ dialect: 'postgres', server: { flavor: 'postgres', version: '16' }, pgVersion: 16, live: null, facts: 'offline' });
    }
  });

  it('MySQL and MariaDB, offline: every operation kind validates, with the step fields of the dialect', () => {
    for (const [flag, flavor] of [
      ['mysql', 'mysql'],
      ['mariadb', 'mariadb'],
    ] as const) {
      for (const f of files(false, { offline: true })) {
        const p = planJson([f, '--dialect', flag]);
        expectValid('plan.v1.json', p);
        expect(p.dialect).toBe('mysql');
        expect(p.server.flavor).toBe(flavor);
        expect(p.pgVersion).toBeUndefined();
        const steps = p.phases.flatMap((ph: any) => ph.steps);
        expect(steps.every((s: any) => 'algorithm' in s && 'lock' in s && 'copy' in s)).toBe(true);
      }
    }
  });

  it('PostgreSQL with --db: the live facts (a session holding a lock on the table) validate, its query redacted', async () => {
    const db = await freshDatabase(pg15Server());
    await db.query('CREATE TABLE customers (id int PRIMARY KEY); CREATE TABLE orders (id int PRIMARY KEY, amount int, customer_id int, code text)');
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query("SELECT count(*) FROM orders WHERE code <> 'password=hunter2'");
    const p = planJson([files(true)[0]!, '--db', db.url]);
    await holder.query('ROLLBACK');
    expectValid('plan.v1.json', p);
    expect(p).toMatchObject({ dialect: 'postgres', facts: 'database', pgVersion: 15 });
    expect(p.live.blockers.length).toBeGreaterThan(0);
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });
});

describeMariadb('plan JSON on the MariaDB service', () => {
  itMariadb('with --db: the server as it reports itself, every operation kind validates', async () => {
    const db = await freshMysqlDatabase();
    await db.query('CREATE TABLE customers (id INT PRIMARY KEY) ENGINE=InnoDB');
    await db.query('CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, amount INT, customer_id INT, code VARCHAR(20)) ENGINE=InnoDB');
    for (const f of files(false)) {
      const p = planJson([f, '--db', db.url]);
      expectValid('plan.v1.json', p);
      expect(p).toMatchObject({ dialect: 'mysql', facts: 'database', server: { flavor: 'mariadb' } });
      expect(p.server.version).toMatch(/^10\.11\.\d+$/);
    }
    // A type change from SQL: an online copy step, its engine and job in the document.
    const sql = join(mkdtempSync(join(tmpdir(), 'lockstep-planjson-')), 'widen.sql');
    writeFileSync(sql, 'ALTER TABLE orders MODIFY amount DECIMAL(14,2);\n');
    const p = planJson([sql, '--db', db.url]);
    expectValid('plan.v1.json', p);
    const copy = p.phases.flatMap((ph: any) => ph.steps).find((s: any) => s.copy);
    expect(copy).toMatchObject({ algorithm: 'copy', copy: { engine: 'lockstep', job: { table: 'orders' } } });
  }, 60_000);
});
