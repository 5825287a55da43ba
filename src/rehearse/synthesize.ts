/**
 * Rows for a rehearsal sandbox: synthesized from the source's planner statistics (pg_stats) or from the
 * column types alone, or sampled from the source (TABLESAMPLE).
 *
 * `fill` reads the tables' structure from the TARGET's catalogs and generates rows in JS with a seeded
 * PRNG (mulberry32), then loads them in chunks of a few thousand rows, one statement per chunk:
 *
 *   WITH ins AS (INSERT INTO t (a, b) SELECT v.* FROM (SELECT u.c0::<type a> AS a, u.c1::<type b> AS b
 *                FROM unnest($1::text[], $2::text[]) AS u(c0, c1)) AS v
 *                WHERE <CHECKs, domain CHECKs, partition bounds> ON CONFLICT DO NOTHING RETURNING 1)
 *   SELECT count(*) FROM ins
 *
 * One bound parameter per column (a text array), so the 65,535-parameter limit never applies and the
 * server parses one short statement per chunk. Every value travels as text and is cast by the server,
 * which makes any type whose text form we have (MCVs and histogram bounds are read as text) loadable.
 * Rows a CHECK, a domain CHECK or the partition bounds reject are filtered by the WHERE; rows that would
 * break a unique key or an exclusion constraint are skipped by ON CONFLICT DO NOTHING; the shortfall is
 * generated again until the table has its rows (or nothing gets through: then a clear error).
 *
 * With statistics for a column: NULLs at null_frac, the most common values at their frequencies, the
 * rest from the histogram's equal-frequency buckets (interpolated inside a bucket for numeric and
 * date/time types, a bucket's bound for other types; draws stratified over the buckets so even a small
 * table follows the histogram), as many distinct values as n_distinct says (negative: a fraction of
 * the rows; text gets " <n>" suffixes, other unordered types fresh values, to reach it), ascending
 * (descending) with row order for the histogram part of columns whose correlation is above 0.8 (below
 * -0.8). Without statistics: values from the type, narrowed by what simple CHECKs, domains and
 * partition bounds say (`x BETWEEN 1 AND 100`, `status IN (…)`, `created_at >= '2025-01-01'`), 10 %
 * NULLs in nullable columns. Note that MCVs and histogram bounds are real values from the source: a
 * sandbox filled from statistics contains some production values (an email column's 101 histogram
 * bounds, suffixed, for instance).
 *
 * Keys: a single-column PRIMARY KEY / UNIQUE gets values unique by construction (an arithmetic
 * progression over the source's range for numbers and dates, ascending when the source's correlation
 * is > 0.5, a "~<n>" suffix for text, random v4 for uuid); in a multi-column key, a near-unique column
 * is made unique, else an integer column counts per value of the others (order_id, line_no → 1, 2, 3),
 * else tuples are de-duplicated. Foreign keys take existing parent keys (referenced tables are filled
 * first), NULL at the FK column's null_frac; a self-reference points at rows of earlier chunks.
 * Identity, serial and other defaults fire for columns without statistics (unless a CHECK or a key
 * needs the column); sequences are moved past the values loaded.
 *
 * Not supported (honestly): CHECKs and partition bounds are honoured by filtering, so a CHECK that
 * random values rarely satisfy (a regex, a cross-column equation) loads slowly or fails with an error
 * naming it; unique expression indexes and partial unique indexes are only protected by ON CONFLICT
 * (skipped rows are regenerated); foreign key cycles between different tables are broken at a nullable
 * FK (left NULL), a NOT NULL cycle is an error; overlapping foreign keys (sharing columns) are not
 * coordinated; defaults that are not deterministic (now(), random()) make runs differ in those columns;
 * statistics of array columns are used for their NULL fraction only; types lockstep cannot generate
 * (geometric, ranges, composite, user base types) are NULL when nullable and an error otherwise.
 */
import { LockstepError } from '../core/errors.js';
import type { Queryable } from '../dialects/postgres/introspect.js';
import { quoteIdent, quoteLiteral, sqlName } from '../dialects/postgres/names.js';
import { lex } from '../dialects/postgres/lexer.js';
import { mulberry32 } from '../core/random.js';

export interface TableRef {
  schema: string;
  name: string;
}

export interface ColumnStats {
  name: string;
  /** The column's type in the source (format_type). */
  type: string;
  /** Fraction of NULLs. */
  nullFrac: number;
  avgWidth: number;
  /** > 0: number of distinct values; < 0: minus the fraction of rows that are distinct. */
  nDistinct: number;
  correlation: number | null;
  /** Most common values, as text, and their frequencies (fractions of all rows). */
  mcv: string[];
  mcf: number[];
  /** Histogram bounds (equal-frequency buckets over the non-MCV values), as text. */
  histogram: string[];
  /** The same bounds as numbers, for numeric types (the value) and date, timestamp, timestamptz (epoch seconds). */
  histogramNum: number[] | null;
}

export interface TableStats {
  schema: string;
  name: string;
  /** The planner's row estimate (pg_class.reltuples, summed over partitions); -1 when never analyzed. */
  reltuples: number;
  /** Columns with statistics (columns never analyzed are missing). */
  columns: ColumnStats[];
}

export interface FillOptions {
  /** Rows per table: one number for all, or per table keyed `schema.name` (or a bare name). A table
   *  missing from the record gets its statistics' reltuples, else 1,000. */
  rows: number | Record<string, number>;
  /** Statistics per table, keyed `schema.name` (see `tableKey`). */
  stats?: Map<string, TableStats>;
  seed?: number;
  onProgress?: (e: { table: string; rows: number; total: number }) => void;
}

export interface FillResult {
  /** The table as SQL spells it (schema omitted for public). */
  table: string;
  rows: number;
  /** Rows asked for. */
  requested: number;
  how: 'synthetic-stats' | 'synthetic-types';
  /** What was approximated or left out (a broken FK cycle, rows rejected and replaced, …). */
  notes?: string[];
  /** Why the table has fewer rows than asked for (`rows < requested`): a one-to-one foreign key to a
   *  table with fewer rows, a unique key over a small domain, a CHECK or a trigger that rejects the
   *  generated rows, a type lockstep cannot generate. The fill goes on with the other tables. */
  shortfall?: string;
}

export interface SampleResult {
  table: string;
  /** Rows loaded into the target. */
  rows: number;
  /** Rows TABLESAMPLE read from the source. */
  sampled: number;
  /** Rows copied beyond the sample because sampled rows reference them (sampleTables). */
  added?: number;
  /** Rows left out because a parent row they reference is not in the target. */
  dropped: number;
  method: 'SYSTEM' | 'BERNOULLI';
}

/** `schema.name`, the key of `FillOptions.stats` and `FillOptions.rows`. */
export const tableKey = (t: TableRef) => `${t.schema}.${t.name}`;
const display = (t: TableRef) => sqlName(t.schema === 'public' ? { name: t.name } : t);
const qualified = (t: TableRef) => sqlName({ schema: t.schema, name: t.name });

// ---------------------------------------------------------------------------------------------------
// Statistics

