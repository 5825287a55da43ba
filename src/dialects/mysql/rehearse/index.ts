/**
 * `lockstep rehearse` on MySQL/MariaDB: a SQL migration history (any layout src/parse reads) run up, down
 * and up again, migration by migration, in a temporary database on a scratch server (--sandbox
 * mysql://…; there is no embedded MySQL that works offline). Schema from the source (--db, read-only) or
 * --schema or empty; rows synthesized from the source's statistics or sampled (--sample); a schema
 * fingerprint compared after each down (the first migration whose down does not restore the schema is
 * named, with the diff), a data checksum, workload latency before and after, a stall probe and rewrite
 * detection per statement. Same RehearsalReport as Postgres, same renderers.
 *
 * A change spec: the MySQL planner's plan (Dialect.migrate) applied, rolled back and applied again on the sandbox.
 */
import { LockstepError } from '../../../core/errors.js';
import { redactIn, redactUrl } from '../../../core/redact.js';
import type { Rehearser } from '../../dialect.js';
import type { Migration } from '../../../parse/migrations.js';
import type { Change } from '../../../operations/types.js';
import type { AnyPlan } from '../../../plan/types.js';
import { runRehearsal } from '../../../rehearse/run.js';
import { diffFingerprints, type Fingerprint } from '../../../rehearse/fingerprint.js';
import type { RehearseEvent, RehearseOptions, RehearseSubject } from '../../../rehearse/rehearse.js';
import type { Check, RehearsalReport, StepTrace, Pass } from '../../../rehearse/types.js';
import type { TimedQuery, WorkloadQuery } from '../../../rehearse/workload.js';
import { LineIndex } from '../../../report/lines.js';
import { connectMysql, type MyDb } from '../driver.js';
import { quoteIdent } from '../names.js';
import { tablesTouched } from '../tables.js';
import { parseMysql } from '../parser.js';
import type { MyStatement } from '../ast.js';
import { describeServer, openMySandbox, serverVersion, type MySandbox } from './sandbox.js';
import { checksumMy, copySchemaMy, fingerprintMy, fkOrder, foreignKeyParents, tablesOf, type MyTable } from './schema.js';
import { fillMy, readStatsMy, type MyFillResult, type MyTableStats } from './synthesize.js';
import { StallProbe, tableIds } from './trace.js';
import { mysql } from '../index.js';
import type { MyLint } from '../lint.js';
import type { LintCatalog, LintSession } from '../../dialect.js';
import { compareTimingsMy, derivedWorkloadMy, digestWorkloadMy, fileWorkloadMy, timeQueryMy } from './workload.js';

export const NO_EMBEDDED = 'no embedded MySQL/MariaDB exists that works offline: MySQL/MariaDB rehearsals need a scratch server (--sandbox mysql://user@host/)';
export const NO_SPECS = 'change specs are not rehearsed on MySQL/MariaDB yet (this build has no MySQL planner); rehearse the SQL migration with its down instead';
const NOTHING = 'nothing to rehearse on: pass --db (a source to copy the schema and statistics from) or --schema schema.sql';

export const mysqlRehearser: Rehearser = {
  sandboxProblem(sandbox) {
    if (sandbox === undefined || sandbox === 'pglite' || sandbox === 'embedded') return NO_EMBEDDED;
    if (!/^(mysql|mariadb):\/\/[^/]/i.test(sandbox)) return 'must be a mysql:// or mariadb:// URL of a scratch server';
    return undefined;
  },
  subjectProblem: (subject) => (subject.kind === 'change' && !mysql.migrate ? NO_SPECS : undefined),
  rehearse: rehearseMysql,
};

