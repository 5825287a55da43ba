/** Names and types as the Postgres parser hands them over, normalized for lookups and messages. */
import type { QualifiedName } from '../../core/types.js';

export const DEFAULT_SCHEMA = 'public';

/** `schema.name` key for maps; unqualified names resolve to `public` (lockstep assumes the default search_path). */
export function key(n: QualifiedName): string {
  return `${n.schema ?? DEFAULT_SCHEMA}.${n.name}`;
}

export function fromRangeVar(rv: any): QualifiedName {
  return rv?.schemaname ? { schema: rv.schemaname, name: rv.relname } : { name: rv?.relname ?? '?' };
}

/** From a `names` list of String nodes (`[{String:{sval}}…]`). */
export function fromNameList(list: any[] | undefined): QualifiedName {
  const parts = (list ?? []).map((n: any) => n?.String?.sval ?? '').filter(Boolean);
  const name = parts[parts.length - 1] ?? '?';
  return parts.length > 1 ? { schema: parts[parts.length - 2], name } : { name };
}

export function strings(list: any[] | undefined): string[] {
  return (list ?? []).map((n: any) => n?.String?.sval).filter((s: unknown): s is string => typeof s === 'string');
}

// What quote_ident leaves bare: lower-case letters, digits and underscores, not starting with a digit, and
// not a keyword other than an unreserved one (PostgreSQL 18's kwlist.h: reserved, column-name and
// type/function-name keywords). `$` is allowed in identifiers but quote_ident quotes it.
const plainIdent = /^[a-z_][a-z0-9_]*$/;
const reserved = new Set(
  [
    // reserved
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references returning select session_user some symmetric system_user table then to trailing true union unique user using variadic when where window with',
    // column-name keywords
    'between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping inout int integer interval json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize json_table json_value least merge_action national nchar none normalize nullif numeric out overlay position precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable',
    // type- and function-name keywords
    'authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose',
  ]
    .join(' ')
    .split(' '),
);

/** Quotes an identifier for SQL when it needs it (the way `quote_ident` does). */
export function quoteIdent(name: string): string {
  if (plainIdent.test(name) && !reserved.has(name)) return name;
  return quoteIdentAlways(name);
}