/** The planner statistics of one table in the source (read-only: pg_stats and pg_class). */
export async function readStats(source: Queryable, table: TableRef): Promise<TableStats> {
  const where = display(table);
  let rel: { oid: string; relkind: string; reltuples: number }[];
  let cols: any[];
  try {
    rel = (
      await source.query(
        `SELECT c.oid::text AS oid, c.relkind::text AS relkind,
                CASE WHEN c.relkind = 'p' AND c.reltuples < 0
                     THEN coalesce((SELECT sum(greatest(p.reltuples, 0)) FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_catalog.pg_class p ON p.oid = t.relid WHERE t.isleaf), -1)
                     ELSE c.reltuples END::float8 AS reltuples
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm', 'f')`,
        [table.schema, table.name],
      )
    ).rows;
    if (!rel[0]) throw new LockstepError('E_INPUT', [{ where, message: 'no such table in the source database' }]);
    const num = (cast: string) => `(SELECT array_agg(${cast} ORDER BY u.o) FROM unnest(s.histogram_bounds::text::text[]) WITH ORDINALITY AS u(x, o))`;
    cols = (
      await source.query(
        `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
                s.null_frac::float8 AS null_frac, s.avg_width, s.n_distinct::float8 AS n_distinct, s.correlation::float8 AS correlation,
                s.most_common_vals::text::text[] AS mcv, s.most_common_freqs::float8[] AS mcf, s.histogram_bounds::text::text[] AS hist,
                CASE WHEN s.histogram_bounds IS NULL OR bt.typnamespace <> 'pg_catalog'::regnamespace THEN NULL
                     WHEN bt.typname IN ('int2', 'int4', 'int8', 'float4', 'float8', 'numeric') THEN ${num('u.x::float8')}
                     WHEN bt.typname = 'date' THEN ${num('extract(epoch FROM u.x::date)::float8')}
                     WHEN bt.typname = 'timestamp' THEN ${num('extract(epoch FROM u.x::timestamp)::float8')}
                     WHEN bt.typname = 'timestamptz' THEN ${num('extract(epoch FROM u.x::timestamptz)::float8')}
                END AS hist_num
         FROM pg_catalog.pg_attribute a
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
         JOIN pg_catalog.pg_stats s ON s.schemaname = $1 AND s.tablename = $2 AND s.attname = a.attname AND s.inherited = $4
         WHERE a.attrelid = $3::oid AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum`,
        [table.schema, table.name, rel[0].oid, rel[0].relkind === 'p'],
      )
    ).rows;
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where, message: `reading statistics failed: ${oneLine(e?.message ?? e)}` }], { cause: e });
  }
  return {
    schema: table.schema,
    name: table.name,
    reltuples: Number(rel[0].reltuples),
    columns: cols.map((c) => ({
      name: c.name,
      type: c.type,
      nullFrac: Number(c.null_frac ?? 0),
      avgWidth: Number(c.avg_width ?? 0),
      nDistinct: Number(c.n_distinct ?? 0),
      correlation: c.correlation === null || c.correlation === undefined ? null : Number(c.correlation),
      mcv: c.mcv ?? [],
      mcf: (c.mcf ?? []).map(Number),
      histogram: c.hist ?? [],
      histogramNum: c.hist_num ? c.hist_num.map((x: unknown) => (x === null ? NaN : Number(x))) : null,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------
// PRNG (mulberry32 is core/random.ts)

function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ---------------------------------------------------------------------------------------------------
// Target structure

type Kind =
  | 'int2' | 'int4' | 'int8' | 'numeric' | 'float' | 'money' | 'text' | 'bool' | 'date' | 'timestamp' | 'timestamptz'
  | 'time' | 'timetz' | 'interval' | 'uuid' | 'json' | 'jsonb' | 'bytea' | 'inet' | 'cidr' | 'macaddr' | 'macaddr8'
  | 'bit' | 'varbit' | 'xml' | 'tsvector' | 'oid' | 'enum' | 'array' | 'unknown';

interface TypeInfo {
  /** format_type of what values are cast to (a domain's base type). */
  cast: string;
  kind: Kind;
  /** varchar(n) / char(n) / bit(n): n. */
  maxLen?: number;
  precision?: number;
  scale?: number;
  labels?: string[];
  elem?: TypeInfo;
  /** Domain CHECK expressions over VALUE, and whether the domain is NOT NULL. */
  domainChecks: string[];
  domainNotNull: boolean;
  /** The column's declared type, for messages. */
  shown: string;
}

interface Column {
  name: string;
  type: TypeInfo;
  notNull: boolean;
  /** Has a default or is an identity column. */
  hasDefault: boolean;
  identity: string;
  generated: boolean;
  /** A sequence the column's default or identity draws from (oid), to move past loaded values. */
  seq: string | null;
}

interface ForeignKey {
  name: string;
  cols: string[];
  ref: TableRef;
  refOid: string;
  refCols: string[];
}

interface Structure {
  ref: TableRef;
  oid: string;
  relkind: string;
  /** The partitioned table this is a partition of (root), when it is one. */
  root: string | null;
  columns: Column[];
  /** SQL conditions every row must meet (table and leaf CHECKs, partition bounds), over column names. */
  filter: string | null;
  /** Names for messages: the CHECK constraints and whether partition bounds apply. */
  filterNames: string[];
  /** Columns some CHECK or partition key uses (they are always generated, never left to a default). */
  checkCols: Set<string>;
  /** A partition key is an expression: generate every column. */
  noOmit: boolean;
  uniques: { cols: string[]; primary: boolean; nullsNotDistinct: boolean }[];
  fks: ForeignKey[];
  /** Ranges and value lists read from simple CHECKs and partition bounds, to generate values that pass. */
  hints: Map<string, Hint>;
  /** Enabled user triggers that fire on INSERT (on the table or its partitions): they may reject rows. */
  triggers: string[];
}

/** What simple conditions say about a column: `col >= 1`, `col < '2026-01-01'`, `col = ANY (ARRAY['a', 'b'])`. */
interface Hint {
  lo?: number;
  hi?: number;
  loStrict?: boolean;
  hiStrict?: boolean;
  oneOf?: string[];
}

const kindOf: Record<string, Kind> = {
  int2: 'int2', int4: 'int4', int8: 'int8', numeric: 'numeric', float4: 'float', float8: 'float', money: 'money',
  text: 'text', varchar: 'text', bpchar: 'text', name: 'text', citext: 'text', bool: 'bool', date: 'date',
  timestamp: 'timestamp', timestamptz: 'timestamptz', time: 'time', timetz: 'timetz', interval: 'interval', uuid: 'uuid',
  json: 'json', jsonb: 'jsonb', bytea: 'bytea', inet: 'inet', cidr: 'cidr', macaddr: 'macaddr', macaddr8: 'macaddr8',
  bit: 'bit', varbit: 'varbit', xml: 'xml', tsvector: 'tsvector', oid: 'oid',
};

class TypeReader {
  private cache = new Map<string, TypeInfo>();
  constructor(private db: Queryable) {}

  async read(oid: string, typmod: number): Promise<TypeInfo> {
    const k = `${oid}:${typmod}`;
    const hit = this.cache.get(k);
    if (hit) return hit;
    const info = await this.load(oid, typmod, 0);
    this.cache.set(k, info);
    return info;
  }

  private async load(oid: string, typmod: number, depth: number): Promise<TypeInfo> {
    const t = (
      await this.db.query(
        `SELECT t.typname AS name, n.nspname AS schema, t.typtype::text AS typtype, t.typelem::text AS elem, t.typlen::int AS len,
                t.typbasetype::text AS base, t.typtypmod::int AS basemod, t.typnotnull AS notnull, pg_catalog.format_type(t.oid, $2::int) AS shown
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1::oid`,
        [oid, typmod],
      )
    ).rows[0] as { name: string; schema: string; typtype: string; elem: string; len: number; base: string; basemod: number; notnull: boolean; shown: string };
    if (t.typtype === 'd' && depth < 10) {
      const base = await this.load(t.base, t.basemod, depth + 1);
      const cons = (await this.db.query(`SELECT pg_catalog.pg_get_expr(conbin, 0) AS expr FROM pg_catalog.pg_constraint WHERE contypid = $1::oid AND contype = 'c' ORDER BY conname`, [oid])).rows as { expr: string }[];
      return { ...base, domainChecks: [...base.domainChecks, ...cons.map((c) => c.expr)], domainNotNull: base.domainNotNull || t.notnull, shown: t.shown };
    }
    const info: TypeInfo = { cast: t.shown, kind: 'unknown', domainChecks: [], domainNotNull: false, shown: t.shown };
    if (t.typtype === 'b' && t.elem !== '0' && t.len === -1) {
      info.kind = 'array';
      info.elem = await this.load(t.elem, -1, depth + 1);
      return info;
    }
    if (t.typtype === 'e') {
      info.kind = 'enum';
      info.labels = ((await this.db.query(`SELECT enumlabel::text AS l FROM pg_catalog.pg_enum WHERE enumtypid = $1::oid ORDER BY enumsortorder`, [oid])).rows as { l: string }[]).map((r) => r.l);
      return info;
    }
    if (t.typtype === 'b' && (t.schema === 'pg_catalog' || t.name === 'citext')) info.kind = kindOf[t.name] ?? 'unknown';
    if (typmod >= 0) {
      if (t.name === 'varchar' || t.name === 'bpchar') info.maxLen = typmod - 4;
      else if (t.name === 'bit' || t.name === 'varbit') info.maxLen = typmod;
      else if (t.name === 'numeric') {
        info.precision = ((typmod - 4) >> 16) & 0xffff;
        info.scale = (typmod - 4) & 0xffff;
      }
    }
    return info;
  }
}

async function readStructure(db: Queryable, t: TableRef, types: TypeReader, versionNum: number): Promise<Structure> {
  const rel = (
    await db.query(
      `SELECT c.oid::text AS oid, c.relkind::text AS relkind,
              (SELECT r.relid::text FROM pg_catalog.pg_partition_ancestors(c.oid) r JOIN pg_catalog.pg_class rc ON rc.oid = r.relid WHERE NOT rc.relispartition) AS root
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [t.schema, t.name],
    )
  ).rows[0] as { oid: string; relkind: string; root: string | null } | undefined;
  if (!rel) throw new LockstepError('E_INPUT', [{ where: display(t), message: 'no such table in the target' }]);
  const cols = (
    await db.query(
      `SELECT a.attname AS name, a.atttypid::text AS typid, a.atttypmod::int AS typmod, a.attnotnull AS notnull,
              a.atthasdef OR a.attidentity <> '' AS hasdef, a.attidentity::text AS identity, a.attgenerated <> '' AS generated,
              (SELECT d.refobjid::text FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
                 JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
                WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass AND ad.adrelid = a.attrelid AND ad.adnum = a.attnum LIMIT 1) AS defseq,
              (SELECT d.objid::text FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = a.attrelid
                  AND d.refobjsubid = a.attnum AND d.deptype = 'i' LIMIT 1) AS idseq
       FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [rel.oid],
    )
  ).rows as { name: string; typid: string; typmod: number; notnull: boolean; hasdef: boolean; identity: string; generated: boolean; defseq: string | null; idseq: string | null }[];
  const columns: Column[] = [];
  for (const c of cols) {
    const type = await types.read(c.typid, c.typmod);
    columns.push({ name: c.name, type, notNull: c.notnull || type.domainNotNull, hasDefault: c.hasdef, identity: c.identity, generated: c.generated, seq: c.idseq ?? c.defseq });
  }

  // CHECKs and partition bounds, per leaf: a row must fit one leaf (a plain table is its own leaf).
  const leaves = (
    await db.query(
      `SELECT l.relid::text AS oid, CASE WHEN l.relid = $1::oid AND NOT c.relispartition THEN NULL ELSE pg_catalog.pg_get_partition_constraintdef(l.relid) END AS bound,
              (SELECT coalesce(array_agg(pg_catalog.pg_get_expr(k.conbin, k.conrelid) ORDER BY k.conname), '{}') FROM pg_catalog.pg_constraint k WHERE k.conrelid = l.relid AND k.contype = 'c') AS checks,
              (SELECT coalesce(array_agg(k.conname::text ORDER BY k.conname), '{}') FROM pg_catalog.pg_constraint k WHERE k.conrelid = l.relid AND k.contype = 'c') AS names,
              (SELECT coalesce(array_agg(DISTINCT a.attname::text), '{}') FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                WHERE k.conrelid = l.relid AND k.contype = 'c') AS cols
       FROM (SELECT relid FROM pg_catalog.pg_partition_tree($1::oid) WHERE isleaf
             UNION SELECT $1::oid WHERE $2 = 'r' AND NOT EXISTS (SELECT FROM pg_catalog.pg_partition_tree($1::oid) WHERE isleaf)) l
       JOIN pg_catalog.pg_class c ON c.oid = l.relid
       ORDER BY 1`,
      [rel.oid, rel.relkind],
    )
  ).rows as { oid: string; bound: string | null; checks: string[]; names: string[]; cols: string[] }[];
  const checkCols = new Set<string>();
  const filterNames = new Set<string>();
  const alternatives: string[] = [];
  let bounded = false;
  const leafHints: Map<string, Hint>[] = [];
  for (const l of leaves) {
    const parts = [...(l.bound ? [l.bound] : []), ...l.checks].map((e) => `(${e})`);
    const h = new Map<string, Hint>();
    for (const c of columns) h.set(c.name, parts.reduce((acc, e) => andHint(acc, hintFor(e, c.name)), {} as Hint));
    leafHints.push(h);
    if (l.bound) bounded = true;
    for (const n of l.names) filterNames.add(quoteIdent(n));
    for (const c of l.cols) checkCols.add(c);
    alternatives.push(parts.length ? parts.join(' AND ') : 'true');
  }
  if (rel.relkind === 'p' && !leaves.length) throw new LockstepError('E_INPUT', [{ where: display(t), message: 'is partitioned and has no partitions: no row can be inserted' }]);
  let filter = alternatives.length > 1 ? alternatives.map((a) => `(${a})`).join(' OR ') : alternatives[0] === 'true' ? null : (alternatives[0] ?? null);
  if (filter && alternatives.length > 1) filter = `(${filter})`;
  if (bounded) filterNames.add('the partition bounds');
  // Partition keys: plain columns are always generated; an expression key means every column is.
  const keys = (
    await db.query(
      `SELECT coalesce(array_agg(a.attname::text) FILTER (WHERE a.attname IS NOT NULL), '{}') AS cols, bool_or(k.n = 0) AS expr
       FROM pg_catalog.pg_partition_tree($1::oid) pt JOIN pg_catalog.pg_partitioned_table p ON p.partrelid = pt.relid
       CROSS JOIN LATERAL unnest(p.partattrs::int2[]) AS k(n)
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.n`,
      [rel.oid],
    )
  ).rows[0] as { cols: string[]; expr: boolean | null } | undefined;
  for (const c of keys?.cols ?? []) checkCols.add(c);

  const nnd = versionNum >= 150000 ? 'i.indnullsnotdistinct' : 'false';
  const uniques = (
    await db.query(
      `SELECT i.indisprimary AS primary, ${nnd} AS nnd,
              (SELECT array_agg(a.attname::text ORDER BY k.o) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n WHERE k.o <= i.indnkeyatts) AS cols
       FROM pg_catalog.pg_index i
       WHERE i.indrelid = $1::oid AND i.indisunique AND i.indpred IS NULL AND NOT (0 = ANY (i.indkey::int2[]))
       ORDER BY i.indisprimary DESC, i.indexrelid`,
      [rel.oid],
    )
  ).rows as { primary: boolean; nnd: boolean; cols: string[] }[];

  const fks = (
    await db.query(
      `SELECT k.conname AS name, k.confrelid::text AS ref_oid, rn.nspname AS ref_schema, r.relname AS ref_name,
              (SELECT array_agg(a.attname::text ORDER BY x.o) FROM unnest(k.conkey) WITH ORDINALITY AS x(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.n) AS cols,
              (SELECT array_agg(a.attname::text ORDER BY x.o) FROM unnest(k.confkey) WITH ORDINALITY AS x(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.n) AS ref_cols
       FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class r ON r.oid = k.confrelid JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
       WHERE k.conrelid = $1::oid AND k.contype = 'f' AND k.conparentid = 0
       ORDER BY k.conname`,
      [rel.oid],
    )
  ).rows as { name: string; ref_oid: string; ref_schema: string; ref_name: string; cols: string[]; ref_cols: string[] }[];

  const triggers = (
    await db.query(
      `SELECT DISTINCT g.tgname::text AS name FROM pg_catalog.pg_trigger g
       WHERE (g.tgrelid = $1::oid OR g.tgrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree($1::oid))) AND NOT g.tgisinternal AND g.tgenabled <> 'D' AND (g.tgtype::int & 4) <> 0
       ORDER BY 1`,
      [rel.oid],
    )
  ).rows as { name: string }[];

  // Domain CHECKs become row conditions over the column (VALUE → the column).
  const hints = new Map<string, Hint>();
  for (const c of columns) {
    let h = leafHints.length ? leafHints.map((m) => m.get(c.name)!).reduce(orHint) : ({} as Hint);
    for (const d of c.type.domainChecks) {
      const cond = `(${replaceValue(d, quoteIdent(c.name))})`;
      filter = filter ? `${filter} AND ${cond}` : cond;
      filterNames.add(`the domain of ${quoteIdent(c.name)}`);
      h = andHint(h, hintFor(cond, c.name));
    }
    if (Object.keys(h).length) hints.set(c.name, h);
  }

  return {
    ref: t,
    oid: rel.oid,
    relkind: rel.relkind,
    root: rel.root && rel.root !== rel.oid ? rel.root : null,
    columns,
    filter,
    filterNames: [...filterNames],
    checkCols,
    noOmit: !!keys?.expr,
    uniques: uniques.filter((u) => u.cols?.length).map((u) => ({ cols: u.cols, primary: u.primary, nullsNotDistinct: u.nnd })),
    fks: fks.map((f) => ({ name: f.name, cols: f.cols, ref: { schema: f.ref_schema, name: f.ref_name }, refOid: f.ref_oid, refCols: f.ref_cols })),
    hints,
    triggers: triggers.map((x) => quoteIdent(x.name)),
  };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A literal of a deparsed expression as a number: itself, or a date/time as epoch seconds. */
function literalNumber(text: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const m = /^(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d(?::\d\d(?:\.\d+)?)?))?\s*([+-]\d\d(?::?\d\d)?|Z)?$/.exec(text.trim());
  if (!m) return undefined;
  const zone = m[3] ? (m[3] === 'Z' ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`) : 'Z';
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** Conditions on `col` in one expression (read as if they were all ANDed: a heuristic, the WHERE has the last word). */
function hintFor(expr: string, col: string): Hint {
  const c = escapeRe(quoteIdent(col));
  const colRe = `\\(*${c}\\)*(?:::[a-z][a-z0-9_ ]*(?:\\(\\d+(?:,\\d+)?\\))?)?`;
  const lit = `\\(*(?:'((?:[^']|'')*)'|(-?\\d+(?:\\.\\d+)?))\\)*`;
  let h: Hint = {};
  const cmp = new RegExp(`(?<![\\w."$])${colRe}\\s*(>=|<=|<>|>|<|=)\\s*${lit}`, 'g');
  for (const m of expr.matchAll(cmp)) {
    const text = m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3]!;
    const x = literalNumber(text);
    switch (m[1]) {
      case '>=':
      case '>':
        if (x !== undefined) h = andHint(h, { lo: x, loStrict: m[1] === '>' });
        break;
      case '<=':
      case '<':
        if (x !== undefined) h = andHint(h, { hi: x, hiStrict: m[1] === '<' });
        break;
      case '=':
        h = andHint(h, { oneOf: [text] });
        break;
    }
  }
  const any = new RegExp(`(?<![\\w."$])${colRe}\\s*=\\s*ANY\\s*\\(\\(*ARRAY\\[((?:[^\\]']|'(?:[^']|'')*')*)\\]`, 'g');
  for (const m of expr.matchAll(any)) {
    const vals = [...m[1]!.matchAll(/'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)/g)].map((v) => (v[1] !== undefined ? v[1].replace(/''/g, "'") : v[2]!));
    if (vals.length) h = andHint(h, { oneOf: vals });
  }
  return h;
}

function andHint(a: Hint, b: Hint): Hint {
  const h: Hint = { ...a };
  if (b.lo !== undefined && (h.lo === undefined || b.lo > h.lo || (b.lo === h.lo && b.loStrict))) Object.assign(h, { lo: b.lo, loStrict: !!b.loStrict });
  if (b.hi !== undefined && (h.hi === undefined || b.hi < h.hi || (b.hi === h.hi && b.hiStrict))) Object.assign(h, { hi: b.hi, hiStrict: !!b.hiStrict });
  if (b.oneOf) h.oneOf = h.oneOf ? h.oneOf.filter((v) => b.oneOf!.includes(v)) : b.oneOf;
  return h;
}

function orHint(a: Hint, b: Hint): Hint {
  const h: Hint = {};
  if (a.lo !== undefined && b.lo !== undefined) Object.assign(h, a.lo <= b.lo ? { lo: a.lo, loStrict: a.loStrict } : { lo: b.lo, loStrict: b.loStrict });
  if (a.hi !== undefined && b.hi !== undefined) Object.assign(h, a.hi >= b.hi ? { hi: a.hi, hiStrict: a.hiStrict } : { hi: b.hi, hiStrict: b.hiStrict });
  if (a.oneOf && b.oneOf) h.oneOf = [...new Set([...a.oneOf, ...b.oneOf])];
  return h;
}

/** A number in the hinted range (or the default one), for the type-only generator. */
function hintedNumber(h: Hint | undefined, rng: Rng, unit: number, lo: number, hi: number): number | undefined {
  if (!h || (h.lo === undefined && h.hi === undefined)) return undefined;
  const span = hi - lo;
  let a = h.lo !== undefined ? h.lo + (h.loStrict ? unit : 0) : h.hi! - span;
  let b = h.hi !== undefined ? h.hi - (h.hiStrict ? unit : 0) : a + span;
  if (h.lo === undefined && b < a) a = b - span;
  if (b < a) b = a;
  return a + rng() * (b - a);
}

/** Replaces the VALUE keyword of a domain CHECK (outside literals, quoted names and comments) with `col`. */
export function replaceValue(expr: string, col: string): string {
  let out = '';
  let at = 0;
  let prevDot = false;
  for (const t of lex(expr)) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'word' && !prevDot && t.end - t.start === 5 && expr.startsWith('VALUE', t.start)) {
      out += expr.slice(at, t.start) + col;
      at = t.end;
    }
    prevDot = t.kind === 'punct' && expr[t.start] === '.';
  }
  return out + expr.slice(at);
}

// ---------------------------------------------------------------------------------------------------
// Values

const WORDS = 'amber basil cedar delta ember fjord glade harbor iris juniper kelp lumen maple nectar onyx pebble quartz raven sage tundra umber velvet willow xenon yarrow zephyr'.split(' ');
const BASE_EPOCH = Date.UTC(2020, 0, 1) / 1000;
const SPAN = 6 * 365 * 86400;
const INT_RANGE: Record<string, [number, number]> = { int2: [-32768, 32767], int4: [-2147483648, 2147483647], int8: [-9007199254740991, 9007199254740991], oid: [0, 4294967295] };

type Rng = () => number;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function formatEpoch(kind: Kind, secs: number): string {
  const d = new Date(Math.round(secs * 1000));
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (kind === 'date') return date;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : ''}`;
  return kind === 'timestamptz' ? `${date} ${time}+00` : `${date} ${time}`;
}

function decimals(s: string): number {
  const m = /\.(\d+)/.exec(s);
  return m ? m[1]!.length : 0;
}

/** A number as the column's type spells it: integers rounded and clamped, numeric(p,s) with s decimals. */
function formatNumber(t: TypeInfo, x: number, scaleHint: number): string {
  switch (t.kind) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid': {
      const [lo, hi] = INT_RANGE[t.kind]!;
      return String(Math.min(hi, Math.max(lo, Math.round(x))));
    }
    case 'numeric': {
      const s = t.scale ?? scaleHint;
      let v = x;
      if (t.precision !== undefined) {
        const lim = 10 ** (t.precision - (t.scale ?? 0)) - 10 ** -(t.scale ?? 0);
        v = Math.min(lim, Math.max(-lim, v));
      }
      return v.toFixed(Math.min(s, 20));
    }
    case 'money':
      return x.toFixed(2);
    default:
      return String(x);
  }
}

const isNumberKind = (k: Kind) => k === 'int2' || k === 'int4' || k === 'int8' || k === 'numeric' || k === 'float' || k === 'money' || k === 'oid';
const isTimeKind = (k: Kind) => k === 'date' || k === 'timestamp' || k === 'timestamptz';
const isIntKind = (k: Kind) => k === 'int2' || k === 'int4' || k === 'int8' || k === 'oid';

function uuid(rng: Rng): string {
  const h: string[] = [];
  for (let i = 0; i < 16; i++) {
    let b = Math.floor(rng() * 256);
    if (i === 6) b = (b & 0x0f) | 0x40;
    if (i === 8) b = (b & 0x3f) | 0x80;
    h.push(b.toString(16).padStart(2, '0'));
  }
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function clip(s: string, max: number | undefined): string {
  if (max === undefined || s.length <= max) return s;
  return [...s].slice(0, max).join('');
}

function words(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rng() * WORDS.length)]!);
  return out.join(' ');
}

function arrayElement(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A value from the type alone; null when lockstep cannot make one. `col` guides text (an "email" column gets emails). */
function typeValue(t: TypeInfo, rng: Rng, col: string, hint?: Hint): string | null {
  if (hint?.oneOf?.length) return hint.oneOf[Math.floor(rng() * hint.oneOf.length)]!;
  switch (t.kind) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid': {
      const hi = { int2: 100, int4: 10_000, int8: 1_000_000, oid: 100_000 }[t.kind];
      const x = hintedNumber(hint, rng, 1, 1, hi);
      if (x !== undefined) return formatNumber(t, Math.round(x), 0);
      return String(1 + Math.floor(rng() * hi));
    }
    case 'numeric':
    case 'money':
    case 'float': {
      const s = t.kind === 'numeric' ? (t.scale ?? 2) : t.kind === 'money' ? 2 : 3;
      const max = t.precision !== undefined ? Math.min(1000, 10 ** (t.precision - s) - 10 ** -s) : 1000;
      const x = hintedNumber(hint, rng, 10 ** -s, 0, max) ?? rng() * max;
      const v = x.toFixed(s);
      // Rounding must not cross a strict bound (price > 0 must not give 0.00).
      if (hint?.lo !== undefined && Number(v) < hint.lo + (hint.loStrict ? 10 ** -s / 2 : 0)) return (hint.lo + (hint.loStrict ? 10 ** -s : 0)).toFixed(s);
      return t.kind === 'float' ? String(Number(v)) : v;
    }
    case 'text': {
      const max = t.maxLen;
      if (max !== undefined && max <= 3) {
        let s = '';
        for (let i = 0; i < max; i++) s += String.fromCharCode(65 + Math.floor(rng() * 26));
        return s;
      }
      if (/e-?mail/i.test(col)) return clip(`${WORDS[Math.floor(rng() * WORDS.length)]}.${Math.floor(rng() * 1e6)}@example.com`, max);
      return clip(words(rng, 1 + Math.floor(rng() * 3)), max);
    }
    case 'bool':
      return rng() < 0.5 ? 'true' : 'false';
    case 'date':
    case 'timestamp':
    case 'timestamptz': {
      const x = hintedNumber(hint, rng, t.kind === 'date' ? 86400 : 1, BASE_EPOCH, BASE_EPOCH + SPAN);
      return formatEpoch(t.kind, Math.floor(x ?? BASE_EPOCH + rng() * SPAN));
    }
    case 'time':
    case 'timetz': {
      const s = Math.floor(rng() * 86400);
      return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${t.kind === 'timetz' ? '+00' : ''}`;
    }
    case 'interval':
      return `${1 + Math.floor(rng() * 10_000)} minutes`;
    case 'uuid':
      return uuid(rng);
    case 'json':
    case 'jsonb':
      return JSON.stringify({ n: Math.floor(rng() * 1000), word: WORDS[Math.floor(rng() * WORDS.length)] });
    case 'bytea': {
      let s = '\\x';
      for (let i = 0; i < 8; i++) s += Math.floor(rng() * 256).toString(16).padStart(2, '0');
      return s;
    }
    case 'inet':
      return `10.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}`;
    case 'cidr':
      return `10.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}.0/24`;
    case 'macaddr':
    case 'macaddr8': {
      const n = t.kind === 'macaddr' ? 6 : 8;
      return Array.from({ length: n }, () => Math.floor(rng() * 256).toString(16).padStart(2, '0')).join(':');
    }
    case 'bit':
    case 'varbit': {
      const n = t.kind === 'bit' ? (t.maxLen ?? 1) : 1 + Math.floor(rng() * (t.maxLen ?? 8));
      let s = '';
      for (let i = 0; i < n; i++) s += rng() < 0.5 ? '0' : '1';
      return s;
    }
    case 'xml':
      return `<v>${WORDS[Math.floor(rng() * WORDS.length)]}</v>`;
    case 'tsvector':
      return words(rng, 2);
    case 'enum':
      return t.labels?.length ? t.labels[Math.floor(rng() * t.labels.length)]! : null;
    case 'array': {
      const n = Math.floor(rng() * 4);
      const items: string[] = [];
      for (let i = 0; i < n; i++) {
        const v = t.elem ? typeValue(t.elem, rng, col) : null;
        if (v === null) break;
        items.push(arrayElement(v));
      }
      return `{${items.join(',')}}`;
    }
    default:
      return null;
  }
}