export async function rehearseMysql(subject: RehearseSubject, o: RehearseOptions): Promise<RehearsalReport> {
  if (subject.kind === 'change' && !mysql.migrate) throw new LockstepError('E_INPUT', [{ where: subject.change.name, message: NO_SPECS }]);
  if (subject.kind === 'change' && !o.sourceUrl && !o.schemaSql) throw new LockstepError('E_INPUT', [{ where: subject.change.name, message: NOTHING }]);
  if (!o.sandbox) throw new LockstepError('E_USAGE', [{ where: '--sandbox', message: NO_EMBEDDED }]);
  if (subject.kind === 'migrations' && !subject.migrations.length) throw new LockstepError('E_INPUT', [{ where: subject.name, message: 'no migrations found' }]);
  const emit = o.onProgress ?? (() => {});
  const started = Date.now();
  let source: { product: string; major: number } | undefined;
  if (o.sourceUrl) {
    const s = await connectMysql(o.sourceUrl, { where: '--db', readOnly: true });
    try {
      if (!(await s.query<{ d: string | null }>('SELECT DATABASE() AS d'))[0]?.d) throw new LockstepError('E_USAGE', [{ where: '--db', message: `${redactUrl(o.sourceUrl)} names no database (mysql://user@host/database)` }]);
      source = describeServer(await serverVersion(s));
    } finally {
      await s.close();
    }
  }
  const sb = await openMySandbox(o.sandbox, { ...(o.sourceUrl ? { sourceUrl: o.sourceUrl } : {}), ...(o.allowSameServer ? { allowSameServer: true } : {}) });
  const description = `${sb.product} at ${redactUrl(o.sandbox)} (temporary database ${sb.database})`;
  emit({ type: 'sandbox', description });
  const report: RehearsalReport = {
    version: 1,
    ok: false,
    subject: subject.kind === 'change' ? subject.change.name : subject.name,
    sandbox: { kind: 'server', major: sb.major, description, product: sb.product },
    ...(o.sourceUrl && source ? { source: { url: redactUrl(o.sourceUrl), major: source.major, product: source.product } } : {}),
    data: [],
    checks: [],
    steps: [],
    queries: [],
    versionNotes: [],
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    ...(o.latencyBudgetPct !== undefined ? { latencyBudgetPct: o.latencyBudgetPct } : {}),
  };
  return runRehearsal(
    {
      report,
      started,
      signal: o.signal,
      latencyBudgetPct: o.latencyBudgetPct,
      emit,
      dispose: (d) => sb.dispose(d),
      claims: claimsCheck,
      // A server error the rehearsal did not expect (the sandbox failed a statement of lockstep's own, or
      // the server itself failed: a lost temporary file, a full disk) is a database error, not a bug.
      onError: (e: any) =>
        !(e instanceof LockstepError) && (e?.sqlState !== undefined || typeof e?.errno === 'number')
          ? new LockstepError('E_DATABASE', [{ where: '--sandbox', message: `${redactUrl(o.sandbox!)}: ${redactIn(String(e?.sqlMessage ?? e?.message ?? e), o.sandbox!)}` }], { cause: e })
          : e,
    },
    async (check) => {
      if (subject.kind === 'change') await rehearseChange(sb, subject.change, o, report, check, emit);
      else await rehearseHistory(sb, subject.migrations, o, report, check, emit);
    },
  );
}

/** The rebuilds the effects table claimed, over every pass that ran: what the server did. */
function claimsCheck(report: RehearsalReport, check: (c: Check) => void): void {
  const seen = report.steps.filter((s) => s.claim);
  if (!seen.length) return;
  const wrong = seen.filter((s) => !s.claim!.agrees);
  check({
    name: 'claims-hold',
    ok: wrong.length === 0,
    detail: wrong.length
      ? wrong.map((s) => `${s.id} (${s.pass}): ${s.claim!.disagreement}`).join('; ')
      : `whether a table is rebuilt, as the effects table claimed for ${seen.length} step(s), is what the server did (InnoDB table ids)`,
  });
}

// ---------------------------------------------------------------------------------------------------
// Statements of a migration.

interface Stmt {
  sql: string;
  /** File offset of the statement, for code frames. */
  offset: number;
  file: { path: string; text: string };
  ast: MyStatement;
}

function statementsOf(m: Migration, dir: 'up' | 'down'): Stmt[] {
  const section = dir === 'up' ? m.up : m.down;
  if (!section) return [];
  const out: Stmt[] = [];
  for (const part of section.parts) {
    const text = section.file.text.slice(part.start, part.end);
    for (const s of parseMysql(text).statements) {
      // DELIMITER is the mysql client's, not SQL; USE would leave the sandbox database.
      if (s.kind === 'delimiter' || s.kind === 'use') continue;
      const sql = s.text.trim();
      if (sql) out.push({ sql, offset: part.start + s.span.start, file: { path: section.file.path, text: section.file.text }, ast: s });
    }
  }
  return out;
}

