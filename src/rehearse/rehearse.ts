/**
 * rehearse: prove a change on a production-like copy before production sees it. Baseline (schema
 * fingerprint, data checksum, workload timed) → up, step by step, traced → end state and workload again
 * → down: schema exactly as before, data unchanged → up again. Returns the versioned report; never
 * prints. The sandbox is always removed, also when something fails.
 */
import { LockstepError } from '../core/errors.js';
import { sqlLockName } from '../dialects/postgres/locks.js';
import { redactUrl } from '../core/redact.js';
import { quoteIdent, sqlName } from '../dialects/postgres/names.js';
import { effects, claimFor } from '../dialects/postgres/effects.js';
import { loadParser, parsePostgres } from '../dialects/postgres/parser.js';
import type { Migration } from '../parse/migrations.js';
import { apply } from '../apply/apply.js';
import { connect } from '../apply/db.js';
import { rollback } from '../apply/rollback.js';
import type { Change } from '../operations/types.js';
import type { Plan } from '../plan/types.js';
import { LineIndex } from '../report/lines.js';
import { copySchema } from './copy-schema.js';
import { compareTimings } from './stats.js';
import { runRehearsal } from './run.js';

export { budgetCheck } from './budget.js';
import { dataChecksum, diffFingerprints, fingerprint, tableColumns } from './fingerprint.js';
import { openSandbox, type Sandbox } from './sandbox.js';
import { fill, readStats, sampleTables, type FillResult, type TableStats } from './synthesize.js';
import { display as relationName, Tracer } from './trace.js';
import type { Check, RehearsalReport, StepTrace } from './types.js';
import { derivedWorkload, fileWorkload, planShape, relationsIn, statementsWorkload, timeQuery, type TimedQuery, type WorkloadQuery } from './workload.js';

export type RehearseSubject = { kind: 'change'; change: Change } | { kind: 'migrations'; name: string; migrations: Migration[] };

export type RehearseEvent =
  | { type: 'sandbox'; description: string }
  | { type: 'data'; table: string; rows: number; how: string; shortfall?: string }
  | { type: 'phase'; name: string }
  | { type: 'step'; trace: StepTrace }
  | { type: 'check'; check: Check };

export interface RehearseOptions {
  /** 'pglite' (default), 'embedded', or a postgres:// URL of a scratch server. */
  sandbox?: string;
  allowSameServer?: boolean;
  /** Source database (read-only) for the schema and the statistics (or a sample) of its rows. */
  sourceUrl?: string;
  /** Copy this percentage of the source's rows (TABLESAMPLE) instead of synthesizing them. */
  samplePercent?: number;
  /** Schema to start from when there is no source (SQL). */
  schemaSql?: string;
  /** Schema and rows together (a fixture): run as is, nothing synthesized. */
  fixtureSql?: string;
  /** Rows per table (default: the source's row count capped at 100,000; 10,000 without a source; 1,000 per table for a directory). */
  rows?: number;
  /** The target's major, for version notes (from --db or --pg-version). */
  targetMajor?: number;
  workload?: { path: string; text: string };
  /** Fail the verdict when a query of the workload is significantly slower than this many percent
   *  (the 95 % interval of its ratio of medians lies wholly above 1 + budget). */
  latencyBudgetPct?: number;
  seed?: number;
  onProgress?: (e: RehearseEvent) => void;
  /** Aborting removes the sandbox at once (a running statement is cut off) and rejects. */
  signal?: AbortSignal;
}

export async function rehearse(subject: RehearseSubject, o: RehearseOptions = {}): Promise<RehearsalReport> {
  await loadParser();
  if (subject.kind === 'change' && !o.fixtureSql && !o.sourceUrl && !o.schemaSql)
    throw new LockstepError('E_INPUT', [{ where: subject.change.name, message: 'nothing to rehearse on: pass --db (a source to copy the schema and statistics from) or --schema schema.sql' }]);
  const emit = o.onProgress ?? (() => {});
  const started = Date.now();
  let sourceMajor: number | undefined;
  if (o.sourceUrl) sourceMajor = await majorOf(o.sourceUrl);
  const targetMajor = o.targetMajor ?? sourceMajor;
  const sb = await openSandbox({ ...(o.sandbox ? { sandbox: o.sandbox } : {}), ...(targetMajor ? { targetMajor, major: targetMajor } : {}), ...(o.sourceUrl ? { sourceUrl: o.sourceUrl } : {}), ...(o.allowSameServer ? { allowSameServer: true } : {}) });
  emit({ type: 'sandbox', description: sb.info.description });
  const report: RehearsalReport = {
    version: 1,
    ok: false,
    subject: subject.kind === 'change' ? subject.change.name : subject.name,
    sandbox: sb.info,
    ...(o.sourceUrl ? { source: { url: redactUrl(o.sourceUrl), major: sourceMajor! } } : {}),
    data: [],
    checks: [],
    steps: [],
    queries: [],
    versionNotes: targetMajor && targetMajor !== sb.info.major ? versionNotes(sb.info.major, targetMajor) : [],
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    ...(o.latencyBudgetPct !== undefined ? { latencyBudgetPct: o.latencyBudgetPct } : {}),
  };
  return runRehearsal({ report, started, signal: o.signal, latencyBudgetPct: o.latencyBudgetPct, emit, dispose: () => sb.dispose(), claims: claimsCheck }, async (check) => {
    if (subject.kind === 'change') await rehearseChange(sb, subject.change, o, report, check, emit);
    else await rehearseMigrations(sb, subject.migrations, o, report, check, emit);
  });
}

