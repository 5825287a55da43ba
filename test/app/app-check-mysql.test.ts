/**
 * app-check on MySQL/MariaDB applications: an Express + mysql2 (and Knex) app, a Prisma `mysql` schema
 * with its client, a Drizzle `mysqlTable` project. Every planted problem carries an "expect: <rule>"
 * marker on the line app-check must report; lines marked "fine" must not be reported.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { appCheck, declaredFlavor } from '../../src/app/app-check.js';
import { dialects } from '../../src/dialects/index.js';
import { changeFromMysql } from '../../src/dialects/mysql/app.js';

const root = join(import.meta.dirname, '../fixtures/app');
const changes = join(root, 'mysql-changes');

async function planted(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else
        (await readFile(p, 'utf8')).split('\n').forEach((l, i) => {
          for (const m of l.matchAll(/expect: ([a-z-]+)/g)) out.push(`${relative(dir, p)}:${i + 1}:${m[1]}`);
        });
    }
  };
  await walk(dir);
  return out.sort();
}

async function change(file: string) {
  return changeFromMysql(await readFile(join(changes, file), 'utf8'), file).change;
}

const apps = ['mysql-express', 'mysql-prisma', 'mysql-drizzle'] as const;

describe('app-check on MySQL/MariaDB apps', () => {
  it.each(apps)('%s: every planted problem at its line, and nothing else', async (app) => {
    const r = await appCheck(await change('orders-currency.sql'), { paths: ['.'], cwd: join(root, app), dialect: dialects.mysql });
    expect(r.findings.map((f) => `${f.file}:${f.line}:${f.rule}`).sort()).toEqual(await planted(join(root, app)));
    expect(r.skipped).toEqual([]);
    for (const f of r.findings) expect(f.advice.length).toBeGreaterThan(10);
  });

  it('after the contract phase NOT NULL may be relied on: only the missing writes and the table shape remain', async () => {
    const c = await change('orders-currency.sql');
    for (const app of apps) {
      const r = await appCheck(c, { paths: ['.'], cwd: join(root, app), phase: 'contract', dialect: dialects.mysql });
      expect(r.findings.filter((f) => f.rule === 'assumes-not-null')).toEqual([]);
      expect(r.findings.some((f) => f.rule === 'insert-omits-column')).toBe(true);
    }
  });

  it('a column NOT NULL with a constant default from the start has no nullable window and needs no writes', async () => {
    const c = await change('orders-source.sql');
    const r = await appCheck(c, { paths: ['.'], cwd: join(root, 'mysql-express'), dialect: dialects.mysql });
    expect(r.columns).toMatchObject([{ column: 'source', nullableDuringRollout: false, nullableAtEnd: false, hasDefault: true }]);
    expect([...new Set(r.findings.map((f) => f.rule))].sort()).toEqual(['insert-without-columns', 'select-star']);
    expect(r.findings.find((f) => f.rule === 'insert-without-columns')!.severity).toBe('warning');
  });

  it('read as Postgres, the same app does not parse: the dialect decides what is found', async () => {
    const note = { name: 'note', operations: [{ kind: 'addColumn' as const, table: { name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
    const r = await appCheck(note, { paths: ['.'], cwd: join(root, 'mysql-express'), version: 15 });
    expect(r.findings.filter((f) => f.rule === 'sql-not-parsed').length).toBeGreaterThan(0);
  });
});

describe('which database the app says it is for', () => {
  it('the Prisma datasource provider, the drizzle.config dialect, else MySQL syntax in the change', async () => {
    expect(await declaredFlavor({ paths: ['.'], cwd: join(root, 'mysql-prisma') })).toEqual({ flavor: 'mysql', where: 'prisma/schema.prisma: provider' });
    expect(await declaredFlavor({ paths: ['.'], cwd: join(root, 'mysql-drizzle') })).toEqual({ flavor: 'mysql', where: 'drizzle.config.ts: dialect' });
    expect(await declaredFlavor({ paths: ['.'], cwd: join(root, 'broken') })).toEqual({ flavor: 'postgres', where: 'prisma/schema.prisma: provider' });
    const sql = await readFile(join(changes, 'orders-currency.sql'), 'utf8');
    expect(await declaredFlavor({ paths: ['.'], cwd: join(root, 'mysql-express'), change: { file: 'orders-currency.sql', text: sql } })).toEqual({ flavor: 'mysql', where: 'orders-currency.sql (a backtick-quoted table name: MySQL syntax)' });
    const plain = await readFile(join(changes, 'orders-currency-plain.sql'), 'utf8');
    expect(await declaredFlavor({ paths: ['.'], cwd: join(root, 'mysql-express'), change: { file: 'orders-currency-plain.sql', text: plain } })).toBeUndefined();
  });

  it('two declarations that disagree are an error, not a guess', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-mysql-'));
    mkdirSync(join(dir, 'prisma'));
    writeFileSync(join(dir, 'prisma/schema.prisma'), 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n');
    writeFileSync(join(dir, 'drizzle.config.ts'), "export default { dialect: 'postgresql' };\n");
    await expect(declaredFlavor({ paths: ['.'], cwd: dir })).rejects.toThrow(/^prisma\/schema\.prisma: provider: says mysql, but drizzle\.config\.ts: dialect says postgres: name the database with --dialect$/);
  });
});
