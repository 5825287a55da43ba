/**
 * Reads what lint needs from a live database, read-only: the server version, every user table with
 * its columns, constraints, indexes, partitions and size estimates, domains, enums, user functions'
 * volatility, and the session's lock_timeout / statement_timeout / TimeZone.
 */
import type pg from 'pg';
import { LockstepError } from '../../core/errors.js';
import { redactIn, redactUrl, safeQueryText } from '../../core/redact.js';
import { Catalog, isNotNullCheck, type ConstraintKind, type Volatility } from './catalog.js';
import { fromFormattedType } from './names.js';
import { connectPostgres } from './driver.js';

export interface TargetFacts {
  /** e.g. 150004 */
  versionNum: number;
  major: number;
  catalog: Catalog;
  settings: { lockTimeoutMs: number; statementTimeoutMs: number; timeZone: string };
  /** Right now: streaming replicas and their lag, and sessions holding locks on the tables asked about. */
  live?: LiveFacts;
}

export interface LiveFacts {
  replicas: { name: string; state: string; replayLagSeconds: number | null }[];
  /** Sessions in a transaction holding a lock on one of the tables: the first ACCESS EXCLUSIVE would queue behind them. */
  blockers: { pid: number; table: string; mode: string; state: string; transactionSeconds: number; query: string }[];
}

export interface Queryable {
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

/** Connects to `url` read-only, introspects, disconnects. Errors are one line, password redacted. */
export async function introspectUrl(url: string, where = '--db', opts: { activityOn?: string[] } = {}): Promise<TargetFacts> {
  const db = await connectPostgres(url, { where, applicationName: 'lockstep lint', readOnly: true });
  try {
    const facts = await introspect(db);
    if (opts.activityOn) facts.live = await liveFacts(db, opts.activityOn);
    return facts;
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where, message: `reading the schema of ${redactUrl(url)} failed: ${redactIn(String(e?.message ?? e), url)}` }]);
  } finally {
    await db.close();
  }
}

export async function introspect(db: Queryable): Promise<TargetFacts> {
  const v = (await db.query<{ num: string; lt: string; st: string; tz: string }>(
    `SELECT current_setting('server_version_num') AS num, current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st, current_setting('TimeZone') AS tz`,
  )).rows[0]!;
  const versionNum = Number(v.num);
  const cat = new Catalog();
  cat.complete = true;

  const tables = await db.query<{ oid: number; schema: string; name: string; relkind: string; rows: number; bytes: string; parent_schema: string | null; parent: string | null; is_default: boolean }>(`
    SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind,
           greatest(c.reltuples, 0)::float8 AS rows,
           pg_total_relation_size(c.oid)::text AS bytes,
           pn.nspname AS parent_schema, p.relname AS parent,
           coalesce(pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', false) AS is_default
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
    LEFT JOIN pg_class p ON p.oid = i.inhparent
    LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm', 'v') AND ${userSchemas}`);
  const byOid = new Map<number, ReturnType<Catalog['table']>>();
  const qn = (schema: string, name: string) => (schema === 'public' ? { name } : { schema, name });
  for (const t of tables.rows) {
    const kind = t.relkind === 'p' ? 'partitioned' : t.relkind === 'm' ? 'matview' : t.relkind === 'v' ? 'view' : 'table';
    const info = {
      name: qn(t.schema, t.name),
      kind: kind as 'table',
      columns: new Map(),
      constraints: new Map(),
      indexes: new Set<string>(),
      ...(t.relkind !== 'v' ? { rows: Number(t.rows), bytes: Number(t.bytes) } : {}),
      ...(t.parent ? { partitionOf: qn(t.parent_schema!, t.parent), isDefaultPartition: t.is_default } : {}),
    };
    cat.tables.set(`${t.schema}.${t.name}`, info as any);
    byOid.set(t.oid, info as any);
  }
  // A partitioned parent's size is the sum of its partitions.
  for (const t of cat.tables.values()) if (t.kind === 'partitioned') {
    const parts = cat.partitions(t.name);
    t.rows = parts.reduce((s, p) => s + (p.rows ?? 0), 0);
    t.bytes = parts.reduce((s, p) => s + (p.bytes ?? 0), 0);
  }

  const cols = await db.query<{ oid: number; name: string; type: string; notnull: boolean; hasdef: boolean }>(`
    SELECT a.attrelid::int AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, a.atthasdef OR a.attidentity <> '' AS hasdef
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm', 'v') AND ${userSchemas}
    ORDER BY a.attrelid, a.attnum`);
  for (const c of cols.rows) byOid.get(c.oid)?.columns.set(c.name, { name: c.name, type: fromFormattedType(c.type), notNull: c.notnull, hasDefault: c.hasdef });

  const kinds: Record<string, ConstraintKind> = { c: 'check', f: 'foreign-key', u: 'unique', p: 'primary-key', x: 'exclusion', n: 'not-null' };
  const cons = await db.query<{ oid: number; name: string; type: string; valid: boolean; cols: string[] | null; ref_schema: string | null; ref: string | null; def: string }>(`
    SELECT con.conrelid::int AS oid, con.conname AS name, con.contype AS type, con.convalidated AS valid,
           (SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS cols,
           rn.nspname AS ref_schema, r.relname AS ref, pg_get_constraintdef(con.oid) AS def
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_class r ON r.oid = con.confrelid LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
    WHERE con.conrelid <> 0 AND ${userSchemas}`);
  for (const c of cons.rows) {
    const t = byOid.get(c.oid);
    const kind = kinds[c.type];
    if (!t || !kind) continue;
    const columns = c.cols ?? [];
    const notNullColumn = kind === 'not-null' ? columns[0] : kind === 'check' ? notNullFromDef(c.def) : undefined;
    t.constraints.set(c.name, {
      name: c.name,
      kind,
      valid: c.valid,
      columns,
      ...(c.ref ? { references: qn(c.ref_schema!, c.ref) } : {}),
      ...(notNullColumn ? { notNullColumn } : {}),
    });
  }

  const idx = await db.query<{ schema: string; name: string; table_oid: number; unique: boolean }>(`
    SELECT n.nspname AS schema, ic.relname AS name, i.indrelid::int AS table_oid, i.indisunique AS unique
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE ${userSchemas}`);
  for (const i of idx.rows) {
    const t = byOid.get(i.table_oid);
    if (!t) continue;
    const name = qn(i.schema, i.name);
    cat.indexes.set(`${i.schema}.${i.name}`, { name, table: t.name, unique: i.unique });
    t.indexes.add(i.name);
  }

  const doms = await db.query<{ schema: string; name: string; notnull: boolean; cons: { name: string; valid: boolean }[] | null }>(`
    SELECT n.nspname AS schema, t.typname AS name, t.typnotnull AS notnull,
           (SELECT json_agg(json_build_object('name', c.conname, 'valid', c.convalidated)) FROM pg_constraint c WHERE c.contypid = t.oid) AS cons
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'd' AND ${userSchemas}`);
  for (const d of doms.rows)
    cat.domains.set(`${d.schema}.${d.name}`, { name: qn(d.schema, d.name), notNull: d.notnull, constraints: new Map((d.cons ?? []).map((c) => [c.name, { valid: c.valid }])) });

  const enums = await db.query<{ schema: string; name: string; vals: string[] }>(`
    SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS vals
    FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
    GROUP BY n.nspname, t.typname`);
  for (const e of enums.rows) cat.enums.set(`${e.schema}.${e.name}`, e.vals);

  const fns = await db.query<{ name: string; vol: string }>(`
    SELECT p.proname AS name, max(p.provolatile) AS vol
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${userSchemas} GROUP BY p.proname`);
  const vols: Record<string, Volatility> = { v: 'volatile', s: 'stable', i: 'immutable' };
  // max() over 'i' < 's' < 'v' picks the most volatile overload
  for (const f of fns.rows) cat.functions.set(f.name, vols[f.vol] ?? 'volatile');

  return {
    versionNum,
    major: Math.floor(versionNum / 10000),
    catalog: cat,
    settings: { lockTimeoutMs: settingMs(v.lt), statementTimeoutMs: settingMs(v.st), timeZone: v.tz },
  };
}

