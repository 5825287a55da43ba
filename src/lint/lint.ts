/**
 * The lint library API: SQL text or migration paths in, findings out. Reads files and config; never
 * prints or exits (the CLI does that).
 */
import type { Finding, Severity, SourceFile } from '../core/types.js';
import type { DialectId, Flavor, ServerVersion } from '../core/version.js';
import type { LayoutId, LayoutOptions, Migration, TransactionMode } from '../parse/migrations.js';
import { readMigrations, type History } from '../parse/layouts/index.js';
import type { Rule } from '../rules/rule.js';
import type { RuleId } from '../rules/registry.js';
import { resolveRules, type RuleSetting } from '../config/config.js';
import { LockstepError, usageError } from '../core/errors.js';
import { parseDurationText as parseDuration } from '../core/duration.js';
import type { LintCatalog, LintTypes, SessionDefaults } from '../dialects/dialect.js';
import { chooseDialect, chooseVersion, type DialectChoice } from '../dialects/index.js';
import { runRules, type ActiveRule, type StatementRecord } from './engine.js';
import { LintWorker, planShares, type Piece, type ShareRequest, type ShareResult } from './parallel.js';

export const DEFAULT_PG_VERSION = 15;

export interface LintOptions {
  /** `postgres` (default), `mysql` or `mariadb`; else what a database URL, config or the layout says. */
  dialect?: Flavor;
  /** The target version (`15`, `14.2`, `8.0.36`, `10.11`); default: the dialect's default. */
  serverVersion?: string;
  /** Target Postgres major or full version ("14.2"): `serverVersion` for Postgres (kept for existing callers). */
  pgVersion?: number | string;
  /** Rule settings as in the config file. */
  rules?: Record<string, RuleSetting>;
  /** Run only these rules (at their default severity unless `rules` says otherwise). */
  only?: (RuleId | Rule<any>)[];
  /** The schema before the first migration (from a live database), of the chosen dialect. */
  catalog?: LintCatalog<any>;
  /** Session settings the runner applies (lock_timeout it sets itself, …). */
  session?: SessionDefaults;
  /** Also return what every statement does (`statements` in lint's JSON). */
  records?: boolean;
  /**
   * 2 or more: when there is enough SQL, a worker thread lints the later part of the work (later
   * histories, or the end of a long one) while this thread lints the rest; one worker at most. Default 1:
   * this thread only. The result is the same either way. Ignored with a `catalog` or with rules given as
   * objects in `only` (they cannot be handed to another thread).
   */
  threads?: number;
}

export interface LintResult {
  findings: Finding[];
  /** Every file read, for code frames. */
  files: SourceFile[];
  migrations: number;
  statements: number;
  /** The dialect and server the findings are for. */
  dialect: DialectId;
  server: ServerVersion;
  /** The target's major (for Postgres: the Postgres major, as before). */
  pgVersion: number;
  /** Every statement with what it does, when `records` was asked for. */
  records?: StatementRecord[];
  /** The rules that have findings: their title and generic reason (said once in reports, not per finding). */
  rules?: Record<string, { title: string; why: string }>;
}

interface Target {
  choice: DialectChoice;
  server: ServerVersion;
  versionNum?: number;
}

/** The dialect and version from the options (and a layout's declaration), every problem reported at once. */
function target(opts: LintOptions, layout?: { flavor: Flavor; where: string }): Target {
  const choice = chooseDialect({ ...(opts.dialect !== undefined ? { flag: opts.dialect } : {}), ...(layout ? { layout } : {}) });
  const text = opts.serverVersion ?? (opts.pgVersion !== undefined ? String(opts.pgVersion) : undefined);
  const where = opts.serverVersion !== undefined ? '--server-version' : '--pg-version';
  if (opts.pgVersion !== undefined && opts.serverVersion === undefined && choice.dialect.id !== 'postgres')
    throw usageError('--pg-version', `is for PostgreSQL; the target is ${choice.dialect.name}: use --server-version`);
  const server = chooseVersion(choice, text !== undefined ? { text, where } : undefined);
  // Postgres rules that care about minor releases read the server_version_num form.
  const versionNum = choice.dialect.id === 'postgres' && server.minor !== undefined ? server.major * 10000 + server.minor : undefined;
  return { choice, server, ...(versionNum !== undefined ? { versionNum } : {}) };
}

function activeRules(opts: LintOptions, ruleSet: Readonly<Record<string, Rule<any>>>): ActiveRule[] {
  if (opts.only) {
    return opts.only.map((r) => {
      const rule = typeof r === 'string' ? ruleSet[r] : r;
      if (!rule) throw usageError('rules', `${String(r)} is not a rule of this dialect`);
      const s = opts.rules?.[rule.id];
      const explicit = !!s && s !== 'off' && s !== 'on';
      return { rule, severity: explicit ? (s as Severity) : rule.severity, explicit };
    });
  }
  return resolveRules(opts.rules, ruleSet).map(({ id, severity }) => {
    const s = opts.rules?.[id];
    return { rule: ruleSet[id]!, severity, explicit: !!s && s !== 'on' };
  });
}

