import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LockstepError, type Problem } from '../../src/core/errors.js';
import { detectLayout, layouts, readMigrations, type Listing } from '../../src/parse/layouts/index.js';
import { listPath } from '../../src/parse/layouts/files.js';
import { compareVersions } from '../../src/parse/layouts/flyway.js';
import { naturalCompare } from '../../src/parse/layouts/common.js';
import type { LayoutId, Migration, MigrationSection } from '../../src/parse/migrations.js';

const isRoot = process.getuid?.() === 0;
const execFileAsync = promisify(execFile);

/** A fixture path relative to the working directory, the way a user types it. */
const fx = (rel: string): string =>
  relative(process.cwd(), fileURLToPath(new URL(`../fixtures/layouts/${rel}`, import.meta.url)));

/** The SQL of each part of a section, trimmed. */
const sql = (s: MigrationSection | undefined): string[] | undefined =>
  s?.parts.map((p) => s.file.text.slice(p.start, p.end).trim());

const ids = (ms: Migration[]) => ms.map((m) => m.id);

async function read(paths: string | string[], opts?: Parameters<typeof readMigrations>[1]) {
  return readMigrations(Array.isArray(paths) ? paths : [paths], opts);
}

async function problemsOf(paths: string[], opts?: Parameters<typeof readMigrations>[1]): Promise<Problem[]> {
  let caught: unknown;
  try {
    await readMigrations(paths, opts);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(LockstepError);
  const err = caught as LockstepError;
  expect(err.code).toBe('E_INPUT');
  // The message is every problem, one per line, each with where it is.
  expect(err.message.split('\n')).toHaveLength(err.problems.length);
  return err.problems;
}

async function listingOf(path: string): Promise<Listing> {
  const { listing, problems } = await listPath(path);
  expect(problems).toEqual([]);
  return listing!;
}

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) {
    // A chmod 000 directory cannot be emptied by a non-root user until its mode is restored.
    try {
      chmodSync(join(t, 'locked'), 0o755);
    } catch {
      /* no such directory in this tree */
    }
    rmSync(t, { recursive: true, force: true });
  }
});

