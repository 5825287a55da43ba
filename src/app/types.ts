/**
 * `lockstep types`: the row of a changed table as the application reads it after a phase — nullable while
 * the plan leaves the new column nullable (expand, backfill), exact once contract has enforced NOT NULL —
 * as a TypeScript interface (node-postgres values), optionally a zod schema, and the Prisma and Drizzle
 * field lines for the new columns.
 *
 * Nullability is not guessed from the spec: the plan for the target version is replayed step by step
 * into a catalog, and the column's state after each phase is read back (an instant ADD COLUMN … NOT NULL
 * DEFAULT on PostgreSQL 11+ is NOT NULL from expand on; a volatile default is nullable until contract).
 * Types are parsed with the Postgres parser and mapped to what node-postgres (pg-types) returns.
 */
import type { QualifiedName } from '../core/types.js';
import { LockstepError } from '../core/errors.js';
import { redactIn } from '../core/redact.js';
import { loadParser, parsePostgres } from '../dialects/postgres/parser.js';
import { Catalog } from '../dialects/postgres/catalog.js';
import { introspect, type Queryable } from '../dialects/postgres/introspect.js';
import { fromTypeName, key, quoteIdentAlways, sqlName, type TypeRef } from '../dialects/postgres/names.js';
import { plan as makePlan, parseExpression } from '../plan/planner.js';
import { phaseNames, type PhaseName, type Plan } from '../plan/types.js';
import type { Change } from '../operations/types.js';
import { checksum, readPlanRecord } from '../apply/ledger.js';
import { connect } from '../apply/db.js';
import { DEFAULT_PG_VERSION } from '../lint/lint.js';

// ───────────────────────────── nullability per phase, from the plan ─────────────────────────────

/** A column's state after a phase of the plan. */
export interface ColumnState {
  nullable: boolean;
  hasDefault: boolean;
  /** A UNIQUE constraint on just this column, added by the change. */
  unique: boolean;
}

/** A column the change adds (addColumn) or makes NOT NULL (setNotNull), and its state after each phase. */
export interface ColumnPhases {
  table: QualifiedName;
  column: string;
  change: 'addColumn' | 'setNotNull';
  /** 1-based index of the operation in the change (the prefix of its step ids). */
  operation: number;
  /** After each phase; a phase without steps keeps the state of the one before. */
  after: Record<PhaseName, ColumnState>;
}

/**
 * Replays the plan's steps into a catalog (a copy of `before`, the schema before the change; empty when
 * offline) and reads each changed column's state after every phase. `plan` may be one made now or the one
 * the ledger recorded.
 */
export async function phaseNullability(plan: Plan, before?: Catalog): Promise<ColumnPhases[]> {
  await loadParser();
  const cat = before?.clone() ?? new Catalog();
  const targets: Omit<ColumnPhases, 'after'>[] = [];
  plan.change.operations.forEach((op, i) => {
    if (op.kind === 'addColumn') targets.push({ table: op.table, column: op.name, change: 'addColumn', operation: i + 1 });
    else if (op.kind === 'setNotNull') {
      targets.push({ table: op.table, column: op.column, change: 'setNotNull', operation: i + 1 });
      seedColumn(cat, op.table, op.column);
    }
  });
  const done = new Set<string>();
  const after = new Map<string, Partial<Record<PhaseName, ColumnState>>>();
  for (const phase of phaseNames) {
    for (const step of plan.phases.find((p) => p.name === phase)?.steps ?? []) {
      for (const s of parsePostgres(step.up).statements) cat.apply(s, 'lockstep types');
      done.add(step.id);
    }
    for (const t of targets) {
      const col = cat.column(t.table, t.column);
      const state: ColumnState = {
        nullable: !col?.notNull,
        hasDefault: !!col?.hasDefault,
        unique: t.change === 'addColumn' && done.has(`${t.operation}.add-unique-using-index`),
      };
      const k = `${key(t.table)}.${t.column}`;
      after.set(k, { ...after.get(k), [phase]: state });
    }
  }
  return targets.map((t) => ({ ...t, after: after.get(`${key(t.table)}.${t.column}`) as Record<PhaseName, ColumnState> }));
}

/** Whether `table.column` (a column the change adds or makes NOT NULL) may be NULL after `phase`; undefined for a column the change does not touch. */
export function isNullableAt(columns: ColumnPhases[], table: QualifiedName, column: string, phase: PhaseName): boolean | undefined {
  return columns.find((c) => key(c.table) === key(table) && c.column === column)?.after[phase].nullable;
}

/** Offline, a setNotNull's column is known only from the change: start it nullable. */
function seedColumn(cat: Catalog, t: QualifiedName, column: string): void {
  let table = cat.editTable(t);
  if (!table) {
    table = { name: t, kind: 'table', columns: new Map(), constraints: new Map(), indexes: new Set(), partial: true };
    cat.tables.set(key(t), table);
  }
  if (!table.columns.has(column)) table.columns.set(column, { name: column, type: { name: 'unknown', mods: [], array: false, text: 'unknown' }, notNull: false, hasDefault: false });
}

// ─────────────────────────────────────── type mapping ───────────────────────────────────────

/** Helper types the TypeScript output declares when a column needs them. */
export type HelperType = 'JsonValue' | 'PostgresInterval';

