/**
 * The lint library API: SQL text or migration paths in, findings out. Reads files and config; never
 * prints or exits (the CLI does that).
 */
import type { Finding, Severity, SourceFile } from '../core/types.js';
import { loadParser } from '../parse/postgres.js';
import type { LayoutId, LayoutOptions, Migration, TransactionMode } from '../parse/migrations.js';
import { readMigrations, type History } from '../parse/layouts/index.js';
import { Catalog } from '../dialects/postgres/catalog.js';
import { rules, type RuleId } from '../rules/registry.js';
import type { Rule } from '../rules/rule.js';
import { resolveRules, parseVersion, type RuleSetting } from '../config/config.js';
import { usageError } from '../core/errors.js';
import { parseDuration, type SessionDefaults } from './session.js';
import { runRules, type ActiveRule } from './engine.js';

export const DEFAULT_PG_VERSION = 15;

export interface LintOptions {
  /** Target Postgres major or full version ("14.2"); default 15. */
  pgVersion?: number | string;
  /** Rule settings as in the config file. */
  rules?: Record<string, RuleSetting>;
  /** Run only these rules (at their default severity unless `rules` says otherwise). */
  only?: (RuleId | Rule)[];
  /** The schema before the first migration (from a live database). */
  catalog?: Catalog;
  /** Session settings the runner applies (lock_timeout it sets itself, …). */
  session?: SessionDefaults;
}

export interface LintResult {
  findings: Finding[];
  /** Every file read, for code frames. */
  files: SourceFile[];
  migrations: number;
  statements: number;
  /** The Postgres major the findings are for. */
  pgVersion: number;
}

function activeRules(opts: LintOptions): ActiveRule[] {
  if (opts.only) {
    return opts.only.map((r) => {
      const rule = typeof r === 'string' ? rules[r] : r;
      const s = opts.rules?.[rule.id];
      const explicit = !!s && s !== 'off' && s !== 'on';
      return { rule, severity: explicit ? (s as Severity) : rule.severity, explicit };
    });
  }
  return resolveRules(opts.rules).map(({ id, severity }) => {
    const s = opts.rules?.[id];
    return { rule: (rules as Record<string, Rule>)[id]!, severity, explicit: !!s && s !== 'on' };
  });
}

function engineOptions(opts: LintOptions) {
  const v = parseVersion(opts.pgVersion ?? DEFAULT_PG_VERSION);
  if (!v) throw usageError('--pg-version', `must be a Postgres major from 11 to 18 (or a version like 14.2), got ${String(opts.pgVersion)}`);
  const active = activeRules(opts);
  const sev = (id: string): Severity | undefined => active.find((a) => a.rule.id === id)?.severity;
  return {
    version: v.major,
    ...(v.num ? { versionNum: v.num } : {}),
    rules: active.filter((a) => a.rule.check || a.rule.end),
    knownRuleIds: new Set(Object.keys(rules)),
    ...(opts.catalog ? { catalog: opts.catalog } : {}),
    ...(opts.session ? { session: opts.session } : {}),
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
  await loadParser();
  const eo = engineOptions(opts);
  const findings: Finding[] = [];
  let statements = 0;
  let migrations = 0;
  for (const h of histories) {
    const r = runRules(h.migrations, eo);
    findings.push(...r.findings);
    statements += r.statements;
    migrations += h.migrations.length;
  }
  return { findings, files, migrations, statements, pgVersion: eo.version };
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
  engineOptions(opts); // validate options before touching the file system
  const { histories, files } = await readMigrations(paths, { ...(opts.layout ? { layout: opts.layout } : {}), ...(opts.layoutOptions ? { layoutOptions: opts.layoutOptions } : {}) });
  return lintHistories(histories, files, opts);
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
