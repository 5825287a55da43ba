/**
 * lockstep types without a database: the SQL type → node-postgres / zod / Prisma / Drizzle mapping, the
 * nullability per phase read from the plan for each version, the rendered text (which must compile), and
 * the command's bad-input errors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadParser } from '../../src/dialects/postgres/parser.js';
import { plan } from '../../src/plan/planner.js';
import { LockstepError, formatProblem } from '../../src/core/errors.js';
import type { Change, Operation } from '../../src/operations/types.js';
import { camel, describeNullability, isNullableAt, mapType, pascal, phaseNullability, rowTypes, type TypeResolver } from '../../src/app/types.js';
import { typesCommand, typesHelp } from '../../src/cli/types.js';
import type { Io } from '../../src/cli/io.js';
import { typecheck } from '../helpers/typecheck.js';
const typecheckText = (text: string) => typecheck(text, { name: 'generated_types', noUnusedLocals: true });




beforeAll(async () => {
  await loadParser();
});

const orders = { name: 'orders' };
const add = (name: string, type: string, o: Partial<Extract<Operation, { kind: 'addColumn' }>> = {}): Operation => ({ kind: 'addColumn', table: orders, name, type, nullable: true, ...o });

describe('mapType: what node-postgres returns', () => {
  const cases: [string, string, string, string, string][] = [
    // SQL type, TS, zod, Prisma type + native, Drizzle
    ['int', 'number', 'z.number().int()', 'Int', `integer('c')`],
    ['smallint', 'number', 'z.number().int()', 'Int @db.SmallInt', `smallint('c')`],
    ['serial', 'number', 'z.number().int()', 'Int', `serial('c')`],
    ['bigint', 'string', 'z.string()', 'BigInt', `bigint('c', { mode: 'bigint' })`],
    ['int8', 'string', 'z.string()', 'BigInt', `bigint('c', { mode: 'bigint' })`],
    ['numeric(12,2)', 'string', 'z.string()', 'Decimal @db.Decimal(12, 2)', `numeric('c', { precision: 12, scale: 2 })`],
    ['decimal', 'string', 'z.string()', 'Decimal @db.Decimal', `numeric('c')`],
    ['real', 'number', 'z.number()', 'Float @db.Real', `real('c')`],
    ['double precision', 'number', 'z.number()', 'Float', `doublePrecision('c')`],
    ['float8', 'number', 'z.number()', 'Float', `doublePrecision('c')`],
    ['boolean', 'boolean', 'z.boolean()', 'Boolean', `boolean('c')`],
    ['text', 'string', 'z.string()', 'String', `text('c')`],
    ['varchar(20)', 'string', 'z.string().max(20)', 'String @db.VarChar(20)', `varchar('c', { length: 20 })`],
    ['character varying', 'string', 'z.string()', 'String @db.VarChar', `varchar('c')`],
    ['char(3)', 'string', 'z.string().max(3)', 'String @db.Char(3)', `char('c', { length: 3 })`],
    ['uuid', 'string', 'z.string().uuid()', 'String @db.Uuid', `uuid('c')`],
    ['citext', 'string', 'z.string()', 'String @db.Citext', `customType`],
    ['date', 'Date', 'z.coerce.date()', 'DateTime @db.Date', `date('c', { mode: 'date' })`],
    ['timestamp', 'Date', 'z.coerce.date()', 'DateTime @db.Timestamp(6)', `timestamp('c')`],
    ['timestamptz', 'Date', 'z.coerce.date()', 'DateTime @db.Timestamptz(6)', `timestamp('c', { withTimezone: true })`],
    ['timestamp(3) with time zone', 'Date', 'z.coerce.date()', 'DateTime @db.Timestamptz(3)', `timestamp('c', { withTimezone: true, precision: 3 })`],
    ['time', 'string', 'z.string()', 'DateTime @db.Time(6)', `time('c')`],
    ['json', 'JsonValue', 'jsonValue', 'Json @db.Json', `json('c')`],
    ['jsonb', 'JsonValue', 'jsonValue', 'Json', `jsonb('c')`],
    ['bytea', 'Buffer', 'z.instanceof(Buffer)', 'Bytes', `customType`],
    ['interval', 'PostgresInterval', expect.stringContaining('z.custom<PostgresInterval>') as any, 'Unsupported("interval")', `interval('c')`],
    ['text[]', 'string[]', 'z.array(z.string())', 'String[]', `text('c').array()`],
    ['integer ARRAY', 'number[]', 'z.array(z.number().int())', 'Int[]', `integer('c').array()`],
    ['bigint[]', 'string[]', 'z.array(z.string())', 'BigInt[]', `bigint('c', { mode: 'bigint' }).array()`],
    ['timestamptz[]', 'Date[]', 'z.array(z.coerce.date())', 'DateTime[] @db.Timestamptz(6)', `timestamp('c', { withTimezone: true }).array()`],
  ];
  test.each(cases)('%s', async (sql, tsType, zod, prisma, drizzle) => {
    const m = await mapType(sql);
    expect(m.ts).toBe(tsType);
    expect(m.zod).toEqual(zod);
    expect(`${m.prisma.type}${m.prisma.list ? '[]' : ''}${m.prisma.native ? ` ${m.prisma.native}` : ''}`).toBe(prisma);
    const d = m.drizzle;
    expect(d.custom !== undefined ? 'customType' : `${d.builder}('c'${d.options ? `, ${d.options}` : ''})${d.array ? '.array()' : ''}`).toBe(drizzle);
  });

  test('the surprises are said in a note', async () => {
    expect((await mapType('bigint')).note).toMatch(/int8 as a string/);
    expect((await mapType('numeric')).note).toMatch(/as a string/);
    // pg-types parses numeric[] with parseFloat: number[], not string[]
    expect(await mapType('numeric(10,2)[]')).toMatchObject({ ts: 'number[]', note: expect.stringMatching(/parseFloat/) });
    // no parser for xml[]: the array comes back as its text
    expect(await mapType('xml[]')).toMatchObject({ ts: 'string', note: expect.stringMatching(/as its text/) });
    expect(await mapType('int4range')).toMatchObject({ ts: 'string', note: expect.stringMatching(/as its text/) });
  });

  test('a type that is not built in: string with why, or what the database says', async () => {
    expect(await mapType('mood')).toMatchObject({ ts: 'string', note: expect.stringMatching(/mood is not a built-in type: pass --db/) });
    expect(await mapType('billing.money_amount')).toMatchObject({ ts: 'string', note: expect.stringMatching(/billing\.money_amount/) });
    const resolver: TypeResolver = async (ref) =>
      ref.name === 'mood'
        ? { typtype: 'e', schema: 'public', name: 'mood', labels: ['happy', "it's ok"] }
        : ref.name === 'positive'
          ? { typtype: 'd', schema: 'public', name: 'positive', base: 'integer' }
          : ref.name === 'addr'
            ? { typtype: 'c', schema: 'public', name: 'addr' }
            : null;
    expect(await mapType('mood', resolver)).toMatchObject({ ts: `'happy' | 'it\\'s ok'`, zod: `z.enum(['happy', 'it\\'s ok'])`, prisma: { type: 'Mood' }, drizzle: { builder: 'moodEnum' } });
    expect(await mapType('mood[]', resolver)).toMatchObject({ ts: 'string', note: expect.stringMatching(/mood\[\] \(an array of an enum\) as its text/) });
    expect(await mapType('positive', resolver)).toMatchObject({ ts: 'number', prisma: { type: 'Int' }, note: 'domain positive over integer' });
    expect(await mapType('addr', resolver)).toMatchObject({ ts: 'string', note: expect.stringMatching(/composite type/) });
    expect(await mapType('nosuch', resolver)).toMatchObject({ ts: 'string', note: expect.stringMatching(/does not exist in the database/) });
  });

  test('names', () => {
    expect(camel('created_at')).toBe('createdAt');
    expect(camel('Customer Id')).toBe('customerId');
    expect(camel('createdAt')).toBe('createdAt');
    expect(pascal('order_items')).toBe('OrderItems');
    expect(pascal('2024 orders')).toBe('T2024Orders');
  });
});

describe('nullability per phase comes from the plan', () => {
  const byPhase = async (op: Operation, version: number) => {
    const change: Change = { name: 'c', operations: [op] };
    const [c] = await phaseNullability(await plan(change, { version }));
    return { expand: c!.after.expand.nullable, backfill: c!.after.backfill.nullable, contract: c!.after.contract.nullable };
  };

  test.each([11, 12, 15, 17, 18])('PG %i: NOT NULL with a volatile default is nullable until contract', async (v) => {
    expect(await byPhase(add('created_at', 'timestamptz', { nullable: false, default: 'clock_timestamp()' }), v)).toEqual({ expand: true, backfill: true, contract: false });
    expect(await byPhase(add('created_at', 'timestamptz', { nullable: false, backfill: 'now()' }), v)).toEqual({ expand: true, backfill: true, contract: false });
  });

  test.each([11, 15, 18])('PG %i: NOT NULL with a non-volatile default is one instant step, NOT NULL from expand on', async (v) => {
    expect(await byPhase(add('qty', 'int', { nullable: false, default: '0' }), v)).toEqual({ expand: false, backfill: false, contract: false });
    expect(await byPhase(add('created_at', 'timestamptz', { nullable: false, default: 'now()' }), v)).toEqual({ expand: false, backfill: false, contract: false });
  });

  test('a nullable column stays nullable; setNotNull is enforced at contract', async () => {
    expect(await byPhase(add('note2', 'text'), 15)).toEqual({ expand: true, backfill: true, contract: true });
    for (const v of [11, 15, 18]) expect(await byPhase({ kind: 'setNotNull', table: orders, column: 'note' }, v)).toEqual({ expand: true, backfill: true, contract: false });
  });

  test('isNullableAt and unique, for other commands', async () => {
    const change: Change = { name: 'c', operations: [add('code', 'text', { unique: true }), add('created_at', 'timestamptz', { nullable: false, default: 'clock_timestamp()' })] };
    const cols = await phaseNullability(await plan(change, { version: 15 }));
    expect(isNullableAt(cols, orders, 'created_at', 'backfill')).toBe(true);
    expect(isNullableAt(cols, { schema: 'public', name: 'orders' }, 'created_at', 'contract')).toBe(false);
    expect(isNullableAt(cols, orders, 'id', 'contract')).toBeUndefined();
    expect(cols[0]!.after.expand.unique).toBe(false);
    expect(cols[0]!.after.contract.unique).toBe(true);
  });

  test('describeNullability', () => {
    expect(describeNullability({ expand: true, backfill: true, contract: false })).toBe('nullable after expand and backfill, NOT NULL after contract');
    expect(describeNullability({ expand: false, backfill: false, contract: false })).toBe('NOT NULL from expand on');
    expect(describeNullability({ expand: true, backfill: true, contract: true })).toBe('nullable after every phase');
  });
});

describe('rendering', () => {
  const change: Change = {
    name: 'orders-created-at',
    operations: [add('created_at', 'timestamptz', { nullable: false, default: 'clock_timestamp()' }), add('Ref Code', 'varchar(20)', { unique: true }), add('qty', 'int', { nullable: false, default: '0' })],
  };

  test('TypeScript: nullable at expand, exact after contract; column names as properties, quoted when needed', async () => {
    const expand = await rowTypes(change, { phase: 'expand', pgVersion: 15 });
    expect(expand.text.ts).toContain('// Only the columns this change adds or alters: pass --db for every column of the table.');
    expect(expand.text.ts).toContain('export interface OrdersRow {\n  /** timestamptz; nullable after expand and backfill, NOT NULL after contract */\n  created_at: Date | null;');
    expect(expand.text.ts).toContain(`  'Ref Code': string | null;`);
    expect(expand.text.ts).toContain('  qty: number;');
    const contract = await rowTypes(change, { phase: 'contract', pgVersion: 15 });
    expect(contract.text.ts).toContain('  created_at: Date;');
    expect(contract.text.ts).toContain(`  'Ref Code': string | null;`);
  });

  test('Prisma and Drizzle lines for the new columns at each phase', async () => {
    const expand = await rowTypes(change, { phase: 'expand', pgVersion: 15 });
    expect(expand.text.prisma).toContain(`  createdAt DateTime? @default(dbgenerated("clock_timestamp()")) @map("created_at") @db.Timestamptz(6)`);
    expect(expand.text.prisma).toContain(`  refCode String? @map("Ref Code") @db.VarChar(20)`);
    expect(expand.text.prisma).toContain(`  qty Int @default(0)`);
    expect(expand.text.drizzle).toContain("  createdAt: timestamp('created_at', { withTimezone: true }).default(sql`clock_timestamp()`),");
    expect(expand.text.drizzle).toContain(`import { sql } from 'drizzle-orm';\nimport { integer, timestamp, varchar } from 'drizzle-orm/pg-core';`);
    const contract = await rowTypes(change, { phase: 'contract', pgVersion: 15 });
    expect(contract.text.prisma).toContain(`  createdAt DateTime @default(dbgenerated("clock_timestamp()")) @map("created_at") @db.Timestamptz(6)`);
    expect(contract.text.prisma).toContain(`  refCode String? @unique @map("Ref Code") @db.VarChar(20)`);
    expect(contract.text.drizzle).toContain("  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),");
    expect(contract.text.drizzle).toContain("  refCode: varchar('Ref Code', { length: 20 }).unique(),");
    const now = await rowTypes({ name: 'n', operations: [add('created_at', 'timestamptz', { nullable: false, default: 'now()' })] }, { phase: 'expand', pgVersion: 15 });
    expect(now.text.prisma).toContain('  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(6)');
    // A table outside public: the model needs @@schema (Prisma's multiSchema) as well as @@map.
    const billing = await rowTypes({ name: 'b', operations: [{ kind: 'addColumn', table: { schema: 'billing', name: 'invoices' }, name: 'note', type: 'text', nullable: true }] }, { phase: 'expand', pgVersion: 15 });
    expect(billing.text.prisma).toMatch(/^\/\/ model \w+ \{ … \} {2}\((?:@@map\("invoices"\) )?@@schema\("billing"\)\)$/m);
  });

  const many: Change = {
    name: 'many',
    operations: [
      add('created_at', 'timestamptz', { nullable: false, default: 'clock_timestamp()' }),
      add('big', 'bigint'),
      add('amount', 'numeric(12,2)'),
      add('tags', 'text[]'),
      add('scores', 'numeric[]'),
      add('meta', 'jsonb', { nullable: false, default: `'{}'` }),
      add('wait', 'interval'),
      add('blob', 'bytea'),
      add('where', 'point'),
      add('mood', 'mood'),
      add('Customer Id', 'integer'),
      add('1st', 'text'),
      { kind: 'setNotNull', table: orders, column: 'note' },
      { kind: 'addColumn', table: { schema: 'billing', name: 'invoices' }, name: 'paid_at', type: 'date', nullable: true },
    ],
  };

  test('the compiler check does catch errors (and knows Buffer from @types/node)', () => {
    expect(typecheckText(`export const x: number = 'a';`)).toEqual([expect.stringMatching(/not assignable to type 'number'/)]);
    expect(typecheckText(`export const b: Buffer | null = null;`)).toEqual([]);
    expect(typecheckText(`export const b: NoSuchType | null = null;`)).toHaveLength(1);
  });

  test.each(['expand', 'contract'] as const)('the TypeScript compiles (%s)', async (phase) => {
    const r = await rowTypes(many, { phase, pgVersion: 15 });
    expect(r.tables.map((t) => t.typeName)).toEqual(['OrdersRow', 'BillingInvoicesRow']);
    expect(typecheckText(r.text.ts)).toEqual([]);
  });

  test('zod: one entry per column, .nullable() exactly where the row type says | null', async () => {
    const r = await rowTypes(many, { phase: 'expand', pgVersion: 15, zod: true });
    const text = r.text.ts;
    expect(text).toContain(`import { z } from 'zod';`);
    expect(text).toContain('export const jsonValue: z.ZodType<JsonValue> = z.lazy(');
    for (const t of r.tables) {
      const block = text.slice(text.indexOf(`export const ${t.typeName}Schema = z.object({`));
      const body = block.slice(0, block.indexOf('});'));
      for (const c of t.columns) {
        const k = /^[A-Za-z_$][\w$]*$/.test(c.name) ? c.name : `'${c.name}'`;
        const line = body.split('\n').find((l) => l.startsWith(`  ${k}: `));
        expect(line, c.name).toBeDefined();
        expect(line!.endsWith('.nullable(),'), c.name).toBe(c.nullable);
        expect(line).toContain(c.type.zod);
      }
    }
    expect(text).toContain('  created_at: z.coerce.date().nullable(),');
    expect(text).toContain(`  'Customer Id': z.number().int().nullable(),`);
  });

  // zod is a dev dependency so this runs everywhere the suite does.
  test('zod: the schemas compile against zod', async () => {
    const r = await rowTypes(many, { phase: 'contract', pgVersion: 15, zod: true });
    expect(typecheckText(r.text.ts)).toEqual([]);
  });
});