/** One SQL type, mapped for node-postgres, zod, Prisma and Drizzle. Nullability is not part of it. */
export interface MappedType {
  /** The SQL type, as written in the spec or as format_type() prints it. */
  sql: string;
  /** TypeScript type of a non-NULL value as node-postgres returns it. */
  ts: string;
  /** zod schema of a non-NULL value. */
  zod: string;
  /** Prisma scalar type (`DateTime`, `Unsupported("interval")`, an enum's name), its native type attribute (`@db.Timestamptz(6)`) and whether it is a list. */
  prisma: { type: string; native?: string; list: boolean };
  /** Drizzle pg-core builder (`timestamp`) and its options (`{ withTimezone: true }`); `custom`: no builder exists, a customType over this SQL type is used. */
  drizzle: { builder: string; options?: string; array: boolean; custom?: string };
  /** Why the TypeScript type is what it is, when that is not obvious (bigint as string, an unknown type, …). */
  note?: string;
  /** An enum whose labels were read from the database. */
  enum?: { name: QualifiedName; labels: string[] };
  /** Helper types the TypeScript type uses. */
  uses: HelperType[];
}

/** What the database says about a type that is not built in (with --db). */
export interface UserTypeInfo {
  /** pg_type.typtype: e enum, d domain, c composite, r range, m multirange, b base (extension), p pseudo. */
  typtype: string;
  schema: string;
  name: string;
  /** An enum's labels, in order. */
  labels?: string[];
  /** A domain's base type, as format_type() prints it. */
  base?: string;
}

export type TypeResolver = (ref: TypeRef, text: string) => Promise<UserTypeInfo | undefined | null>;

interface Base {
  ts: string;
  zod: string;
  prisma?: { type: string; native?: string };
  drizzle?: { builder: string; options?: string };
  note?: string;
  uses?: HelperType[];
  /** What node-postgres returns for an array of it: parsed elements (pg-types has a parser), a different element type, or the array's text. */
  arrays: 'parsed' | 'text' | { ts: string; zod: string; note: string };
}

const INTERVAL_ZOD = `z.custom<PostgresInterval>((v) => typeof v === 'object' && v !== null)`;

const STRING_TEXT = (what: string): Base => ({
  ts: 'string',
  zod: 'z.string()',
  prisma: { type: `Unsupported("${what}")` },
  note: 'node-postgres returns it as its text',
  arrays: 'text',
});