/** A fresh temp directory with `files` written into it (relative path → text or bytes). */
function tempTree(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-layouts-'));
  temps.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

describe('detection', () => {
  const cases: [string, LayoutId][] = [
    ['plain', 'plain'],
    ['golang-migrate', 'golang-migrate'],
    ['diesel', 'diesel'],
    ['dbmate', 'dbmate'],
    ['node-pg-migrate', 'node-pg-migrate'],
    ['prisma', 'prisma'],
    ['drizzle', 'drizzle'],
    ['flyway', 'flyway'],
  ];
  it.each(cases)('fixture %s is detected as %s, and read with it', async (dir, id) => {
    expect(detectLayout(await listingOf(fx(dir)))).toBe(id);
    const { migrations } = await read(fx(dir));
    expect(migrations.length).toBeGreaterThanOrEqual(3);
    expect(new Set(migrations.map((m) => m.layout))).toEqual(new Set([id]));
  });

  it('every layout scores 0 on an empty listing, so an empty directory is plain', () => {
    const empty: Listing = { root: 'm', files: [] };
    for (const layout of Object.values(layouts)) expect(layout.detect(empty), layout.id).toBe(0);
    expect(detectLayout(empty)).toBe('plain');
  });

  it('numbered .sql files without any marker are plain, not drizzle or golang-migrate', () => {
    const listing: Listing = {
      root: 'db',
      files: [
        { path: 'db/0001_create_customers.sql', text: 'CREATE TABLE customers (id int);' },
        { path: 'db/0002_create_orders.sql', text: 'CREATE TABLE orders (id int);' },
      ],
    };
    expect(detectLayout(listing)).toBe('plain');
  });

  it('markers inside files outweigh the plain count (dbmate, node-pg-migrate, drizzle breakpoints)', () => {
    const one = (text: string): Listing => ({ root: 'db', files: [{ path: 'db/20240101_x.sql', text }] });
    expect(detectLayout(one('-- migrate:up\nSELECT 1;\n'))).toBe('dbmate');
    expect(detectLayout(one('-- Up Migration\nSELECT 1;\n'))).toBe('node-pg-migrate');
    expect(detectLayout(one('SELECT 1;\n--> statement-breakpoint\nSELECT 2;\n'))).toBe('drizzle');
  });

  it('breaks a tie in the documented order (flyway before golang-migrate before plain)', () => {
    const listing: Listing = {
      root: 'db',
      files: [
        { path: 'db/V1__a.sql', text: 'SELECT 1;' },
        { path: 'db/1_a.up.sql', text: 'SELECT 1;' },
      ],
    };
    expect(layouts.flyway.detect(listing)).toBe(layouts['golang-migrate'].detect(listing));
    expect(detectLayout(listing)).toBe('flyway');
  });

  it('migration_lock.toml and meta/_journal.json are strong signals', async () => {
    const prisma = await listingOf(fx('prisma'));
    const withoutLock: Listing = { ...prisma, files: prisma.files.filter((f) => !f.path.endsWith('migration_lock.toml')) };
    expect(layouts.prisma.detect(prisma)).toBeGreaterThanOrEqual(layouts.prisma.detect(withoutLock) + 1000);
    const drizzle = await listingOf(fx('drizzle'));
    const withoutJournal: Listing = { ...drizzle, files: drizzle.files.filter((f) => !f.path.endsWith('_journal.json')) };
    expect(layouts.drizzle.detect(drizzle)).toBeGreaterThan(1000);
    expect(layouts.drizzle.detect(withoutJournal)).toBeLessThan(1000);
  });

  it('prisma does not need migration_lock.toml', async () => {
    const dir = tempTree({
      '20240301101500_init/migration.sql': 'CREATE TABLE "Customer" ("id" SERIAL NOT NULL);\n',
      '20240305120000_add_orders/migration.sql': 'CREATE TABLE "Order" ("id" SERIAL NOT NULL);\n',
    });
    const { migrations } = await read(dir);
    expect(migrations.map((m) => [m.layout, m.id])).toEqual([
      ['prisma', '20240301101500_init'],
      ['prisma', '20240305120000_add_orders'],
    ]);
  });
});

describe('plain', () => {
  it('reads every .sql file recursively in natural order, whole file as up, no down, no transaction', async () => {
    const root = fx('plain');
    const { migrations, files } = await read(root);
    expect(ids(migrations)).toEqual(['1_create_customers', '2_create_orders', '10_add_orders_created_at', 'later/11_create_order_items']);
    const first = migrations[0]!;
    expect(first.up.file.path).toBe(`${root}/1_create_customers.sql`);
    expect(first.up.file.text).toBe(readFileSync(join(root, '1_create_customers.sql'), 'utf8'));
    expect(first.up.parts).toEqual([{ start: 0, end: first.up.file.text.length }]);
    expect(sql(migrations[2]!.up)).toEqual([
      'ALTER TABLE orders ADD COLUMN created_at timestamptz;\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);',
    ]);
    for (const m of migrations) {
      expect(m.down).toBeUndefined();
      expect([m.transaction, m.transactionSource]).toEqual(['none', 'plain default']);
    }
    // README.md is not a migration file and is never read.
    expect(files.map((f) => f.path)).not.toContain(`${root}/README.md`);
    expect(files).toHaveLength(4);
  });

  it('orders numbers by value, not by characters', () => {
    const names = ['10_x.sql', '2_x.sql', '1_x.sql', '100_a.sql', '20_x.sql', 'a/1.sql', 'a.sql'];
    expect([...names].sort(naturalCompare)).toEqual(['1_x.sql', '2_x.sql', '10_x.sql', '20_x.sql', '100_a.sql', 'a/1.sql', 'a.sql']);
    expect(naturalCompare('99999999999999999999_a', '100000000000000000000_a')).toBeLessThan(0);
  });
});

describe('golang-migrate', () => {
  it('pairs .up.sql with .down.sql by version, in numeric version order; a missing down stays missing', async () => {
    const { migrations } = await read(fx('golang-migrate'));
    expect(ids(migrations)).toEqual(['1_create_customers', '2_create_orders', '10_index_orders_customer_id']);
    const [customers, orders, index] = migrations as [Migration, Migration, Migration];
    expect(sql(customers.up)![0]).toMatch(/^CREATE TABLE customers \(.*\nCREATE UNIQUE INDEX customers_email_key ON customers \(lower\(email\)\);$/s);
    expect(customers.up.file.path).toMatch(/1_create_customers\.up\.sql$/);
    expect(customers.down!.file.path).toMatch(/1_create_customers\.down\.sql$/);
    expect(sql(customers.down)).toEqual(['DROP TABLE customers;']);
    expect(sql(orders.down)).toEqual(['DROP TABLE orders;']);
    expect(index.down).toBeUndefined();
    expect(sql(index.up)).toEqual(['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);']);
    for (const m of migrations) expect([m.transaction, m.transactionSource]).toEqual(['multi-statement', 'golang-migrate default']);
  });
});

describe('diesel', () => {
  it('reads one migration per directory; metadata.toml run_in_transaction = false means no transaction', async () => {
    const { migrations } = await read(fx('diesel'));
    expect(ids(migrations)).toEqual([
      '00000000000000_diesel_initial_setup',
      '2024-03-01-101500_create_customers',
      '2024-03-08-093000_index_customers_email',
    ]);
    const [setup, customers, index] = migrations as [Migration, Migration, Migration];
    expect(sql(setup.down)![0]).toMatch(/DROP FUNCTION IF EXISTS diesel_set_updated_at\(\);$/);
    expect(sql(customers.up)![0]).toMatch(/^CREATE TABLE customers \(.*SELECT diesel_manage_updated_at\('customers'\);$/s);
    expect(sql(customers.down)).toEqual(['DROP TABLE customers;']);
    expect(sql(index.up)).toEqual(['CREATE UNIQUE INDEX CONCURRENTLY customers_email_idx ON customers (email);']);
    expect(sql(index.down)).toEqual(['DROP INDEX CONCURRENTLY customers_email_idx;']);

    expect([setup.transaction, setup.transactionSource]).toEqual(['wrapped', 'diesel default']);
    expect([customers.transaction, customers.transactionSource]).toEqual(['wrapped', 'diesel default']);
    expect(index.transaction).toBe('none');
    expect(index.transactionSource).toBe(`${fx('diesel')}/2024-03-08-093000_index_customers_email/metadata.toml: run_in_transaction = false`);
  });

  it('a metadata.toml that keeps the transaction changes nothing', async () => {
    const dir = tempTree({
      '2024-01-01-000000_a/up.sql': 'CREATE TABLE a (id int);\n',
      '2024-01-01-000000_a/down.sql': 'DROP TABLE a;\n',
      '2024-01-01-000000_a/metadata.toml': 'run_in_transaction = true\n',
    });
    const { migrations } = await read(dir);
    expect(migrations.map((m) => [m.id, m.transaction])).toEqual([['2024-01-01-000000_a', 'wrapped']]);
  });
});

describe('dbmate', () => {
  it('splits each file at its -- migrate:up / -- migrate:down lines; both sections share one SourceFile', async () => {
    const { migrations } = await read(fx('dbmate'));
    expect(ids(migrations)).toEqual([
      '20240301101500_create_customers',
      '20240305120000_create_orders',
      '20240308093000_index_orders_customer_id',
    ]);
    const [customers, orders] = migrations as [Migration, Migration];
    expect(sql(customers.up)).toEqual([
      'CREATE TABLE customers (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  email text NOT NULL UNIQUE,\n  name text NOT NULL\n);',
    ]);
    expect(sql(customers.down)).toEqual(['DROP TABLE customers;']);
    expect(customers.down!.file).toBe(customers.up.file);
    expect(sql(orders.up)![0]).toMatch(/ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'pending';$/);
    expect(sql(orders.up)![0]).not.toContain('migrate:');
    expect(sql(orders.down)).toEqual(['DROP TABLE orders;']);
    expect([customers.transaction, customers.transactionSource]).toEqual(['wrapped', 'dbmate default']);
  });

  it('-- migrate:up transaction:false runs the migration outside a transaction', async () => {
    const { migrations } = await read(fx('dbmate'));
    const index = migrations[2]!;
    expect(sql(index.up)).toEqual(['CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);']);
    expect(sql(index.down)).toEqual(['DROP INDEX CONCURRENTLY orders_customer_id_idx;']);
    expect([index.transaction, index.transactionSource]).toEqual(['none', '-- migrate:up transaction:false']);
  });

  it('an up without a down has no down; files without a -- migrate:up line are not dbmate migrations', async () => {
    const dir = tempTree({
      '20240101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n',
      '20240102000000_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\n',
      'notes.sql': '-- scratch queries\nSELECT 1;\n',
    });
    const { migrations } = await read(dir);
    expect(ids(migrations)).toEqual(['20240101000000_a', '20240102000000_b']);
    expect(migrations[0]!.down).toBeUndefined();
    expect(sql(migrations[1]!.up)).toEqual(['CREATE TABLE b (id int);']);
    expect(sql(migrations[1]!.down)).toEqual(['']);
  });
});

describe('node-pg-migrate', () => {
  it('splits at -- Up Migration / -- Down Migration, matching the markers case-insensitively', async () => {
    const { migrations } = await read(fx('node-pg-migrate'));
    expect(ids(migrations)).toEqual(['1709287500000_create-customers', '1709640000000_create-orders', '1709890200000_add-orders-shipped-at']);
    const [customers, orders, shipped] = migrations as [Migration, Migration, Migration];
    expect(sql(customers.up)![0]).toMatch(/^CREATE TABLE customers \(.*\);$/s);
    expect(sql(customers.down)).toEqual(['DROP TABLE customers;']);
    expect(sql(orders.up)![0]).toMatch(/CREATE INDEX orders_customer_id_idx ON orders \(customer_id\);$/);
    expect(sql(orders.up)![0]).not.toMatch(/Migration/);
    expect(sql(shipped.up)).toEqual(['ALTER TABLE orders ADD COLUMN shipped_at timestamptz;']);
    expect(shipped.down).toBeUndefined();
    for (const m of migrations) expect([m.transaction, m.transactionSource]).toEqual(['wrapped', 'node-pg-migrate default']);
  });
});

describe('prisma', () => {
  it('reads <dir>/migration.sql in directory order, with down.sql as the down when present', async () => {
    const { migrations, files } = await read(fx('prisma'));
    expect(ids(migrations)).toEqual(['20240301101500_init', '20240305120000_add_orders', '20240308093000_add_orders_created_at']);
    const [init, orders, createdAt] = migrations as [Migration, Migration, Migration];
    expect(sql(init.up)![0]).toMatch(/^-- CreateTable\nCREATE TABLE "Customer"/);
    expect(init.down).toBeUndefined();
    expect(sql(orders.down)).toEqual(['-- DropForeignKey\nALTER TABLE "Order" DROP CONSTRAINT "Order_customerId_fkey";\n\n-- DropTable\nDROP TABLE "Order";']);
    expect(orders.down!.file.path).toBe(`${fx('prisma')}/20240305120000_add_orders/down.sql`);
    expect(createdAt.down).toBeUndefined();
    expect(sql(createdAt.up)).toEqual([
      '-- AlterTable\nALTER TABLE "Order" ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;',
    ]);
    for (const m of migrations) expect([m.transaction, m.transactionSource]).toEqual(['wrapped', 'prisma default']);
    expect(files.map((f) => f.path)).toContain(`${fx('prisma')}/migration_lock.toml`);
  });
});

describe('drizzle', () => {
  it('follows the journal, and makes each chunk between breakpoints one part', async () => {
    const { migrations, files } = await read(fx('drizzle'));
    expect(ids(migrations)).toEqual(['0000_lush_wolverine', '0001_brave_ultron', '0002_tidy_sabretooth']);
    const [init, createdAt, phone] = migrations as [Migration, Migration, Migration];
    const initParts = sql(init.up)!;
    expect(initParts).toHaveLength(3);
    expect(initParts[0]).toMatch(/^CREATE TABLE IF NOT EXISTS "customers" \(.*\);$/s);
    expect(initParts[1]).toMatch(/^CREATE TABLE IF NOT EXISTS "orders" \(.*\);$/s);
    expect(initParts[2]).toMatch(/^DO \$\$ BEGIN\n ALTER TABLE "orders" ADD CONSTRAINT .*END \$\$;$/s);
    // A breakpoint right after the `;` on the same line, as newer drizzle-kit writes it.
    expect(sql(createdAt.up)).toEqual([
      'ALTER TABLE "orders" ADD COLUMN "created_at" timestamp DEFAULT now() NOT NULL;',
      'CREATE INDEX IF NOT EXISTS "orders_created_at_idx" ON "orders" USING btree ("created_at");',
    ]);
    expect(sql(phone.up)).toEqual(['ALTER TABLE "customers" ADD COLUMN "phone" text;']);
    for (const m of migrations) {
      expect(m.down).toBeUndefined();
      expect([m.transaction, m.transactionSource]).toEqual(['wrapped', 'drizzle default']);
      for (const part of m.up.parts) expect(m.up.file.text.slice(part.start, part.end)).not.toContain('statement-breakpoint');
    }
    const paths = files.map((f) => f.path);
    expect(paths).toContain(`${fx('drizzle')}/meta/_journal.json`);
    expect(paths).not.toContain(`${fx('drizzle')}/meta/0002_snapshot.json`); // snapshots are never read
  });

  it('takes the order and the set of migrations from the journal (by idx), not from file names', async () => {
    const journal = {
      version: '7',
      dialect: 'postgresql',
      entries: [
        { idx: 1, version: '7', when: 1709640000000, tag: 'add_orders', breakpoints: true },
        { idx: 0, version: '7', when: 1709287500000, tag: 'steady_customers', breakpoints: true },
      ],
    };
    const dir = tempTree({
      'meta/_journal.json': JSON.stringify(journal, null, 2),
      'steady_customers.sql': 'CREATE TABLE "customers" ("id" serial PRIMARY KEY NOT NULL);\n',
      'add_orders.sql': 'CREATE TABLE "orders" ("id" serial PRIMARY KEY NOT NULL);\n--> statement-breakpoint\nALTER TABLE "orders" ADD COLUMN "note" text;\n',
      'scratch.sql': 'SELECT 1;\n', // not in the journal: drizzle never runs it
    });
    const { migrations } = await read(dir);
    expect(migrations.map((m) => [m.layout, m.id, m.up.parts.length])).toEqual([
      ['drizzle', 'steady_customers', 1],
      ['drizzle', 'add_orders', 2],
    ]);
  });

  it('without a journal, breakpoints identify drizzle and file names give the order', async () => {
    const dir = tempTree({
      '0001_add_orders.sql': 'CREATE TABLE "orders" ("id" serial);\n--> statement-breakpoint\nCREATE INDEX "o_idx" ON "orders" ("id");\n',
      '0000_init.sql': 'CREATE TABLE "customers" ("id" serial);\n',
    });
    const { migrations } = await read(dir);
    expect(migrations.map((m) => [m.layout, m.id])).toEqual([
      ['drizzle', '0000_init'],
      ['drizzle', '0001_add_orders'],
    ]);
    expect(sql(migrations[1]!.up)).toEqual(['CREATE TABLE "orders" ("id" serial);', 'CREATE INDEX "o_idx" ON "orders" ("id");']);
  });

  it('reports a journal that is not JSON and an entry without its file', async () => {
    const broken = tempTree({ 'meta/_journal.json': '{ "entries": [', '0000_init.sql': 'SELECT 1;\n' });
    const missing = tempTree({
      'meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, tag: '0000_init' }, { idx: 1, tag: '0001_gone' }] }),
      '0000_init.sql': 'SELECT 1;\n',
    });
    const problems = await problemsOf([broken, missing]);
    expect(problems).toHaveLength(2);
    expect(problems[0]!.where).toBe(`${broken}/meta/_journal.json`);
    expect(problems[0]!.message).toMatch(/^not valid JSON: /);
    expect(problems[1]).toEqual({ where: `${missing}/meta/_journal.json`, message: 'journal entry "0001_gone" has no file 0001_gone.sql' });
  });
});

describe('flyway', () => {
  it('orders versions numerically, pairs U with V, puts repeatables last, honours .conf', async () => {
    const { migrations } = await read(fx('flyway'));
    expect(ids(migrations)).toEqual([
      'V1__create_customers',
      'V1_2__add_customers_phone',
      'V1_10__create_orders',
      'V2__index_orders_customer_id',
      'R__customer_emails_view',
      'R__order_totals_view',
    ]);
    const byId = new Map(migrations.map((m) => [m.id, m]));
    expect(sql(byId.get('V1_10__create_orders')!.down)).toEqual(['DROP TABLE orders;']);
    expect(byId.get('V1_10__create_orders')!.down!.file.path).toBe(`${fx('flyway')}/U1_10__create_orders.sql`);
    expect(migrations.filter((m) => m.down).map((m) => m.id)).toEqual(['V1_10__create_orders']);
    expect(sql(byId.get('V1_2__add_customers_phone')!.up)).toEqual(['ALTER TABLE customers ADD COLUMN phone text;']);

    const index = byId.get('V2__index_orders_customer_id')!;
    expect(index.transaction).toBe('none');
    expect(index.transactionSource).toBe(`${fx('flyway')}/V2__index_orders_customer_id.sql.conf: executeInTransaction=false`);
    for (const m of migrations.filter((x) => x !== index)) expect([m.transaction, m.transactionSource]).toEqual(['wrapped', 'flyway default']);
  });

  it('compares versions part by part, `.` and `_` alike, ignoring trailing zero parts', () => {
    expect(compareVersions('1_2', '1_10')).toBeLessThan(0);
    expect(compareVersions('1_10', '2')).toBeLessThan(0);
    expect(compareVersions('1.2', '1_2')).toBe(0);
    expect(compareVersions('1.0', '1')).toBe(0);
    expect(compareVersions('2.0.1', '2')).toBeGreaterThan(0);
    expect(compareVersions('010', '9')).toBeGreaterThan(0);
  });

  it('reports two scripts with the same version', async () => {
    const dir = tempTree({ 'V1__a.sql': 'SELECT 1;', 'V1.0__b.sql': 'SELECT 2;' });
    const problems = await problemsOf([dir]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^version 1(\.0)? is also used by /);
  });
});

describe('config and forced layouts', () => {
  it('a per-layout transaction setting overrides every migration of that layout, and says config', async () => {
    const { migrations } = await read(fx('dbmate'), { layoutOptions: { dbmate: { transaction: 'none' } } });
    expect(migrations.map((m) => [m.transaction, m.transactionSource])).toEqual([
      ['none', 'config'],
      ['none', 'config'],
      ['none', 'config'],
    ]);
    const golang = await read(fx('golang-migrate'), { layoutOptions: { 'golang-migrate': { transaction: 'wrapped' } } });
    expect(new Set(golang.migrations.map((m) => `${m.transaction} ${m.transactionSource}`))).toEqual(new Set(['wrapped config']));
    const flyway = await read(fx('flyway'), { layoutOptions: { flyway: { transaction: 'wrapped' } } });
    expect(flyway.migrations.find((m) => m.id.startsWith('V2__'))!.transaction).toBe('wrapped');
  });

  it('settings for another layout change nothing', async () => {
    const { migrations } = await read(fx('dbmate'), { layoutOptions: { flyway: { transaction: 'none' } } });
    expect(migrations.map((m) => m.transaction)).toEqual(['wrapped', 'wrapped', 'none']);
  });

  it('an explicit layout skips detection', async () => {
    const { migrations } = await read(fx('golang-migrate'), { layout: 'plain' });
    expect(ids(migrations)).toEqual([
      '1_create_customers.down',
      '1_create_customers.up',
      '2_create_orders.down',
      '2_create_orders.up',
      '10_index_orders_customer_id.up',
    ]);
    expect(new Set(migrations.map((m) => m.layout))).toEqual(new Set(['plain']));
  });

  it('rejects an unknown layout name', async () => {
    await expect(readMigrations([fx('plain')], { layout: 'liquibase' as LayoutId })).rejects.toMatchObject({
      code: 'E_USAGE',
      problems: [{ where: 'layout', message: expect.stringMatching(/^unknown layout "liquibase" \(one of: plain, golang-migrate, /) }],
    });
  });
});

describe('single files', () => {
  it('a lone .up.sql pairs with its .down.sql sibling', async () => {
    const path = fx('golang-migrate/1_create_customers.up.sql');
    const { migrations, files } = await read(path);
    expect(migrations).toHaveLength(1);
    const [m] = migrations as [Migration];
    expect([m.id, m.layout, m.transaction]).toEqual(['1_create_customers', 'golang-migrate', 'multi-statement']);
    expect(m.up.file.path).toBe(path);
    expect(sql(m.down)).toEqual(['DROP TABLE customers;']);
    expect(files.map((f) => f.path)).toEqual([path, fx('golang-migrate/1_create_customers.down.sql')]);
  });

  it('an .up.sql without a down sibling has no down; a .down.sql given directly yields its migration', async () => {
    const lone = await read(fx('golang-migrate/10_index_orders_customer_id.up.sql'));
    expect(lone.migrations.map((m) => [m.id, m.down])).toEqual([['10_index_orders_customer_id', undefined]]);
    const down = await read(fx('golang-migrate/2_create_orders.down.sql'));
    expect(down.migrations.map((m) => [m.id, sql(m.down)])).toEqual([['2_create_orders', ['DROP TABLE orders;']]]);
  });

  it('a plain file is one plain migration, with its path exactly as given', async () => {
    const path = fx('plain/2_create_orders.sql');
    const { migrations } = await read(path);
    expect(migrations.map((m) => [m.id, m.layout, m.up.file.path])).toEqual([['2_create_orders', 'plain', path]]);
  });

  it('detects a single file by its markers (dbmate, drizzle breakpoints)', async () => {
    const dbmate = await read(fx('dbmate/20240308093000_index_orders_customer_id.sql'));
    expect(dbmate.migrations.map((m) => [m.layout, m.id, m.transaction])).toEqual([['dbmate', '20240308093000_index_orders_customer_id', 'none']]);
    const drizzle = await read(fx('drizzle/0001_brave_ultron.sql'));
    expect(drizzle.migrations.map((m) => [m.layout, m.id, m.up.parts.length])).toEqual([['drizzle', '0001_brave_ultron', 2]]);
  });

  it('diesel up.sql and prisma migration.sql take their id from the directory and bring their siblings', async () => {
    const diesel = await read(fx('diesel/2024-03-08-093000_index_customers_email/up.sql'));
    expect(diesel.migrations.map((m) => [m.layout, m.id, m.transaction, sql(m.down)])).toEqual([
      ['diesel', '2024-03-08-093000_index_customers_email', 'none', ['DROP INDEX CONCURRENTLY customers_email_idx;']],
    ]);
    const prisma = await read(fx('prisma/20240305120000_add_orders/migration.sql'));
    expect(prisma.migrations.map((m) => [m.layout, m.id, m.down?.file.path])).toEqual([
      ['prisma', '20240305120000_add_orders', fx('prisma/20240305120000_add_orders/down.sql')],
    ]);
  });

  it('a flyway script brings its .conf and its undo', async () => {
    const index = await read(fx('flyway/V2__index_orders_customer_id.sql'));
    expect(index.migrations.map((m) => [m.layout, m.transaction])).toEqual([['flyway', 'none']]);
    const orders = await read(fx('flyway/V1_10__create_orders.sql'));
    expect(orders.migrations.map((m) => [m.id, sql(m.down)])).toEqual([['V1_10__create_orders', ['DROP TABLE orders;']]]);
  });
});

describe('several paths', () => {
  it('concatenates migrations and files in the order of the paths, each path with its own layout', async () => {
    const { migrations, files } = await read([fx('flyway'), fx('dbmate'), fx('plain/1_create_customers.sql')]);
    expect(migrations.map((m) => m.layout)).toEqual(['flyway', 'flyway', 'flyway', 'flyway', 'flyway', 'flyway', 'dbmate', 'dbmate', 'dbmate', 'plain']);
    expect(files[0]!.path.startsWith(fx('flyway'))).toBe(true);
    expect(files.at(-1)!.path).toBe(fx('plain/1_create_customers.sql'));
  });
});

describe('text', () => {
  it('strips a leading BOM (spans index the stripped text) and keeps CRLF', async () => {
    const body = '-- migrate:up transaction:false\r\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\r\n-- migrate:down\r\nDROP INDEX a_idx;\r\n';
    const dir = tempTree({ '20240101000000_a.sql': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]) });
    const { migrations } = await read(dir);
    const [m] = migrations as [Migration];
    expect(m.layout).toBe('dbmate'); // the marker is at the start of the text once the BOM is gone
    expect(m.up.file.text).toBe(body);
    expect(m.up.file.text.slice(m.up.parts[0]!.start, m.up.parts[0]!.end)).toBe('CREATE INDEX CONCURRENTLY a_idx ON a (id);\r\n');
    expect(sql(m.down)).toEqual(['DROP INDEX a_idx;']);
    // The option is read without the `\r` of the line end.
    expect([m.transaction, m.transactionSource]).toEqual(['none', '-- migrate:up transaction:false']);
  });

  it('spans are string offsets, also after non-ASCII text', async () => {
    const dir = tempTree({ 'V1__cafés.sql': "-- Crème brûlée 🍮\nINSERT INTO menu VALUES ('café');\n" });
    const { migrations } = await read(dir);
    const [m] = migrations as [Migration];
    expect(m.id).toBe('V1__cafés');
    expect(sql(m.up)).toEqual(["-- Crème brûlée 🍮\nINSERT INTO menu VALUES ('café');"]);
  });
});

describe('bad input', () => {
  it('a path that does not exist', async () => {
    const missing = join(tempTree(), 'nope');
    expect(await problemsOf([missing])).toEqual([{ where: missing, message: 'no such file or directory' }]);
  });

  it('a file given directly that is not .sql', async () => {
    const dir = tempTree({ 'schema.prisma': 'model Customer { id Int @id }\n' });
    const path = join(dir, 'schema.prisma');
    expect(await problemsOf([path])).toEqual([{ where: path, message: 'not a .sql file' }]);
  });

  it('a binary file (NUL bytes), or text that is not UTF-8, given directly or inside a directory', async () => {
    const dir = tempTree({
      'dump.sql': new Uint8Array([0x50, 0x47, 0x44, 0x4d, 0x50, 0x00, 0x01, 0x0e]), // pg_dump custom format
      'latin1.sql': Buffer.from("INSERT INTO menu VALUES ('caf\xe9');\n", 'latin1'),
      'ok.sql': 'SELECT 1;\n',
    });
    const problems = await problemsOf([dir, join(dir, 'dump.sql')]);
    expect(problems).toEqual([
      { where: `${dir}/dump.sql`, message: 'is a binary file, not SQL' },
      { where: `${dir}/latin1.sql`, message: 'is not valid UTF-8 (byte 0xE9 at offset 29): save it as UTF-8' },
      { where: join(dir, 'dump.sql'), message: 'is a binary file, not SQL' },
    ]);
  });

  it('only the first 8 KiB are probed for NUL bytes; later valid UTF-8 is text', async () => {
    const late = 'SELECT 1;\n'.repeat(1000) + '\0';
    const dir = tempTree({ 'a.sql': late });
    const { migrations } = await read(dir);
    expect(migrations[0]!.up.file.text).toBe(late);
  });

  it('a directory without migrations names what was looked for', async () => {
    const empty = tempTree();
    const docsOnly = tempTree({ 'README.md': '# migrations\n' });
    expect(await problemsOf([empty, docsOnly])).toEqual([
      { where: empty, message: 'no migrations found (looked for *.sql files, recursively)' },
      { where: docsOnly, message: 'no migrations found (looked for *.sql files, recursively)' },
    ]);
    expect(await problemsOf([fx('plain')], { layout: 'flyway' })).toEqual([
      { where: fx('plain'), message: 'no migrations found (looked for V<version>__<desc>.sql or R__<desc>.sql files)' },
    ]);
    expect(await problemsOf([fx('plain')], { layout: 'dbmate' })).toEqual([
      { where: fx('plain'), message: 'no migrations found (looked for *.sql files with a `-- migrate:up` line)' },
    ]);
  });

  it('collects every problem of every path and throws once', async () => {
    const dir = tempTree({ 'notes.txt': 'hello\n', 'bin.sql': new Uint8Array([0, 1, 2]) });
    const missing = join(dir, 'missing');
    const empty = tempTree();
    const problems = await problemsOf([missing, fx('dbmate'), join(dir, 'notes.txt'), join(dir, 'bin.sql'), empty]);
    expect(problems).toEqual([
      { where: missing, message: 'no such file or directory' },
      { where: join(dir, 'notes.txt'), message: 'not a .sql file' },
      { where: join(dir, 'bin.sql'), message: 'is a binary file, not SQL' },
      { where: empty, message: 'no migrations found (looked for *.sql files, recursively)' },
    ]);
  });

  it('an unreadable file and directory (chmod 000)', async () => {
    const dir = unreadableTree();
    if (!isRoot) {
      expect(await problemsOf([dir, join(dir, 'secret.sql')])).toEqual(unreadableProblems(dir));
      return;
    }
    // Root reads files whatever their mode: read them from a child process running as uid 65534, with
    // a copy of the built readers in a directory that user can read (the checkout may not be).
    const lib = mkdtempSync(join(tmpdir(), 'lockstep-readers-'));
    const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
    for (const sub of ['core', 'parse']) cpSync(join(dist, sub), join(lib, sub), { recursive: true });
    writeFileSync(join(lib, 'package.json'), '{"type":"module"}');
    execFileSync('chmod', ['-R', 'a+rX', lib]);
    const script = join(lib, 'child.mjs');
    writeFileSync(
      script,
      `import { readMigrations } from './parse/layouts/index.js';\n` +
        `try { await readMigrations(process.argv.slice(2)); console.log('null'); }\n` +
        `catch (e) { console.log(JSON.stringify({ code: e.code, problems: e.problems })); }\n`,
    );
    chmodSync(script, 0o644);
    const { stdout } = await execFileAsync(process.execPath, [script, dir, join(dir, 'secret.sql')], { uid: 65534, gid: 65534, cwd: lib });
    expect(JSON.parse(stdout)).toEqual({ code: 'E_INPUT', problems: unreadableProblems(dir) });
  });
});

/** A directory anyone may enter, with a readable file, a chmod 000 file and a chmod 000 subdirectory. */
function unreadableTree(): string {
  const dir = tempTree({ 'secret.sql': 'SELECT 1;\n', 'locked/a.sql': 'SELECT 2;\n', 'ok.sql': 'SELECT 3;\n' });
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'ok.sql'), 0o644);
  chmodSync(join(dir, 'secret.sql'), 0o000);
  chmodSync(join(dir, 'locked'), 0o000);
  return dir;
}

function unreadableProblems(dir: string): Problem[] {
  return [
    { where: `${dir}/locked`, message: 'cannot read: permission denied' },
    { where: `${dir}/secret.sql`, message: 'cannot read: permission denied' },
    { where: join(dir, 'secret.sql'), message: 'cannot read: permission denied' },
  ];
}