/** An identifier always in double quotes (`"orders"`, `"a""b"`): for SQL that must name exactly this spelling whatever the keyword list says. */
export function quoteIdentAlways(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.name` for SQL, each part quoted when needed; the schema is omitted when the user omitted it. */
export function sqlName(n: QualifiedName): string {
  return n.schema ? `${quoteIdent(n.schema)}.${quoteIdent(n.name)}` : quoteIdent(n.name);
}

/** A name for prose: as SQL would spell it. */
export const display = sqlName;

export function sameName(a: QualifiedName, b: QualifiedName): boolean {
  return key(a) === key(b);
}

/** A column type, canonicalized: `int4`, `varchar` with mods [20], `bpchar`, `timestamptz`, … */
export interface TypeRef {
  /** Canonical base name (pg_type.typname for built-ins). */
  name: string;
  schema?: string;
  /** Type modifiers as written: varchar(20) → [20]; numeric(10,2) → [10, 2]. */
  mods: number[];
  array: boolean;
  /** Declared as serial / bigserial / smallserial. */
  serial?: boolean;
  /** How the user wrote it, for messages. */
  text: string;
}

// Parser output already names built-ins canonically (pg_catalog.int4, pg_catalog.bpchar…); these
// aliases cover names as users write them unqualified and as format_type() prints them. `char` is
// absent on purpose: unqualified it is the internal one-byte "char" type, not char(n).
const aliases: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  int4: 'int4',
  bigint: 'int8',
  int8: 'int8',
  smallint: 'int2',
  int2: 'int2',
  serial: 'int4',
  serial4: 'int4',
  bigserial: 'int8',
  serial8: 'int8',
  smallserial: 'int2',
  serial2: 'int2',
  real: 'float4',
  float4: 'float4',
  'double precision': 'float8',
  float8: 'float8',
  float: 'float8',
  boolean: 'bool',
  bool: 'bool',
  varchar: 'varchar',
  'character varying': 'varchar',
  character: 'bpchar',
  bpchar: 'bpchar',
  decimal: 'numeric',
  numeric: 'numeric',
  'timestamp without time zone': 'timestamp',
  timestamp: 'timestamp',
  'timestamp with time zone': 'timestamptz',
  timestamptz: 'timestamptz',
  'time without time zone': 'time',
  time: 'time',
  'time with time zone': 'timetz',
  timetz: 'timetz',
  'bit varying': 'varbit',
  varbit: 'varbit',
};

export function canonicalTypeName(name: string): string {
  const n = name.toLowerCase();
  return aliases[n] ?? n;
}

function constValue(node: any): number | undefined {
  const c = node?.A_Const;
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.ival === undefined && c.fval === undefined && c.sval === undefined && !c.isnull) return 0; // ival 0 is omitted
  return undefined;
}

const displayNames: Record<string, string> = {
  int4: 'integer',
  int8: 'bigint',
  int2: 'smallint',
  float8: 'double precision',
  float4: 'real',
  bool: 'boolean',
  bpchar: 'char',
};

/** From a parser TypeName node. */
export function fromTypeName(tn: any): TypeRef {
  const parts = strings(tn?.names);
  const raw = parts[parts.length - 1] ?? '?';
  const schema = parts.length > 1 && parts[0] !== 'pg_catalog' ? parts[parts.length - 2] : undefined;
  const mods = (tn?.typmods ?? []).map(constValue).filter((v: number | undefined): v is number => v !== undefined);
  const serial = /^(small|big)?serial[248]?$/.test(raw);
  const name = schema ? raw : canonicalTypeName(raw);
  const array = Array.isArray(tn?.arrayBounds) && tn.arrayBounds.length > 0;
  const shown = serial ? raw : (displayNames[name] ?? name);
  return {
    name,
    ...(schema ? { schema } : {}),
    mods,
    array,
    ...(serial ? { serial } : {}),
    text: `${schema ? `${schema}.` : ''}${shown}${mods.length ? `(${mods.join(', ')})` : ''}${array ? '[]' : ''}`,
  };
}

/** From pg_catalog.format_type() output, for types read from a live database. */
export function fromFormattedType(formatted: string): TypeRef {
  let s = formatted.trim();
  const array = s.endsWith('[]');
  if (array) s = s.replace(/(\[\])+$/, '');
  const m = /^(.*?)(?:\(([\d,\s]+)\))?( with(?:out)? time zone)?$/.exec(s);
  const base = (m?.[1] ?? s) + (m?.[3] ?? '');
  const mods = m?.[2] ? m[2].split(',').map((x) => Number(x.trim())) : [];
  const dot = base.lastIndexOf('.');
  const schema = dot > 0 && !base.startsWith('"') ? base.slice(0, dot) : undefined;
  const name = canonicalTypeName(schema ? base.slice(dot + 1) : base);
  // The parser gives interval(p) as [fields, p] with fields = 32767 (all); format_type prints only p.
  const normalized = name === 'interval' && mods.length === 1 ? [32767, mods[0]!] : mods;
  return { name, ...(schema ? { schema } : {}), mods: normalized, array, text: formatted };
}

const byteLength = (s: string) => Buffer.byteLength(s);

/** Cuts `s` to at most `max` bytes of UTF-8 without splitting a character. */
export function clipBytes(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/**
 * The name Postgres would choose for a constraint or index (`orders_customer_id_fkey`): `name1_name2_label`
 * within 63 bytes, shortening the longer of the two names first, as makeObjectName does.
 */
export function objectName(name1: string, name2: string | undefined, label: string): string {
  const overhead = byteLength(label) + 1 + (name2 ? 1 : 0);
  const avail = 63 - overhead;
  let a = byteLength(name1);
  let b = name2 ? byteLength(name2) : 0;
  while (a + b > avail) {
    if (a > b) a--;
    else b--;
  }
  const n1 = clipBytes(name1, a);
  const n2 = name2 ? clipBytes(name2, b) : undefined;
  return `${n1}${n2 !== undefined ? `_${n2}` : ''}_${label}`;
}


/** The name Postgres gives an unnamed CHECK: `<table>_<column>_check` when it uses one column, else `<table>_check`. */
export function checkConstraintName(table: QualifiedName, expr: unknown): string {
  const cols = new Set<string>();
  const visit = (n: any): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== 'object') return;
    const f = n.ColumnRef?.fields;
    if (f?.length) {
      const last = f[f.length - 1]?.String?.sval;
      if (last) cols.add(last);
    }
    for (const v of Object.values(n)) if (v && typeof v === 'object') visit(v);
  };
  visit(expr);
  return objectName(table.name, cols.size === 1 ? [...cols][0] : undefined, 'check');
}


/**
 * A SQL string literal for `s`, right whatever standard_conforming_strings is: quotes doubled, and an
 * E'' literal with doubled backslashes when there is a backslash. `escapeControls` (for showing a
 * value to people) writes control characters as \n, \t, \xNN in an E'' literal.
 */
export function quoteLiteral(s: string, o: { escapeControls?: boolean } = {}): string {
  const body = s.replace(/'/g, "''");
  const controls = o.escapeControls && /[\x00-\x1f\x7f]/.test(s);
  if (!controls && !s.includes('\\')) return `'${body}'`;
  const escaped = body.replace(/\\/g, '\\\\');
  return `E'${controls ? escapeControls(escaped) : escaped}'`;
}

/** Control characters as the escapes of an E'' literal: \n, \r, \t, \xNN. */
export function escapeControls(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