/** A built-in type (canonical name from the parser) → its mapping; undefined when it is not one lockstep knows. */
function builtin(t: TypeRef): Base | undefined {
  const [m0, m1] = t.mods;
  const precision = (fallback?: number) => (m0 !== undefined ? m0 : fallback);
  switch (t.name) {
    case 'int2':
      return { ts: 'number', zod: 'z.number().int()', prisma: { type: 'Int', native: '@db.SmallInt' }, drizzle: { builder: t.serial ? 'smallserial' : 'smallint' }, arrays: 'parsed' };
    case 'int4':
      return { ts: 'number', zod: 'z.number().int()', prisma: { type: 'Int' }, drizzle: { builder: t.serial ? 'serial' : 'integer' }, arrays: 'parsed' };
    case 'int8':
      return {
        ts: 'string',
        zod: 'z.string()',
        prisma: { type: 'BigInt' },
        drizzle: { builder: t.serial ? 'bigserial' : 'bigint', options: `{ mode: 'bigint' }` },
        note: 'node-postgres returns int8 as a string (values can exceed Number.MAX_SAFE_INTEGER)',
        arrays: 'parsed',
      };
    case 'oid':
      return { ts: 'number', zod: 'z.number().int()', prisma: { type: 'Int', native: '@db.Oid' }, arrays: 'parsed' };
    case 'float4':
      return { ts: 'number', zod: 'z.number()', prisma: { type: 'Float', native: '@db.Real' }, drizzle: { builder: 'real' }, arrays: 'parsed' };
    case 'float8':
      return { ts: 'number', zod: 'z.number()', prisma: { type: 'Float' }, drizzle: { builder: 'doublePrecision' }, arrays: 'parsed' };
    case 'numeric':
      return {
        ts: 'string',
        zod: 'z.string()',
        prisma: { type: 'Decimal', native: m0 !== undefined ? `@db.Decimal(${m0}, ${m1 ?? 0})` : '@db.Decimal' },
        drizzle: { builder: 'numeric', ...(m0 !== undefined ? { options: `{ precision: ${m0}, scale: ${m1 ?? 0} }` } : {}) },
        note: 'node-postgres returns numeric as a string, so no digit is lost',
        arrays: { ts: 'number', zod: 'z.number()', note: 'node-postgres parses numeric[] elements with parseFloat (digits beyond a double are lost)' },
      };
    case 'money':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'Decimal', native: '@db.Money' }, note: 'node-postgres returns money as text in the currency format of lc_monetary', arrays: 'parsed' };
    case 'bool':
      return { ts: 'boolean', zod: 'z.boolean()', prisma: { type: 'Boolean' }, drizzle: { builder: 'boolean' }, arrays: 'parsed' };
    case 'text':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'String' }, drizzle: { builder: 'text' }, arrays: 'parsed' };
    case 'varchar':
      return {
        ts: 'string',
        zod: m0 !== undefined ? `z.string().max(${m0})` : 'z.string()',
        prisma: { type: 'String', native: m0 !== undefined ? `@db.VarChar(${m0})` : '@db.VarChar' },
        drizzle: { builder: 'varchar', ...(m0 !== undefined ? { options: `{ length: ${m0} }` } : {}) },
        arrays: 'parsed',
      };
    case 'bpchar':
      return {
        ts: 'string',
        zod: m0 !== undefined ? `z.string().max(${m0})` : 'z.string()',
        prisma: { type: 'String', native: `@db.Char(${m0 ?? 1})` },
        drizzle: { builder: 'char', options: `{ length: ${m0 ?? 1} }` },
        note: 'values come back padded with spaces to the full length',
        arrays: 'parsed',
      };
    case 'char':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'Unsupported("\\"char\\"")' }, note: '"char" is the one-byte internal type (char(n) is written character(n))', arrays: 'text' };
    case 'name':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'Unsupported("name")' }, arrays: 'text' };
    case 'uuid':
      return { ts: 'string', zod: 'z.string().uuid()', prisma: { type: 'String', native: '@db.Uuid' }, drizzle: { builder: 'uuid' }, arrays: 'parsed' };
    case 'citext':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'String', native: '@db.Citext' }, note: 'an extension type: node-postgres returns it as a string', arrays: 'text' };
    case 'xml':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'String', native: '@db.Xml' }, arrays: 'text' };
    case 'inet':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'String', native: '@db.Inet' }, drizzle: { builder: 'inet' }, arrays: 'parsed' };
    case 'cidr':
    case 'macaddr':
      return { ts: 'string', zod: 'z.string()', prisma: { type: `Unsupported("${t.name}")` }, drizzle: { builder: t.name }, arrays: 'parsed' };
    case 'macaddr8':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'Unsupported("macaddr8")' }, drizzle: { builder: 'macaddr8' }, arrays: 'text' };
    case 'bit':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'String', native: `@db.Bit(${m0 ?? 1})` }, note: 'node-postgres returns it as a string of 0s and 1s', arrays: 'text' };
    case 'varbit':
      return { ts: 'string', zod: 'z.string()', prisma: { type: 'String', native: m0 !== undefined ? `@db.VarBit(${m0})` : '@db.VarBit' }, note: 'node-postgres returns it as a string of 0s and 1s', arrays: 'text' };
    case 'date':
      return {
        ts: 'Date',
        zod: 'z.coerce.date()',
        prisma: { type: 'DateTime', native: '@db.Date' },
        drizzle: { builder: 'date', options: `{ mode: 'date' }` },
        note: 'node-postgres parses a date to a Date at local midnight',
        arrays: 'parsed',
      };
    case 'timestamp':
      return {
        ts: 'Date',
        zod: 'z.coerce.date()',
        prisma: { type: 'DateTime', native: `@db.Timestamp(${precision(6)})` },
        drizzle: { builder: 'timestamp', ...(m0 !== undefined ? { options: `{ precision: ${m0} }` } : {}) },
        note: 'node-postgres reads a timestamp without time zone as local time',
        arrays: 'parsed',
      };
    case 'timestamptz':
      return {
        ts: 'Date',
        zod: 'z.coerce.date()',
        prisma: { type: 'DateTime', native: `@db.Timestamptz(${precision(6)})` },
        drizzle: { builder: 'timestamp', options: `{ withTimezone: true${m0 !== undefined ? `, precision: ${m0}` : ''} }` },
        arrays: 'parsed',
      };
    case 'time':
    case 'timetz':
      return {
        ts: 'string',
        zod: 'z.string()',
        prisma: { type: 'DateTime', native: `@db.${t.name === 'time' ? 'Time' : 'Timetz'}(${precision(6)})` },
        drizzle: { builder: 'time', ...(t.name === 'timetz' || m0 !== undefined ? { options: `{ ${[t.name === 'timetz' ? 'withTimezone: true' : '', m0 !== undefined ? `precision: ${m0}` : ''].filter(Boolean).join(', ')} }` } : {}) },
        note: `node-postgres returns ${t.name === 'time' ? 'time' : 'time with time zone'} as a string ('13:45:00${t.name === 'time' ? '' : '+02'}')`,
        arrays: 'parsed',
      };
    case 'interval':
      return {
        ts: 'PostgresInterval',
        zod: INTERVAL_ZOD,
        prisma: { type: 'Unsupported("interval")' },
        drizzle: { builder: 'interval' },
        note: 'node-postgres returns an object of its parts (postgres-interval)',
        uses: ['PostgresInterval'],
        arrays: 'parsed',
      };
    case 'json':
    case 'jsonb':
      return {
        ts: 'JsonValue',
        zod: 'jsonValue',
        prisma: { type: 'Json', ...(t.name === 'json' ? { native: '@db.Json' } : {}) },
        drizzle: { builder: t.name },
        note: 'node-postgres parses it with JSON.parse',
        uses: ['JsonValue'],
        arrays: 'parsed',
      };
    case 'bytea':
      return { ts: 'Buffer', zod: 'z.instanceof(Buffer)', prisma: { type: 'Bytes' }, arrays: 'parsed' };
    case 'point':
      return { ts: '{ x: number; y: number }', zod: 'z.object({ x: z.number(), y: z.number() })', prisma: { type: 'Unsupported("point")' }, drizzle: { builder: 'point', options: `{ mode: 'xy' }` }, arrays: 'parsed' };
    case 'circle':
      return { ts: '{ x: number; y: number; radius: number }', zod: 'z.object({ x: z.number(), y: z.number(), radius: z.number() })', prisma: { type: 'Unsupported("circle")' }, arrays: 'text' };
    case 'numrange':
      return { ...STRING_TEXT('numrange'), arrays: 'parsed' };
    case 'int4range':
    case 'int8range':
    case 'tsrange':
    case 'tstzrange':
    case 'daterange':
    case 'int4multirange':
    case 'int8multirange':
    case 'nummultirange':
    case 'tsmultirange':
    case 'tstzmultirange':
    case 'datemultirange':
    case 'tsvector':
    case 'tsquery':
    case 'line':
    case 'lseg':
    case 'box':
    case 'path':
    case 'polygon':
    case 'pg_lsn':
    case 'txid_snapshot':
    case 'pg_snapshot':
      return STRING_TEXT(t.name);
    default:
      return undefined;
  }
}

/** A type as SQL text → the parser's view of it; undefined when it is not a type. */
export function parseTypeText(text: string): TypeRef | undefined {
  const r = parsePostgres(`CREATE TABLE x (c ${text}\n)`);
  const tn = r.syntaxErrors.length ? undefined : r.statements[0]?.ast?.tableElts?.[0]?.ColumnDef?.typeName;
  return tn ? fromTypeName(tn) : undefined;
}