async function majorOf(url: string): Promise<number> {
  const db = await connect(url, '--db', 'lockstep rehearse', { readOnly: true }); // the source is only read
  try {
    return Math.floor(Number((await db.query(`SELECT current_setting('server_version_num') AS n`)).rows[0].n) / 10000);
  } finally {
    await db.close();
  }
}

/** Effects-table behaviours that differ between two majors (`a` the sandbox's, `b` the target's), said plainly. */
export function versionNotes(a: number, b: number): string[] {
  const out: string[] = [];
  const locks = (c: NonNullable<ReturnType<typeof claimFor>>) => c.locks.map((l) => `${sqlLockName(l.mode)} on the ${l.on}`).join(', ') || 'no lock';
  for (const e of effects) {
    const x = claimFor(e.id, a);
    const y = claimFor(e.id, b);
    if (!x && !y) continue;
    if (!y) {
      out.push(`${e.title}: runs on PostgreSQL ${a} (the sandbox), not on ${b} (the target)`);
      continue;
    }
    if (!x) {
      out.push(`${e.title}: runs on PostgreSQL ${b} (the target), not on ${a} (the sandbox)`);
      continue;
    }
    const d: string[] = [];
    if (locks(x) !== locks(y)) d.push(`locks ${locks(y)} on ${b}, ${locks(x)} on ${a}`);
    if (x.rewrite !== y.rewrite) d.push(`${y.rewrite ? 'rewrites' : 'does not rewrite'} the table on ${b}`);
    if (x.scan !== y.scan) d.push(`${y.scan ? 'reads every row' : 'reads no rows'} on ${b}`);
    if (x.transactional !== y.transactional) d.push(`${y.transactional ? 'may' : 'may not'} run in a transaction on ${b}`);
    if (!!x.failsOnRows !== !!y.failsOnRows) d.push(`${y.failsOnRows ? 'fails' : 'does not fail'} on a table with rows on ${b}`);
    if (d.length) out.push(`${e.title}: ${d.join('; ')}`);
  }
  return out;
}

/** Creates the schema and loads rows into the sandbox: fixture, or schema + synthetic rows, or from the source. */
async function prepare(sb: Sandbox, tablesWanted: { schema: string; name: string }[], o: RehearseOptions, report: RehearsalReport, emit: (e: RehearseEvent) => void, defaultRows: number): Promise<void> {
  if (o.fixtureSql) {
    await sb.db.exec(o.fixtureSql);
    for (const t of await tableColumns(sb.db)) {
      const n = Number((await sb.db.query(`SELECT count(*)::bigint AS n FROM ${sqlName(t)}`)).rows[0].n);
      report.data.push({ table: display(t), rows: n, how: 'fixture' });
      emit({ type: 'data', table: display(t), rows: n, how: 'fixture' });
    }
  } else if (o.sourceUrl) {
    const source = await connect(o.sourceUrl, '--db', 'lockstep rehearse', { readOnly: true });
    try {
      // Only what exists there (a migration may create the others).
      const present: { schema: string; name: string }[] = [];
      for (const t of tablesWanted) if ((await source.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [sqlName(t)])).rows[0].ok) present.push(t);
      const copied = await copySchema(source, sb.db, present);
      const tables = copied.tables;
      if (o.samplePercent) {
        // One snapshot for all tables, and the parent rows the sampled rows reference come along.
        for (const r of await sampleTables(source, sb.db, tables, o.samplePercent, { ...(o.seed !== undefined ? { seed: o.seed } : {}) })) {
          report.data.push({ table: r.table, rows: r.rows, how: 'sample' });
          emit({ type: 'data', table: r.table, rows: r.rows, how: 'sample' });
        }
      } else {
        const stats = new Map<string, TableStats>();
        const rows: Record<string, number> = {};
        for (const t of tables) {
          const s = await readStats(source, t);
          stats.set(key(t), s);
          // reltuples is -1 for a table never analyzed: count it then (the source is read-only, not ANALYZEd by us).
          const n = s.reltuples >= 0 ? s.reltuples : Number((await source.query(`SELECT count(*)::bigint AS n FROM ${sqlName(t)}`)).rows[0].n);
          rows[key(t)] = o.rows ?? Math.min(100_000, Math.round(n));
        }
        for (const r of await fill(sb.db, tables, { rows, stats, ...(o.seed !== undefined ? { seed: o.seed } : {}) })) loaded(report, emit, r);
      }
    } finally {
      await source.close();
    }
  } else if (o.schemaSql) {
    try {
      await sb.db.exec(o.schemaSql);
    } catch (e: any) {
      const at = e?.position ? new LineIndex(o.schemaSql).position(new LineIndex(o.schemaSql).fromServerPosition(Number(e.position))) : undefined;
      throw new LockstepError('E_INPUT', [{ where: `--schema${at ? `:${at.line}:${at.column}` : ''}`, message: `the schema file failed in the sandbox: ${e?.message ?? e}` }]);
    }
    // Rows the schema file inserted itself are kept as they are.
    for (const t of await tableColumns(sb.db)) {
      const n = Number((await sb.db.query(`SELECT count(*)::bigint AS n FROM ${sqlName(t)}`)).rows[0].n);
      if (!n) continue;
      report.data.push({ table: display(t), rows: n, how: 'fixture' });
      emit({ type: 'data', table: display(t), rows: n, how: 'fixture' });
    }
    await fillEmpty(sb, o.rows ?? defaultRows, o, report, emit);
  }
  await sb.db.query('ANALYZE');
}