/** The tables a statement is about (the first is the one probed). */
const tablesOfStatement = (s: MyStatement): string[] => tablesTouched(s).map((t) => t.name);

function migrationTables(migrations: Migration[]): string[] {
  const out = new Set<string>();
  for (const m of migrations) for (const s of statementsOf(m, 'up')) for (const t of tablesOfStatement(s.ast)) out.add(t);
  return [...out];
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

/** The offset a server error points at: `… near '…' at line N` counts lines of the statement. */
function errorOffset(s: Stmt, message: string): number {
  const line = Number(/ at line (\d+)\s*$/.exec(message)?.[1] ?? 1);
  let off = s.offset;
  for (let i = 1; i < line; i++) {
    const nl = s.file.text.indexOf('\n', off);
    if (nl < 0) break;
    off = nl + 1;
  }
  const near = /near '(.{1,40})/s.exec(message)?.[1];
  if (near) {
    const at = s.file.text.indexOf(near.split('\n')[0]!, off);
    if (at >= 0 && at < s.offset + s.sql.length + 1) return at;
  }
  return off;
}

// ---------------------------------------------------------------------------------------------------
// Running and tracing.

class Runner {
  private pass: Pass = 'up';
  private probe?: StallProbe;
  constructor(
    private readonly sb: MySandbox,
    readonly origin: number,
    private readonly onTrace: (t: StepTrace) => void,
  ) {}
  setPass(p: Pass): void {
    this.pass = p;
  }

  /**
   * Runs a migration's direction statement by statement (DDL commits on its own on MySQL). What the
   * effects table claims for each statement (classified as lint does, against the sandbox's schema read
   * before the direction and learned statement by statement) is compared with what the server did:
   * a rebuild claimed is a table id that changed.
   */
  /** The sandbox's schema as lint models it, read once per migration (before its up; the up again starts from the same schema). */
  private facts?: Awaited<ReturnType<typeof mysql.introspect>>;
  async readSchema(): Promise<void> {
    this.facts = await mysql.introspect(this.sb.url, '--sandbox');
  }
  private learned?: MyLint['catalog'];

  async run(m: Migration, dir: 'up' | 'down', label: string): Promise<{ ok: true } | { ok: false; message: string }> {
    const group = `${m.id} (${label})`;
    const stmts = statementsOf(m, dir);
    const facts = this.facts ?? (await mysql.introspect(this.sb.url, '--sandbox'));
    const kit = mysql.lint(facts.version);
    // The down is judged against the schema the up made (as lint does); an up against the schema before it.
    const catalog = (dir === 'down' && this.learned ? this.learned : facts.catalog.clone()) as LintCatalog<MyStatement> & MyLint['catalog'];
    this.learned = catalog;
    const session = kit.session('none', stmts.length, facts.settings, () => m.id) as LintSession<MyStatement, MyLint['effect'], MyLint['tx'], MyLint['timeouts']>;
    for (const [i, s] of stmts.entries()) {
      const id = `${m.id}#${i + 1}`;
      const tables = tablesOfStatement(s.ast);
      const ids0 = await tableIds(this.sb.db);
      const effect = kit.classify(s.ast, catalog, session);
      const summary = kit.summarize(effect);
      session.apply(s.ast, effect);
      this.probe ??= new StallProbe(await this.sb.connect());
      const probing = tables[0] && ids0.has(tables[0]) ? await this.probe.start(tables[0]) : false;
      const t0 = Date.now();
      let error: StepTrace['error'];
      try {
        await this.sb.db.query(s.sql);
      } catch (e: any) {
        const message = String(e?.sqlMessage ?? e?.message ?? e);
        error = { message, codeFrame: codeFrame(s.file, errorOffset(s, message)) };
      }
      const durationMs = Date.now() - t0;
      const stallMs = probing ? await this.probe.stop() : null;
      const ids1 = await tableIds(this.sb.db);
      const rewrites = [...ids0].filter(([n, v]) => ids1.has(n) && ids1.get(n) !== v).map(([n]) => quoteIdent(n));
      const claim = !error ? claimOf(s.ast, summary, ids0, rewrites) : undefined;
      const trace: StepTrace = { id, pass: this.pass, group, sql: s.sql, startMs: t0 - this.origin, durationMs, locks: [], rewrites, observed: 'none', stallMs, ...(claim ? { claim } : {}), ...(error ? { error } : {}) };
      this.onTrace(trace);
      if (error) return { ok: false, message: `${m.id} ${dir}, statement ${i + 1}: ${error.message}\n${error.codeFrame}` };
      catalog.apply(s.ast, m.id);
    }
    return { ok: true };
  }
}

/** The effects table's claim for a statement on a table that existed before it, checked against the rebuild seen. */
function claimOf(stmt: MyStatement, summary: ReturnType<ReturnType<typeof mysql.lint>['summarize']>, before: Map<string, string>, rewrites: string[]): StepTrace['claim'] | undefined {
  if (stmt.kind !== 'alter-table' && stmt.kind !== 'create-index' && stmt.kind !== 'drop-index' && stmt.kind !== 'optimize') return undefined;
  const table = stmt.kind === 'alter-table' || stmt.kind === 'create-index' || stmt.kind === 'drop-index' ? stmt.table.name : stmt.tables[0]?.name;
  if (!table || !before.has(table) || !summary.entries.length) return undefined;
  const q = quoteIdent(table);
  const rebuilt = rewrites.includes(q);
  const agrees = rebuilt === summary.rewrite;
  const how = `ALGORITHM=${(summary.algorithm ?? 'default').toUpperCase()}, LOCK=${(summary.lock ?? 'default').toUpperCase()}`;
  return {
    locks: summary.lock ? [{ relation: q, mode: how }] : [],
    rewrite: summary.rewrite,
    agrees,
    ...(agrees ? {} : { disagreement: `the effects table says it ${summary.rewrite ? 'rebuilds' : 'does not rebuild'} ${q} (${how}; ${summary.entries.join(', ')}), the server ${rebuilt ? 'rebuilt it' : 'did not'}` }),
  };
}

// ---------------------------------------------------------------------------------------------------
// Data.

function loaded(report: RehearsalReport, emit: (e: RehearseEvent) => void, r: MyFillResult, after?: string): void {
  const table = quoteIdent(r.table);
  report.data.push({ table, rows: r.rows, how: r.how, requested: r.requested, ...(r.shortfall !== undefined ? { shortfall: r.shortfall } : {}), ...(r.notes?.length ? { notes: r.notes } : {}), ...(after ? { after } : {}) });
  emit({ type: 'data', table, rows: r.rows, how: r.how, ...(r.shortfall !== undefined ? { shortfall: r.shortfall } : {}) });
}

async function count(db: MyDb, table: string): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(table)}`))[0]!.n);
}

/** Copies `percent` % of each table's rows (parents first; a row whose parent was not sampled is left out). */
async function sampleRows(source: MyDb, sandbox: MyDb, tables: string[], percent: number, seed: number): Promise<{ table: string; rows: number }[]> {
  const out: { table: string; rows: number }[] = [];
  for (const t of tables) {
    const cols = (await tablesOf(sandbox)).find((x) => x.name === t)?.columns ?? [];
    const gen = new Set((await sandbox.query<{ c: string }>(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND EXTRA LIKE '%GENERATED%'`, [t])).map((r) => r.c));
    const use = cols.filter((c) => !gen.has(c));
    const rows = await source.query<any>(`SELECT ${use.map(quoteIdent).join(', ')} FROM ${quoteIdent(t)} WHERE RAND(?) * 100 < ? LIMIT 100000`, [seed, percent]);
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      const values = batch.flatMap((r) => use.map((c) => (r[c] !== null && typeof r[c] === 'object' && !Buffer.isBuffer(r[c]) ? JSON.stringify(r[c]) : r[c])));
      await sandbox.query(`INSERT IGNORE INTO ${quoteIdent(t)} (${use.map(quoteIdent).join(', ')}) VALUES ${batch.map(() => `(${use.map(() => '?').join(', ')})`).join(', ')}`, values);
    }
    out.push({ table: t, rows: await count(sandbox, t) });
  }
  return out;
}