/**
 * Maps a SQL type (as written: `timestamptz`, `numeric(12,2)`, `text[]`, `mood`) to what node-postgres
 * returns, zod, Prisma and Drizzle. `resolve` (with a database) says what a type that is not built in is:
 * an enum's labels, a domain's base type. Needs the parser: `await loadParser()` first.
 */
export async function mapType(text: string, resolve?: TypeResolver, depth = 0): Promise<MappedType> {
  const sql = text.trim();
  const ref = parseTypeText(sql);
  if (!ref) return unknownType(sql, `"${sql}" does not parse as a type`);
  const base = ref.schema === undefined ? builtin(ref) : undefined;
  if (base) return fromBase(sql, base, ref.array, ref.name);

  const shown = `${ref.schema ? `${ref.schema}.` : ''}${ref.name}`;
  if (!resolve) return unknownType(sql, `${shown} is not a built-in type: pass --db to read an enum's labels or a domain's base type`);
  const info = await resolve(ref, elementText(ref));
  if (info === null) return unknownType(sql, `type ${shown} does not exist in the database`);
  if (!info) return unknownType(sql, `${shown} is not a built-in type lockstep knows`);
  const qn: QualifiedName = info.schema === 'public' ? { name: info.name } : { schema: info.schema, name: info.name };
  if (info.typtype === 'e') {
    const labels = info.labels ?? [];
    if (ref.array) return unknownType(sql, `node-postgres returns ${shown}[] (an array of an enum) as its text ('{a,b}') unless a type parser is registered`);
    return {
      sql,
      ts: labels.length ? labels.map(tsString).join(' | ') : 'never',
      zod: labels.length ? `z.enum([${labels.map(tsString).join(', ')}])` : 'z.never()',
      prisma: { type: pascal(info.name), list: false },
      drizzle: { builder: `${camel(info.name)}Enum`, array: false },
      enum: { name: qn, labels },
      uses: [],
    };
  }
  if (info.typtype === 'd' && info.base && depth < 5) {
    if (ref.array) return unknownType(sql, `node-postgres returns ${shown}[] (an array of a domain) as its text unless a type parser is registered`);
    // The server describes a domain column with its base type, so node-postgres parses it as that.
    const inner = await mapType(info.base, resolve, depth + 1);
    return { ...inner, sql, note: `domain ${shown} over ${info.base}${inner.note ? `; ${inner.note}` : ''}` };
  }
  const what = { c: 'a composite type', r: 'a range type', m: 'a multirange type', b: 'a base type (from an extension?)', p: 'a pseudo-type', d: 'a domain' }[info.typtype] ?? 'a type';
  return unknownType(sql, `${shown} is ${what}: node-postgres returns it as its text unless a type parser is registered`);
}

function fromBase(sql: string, b: Base, array: boolean, name: string): MappedType {
  const drizzle = b.drizzle ? { builder: b.drizzle.builder, ...(b.drizzle.options ? { options: b.drizzle.options } : {}), array } : { builder: 'customType', array, custom: sql };
  const prisma = b.prisma ?? { type: `Unsupported("${sql.replace(/"/g, '\\"')}")` };
  if (!array) return { sql, ts: b.ts, zod: b.zod, prisma: { ...prisma, list: false }, drizzle, ...(b.note ? { note: b.note } : {}), uses: b.uses ?? [] };
  if (b.arrays === 'text')
    return { sql, ts: 'string', zod: 'z.string()', prisma: { type: `Unsupported("${sql.replace(/"/g, '\\"')}")`, list: false }, drizzle, note: `string: node-postgres returns ${name}[] as its text ('{…}') unless a type parser is registered`, uses: [] };
  const el = b.arrays === 'parsed' ? { ts: b.ts, zod: b.zod, note: b.note } : b.arrays;
  return {
    sql,
    ts: `${/[|&]/.test(el.ts) ? `(${el.ts})` : el.ts}[]`,
    zod: `z.array(${el.zod})`,
    prisma: { ...prisma, list: true },
    drizzle,
    ...(el.note ? { note: el.note } : {}),
    uses: b.uses ?? [],
  };
}

function unknownType(sql: string, why: string): MappedType {
  return {
    sql,
    ts: 'string',
    zod: 'z.string()',
    prisma: { type: `Unsupported("${sql.replace(/"/g, '\\"')}")`, list: false },
    drizzle: { builder: 'customType', array: false, custom: sql },
    note: `string: ${why}`,
    uses: [],
  };
}

/** The element type of a TypeRef as SQL (for to_regtype): `public."My Enum"`. */
function elementText(ref: TypeRef): string {
  return `${ref.schema ? `${quoteIdentAlways(ref.schema)}.` : ''}${quoteIdentAlways(ref.name)}`;
}

/** Reads what a non-built-in type is from the database (read-only); null when it does not exist. */
export function databaseTypeResolver(db: Queryable): TypeResolver {
  const cache = new Map<string, Promise<UserTypeInfo | null>>();
  return (_ref, text) => {
    let hit = cache.get(text);
    if (!hit) {
      hit = db
        .query<{ typtype: string; schema: string; name: string; labels: string[] | null; base: string | null }>(
          `SELECT t.typtype::text AS typtype, n.nspname AS schema, t.typname AS name,
                  (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
                  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = to_regtype($1)`,
          [text],
        )
        .then((r) => {
          const x = r.rows[0];
          if (!x) return null;
          return { typtype: x.typtype, schema: x.schema, name: x.name, ...(x.labels ? { labels: x.labels } : {}), ...(x.base ? { base: x.base } : {}) };
        });
      cache.set(text, hit);
    }
    return hit;
  };
}

