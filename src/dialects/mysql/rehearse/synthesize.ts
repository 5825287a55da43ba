/**
 * Synthetic rows for a MySQL/MariaDB sandbox, shaped by the source's statistics where there are some:
 * row counts from information_schema.TABLES, columns, keys and foreign keys from information_schema, and
 * per column the null fraction, distinct count, bounds and histogram of MariaDB's engine-independent
 * statistics (mysql.column_stats, filled by `ANALYZE TABLE … PERSISTENT FOR ALL`) or MySQL 8's
 * histograms (information_schema.COLUMN_STATISTICS, from `ANALYZE TABLE … UPDATE HISTOGRAM`). No row of
 * the source is read; histogram bounds are real values, though, and end up in the sandbox.
 *
 * Keys: primary and unique keys get distinct values, foreign keys values of the parent's rows (a
 * one-to-one foreign key — its columns also a unique key — each parent row once), ENUM and SET columns
 * their own values. CHECK constraints and triggers are left to the server: rows go in with INSERT IGNORE,
 * which skips a row a CHECK, a unique key or a foreign key rejects; a batch a trigger fails as a whole is
 * loaded again row by row. When the rows asked for cannot be reached, the table keeps the rows there are
 * and the result says why (`shortfall`): the rehearsal goes on.
 */
import type { MyDb } from '../driver.js';
import { quoteIdent } from '../names.js';
import { mulberry32 } from '../../../core/random.js';

export interface MyColumn {
  name: string;
  /** `int`, `varchar`, `enum`, … (lower case). */
  dataType: string;
  /** `int(10) unsigned`, `enum('a','b')`. */
  columnType: string;
  nullable: boolean;
  hasDefault: boolean;
  /** `auto_increment`, `VIRTUAL GENERATED`, `STORED GENERATED`, … */
  extra: string;
  charMax?: number;
  precision?: number;
  scale?: number;
}

export interface MyForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface MyTableInfo {
  name: string;
  columns: MyColumn[];
  /** Unique keys (the primary key first, when there is one), as column lists. */
  uniques: string[][];
  primary: string[];
  fks: MyForeignKey[];
  /** CHECK constraints: name and the server's text of the condition. */
  checks: { name: string; clause: string }[];
}

export interface MyColumnStats {
  nullFrac?: number;
  /** Distinct values (estimated). */
  ndv?: number;
  min?: string;
  max?: string;
  /** Values with their weights (a singleton histogram, or the start of each JSON_HB bucket). */
  values?: { v: string; w: number }[];
  /** Equi-height buckets [lo, hi] with their weights (MySQL's equi-height histograms). */
  ranges?: { lo: string; hi: string; w: number }[];
  /** MariaDB's binary histograms (SINGLE/DOUBLE_PREC_HB): bucket bounds as fractions of [min, max]. */
  fractions?: number[];
  /** What the statistics came from, for the notes. */
  from: string;
}

export interface MyTableStats {
  rows: number;
  columns: Map<string, MyColumnStats>;
}

export interface MyFillResult {
  table: string;
  rows: number;
  requested: number;
  how: 'synthetic-stats' | 'synthetic-types';
  notes?: string[];
  shortfall?: string;
}