/**
 * Fills every user table that has no rows yet with synthetic rows from the column types. `tried` (table
 * oids) keeps a table no row could be made for from being tried again after every later migration.
 */
async function fillEmpty(sb: Sandbox, rows: number, o: RehearseOptions, report: RehearsalReport, emit: (e: RehearseEvent) => void, tried?: Set<string>, after?: string): Promise<void> {
  const empty: { schema: string; name: string }[] = [];
  for (const t of await tableColumns(sb.db)) {
    const r = (await sb.db.query(`SELECT to_regclass($1)::oid::text AS oid, EXISTS (SELECT FROM ${sqlName(t)}) AS x`, [sqlName(t)])).rows[0];
    if (r.x || tried?.has(r.oid)) continue;
    tried?.add(r.oid);
    empty.push({ schema: t.schema, name: t.name });
  }
  if (!empty.length || rows <= 0) return;
  for (const r of await fill(sb.db, empty, { rows, ...(o.seed !== undefined ? { seed: o.seed } : {}) })) loaded(report, emit, r, after);
}

/** A table's synthetic rows in the report: how many of how many asked for, and why fewer. */
function loaded(report: RehearsalReport, emit: (e: RehearseEvent) => void, r: FillResult, after?: string): void {
  report.data.push({
    table: r.table,
    rows: r.rows,
    how: r.how,
    requested: r.requested,
    ...(r.shortfall !== undefined ? { shortfall: r.shortfall } : {}),
    ...(r.notes?.length ? { notes: r.notes } : {}),
    ...(after ? { after } : {}),
  });
  emit({ type: 'data', table: r.table, rows: r.rows, how: r.how, ...(r.shortfall !== undefined ? { shortfall: r.shortfall } : {}) });
}

const key = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
const display = (t: { schema: string; name: string }) => relationName(t.schema, t.name);

/** The tables a change touches (and that must exist before it). */
function changeTables(change: Change): { schema: string; name: string }[] {
  const out = new Map<string, { schema: string; name: string }>();
  for (const op of change.operations) {
    const t = { schema: op.table.schema ?? 'public', name: op.table.name };
    out.set(key(t), t);
    const ref = (op as any).references?.table;
    if (ref) out.set(key({ schema: ref.schema ?? 'public', name: ref.name }), { schema: ref.schema ?? 'public', name: ref.name });
  }
  return [...out.values()];
}

/** The workload file; else the source's top queries on these tables (pg_stat_statements); else the derived set. */
async function chooseWorkload(sb: Sandbox, tables: string[], o: RehearseOptions, report: RehearsalReport): Promise<WorkloadQuery[]> {
  if (o.workload) {
    report.workload = `${o.workload.path}`;
    return fileWorkload(sb.db, o.workload.path, o.workload.text);
  }
  let why = '';
  if (o.sourceUrl) {
    const source = await connect(o.sourceUrl, '--db', 'lockstep rehearse', { readOnly: true });
    try {
      const top = await statementsWorkload(source, sb.db, tables);
      if (top.queries.length) {
        report.workload = `the source's ${top.queries.length} most expensive queries on ${tables.join(', ')} (pg_stat_statements)`;
        return top.queries;
      }
      why = `; ${top.note}`;
    } finally {
      await source.close();
    }
  }
  report.workload = `derived from the schema: a primary-key lookup and a count of ${tables.join(', ') || 'no table'}${why}`;
  return derivedWorkload(sb.db, tables);
}

/**
 * Times every query. Before the change a failing query is bad input (the workload does not fit the
 * schema); after it, a query that fails is what the change did to the application, and a failed check.
 */