/** Schema and rows before the first migration: from the source, from --schema, or nothing. */
async function prepare(sb: MySandbox, wanted: string[], o: RehearseOptions, report: RehearsalReport, emit: (e: RehearseEvent) => void, defaultRows: number, tried: Set<string>): Promise<void> {
  if (o.sourceUrl) {
    const source = await connectMysql(o.sourceUrl, { where: '--db', readOnly: true });
    try {
      const tables = await copySchemaMy(source, sb.db, wanted);
      for (const t of tables) tried.add(t);
      if (o.samplePercent) {
        for (const r of await sampleRows(source, sb.db, tables, o.samplePercent, o.seed ?? 1)) {
          report.data.push({ table: quoteIdent(r.table), rows: r.rows, how: 'sample' });
          emit({ type: 'data', table: quoteIdent(r.table), rows: r.rows, how: 'sample' });
        }
      } else {
        const stats = new Map<string, MyTableStats>();
        const rows: Record<string, number> = {};
        for (const t of tables) {
          const s = await readStatsMy(source, t);
          stats.set(t, s);
          rows[t] = o.rows ?? Math.min(100_000, s.rows);
        }
        for (const r of await fillMy(sb.db, tables, { rows, defaultRows, stats, ...(o.seed !== undefined ? { seed: o.seed } : {}) })) loaded(report, emit, r);
      }
    } finally {
      await source.close();
    }
  } else if (o.schemaSql) {
    for (const s of parseMysql(o.schemaSql).statements) {
      if (s.kind === 'delimiter' || s.kind === 'use') continue;
      try {
        await sb.db.query(s.text);
      } catch (e: any) {
        const at = new LineIndex(o.schemaSql).position(s.span.start);
        throw new LockstepError('E_INPUT', [{ where: `--schema:${at.line}:${at.column}`, message: `the schema file failed in the sandbox: ${e?.sqlMessage ?? e?.message ?? e}` }]);
      }
    }
    for (const t of await tablesOf(sb.db)) {
      const n = await count(sb.db, t.name);
      if (!n) continue;
      tried.add(t.name);
      report.data.push({ table: quoteIdent(t.name), rows: n, how: 'fixture' });
      emit({ type: 'data', table: quoteIdent(t.name), rows: n, how: 'fixture' });
    }
    await fillEmpty(sb, o.rows ?? defaultRows, o, report, emit, tried);
  }
}