/** Columns, keys and foreign keys of a table of the connection's database. */
export async function tableInfo(db: MyDb, table: string): Promise<MyTableInfo> {
  const cols = await db.query<any>(
    `SELECT COLUMN_NAME AS name, LOWER(DATA_TYPE) AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def,
            EXTRA AS extra, CHARACTER_MAXIMUM_LENGTH AS charMax, NUMERIC_PRECISION AS prec, NUMERIC_SCALE AS scale
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [table],
  );
  const columns: MyColumn[] = cols.map((c) => ({
    name: c.name,
    dataType: String(c.dataType),
    columnType: String(c.columnType),
    nullable: c.nullable === 'YES',
    hasDefault: c.def !== null && c.def !== undefined,
    extra: String(c.extra ?? ''),
    ...(c.charMax != null ? { charMax: Number(c.charMax) } : {}),
    ...(c.prec != null ? { precision: Number(c.prec) } : {}),
    ...(c.scale != null ? { scale: Number(c.scale) } : {}),
  }));
  const idx = await db.query<{ k: string; c: string; s: number }>(
    `SELECT INDEX_NAME AS k, COLUMN_NAME AS c, SEQ_IN_INDEX AS s FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
    [table],
  );
  const byKey = new Map<string, string[]>();
  for (const r of idx) {
    if (!byKey.has(r.k)) byKey.set(r.k, []);
    byKey.get(r.k)!.push(r.c);
  }
  const fkRows = await db.query<{ n: string; c: string; rt: string; rc: string }>(
    `SELECT k.CONSTRAINT_NAME AS n, k.COLUMN_NAME AS c, k.REFERENCED_TABLE_NAME AS rt, k.REFERENCED_COLUMN_NAME AS rc
     FROM information_schema.KEY_COLUMN_USAGE k
     WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL AND k.REFERENCED_TABLE_SCHEMA = DATABASE()
     ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [table],
  );
  const fks = new Map<string, MyForeignKey>();
  for (const r of fkRows) {
    if (!fks.has(r.n)) fks.set(r.n, { name: r.n, columns: [], refTable: r.rt, refColumns: [] });
    fks.get(r.n)!.columns.push(r.c);
    fks.get(r.n)!.refColumns.push(r.rc);
  }
  // MariaDB names a CHECK per table (CHECK_CONSTRAINTS has TABLE_NAME); MySQL per schema.
  const checks = await db
    .query<{ n: string; c: string }>(`SELECT CONSTRAINT_NAME AS n, CHECK_CLAUSE AS c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [table])
    .catch(() =>
      db.query<{ n: string; c: string }>(
        `SELECT tc.CONSTRAINT_NAME AS n, cc.CHECK_CLAUSE AS c FROM information_schema.TABLE_CONSTRAINTS tc
         JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
         WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE = 'CHECK'`,
        [table],
      ),
    )
    .catch(() => [] as { n: string; c: string }[]);
  return { name: table, columns, uniques: [...byKey.values()], primary: byKey.get('PRIMARY') ?? [], fks: [...fks.values()], checks: checks.map((c) => ({ name: c.n, clause: String(c.c) })) };
}

// ---------------------------------------------------------------------------------------------------
// Statistics of the source.

function bytesOf(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** MySQL histogram values: strings as `base64:type254:…`. */
function histValue(v: unknown): string {
  if (typeof v === 'string') {
    const m = /^base64:type\d+:(.*)$/s.exec(v);
    return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : v;
  }
  return String(v);
}

/** Reads a table's statistics on the source (read-only); what the server does not have is left out. */
export async function readStatsMy(source: MyDb, table: string): Promise<MyTableStats> {
  const t = (await source.query<{ n: string | null }>(`SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [table]))[0];
  let rows = Number(t?.n ?? 0);
  // InnoDB's estimate of a small table can be far off (or 0 before the first statistics update): count it.
  if (rows < 10_000) rows = Number((await source.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(table)}`))[0]!.n);
  const columns = new Map<string, MyColumnStats>();
  // MariaDB: engine-independent statistics.
  const cs = await source
    .query<any>(
      `SELECT column_name AS c, min_value AS mn, max_value AS mx, nulls_ratio AS nr, avg_frequency AS af, hist_type AS ht, HEX(histogram) AS h
       FROM mysql.column_stats WHERE db_name = DATABASE() AND table_name = ?`,
      [table],
    )
    .catch(() => [] as any[]);
  for (const r of cs) {
    const s: MyColumnStats = { from: 'mysql.column_stats' };
    if (r.nr != null) s.nullFrac = Number(r.nr);
    if (r.af != null && Number(r.af) > 0) s.ndv = Math.max(1, Math.round((rows * (1 - (s.nullFrac ?? 0))) / Number(r.af)));
    if (r.mn != null) s.min = String(r.mn);
    if (r.mx != null) s.max = String(r.mx);
    if (r.h && (r.ht === 'DOUBLE_PREC_HB' || r.ht === 'SINGLE_PREC_HB')) {
      const b = bytesOf(String(r.h));
      const f: number[] = [0];
      if (r.ht === 'DOUBLE_PREC_HB') for (let i = 0; i + 1 < b.length; i += 2) f.push(b.readUInt16LE(i) / 65535);
      else for (let i = 0; i < b.length; i++) f.push(b[i]! / 255);
      f.push(1);
      s.fractions = f;
    } else if (r.h && r.ht === 'JSON_HB') {
      try {
        const j = JSON.parse(Buffer.from(String(r.h), 'hex').toString('utf8'));
        const hb: { start: string; size: number }[] = j.histogram_hb ?? [];
        if (hb.length) s.values = hb.map((x) => ({ v: String(x.start), w: Number(x.size) || 0 }));
      } catch {
        /* an unreadable histogram: bounds only */
      }
    }
    columns.set(String(r.c), s);
  }
  // MySQL 8: histograms.
  const hs = await source
    .query<any>(`SELECT COLUMN_NAME AS c, HISTOGRAM AS h FROM information_schema.COLUMN_STATISTICS WHERE SCHEMA_NAME = DATABASE() AND TABLE_NAME = ?`, [table])
    .catch(() => [] as any[]);
  for (const r of hs) {
    try {
      const h = typeof r.h === 'string' ? JSON.parse(r.h) : r.h;
      const s: MyColumnStats = { ...(columns.get(r.c) ?? {}), from: 'information_schema.COLUMN_STATISTICS' };
      if (h['null-values'] !== undefined) s.nullFrac = Number(h['null-values']);
      let prev = 0;
      if (h['histogram-type'] === 'singleton') {
        s.values = (h.buckets as any[]).map((b) => {
          const w = Number(b[1]) - prev;
          prev = Number(b[1]);
          return { v: histValue(b[0]), w };
        });
        s.ndv = s.values.length;
      } else {
        s.ranges = (h.buckets as any[]).map((b) => {
          const w = Number(b[2]) - prev;
          prev = Number(b[2]);
          return { lo: histValue(b[0]), hi: histValue(b[1]), w };
        });
        s.ndv = (h.buckets as any[]).reduce((a, b) => a + Number(b[3] ?? 1), 0);
      }
      columns.set(String(r.c), s);
    } catch {
      /* not a histogram we can read */
    }
  }
  return { rows, columns };
}