async function timeAll(sb: Sandbox, queries: WorkloadQuery[], when: 'before' | 'after', check?: (c: Check) => void, before?: Map<string, TimedQuery>): Promise<Map<string, TimedQuery>> {
  const out = new Map<string, TimedQuery>();
  const broken: string[] = [];
  // Queries from the source's statistics that did not run on the copy before are not tried again.
  queries = queries.filter((q) => when === 'before' || q.origin !== 'pg_stat_statements' || before?.has(q.name));
  for (const q of queries) {
    try {
      out.set(q.name, await timeQuery(sb.db, q));
    } catch (e: any) {
      // A query written for the new schema (a column or table the change adds) is timed after only.
      if (when === 'before' && (e?.code === '42703' || e?.code === '42P01')) continue;
      // A query taken from the source's statistics that does not run on the copy is left out, not an error.
      if (when === 'before' && q.origin === 'pg_stat_statements') continue;
      if (when === 'before') throw new LockstepError('E_INPUT', [{ where: q.name, message: `the query fails before the change: ${e?.message ?? e} (${q.sql})` }]);
      broken.push(`${q.name}: ${e?.message ?? e}`);
    }
  }
  if (when === 'after' && check) check({ name: 'queries-run', ok: broken.length === 0, detail: broken.length ? `after the change ${broken.length} of ${queries.length} queries fail: ${broken.join('; ')}` : `the ${queries.length} queries of the workload run after the change` });
  return out;
}

async function rehearseChange(sb: Sandbox, change: Change, o: RehearseOptions, report: RehearsalReport, check: (c: Check) => void, emit: (e: RehearseEvent) => void): Promise<void> {
  const wanted = changeTables(change);
  emit({ type: 'phase', name: 'data' });
  await prepare(sb, wanted, o, report, emit, 10_000);
  const missing: string[] = [];
  for (const t of wanted) if (!(await sb.db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [sqlName(t)])).rows[0].ok) missing.push(display(t));
  if (missing.length) throw new LockstepError('E_INPUT', missing.map((m) => ({ where: change.name, message: `table ${m} does not exist in the rehearsal's schema` })));

  // Baseline.
  emit({ type: 'phase', name: 'baseline' });
  const fp0 = await fingerprint(sb.db);
  const before = await tableColumns(sb.db);
  const cs0 = await dataChecksum(sb.db, before);
  const queries = await chooseWorkload(sb, wanted.map(display), o, report);
  const tBefore = await timeAll(sb, queries, 'before');

  const unfinishedBefore = await unfinished(sb);
  const origin = Date.now();
  const tracer = new Tracer({ sandbox: sb, origin, onTrace: (t) => (report.steps.push(t), emit({ type: 'step', trace: t })) });
  const guard = { deadlineMs: 30_000, baseDelayMs: 20, maxDelayMs: 500 };
  // The plan apply would make for the target, run in the sandbox (a newer major runs an older plan).
  const target = report.sandbox.targetMajor;
  const planVersion = target && target <= sb.info.major ? { planVersion: target } : {};
  if (target && target > sb.info.major) report.versionNotes.unshift(`the sandbox (PostgreSQL ${sb.info.major}) is older than the target (${target}): the plan rehearsed is the sandbox's, not the target's`);

  // Up.
  emit({ type: 'phase', name: 'up' });
  await tracer.begin('up');
  let plan: Plan | undefined;
  const upOk = await runTraced(tracer, async () => {
    plan = (await apply(change, { db: sb.db, hooks: tracer.hooks(), guard, replicaWaitMs: 0, snapshot: false, ...planVersion })).plan;
  });
  check({ name: 'up-runs', ok: upOk.ok, detail: upOk.ok ? `${report.steps.filter((s) => s.pass === 'up').length} steps ran` : upOk.message });
  if (!upOk.ok) return;

  // End state and the workload again.
  emit({ type: 'phase', name: 'after up' });
  await sb.db.query('ANALYZE');
  const fp1 = await fingerprint(sb.db);
  check(await endState(sb, change, plan!, unfinishedBefore));
  const tAfter = await timeAll(sb, queries, 'after', check, tBefore);
  report.queries = compareTimings(queries, tBefore, tAfter);

  // Down.
  emit({ type: 'phase', name: 'down' });
  await tracer.begin('down');
  const downOk = await runTraced(tracer, async () => {
    await rollback(change.name, { db: sb.db, yes: true, hooks: tracer.hooks(), guard });
  });
  if (!downOk.ok) {
    check({ name: 'down-runs', ok: false, detail: downOk.message });
    return;
  }
  const fp2 = await fingerprint(sb.db);
  const diff = diffFingerprints(fp0, fp2);
  check({ name: 'down-restores-schema', ok: diff.length === 0, detail: diff.length ? `the schema after down differs from before up in ${diff.length} line(s)` : 'the schema after down is exactly the schema before up', ...(diff.length ? { diff } : {}) });
  check(await dataCheck(sb, before, cs0));

  // Up again.
  emit({ type: 'phase', name: 'up again' });
  await tracer.begin('up-again');
  const againOk = await runTraced(tracer, async () => {
    await apply(change, { db: sb.db, hooks: tracer.hooks(), guard, replicaWaitMs: 0, snapshot: false, ...planVersion });
  });
  if (!againOk.ok) {
    check({ name: 'up-again', ok: false, detail: againOk.message });
    return;
  }
  const fp3 = await fingerprint(sb.db);
  const d3 = diffFingerprints(fp1, fp3);
  check({ name: 'up-again', ok: d3.length === 0, detail: d3.length ? 'up after down ran, but gave a different schema than the first up' : 'up after down ran and gave the same schema', ...(d3.length ? { diff: d3 } : {}) });
}