/**
 * Draws non-null values like the statistics say (MCVs at their frequencies, then the histogram),
 * falling back to the type for a remainder the statistics do not describe. `i` is the row index
 * (for correlated columns), `n` the rows planned.
 */
function statsDrawer(col: Column, s: ColumnStats, n: number, rng: Rng): (i: number) => string | null {
  const t = col.type;
  const mcv = s.mcv;
  const mcf = s.mcf.slice(0, mcv.length);
  const sumF = mcf.reduce((a, b) => a + b, 0);
  const hist = t.kind === 'array' ? [] : s.histogram;
  const num = s.histogramNum && s.histogramNum.length === hist.length && (isNumberKind(t.kind) || isTimeKind(t.kind)) ? s.histogramNum : null;
  const restFrac = Math.max(0, 1 - s.nullFrac - sumF);
  const scaleHint = Math.max(0, ...hist.map(decimals), ...mcv.map(decimals));
  const distinct = s.nDistinct < 0 ? -s.nDistinct * n : Math.min(s.nDistinct, n);
  const dRest = Math.max(1, distinct - mcv.length);
  const nRest = Math.max(1, n * restFrac); // rows drawn from the histogram
  const slots = slotsFor(nRest, dRest);
  const corr = s.correlation ?? 0;
  let unique = 0;
  const suffixed = t.kind === 'text' && slots > hist.length;
  // Histogram draws are stratified: the h-th draw lands in its own 1/m of the distribution (m: the
  // draws expected), in row order for a correlated column, in a permuted order otherwise. The loaded
  // values then follow the histogram without sampling noise, also in small tables.
  const m = Math.max(1, Math.round(nRest));
  let a = 1;
  if (m > 2) {
    a = 1 + 2 * Math.floor(rng() * (m / 2));
    while (gcd(a, m) !== 1) a++;
  }
  const b0 = Math.floor(rng() * m);
  let h = 0;
  const fromHist = (): string => {
    const k = h++ % m;
    const stratum = Math.abs(corr) > 0.8 ? k : (a * k + b0) % m;
    let u = Math.min(0.999999, (stratum + rng()) / m);
    if (corr < -0.8) u = 1 - u;
    let slot = -1;
    if (Number.isFinite(slots)) {
      slot = Math.min(slots - 1, Math.floor(u * slots));
      u = (slot + 0.5) / slots;
    }
    const pos = u * (hist.length - 1);
    const b = Math.min(hist.length - 2, Math.floor(pos));
    const f = pos - b;
    if (num) {
      const lo = num[b]!;
      const hi = num[b + 1]!;
      if (Number.isFinite(lo) && Number.isFinite(hi)) {
        const x = lo + f * (hi - lo);
        return isTimeKind(t.kind) ? formatEpoch(t.kind, x) : formatNumber(t, x, scaleHint);
      }
    }
    const base = hist[f < 0.5 ? b : b + 1]!;
    // More distinct values than bounds, a type without order between bounds (jsonb, uuid, …): fresh
    // values from the type make up the difference.
    if (!suffixed && !num && slots > hist.length && rng() > hist.length / Math.min(slots, nRest)) return typeValue(t, rng, col.name) ?? base;
    if (!suffixed) return base;
    const tag = ` ${(slot >= 0 ? slot : unique++).toString(36)}`;
    return clip(base, t.maxLen !== undefined ? Math.max(0, t.maxLen - tag.length) : undefined) + tag;
  };
  return () => {
    let r = rng() * (sumF + restFrac || 1);
    if (r < sumF) {
      for (let k = 0; k < mcv.length; k++) {
        r -= mcf[k]!;
        if (r < 0) return mcv[k]!;
      }
      return mcv[mcv.length - 1]!;
    }
    if (hist.length >= 2) return fromHist();
    if (hist.length === 1) return hist[0]!;
    if (mcv.length && restFrac < 0.02) return mcv[Math.floor(rng() * mcv.length)]!;
    return typeValue(t, rng, col.name);
  };
}