// ---------------------------------------------------------------------------------------------------
// Values.


const INT_BOUNDS: Record<string, [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  mediumint: [-8388608, 8388607],
  int: [-2147483648, 2147483647],
  integer: [-2147483648, 2147483647],
  bigint: [-9007199254740991, 9007199254740991],
};

function intBounds(c: MyColumn): [number, number] | undefined {
  const b = INT_BOUNDS[c.dataType];
  if (!b) return undefined;
  if (/unsigned/i.test(c.columnType)) return [0, b[1] * 2 + 1 > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : b[1] * 2 + 1];
  return b;
}

/** ENUM('a','b') / SET(…) members. */
export function enumValues(columnType: string): string[] {
  const m = /^(?:enum|set)\((.*)\)$/is.exec(columnType.trim());
  if (!m) return [];
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  let x: RegExpExecArray | null;
  while ((x = re.exec(m[1]!))) out.push(x[1]!.replace(/''/g, "'"));
  return out;
}

const TEMPORAL = new Set(['date', 'datetime', 'timestamp']);
const NUMERIC = new Set(['decimal', 'float', 'double', 'numeric', 'real']);
const STRING = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);
const BINARY = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const SPATIAL = new Set(['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection']);

/** The base date synthetic temporal values spread back from (fixed, so a seed gives the same rows). */
const BASE_MS = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function fmtDate(ms: number, type: string): string {
  const iso = new Date(ms).toISOString();
  return type === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function parseTemporal(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s.includes('T') || s.length <= 10 ? s : s.replace(' ', 'T') + 'Z');
  return Number.isFinite(ms) ? ms : undefined;
}

/** What simple CHECK conditions say about a column: `c BETWEEN a AND b`, `c >= a`, `c < b`, `c IN (…)`. */
export interface Bounds {
  lo?: number;
  hi?: number;
  values?: string[];
  /** `json_valid(col)` (MariaDB's JSON columns are LONGTEXT with this CHECK). */
  json?: boolean;
}

