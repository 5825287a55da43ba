/**
 * `lockstep types` on MySQL/MariaDB: the row of a changed table after a phase as mysql2 returns it
 * (its defaults: DECIMAL as a string, DATETIME/TIMESTAMP/DATE as Date, BIGINT as a number, JSON parsed),
 * checked against the MariaDB service value by value, optionally a zod schema, and the Prisma
 * (`mysql` provider) and Drizzle (`drizzle-orm/mysql-core`) lines for the changed columns.
 *
 * Nullability per phase follows the recipe of app.ts (mysqlColumns); with --db the whole row is read
 * from information_schema (read-only) and an existing column's nullability comes from the server.
 */
import type { QualifiedName } from '../../core/types.js';
import type { ChangedColumn } from '../../app/columns.js';
import { camel, describeNullability, pascal } from '../../app/types.js';
import { phaseNames, type PhaseName } from '../../plan/types.js';
import type { Change } from '../../operations/types.js';
import type { MyColumn, MysqlCatalog } from './catalog.js';
import { parseColumnType } from './types.js';

export interface MyMappedType {
  /** The type as written or as the server prints it. */
  sql: string;
  /** TypeScript type of a non-NULL value as mysql2 returns it (default options). */
  ts: string;
  zod: string;
  prisma: { type: string; native?: string };
  /** The mysql-core builder and its options; `custom`: none fits, a customType over the SQL type. */
  drizzle: { builder: string; options?: string } | { custom: string };
  note?: string;
}

const num = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : undefined);