// ─────────────────────────────────────── row types ───────────────────────────────────────

export interface RowColumn {
  /** The column's name as Postgres stores it (and node-postgres returns it). */
  name: string;
  type: MappedType;
  /** May be NULL after the phase. */
  nullable: boolean;
  /** Added or made NOT NULL by the change (the others are read from the database as they are). */
  changed: boolean;
  /** For a changed column: nullability after each phase. */
  nullableAfter?: Record<PhaseName, boolean>;
  /** Its default after the phase (SQL), when it has one and lockstep knows it. */
  default?: string;
  unique: boolean;
}

export interface TableRowType {
  table: QualifiedName;
  /** `OrdersRow`. */
  typeName: string;
  /** Prisma model / Drizzle table name: `Orders`, `orders`. */
  modelName: string;
  /** Every column of the table (read from the database), or only those the change touches. */
  wholeRow: boolean;
  columns: RowColumn[];
}

export interface RowTypesOptions {
  /** The row after this phase (`apply --until <phase>`). */
  phase: PhaseName;
  /** Plan for this Postgres major. Default: the database's (with `db`), else 15. */
  pgVersion?: number;
  /** A database URL or an open connection, read only: every column of the table, enum labels, domains, the version, and the plan the ledger recorded for this change. */
  db?: string | Queryable;
  /** Also render zod schemas in `text.ts`. */
  zod?: boolean;
  /** Where the change came from, for the header. */
  source?: string;
  /** The plan and schema from changePlan, when the caller already has them (not planned or read again). */
  planned?: ChangePlan;
}

export interface RowTypes {
  change: string;
  phase: PhaseName;
  /** The Postgres major the plan is for. */
  pgVersion: number;
  facts: 'database' | 'offline';
  /** The plan the nullability comes from: made now, or the one this change's apply recorded in the ledger. */
  planFrom: 'planned' | 'ledger';
  plan: Plan;
  /** Every column the change adds or makes NOT NULL, after each phase. */
  columns: ColumnPhases[];
  tables: TableRowType[];
  notes: string[];
  /** The change's file, as given (for the header). */
  source?: string;
  text: { ts: string; prisma: string; drizzle: string };
}

/** The row types of the tables a change touches, after `opts.phase`. */
export async function rowTypes(change: Change, opts: RowTypesOptions): Promise<RowTypes> {
  if (!phaseNames.includes(opts.phase)) throw new LockstepError('E_USAGE', [{ where: 'phase', message: `must be one of ${phaseNames.join(', ')}; got ${JSON.stringify(opts.phase)}` }]);
  const touched = change.operations.filter((o) => o.kind === 'addColumn' || o.kind === 'setNotNull');
  if (!touched.length)
    throw new LockstepError('E_INPUT', [
      {
        where: opts.source ?? change.name,
        message: `has no addColumn or setNotNull: lockstep types describes the columns a change adds or makes NOT NULL (found ${change.operations.map((o) => o.kind).join(', ') || 'no operations'})`,
      },
    ]);
  await loadParser();
  const own = typeof opts.db === 'string' ? await connect(opts.db, '--db', 'lockstep types', { readOnly: true }) : undefined; // lockstep types only reads
  const db: Queryable | undefined = own ?? (opts.db as Queryable | undefined);
  try {
    return await build(change, opts, db);
  } catch (e) {
    // Only the database's own errors are reported as such; anything else is a bug and stays one.
    const fromDb = typeof (e as any)?.severity === 'string' || typeof (e as any)?.code === 'string';
    if (e instanceof LockstepError || !db || !fromDb) throw e;
    const msg = String((e as Error)?.message ?? e);
    throw new LockstepError('E_DATABASE', [{ where: '--db', message: `reading the table failed: ${typeof opts.db === 'string' ? redactIn(msg, opts.db) : msg}` }], { cause: e });
  } finally {
    await own?.close();
  }
}

interface DbColumn {
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
}

async function build(change: Change, opts: RowTypesOptions, db: Queryable | undefined): Promise<RowTypes> {
  const notes: string[] = [];
  const { plan: p, before, planFrom, version } = opts.planned ?? (await changePlan(change, { ...(db ? { db } : {}), ...(opts.pgVersion !== undefined ? { pgVersion: opts.pgVersion } : {}) }));
  const columns = await phaseNullability(p, before);
  const phase = opts.phase;
  if (!p.phases.some((ph) => ph.name === phase)) notes.push(`The plan has no ${phase} steps: the row is as the phases before it leave it.`);
  const resolve = db ? databaseTypeResolver(db) : undefined;

  const tables: TableRowType[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    const k = key(c.table);
    if (seen.has(k)) continue;
    seen.add(k);
    const mine = columns.filter((x) => key(x.table) === k);
    const dbCols = db ? await tableColumns(db, c.table) : undefined;
    const out: RowColumn[] = [];
    const changed = async (x: ColumnPhases, existing?: DbColumn): Promise<RowColumn> => {
      const op = change.operations[x.operation - 1]!;
      const typeText = op.kind === 'addColumn' ? op.type : existing?.type;
      const state = x.after[phase];
      const def = op.kind === 'addColumn' ? op.default : (existing?.def ?? undefined);
      const type: MappedType = typeText
        ? await mapType(typeText, resolve)
        : { ...unknownType('unknown', ''), ts: 'unknown', zod: 'z.unknown()', note: "the change does not say the column's type: pass --db to read it" };
      return {
        name: x.column,
        type,
        nullable: state.nullable,
        changed: true,
        nullableAfter: Object.fromEntries(phaseNames.map((ph) => [ph, x.after[ph].nullable])) as Record<PhaseName, boolean>,
        ...(state.hasDefault && def !== undefined ? { default: def } : {}),
        unique: state.unique,
      };
    };
    if (dbCols) {
      for (const d of dbCols) {
        const x = mine.find((m) => m.column === d.name);
        out.push(x ? await changed(x, d) : { name: d.name, type: await mapType(d.type, resolve), nullable: !d.notnull, changed: false, ...(d.def !== null ? { default: d.def } : {}), unique: false });
      }
    }
    for (const x of mine) if (!out.some((o) => o.name === x.column)) out.push(await changed(x));
    tables.push({ table: c.table, typeName: `${pascal(c.table.schema && c.table.schema !== 'public' ? `${c.table.schema}_${c.table.name}` : c.table.name)}Row`, modelName: pascal(c.table.name), wholeRow: !!dbCols, columns: out });
  }

  const result: RowTypes = {
    change: change.name,
    phase,
    pgVersion: version,
    facts: db ? 'database' : 'offline',
    planFrom,
    plan: p,
    columns,
    tables,
    notes,
    ...(opts.source ? { source: opts.source } : {}),
    text: { ts: '', prisma: '', drizzle: '' },
  };
  result.text = { ts: renderTs(result, { zod: !!opts.zod }), prisma: renderPrisma(result), drizzle: renderDrizzle(result) };
  return result;
}