/** `CHECK ((col IS NOT NULL))` → col. */
function notNullFromDef(def: string): string | undefined {
  const m = /^CHECK \(+\s*("?)((?:[^"]|"")+?)\1 IS NOT NULL\s*\)+(?: NOT VALID)?$/.exec(def.trim());
  return m ? m[2]!.replace(/""/g, '"') : undefined;
}

/** current_setting() of a time GUC: "0", "2s", "500ms", "1min". */
function settingMs(s: string): number {
  const m = /^(\d+)\s*(ms|s|min|h|d)?$/.exec(s.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1);
}

export { isNotNullCheck };

export { libpqSslModes } from './driver.js';

/** Replicas and lag, and sessions that would make the first lock on `tables` wait (read-only). */
export async function liveFacts(db: Queryable, tables: string[]): Promise<LiveFacts> {
  const replicas = (
    await db.query<{ name: string; state: string; lag: number | null }>(
      `SELECT coalesce(nullif(application_name, ''), client_addr::text, 'replica') AS name, state, extract(epoch FROM replay_lag)::float8 AS lag FROM pg_stat_replication`,
    )
  ).rows.map((r) => ({ name: r.name, state: r.state, replayLagSeconds: r.lag === null ? null : Number(r.lag) }));
  const blockers = (
    await db.query<{ pid: number; table: string; mode: string; state: string; age: number; query: string }>(
      `SELECT DISTINCT ON (a.pid, c.relname) a.pid, c.relname AS table, l.mode, coalesce(a.state, '') AS state,
              extract(epoch FROM now() - a.xact_start)::float8 AS age, left(coalesce(a.query, ''), 2000) AS query
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid JOIN pg_class c ON c.oid = l.relation
       WHERE l.granted AND l.locktype = 'relation' AND c.relname = ANY($1) AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL
       ORDER BY a.pid, c.relname, a.xact_start`,
      [tables],
    )
  ).rows.map((r) => ({ pid: r.pid, table: r.table, mode: r.mode, state: r.state, transactionSeconds: Number(r.age), query: safeQueryText(r.query) }));
  return { replicas, blockers };
}