export function checkBounds(clauses: string[], column: string): Bounds {
  const b: Bounds = {};
  const esc = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/`/g, '``');
  const c = /^\w+$/.test(column) ? `(?:\`${esc}\`|\\b${esc}\\b)` : `\`${esc}\``;
  const num = '(-?\\d+(?:\\.\\d+)?)';
  for (const k of clauses) {
    // A condition under OR (or NOT) does not bound the column by itself: `x IS NULL OR x BETWEEN …` still does, for non-NULL values.
    if (/\bnot\b(?!\s+null)/i.test(k)) continue;
    if (new RegExp(`json_valid\\(\\s*${c}\\s*\\)`, 'i').test(k)) b.json = true;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`${c}\\s+between\\s+${num}\\s+and\\s+${num}`, 'i').exec(k))) {
      b.lo = Math.max(b.lo ?? -Infinity, Number(m[1]));
      b.hi = Math.min(b.hi ?? Infinity, Number(m[2]));
    }
    if ((m = new RegExp(`${c}\\s*(>=|>)\\s*${num}`, 'i').exec(k))) b.lo = Math.max(b.lo ?? -Infinity, Number(m[2]) + (m[1] === '>' ? 1 : 0));
    if ((m = new RegExp(`${c}\\s*(<=|<)\\s*${num}`, 'i').exec(k))) b.hi = Math.min(b.hi ?? Infinity, Number(m[2]) - (m[1] === '<' ? 1 : 0));
    if ((m = new RegExp(`${num}\\s*(<=|<)\\s*${c}`, 'i').exec(k))) b.lo = Math.max(b.lo ?? -Infinity, Number(m[1]) + (m[2] === '<' ? 1 : 0));
    if ((m = new RegExp(`${c}\\s+in\\s*\\(([^)]*)\\)`, 'i').exec(k))) {
      const vals = [...m[1]!.matchAll(/'((?:[^'\\]|''|\\.)*)'|(-?\d+(?:\.\d+)?)/g)].map((x) => (x[1] !== undefined ? x[1].replace(/''/g, "'") : x[2]!));
      if (vals.length) b.values = vals;
    }
  }
  return b;
}

/** A column's values: a value for row number `i` (distinct per `i` when `unique`), or undefined when the domain is used up. */
interface Gen {
  next(i: number, rnd: () => number): unknown | undefined;
  /** The SQL for the placeholder (`?`, or `ST_GeomFromText(?)`). */
  placeholder: string;
  /** Set when the column's values cannot be made (a type lockstep does not generate). */
  impossible?: string;
}

function weighted<T extends { w: number }>(xs: T[], rnd: () => number): T {
  const total = xs.reduce((a, x) => a + Math.max(0, x.w), 0) || xs.length;
  let r = rnd() * total;
  for (const x of xs) {
    r -= total === xs.length && !xs.some((y) => y.w > 0) ? 1 : Math.max(0, x.w);
    if (r <= 0) return x;
  }
  return xs[xs.length - 1]!;
}

/** A number in [lo, hi] following the statistics (histogram, bounds, distinct count). */
function fromStats(s: MyColumnStats | undefined, lo: number, hi: number, rnd: () => number, parse: (v: string) => number | undefined): number {
  if (s?.ranges?.length) {
    const b = weighted(s.ranges, rnd);
    const a = parse(b.lo);
    const z = parse(b.hi);
    if (a !== undefined && z !== undefined) return a + rnd() * (z - a);
  }
  if (s?.values?.length) {
    const v = parse(weighted(s.values, rnd).v);
    if (v !== undefined) return v;
  }
  const min = s?.min !== undefined ? parse(s.min) ?? lo : lo;
  const max = s?.max !== undefined ? parse(s.max) ?? hi : hi;
  if (s?.ndv && s.ndv >= 1 && s.ndv < 1000) {
    const k = Math.floor(rnd() * s.ndv);
    return s.ndv === 1 ? min : min + ((max - min) * k) / (s.ndv - 1);
  }
  if (s?.fractions && s.fractions.length > 2) {
    const k = Math.floor(rnd() * (s.fractions.length - 1));
    const f = s.fractions[k]! + rnd() * (s.fractions[k + 1]! - s.fractions[k]!);
    return min + f * (max - min);
  }
  return min + rnd() * (max - min);
}

