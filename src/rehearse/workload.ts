/**
 * The workload a rehearsal times before and after the change: queries from a file (`$n` parameters
 * filled with values sampled from the sandbox's rows), or a default set derived from the schema
 * (a primary-key lookup and a scan of each changed table). Each query runs enough times for a stable
 * p50/p95, with different parameter values, after a warm-up; its EXPLAIN plan shape is kept so a plan
 * change shows.
 */
import { LockstepError, type Problem } from '../core/errors.js';
import { quoteIdent, sqlName } from '../dialects/postgres/names.js';
import { parsePostgres } from '../dialects/postgres/parser.js';
import type { Db } from '../apply/db.js';
import type { Latency, QueryTiming } from './types.js';
import { timeStatement } from './stats.js';

export interface WorkloadQuery {
  name: string;
  sql: string;
  origin: QueryTiming['origin'];
  /** Parameter sets to cycle through ($1, $2, … per set); empty when the query has none. */
  params: unknown[][];
}

export interface TimedQuery {
  latency: Latency;
  runs: number;
  /** Every timed run, ms (for the noise tests of src/rehearse/stats.ts). */
  samples: number[];
  plan: string[];
}

/** Primary-key columns of a table, in key order. */
async function primaryKey(db: Db, table: string): Promise<string[]> {
  const r = await db.query(
    `SELECT a.attname AS name FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n)
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.n`,
    [table],
  );
  return r.rows.map((x: any) => x.name);
}

async function sampleValues(db: Db, table: string, columns: string[], n = 64): Promise<unknown[][]> {
  const cols = columns.map(quoteIdent).join(', ');
  const r = await db.query(`SELECT ${columns.map((c, i) => `${quoteIdent(c)}::text AS v${i}`).join(', ')} FROM ${table} WHERE (${cols}) IS NOT NULL ORDER BY random() LIMIT ${n}`);
  return r.rows.map((row: any) => columns.map((_, i) => row[`v${i}`]));
}

/** The default workload for the tables a change touches: a primary-key lookup and a scan of each. */
export async function derivedWorkload(db: Db, tables: string[]): Promise<WorkloadQuery[]> {
  const out: WorkloadQuery[] = [];
  for (const t of tables) {
    if (!(await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [t])).rows[0].ok) continue;
    const key = await primaryKey(db, t);
    if (key.length) {
      const params = await sampleValues(db, t, key);
      if (params.length)
        out.push({ name: `primary-key lookup on ${t}`, sql: `SELECT * FROM ${t} WHERE ${key.map((k, i) => `${quoteIdent(k)} = $${i + 1}`).join(' AND ')}`, origin: 'derived', params });
    }
    out.push({ name: `count of ${t}`, sql: `SELECT count(*) FROM ${t}`, origin: 'derived', params: [] });
  }
  return out;
}

/**
 * Queries from a workload file: one statement each; every `$n` must be compared with a column
 * (`col = $n`, `t.col = $n`, `$n = col`) so lockstep knows where to sample values from.
 */
export async function fileWorkload(db: Db, path: string, text: string): Promise<WorkloadQuery[]> {
  const parsed = parsePostgres(text);
  const problems: Problem[] = [];
  for (const e of parsed.syntaxErrors) problems.push({ where: path, message: `syntax error: ${e.message}` });
  const out: WorkloadQuery[] = [];
  for (const [i, s] of parsed.statements.entries()) {
    const sql = text.slice(s.span.start, s.span.end).trim().replace(/;$/, '');
    const q = await toWorkloadQuery(db, s.ast, sql, `workload #${i + 1}`, 'workload-file');
    if (typeof q === 'string') problems.push({ where: `${path}: statement ${i + 1}`, message: q });
    else out.push(q);
  }
  if (problems.length) throw new LockstepError('E_INPUT', problems);
  return out;
}

/**
 * The source's most expensive queries (pg_stat_statements, by total time) that read one of `tables`
 * and whose parameters compare with a column, so values can be sampled: up to `limit` of them. Returns
 * why there are none when the extension is not there.
 */
export async function statementsWorkload(source: Db, sandbox: Db, tables: string[], limit = 5): Promise<{ queries: WorkloadQuery[]; note?: string }> {
  const has = (await source.query(`SELECT to_regclass('pg_stat_statements') IS NOT NULL AS ok`)).rows[0].ok;
  if (!has) return { queries: [], note: 'pg_stat_statements is not installed on the source' };
  let rows: any[];
  try {
    // total_exec_time since PG 13, total_time before: read either through the row as JSON.
    rows = (await source.query(
      `SELECT s.query, s.calls::bigint AS calls FROM pg_stat_statements s
       WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.calls > 0
       ORDER BY coalesce((to_jsonb(s) ->> 'total_exec_time')::float8, (to_jsonb(s) ->> 'total_time')::float8) DESC LIMIT 500`,
    )).rows;
  } catch (e: any) {
    return { queries: [], note: `pg_stat_statements cannot be read on the source: ${e?.message ?? e}` };
  }
  const wanted = new Set(tables);
  const out: WorkloadQuery[] = [];
  for (const r of rows) {
    if (out.length >= limit) break;
    const parsed = parsePostgres(String(r.query));
    const s = parsed.statements[0];
    if (parsed.statements.length !== 1 || s?.kind !== 'SelectStmt') continue; // reads only
    if (!rangeVars(s.ast).all.some((t) => wanted.has(t.replace(/^public\./, '')))) continue;
    const q = await toWorkloadQuery(sandbox, s.ast, String(r.query).trim(), `top query #${out.length + 1} (${Number(r.calls).toLocaleString('en-US')} calls)`, 'pg_stat_statements').catch(() => 'failed');
    if (typeof q !== 'string') out.push(q);
  }
  return { queries: out, ...(out.length ? {} : { note: 'no query in pg_stat_statements reads the changed tables with parameters lockstep can fill' }) };
}