function engineOptions(opts: LintOptions, t: Target) {
  const d = t.choice.dialect;
  const active = activeRules(opts, d.rules);
  const sev = (id: string): Severity | undefined => active.find((a) => a.rule.id === id)?.severity;
  return {
    server: t.server,
    ...(t.versionNum !== undefined ? { versionNum: t.versionNum } : {}),
    kit: d.lint(t.server),
    rules: active.filter((a) => a.rule.check || a.rule.end),
    knownRuleIds: new Set(Object.keys(d.rules)),
    ...(opts.catalog ? { catalog: opts.catalog } : {}),
    ...(opts.session ? { session: opts.session } : {}),
    ...(opts.records ? { records: true } : {}),
    meta: {
      ...(sev('syntax-error') ? { syntax: sev('syntax-error') } : {}),
      ...(sev('unused-ignore') ? { unusedIgnore: sev('unused-ignore') } : {}),
      ...(sev('ignore-without-reason') ? { ignoreWithoutReason: sev('ignore-without-reason') } : {}),
    },
  };
}

/** Lints migrations already read, as one history (in order, each judged against the schema the earlier ones made). */
export async function lintMigrations(migrations: Migration[], files: SourceFile[], opts: LintOptions = {}): Promise<LintResult> {
  return lintHistories([{ path: '.', migrations, files }], files, opts);
}

/**
 * Lints each history on its own: every history starts from the schema given in `opts.catalog` (or an
 * empty one), so nothing one history creates, validates or drops changes the findings of another.
 */
export async function lintHistories(histories: History[], files: SourceFile[], opts: LintOptions = {}): Promise<LintResult> {
  return lintHistoriesWith(histories, files, opts);
}

/** Whether these options can be handed to a worker thread (plain data only). */
function parallelizable(opts: LintOptions): boolean {
  return (opts.threads ?? 1) > 1 && !opts.catalog && !(opts.only ?? []).some((r) => typeof r !== 'string');
}