/** A MySQL/MariaDB column type → what mysql2, zod, Prisma and Drizzle call it. */
export function mapMysqlType(text: string, flavor: 'mysql' | 'mariadb' = 'mysql'): MyMappedType {
  const t = parseColumnType(text);
  const len = num(t.length);
  const sql = text.trim();
  const int = (prisma: string, builder: string, native?: string): MyMappedType => ({
    sql,
    ts: 'number',
    zod: 'z.number().int()',
    prisma: { type: prisma, ...(native ? { native } : {}) },
    drizzle: { builder, ...(t.unsigned ? { options: '{ unsigned: true }' } : {}) },
  });
  const str = (native: string | undefined, builder: string, options?: string): MyMappedType => ({ sql, ts: 'string', zod: len !== undefined && /char/.test(t.name) ? `z.string().max(${len})` : 'z.string()', prisma: { type: 'String', ...(native ? { native } : {}) }, drizzle: { builder, ...(options ? { options } : {}) } });
  const bytes = (native: string): MyMappedType => ({ sql, ts: 'Buffer', zod: 'z.instanceof(Buffer)', prisma: { type: 'Bytes', native }, drizzle: { custom: sql } });
  const date = (native: string, builder: string): MyMappedType => ({ sql, ts: 'Date', zod: 'z.date()', prisma: { type: 'DateTime', native }, drizzle: { builder, options: `{ mode: 'date'${len ? `, fsp: ${len}` : ''} }` }, note: 'mysql2 returns it as a Date (unless the pool sets dateStrings)' });
  switch (t.name) {
    case 'tinyint':
      if (len === 1) return { sql, ts: 'number', zod: 'z.number().int()', prisma: { type: 'Boolean' }, drizzle: { builder: 'boolean' }, note: 'tinyint(1): mysql2 returns 0 or 1 (a number); Prisma and Drizzle map it to boolean' };
      return int('Int', 'tinyint', '@db.TinyInt');
    case 'bool':
    case 'boolean':
      return { sql, ts: 'number', zod: 'z.number().int()', prisma: { type: 'Boolean' }, drizzle: { builder: 'boolean' }, note: 'BOOLEAN is tinyint(1): mysql2 returns 0 or 1' };
    case 'smallint':
      return int('Int', 'smallint', '@db.SmallInt');
    case 'mediumint':
      return int('Int', 'mediumint', '@db.MediumInt');
    case 'int':
    case 'integer':
      return int('Int', 'int', t.unsigned ? '@db.UnsignedInt' : undefined);
    case 'year':
      return int('Int', 'year', '@db.Year');
    case 'bigint':
      return { sql, ts: 'number', zod: 'z.number().int()', prisma: { type: 'BigInt', ...(t.unsigned ? { native: '@db.UnsignedBigInt' } : {}) }, drizzle: { builder: 'bigint', options: `{ mode: 'number'${t.unsigned ? ', unsigned: true' : ''} }` }, note: 'mysql2 returns BIGINT as a number (digits beyond 2^53 are lost unless the pool sets supportBigNumbers)' };
    case 'decimal':
    case 'numeric':
    case 'dec':
    case 'fixed':
      return {
        sql,
        ts: 'string',
        zod: 'z.string()',
        prisma: { type: 'Decimal', native: `@db.Decimal(${len ?? 10}, ${num(t.scale) ?? 0})` },
        drizzle: { builder: 'decimal', options: `{ precision: ${len ?? 10}, scale: ${num(t.scale) ?? 0} }` },
        note: 'mysql2 returns DECIMAL as a string, so no digit is lost',
      };
    case 'float':
      return { sql, ts: 'number', zod: 'z.number()', prisma: { type: 'Float', native: '@db.Float' }, drizzle: { builder: 'float' } };
    case 'double':
    case 'double precision':
    case 'real':
      return { sql, ts: 'number', zod: 'z.number()', prisma: { type: 'Float' }, drizzle: { builder: 'double' } };
    case 'char':
      return str(`@db.Char(${len ?? 1})`, 'char', `{ length: ${len ?? 1} }`);
    case 'varchar':
      return str(`@db.VarChar(${len ?? 255})`, 'varchar', `{ length: ${len ?? 255} }`);
    case 'tinytext':
      return str('@db.TinyText', 'tinytext');
    case 'text':
      return str('@db.Text', 'text');
    case 'mediumtext':
      return str('@db.MediumText', 'mediumtext');
    case 'longtext':
      return str('@db.LongText', 'longtext');
    case 'enum': {
      const members = t.members ?? [];
      return { sql, ts: members.length ? members.map(tsString).join(' | ') : 'string', zod: members.length ? `z.enum([${members.map(tsString).join(', ')}])` : 'z.string()', prisma: { type: 'String' }, drizzle: { builder: 'mysqlEnum', options: `[${members.map(tsString).join(', ')}]` }, note: 'a Prisma enum for it needs its own enum block (prisma db pull writes one)' };
    }
    case 'set':
      return { sql, ts: 'string', zod: 'z.string()', prisma: { type: 'String' }, drizzle: { custom: sql }, note: "mysql2 returns a SET as its text ('a,b')" };
    case 'json':
      // Proven on MariaDB 10.11 (test/dialects/mysql/app-types.test.ts): its JSON is LONGTEXT with a JSON
      // check, and the server marks the column as JSON in the result's metadata, so mysql2 parses it there too.
      return { sql, ts: 'JsonValue', zod: 'jsonValue', prisma: { type: 'Json' }, drizzle: { builder: 'json' }, note: `mysql2 parses JSON columns${flavor === 'mariadb' ? " (MariaDB's LONGTEXT JSON too)" : ''}` };
    case 'date':
      return { ...date('@db.Date', 'date'), drizzle: { builder: 'date', options: `{ mode: 'date' }` } };
    case 'datetime':
      return date(`@db.DateTime(${len ?? 0})`, 'datetime');
    case 'timestamp':
      return date(`@db.Timestamp(${len ?? 0})`, 'timestamp');
    case 'time':
      return { sql, ts: 'string', zod: 'z.string()', prisma: { type: 'DateTime', native: `@db.Time(${len ?? 0})` }, drizzle: { builder: 'time' }, note: "mysql2 returns TIME as its text ('12:30:00')" };
    case 'binary':
      return bytes(`@db.Binary(${len ?? 1})`);
    case 'varbinary':
      return bytes(`@db.VarBinary(${len ?? 255})`);
    case 'tinyblob':
      return bytes('@db.TinyBlob');
    case 'blob':
      return bytes('@db.Blob');
    case 'mediumblob':
      return bytes('@db.MediumBlob');
    case 'longblob':
      return bytes('@db.LongBlob');
    case 'bit':
      return { ...bytes(`@db.Bit(${len ?? 1})`), note: 'mysql2 returns BIT as a Buffer' };
    default:
      return { sql, ts: 'unknown', zod: 'z.unknown()', prisma: { type: `Unsupported(${JSON.stringify(sql)})` }, drizzle: { custom: sql }, note: `lockstep does not know what mysql2 returns for ${sql}` };
  }
}

