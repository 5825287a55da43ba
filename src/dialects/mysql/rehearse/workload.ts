/**
 * The workload a MySQL/MariaDB rehearsal times before and after the migrations: queries from a file, or
 * the source's statement digests (performance_schema.events_statements_summary_by_digest, when the
 * source runs with performance_schema on), or per table a primary-key lookup and a COUNT(*). A `?` must
 * be compared with a column (`col = ?`, `t.col = ?`) so values can be sampled from the sandbox's rows.
 * Each query runs at least 30 times and 300 ms after a warm-up, each run in a transaction rolled back;
 * its EXPLAIN shape (access type, table, key per row) is kept so a plan change shows.
 */
import { LockstepError, type Problem } from '../../../core/errors.js';
import type { TimedQuery, WorkloadQuery } from '../../../rehearse/workload.js';
import type { Latency, QueryTiming } from '../../../rehearse/types.js';
import { latencyChange } from '../../../rehearse/stats.js';
import type { MyDb } from '../driver.js';
import { quoteIdent } from '../names.js';
import { parseMysql } from '../parser.js';

async function primaryKey(db: MyDb, table: string): Promise<string[]> {
  const r = await db.query<{ c: string }>(
    `SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`,
    [table],
  );
  return r.map((x) => x.c);
}

async function exists(db: MyDb, table: string): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [table])).length > 0;
}

async function sampleValues(db: MyDb, table: string, columns: string[], n = 64): Promise<unknown[][]> {
  const r = await db.query<any>(
    `SELECT ${columns.map((c, i) => `${quoteIdent(c)} AS v${i}`).join(', ')} FROM ${quoteIdent(table)} WHERE ${columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')} ORDER BY RAND(1) LIMIT ${n}`,
  );
  return r.map((row) => columns.map((_, i) => row[`v${i}`]));
}

/** Per table: a primary-key lookup (values sampled from its rows) and a COUNT(*). */
export async function derivedWorkloadMy(db: MyDb, tables: string[]): Promise<WorkloadQuery[]> {
  const out: WorkloadQuery[] = [];
  for (const t of tables) {
    if (!(await exists(db, t))) continue;
    const key = await primaryKey(db, t);
    const q = quoteIdent(t);
    if (key.length) {
      const params = await sampleValues(db, t, key);
      if (params.length) out.push({ name: `primary-key lookup on ${q}`, sql: `SELECT * FROM ${q} WHERE ${key.map((k) => `${quoteIdent(k)} = ?`).join(' AND ')}`, origin: 'derived', params });
    }
    out.push({ name: `count of ${q}`, sql: `SELECT COUNT(*) FROM ${q}`, origin: 'derived', params: [] });
  }
  return out;
}

/**
 * A query with `?` placeholders → a WorkloadQuery with values sampled for each `?` from the column it is
 * compared with; a string saying why not.
 */