/** A statement as a workload query with sampled parameter sets; a string says why it cannot be one. */
async function toWorkloadQuery(db: Db, ast: any, sql: string, name: string, origin: WorkloadQuery['origin']): Promise<WorkloadQuery | string> {
  const tables = rangeVars(ast);
  const params = new Map<number, { table: string; column: string }>();
  let unknown: number[] = [];
  for (const p of paramComparisons(ast)) {
    const table = p.qualifier ? tables.byAlias.get(p.qualifier) : tables.all.length === 1 ? tables.all[0] : undefined;
    if (!table) unknown.push(p.number);
    else params.set(p.number, { table, column: p.column });
  }
  const numbers = allParams(ast);
  unknown = [...new Set([...unknown, ...numbers.filter((n) => !params.has(n))])].sort();
  if (unknown.length)
    return `cannot tell which column ${unknown.map((n) => `$${n}`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} compared with: write it as column = $n, with the column qualified when the query has several tables`;
  const max = numbers.length ? Math.max(...numbers) : 0;
  let sets: unknown[][] = [];
  if (max) {
    const columns: unknown[][][] = [];
    for (let n = 1; n <= max; n++) {
      const p = params.get(n)!;
      try {
        columns.push(await sampleValues(db, p.table, [p.column]));
      } catch (e: any) {
        return `sampling ${p.table}.${quoteIdent(p.column)} for $${n}: ${e?.message ?? e}`;
      }
    }
    const count = Math.min(...columns.map((c) => c.length));
    if (!count) return 'no rows to sample parameter values from';
    sets = Array.from({ length: count }, (_, k) => columns.map((c) => c[k]![0]));
  }
  return { name, sql, origin, params: sets };
}

/** The relations a statement names: each RangeVar, or the bare one UPDATE/DELETE/INSERT keep in `relation`. */
export function relationsIn(ast: any): { node: any; schema?: string; name: string }[] {
  const out: { node: any; schema?: string; name: string }[] = [];
  walk(ast, (node) => {
    const rv = node.RangeVar ?? (node.relation?.relname ? node.relation : undefined);
    if (rv?.relname) out.push({ node: rv, ...(rv.schemaname ? { schema: rv.schemaname } : {}), name: rv.relname });
  });
  return out;
}

function rangeVars(ast: any): { all: string[]; byAlias: Map<string, string> } {
  const all: string[] = [];
  const byAlias = new Map<string, string>();
  for (const r of relationsIn(ast)) {
    const name = sqlName({ ...(r.schema ? { schema: r.schema } : {}), name: r.name });
    all.push(name);
    byAlias.set(r.node.alias?.aliasname ?? r.name, name);
  }
  return { all: [...new Set(all)], byAlias };
}

function paramComparisons(ast: any): { number: number; column: string; qualifier?: string }[] {
  const out: { number: number; column: string; qualifier?: string }[] = [];
  walk(ast, (node) => {
    const e = node.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP') return;
    const pair = [e.lexpr, e.rexpr];
    for (const [a, b] of [pair, [...pair].reverse()]) {
      const col = a?.ColumnRef?.fields?.map((f: any) => f.String?.sval).filter(Boolean);
      const num = b?.ParamRef?.number;
      if (col?.length && num) out.push({ number: num, column: col[col.length - 1], ...(col.length > 1 ? { qualifier: col[col.length - 2] } : {}) });
    }
  });
  return out;
}

function allParams(ast: any): number[] {
  const out = new Set<number>();
  walk(ast, (node) => {
    if (node.ParamRef?.number) out.add(node.ParamRef.number);
  });
  return [...out];
}

function walk(v: any, fn: (node: any) => void): void {
  if (Array.isArray(v)) for (const x of v) walk(x, fn);
  else if (v && typeof v === 'object') {
    fn(v);
    for (const k of Object.keys(v)) walk(v[k], fn);
  }
}

/** Runs a query enough times for a stable p50/p95 (see timeStatement), with its plan. */
export async function timeQuery(db: Db, q: WorkloadQuery, o: { minRuns?: number; minMs?: number; maxRuns?: number } = {}): Promise<TimedQuery> {
  const paramsAt = (i: number) => (q.params.length ? q.params[i % q.params.length] : undefined);
  const t = await timeStatement(db, q.sql, paramsAt, o);
  await db.query('BEGIN');
  try {
    return { ...t, plan: await planShape(db, q.sql, paramsAt(0)) };
  } finally {
    await db.query('ROLLBACK').catch(() => {});
  }
}

/** The plan as one line per node: its type, relation and index, indented by depth. */
export async function planShape(db: Db, sql: string, params?: unknown[]): Promise<string[]> {
  const r = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  let plan = r.rows[0]?.['QUERY PLAN'];
  if (typeof plan === 'string') plan = JSON.parse(plan);
  const out: string[] = [];
  const visit = (n: any, depth: number) => {
    const parts = [n['Node Type']];
    if (n['Index Name']) parts.push(`using ${n['Index Name']}`);
    if (n['Relation Name']) parts.push(`on ${n['Relation Name']}`);
    out.push(`${'  '.repeat(depth)}${parts.join(' ')}`);
    for (const c of n.Plans ?? []) visit(c, depth + 1);
  };
  if (plan?.[0]?.Plan) visit(plan[0].Plan, 0);
  return out;
}