/** Fills the tables that have no rows yet and were not tried before, parents first. */
async function fillEmpty(sb: MySandbox, rows: number, o: RehearseOptions, report: RehearsalReport, emit: (e: RehearseEvent) => void, tried: Set<string>, after?: string): Promise<void> {
  if (rows <= 0) return;
  const empty: string[] = [];
  for (const t of await tablesOf(sb.db)) {
    if (tried.has(t.name)) continue;
    tried.add(t.name);
    if (!(await count(sb.db, t.name))) empty.push(t.name);
  }
  if (!empty.length) return;
  const order = fkOrder(empty, await foreignKeyParents(sb.db));
  for (const r of await fillMy(sb.db, order, { rows: {}, defaultRows: rows, ...(o.seed !== undefined ? { seed: o.seed } : {}) })) loaded(report, emit, r, after);
}

// ---------------------------------------------------------------------------------------------------
// Workload.

async function chooseWorkload(sb: MySandbox, tables: string[], o: RehearseOptions, report: RehearsalReport): Promise<WorkloadQuery[]> {
  const present = (await tablesOf(sb.db)).map((t) => t.name).filter((t) => tables.includes(t));
  if (o.workload) {
    report.workload = o.workload.path;
    return fileWorkloadMy(sb.db, o.workload.path, o.workload.text, present);
  }
  let why = '';
  if (o.sourceUrl) {
    const source = await connectMysql(o.sourceUrl, { where: '--db', readOnly: true });
    try {
      const top = await digestWorkloadMy(source, sb.db, present);
      if (top.queries.length) {
        report.workload = `the source's ${top.queries.length} most expensive queries on ${present.map(quoteIdent).join(', ')} (performance_schema digests)`;
        return top.queries;
      }
      why = `; ${top.note}`;
    } finally {
      await source.close();
    }
  }
  report.workload = `derived from the schema: a primary-key lookup and a count of ${present.map(quoteIdent).join(', ') || 'no table'}${why}`;
  return derivedWorkloadMy(sb.db, present);
}