/** Runs apply/rollback; a failure becomes a failed step in the traces and a message, not an exception. */
async function runTraced(tracer: Tracer, fn: () => Promise<void>): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await fn();
    return { ok: true };
  } catch (e: any) {
    if (!(e instanceof LockstepError) || e.code !== 'E_DATABASE') throw e;
    const p = e.problems[0]!;
    const id = /^(?:undo of )?step (.+)$/.exec(p.where)?.[1] ?? p.where;
    const cause = (e as any).cause;
    await tracer.finish(id, undefined, { message: String(cause?.message ?? p.message), ...(cause?.position ? { position: Number(cause.position) } : {}) });
    return { ok: false, message: `${p.where}: ${p.message}` };
  }
}

function claimsCheck(report: RehearsalReport, check: (c: Check) => void): void {
  const seen = report.steps.filter((s) => s.claim);
  const wrong = seen.filter((s) => !s.claim!.agrees);
  const unobserved = report.steps.filter((s) => !s.claim && !s.error).length;
  check({
    name: 'claims-hold',
    ok: wrong.length === 0,
    detail: wrong.length
      ? wrong.map((s) => `${s.id}: ${s.claim!.disagreement}`).join('; ')
      : `what the effects table claimed for ${seen.length} step(s) is what the server did${unobserved ? ` (${unobserved} not observed: outside a transaction on a single-connection sandbox, or a backfill)` : ''}`,
  });
}

/** Constraints NOT VALID and indexes INVALID or not ready, outside lockstep's ledger. */
async function unfinished(sb: Sandbox): Promise<Set<string>> {
  const c = await sb.db.query(`SELECT format('constraint %I on %s is NOT VALID', conname, conrelid::regclass) AS x FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE NOT convalidated AND n.nspname <> 'lockstep'`);
  const i = await sb.db.query(`SELECT format('index %s is INVALID', indexrelid::regclass) AS x FROM pg_index WHERE NOT indisvalid OR NOT indisready`);
  return new Set([...c.rows, ...i.rows].map((r: any) => r.x as string));
}

/** Constraints of a table: kind, columns (by name, in order), validity, definition. */
async function constraintsOf(sb: Sandbox, table: string): Promise<{ name: string; type: string; columns: string[]; valid: boolean; def: string }[]> {
  const r = await sb.db.query(
    `SELECT c.conname AS name, c.contype AS type, c.convalidated AS valid, pg_get_constraintdef(c.oid) AS def,
            coalesce((SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), '{}') AS columns
     FROM pg_constraint c WHERE c.conrelid = to_regclass($1)`,
    [table],
  );
  return r.rows as any;
}

/** Valid indexes of a table with their key columns (expressions as null) and uniqueness. */
async function indexesOf(sb: Sandbox, table: string): Promise<{ name: string; columns: (string | null)[]; unique: boolean; valid: boolean }[]> {
  const r = await sb.db.query(
    `SELECT ic.relname AS name, i.indisunique AS unique, i.indisvalid AND i.indisready AS valid,
            (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(i.indkey[0:i.indnkeyatts - 1]) WITH ORDINALITY k(attnum, n) LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)`,
    [table],
  );
  return r.rows as any;
}