/** The plan this change's apply recorded (same operations, not rolled back), if any. */
/**
 * The plan a change's columns follow, and the schema before it: with a database, the plan this change's
 * apply recorded in the ledger (unless `pgVersion` asks for another major), else one made now against
 * the schema as it was before the change (what the change already added is taken out again); offline,
 * a plan for `pgVersion` (default: DEFAULT_PG_VERSION).
 */
export interface ChangePlan {
  plan: Plan;
  before?: Catalog;
  planFrom: 'planned' | 'ledger';
  version: number;
}

export async function changePlan(change: Change, o: { db?: Queryable; pgVersion?: number }): Promise<ChangePlan> {
  let version = o.pgVersion ?? DEFAULT_PG_VERSION;
  let before: Catalog | undefined;
  if (o.db) {
    const facts = await introspect(o.db);
    version = o.pgVersion ?? facts.major;
    const recorded = o.pgVersion === undefined ? await ledgerPlan(o.db, change) : undefined;
    before = await beforeChange(facts.catalog, change, version);
    if (recorded) return { plan: recorded, before, planFrom: 'ledger', version: recorded.version };
  }
  return { plan: await makePlan(change, { version, ...(before ? { catalog: before } : {}) }), ...(before ? { before } : {}), planFrom: 'planned', version };
}

async function ledgerPlan(db: Queryable, change: Change): Promise<Plan | undefined> {
  const r = await readPlanRecord(db, change.name);
  if (!r || r.state === 'rolled back' || r.checksum !== checksum(change) || !r.plan?.phases) return undefined;
  return r.plan;
}

/**
 * The schema before the change, from the database as it is now: when the change was (partly) applied
 * without a ledger entry lockstep can use, its columns, constraints and indexes are taken out again, so
 * the plan is the one that would run on the schema before it.
 */
async function beforeChange(now: Catalog, change: Change, version: number): Promise<Catalog> {
  const cat = now.clone();
  // The names of what the change creates, from its plan made without the schema.
  const offline = await makePlan(change, { version });
  const constraintNames = new Set<string>();
  const indexNames = new Set<string>();
  for (const s of offline.phases.flatMap((ph) => ph.steps).flatMap((st) => parsePostgres(st.up).statements)) {
    if (s.kind === 'IndexStmt' && s.ast.idxname) indexNames.add(s.ast.idxname);
    if (s.kind === 'AlterTableStmt') for (const c of s.ast.cmds ?? []) if (c.AlterTableCmd?.subtype === 'AT_AddConstraint' && c.AlterTableCmd.def?.Constraint?.conname) constraintNames.add(c.AlterTableCmd.def.Constraint.conname);
  }
  for (const op of change.operations) {
    const t = cat.editTable(op.table);
    if (!t) continue;
    for (const n of constraintNames) t.constraints.delete(n);
    for (const n of indexNames) {
      t.indexes.delete(n);
      cat.indexes.delete(key({ ...(op.table.schema ? { schema: op.table.schema } : {}), name: n }));
    }
    const col = op.kind === 'addColumn' ? op.name : op.kind === 'setNotNull' ? op.column : undefined;
    if (col === undefined) continue;
    for (const [n, c] of t.constraints) if (c.notNullColumn === col || (op.kind === 'addColumn' && c.columns.includes(col))) t.constraints.delete(n);
    if (op.kind === 'addColumn') t.columns.delete(col);
    else {
      const c = t.columns.get(col);
      if (c) c.notNull = false;
    }
  }
  return cat;
}

async function tableColumns(db: Queryable, t: QualifiedName): Promise<DbColumn[] | undefined> {
  const rows = (
    await db.query<DbColumn>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [sqlName(t)],
    )
  ).rows;
  return rows.length ? rows : undefined;
}

// ─────────────────────────────────────── rendering ───────────────────────────────────────

const HELPERS: Record<HelperType, string> = {
  JsonValue: `/** What node-postgres returns for json and jsonb (JSON.parse). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };`,
  PostgresInterval: `/** What node-postgres returns for interval (the postgres-interval package). */
export interface PostgresInterval {
  years?: number;
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
  toPostgres(): string;
  toISO(): string;
  toISOString(): string;
}`,
};

