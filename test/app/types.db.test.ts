/**
 * lockstep types against real servers: a change is applied phase by phase (apply --until), and after each
 * phase the generated row type must say what the database says — nullability from information_schema and
 * pg_attribute, the TypeScript type from the column's type and from the values node-postgres really
 * returns — with --db (the whole row, enum labels, the ledger's plan) and without (the plan alone).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { testServers, freshDatabase, type TestDatabase } from '../helpers/db.js';
import { apply } from '../../src/apply/apply.js';
import { readChange } from '../../src/spec/read.js';
import { rowTypes, type RowTypes } from '../../src/app/types.js';
import { typesCommand } from '../../src/cli/types.js';
import { Writable } from 'node:stream';
import type { PhaseName } from '../../src/plan/types.js';
import { typecheck } from '../helpers/typecheck.js';
const typecheckText = (text: string) => typecheck(text, { name: 'generated_types_db' });

// Every server of the matrix the run started (PG 15, and the embedded 16, 17, 18 unless LOCKSTEP_TEST_SERVERS limits it).
const servers = testServers();
const fast = { guard: { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 }, replicaWaitMs: 0, snapshot: false };


const schema = `
CREATE TYPE mood AS ENUM ('happy', 'sad', 'in between');
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  total numeric(12,2) NOT NULL,
  note text,
  tags text[],
  status mood NOT NULL DEFAULT 'happy',
  meta jsonb,
  "Customer Id" integer,
  placed date,
  flag boolean
);
INSERT INTO orders SELECT g, g, 'n' || g, ARRAY['a', 'b'], 'sad', '{"a": 1}', g, current_date, true FROM generate_series(1, 2000) g;
ANALYZE orders;`;

// A NOT NULL column with a backfill (a volatile default: nullable until contract), a NOT NULL column Postgres
// adds in one instant step (NOT NULL from expand on), nullable ones (numeric, an enum, a quoted name) and a
// setNotNull on an existing column.
const spec = (name: string) => `name: ${name}
changes:
  - table: orders
    addColumn:
      name: created_at
      type: timestamptz
      nullable: false
      default: clock_timestamp()
  - table: orders
    addColumn:
      name: qty
      type: integer
      nullable: false
      default: 0
  - table: orders
    addColumn:
      name: discount
      type: numeric(12,2)
  - table: orders
    addColumn:
      name: mood_after
      type: mood
  - table: orders
    addColumn:
      name: '"Ref Code"'
      type: varchar(20)
  - table: orders
    setNotNull:
      column: note
`;

/** The TypeScript type node-postgres gives a column, from the database's own description of it (independent of lockstep's mapping). */
async function expectedTs(db: TestDatabase, col: { data_type: string; udt_name: string }): Promise<string> {
  const scalar: Record<string, string> = {
    int2: 'number', int4: 'number', int8: 'string', numeric: 'string', float4: 'number', float8: 'number', bool: 'boolean',
    text: 'string', varchar: 'string', bpchar: 'string', uuid: 'string', date: 'Date', timestamp: 'Date', timestamptz: 'Date',
    json: 'JsonValue', jsonb: 'JsonValue', bytea: 'Buffer',
  };
  if (col.data_type === 'USER-DEFINED') {
    const labels = await db.query<{ l: string }>(`SELECT e.enumlabel AS l FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`, [col.udt_name]);
    return labels.map((x) => `'${x.l}'`).join(' | ');
  }
  if (col.data_type === 'ARRAY') return `${scalar[col.udt_name.slice(1)]}[]`;
  return scalar[col.udt_name] ?? `? ${col.udt_name}`;
}

/** Does a value node-postgres returned have the TypeScript type lockstep wrote? */
function valueHasType(v: unknown, t: string): boolean {
  if (t.endsWith('[]')) return Array.isArray(v) && v.every((x) => valueHasType(x, t.slice(0, -2)));
  if (t === 'Date') return v instanceof Date;
  if (t === 'Buffer') return Buffer.isBuffer(v);
  if (t === 'JsonValue') return true;
  if (t.startsWith("'")) return t.split(' | ').map((l) => l.slice(1, -1)).includes(v as string);
  return typeof v === t;
}

async function dbColumns(db: TestDatabase) {
  return db.query<{ column_name: string; is_nullable: string; data_type: string; udt_name: string; attnotnull: boolean }>(`
    SELECT c.column_name, c.is_nullable, c.data_type, c.udt_name, a.attnotnull
    FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = 'public.orders'::regclass AND a.attname = c.column_name
    WHERE c.table_schema = 'public' AND c.table_name = 'orders' ORDER BY c.ordinal_position`);
}