export interface MyRowColumn {
  name: string;
  type: MyMappedType;
  nullable: boolean;
  changed: boolean;
  nullableAfter?: Record<PhaseName, boolean>;
  default?: string;
}

export interface MyRowTable {
  table: QualifiedName;
  typeName: string;
  modelName: string;
  wholeRow: boolean;
  columns: MyRowColumn[];
}

export interface MyRowTypes {
  change: string;
  phase: PhaseName;
  facts: 'database' | 'offline';
  /** The plan the nullability comes from: lockstep's rollout for the change, or the one its apply recorded in the ledger. */
  planFrom: 'planned' | 'ledger';
  tables: MyRowTable[];
  text: { ts: string; prisma: string; drizzle: string };
}

/** After each phase, from the column's rollout (nullable until contract, or from the start). */
function after(c: ChangedColumn): Record<PhaseName, boolean> {
  const during = c.nullableDuringRollout || c.nullableAtEnd;
  return Object.fromEntries(phaseNames.map((p) => [p, p === 'contract' ? c.nullableAtEnd : during])) as Record<PhaseName, boolean>;
}

/** A changed column as the application reads it after `phase`. */
export function changedRowColumn(c: ChangedColumn, phase: PhaseName, flavor: 'mysql' | 'mariadb' = 'mysql'): MyRowColumn {
  const a = after(c);
  const type: MyMappedType = c.type ? mapMysqlType(c.type, flavor) : { sql: 'unknown', ts: 'unknown', zod: 'z.unknown()', prisma: { type: 'Unsupported("unknown")' }, drizzle: { custom: 'unknown' }, note: "the change does not say the column's type: pass --db to read it" };
  return { name: c.column, type, nullable: a[phase], changed: true, nullableAfter: a, ...(c.default !== undefined ? { default: c.default } : {}) };
}

export function mysqlRowTypes(
  change: Change,
  columns: ChangedColumn[],
  o: { phase: PhaseName; zod?: boolean; source?: string; catalog?: MysqlCatalog; flavor?: 'mysql' | 'mariadb'; planFrom?: 'ledger' | 'planned' },
): MyRowTypes {
  const flavor = o.flavor ?? 'mysql';
  const tables: MyRowTable[] = [];
  const key = (t: QualifiedName) => `${t.schema ?? ''}.${t.name}`;
  for (const c of columns) {
    if (tables.some((t) => key(t.table) === key(c.table))) continue;
    const mine = columns.filter((x) => key(x.table) === key(c.table));
    const existing: MyColumn[] | undefined = o.catalog?.table(c.table)?.columns;
    const out: MyRowColumn[] = [];
    for (const d of existing ?? []) {
      const x = mine.find((m) => m.column.toLowerCase() === d.name.toLowerCase());
      out.push(x ? changedRowColumn({ ...x, type: x.type ?? d.type.text }, o.phase, flavor) : { name: d.name, type: mapMysqlType(d.type.text, flavor), nullable: d.nullable, changed: false });
    }
    for (const x of mine) if (!out.some((r) => r.name.toLowerCase() === x.column.toLowerCase())) out.push(changedRowColumn(x, o.phase, flavor));
    tables.push({ table: c.table, typeName: `${pascal(c.table.name)}Row`, modelName: pascal(c.table.name), wholeRow: !!existing, columns: out });
  }
  const r: MyRowTypes = { change: change.name, phase: o.phase, facts: o.catalog ? 'database' : 'offline', planFrom: o.planFrom ?? 'planned', tables, text: { ts: '', prisma: '', drizzle: '' } };
  const head = [
    `// lockstep types: change "${change.name}"${o.source ? ` (${o.source})` : ''}, the row after the ${o.phase} phase (lockstep apply --until ${o.phase}).`,
    `// Nullability from ${r.planFrom === 'ledger' ? 'the plan recorded in the ledger' : "lockstep's MySQL/MariaDB rollout"} (${flavor === 'mariadb' ? 'MariaDB' : 'MySQL'}${o.catalog ? ', the table read from the database' : ', offline'}): NULL is allowed until a step enforces NOT NULL.`,
  ];
  r.text = { ts: renderTs(r, head, !!o.zod), prisma: renderPrisma(r, head), drizzle: renderDrizzle(r, head) };
  return r;
}

