/**
 * app-check on the code an independent review found it mishandled: runaway regular expressions,
 * symlink loops, unreadable directories, generated code, Prisma syntax, placeholders of other drivers,
 * set operations, guards, schema-qualified models, Drizzle namespaces, Knex chains, CRLF files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appCheck } from '../../src/app/app-check.js';
import { readChange } from '../../src/spec/read.js';
import type { Change } from '../../src/operations/types.js';

const bin = join(import.meta.dirname, '../../bin/lockstep.js');
const spec = join(import.meta.dirname, '../../examples/shop/changes/orders-currency.yaml');
let change: Change;
beforeAll(async () => {
  change = (await readChange(join(import.meta.dirname, '../../examples/shop/changes/orders-currency.yaml'))).change;
});

function app(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-app-edges-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}
const check = async (dir: string, paths = ['.']) => appCheck(change, { paths, cwd: dir, version: 15 });
const found = async (dir: string) => (await check(dir)).findings.map((f) => `${f.file}:${f.line}:${f.rule}`);

describe('app-check edge cases', () => {
  it('many leading comments in a template do not make the SQL test run away', async () => {
    const dir = app({ 'style.ts': 'export const css = `' + '/* section */\n'.repeat(200) + 'body{}`;\n' });
    // Was exponential in the number of comments (28 took seconds, 40 never ended): the test's timeout is the guard.
    expect(await found(dir)).toEqual([]);
  });

  it('symlinked directories are not followed (no loops, no duplicates); linked files are read once', async () => {
    const dir = app({ 'src/a.ts': `q('INSERT INTO orders VALUES (1)');\n` });
    symlinkSync('..', join(dir, 'src/up'));
    symlinkSync('..', join(dir, 'src/up2'));
    symlinkSync('a.ts', join(dir, 'src/same.ts'));
    expect(await found(dir)).toEqual(['src/a.ts:1:insert-without-columns']);
  });

  it('an unreadable directory is skipped with the reason, the rest checked', async () => {
    const dir = app({ 'a.ts': `q('INSERT INTO orders VALUES (1)');\n`, 'pgdata/x': '' });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'a.ts'), 0o644);
    chmodSync(join(dir, 'pgdata'), 0o700); // like a Postgres data directory: its owner only
    // As root every directory is readable: run the CLI as another user when we are root.
    const asOther = process.getuid?.() === 0;
    if (asOther) chownSync(join(dir, 'pgdata'), 0, 0);
    else chmodSync(join(dir, 'pgdata'), 0o000);
    try {
      const r = spawnSync(process.execPath, [bin, 'app-check', spec, '.', '--format', 'json'], { cwd: dir, encoding: 'utf8', ...(asOther ? { uid: 65534, gid: 65534 } : {}) });
      expect(r.status, r.stderr).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.skipped).toEqual([{ file: 'pgdata', reason: expect.stringMatching(/^directory cannot be read \(EACCES\)/) }]);
      expect(j.findings.map((f: any) => f.file)).toEqual(['a.ts']);
    } finally {
      chmodSync(join(dir, 'pgdata'), 0o755);
    }
  });

  it('generated code nested too deep for a walk is skipped, not fatal', async () => {
    const dir = app({ 'blob.ts': 'export const blob = ' + Array.from({ length: 5000 }, (_, i) => `"QUJD${i}"`).join(' + ') + ';\n', 'a.ts': `q('SELECT * FROM orders');\n` });
    const r = await check(dir);
    expect(r.findings.map((f) => f.file)).toEqual(['a.ts']);
    for (const s of r.skipped) expect(s).toEqual({ file: 'blob.ts', reason: 'nested too deeply to read (generated code?)' });
  });

  it("Prisma: braces in strings, Unsupported(\"…\") types and lockstep types' own lines parse", async () => {
    const dir = app({
      'schema.prisma': [
        'model Order {',
        '  id     BigInt  @id',
        '  meta   Json    @default("{}")',
        '  search Unsupported("tsvector")?',
        '  currency String? @db.Char(3) // nullable after expand and backfill, NOT NULL after contract',
        '  @@map("orders")',
        '}',
      ].join('\n'),
    });
    const r = await check(dir);
    expect(r.skipped).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it("Knex's ? and Sequelize's :name placeholders are read; UNION branches are seen", async () => {
    const dir = app({
      'a.ts': [
        `knex.raw('INSERT INTO orders (customer_id, total_cents) VALUES (?, ?)', [1, 2]);`,
        `sequelize.query('INSERT INTO orders (customer_id, total_cents) VALUES (:c, :t)', { replacements });`,
        `p.query('SELECT * FROM orders UNION ALL SELECT * FROM archive');`,
      ].join('\n'),
    });
    expect(await found(dir)).toEqual(['a.ts:1:insert-omits-column', 'a.ts:2:insert-omits-column', 'a.ts:3:select-star']);
  });

  it('a call like debug("orders") does not make another object\'s .currency the column', async () => {
    const dir = app({ 'pay.ts': `const log = debug('orders');\nexport const f = (p: any) => p.currency.toUpperCase();\n` });
    expect(await found(dir)).toEqual([]);
  });

  it('guards: filter before map, || after a null test, else of a null test, assert; not the null branch itself', async () => {
    const dir = app({
      'g.ts': [
        `const rows = (await pool.query('SELECT id, currency FROM orders')).rows;`,
        `export const a = rows.filter((r) => r.currency !== null).map((o) => o.currency.trim());`,
        `export const b = (r: any) => r.currency == null || r.currency.trim() === '';`,
        `export function c(r: any) { if (r.currency === null) { return ''; } else { return r.currency.trim(); } }`,
        `export function d(r: any) { assert(r.currency); return r.currency.trim(); }`,
        `export function e(r: any) { if (r.currency === null) { return r.currency.trim(); } return ''; }`,
        `export function f(r: any) { if (r.currency_code) return r.currency.trim(); return ''; }`,
      ].join('\n'),
    });
    expect(await found(dir)).toEqual(['g.ts:6:assumes-not-null', 'g.ts:7:assumes-not-null']);
  });

  it('Drizzle through a namespace import, an alias and a schema variable; Knex returning() before insert(); string constants in templates', async () => {
    const dir = app({
      'schema.ts': `export const sales = pgSchema('public');\nexport const orders = sales.table('orders', { id: bigint('id'), currency: char('currency', { length: 3 }).notNull() });\n`,
      'a.ts': [
        `import * as schema from './schema';`,
        `import { orders as ordersTable } from './schema';`,
        `await db.insert(schema.orders).values({ id: 1 });`,
        `await db.insert(ordersTable).values({ id: 2 });`,
        `await knex('orders as o').returning('id').insert({ id: 3 });`,
        `const COLUMNS = 'id, currency';`,
        `interface Row { id: string; currency: string }`,
        'export const r = await pool.query<Row>(`SELECT ${COLUMNS} FROM orders`);',
      ].join('\n'),
    });
    expect(await found(dir)).toEqual([
      'a.ts:3:insert-omits-column',
      'a.ts:4:insert-omits-column',
      'a.ts:5:insert-omits-column',
      'a.ts:7:assumes-not-null',
      'schema.ts:2:assumes-not-null',
    ]);
  });

  it('a model in another schema than the change is not the table; TypeORM @JoinColumn is not a column', async () => {
    const dir = app({
      'schema.prisma': 'model Order {\n  id BigInt @id\n  @@map("orders")\n  @@schema("sales")\n}\n',
      'e.ts': `@Entity('orders')\nclass Order {\n  @ManyToOne(() => Customer, { nullable: true })\n  @JoinColumn({ name: 'currency' })\n  customer!: Customer;\n  @Column({ nullable: true }) currency!: string | null;\n}\n`,
    });
    expect(await found(dir)).toEqual([]);
  });

  it('CRLF files: the line of a finding in a multi-line template is the line in the file', async () => {
    const dir = app({ 'c.ts': ['export const q = `', '  SELECT id,', '         o.*', '  FROM orders o', '`;', ''].join('\r\n') });
    expect(await found(dir)).toEqual(['c.ts:3:select-star']);
  });
});