/** "nullable after expand and backfill, NOT NULL after contract". */
export function describeNullability(after: Record<PhaseName, boolean>): string {
  const groups: { nullable: boolean; phases: PhaseName[] }[] = [];
  for (const ph of phaseNames) {
    const last = groups[groups.length - 1];
    if (last && last.nullable === after[ph]) last.phases.push(ph);
    else groups.push({ nullable: after[ph], phases: [ph] });
  }
  if (groups.length === 1) return groups[0]!.nullable ? 'nullable after every phase' : 'NOT NULL from expand on';
  return groups.map((g) => `${g.nullable ? 'nullable' : 'NOT NULL'} after ${g.phases.join(' and ')}`).join(', ');
}

function header(r: RowTypes): string[] {
  const lines = [
    `// lockstep types: change "${r.change}"${r.source ? ` (${r.source})` : ''}, the row after the ${r.phase} phase (lockstep apply --until ${r.phase}).`,
    `// Nullability from the ${r.planFrom === 'ledger' ? 'plan recorded in the ledger' : 'plan'} for PostgreSQL ${r.pgVersion}${r.facts === 'offline' ? ' (planned offline)' : ''}: NULL is allowed until a step enforces NOT NULL.`,
  ];
  for (const n of r.notes) lines.push(`// ${n}`);
  return lines;
}