async function withParams(db: MyDb, sql: string, name: string, origin: QueryTiming['origin'], tables: string[]): Promise<WorkloadQuery | string> {
  const cols: { table?: string; column: string }[] = [];
  // `?` outside strings: the lexer-level split is not needed for the digests' normalized text; a file's
  // query is parsed by the dialect's parser first (below).
  const re = /(?:(`(?:[^`]|``)+`|\w+)\.)?(`(?:[^`]|``)+`|\w+)\s*(?:=|<=>|<|>|<=|>=|LIKE)\s*\?|\?\s*=\s*(?:(`(?:[^`]|``)+`|\w+)\.)?(`(?:[^`]|``)+`|\w+)/gi;
  const unq = (s: string | undefined) => (s === undefined ? undefined : s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s);
  let m: RegExpExecArray | null;
  while ((m = re.exec(sql))) cols.push({ ...(m[1] || m[3] ? { table: unq(m[1] ?? m[3]) } : {}), column: unq(m[2] ?? m[4])! });
  const marks = (sql.match(/\?/g) ?? []).length;
  if (cols.length !== marks) return 'every ? must be compared with a column (col = ?)';
  if (!marks) return { name, sql, origin, params: [] };
  const columns: [string, string][] = [];
  for (const c of cols) {
    let table = c.table && (await exists(db, c.table)) ? c.table : undefined;
    if (!table)
      for (const t of tables) {
        const r = await db.query(`SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`, [t, c.column]);
        if (r.length) {
          table = t;
          break;
        }
      }
    if (!table) return `no table of the sandbox has a column ${quoteIdent(c.column)}`;
    columns.push([table, c.column]);
  }
  const per = await Promise.all(columns.map(([t, c]) => sampleValues(db, t, [c])));
  const n = Math.min(...per.map((p) => p.length));
  if (!n) return 'no rows to sample its values from';
  const params: unknown[][] = [];
  for (let i = 0; i < n; i++) params.push(per.map((p) => p[i]![0]));
  return { name, sql, origin, params };
}

export async function fileWorkloadMy(db: MyDb, path: string, text: string, tables: string[]): Promise<WorkloadQuery[]> {
  const problems: Problem[] = [];
  const out: WorkloadQuery[] = [];
  const parsed = parseMysql(text);
  for (const e of parsed.syntaxErrors) problems.push({ where: path, message: `syntax error: ${e.message}` });
  const all = (await db.query<{ t: string }>(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`)).map((r) => r.t);
  for (const [i, s] of parsed.statements.filter((x) => x.kind !== 'delimiter').entries()) {
    const q = await withParams(db, s.text.trim(), `workload #${i + 1}`, 'workload-file', [...tables, ...all.filter((t) => !tables.includes(t))]);
    if (typeof q === 'string') problems.push({ where: `${path}: statement ${i + 1}`, message: q });
    else out.push(q);
  }
  if (problems.length) throw new LockstepError('E_INPUT', problems);
  return out;
}

/**
 * The source's most expensive SELECTs on these tables from performance_schema's digest summary (up to 5),
 * with values sampled in the sandbox. `note` says why there are none.
 */
export async function digestWorkloadMy(source: MyDb, sandbox: MyDb, tables: string[]): Promise<{ queries: WorkloadQuery[]; note: string }> {
  const on = await source.query<{ p: number | string }>('SELECT @@performance_schema AS p').then((r) => Number(r[0]?.p) === 1).catch(() => false);
  if (!on) return { queries: [], note: 'performance_schema is off on the source' };
  const rows = await source
    .query<{ d: string; s: string }>(
      `SELECT DIGEST_TEXT AS d, SUM_TIMER_WAIT AS s FROM performance_schema.events_statements_summary_by_digest
       WHERE SCHEMA_NAME = DATABASE() AND DIGEST_TEXT LIKE 'SELECT%' ORDER BY SUM_TIMER_WAIT DESC LIMIT 200`,
    )
    .catch(() => undefined);
  if (!rows) return { queries: [], note: "the source's statement digests cannot be read" };
  const out: WorkloadQuery[] = [];
  for (const r of rows) {
    if (out.length >= 5) break;
    const text = String(r.d);
    if (!tables.some((t) => new RegExp(`\`${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``, 'i').test(text) || new RegExp(`\\b${t}\\b`, 'i').test(text))) continue;
    // Digests write lists as `(...)` and cut long texts with `...`: those cannot be run.
    if (/\.\.\./.test(text)) continue;
    const q = await withParams(sandbox, text, `digest #${out.length + 1}`, 'performance_schema', tables);
    if (typeof q !== 'string') out.push(q);
  }
  return { queries: out, note: out.length ? '' : 'no digest of the source reads these tables with values lockstep can fill' };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k]!;
}

/** EXPLAIN as one line per row: access type, table, key. */
export async function planShapeMy(db: MyDb, sql: string, params?: unknown[]): Promise<string[]> {
  const r = await db.query<any>(`EXPLAIN ${sql}`, params).catch(() => []);
  return r.map((x) => `${x.select_type ?? ''} ${x.type ?? 'none'} on ${x.table ?? '-'}${x.key ? ` using ${x.key}` : ''}`.trim());
}

export async function timeQueryMy(db: MyDb, q: WorkloadQuery, o: { minRuns?: number; minMs?: number; maxRuns?: number } = {}): Promise<TimedQuery> {
  const minRuns = o.minRuns ?? 30;
  const minMs = o.minMs ?? 300;
  const maxRuns = o.maxRuns ?? 500;
  const paramsAt = (i: number) => (q.params.length ? q.params[i % q.params.length] : undefined);
  const once = async (i: number): Promise<number> => {
    await db.query('BEGIN');
    try {
      const s = performance.now();
      await db.query(q.sql, paramsAt(i));
      return performance.now() - s;
    } finally {
      await db.query('ROLLBACK').catch(() => {});
    }
  };
  for (let i = 0; i < 3; i++) await once(i);
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - t0 < minMs)) times.push(await once(times.length));
  const samples = [...times];
  times.sort((a, b) => a - b);
  const latency: Latency = { p50: percentile(times, 50), p95: percentile(times, 95), mean: times.reduce((a, b) => a + b, 0) / times.length };
  return { latency, runs: times.length, samples, plan: await planShapeMy(db, q.sql, paramsAt(0)) };
}

export function compareTimingsMy(queries: WorkloadQuery[], before: Map<string, TimedQuery>, after: Map<string, TimedQuery>): QueryTiming[] {
  return queries.flatMap((q) => {
    const b = before.get(q.name);
    const a = after.get(q.name);
    if (!b || !a) return [];
    const planChanged = b.plan.join('\n') !== a.plan.join('\n');
    const change = b.latency.p50 > 0 ? latencyChange(b.samples, a.samples) : undefined;
    return [
      {
        name: q.name,
        sql: q.sql,
        origin: q.origin,
        runs: Math.min(a.runs, b.runs),
        before: b.latency,
        after: a.latency,
        changePct: b.latency.p50 > 0 ? ((a.latency.p50 - b.latency.p50) / b.latency.p50) * 100 : 0,
        ...(change ? { change } : {}),
        ...(planChanged ? { planBefore: b.plan, planAfter: a.plan } : {}),
      },
    ];
  });
}