function generator(c: MyColumn, s: MyColumnStats | undefined, unique: boolean, start: number, salt: string, b: Bounds = {}): Gen {
  const t = c.dataType;
  const ib = intBounds(c);
  if (b.json) return { placeholder: '?', next: (i, r) => JSON.stringify({ n: unique ? start + i : Math.floor(r() * 1000) }) };
  if (b.values?.length && t !== 'enum' && t !== 'set') {
    const vals = b.values;
    return { placeholder: '?', next: (i, r) => (unique ? vals[start + i] : vals[Math.floor(r() * vals.length)]) };
  }
  if (t === 'tinyint' && /^tinyint\(1\)/i.test(c.columnType) && !unique && b.lo === undefined && b.hi === undefined) return { placeholder: '?', next: (_i, r) => (r() < 0.5 ? 0 : 1) };
  const num = (v: string) => (Number.isFinite(Number(v)) ? Number(v) : undefined);
  if (ib) {
    const min = Math.max(ib[0], b.lo ?? -Infinity);
    const max = Math.min(ib[1], b.hi ?? Infinity);
    if (unique) return { placeholder: '?', next: (i) => (Math.max(start, min) + i <= max ? Math.max(start, min) + i : undefined) };
    const lo = Math.max(min, b.lo ?? 1);
    const hi = Math.min(max, b.hi ?? Math.max(lo, 0) + 1_000_000);
    return { placeholder: '?', next: (_i, r) => Math.max(min, Math.min(max, Math.round(fromStats(s, lo, hi, r, num)))) };
  }
  if (NUMERIC.has(t)) {
    const scale = c.scale ?? 2;
    const digits = (c.precision ?? 10) - scale;
    const cap = 10 ** Math.min(digits, 15) - 1;
    const unsigned = /unsigned/i.test(c.columnType);
    const min = Math.max(unsigned ? 0 : -cap, b.lo ?? -Infinity);
    const max = Math.min(cap, b.hi ?? Infinity);
    const dp = Math.min(scale, 6);
    if (unique) return { placeholder: '?', next: (i) => (Math.max(start, min) + i <= max ? (Math.max(start, min) + i).toFixed(dp) : undefined) };
    const lo = Math.max(min, b.lo ?? 0);
    const hi = Math.min(max, b.hi ?? lo + 10_000);
    return { placeholder: '?', next: (_i, r) => Math.max(min, Math.min(max, fromStats(s, lo, hi, r, num))).toFixed(dp) };
  }
  if (TEMPORAL.has(t)) {
    const lo = t === 'timestamp' ? Date.UTC(1971, 0, 1) : Date.UTC(1000, 0, 1);
    const hi = t === 'timestamp' ? Date.UTC(2037, 0, 1) : Date.UTC(9999, 0, 1);
    const step = t === 'date' ? DAY : 1000;
    if (unique) return { placeholder: '?', next: (i) => (BASE_MS - (start + i) * step >= lo ? fmtDate(BASE_MS - (start + i) * step, t) : undefined) };
    return { placeholder: '?', next: (_i, r) => fmtDate(Math.max(lo, Math.min(hi, fromStats(s, BASE_MS - 730 * DAY, BASE_MS, r, parseTemporal))), t) };
  }
  if (t === 'year') return unique ? { placeholder: '?', next: (i) => (1901 + start + i <= 2155 ? 1901 + start + i : undefined) } : { placeholder: '?', next: (_i, r) => 1990 + Math.floor(r() * 40) };
  if (t === 'time') return { placeholder: '?', next: (i, r) => { const x = unique ? start + i : Math.floor(r() * 86400); return x < 3_000_000 ? `${Math.floor(x / 3600)}:${String(Math.floor(x / 60) % 60).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}` : undefined; } };
  if (t === 'enum' || t === 'set') {
    const members = enumValues(c.columnType);
    if (!members.length) return { placeholder: '?', next: () => undefined, impossible: `no members in ${c.columnType}` };
    const vals = s?.values?.filter((v) => members.includes(v.v));
    if (unique) return { placeholder: '?', next: (i) => members[start + i] };
    return { placeholder: '?', next: (_i, r) => (vals?.length ? weighted(vals, r).v : members[Math.floor(r() * members.length)]) };
  }
  if (t === 'bit') {
    const n = Number(/bit\((\d+)\)/i.exec(c.columnType)?.[1] ?? 1);
    const cap = 2 ** Math.min(n, 48);
    return { placeholder: '?', next: (i, r) => (unique ? (start + i < cap ? start + i : undefined) : Math.floor(r() * cap)) };
  }
  if (t === 'json') return { placeholder: '?', next: (i, r) => JSON.stringify({ n: unique ? start + i : Math.floor(r() * 1000) }) };
  if (t === 'uuid') return { placeholder: '?', next: (i, r) => { const h = (x: number, n: number) => x.toString(16).padStart(n, '0').slice(-n); return `${h(unique ? start + i : Math.floor(r() * 2 ** 32), 8)}-${h(Math.floor(r() * 65536), 4)}-4${h(Math.floor(r() * 4096), 3)}-8${h(Math.floor(r() * 4096), 3)}-${h(Math.floor(r() * 2 ** 48), 12)}`; } };
  if (t === 'inet4') return { placeholder: '?', next: (i, r) => { const x = unique ? start + i : Math.floor(r() * 2 ** 32); return x < 2 ** 32 ? [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.') : undefined; } };
  if (SPATIAL.has(t)) return t === 'point' || t === 'geometry' ? { placeholder: 'ST_GeomFromText(?)', next: (_i, r) => `POINT(${(r() * 100).toFixed(3)} ${(r() * 100).toFixed(3)})` } : { placeholder: '?', next: () => undefined, impossible: `a ${t} column` };
  if (STRING.has(t) || BINARY.has(t)) {
    const maxLen = Math.min(c.charMax ?? 255, 64);
    const fixed = t === 'char' || t === 'binary';
    const pad = (v: string) => (fixed ? v : v);
    const prefix = c.name.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'v';
    // Real values from the source's histogram (JSON_HB / singleton), else made-up ones over the distinct count.
    const vals = s?.values?.length ? s.values : undefined;
    const few = !vals && s?.ndv !== undefined && s.ndv <= 2 && s.min !== undefined && s.max !== undefined ? [s.min, s.max] : undefined;
    if (unique)
      return {
        placeholder: '?',
        next: (i) => {
          const v = `${prefix}_${salt}${(start + i).toString(36)}`;
          if (v.length <= maxLen) return pad(v);
          const w = (start + i).toString(36);
          return w.length <= maxLen ? w : undefined;
        },
      };
    const ndv = s?.ndv ?? 1000;
    return {
      placeholder: '?',
      next: (_i, r) => {
        if (vals) return weighted(vals, r).v.slice(0, maxLen);
        if (few) return few[Math.floor(r() * few.length)]!.slice(0, maxLen);
        return `${prefix}_${Math.floor(r() * ndv).toString(36)}`.slice(0, Math.max(1, maxLen));
      },
    };
  }
  return { placeholder: '?', next: () => undefined, impossible: `a ${c.columnType} column` };
}

// ---------------------------------------------------------------------------------------------------
// Filling.

const BATCH = 500;

/** The reason of the warnings an INSERT IGNORE left (rows it skipped), worst first. */
async function skippedWhy(db: MyDb): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const w = await db.query<{ Code: number; Message: string }>('SHOW WARNINGS').catch(() => []);
  for (const x of w) {
    const code = Number(x.Code);
    const why = code === 1062 ? 'unique keys' : code === 4025 || code === 3819 ? `CHECK ${/constraint\s+[`']?([^`'\s]+)/i.exec(x.Message)?.[1] ?? ''}`.trim() : code === 1452 ? 'a foreign key' : code === 1048 ? 'a NOT NULL column' : undefined;
    if (why) out.set(why, (out.get(why) ?? 0) + 1);
  }
  return out;
}

/**
 * Fills `tables` (parents first) with synthetic rows: `rows[t]` each (default `defaultRows`), shaped by
 * `stats` where given. Never throws for what the rows cannot satisfy: each table's result says how many
 * rows it got and why not more.
 */
export async function fillMy(db: MyDb, tables: string[], o: { rows: Record<string, number>; defaultRows: number; stats?: Map<string, MyTableStats>; seed?: number }): Promise<MyFillResult[]> {
  const out: MyFillResult[] = [];
  for (const [ti, table] of tables.entries()) {
    const requested = o.rows[table] ?? o.defaultRows;
    const stats = o.stats?.get(table);
    const r = await fillTable(db, table, requested, stats, (o.seed ?? 1) * 7919 + ti);
    out.push(r);
  }
  return out;
}

async function fillTable(db: MyDb, table: string, requested: number, stats: MyTableStats | undefined, seed: number): Promise<MyFillResult> {
  const info = await tableInfo(db, table);
  const how: MyFillResult['how'] = stats && stats.columns.size ? 'synthetic-stats' : 'synthetic-types';
  const t = quoteIdent(table);
  const before = Number((await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${t}`))[0]!.n);
  const result = (rows: number, shortfall?: string, notes: string[] = []): MyFillResult => ({
    table,
    rows,
    requested,
    how,
    ...(notes.length ? { notes } : {}),
    ...(shortfall !== undefined && rows < requested ? { shortfall } : {}),
  });
  if (requested <= 0) return result(0);
  const rnd = mulberry32(seed);
  const salt = seed.toString(36).slice(-3);
  const notes: string[] = [];
  const fkCols = new Set(info.fks.flatMap((f) => f.columns));
  const settable = info.columns.filter((c) => !/GENERATED/i.test(c.extra) && !/auto_increment/i.test(c.extra));
  // A single-column unique key (outside a foreign key) gets distinct values; a composite one distinct values in its last column.
  const uniqueCols = new Set<string>();
  for (const u of info.uniques) {
    const own = u.filter((c) => !fkCols.has(c) && settable.some((s) => s.name === c));
    if (own.length) uniqueCols.add(own[own.length - 1]!);
  }
  const gens = new Map<string, Gen>();
  for (const c of settable) {
    if (fkCols.has(c.name)) continue;
    let start = 0;
    if (uniqueCols.has(c.name) && intBounds(c)) start = Number((await db.query<{ m: string | null }>(`SELECT MAX(${quoteIdent(c.name)}) AS m FROM ${t}`))[0]!.m ?? 0) + 1;
    else if (uniqueCols.has(c.name) && (c.dataType === 'enum' || c.dataType === 'set')) start = 0;
    else if (uniqueCols.has(c.name)) start = before;
    const bounds = checkBounds(info.checks.map((k) => k.clause), c.name);
    const g = generator(c, stats?.columns.get(c.name), uniqueCols.has(c.name), start, salt, bounds);
    if (g.impossible) {
      if (c.nullable || c.hasDefault) {
        notes.push(`${quoteIdent(c.name)} left to its default (${g.impossible} is not generated)`);
        continue;
      }
      return result(0, `column ${quoteIdent(c.name)} is NOT NULL without a default, and ${g.impossible} is not generated`);
    }
    gens.set(c.name, g);
  }
  // Foreign keys: the parent's key values (each once for a one-to-one key).
  let cap = Infinity;
  let capWhy = '';
  const fkVals: { fk: MyForeignKey; vals: unknown[][]; oneToOne: boolean; nullable: boolean; nullFrac: number; used: number }[] = [];
  for (const fk of info.fks) {
    const nullable = fk.columns.every((c) => info.columns.find((x) => x.name === c)?.nullable);
    const oneToOne = info.uniques.some((u) => u.every((c) => fk.columns.includes(c)));
    if (fk.refTable === table) {
      if (nullable) {
        notes.push(`foreign key ${quoteIdent(fk.name)} to the table itself left NULL`);
        fkVals.push({ fk, vals: [], oneToOne, nullable, nullFrac: 1, used: 0 });
        continue;
      }
    }
    const vals = (await db.query<any>(`SELECT DISTINCT ${fk.refColumns.map((c, i) => `${quoteIdent(c)} AS v${i}`).join(', ')} FROM ${quoteIdent(fk.refTable)} WHERE ${fk.refColumns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')} LIMIT 200000`)).map((r: any) => fk.refColumns.map((_, i) => r[`v${i}`]));
    // Rows the table already has (seeded by a migration) use some parents of a one-to-one key.
    let usable = vals;
    if (oneToOne && before) {
      const used = new Set((await db.query<any>(`SELECT ${fk.columns.map((c, i) => `${quoteIdent(c)} AS v${i}`).join(', ')} FROM ${t}`)).map((r: any) => JSON.stringify(fk.columns.map((_, i) => String(r[`v${i}`])))));
      usable = vals.filter((v) => !used.has(JSON.stringify(v.map(String))));
    }
    const nullFrac = nullable ? (stats?.columns.get(fk.columns[0]!)?.nullFrac ?? 0) : 0;
    if (!usable.length && !nullable) return result(0, `foreign key ${quoteIdent(fk.name)}: ${quoteIdent(fk.refTable)} has no rows to reference`, notes);
    if (oneToOne && !nullable && usable.length < cap) {
      cap = usable.length;
      capWhy = `foreign key ${quoteIdent(fk.name)} is one-to-one and ${quoteIdent(fk.refTable)} has only ${vals.length} rows`;
    }
    // Shuffled once (seeded), so a one-to-one key takes each parent in turn.
    for (let i = usable.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [usable[i], usable[j]] = [usable[j]!, usable[i]!];
    }
    fkVals.push({ fk, vals: usable, oneToOne, nullable, nullFrac, used: 0 });
  }
  const cols = [...gens.keys(), ...fkVals.flatMap((f) => f.fk.columns)];
  const placeholders = [...gens.values()].map((g) => g.placeholder).concat(fkVals.flatMap((f) => f.fk.columns.map(() => '?')));
  const head = cols.length ? `INSERT IGNORE INTO ${t} (${cols.map(quoteIdent).join(', ')}) VALUES ` : `INSERT IGNORE INTO ${t} () VALUES `;
  const tuple = `(${placeholders.join(', ')})`;
  const want = Math.min(requested, cap);
  let inserted = 0;
  let generated = 0;
  let i = 0;
  let batches = 0;
  let idle = 0;
  let exhausted = '';
  const rejected = new Map<string, number>();
  let firstError = '';
  const perBatch = Math.max(1, Math.min(BATCH, Math.floor(60_000 / Math.max(1, cols.length))));
  while (inserted < want) {
    const rows: unknown[][] = [];
    const n = Math.min(perBatch, Math.max(want - inserted, 1));
    for (let k = 0; k < n && !exhausted; k++, i++) {
      const row: unknown[] = [];
      for (const [name, g] of gens) {
        const c = info.columns.find((x) => x.name === name)!;
        const nf = stats?.columns.get(name)?.nullFrac ?? 0;
        if (c.nullable && !uniqueCols.has(name) && nf > 0 && rnd() < nf) {
          row.push(null);
          continue;
        }
        const v = g.next(i, rnd);
        if (v === undefined) {
          exhausted = `the values of ${quoteIdent(name)} (${c.columnType}) ran out for a unique key`;
          break;
        }
        row.push(v);
      }
      if (exhausted) break;
      for (const f of fkVals) {
        if (!f.vals.length || (f.nullable && f.nullFrac > 0 && rnd() < f.nullFrac)) {
          row.push(...f.fk.columns.map(() => null));
          continue;
        }
        if (f.oneToOne) {
          if (f.used >= f.vals.length) {
            if (f.nullable) {
              row.push(...f.fk.columns.map(() => null));
              continue;
            }
            exhausted = capWhy || `foreign key ${quoteIdent(f.fk.name)} is one-to-one and ${quoteIdent(f.fk.refTable)} has only ${f.vals.length} rows`;
            break;
          }
          row.push(...f.vals[f.used++]!);
        } else row.push(...f.vals[Math.floor(rnd() * f.vals.length)]!);
      }
      if (exhausted) break;
      rows.push(row);
    }
    if (!rows.length) break;
    generated += rows.length;
    batches++;
    let added = 0;
    try {
      const r: any = await db.query(head + rows.map(() => tuple).join(', '), rows.flat());
      added = Number(r?.affectedRows ?? 0);
      if (added < rows.length) for (const [why, k] of await skippedWhy(db)) rejected.set(why, (rejected.get(why) ?? 0) + k);
    } catch (e: any) {
      // The batch failed as a whole (a trigger that signals, a value the server refuses): row by row.
      firstError ||= String(e?.message ?? e);
      for (const row of rows) {
        try {
          const r: any = await db.query(head + tuple, row);
          added += Number(r?.affectedRows ?? 0);
        } catch (e2: any) {
          rejected.set(String(e2?.sqlMessage ?? e2?.message ?? e2).slice(0, 120), (rejected.get(String(e2?.sqlMessage ?? e2?.message ?? e2).slice(0, 120)) ?? 0) + 1);
        }
      }
    }
    inserted += added;
    idle = added ? 0 : idle + 1;
    if (idle >= 5 || (batches >= 5 && inserted < generated / 100)) break;
  }
  if (firstError) notes.push(`a batch failed as a whole and was loaded row by row: ${firstError}`);
  if (rejected.size && inserted < requested) notes.push(`rows rejected: ${[...rejected].map(([w, k]) => `${w} ${k}`).join(', ')}`);
  let why: string | undefined;
  if (inserted < requested) {
    if (exhausted) why = exhausted;
    else if (cap < requested && inserted >= cap) why = capWhy;
    else why = `only ${inserted} of ${generated} generated rows were accepted (${[...rejected.keys()].join(', ') || 'rejected by the server'})`;
  }
  return result(inserted, why, notes);
}