/** The generated row type says what the database says, column by column. */
async function compare(db: TestDatabase, r: RowTypes, { whole }: { whole: boolean }) {
  const cols = await dbColumns(db);
  const [t] = r.tables;
  expect(r.tables).toHaveLength(1);
  expect(t!.wholeRow).toBe(whole);
  if (whole) expect(t!.columns.map((c) => c.name)).toEqual(cols.map((c) => c.column_name));
  else expect(t!.columns.map((c) => c.name).sort()).toEqual(['Ref Code', 'created_at', 'discount', 'mood_after', 'note', 'qty'].sort());
  for (const c of t!.columns) {
    const d = cols.find((x) => x.column_name === c.name);
    expect(d, c.name).toBeDefined();
    expect(c.nullable, `${c.name} nullable after ${r.phase}`).toBe(d!.is_nullable === 'YES');
    expect(c.nullable, `${c.name} attnotnull after ${r.phase}`).toBe(!d!.attnotnull);
    // Offline, a type that is not built in is a string and a setNotNull column's type is unknown: only with --db.
    if (whole || (d!.data_type !== 'USER-DEFINED' && c.name !== 'note')) expect(c.type.ts, `${c.name}'s type`).toBe(await expectedTs(db, d!));
    // And the line in the text says the same.
    const prop = /^[A-Za-z_]\w*$/.test(c.name) ? c.name : `'${c.name}'`;
    expect(r.text.ts).toContain(`\n  ${prop}: ${c.nullable ? `${/ \| /.test(c.type.ts) ? `(${c.type.ts})` : c.type.ts} | null` : c.type.ts};\n`);
  }
  // The values node-postgres returns have those types.
  const c = await db.connect();
  const rows = (await c.query(`SELECT * FROM orders ORDER BY id DESC LIMIT 5`)).rows;
  for (const col of t!.columns)
    for (const row of rows) {
      const v = row[col.name];
      if (v === null) expect(col.nullable, `${col.name} is NULL in a row`).toBe(true);
      else if (col.type.ts !== 'unknown' && !(whole === false && col.type.ts === 'string' && col.type.note?.startsWith('string: '))) expect(valueHasType(v, col.type.ts), `${col.name}: ${JSON.stringify(v)} is ${col.type.ts}`).toBe(true);
    }
  expect(typecheckText(r.text.ts)).toEqual([]);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockstep-types-db-'));
});