async function timeAll(sb: MySandbox, queries: WorkloadQuery[], when: 'before' | 'after', check?: (c: Check) => void, before?: Map<string, TimedQuery>): Promise<Map<string, TimedQuery>> {
  const out = new Map<string, TimedQuery>();
  const broken: string[] = [];
  queries = queries.filter((q) => when === 'before' || before?.has(q.name) || q.origin === 'workload-file');
  for (const q of queries) {
    try {
      out.set(q.name, await timeQueryMy(sb.db, q));
    } catch (e: any) {
      const msg = String(e?.sqlMessage ?? e?.message ?? e);
      // A query written for the new schema (unknown column 1054, unknown table 1146) is timed after only.
      if (when === 'before' && (e?.errno === 1054 || e?.errno === 1146)) continue;
      if (when === 'before' && q.origin === 'performance_schema') continue;
      if (when === 'before') throw new LockstepError('E_INPUT', [{ where: q.name, message: `the query fails before the migrations: ${msg} (${q.sql})` }]);
      broken.push(`${q.name}: ${msg}`);
    }
  }
  if (when === 'after' && check) check({ name: 'queries-run', ok: broken.length === 0, detail: broken.length ? `after the migrations ${broken.length} of ${queries.length} queries fail: ${broken.join('; ')}` : `the ${queries.length} queries of the workload run after the migrations` });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The history.

async function dataCheck(sb: MySandbox, before: MyTable[], cs0: Record<string, { rows: number; sum: string }>): Promise<Check> {
  const now = await checksumMy(sb.db, before);
  const changed = Object.keys(cs0).filter((k) => now[k]?.sum !== cs0[k]!.sum || now[k]?.rows !== cs0[k]!.rows);
  const rows = Object.values(cs0).reduce((a, b) => a + b.rows, 0);
  return {
    name: 'down-keeps-data',
    ok: changed.length === 0,
    detail: changed.length ? `the data of the columns that existed before changed in ${changed.join(', ')}` : `the ${rows.toLocaleString('en-US')} rows of ${Object.keys(cs0).length} table(s) are unchanged in the columns that existed before (checksum)`,
  };
}

async function rehearseHistory(sb: MySandbox, migrations: Migration[], o: RehearseOptions, report: RehearsalReport, check: (c: Check) => void, emit: (e: RehearseEvent) => void): Promise<void> {
  const single = migrations.length === 1;
  const defaultRows = single ? 10_000 : 1000;
  const tried = new Set<string>();
  emit({ type: 'phase', name: 'data' });
  await prepare(sb, migrationTables(migrations), o, report, emit, defaultRows, tried);
  const rowsPerNewTable = o.rows ?? defaultRows;
  const runner = new Runner(sb, Date.now(), (t) => (report.steps.push(t), emit({ type: 'step', trace: t })));

  // The workload: the tables the migrations touch that exist before the first one.
  const touched = migrationTables(migrations);
  const queries = await chooseWorkload(sb, touched, o, report);
  const tBefore = await timeAll(sb, queries, 'before');

  let done = 0;
  const stop = (c: Check) => {
    if (done) check({ name: 'migrations-before', ok: true, detail: `the ${done} migration(s) before ${c.name.split(': ')[1] ?? 'it'} ran up, down and up again, each down restoring the schema and keeping the data` });
    check(c);
  };
  // The schema after a migration's up again is the one after its up (checked): the next one starts from it.
  let next: Fingerprint | undefined;
  for (const m of migrations) {
    emit({ type: 'phase', name: m.id });
    const fp0 = next ?? (await fingerprintMy(sb.db));
    await runner.readSchema();
    const before = await tablesOf(sb.db);
    const cs0 = await checksumMy(sb.db, before);
    runner.setPass('up');
    const up = await runner.run(m, 'up', 'up');
    if (!up.ok) return stop({ name: `up-runs: ${m.id}`, ok: false, detail: up.message });
    const fp1 = await fingerprintMy(sb.db);
    if (!m.down) return stop({ name: `down-restores-schema: ${m.id}`, ok: false, detail: `${m.id} has no down migration` });
    runner.setPass('down');
    const down = await runner.run(m, 'down', 'down');
    if (!down.ok) return stop({ name: `down-runs: ${m.id}`, ok: false, detail: down.message });
    const diff = diffFingerprints(fp0, await fingerprintMy(sb.db));
    if (diff.length) {
      const after = migrations.length - done - 1;
      return stop({ name: `down-restores-schema: ${m.id}`, ok: false, detail: `the down of ${m.id} does not restore the schema (${diff.length} line(s) differ); ${after ? `the ${after} migration(s) after it were not rehearsed` : 'it is the last migration'}`, diff });
    }
    const data = await dataCheck(sb, before, cs0);
    if (!data.ok) return stop({ ...data, name: `down-keeps-data: ${m.id}` });
    runner.setPass('up-again');
    const again = await runner.run(m, 'up', 'up again');
    if (!again.ok) return stop({ name: `up-again: ${m.id}`, ok: false, detail: again.message });
    const d3 = diffFingerprints(fp1, await fingerprintMy(sb.db));
    if (d3.length) return stop({ name: `up-again: ${m.id}`, ok: false, detail: 'up after down gave a different schema than the first up', diff: d3 });
    done++;
    next = fp1;
    // Tables this migration created get rows, so the next ones run against data.
    await fillEmpty(sb, rowsPerNewTable, o, report, emit, tried, m.id);
  }
  check({ name: 'up-runs', ok: true, detail: `${done} migration(s) ran up` });
  check({ name: 'down-restores-schema', ok: true, detail: `the down of each of the ${done} migration(s) restored the schema exactly (normalized SHOW CREATE TABLE, views, triggers, routines)` });
  check({ name: 'down-keeps-data', ok: true, detail: 'each down left the data of the columns that existed before unchanged' });
  check({ name: 'up-again', ok: true, detail: 'each migration ran up again after its down, with the same schema' });
  if (queries.length) {
    const tAfter = await timeAll(sb, queries, 'after', check, tBefore);
    report.queries = compareTimingsMy(queries, tBefore, tAfter);
  }
}

// ---------------------------------------------------------------------------------------------------
// A change spec: the plan the MySQL planner makes, applied, rolled back and applied again.

async function rehearseChange(sb: MySandbox, change: Change, o: RehearseOptions, report: RehearsalReport, check: (c: Check) => void, emit: (e: RehearseEvent) => void): Promise<void> {
  const migrator = await mysql.migrate!();
  const wanted = new Set<string>();
  for (const op of change.operations) {
    wanted.add(op.table.name);
    const ref = (op as any).references?.table?.name;
    if (ref) wanted.add(ref);
  }
  emit({ type: 'phase', name: 'data' });
  await prepare(sb, [...wanted], o, report, emit, 10_000, new Set());
  const present = new Set((await tablesOf(sb.db)).map((t) => t.name));
  const missing = [...wanted].filter((t) => !present.has(t));
  if (missing.length) throw new LockstepError('E_INPUT', missing.map((t) => ({ where: change.name, message: `table ${quoteIdent(t)} does not exist in the rehearsal's schema` })));

  emit({ type: 'phase', name: 'baseline' });
  const fp0 = await fingerprintMy(sb.db);
  const before = await tablesOf(sb.db);
  const cs0 = await checksumMy(sb.db, before);
  const queries = await chooseWorkload(sb, [...wanted], o, report);
  const tBefore = await timeAll(sb, queries, 'before');
  const origin = Date.now();
  const probe = new StallProbe(await sb.connect());
  const table = change.operations[0]?.table.name;

  /** One pass (apply or rollback) traced step by step from its progress events: duration and the probe's stall per step. */
  const pass = async (p: Pass, run: (onProgress: (e: any) => void) => Promise<AnyPlan | undefined>): Promise<{ ok: true } | { ok: false; message: string }> => {
    const open = new Map<string, { t0: number; probing: Promise<boolean> }>();
    const traces: StepTrace[] = [];
    let chain: Promise<unknown> = Promise.resolve();
    const onProgress = (e: any) => {
      if (e.type === 'step-start') {
        const probing = (chain = chain.then(() => (table ? probe.start(table) : false)).catch(() => false)) as Promise<boolean>;
        open.set(e.step, { t0: Date.now(), probing });
      } else if (e.type === 'step-done' || e.type === 'step-skip') {
        const s = open.get(e.step);
        open.delete(e.step);
        if (!s) return;
        chain = chain.then(async () => {
          const stallMs = (await s.probing) ? await probe.stop() : null;
          traces.push({ id: e.step, pass: p, group: p, sql: '', startMs: s.t0 - origin, durationMs: Date.now() - s.t0, locks: [], rewrites: [], observed: 'none', stallMs });
        });
      }
    };
    let plan: AnyPlan | undefined;
    let failure: string | undefined;
    try {
      plan = await run(onProgress);
    } catch (e: any) {
      if (!(e instanceof LockstepError) || (e.code !== 'E_DATABASE' && e.code !== 'E_INPUT')) throw e;
      failure = e.message;
    }
    await chain;
    for (const [id, s] of open) {
      const stallMs = (await s.probing) ? await probe.stop() : null;
      traces.push({ id, pass: p, group: p, sql: '', startMs: s.t0 - origin, durationMs: Date.now() - s.t0, locks: [], rewrites: [], observed: 'none', stallMs, error: { message: failure ?? 'did not finish' } });
    }
    const steps = new Map((plan ?? stepsPlan)?.phases.flatMap((ph) => ph.steps).map((st) => [st.id, st]) ?? []);
    for (const t of traces) {
      const st = steps.get(t.id);
      if (st) t.sql = p === 'down' ? (st.down ?? '') : st.up;
      report.steps.push(t);
      emit({ type: 'step', trace: t });
    }
    return failure ? { ok: false, message: failure } : { ok: true };
  };
  let stepsPlan: AnyPlan | undefined;

  emit({ type: 'phase', name: 'up' });
  const up = await pass('up', async (onProgress) => (stepsPlan = (await migrator.apply(change, { url: sb.url, snapshot: false, onProgress })).plan));
  check({ name: 'up-runs', ok: up.ok, detail: up.ok ? `${report.steps.filter((s) => s.pass === 'up').length} steps ran` : up.message });
  if (!up.ok) return;
  const fp1 = await fingerprintMy(sb.db);
  const tAfter = await timeAll(sb, queries, 'after', check, tBefore);
  report.queries = compareTimingsMy(queries, tBefore, tAfter);

  emit({ type: 'phase', name: 'down' });
  const down = await pass('down', async (onProgress) => (await migrator.rollback(change.name, { url: sb.url, yes: true, onProgress }), undefined));
  if (!down.ok) return check({ name: 'down-runs', ok: false, detail: down.message });
  const diff = diffFingerprints(fp0, await fingerprintMy(sb.db));
  check({ name: 'down-restores-schema', ok: diff.length === 0, detail: diff.length ? `the schema after down differs from before up in ${diff.length} line(s)` : 'the schema after down is exactly the schema before up', ...(diff.length ? { diff } : {}) });
  check(await dataCheck(sb, before, cs0));

  emit({ type: 'phase', name: 'up again' });
  const again = await pass('up-again', async (onProgress) => (await migrator.apply(change, { url: sb.url, snapshot: false, onProgress })).plan);
  if (!again.ok) return check({ name: 'up-again', ok: false, detail: again.message });
  const d3 = diffFingerprints(fp1, await fingerprintMy(sb.db));
  check({ name: 'up-again', ok: d3.length === 0, detail: d3.length ? 'up after down ran, but gave a different schema than the first up' : 'up after down ran and gave the same schema', ...(d3.length ? { diff: d3 } : {}) });
}