async function lintHistoriesWith(histories: History[], files: SourceFile[], opts: LintOptions, early?: LintWorker): Promise<LintResult> {
  // The dialect: from the options, else what the histories' tools declare (all of them must agree).
  // A flavor guessed from the SQL (no tool declared one) yields to a dialect the options name, and never conflicts.
  const given = opts.dialect !== undefined;
  let declared = histories.map((h) => h.flavor).filter((f): f is NonNullable<History['flavor']> => !!f && !(f.guessed && given));
  if (declared.some((f) => !f.guessed)) declared = declared.filter((f) => !f.guessed);
  else if (declared.length && histories.some((h) => !h.flavor)) declared = [];
  let t: Target | undefined;
  const problems: { where: string; message: string }[] = [];
  const layouts = declared.length ? declared : [undefined];
  for (const layout of layouts) {
    try {
      const next = target(opts, layout);
      if (t && next.choice.dialect.id !== t.choice.dialect.id) problems.push({ where: layout!.where, message: `says ${next.choice.dialect.name}, but another path is ${t.choice.dialect.name}: lint them one dialect at a time` });
      t ??= next;
    } catch (e) {
      if (e instanceof LockstepError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length || !t) throw new LockstepError('E_USAGE', problems);
  // Another thread lints the last part of the work while this one lints the first (see parallel.ts).
  const plan = parallelizable(opts) ? planShares(histories) : undefined;
  const whole = (h: History, i: number): Piece => ({ history: i, from: 0, to: h.migrations.length });
  const mine = plan?.mine ?? histories.map(whole);
  const results = new Map<Piece, ShareResult>();
  let remote: Promise<void> | undefined;
  if (plan) {
    const worker = early ?? new LintWorker();
    const req: ShareRequest = {
      pieces: plan.theirs.map((p) => {
        const ms = histories[p.history]!.migrations;
        return { migrations: ms.slice(p.from, p.to), ...(p.from > 0 ? { replay: ms.slice(0, p.from).map(upOnly) } : {}) };
      }),
      opts: { ...opts, threads: 1 },
      ...(layouts[0] ? { layout: layouts[0] } : {}),
    };
    remote = worker.run(req).then(
      (rs) => rs.forEach((r, k) => results.set(plan.theirs[k]!, r)),
      (e) => {
        // The worker could not run: this thread lints its share below.
        if (e instanceof LockstepError) throw e;
      },
    );
    remote.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
  } else early?.close();
  await t.choice.dialect.load();
  const eo = engineOptions(opts, t);
  const lintPiece = (p: Piece) => {
    const ms = histories[p.history]!.migrations;
    return runRules<LintTypes>(ms.slice(p.from, p.to), { ...eo, ...(p.from > 0 ? { replay: ms.slice(0, p.from) } : {}) });
  };
  for (const p of mine) results.set(p, lintPiece(p));
  await remote;
  const findings: Finding[] = [];
  const records: StatementRecord[] = [];
  let statements = 0;
  for (const p of [...mine, ...(plan?.theirs ?? [])]) {
    let r = results.get(p);
    if (!r) results.set(p, (r = lintPiece(p)));
    for (const f of r.findings) findings.push(f);
    if (r.records) for (const x of r.records) records.push(x);
    statements += r.statements;
  }
  const migrations = histories.reduce((n, h) => n + h.migrations.length, 0);
  const rules: Record<string, { title: string; why: string }> = {};
  for (const f of findings) {
    const r = t.choice.dialect.rules[f.rule];
    if (r && !rules[f.rule]) rules[f.rule] = { title: r.title, why: r.why };
  }
  return { findings, files, migrations, statements, dialect: t.choice.dialect.id, server: t.server, pgVersion: t.server.major, rules, ...(opts.records ? { records } : {}) };
}

/** Lints one piece of SQL, as if it were one migration run the given way (default: no runner transaction). */
export async function lintSql(sql: string, opts: LintOptions & { file?: string; transaction?: TransactionMode; layout?: LayoutId } = {}): Promise<LintResult> {
  const file: SourceFile = { path: opts.file ?? 'input.sql', text: sql };
  const migration: Migration = {
    id: file.path.replace(/\.sql$/, ''),
    layout: opts.layout ?? 'plain',
    up: { file, parts: [{ start: 0, end: sql.length }] },
    transaction: opts.transaction ?? 'none',
    transactionSource: opts.transaction ? 'given' : 'plain default',
  };
  return lintMigrations([migration], [file], opts);
}

/**
 * Reads migration files and directories (layouts detected unless given) and lints them. Each directory
 * is a history of its own; files given one by one are one history with the other files given from
 * the same directory (as a shell glob gives them).
 */
export async function lintPaths(
  paths: string[],
  opts: LintOptions & { layout?: LayoutId; layoutOptions?: Partial<Record<LayoutId, LayoutOptions>> } = {},
): Promise<LintResult> {
  if (opts.dialect !== undefined || opts.serverVersion !== undefined || opts.pgVersion !== undefined) target(opts); // bad options fail before the file system is touched
  // Start the worker now, so that it loads while the files are read (it is stopped unused when there is little SQL).
  const early = parallelizable(opts) ? new LintWorker() : undefined;
  try {
    const { histories, files } = await readMigrations(paths, { ...(opts.layout ? { layout: opts.layout } : {}), ...(opts.layoutOptions ? { layoutOptions: opts.layoutOptions } : {}) });
    return await lintHistoriesWith(histories, files, opts, early);
  } catch (e) {
    early?.close();
    throw e;
  }
}

/** A worker thread's share (see parallel.ts): the histories linted as lintHistories lints them, with the same target. */
export async function lintShare(req: ShareRequest): Promise<ShareResult[]> {
  const t = target(req.opts, req.layout);
  await t.choice.dialect.load();
  const eo = engineOptions(req.opts, t);
  return req.pieces.map((p) => runRules<LintTypes>(p.migrations, { ...eo, ...(p.replay ? { replay: p.replay } : {}) }));
}

/** What a replay reads of a migration: its up section (sent to a worker without the rest). */
function upOnly(m: Migration): Migration {
  return { id: m.id, layout: m.layout, up: m.up, transaction: m.transaction, transactionSource: m.transactionSource };
}

/**
 * The schema `sql` makes, as a catalog of the chosen dialect (as `--db` would read it): for rule examples
 * and tests that need tables to exist before the migration.
 */
export async function schemaFromSql(sql: string, opts: Pick<LintOptions, 'dialect' | 'serverVersion' | 'pgVersion'> = {}): Promise<LintCatalog<any>> {
  const t = target(opts);
  await t.choice.dialect.load();
  const kit = t.choice.dialect.lint(t.server);
  const catalog = kit.newCatalog();
  const parsed = kit.parse(sql, 0);
  if (parsed.syntaxErrors.length) throw usageError('schema', `cannot parse: ${parsed.syntaxErrors[0]!.message}`);
  for (const s of parsed.statements) catalog.apply(s, 'schema');
  return catalog;
}

/** Session defaults from config's `assume` block. */
export function assumedSession(assume: { lockTimeout?: string; statementTimeout?: string; timeZone?: string } | undefined): SessionDefaults | undefined {
  if (!assume) return undefined;
  return {
    ...(assume.lockTimeout ? { lockTimeoutMs: parseDuration(assume.lockTimeout) ?? 0 } : {}),
    ...(assume.statementTimeout ? { statementTimeoutMs: parseDuration(assume.statementTimeout) ?? 0 } : {}),
    ...(assume.timeZone ? { timeZoneUtc: /^(utc|etc\/utc|gmt|z)$/i.test(assume.timeZone) } : {}),
    source: 'config (assume)',
  };
}