describe.each(servers)('lockstep types on $name', (server) => {
  test('after each phase the row type is what the database says', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const file = join(dir, `orders-${server.name}-${randomBytes(3).toString('hex')}.yaml`);
    writeFileSync(file, spec(`orders-types-${server.name}`));
    const { change } = await readChange(file);

    const check = async (phase: PhaseName) => {
      const withDb = await rowTypes(change, { phase, db: db.url, zod: true });
      expect(withDb).toMatchObject({ facts: 'database', pgVersion: server.major, planFrom: 'ledger' });
      await compare(db, { ...withDb, text: { ...withDb.text, ts: (await rowTypes(change, { phase, db: db.url })).text.ts } }, { whole: true });
      // zod: by structure (zod is not a dependency): an entry per column, .nullable() where the type has | null
      for (const col of withDb.tables[0]!.columns) {
        const prop = /^[A-Za-z_]\w*$/.test(col.name) ? col.name : `'${col.name}'`;
        expect(withDb.text.ts).toContain(`\n  ${prop}: ${col.type.zod}${col.nullable ? '.nullable()' : ''},\n`);
      }
      const offline = await rowTypes(change, { phase, pgVersion: server.major });
      expect(offline).toMatchObject({ facts: 'offline', planFrom: 'planned' });
      await compare(db, offline, { whole: false });
      return withDb;
    };

    // expand: the column with a backfill is nullable, the instant one already NOT NULL
    const first = await apply(change, { url: db.url, until: 'expand', ...fast });
    expect(first.stoppedAfter).toBe('expand');
    await db.query(`INSERT INTO orders (id, total, note, status, created_at, qty, discount, mood_after, "Ref Code") VALUES (100001, 1.5, 'x', 'happy', now(), 3, 0.25, 'in between', 'R-1')`);
    const expand = await check('expand');
    const col = (r: RowTypes, name: string) => r.tables[0]!.columns.find((c) => c.name === name)!;
    expect(col(expand, 'created_at')).toMatchObject({ nullable: true, changed: true, type: { ts: 'Date' } });
    expect(col(expand, 'qty')).toMatchObject({ nullable: false, changed: true });
    expect(col(expand, 'mood_after').type.ts).toBe(`'happy' | 'sad' | 'in between'`);
    expect(col(expand, 'status')).toMatchObject({ nullable: false, changed: false });
    expect(expand.text.prisma).toContain('  createdAt DateTime? @default(dbgenerated("clock_timestamp()")) @map("created_at") @db.Timestamptz(6)');
    expect(expand.text.prisma).toContain('enum Mood {\n  happy\n  sad\n  in_between @map("in between")\n  @@map("mood")\n}');
    expect(expand.text.drizzle).toContain(`export const moodEnum = pgEnum('mood', ['happy', 'sad', 'in between']);`);
    expect(expand.text.drizzle).toContain(`  moodAfter: moodEnum('mood_after'),`);

    // backfill: every row has a value, the column is still nullable in the database
    const second = await apply(change, { url: db.url, until: 'backfill', ...fast });
    expect(second.stoppedAfter).toBe('backfill');
    expect((await db.query(`SELECT count(*)::int AS n FROM orders WHERE created_at IS NULL`))[0].n).toBe(0);
    expect(col(await check('backfill'), 'created_at').nullable).toBe(true);

    // contract: NOT NULL enforced, and the type is exact
    const last = await apply(change, { url: db.url, ...fast });
    expect(last.stoppedAfter).toBeUndefined();
    const contract = await check('contract');
    expect(col(contract, 'created_at')).toMatchObject({ nullable: false, type: { ts: 'Date' } });
    expect(col(contract, 'note')).toMatchObject({ nullable: false, changed: true, type: { ts: 'string' } });
    expect(contract.text.prisma).toContain('  createdAt DateTime @default(dbgenerated("clock_timestamp()")) @map("created_at") @db.Timestamptz(6)');
    expect(contract.text.drizzle).toContain("  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),");

    // Without the ledger (the change applied some other way), the plan is made for the schema before the
    // change: the columns it added are taken out again, so the phases still tell expand from contract.
    await db.query(`DROP SCHEMA lockstep CASCADE`);
    const again = await rowTypes(change, { phase: 'expand', db: db.url });
    expect(again.planFrom).toBe('planned');
    expect(again.tables[0]!.columns.map((c) => c.name)).toEqual((await dbColumns(db)).map((c) => c.column_name));
    expect(col(again, 'created_at').nullable).toBe(true);
    expect(col(again, 'note').nullable).toBe(true);
    expect(col(await rowTypes(change, { phase: 'contract', db: db.url }), 'created_at').nullable).toBe(false);
  });

  test('--db before anything ran: the plan for the server decides, the whole row is typed', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const file = join(dir, `orders-before-${server.name}-${randomBytes(3).toString('hex')}.yaml`);
    writeFileSync(file, spec(`orders-before-${server.name}`));
    const { change } = await readChange(file);
    const r = await rowTypes(change, { phase: 'expand', db: db.url });
    expect(r).toMatchObject({ facts: 'database', planFrom: 'planned', pgVersion: server.major });
    expect(r.tables[0]!.columns.map((c) => c.name)).toEqual(['id', 'total', 'note', 'tags', 'status', 'meta', 'Customer Id', 'placed', 'flag', 'created_at', 'qty', 'discount', 'mood_after', 'Ref Code']);
    expect(r.text.ts).toContain('  created_at: Date | null;');
    expect(r.text.ts).toContain('  note: string | null;');
    expect(r.text.ts).toContain(`  status: 'happy' | 'sad' | 'in between';`);
    expect(typecheckText(r.text.ts)).toEqual([]);
    // The command: the same, with the Prisma and Drizzle lines.
    let out = '';
    const sink = (f: (s: string) => void) => new Writable({ write: (chunk, _e, cb) => (f(String(chunk)), cb()) });
    const io = { stdout: sink((s) => (out += s)), stderr: sink(() => {}), env: {}, cwd: dir };
    expect(await typesCommand([file, '--db', db.url, '--format', 'all', '--phase', 'contract'], io)).toBe(0);
    expect(out).toContain(`  'Customer Id': number | null;`);
    expect(out).toContain('  created_at: Date;');
    expect(out).toContain('  refCode String? @map("Ref Code") @db.VarChar(20)');
    expect(out).toContain("  moodAfter: moodEnum('mood_after'),");
    // A bad URL: one clear error, password hidden.
    await expect(rowTypes(change, { phase: 'expand', db: 'postgres://u:secretpw@127.0.0.1:1/x' })).rejects.toThrow(/cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
  });
});