export function renderTs(r: RowTypes, opts: { zod?: boolean } = {}): string {
  const out = header(r);
  out.push('// Rows as node-postgres (pg) returns them: the property names are the column names.');
  if (r.tables.some((t) => !t.wholeRow)) out.push('// Only the columns this change adds or alters: pass --db for every column of the table.');
  out.push('');
  if (opts.zod) out.push(`import { z } from 'zod';`, '');
  const uses = new Set(r.tables.flatMap((t) => t.columns.flatMap((c) => c.type.uses)));
  for (const h of ['JsonValue', 'PostgresInterval'] as const) if (uses.has(h)) out.push(HELPERS[h], '');
  for (const t of r.tables) {
    out.push(`/** ${sqlName(t.table)} after the ${r.phase} phase${t.wholeRow ? '' : ' (only the columns the change touches)'}. */`);
    out.push(`export interface ${t.typeName} {`);
    for (const c of t.columns) {
      const doc = [c.type.sql, c.changed && c.nullableAfter ? describeNullability(c.nullableAfter) : '', c.type.note ?? ''].filter(Boolean).join('; ');
      out.push(`  /** ${doc.replace(/\*\//g, '*\\/')} */`);
      out.push(`  ${tsKey(c.name)}: ${c.nullable ? `${paren(c.type.ts)} | null` : c.type.ts};`);
    }
    out.push('}', '');
  }
  if (opts.zod) {
    if (uses.has('JsonValue'))
      out.push(
        `export const jsonValue: z.ZodType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]));`,
        '',
      );
    for (const t of r.tables) {
      out.push(`export const ${t.typeName}Schema = z.object({`);
      for (const c of t.columns) out.push(`  ${tsKey(c.name)}: ${c.type.zod}${c.nullable ? '.nullable()' : ''},`);
      out.push('});', '');
    }
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

export function renderPrisma(r: RowTypes): string {
  const out = header(r);
  out.push('// Prisma fields for the columns the change touches; paste them into the model.', '');
  for (const t of r.tables) {
    const changed = t.columns.filter((c) => c.changed);
    for (const c of changed) {
      const e = c.type.enum;
      if (e && !c.type.prisma.list && c.type.prisma.type === pascal(e.name.name)) {
        out.push(`enum ${c.type.prisma.type} {`);
        for (const l of e.labels) {
          const id = prismaIdent(l, 'value');
          out.push(`  ${id}${id !== l ? ` @map(${prismaString(l)})` : ''}`);
        }
        out.push(`  @@map(${prismaString(e.name.name)})${e.name.schema ? `\n  @@schema(${prismaString(e.name.schema)})` : ''}`, '}', '');
      }
    }
    // The model's block attributes: @@map when the names differ, @@schema for a table outside public (multiSchema).
    const blockAttrs = [t.modelName !== t.table.name ? `@@map(${prismaString(t.table.name)})` : '', t.table.schema && t.table.schema !== 'public' ? `@@schema(${prismaString(t.table.schema)})` : ''].filter(Boolean);
    out.push(`// model ${t.modelName} { … }${blockAttrs.length ? `  (${blockAttrs.join(' ')})` : ''}`);
    for (const c of changed) out.push(prismaFieldLine(c));
    out.push('');
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** The Prisma field line for one changed column, as it should be after the phase (pasted into the model). */
export function prismaFieldLine(c: RowColumn): string {
  const field = prismaIdent(camel(c.name), 'field');
  if (c.type.ts === 'unknown') return `//   ${field}: ${c.nullable ? 'keep the ?' : 'remove the ? from its type'} (${describeNullability(c.nullableAfter!)}; pass --db for its type)`;
  const p = c.type.prisma;
  const optional = c.nullable && !p.list;
  const attrs = [
    c.default !== undefined ? `@default(${prismaDefault(c.default, c.type)})` : '',
    c.unique ? '@unique' : '',
    field !== c.name ? `@map(${prismaString(c.name)})` : '',
    p.native ?? '',
  ].filter(Boolean);
  const comments = [c.nullableAfter ? describeNullability(c.nullableAfter) : '', p.list && c.nullable ? 'nullable in the database, but a Prisma list cannot be optional' : '', c.type.note && /^string: /.test(c.type.note) ? c.type.note : ''].filter(Boolean);
  return `  ${field} ${p.type}${p.list ? '[]' : ''}${optional ? '?' : ''}${attrs.length ? ` ${attrs.join(' ')}` : ''}${comments.length ? ` // ${comments.join('; ')}` : ''}`;
}

export function renderDrizzle(r: RowTypes): string {
  const out = header(r);
  out.push('// Drizzle columns for the columns the change touches; paste them into the pgTable.', '');
  const ctx: DrizzleImports = { builders: new Set(), enums: new Map(), usesSql: false };
  const { builders, enums } = ctx;
  const body: string[] = [];
  for (const t of r.tables) {
    body.push(`// pgTable(${jsString(t.table.name)}, { …`);
    for (const c of t.columns.filter((x) => x.changed)) body.push(drizzleColumnLine(c, ctx));
    body.push('');
  }
  if (ctx.usesSql) out.push(`import { sql } from 'drizzle-orm';`);
  if (builders.size) out.push(`import { ${[...builders].sort().join(', ')} } from 'drizzle-orm/pg-core';`);
  if (ctx.usesSql || builders.size) out.push('');
  for (const e of enums.values()) out.push(e);
  if (enums.size) out.push('');
  out.push(...body);
  return out.join('\n').replace(/\n+$/, '\n');
}

/** What the Drizzle lines need imported (collected while rendering them). */
export interface DrizzleImports {
  builders: Set<string>;
  enums: Map<string, string>;
  usesSql: boolean;
}

/** The Drizzle column line for one changed column, as it should be after the phase (pasted into the pgTable). */
export function drizzleColumnLine(c: RowColumn, ctx: DrizzleImports = { builders: new Set(), enums: new Map(), usesSql: false }): string {
  const { builders, enums } = ctx;
  const k = tsKey(camel(c.name) || c.name);
  if (c.type.ts === 'unknown') return `//   ${k}: ${c.nullable ? 'without' : 'add'} .notNull() (${describeNullability(c.nullableAfter!)}; pass --db for its type)`;
  const d = c.type.drizzle;
  let call: string;
  if (d.custom !== undefined) {
    builders.add('customType');
    call = `customType<{ data: ${c.type.ts} }>({ dataType: () => ${jsString(d.custom)} })(${jsString(c.name)})`;
  } else {
    if (c.type.enum && !d.array && d.builder.endsWith('Enum')) {
      builders.add('pgEnum');
      enums.set(d.builder, `export const ${d.builder} = pgEnum(${jsString(c.type.enum.name.name)}, [${c.type.enum.labels.map(jsString).join(', ')}]);`);
    } else builders.add(d.builder);
    call = `${d.builder}(${jsString(c.name)}${d.options ? `, ${d.options}` : ''})${d.array ? '.array()' : ''}`;
  }
  if (!c.nullable) call += '.notNull()';
  if (c.default !== undefined) {
    ctx.usesSql = true;
    call += `.default(sql\`${c.default.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\`)`;
  }
  if (c.unique) call += '.unique()';
  const comment = [c.nullableAfter ? describeNullability(c.nullableAfter) : '', d.custom !== undefined ? `drizzle-orm has no builder for ${c.type.sql}` : ''].filter(Boolean).join('; ');
  return `  ${k}: ${call},${comment ? ` // ${comment}` : ''}`;
}

/** Prisma's @default for a SQL default: now(), a literal, an enum label, else dbgenerated("…"). */
function prismaDefault(expr: string, type: MappedType): string {
  let node: any = parseExpression(expr);
  while (node?.TypeCast) node = node.TypeCast.arg;
  const c = node?.A_Const;
  if (c) {
    if (c.sval) {
      const s: string = c.sval.sval ?? '';
      if (type.enum && type.enum.labels.includes(s) && !type.prisma.list) return prismaIdent(s, 'value');
      if (type.prisma.type === 'String') return prismaString(s);
    }
    if (c.boolval && type.prisma.type === 'Boolean') return String(!!c.boolval.boolval);
    if ((c.ival || c.fval) && ['Int', 'BigInt', 'Float', 'Decimal'].includes(type.prisma.type)) return String(c.ival ? (c.ival.ival ?? 0) : c.fval.fval);
  }
  const fn = node?.FuncCall?.funcname?.map((n: any) => n?.String?.sval).join('.');
  const svf = node?.SQLValueFunction?.op;
  const isNow = ((fn === 'now' || fn === 'pg_catalog.now') && !node.FuncCall.args) || svf === 'SVFOP_CURRENT_TIMESTAMP';
  if (type.prisma.type === 'DateTime' && isNow) return 'now()';
  return `dbgenerated(${prismaString(expr)})`;
}

// ─────────────────────────────────────── names ───────────────────────────────────────

const IDENT = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** A property name, quoted when it is not an identifier. */
function tsKey(name: string): string {
  return IDENT.test(name) ? name : tsString(name);
}

function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

const jsString = tsString;

function prismaString(s: string): string {
  return JSON.stringify(s);
}

/** A Prisma identifier ([A-Za-z][A-Za-z0-9_]*) made from a name. */
function prismaIdent(s: string, fallback: string): string {
  const ascii = s.normalize('NFKD').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!ascii) return fallback;
  return /^[A-Za-z]/.test(ascii) ? ascii : `${fallback}_${ascii}`;
}

function words(s: string): string[] {
  return s.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** `created_at` → `createdAt`; `Customer Id` → `customerId`. */
export function camel(s: string): string {
  const w = words(s);
  if (!w.length) return s;
  return w.map((x, i) => (i === 0 ? x.charAt(0).toLowerCase() + x.slice(1) : x.charAt(0).toUpperCase() + x.slice(1))).join('');
}

/** `order_items` → `OrderItems`; a leading digit gets a `T`. */
export function pascal(s: string): string {
  const p = words(s).map((x) => x.charAt(0).toUpperCase() + x.slice(1)).join('') || 'Table';
  return /^\p{N}/u.test(p) ? `T${p}` : p;
}

function paren(ts: string): string {
  return / \| /.test(ts) ? `(${ts})` : ts;
}