const sameColumns = (a: (string | null)[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The end state the change asked for, operation by operation, plus nothing left unfinished that was not before. */
async function endState(sb: Sandbox, change: Change, plan: Plan, unfinishedBefore: Set<string>): Promise<Check> {
  const problems: string[] = [];
  const ok: string[] = [];
  for (const op of change.operations) {
    const t = sqlName(op.table);
    const cons = await constraintsOf(sb, t);
    const idx = await indexesOf(sb, t);
    const validCon = (type: string, columns: string[], name?: string) => cons.some((c) => c.type === type && c.valid && (name ? c.name === name : sameColumns(c.columns, columns)));
    const uniqueOn = (columns: string[], name?: string) => validCon('u', columns, name) || validCon('p', columns, name) || idx.some((i) => i.unique && i.valid && (name ? i.name === name : sameColumns(i.columns, columns)));
    if (op.kind === 'addColumn') {
      const c = (await sb.db.query(
        `SELECT format_type(a.atttypid, NULL) AS type, format_type(to_regtype($3), NULL) AS want, a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS def
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`,
        [t, op.name, op.type],
      )).rows[0];
      const col = `${t}.${quoteIdent(op.name)}`;
      if (!c) {
        problems.push(`${col} does not exist`);
        continue;
      }
      ok.push(`${col} ${c.type}${c.notnull ? ' NOT NULL' : ''}${c.def ? ` DEFAULT ${c.def}` : ''}`);
      if (c.want && c.type !== c.want) problems.push(`${col} is ${c.type}, not ${c.want}`);
      if (op.nullable === false && !c.notnull) problems.push(`${col} is not NOT NULL`);
      if (op.nullable !== false && c.notnull) problems.push(`${col} is NOT NULL, but the change asked for a nullable column`);
      if (op.default !== undefined && !c.def) problems.push(`${col} has no default`);
      if (op.default === undefined && c.def) problems.push(`${col} has a default (${c.def}) the change did not ask for`);
      if (op.nullable === false) {
        const nulls = Number((await sb.db.query(`SELECT count(*)::bigint AS n FROM ${t} WHERE ${quoteIdent(op.name)} IS NULL`)).rows[0].n);
        if (nulls) problems.push(`${col} has ${nulls} NULLs`);
      }
      if (op.check && !cons.some((x) => x.type === 'c' && x.valid && x.columns.includes(op.name))) problems.push(`${col} has no valid CHECK`);
      if (op.references && !validCon('f', [op.name])) problems.push(`${col} has no valid foreign key`);
      if (op.unique && !uniqueOn([op.name])) problems.push(`${col} is not unique (no valid unique index or constraint)`);
    } else if (op.kind === 'setNotNull') {
      const nn = (await sb.db.query(`SELECT attnotnull AS n FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2`, [t, op.column])).rows[0]?.n;
      if (nn) ok.push(`${t}.${quoteIdent(op.column)} NOT NULL`);
      else problems.push(`${t}.${quoteIdent(op.column)} is not NOT NULL`);
    } else if (op.kind === 'addCheck') {
      const found = op.name ? cons.some((c) => c.type === 'c' && c.valid && c.name === op.name) : cons.some((c) => c.type === 'c' && c.valid);
      if (found) ok.push(`a valid CHECK on ${t}${op.name ? ` (${quoteIdent(op.name)})` : ''}`);
      else problems.push(`no valid CHECK ${op.name ? `${quoteIdent(op.name)} ` : ''}on ${t}`);
    } else if (op.kind === 'addForeignKey') {
      if (validCon('f', op.columns, op.name)) ok.push(`a valid foreign key on ${t} (${op.columns.map(quoteIdent).join(', ')})`);
      else problems.push(`no valid foreign key on ${t} (${op.columns.map(quoteIdent).join(', ')})`);
    } else if (op.kind === 'addUnique') {
      if (uniqueOn(op.columns, op.name)) ok.push(`${t} (${op.columns.map(quoteIdent).join(', ')}) unique`);
      else problems.push(`${t} (${op.columns.map(quoteIdent).join(', ')}) is not unique (no valid unique index or constraint)`);
    } else if (op.kind === 'addIndex') {
      const found = idx.some((i) => i.valid && (op.name ? i.name === op.name : sameColumns(i.columns, op.columns)));
      if (!found) problems.push(`no valid index ${op.name ? `${quoteIdent(op.name)} ` : ''}on ${t} (${op.columns.map(quoteIdent).join(', ')})`);
    }
  }
  for (const x of await unfinished(sb)) if (!unfinishedBefore.has(x)) problems.push(`${x} (the change left it)`);
  // Each index the change built is valid and used by the query it was made for.
  for (const step of plan.phases.flatMap((p) => p.steps)) {
    const s = parsePostgres(step.up).statements[0];
    if (s?.kind !== 'IndexStmt' || !s.ast.idxname) continue;
    const table = sqlName({ ...(s.ast.relation.schemaname ? { schema: s.ast.relation.schemaname } : {}), name: s.ast.relation.relname });
    const first = s.ast.indexParams?.[0]?.IndexElem?.name as string | undefined;
    if (!first) continue;
    const used = await indexUsed(sb, table, first, s.ast.idxname);
    if (used) ok.push(`index ${quoteIdent(s.ast.idxname)} is used by: ${used}`);
    else problems.push(`index ${quoteIdent(s.ast.idxname)} is not used by a lookup or an ordered scan on ${quoteIdent(first)}`);
  }
  return { name: 'end-state', ok: problems.length === 0, detail: problems.length ? problems.join('; ') : ok.join('; ') || 'as asked' };
}

/** A query the index on `column` is for, whose plan uses it; undefined when none does. */
async function indexUsed(sb: Sandbox, table: string, column: string, index: string): Promise<string | undefined> {
  const col = quoteIdent(column);
  const v = (await sb.db.query(`SELECT ${col}::text AS v FROM ${table} WHERE ${col} IS NOT NULL ORDER BY random() LIMIT 1`)).rows[0]?.v;
  const tries: [string, unknown[]][] = [[`SELECT * FROM ${table} ORDER BY ${col} DESC LIMIT 20`, []]];
  if (v !== undefined) tries.unshift([`SELECT * FROM ${table} WHERE ${col} = $1`, [v]]);
  for (const [sql, params] of tries) {
    const shape = await planShape(sb.db, sql, params);
    if (shape.some((l) => l.includes(`using ${index}`))) return sql;
  }
  return undefined;
}

async function dataCheck(sb: Sandbox, before: { schema: string; name: string; columns: string[] }[], cs0: Record<string, { rows: number; md5: string }>): Promise<Check> {
  const now = await dataChecksum(sb.db, before);
  const changed = Object.keys(cs0).filter((k) => now[k]?.md5 !== cs0[k]!.md5 || now[k]?.rows !== cs0[k]!.rows);
  const rows = Object.values(cs0).reduce((a, b) => a + b.rows, 0);
  return {
    name: 'down-keeps-data',
    ok: changed.length === 0,
    detail: changed.length ? `the data of the columns that existed before changed in ${changed.join(', ')}` : `the ${rows.toLocaleString('en-US')} rows of ${Object.keys(cs0).length} table(s) are unchanged in the columns that existed before (checksum)`,
  };
}

// ---------------------------------------------------------------------------------------------------
// SQL migrations: one pair, or a directory in order.

interface Stmt {
  sql: string;
  /** Offset of the statement in its file, for error positions. */
  offset: number;
  file: { path: string; text: string };
}

function statementsOf(m: Migration, dir: 'up' | 'down'): Stmt[] {
  const section = dir === 'up' ? m.up : m.down;
  if (!section) return [];
  const out: Stmt[] = [];
  for (const part of section.parts) {
    const text = section.file.text.slice(part.start, part.end);
    for (const s of parsePostgres(text).statements) {
      const sql = text.slice(s.span.start, s.span.end).trim();
      if (sql && !/^(BEGIN|COMMIT|START TRANSACTION|END)\b/i.test(sql.replace(/;$/, ''))) out.push({ sql: sql.replace(/;\s*$/, ''), offset: part.start + s.span.start + (text.slice(s.span.start).length - text.slice(s.span.start).trimStart().length), file: { path: section.file.path, text: section.file.text } });
    }
  }
  return out;
}

function codeFrame(file: { path: string; text: string }, offset: number): string {
  const li = new LineIndex(file.text);
  const pos = li.position(offset);
  const lines: string[] = [];
  for (let l = Math.max(1, pos.line - 2); l <= Math.min(li.lineCount, pos.line + 1); l++) {
    lines.push(`${l === pos.line ? '>' : ' '} ${String(l).padStart(4)} | ${li.lineText(l)}`);
    if (l === pos.line) lines.push(`       | ${' '.repeat(Math.max(0, pos.column - 1))}^`);
  }
  return `${file.path}:${pos.line}:${pos.column}\n${lines.join('\n')}`;
}

/** Runs one direction of a migration statement by statement, traced, in a transaction when its runner uses one. */
async function runMigration(sb: Sandbox, tracer: Tracer, m: Migration, dir: 'up' | 'down', label: string = dir): Promise<{ ok: true } | { ok: false; message: string }> {
  const stmts = statementsOf(m, dir);
  // As the runner would: in one transaction unless the layout says none (then each statement that can
  // runs in its own, so its locks are seen).
  const section = dir === 'up' ? m.up : m.down;
  const wrapped = (section?.transaction ?? m.transaction) !== 'none';
  tracer.setGroup(`${m.id} (${label})`);
  if (wrapped) await sb.db.query('BEGIN');
  const inTransaction: StepTrace[] = [];
  for (const [i, s] of stmts.entries()) {
    const own = !wrapped && !noTransaction.test(s.sql);
    await tracer.start(s.sql, { transactional: wrapped || own, ...tableHint(s.sql) });
    try {
      if (own) await sb.db.query('BEGIN');
      await sb.db.query(s.sql);
      if (wrapped || own) await tracer.sampleOwnLocks(sb.db);
      if (own) await sb.db.query('COMMIT');
      const t = await tracer.finish(`${m.id}#${i + 1}`);
      if (t && wrapped) inTransaction.push(t);
    } catch (e: any) {
      await sb.db.query('ROLLBACK').catch(() => {});
      const at = e?.position ? new LineIndex(s.file.text).fromServerPosition(Number(e.position), s.offset) : s.offset;
      const frame = codeFrame(s.file, at);
      await tracer.finish(`${m.id}#${i + 1}`, undefined, { message: String(e?.message ?? e), ...(e?.position ? { position: Number(e.position) } : {}), codeFrame: frame });
      return { ok: false, message: `${m.id} ${dir}, statement ${i + 1}: ${e?.message ?? e}\n${frame}` };
    }
  }
  if (wrapped) {
    await sb.db.query('COMMIT');
    // Every lock a statement took in the migration's transaction was held until this commit.
    const end = Date.now() - tracer.origin;
    for (const t of inTransaction) for (const l of t.locks) l.heldMs = end - t.startMs;
  }
  return { ok: true };
}

/** Every table the migrations' statements name (for copying them from a source). */
function migrationTables(migrations: Migration[]): { schema: string; name: string }[] {
  const out = new Map<string, { schema: string; name: string }>();
  for (const m of migrations)
    for (const st of statementsOf(m, 'up'))
      for (const p of parsePostgres(st.sql).statements)
        for (const r of relationsIn(p.ast)) {
          const t = { schema: r.schema ?? 'public', name: r.name };
          out.set(key(t), t);
        }
  return [...out.values()];
}

/** Statements that cannot run inside a transaction block. */
const noTransaction = /\bCONCURRENTLY\b|^\s*VACUUM\b|^\s*(CREATE|DROP)\s+DATABASE\b|^\s*ALTER\s+SYSTEM\b|^\s*(CREATE|DROP)\s+TABLESPACE\b|^\s*REINDEX\s+(SYSTEM|DATABASE)\b/i;

/** The table a statement is about (for the probe). */
function tableHint(sql: string): { table?: string } {
  const s = parsePostgres(sql).statements[0];
  const rv = s?.ast?.relation;
  return rv?.relname ? { table: sqlName({ ...(rv.schemaname ? { schema: rv.schemaname } : {}), name: rv.relname }) } : {};
}

async function rehearseMigrations(sb: Sandbox, migrations: Migration[], o: RehearseOptions, report: RehearsalReport, check: (c: Check) => void, emit: (e: RehearseEvent) => void): Promise<void> {
  if (!migrations.length) throw new LockstepError('E_INPUT', [{ where: report.subject, message: 'no migrations found' }]);
  const single = migrations.length === 1;
  emit({ type: 'phase', name: 'data' });
  await prepare(sb, migrationTables(migrations), o, report, emit, single ? 10_000 : 1000);
  const rowsPerNewTable = o.rows ?? (single ? 10_000 : 1000);
  const origin = Date.now();
  const tracer = new Tracer({ sandbox: sb, origin, onTrace: (t) => (report.steps.push(t), emit({ type: 'step', trace: t })) });

  let queries: WorkloadQuery[] = [];
  let tBefore = new Map<string, TimedQuery>();
  if (single) {
    const touched = [...new Set(statementsOf(migrations[0]!, 'up').map((s) => tableHint(s.sql).table).filter((t): t is string => !!t))];
    queries = await chooseWorkload(sb, touched, o, report);
    tBefore = await timeAll(sb, queries, 'before');
  }
  let done = 0;
  const tried = new Set<string>();
  const unfinishedAtStart = await unfinished(sb);
  // A failing check stops the rehearsal; the migrations before it passed every check.
  const stop = (c: Check) => {
    if (done) check({ name: 'migrations-before', ok: true, detail: `the ${done} migration(s) before ${c.name.split(': ')[1] ?? 'it'} ran up, down and up again, each down restoring the schema and keeping the data` });
    check(c);
  };
  for (const m of migrations) {
    emit({ type: 'phase', name: m.id });
    const fp0 = await fingerprint(sb.db);
    const before = await tableColumns(sb.db);
    const cs0 = await dataChecksum(sb.db, before);
    await tracer.begin('up', `${m.id} (up)`);
    const up = await runMigration(sb, tracer, m, 'up');
    if (!up.ok) {
      stop({ name: `up-runs: ${m.id}`, ok: false, detail: up.message });
      return;
    }
    const fp1 = await fingerprint(sb.db);
    if (!m.down) {
      stop({ name: `down-restores-schema: ${m.id}`, ok: false, detail: `${m.id} has no down migration` });
      return;
    }
    await tracer.begin('down', `${m.id} (down)`);
    const down = await runMigration(sb, tracer, m, 'down');
    if (!down.ok) {
      stop({ name: `down-runs: ${m.id}`, ok: false, detail: down.message });
      return;
    }
    const diff = diffFingerprints(fp0, await fingerprint(sb.db));
    if (diff.length) {
      stop({ name: `down-restores-schema: ${m.id}`, ok: false, detail: `the down of ${m.id} does not restore the schema (${diff.length} line(s) differ); ${migrations.length - done - 1 ? `the ${migrations.length - done - 1} migration(s) after it were not rehearsed` : 'it is the last migration'}`, diff });
      return;
    }
    const data = await dataCheck(sb, before, cs0);
    if (!data.ok) {
      stop({ ...data, name: `down-keeps-data: ${m.id}` });
      return;
    }
    await tracer.begin('up-again', `${m.id} (up again)`);
    const again = await runMigration(sb, tracer, m, 'up', 'up again');
    if (!again.ok) {
      stop({ name: `up-again: ${m.id}`, ok: false, detail: again.message });
      return;
    }
    const d3 = diffFingerprints(fp1, await fingerprint(sb.db));
    if (d3.length) {
      stop({ name: `up-again: ${m.id}`, ok: false, detail: `up after down gave a different schema than the first up`, diff: d3 });
      return;
    }
    done++;
    // Tables this migration created get rows, so the next ones run against data.
    if (!o.fixtureSql) await fillEmpty(sb, rowsPerNewTable, o, report, emit, tried, m.id);
    await sb.db.query('ANALYZE');
  }
  check({ name: 'up-runs', ok: true, detail: `${done} migration(s) ran up` });
  check({ name: 'down-restores-schema', ok: true, detail: `the down of each of the ${done} migration(s) restored the schema exactly` });
  check({ name: 'down-keeps-data', ok: true, detail: `each down left the data of the columns that existed before unchanged` });
  check({ name: 'up-again', ok: true, detail: `each migration ran up again after its down, with the same schema` });
  if (single) {
    const tAfter = await timeAll(sb, queries, 'after', check, tBefore);
    report.queries = compareTimings(queries, tBefore, tAfter);
  }
  const left = [...(await unfinished(sb))].filter((x) => !unfinishedAtStart.has(x));
  check({ name: 'end-state', ok: left.length === 0, detail: left.length ? `left unfinished: ${left.join('; ')}` : 'no INVALID index or NOT VALID constraint left that was not there before' });
}