function capture(cwd: string) {
  let out = '';
  let err = '';
  const stream = (f: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        f(String(chunk));
        cb();
      },
    });
  const io: Io = { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), env: {}, cwd };
  return { io, out: () => out, err: () => err };
}

describe('lockstep types (command)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lockstep-types-'));
    writeFileSync(join(dir, 'created-at.yaml'), 'table: orders\naddColumn:\n  name: created_at\n  type: timestamptz\n  nullable: false\n  default: clock_timestamp()\n');
    writeFileSync(join(dir, 'broken.yaml'), 'table: orders\naddColumn: [name: x\n');
    writeFileSync(join(dir, 'index.yaml'), 'table: orders\naddIndex:\n  columns: [customer_id]\n');
    writeFileSync(join(dir, 'set-not-null.sql'), 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n');
  });

  /** What main() prints for an error: one `lockstep: …` line per problem, exit 2 for bad usage or input. */
  async function fails(argv: string[]) {
    const c = capture(dir);
    const e = await typesCommand(argv, c.io).then(
      () => undefined,
      (x) => x,
    );
    expect(e).toBeInstanceOf(LockstepError);
    expect(['E_USAGE', 'E_INPUT']).toContain((e as LockstepError).code);
    return (e as LockstepError).problems.map((p) => `lockstep: ${formatProblem(p)}`);
  }

  test('--help', async () => {
    const c = capture(dir);
    expect(await typesCommand(['--help'], c.io)).toBe(0);
    expect(c.out()).toBe(typesHelp + '\n');
  });

  test('writes each format; --phase picks the row', async () => {
    let c = capture(dir);
    expect(await typesCommand(['created-at.yaml', '--phase', 'backfill'], c.io)).toBe(0);
    expect(c.out()).toContain('  created_at: Date | null;');
    c = capture(dir);
    expect(await typesCommand(['created-at.yaml', '--phase', 'contract', '--format', 'all', '--zod'], c.io)).toBe(0);
    expect(c.out()).toContain('  created_at: Date;');
    expect(c.out()).toContain('  created_at: z.coerce.date(),');
    expect(c.out()).toContain('  createdAt DateTime @default(dbgenerated("clock_timestamp()")) @map("created_at") @db.Timestamptz(6)');
    expect(c.out()).toContain("  createdAt: timestamp('created_at', { withTimezone: true }).notNull()");
    c = capture(dir);
    expect(await typesCommand(['set-not-null.sql', '--format', 'prisma', '--pg-version', '12'], c.io)).toBe(0);
    expect(c.out()).toContain('note: keep the ?');
  });

  test('bad input: one line each, exit 2', async () => {
    expect(await fails(['created-at.yaml', '--phase', 'later'])).toEqual(['lockstep: --phase: must be one of expand, backfill, contract; got "later"']);
    expect(await fails(['created-at.yaml', '--format', 'prisma', '--zod'])).toEqual(['lockstep: --zod: only goes with --format ts or all']);
    expect(await fails([])).toEqual(['lockstep: types: needs a change file (.yaml, .yml, .json or .sql)']);
    const broken = await fails(['broken.yaml']);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(/^lockstep: broken\.yaml:\d+: invalid YAML/);
    expect(await fails(['index.yaml'])).toEqual([
      'lockstep: index.yaml: has no addColumn or setNotNull: lockstep types describes the columns a change adds or makes NOT NULL (found addIndex)',
    ]);
    expect(await fails(['missing.yaml'])).toEqual(['lockstep: missing.yaml: no such file']);
  });
});