/** How many equally likely slots give about `d` distinct values among `n` draws (Infinity: every draw distinct). */
function slotsFor(n: number, d: number): number {
  if (d >= n * 0.95) return Infinity;
  let lo = d;
  let hi = Math.max(d * 2, 10);
  const seen = (s: number) => s * (1 - Math.exp(-n / s));
  while (seen(hi) < d && hi < 1e12) hi *= 2;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (seen(mid) < d) lo = mid;
    else hi = mid;
  }
  return Math.max(1, Math.round(hi));
}

/** Thrown while generating rows when no further row can be made (a domain or a parent key pool is used up): the rows made so far are loaded, the rest is a shortfall. */
class Exhausted extends Error {}

/** Unique values by construction. `next()` never repeats (it throws Exhausted when the type has no more). */
function uniqueMaker(col: Column, s: ColumnStats | undefined, n: number, rng: Rng, where: string, hint?: Hint): () => string {
  const t = col.type;
  let k = 0;
  const capacity = (cap: number) => {
    if (k >= cap) throw new Exhausted(`column ${quoteIdent(col.name)} is unique and ${t.shown} has only ${cap} distinct values`);
  };
  const corr = s?.correlation ?? 1;
  // Row k → position: ascending, descending or an affine permutation of 0..n-1 (then ascending beyond n).
  let a = 1;
  if (Math.abs(corr) <= 0.5 && n > 2) {
    a = 1 + 2 * Math.floor(rng() * (n / 2));
    while (gcd(a, n) !== 1) a += 1;
  }
  const b = Math.floor(rng() * n);
  const position = (i: number) => (i >= n ? i : corr < -0.5 ? n - 1 - i : Math.abs(corr) <= 0.5 ? (a * i + b) % n : i);
  if (isNumberKind(t.kind) || isTimeKind(t.kind)) {
    const nums = [...(s?.histogramNum ?? []), ...(s && isNumberKind(t.kind) ? s.mcv.map(Number) : [])].filter(Number.isFinite);
    const time = isTimeKind(t.kind);
    const scale = time ? 0 : isIntKind(t.kind) ? 0 : t.kind === 'numeric' ? (t.scale ?? Math.max(0, ...(s?.histogram ?? []).map(decimals))) : t.kind === 'money' ? 2 : 6;
    const unit = time ? (t.kind === 'date' ? 86400 : 1) : 10 ** -scale;
    const floor = hint?.lo !== undefined ? hint.lo + (hint.loStrict ? unit : 0) : undefined;
    let lo = nums.length ? Math.min(...nums) : (floor ?? (time ? BASE_EPOCH : 1));
    const hi = nums.length ? Math.max(...nums) : lo;
    const steps = Math.max(1, Math.floor((hi - lo) / unit / n));
    if (isIntKind(t.kind) && lo + (n * 2) * steps > INT_RANGE[t.kind]![1]) lo = 1;
    const max = isIntKind(t.kind) ? INT_RANGE[t.kind]![1] : Infinity;
    const start = Math.round(lo / unit);
    return () => {
      const units = start + position(k++) * steps;
      if (units * unit > max) capacity(k - 1);
      if (time) return formatEpoch(t.kind, units * unit);
      if (scale === 0) return String(units);
      const neg = units < 0;
      const digits = String(Math.abs(units)).padStart(scale + 1, '0');
      return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    };
  }
  switch (t.kind) {
    case 'text': {
      const draw = s ? statsDrawer(col, s, n, rng) : undefined;
      // base + "~<n in base 36>", before the first "@" when there is one (emails stay emails): the part
      // before the first "@" ends with "~<n>", and n differs on every call, so values never repeat.
      return () => {
        const i = k++;
        const base = (draw ? draw(i) : null) ?? typeValue(t, rng, col.name) ?? '';
        const tag = `~${i.toString(36)}`;
        if (t.maxLen !== undefined && tag.length > t.maxLen) {
          throw new Exhausted(`column ${quoteIdent(col.name)} is unique and ${t.shown} is too short for ${n} distinct generated values`);
        }
        const at = base.indexOf('@');
        let head = at >= 0 ? base.slice(0, at) : base;
        let tail = at >= 0 ? base.slice(at) : '';
        if (t.maxLen !== undefined) {
          const room = t.maxLen - tag.length;
          tail = clip(tail, room);
          head = clip(head, room - tail.length);
        }
        return head + tag + tail;
      };
    }
    case 'uuid':
      return () => {
        k++;
        return uuid(rng);
      };
    case 'bool':
      return () => {
        capacity(2);
        return k++ === 0 ? 'false' : 'true';
      };
    case 'enum':
      return () => {
        capacity(t.labels?.length ?? 0);
        return t.labels![k++]!;
      };
    case 'inet':
    case 'cidr':
      return () => {
        const i = k++;
        capacity(1 << 24);
        const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        return t.kind === 'cidr' ? `${ip}/32` : ip;
      };
    case 'json':
    case 'jsonb':
      return () => JSON.stringify({ n: k++, word: WORDS[Math.floor(rng() * WORDS.length)] });
    case 'bytea':
      return () => `\\x${(k++).toString(16).padStart(8, '0')}`;
    case 'interval':
      return () => `${k++} seconds`;
    case 'time':
    case 'timetz':
      return () => {
        capacity(86400);
        const x = k++;
        return `${pad(Math.floor(x / 3600))}:${pad(Math.floor(x / 60) % 60)}:${pad(x % 60)}${t.kind === 'timetz' ? '+00' : ''}`;
      };
    case 'macaddr':
    case 'macaddr8':
      return () => {
        const x = k++;
        const bytes = [0x02, 0, (x / 2 ** 24) & 255, (x >> 16) & 255, (x >> 8) & 255, x & 255];
        if (t.kind === 'macaddr8') bytes.unshift(0, 0);
        return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
      };
    case 'tsvector':
    case 'xml':
      return () => (t.kind === 'xml' ? `<v>${(k++).toString(36)}</v>` : `w${(k++).toString(36)}`);
    default:
      throw new LockstepError('E_INPUT', [{ where, message: `column ${quoteIdent(col.name)} (${t.shown}) must be unique and lockstep cannot generate unique values of that type` }]);
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

// ---------------------------------------------------------------------------------------------------
// Fill

const CHUNK_ROWS = 5000;

/** Serializes values as a Postgres text[] literal (the one bound parameter per column). */
function textArray(values: (string | null)[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) s += ',';
    s += v === null || v === undefined ? 'NULL' : arrayElement(v);
  }
  return s + '}';
}

export async function fill(target: Queryable, tables: TableRef[], opts: FillOptions): Promise<FillResult[]> {
  const seed = opts.seed ?? 1;
  const versionNum = Number((await target.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
  const types = new TypeReader(target);
  const structs = new Map<string, Structure>();
  const rowsFor = (t: TableRef, stats: TableStats | undefined) => {
    const key = tableKey(t);
    const n = typeof opts.rows === 'number' ? opts.rows : (opts.rows[key] ?? opts.rows[t.name] ?? (stats && stats.reltuples >= 0 ? Math.round(stats.reltuples) : 1000));
    return Math.max(0, Math.floor(n));
  };
  const results: FillResult[] = [];
  // A table no row can be made for is reported with its reason, and the others are filled.
  const skip = (t: TableRef, reason: string) => {
    const stats = opts.stats?.get(tableKey(t));
    results.push({ table: display(t), rows: 0, requested: rowsFor(t, stats), how: stats ? 'synthetic-stats' : 'synthetic-types', shortfall: reason });
  };
  for (const t of tables) {
    try {
      const s = await readStructure(target, t, types, versionNum);
      structs.set(s.oid, s);
    } catch (e: any) {
      if (e instanceof LockstepError && e.code === 'E_INPUT') {
        skip(t, e.problems[0]!.message);
        continue;
      }
      if (e instanceof LockstepError) throw e;
      throw new LockstepError('E_DATABASE', [{ where: display(t), message: `reading the table's structure failed: ${oneLine(e?.message ?? e)}` }], { cause: e });
    }
  }
  // Partitions whose root is listed too are loaded through the root.
  for (const [oid, s] of [...structs]) if (s.root && structs.has(s.root)) structs.delete(oid);

  // Parents first; a cycle is cut at a foreign key whose columns are all nullable (left NULL).
  const nulled = new Set<string>(); // `${oid}:${fk name}`
  let order: Structure[];
  for (;;) {
    const r = topoOrder(structs, nulled);
    if ('order' in r) {
      order = r.order;
      break;
    }
    const cut = r.cycle.find(({ s, fk }) => fk.cols.every((c) => !s.columns.find((x) => x.name === c)?.notNull));
    if (cut) {
      nulled.add(`${cut.s.oid}:${cut.fk.name}`);
      continue;
    }
    // No nullable foreign key to leave NULL: the first table of the cycle stays empty (its children then
    // have no parent rows either, and say so), the others are filled.
    const first = r.cycle[0]!.s;
    skip(first.ref, `foreign keys form a cycle (${r.cycle.map(({ s, fk }) => `${display(s.ref)}.${quoteIdent(fk.name)}`).join(' → ')}) with NOT NULL columns: no table of it can be filled first`);
    structs.delete(first.oid);
  }

  for (const s of order) {
    const key = tableKey(s.ref);
    const stats = opts.stats?.get(key);
    const n = rowsFor(s.ref, stats);
    const r = await fillTable(target, s, n, stats, hash32(key, seed), nulled, opts.onProgress);
    results.push({
      table: display(s.ref),
      rows: r.rows,
      requested: n,
      how: stats ? 'synthetic-stats' : 'synthetic-types',
      ...(r.notes.length ? { notes: r.notes } : {}),
      ...(r.shortfall !== undefined ? { shortfall: r.shortfall } : {}),
    });
  }
  return results;
}

/** Tables ordered parents first, or a cycle of foreign keys (ignoring those in `cut`). */
function topoOrder(structs: Map<string, Structure>, cut: Set<string>): { order: Structure[] } | { cycle: { s: Structure; fk: ForeignKey }[] } {
  const order: Structure[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: { s: Structure; fk: ForeignKey }[] = [];
  const visit = (s: Structure): { s: Structure; fk: ForeignKey }[] | undefined => {
    if (state.get(s.oid) === 'done') return undefined;
    state.set(s.oid, 'visiting');
    for (const fk of s.fks) {
      const p = structs.get(fk.refOid);
      if (!p || p.oid === s.oid || cut.has(`${s.oid}:${fk.name}`)) continue;
      path.push({ s, fk });
      if (state.get(p.oid) === 'visiting') return path.slice(path.findIndex((e) => e.s.oid === p.oid));
      const c = visit(p);
      if (c) return c;
      path.pop();
    }
    state.set(s.oid, 'done');
    order.push(s);
    return undefined;
  };
  for (const s of structs.values()) {
    const c = visit(s);
    if (c) return { cycle: c };
  }
  return { order };
}

interface FkPlan {
  fk: ForeignKey;
  idx: number[];
  nullable: boolean;
  nullFrac: number;
  pool: string[][];
  member?: Set<string>;
  draw?: (i: number) => string | null;
  /** One-to-one: each parent key at most once. */
  distinct: boolean;
  next: number;
  self: boolean;
  nulled: boolean;
}

async function fillTable(
  db: Queryable,
  s: Structure,
  n: number,
  stats: TableStats | undefined,
  seed: number,
  nulled: Set<string>,
  onProgress: FillOptions['onProgress'],
): Promise<{ rows: number; notes: string[]; shortfall?: string }> {
  const where = display(s.ref);
  const notes: string[] = [];
  if (n === 0) return { rows: 0, notes };
  // What no row can be made for: the table stays empty, with the reason, and the fill goes on.
  const none = (shortfall: string) => ({ rows: 0, notes, shortfall });
  const rng = mulberry32(seed);
  const statOf = new Map((stats?.columns ?? []).map((c) => [c.name, c]));
  const colIndex = new Map(s.columns.map((c, i) => [c.name, i]));
  const fkCols = new Set(s.fks.flatMap((f) => f.cols));
  const multiKeyCols = new Set(s.uniques.filter((u) => u.cols.length > 1).flatMap((u) => u.cols));

  // Which columns get values (the others: generated, or left to their default / NULL).
  let cannot: string | undefined;
  const supplied = s.columns.map((c) => {
    if (c.generated) return false;
    const st = statOf.get(c.name);
    const needed = fkCols.has(c.name) || s.checkCols.has(c.name) || s.noOmit || (multiKeyCols.has(c.name) && !c.seq);
    if (c.hasDefault && !st && !needed) return false;
    const canMake = c.type.kind !== 'unknown' || (st && (st.mcv.length || st.histogram.length));
    if (!canMake) {
      if (c.type.kind === 'array') return true;
      if (!c.notNull || c.hasDefault) return false;
      cannot ??= `column ${quoteIdent(c.name)} is ${c.type.shown} NOT NULL without a default: lockstep cannot generate values of that type (give it a default, or load this table from a sample or a fixture)`;
      return false;
    }
    return true;
  });
  if (cannot) return none(cannot);

  // Keys: which columns are unique alone, which count per prefix, which tuples are de-duplicated.
  const uniqueAlone = new Set<string>();
  for (const u of s.uniques) if (u.cols.length === 1) uniqueAlone.add(u.cols[0]!);
  const counters: { col: number; prefix: number[]; start: number; max: number; seen: Map<string, number> }[] = [];
  const dedupe: { cols: number[]; seen: Set<string>; nnd: boolean }[] = [];
  for (const u of s.uniques.filter((u) => u.cols.length > 1)) {
    if (u.cols.some((c) => uniqueAlone.has(c))) continue;
    const cand = u.cols.filter((c) => !fkCols.has(c) && supplied[colIndex.get(c)!]);
    const near = cand.find((c) => {
      const st = statOf.get(c);
      const col = s.columns[colIndex.get(c)!]!;
      return st ? st.nDistinct < 0 && st.nDistinct <= -0.5 : col.seq !== null || c === 'id';
    });
    if (near) {
      uniqueAlone.add(near);
      continue;
    }
    const counter = cand.find((c) => isIntKind(s.columns[colIndex.get(c)!]!.type.kind));
    if (counter) {
      const st = statOf.get(counter);
      const nums = [...(st?.histogramNum ?? []), ...(st?.mcv ?? []).map(Number)].filter(Number.isFinite);
      // With statistics the count stops at the source's largest value (an order has at most as many lines as there).
      counters.push({ col: colIndex.get(counter)!, prefix: u.cols.filter((c) => c !== counter).map((c) => colIndex.get(c)!), start: nums.length ? Math.min(...nums) : 1, max: nums.length ? Math.max(...nums) : Infinity, seen: new Map() });
      continue;
    }
    const text = cand.find((c) => s.columns[colIndex.get(c)!]!.type.kind === 'text');
    if (text) {
      uniqueAlone.add(text);
      continue;
    }
    dedupe.push({ cols: u.cols.map((c) => colIndex.get(c)!), seen: new Set(), nnd: u.nullsNotDistinct });
  }

  // Foreign keys: parent keys from the target.
  const fkPlans: FkPlan[] = [];
  for (const fk of s.fks) {
    const idx = fk.cols.map((c) => colIndex.get(c)!);
    const nullable = fk.cols.every((c) => !s.columns[colIndex.get(c)!]!.notNull);
    const st = statOf.get(fk.cols[0]!);
    const self = fk.refOid === s.oid;
    const plan: FkPlan = {
      fk,
      idx,
      nullable,
      nullFrac: nullable ? (st ? st.nullFrac : 0.1) : 0,
      pool: [],
      distinct: s.uniques.some((u) => u.cols.every((c) => fk.cols.includes(c))),
      next: 0,
      self,
      nulled: nulled.has(`${s.oid}:${fk.name}`),
    };
    if (plan.nulled) notes.push(`foreign key ${quoteIdent(fk.name)} left NULL: it closes a cycle of foreign keys`);
    if (!self && !plan.nulled) {
      plan.pool = await parentKeys(db, fk, where);
      if (!plan.pool.length && !nullable) return none(`foreign key ${quoteIdent(fk.name)}: ${display(fk.ref)} has no rows to reference`);
      if (plan.distinct) shuffle(plan.pool, rng);
      if (st && fk.cols.length === 1 && (st.mcv.length || st.histogram.length)) {
        plan.member = new Set(plan.pool.map((k) => k[0]!));
        plan.draw = statsDrawer(s.columns[idx[0]!]!, st, n, rng);
      }
    }
    fkPlans.push(plan);
  }
  if (fkPlans.some((p) => p.self && !p.nulled && !p.nullable && p.fk.refCols.some((c) => !supplied[colIndex.get(c)!]))) {
    return none(`self-referencing foreign key with NOT NULL columns on a column the default fills: lockstep cannot point the first rows anywhere`);
  }

  // Value makers per supplied column.
  let makers: ((i: number) => string | null)[];
  try {
  makers = s.columns.map((c, ci) => {
    if (!supplied[ci] || fkCols.has(c.name) || counters.some((k) => k.col === ci)) return () => null;
    const st = statOf.get(c.name);
    const nullFrac = c.notNull ? 0 : st ? st.nullFrac : uniqueAlone.has(c.name) ? 0 : 0.1;
    if (uniqueAlone.has(c.name)) {
      const next = uniqueMaker(c, st, n, rng, where, s.hints.get(c.name));
      return () => (nullFrac && rng() < nullFrac ? null : next());
    }
    if (st && (st.mcv.length || st.histogram.length || c.type.kind !== 'unknown')) {
      const draw = statsDrawer(c, st, n, rng);
      return (i) => {
        if (nullFrac && rng() < nullFrac) return null;
        const v = draw(i);
        return v === null && c.notNull ? (typeValue(c.type, rng, c.name, s.hints.get(c.name)) ?? (c.type.kind === 'array' ? '{}' : null)) : v;
      };
    }
    return () => {
      if (nullFrac && rng() < nullFrac) return null;
      const v = typeValue(c.type, rng, c.name, s.hints.get(c.name));
      return v === null && c.type.kind === 'array' && c.notNull ? '{}' : v;
    };
  });
  } catch (e) {
    if (e instanceof LockstepError && e.code === 'E_INPUT') return none(e.problems[0]!.message);
    throw e;
  }

  const selfPool: string[][] = [];
  const pickFk = (p: FkPlan, row: (string | null)[], i: number, firstChunk: boolean) => {
    const set = (vals: (string | null)[]) => p.idx.forEach((ci, k) => (row[ci] = vals[k] ?? null));
    if (p.nulled || (p.nullable && rng() < p.nullFrac)) return set(p.idx.map(() => null));
    if (p.self) {
      if (!selfPool.length || (firstChunk && p.nullable)) {
        if (p.nullable) return set(p.idx.map(() => null));
        return set(p.fk.refCols.map((c) => row[colIndex.get(c)!] ?? null)); // itself
      }
      return set(selfPool[Math.floor(rng() * selfPool.length)]!);
    }
    if (!p.pool.length) return set(p.idx.map(() => null));
    if (p.distinct) {
      if (p.next >= p.pool.length) {
        if (p.nullable) return set(p.idx.map(() => null));
        throw new Exhausted(`foreign key ${quoteIdent(p.fk.name)} is one-to-one and ${display(p.fk.ref)} has only ${p.pool.length} rows`);
      }
      return set(p.pool[p.next++]!);
    }
    if (p.draw) {
      const v = p.draw(i);
      if (v !== null && p.member!.has(v)) return set([v]);
    }
    return set(p.pool[Math.floor(rng() * p.pool.length)]!);
  };

  // The statement.
  const cols = s.columns.map((c, i) => ({ c, i })).filter(({ i }) => supplied[i]);
  const overriding = cols.some(({ c }) => c.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : '';
  const selfRet = fkPlans.filter((p) => p.self && !p.nulled);
  const retCols = [...new Set(selfRet.flatMap((p) => p.fk.refCols))];
  const inner = cols.map(({ c }, k) => `u.c${k}::${c.type.cast} AS ${quoteIdent(c.name)}`).join(', ');
  const sql =
    `WITH ins AS (INSERT INTO ${qualified(s.ref)} AS t (${cols.map(({ c }) => quoteIdent(c.name)).join(', ')})${overriding}
     SELECT v.* FROM (SELECT ${inner || 'NULL'} FROM unnest(${cols.map((_, k) => `$${k + 1}::text[]`).join(', ') || "'{}'::text[]"}) AS u(${cols.map((_, k) => `c${k}`).join(', ') || 'c0'})) AS v` +
    (s.filter ? `\n     WHERE (${s.filter}) IS NOT FALSE` : '') +
    `\n     ON CONFLICT DO NOTHING RETURNING ${retCols.length ? retCols.map((c, k) => `t.${quoteIdent(c)}::text AS k${k}`).join(', ') : '1 AS k0'})\n` +
    (retCols.length ? 'SELECT * FROM ins' : 'SELECT count(*)::int AS n FROM ins');
  if (!cols.length) {
    // Every column has a default: DEFAULT VALUES, n times, in chunks.
    let done = 0;
    while (done < n) {
      const k = Math.min(CHUNK_ROWS, n - done);
      try {
        await db.query(`INSERT INTO ${qualified(s.ref)} SELECT FROM generate_series(1, $1::int)`, [k]);
      } catch (e: any) {
        if (!rowError(e)) throw new LockstepError('E_DATABASE', [{ where, message: `loading rows failed: ${oneLine(e?.message ?? e)}` }], { cause: e });
        return { rows: done, notes, shortfall: `rows of defaults only were rejected: ${oneLine(e?.message ?? e)}` };
      }
      done += k;
      onProgress?.({ table: where, rows: done, total: n });
    }
    await moveSequences(db, s, supplied, where);
    return { rows: n, notes };
  }

  let inserted = 0;
  let attempted = 0;
  let i = 0;
  let chunks = 0;
  let idle = 0; // chunks in a row that added nothing
  let shortfall: string | undefined;
  let lastRowError: string | undefined;
  let rowByRow = false; // once a chunk failed as a whole (a trigger raised, a value did not fit), rows go one by one
  const rejectedBy = () => [...s.filterNames, ...(s.uniques.length ? ['unique keys'] : []), ...s.triggers.map((t) => `trigger ${t}`)];
  while (inserted < n && shortfall === undefined) {
    // A table that references itself grows in doubling chunks: rows can only point at rows of earlier chunks.
    const want = Math.min(CHUNK_ROWS, n - inserted, retCols.length ? Math.max(50, inserted) : Infinity);
    const columns: (string | null)[][] = cols.map(() => []);
    let made = 0;
    try {
      for (let r = 0; r < want; r++) {
        let row: (string | null)[] | undefined;
        for (let attempt = 0; attempt < 20 && !row; attempt++) {
          const cand: (string | null)[] = new Array(s.columns.length).fill(null);
          for (let ci = 0; ci < s.columns.length; ci++) cand[ci] = makers[ci]!(i);
          for (const p of fkPlans) pickFk(p, cand, i, chunks === 0);
          let ok = true;
          for (const k of counters) {
            const prefix = k.prefix.map((ci) => cand[ci] ?? '\u0001').join('\u0000');
            const c = k.seen.get(prefix) ?? 0;
            if (k.start + c > k.max && attempt < 19) ok = false;
            else {
              k.seen.set(prefix, c + 1);
              cand[k.col] = String(k.start + c);
            }
          }
          for (const d of ok ? dedupe : []) {
            if (!d.nnd && d.cols.some((ci) => cand[ci] === null)) continue;
            const key = d.cols.map((ci) => cand[ci] ?? '\u0001').join('\u0000');
            if (d.seen.has(key)) ok = false;
            else d.seen.add(key);
          }
          if (ok) row = cand;
        }
        i++;
        if (!row) continue;
        cols.forEach(({ i: ci }, k) => columns[k]!.push(row![ci] ?? null));
        made++;
      }
    } catch (e) {
      if (!(e instanceof Exhausted)) throw e;
      shortfall = e.message;
    }
    if (!made) {
      shortfall ??= `could not generate rows that differ in their unique keys (${dedupe.map((d) => d.cols.map((ci) => quoteIdent(s.columns[ci]!.name)).join(', ')).join('; ')})`;
      break;
    }
    const arrays = columns.map(textArray);
    let got = 0;
    if (!rowByRow) {
      try {
        const res = await db.query(sql, arrays);
        got = retCols.length ? res.rows.length : Number(res.rows[0]?.n ?? 0);
        if (retCols.length) for (const r of res.rows as any[]) selfPool.push(retCols.map((_, k) => r[`k${k}`] as string));
      } catch (e: any) {
        if (!rowError(e)) throw new LockstepError('E_DATABASE', [{ where, message: `loading rows failed: ${oneLine(e?.message ?? e)}` }], { cause: e });
        rowByRow = true;
        notes.push(`a chunk of generated rows failed as a whole (${oneLine(e?.message ?? e)}): rows were then loaded one by one, each failing row skipped`);
      }
    }
    if (rowByRow) {
      const one = await insertOneByOne(db, s, cols.map(({ c }) => c), overriding, arrays, where);
      got = one.ok;
      if (one.error) lastRowError = one.error;
      if (retCols.length && got) {
        // The keys the rows got (a default may fill them): the table's own, read back.
        selfPool.length = 0;
        const rows = await run(db, `SELECT ${retCols.map((c, k) => `${quoteIdent(c)}::text AS k${k}`).join(', ')} FROM ${qualified(s.ref)} WHERE ${retCols.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')}`, [], where);
        for (const r of rows) selfPool.push(retCols.map((_, k) => r[`k${k}`] as string));
      }
    }
    inserted += got;
    attempted += made;
    chunks++;
    idle = got ? 0 : idle + 1;
    onProgress?.({ table: where, rows: inserted, total: n });
    if (shortfall === undefined && ((chunks >= 5 && inserted < attempted * 0.01) || idle >= 5)) {
      const why = rejectedBy();
      shortfall = `only ${inserted} of ${attempted} generated rows passed ${why.join(', ') || 'the constraints'}${lastRowError ? ` (${lastRowError})` : ''}: lockstep cannot make more rows this table accepts from ${stats ? 'the statistics' : 'the column types'}`;
    }
  }
  if (attempted > inserted) notes.push(`${attempted - inserted} generated rows were rejected by ${rejectedBy().join(', ') || 'the constraints'}${lastRowError ? ` (${lastRowError})` : ''}${shortfall === undefined ? ' and replaced' : ''}`);
  await moveSequences(db, s, supplied, where);
  return { rows: inserted, notes, ...(shortfall !== undefined && inserted < n ? { shortfall } : {}) };
}

/**
 * Whether an error of the chunk INSERT is about the rows (a trigger raised, a value did not fit, a key
 * or constraint the filter cannot see) rather than the connection or the server: then the rows are
 * loaded one by one and the failing ones skipped.
 */
function rowError(e: any): boolean {
  const code = typeof e?.code === 'string' ? e.code : '';
  if (!/^[0-9A-Z]{5}$/.test(code)) return false;
  return !/^(08|53|57|58|XX)/.test(code);
}

/**
 * Inserts the rows one by one in one server round trip (a DO block, each row in its own subtransaction):
 * a row the server rejects (a trigger that raises, a value that does not fit) is skipped and counted.
 * Returns how many rows went in and the first error message.
 */
async function insertOneByOne(db: Queryable, s: Structure, cols: Column[], overriding: string, arrays: string[], where: string): Promise<{ ok: number; failed: number; error?: string }> {
  const names = cols.map((c) => quoteIdent(c.name)).join(', ');
  const inner = cols.map((c, k) => `lockstep_row.c${k}::${c.type.cast} AS ${quoteIdent(c.name)}`).join(', ');
  const body = `DECLARE lockstep_row record; lockstep_n bigint; lockstep_ok bigint := 0; lockstep_bad bigint := 0; lockstep_msg text;
BEGIN
  FOR lockstep_row IN SELECT * FROM unnest(${arrays.map((a) => `${quoteLiteral(a)}::text[]`).join(', ')}) AS u(${cols.map((_, k) => `c${k}`).join(', ')}) LOOP
    BEGIN
      INSERT INTO ${qualified(s.ref)} AS t (${names})${overriding} SELECT v.* FROM (SELECT ${inner}) AS v${s.filter ? ` WHERE (${s.filter}) IS NOT FALSE` : ''} ON CONFLICT DO NOTHING;
      GET DIAGNOSTICS lockstep_n = ROW_COUNT;
      lockstep_ok := lockstep_ok + lockstep_n;
    EXCEPTION WHEN OTHERS THEN
      lockstep_bad := lockstep_bad + 1;
      IF lockstep_msg IS NULL THEN lockstep_msg := SQLERRM; END IF;
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('lockstep.fill_ok', lockstep_ok::text, false), pg_catalog.set_config('lockstep.fill_failed', lockstep_bad::text, false),
          pg_catalog.set_config('lockstep.fill_error', coalesce(lockstep_msg, ''), false);
END`;
  await run(db, `DO LANGUAGE plpgsql ${quoteLiteral(body)}`, [], where);
  const r = (await run(db, `SELECT current_setting('lockstep.fill_ok') AS ok, current_setting('lockstep.fill_failed') AS failed, current_setting('lockstep.fill_error') AS error`, [], where))[0];
  return { ok: Number(r.ok), failed: Number(r.failed), ...(r.error ? { error: oneLine(r.error) } : {}) };
}

function shuffle<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}

async function parentKeys(db: Queryable, fk: ForeignKey, where: string): Promise<string[][]> {
  const cols = fk.refCols.map(quoteIdent);
  const rows = await run(
    db,
    `SELECT ${cols.map((c, k) => `${c}::text AS k${k}`).join(', ')} FROM ${qualified(fk.ref)} WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')} ORDER BY ${cols.join(', ')}`,
    [],
    where,
  );
  return rows.map((r) => fk.refCols.map((_, k) => r[`k${k}`] as string));
}

/** Moves the sequences behind columns that got explicit values past the largest value loaded. */
async function moveSequences(db: Queryable, s: Structure, supplied: boolean[], where: string): Promise<void> {
  for (const [i, c] of s.columns.entries()) {
    if (!supplied[i] || !c.seq || !isIntKind(c.type.kind)) continue;
    await run(
      db,
      `SELECT pg_catalog.setval($1::oid::regclass, m) FROM (SELECT max(${quoteIdent(c.name)})::int8 AS m FROM ${qualified(s.ref)}) x
       JOIN pg_catalog.pg_sequence q ON q.seqrelid = $1::oid WHERE m IS NOT NULL AND q.seqincrement > 0 AND m BETWEEN q.seqmin AND q.seqmax`,
      [c.seq],
      where,
    );
  }
}

async function run(db: Queryable, sql: string, params: unknown[], where: string): Promise<any[]> {
  try {
    return (await db.query(sql, params)).rows;
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where, message: `loading rows failed: ${oneLine(e?.message ?? e)}` }], { cause: e });
  }
}

function oneLine(s: unknown): string {
  return String(s).split('\n')[0]!.trim();
}

// ---------------------------------------------------------------------------------------------------
// Sample

export interface SampleOptions {
  /** REPEATABLE seed: the same seed samples the same rows (while the source's pages do not change). */
  seed?: number;
  onProgress?: (e: { table: string; rows: number; total: number }) => void;
}

interface SourceTable {
  cols: Column[];
  /** The source's type of each column (format_type in the source), for casts in source queries. */
  srcTypes: string[];
  method: SampleResult['method'];
}

async function sourceTable(source: Queryable, s: Structure, where: string): Promise<SourceTable> {
  const rows = await run(
    source,
    `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, c.relpages::int AS pages, c.relkind::text AS relkind
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE n.nspname = $1 AND c.relname = $2 ORDER BY a.attnum`,
    [s.ref.schema, s.ref.name],
    where,
  );
  if (!rows.length) throw new LockstepError('E_INPUT', [{ where, message: 'no such table in the source database' }]);
  const srcType = new Map(rows.map((r) => [r.name as string, r.type as string]));
  const cols = s.columns.filter((c) => !c.generated && srcType.has(c.name));
  if (!cols.length) throw new LockstepError('E_INPUT', [{ where, message: 'the source and the target have no column in common' }]);
  // Whole pages (SYSTEM) are fast but lumpy on small tables; a partitioned table reports no pages of its own.
  const pages = rows[0].relkind === 'p' ? Infinity : Number(rows[0].pages) || 0;
  return { cols, srcTypes: cols.map((c) => srcType.get(c.name)!), method: pages < 1000 ? 'BERNOULLI' : 'SYSTEM' };
}

/** INSERT of text arrays into the target, keeping only rows whose foreign keys find their parent there. */
function sampleInsert(s: Structure, cols: Column[]): string {
  const have = new Set(cols.map((c) => c.name));
  const fkConds = s.fks
    .filter((fk) => fk.cols.every((c) => have.has(c)))
    .map((fk) => {
      const anyNull = fk.cols.map((c) => `v.${quoteIdent(c)} IS NULL`).join(' OR ');
      const match = fk.cols.map((c, k) => `p.${quoteIdent(fk.refCols[k]!)} = v.${quoteIdent(c)}`).join(' AND ');
      return `(${anyNull} OR EXISTS (SELECT FROM ${qualified(fk.ref)} AS p WHERE ${match}))`;
    });
  const selfRef = s.fks.some((fk) => fk.refOid === s.oid);
  const overriding = cols.some((c) => c.identity === 'a') ? ' OVERRIDING SYSTEM VALUE' : '';
  return (
    `WITH ins AS (INSERT INTO ${qualified(s.ref)} (${cols.map((c) => quoteIdent(c.name)).join(', ')})${overriding}
     SELECT v.* FROM (SELECT ${cols.map((c, k) => `u.c${k}::${c.type.cast} AS ${quoteIdent(c.name)}`).join(', ')}
       FROM unnest(${cols.map((_, k) => `$${k + 1}::text[]`).join(', ')}) AS u(${cols.map((_, k) => `c${k}`).join(', ')})) AS v` +
    (fkConds.length ? `\n     WHERE ${fkConds.join(' AND ')}` : '') +
    `${selfRef ? '\n     ON CONFLICT DO NOTHING' : ''} RETURNING 1) SELECT count(*)::int AS n FROM ins`
  );
}

/** Reads the TABLESAMPLE rows through a cursor (inside the caller's transaction), 5,000 at a time, as text. */
async function readSample(source: Queryable, s: Structure, src: SourceTable, percent: number, seed: number, where: string, batch: (rows: (string | null)[][]) => Promise<void>): Promise<void> {
  await run(
    source,
    `DECLARE lockstep_sample NO SCROLL CURSOR FOR SELECT ${src.cols.map((c, k) => `${quoteIdent(c.name)}::text AS c${k}`).join(', ')} FROM ${qualified(s.ref)} TABLESAMPLE ${src.method} ($1::float4) REPEATABLE ($2::float8)`,
    [percent, seed],
    where,
  );
  for (;;) {
    const rows = await run(source, 'FETCH 5000 FROM lockstep_sample', [], where);
    if (!rows.length) break;
    await batch(rows.map((r) => src.cols.map((_, k) => r[`c${k}`] as string | null)));
  }
  await run(source, 'CLOSE lockstep_sample', [], where);
}

/** Loads row-major text rows; a table that references itself is loaded in passes until one adds nothing. */
async function loadRows(target: Queryable, s: Structure, cols: Column[], rows: (string | null)[][], where: string): Promise<number> {
  const sql = sampleInsert(s, cols);
  const selfRef = s.fks.some((fk) => fk.refOid === s.oid);
  let total = 0;
  for (let pass = 0; pass < (selfRef ? 1000 : 1); pass++) {
    let added = 0;
    for (let off = 0; off < rows.length; off += CHUNK_ROWS) {
      const part = rows.slice(off, off + CHUNK_ROWS);
      added += Number((await run(target, sql, cols.map((_, k) => textArray(part.map((r) => r[k] ?? null))), where))[0]?.n ?? 0);
    }
    total += added;
    if (!added) break;
  }
  return total;
}

function checkPercent(percent: number): void {
  if (!Number.isFinite(percent) || percent <= 0 || percent > 100) throw new LockstepError('E_USAGE', [{ where: '--sample', message: `expected a percentage in (0, 100], got ${percent}` }]);
}

/**
 * Copies about `percent` % of one table's rows from the source into the same table in the target:
 * TABLESAMPLE SYSTEM (whole pages, fast), BERNOULLI for tables under 1,000 pages (whole pages would make
 * the share lumpy). Call it for parents before children (copySchema's `tables` order): a sampled row
 * whose foreign key points at a parent row the target does not have is dropped and counted in `dropped`
 * — on a chain of foreign keys that loses most child rows (10 % of orders whose customer is in a 10 %
 * sample of customers: about 1 %); `sampleTables` keeps them by copying the parents they need. The
 * source is read in a READ ONLY transaction through a cursor (pass a single connection).
 */
export async function sample(source: Queryable, target: Queryable, table: TableRef, percent: number, opts: SampleOptions = {}): Promise<SampleResult> {
  const where = display(table);
  checkPercent(percent);
  const versionNum = Number((await target.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
  const s = await readStructure(target, table, new TypeReader(target), versionNum);
  const src = await sourceTable(source, s, where);
  const pending: (string | null)[][] = [];
  const selfRef = s.fks.some((fk) => fk.refOid === s.oid);
  let sampled = 0;
  let rows = 0;
  await run(source, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', [], where);
  try {
    await readSample(source, s, src, percent, (opts.seed ?? 1) >>> 0, where, async (batch) => {
      sampled += batch.length;
      if (selfRef) pending.push(...batch);
      else rows += await loadRows(target, s, src.cols, batch, where);
      opts.onProgress?.({ table: where, rows, total: sampled });
    });
  } finally {
    await source.query('ROLLBACK').catch(() => {});
  }
  if (selfRef) rows = await loadRows(target, s, src.cols, pending, where);
  await moveSequences(target, s, s.columns.map((c) => src.cols.includes(c)), where);
  return { table: where, rows, sampled, dropped: sampled - rows, method: src.method };
}

/**
 * Samples several tables from one snapshot of the source and keeps every sampled row: the rows their
 * foreign keys reference are copied too (recursively, also for a table referencing itself), so each
 * table gets about `percent` % of its rows plus the parent rows the others need (`added`). Loads
 * parents first. The sample is held in memory until it is loaded: keep the percentage modest on
 * large tables.
 */
export async function sampleTables(source: Queryable, target: Queryable, tables: TableRef[], percent: number, opts: SampleOptions = {}): Promise<SampleResult[]> {
  checkPercent(percent);
  const versionNum = Number((await target.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
  const types = new TypeReader(target);
  const structs = new Map<string, Structure>();
  for (const t of tables) {
    const s = await readStructure(target, t, types, versionNum);
    structs.set(s.oid, s);
  }
  for (const [oid, s] of [...structs]) if (s.root && structs.has(s.root)) structs.delete(oid);
  const cut = new Set<string>();
  let order: Structure[];
  for (;;) {
    const r = topoOrder(structs, cut);
    if ('order' in r) {
      order = r.order;
      break;
    }
    const e = r.cycle.find(({ s, fk }) => fk.cols.every((c) => !s.columns.find((x) => x.name === c)?.notNull)) ?? r.cycle[0]!;
    cut.add(`${e.s.oid}:${e.fk.name}`);
  }

  interface Data {
    s: Structure;
    src: SourceTable;
    rows: (string | null)[][];
    sampled: number;
    added: number;
    indexes: Map<string, { idx: number[]; keys: Set<string> }>;
  }
  const key = (row: (string | null)[], idx: number[]) => (idx.some((i) => row[i] === null || row[i] === undefined) ? undefined : idx.map((i) => row[i]).join('\u0000'));
  const indexOf = (d: Data, cols: string[]) => {
    const sig = cols.join('\u0000');
    let ix = d.indexes.get(sig);
    if (!ix) {
      const idx = cols.map((c) => d.src.cols.findIndex((x) => x.name === c));
      ix = { idx, keys: new Set() };
      if (!idx.includes(-1)) for (const r of d.rows) {
        const k = key(r, idx);
        if (k !== undefined) ix.keys.add(k);
      }
      d.indexes.set(sig, ix);
    }
    return ix;
  };
  const data = new Map<string, Data>();
  await run(source, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', [], 'sample');
  try {
    for (const s of order) {
      const where = display(s.ref);
      const src = await sourceTable(source, s, where);
      const d: Data = { s, src, rows: [], sampled: 0, added: 0, indexes: new Map() };
      await readSample(source, s, src, percent, (opts.seed ?? 1) >>> 0, where, async (batch) => {
        d.rows.push(...batch);
        d.sampled += batch.length;
      });
      data.set(s.oid, d);
    }
    // Parents the sampled rows reference, children before parents, until nothing is missing.
    for (let pass = 0, changed = true; changed && pass < 100; pass++) {
      changed = false;
      for (const s of [...order].reverse()) {
        const d = data.get(s.oid)!;
        for (const fk of s.fks) {
          const p = data.get(fk.refOid);
          if (!p) continue;
          const childIdx = fk.cols.map((c) => d.src.cols.findIndex((x) => x.name === c));
          const pix = indexOf(p, fk.refCols);
          if (childIdx.includes(-1) || pix.idx.includes(-1)) continue;
          const missing = new Map<string, (string | null)[]>();
          for (const r of d.rows) {
            const k = key(r, childIdx);
            if (k !== undefined && !pix.keys.has(k)) missing.set(k, childIdx.map((i) => r[i] ?? null));
          }
          if (!missing.size) continue;
          const where = display(p.s.ref);
          const refTypes = fk.refCols.map((c) => p.src.srcTypes[p.src.cols.findIndex((x) => x.name === c)]!);
          const want = [...missing.values()];
          for (let off = 0; off < want.length; off += CHUNK_ROWS) {
            const part = want.slice(off, off + CHUNK_ROWS);
            const got = await run(
              source,
              `SELECT ${p.src.cols.map((c, k) => `t.${quoteIdent(c.name)}::text AS c${k}`).join(', ')} FROM ${qualified(p.s.ref)} AS t
               WHERE (${fk.refCols.map((c) => `t.${quoteIdent(c)}`).join(', ')}) IN (SELECT ${refTypes.map((ty, k) => `x.k${k}::${ty}`).join(', ')} FROM unnest(${refTypes.map((_, k) => `$${k + 1}::text[]`).join(', ')}) AS x(${refTypes.map((_, k) => `k${k}`).join(', ')}))`,
              refTypes.map((_, k) => part.map((r) => r[k] ?? null)),
              where,
            );
            for (const g of got) {
              const row = p.src.cols.map((_, k) => g[`c${k}`] as string | null);
              const k = key(row, pix.idx);
              if (k !== undefined && pix.keys.has(k)) continue;
              p.rows.push(row);
              p.added++;
              changed = true;
              for (const ix of p.indexes.values()) {
                const kk = key(row, ix.idx);
                if (kk !== undefined) ix.keys.add(kk);
              }
            }
          }
        }
      }
    }
  } finally {
    await source.query('ROLLBACK').catch(() => {});
  }
  const out: SampleResult[] = [];
  for (const s of order) {
    const d = data.get(s.oid)!;
    const where = display(s.ref);
    const rows = await loadRows(target, s, d.src.cols, d.rows, where);
    await moveSequences(target, s, s.columns.map((c) => d.src.cols.includes(c)), where);
    opts.onProgress?.({ table: where, rows, total: d.rows.length });
    out.push({ table: where, rows, sampled: d.sampled, added: d.added, dropped: d.rows.length - rows, method: d.src.method });
  }
  return out;
}