const JSON_VALUE = `/** What mysql2 returns for a JSON column (JSON.parse). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };`;

function renderTs(r: MyRowTypes, head: string[], zod: boolean): string {
  const out = [...head, '// Rows as mysql2 returns them (default options): the property names are the column names.'];
  if (r.tables.some((t) => !t.wholeRow)) out.push('// Only the columns this change adds or alters: pass --db for every column of the table.');
  out.push('');
  if (zod) out.push(`import { z } from 'zod';`, '');
  const usesJson = r.tables.some((t) => t.columns.some((c) => c.type.ts === 'JsonValue'));
  if (usesJson) out.push(JSON_VALUE, '');
  for (const t of r.tables) {
    out.push(`/** ${t.table.schema ? `${t.table.schema}.` : ''}${t.table.name} after the ${r.phase} phase${t.wholeRow ? '' : ' (only the columns the change touches)'}. */`, `export interface ${t.typeName} {`);
    for (const c of t.columns) {
      const doc = [c.type.sql, c.nullableAfter ? describeNullability(c.nullableAfter) : '', c.type.note ?? ''].filter(Boolean).join('; ');
      out.push(`  /** ${doc.replace(/\*\//g, '*\\/')} */`, `  ${tsKey(c.name)}: ${c.nullable ? `${/ \| /.test(c.type.ts) ? `(${c.type.ts})` : c.type.ts} | null` : c.type.ts};`);
    }
    out.push('}', '');
  }
  if (zod) {
    if (usesJson) out.push(`export const jsonValue: z.ZodType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]));`, '');
    for (const t of r.tables) {
      out.push(`export const ${t.typeName}Schema = z.object({`);
      for (const c of t.columns) out.push(`  ${tsKey(c.name)}: ${c.type.zod}${c.nullable ? '.nullable()' : ''},`);
      out.push('});', '');
    }
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** Prisma's @default for a MySQL default: a literal, now() for CURRENT_TIMESTAMP, else dbgenerated("…"). */
function prismaDefault(expr: string, type: MyMappedType): string {
  const e = expr.trim();
  const str = /^'((?:[^'\\]|''|\\.)*)'$/.exec(e);
  if (str && type.prisma.type === 'String') return JSON.stringify(str[1]!.replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  if (/^-?\d+(\.\d+)?$/.test(e) && ['Int', 'BigInt', 'Float', 'Decimal'].includes(type.prisma.type)) return e;
  if (/^(true|false)$/i.test(e) && type.prisma.type === 'Boolean') return e.toLowerCase();
  if (/^(0|1)$/.test(e) && type.prisma.type === 'Boolean') return e === '1' ? 'true' : 'false';
  if (/^(current_timestamp|now)(\(\s*\d*\s*\))?$/i.test(e) && type.prisma.type === 'DateTime') return 'now()';
  if (e.toUpperCase() === 'AUTO_INCREMENT') return 'autoincrement()';
  return `dbgenerated(${JSON.stringify(e)})`;
}

/** The Prisma field line for one changed column (mysql provider). */
export function mysqlPrismaLine(c: MyRowColumn): string {
  const field = camel(c.name) || c.name;
  if (c.type.ts === 'unknown' && c.type.sql === 'unknown') return `//   ${field}: ${c.nullable ? 'keep the ?' : 'remove the ? from its type'} (${describeNullability(c.nullableAfter!)}; pass --db for its type)`;
  const attrs = [c.default !== undefined ? `@default(${prismaDefault(c.default, c.type)})` : '', field !== c.name ? `@map(${JSON.stringify(c.name)})` : '', c.type.prisma.native ?? ''].filter(Boolean);
  return `  ${field} ${c.type.prisma.type}${c.nullable ? '?' : ''}${attrs.length ? ` ${attrs.join(' ')}` : ''}${c.nullableAfter ? ` // ${describeNullability(c.nullableAfter)}` : ''}`;
}

function renderPrisma(r: MyRowTypes, head: string[]): string {
  const out = [...head, '// Prisma fields (provider = "mysql") for the columns the change touches; paste them into the model.', ''];
  for (const t of r.tables) {
    out.push(`// model ${t.modelName} { … }${t.modelName !== t.table.name ? `  (@@map(${JSON.stringify(t.table.name)}))` : ''}`);
    for (const c of t.columns.filter((x) => x.changed)) out.push(mysqlPrismaLine(c));
    out.push('');
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** The Drizzle mysql-core column line for one changed column; `builders` collects the imports. */
export function mysqlDrizzleLine(c: MyRowColumn, builders: Set<string> = new Set()): string {
  const k = tsKey(camel(c.name) || c.name);
  if (c.type.ts === 'unknown' && c.type.sql === 'unknown') return `//   ${k}: ${c.nullable ? 'without' : 'add'} .notNull() (${describeNullability(c.nullableAfter!)}; pass --db for its type)`;
  const d = c.type.drizzle;
  let call: string;
  if ('custom' in d) {
    builders.add('customType');
    call = `customType<{ data: ${c.type.ts === 'unknown' ? 'unknown' : c.type.ts} }>({ dataType: () => ${tsString(d.custom)} })(${tsString(c.name)})`;
  } else {
    builders.add(d.builder);
    call = `${d.builder}(${tsString(c.name)}${d.options ? `, ${d.options}` : ''})`;
  }
  if (!c.nullable) call += '.notNull()';
  if (c.default !== undefined) {
    builders.add('sql');
    call += /^current_timestamp(\(\s*\d*\s*\))?$/i.test(c.default.trim()) ? '.defaultNow()' : `.default(sql\`${c.default.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\`)`;
    if (call.endsWith('.defaultNow()')) builders.delete('sql');
  }
  const comment = [c.nullableAfter ? describeNullability(c.nullableAfter) : '', 'custom' in d ? `drizzle-orm/mysql-core has no builder for ${c.type.sql}` : ''].filter(Boolean).join('; ');
  return `  ${k}: ${call},${comment ? ` // ${comment}` : ''}`;
}

function renderDrizzle(r: MyRowTypes, head: string[]): string {
  const builders = new Set<string>();
  const body: string[] = [];
  for (const t of r.tables) {
    body.push(`// mysqlTable(${tsString(t.table.name)}, { …`);
    for (const c of t.columns.filter((x) => x.changed)) body.push(mysqlDrizzleLine(c, builders));
    body.push('');
  }
  const out = [...head, '// Drizzle columns for the columns the change touches; paste them into the mysqlTable.', ''];
  const usesSql = builders.delete('sql');
  if (usesSql) out.push(`import { sql } from 'drizzle-orm';`);
  if (builders.size) out.push(`import { ${[...builders].sort().join(', ')} } from 'drizzle-orm/mysql-core';`);
  if (usesSql || builders.size) out.push('');
  out.push(...body);
  return out.join('\n').replace(/\n+$/, '\n');
}

const IDENT = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;
function tsKey(name: string): string {
  return IDENT.test(name) ? name : tsString(name);
}
function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}
