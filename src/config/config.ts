/**
 * lockstep.config.json (or the "lockstep" key of package.json): validated as a whole, every problem
 * reported at once with its path (`rules.foo`, `pgVersion`, …).
 */
import { readFile } from 'node:fs/promises';
import { join, dirname, resolve } from 'node:path';
import { LockstepError, type Problem } from '../core/errors.js';
import { severities, type Severity } from '../core/types.js';
import { dialectOf, flavors, type Flavor } from '../core/version.js';
import { dialects } from '../dialects/index.js';
import { layoutIds, type LayoutId, type LayoutOptions, type TransactionMode } from '../parse/migrations.js';
import { isRuleId, allRules } from '../rules/registry.js';
import { MIN_VERSION, MAX_VERSION } from '../dialects/postgres/effects.js';
import { parseDurationText as parseDuration } from '../core/duration.js';
import { suggest } from '../core/suggest.js';
import { thresholdProblem, type VerifyThresholds } from '../verify/verify.js';
import { parseBudget } from '../rehearse/stats.js';

export type RuleSetting = Severity | 'off' | 'on';
export type FailOn = 'error' | 'warning' | 'never';
export const failOnValues: readonly FailOn[] = ['error', 'warning', 'never'];

export interface Config {
  /** The SQL dialect of the migrations: postgres (default), mysql or mariadb. */
  dialect?: Flavor;
  /** Target version of that dialect's server: "15", "14.2", "8.0.36", "10.11". */
  serverVersion?: string;
  /** Target Postgres major (11–18), or a full version like "14.2" (serverVersion for PostgreSQL). */
  pgVersion?: number | string;
  /** Per rule: a severity, `off`, or `on` (enables an opt-in rule at its default severity). */
  rules?: Record<string, RuleSetting>;
  /** Force a layout for every path. */
  layout?: LayoutId;
  /** Per layout: how the runner executes migrations. */
  layouts?: Partial<Record<LayoutId, LayoutOptions>>;
  /** Paths to lint when none are given on the command line. */
  paths?: string[];
  failOn?: FailOn;
  /** Session settings the runner applies before each migration (e.g. a lock_timeout it sets itself). */
  assume?: { lockTimeout?: string; statementTimeout?: string; timeZone?: string };
  /** `lockstep verify`: thresholds of its findings (the --threshold flags override them). */
  verify?: { thresholds?: Partial<VerifyThresholds> };
  /** `lockstep rehearse`: a latency budget ("20%"): the verdict fails on a significant regression beyond it (--latency-budget overrides it). */
  rehearse?: { latencyBudget?: string | number };
}

export interface LoadedConfig {
  config: Config;
  /** Where it came from, for messages; undefined when there is none. */
  source?: string;
  /** The directory of the config file: `paths` in it are relative to it. */
  dir?: string;
}

const transactionModes: readonly TransactionMode[] = ['none', 'wrapped', 'multi-statement'];

/** Validates a config object; throws one E_CONFIG error listing every problem. */
export function validateConfig(raw: unknown, where: string): Config {
  const problems: Problem[] = [];
  const at = (path: string) => (where ? `${where}: ${path}` : path);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new LockstepError('E_CONFIG', [{ where, message: 'must be a JSON object' }]);
  const c = raw as Record<string, unknown>;
  const known = ['$schema', 'dialect', 'serverVersion', 'pgVersion', 'rules', 'layout', 'layouts', 'paths', 'failOn', 'assume', 'verify', 'rehearse'];
  for (const k of Object.keys(c)) if (!known.includes(k)) problems.push({ where: at(k), message: `unknown setting (known: ${known.slice(1).join(', ')})` });
  if (c.dialect !== undefined && !(flavors as readonly unknown[]).includes(c.dialect)) problems.push({ where: at('dialect'), message: `must be one of ${flavors.join(', ')}; got ${JSON.stringify(c.dialect)}` });
  if (c.serverVersion !== undefined) {
    const flavor = (flavors as readonly unknown[]).includes(c.dialect) ? (c.dialect as Flavor) : 'postgres';
    const v = typeof c.serverVersion === 'string' ? serverVersionProblem(c.serverVersion, flavor) : 'must be a string like "15", "8.0.36" or "10.11"';
    if (v) problems.push({ where: at('serverVersion'), message: v });
    if (c.pgVersion !== undefined) problems.push({ where: at('pgVersion'), message: 'goes without serverVersion (it is the same setting)' });
  }
  if (c.pgVersion !== undefined) {
    const v = parseVersion(c.pgVersion);
    if (!v) problems.push({ where: at('pgVersion'), message: `must be a Postgres major from ${MIN_VERSION} to ${MAX_VERSION} (or a version like "14.2"), got ${JSON.stringify(c.pgVersion)}` });
  }
  if (c.rules !== undefined) {
    if (typeof c.rules !== 'object' || c.rules === null || Array.isArray(c.rules)) problems.push({ where: at('rules'), message: 'must be an object of rule id → severity' });
    else
      for (const [id, v] of Object.entries(c.rules)) {
        if (!isRuleId(id)) problems.push({ where: at(`rules.${id}`), message: `unknown rule${suggest(id, Object.keys(allRules))}` });
        if (!['off', 'on', ...severities].includes(v as string)) problems.push({ where: at(`rules.${id}`), message: `must be one of off, on, error, warning, info; got ${JSON.stringify(v)}` });
      }
  }
  if (c.layout !== undefined && !layoutIds.includes(c.layout as LayoutId)) problems.push({ where: at('layout'), message: `unknown layout ${JSON.stringify(c.layout)} (known: ${layoutIds.join(', ')})` });
  if (c.layouts !== undefined) {
    if (typeof c.layouts !== 'object' || c.layouts === null) problems.push({ where: at('layouts'), message: 'must be an object of layout → settings' });
    else
      for (const [id, v] of Object.entries(c.layouts as object)) {
        if (!layoutIds.includes(id as LayoutId)) problems.push({ where: at(`layouts.${id}`), message: `unknown layout (known: ${layoutIds.join(', ')})` });
        const t = (v as any)?.transaction;
        if (typeof v !== 'object' || v === null) problems.push({ where: at(`layouts.${id}`), message: 'must be an object like { "transaction": "none" }' });
        else {
          for (const k of Object.keys(v)) if (k !== 'transaction') problems.push({ where: at(`layouts.${id}.${k}`), message: 'unknown setting (known: transaction)' });
          if (t !== undefined && !transactionModes.includes(t)) problems.push({ where: at(`layouts.${id}.transaction`), message: `must be one of ${transactionModes.join(', ')}; got ${JSON.stringify(t)}` });
        }
      }
  }
  if (c.paths !== undefined && (!Array.isArray(c.paths) || !c.paths.every((p) => typeof p === 'string' && p.length > 0)))
    problems.push({ where: at('paths'), message: 'must be an array of non-empty strings' });
  if (c.failOn !== undefined && !failOnValues.includes(c.failOn as FailOn)) problems.push({ where: at('failOn'), message: `must be one of ${failOnValues.join(', ')}; got ${JSON.stringify(c.failOn)}` });
  if (c.assume !== undefined) {
    if (typeof c.assume !== 'object' || c.assume === null) problems.push({ where: at('assume'), message: 'must be an object' });
    else
      for (const [k, v] of Object.entries(c.assume as object)) {
        if (k === 'lockTimeout' || k === 'statementTimeout') {
          if (typeof v !== 'string' || parseDuration(v) === undefined) problems.push({ where: at(`assume.${k}`), message: `must be a duration like "2s" or "500ms"; got ${JSON.stringify(v)}` });
        } else if (k === 'timeZone') {
          if (typeof v !== 'string') problems.push({ where: at('assume.timeZone'), message: 'must be a string like "UTC"' });
        } else problems.push({ where: at(`assume.${k}`), message: 'unknown setting (known: lockTimeout, statementTimeout, timeZone)' });
      }
  }
  if (c.rehearse !== undefined) {
    if (typeof c.rehearse !== 'object' || c.rehearse === null || Array.isArray(c.rehearse)) problems.push({ where: at('rehearse'), message: 'must be an object like { "latencyBudget": "20%" }' });
    else
      for (const [k, v] of Object.entries(c.rehearse as object)) {
        if (k !== 'latencyBudget') problems.push({ where: at(`rehearse.${k}`), message: 'unknown setting (known: latencyBudget)' });
        else if (parseBudget(v) === undefined) problems.push({ where: at('rehearse.latencyBudget'), message: `must be a percentage like "20%"; got ${JSON.stringify(v)}` });
      }
  }
  if (c.verify !== undefined) {
    if (typeof c.verify !== 'object' || c.verify === null || Array.isArray(c.verify)) problems.push({ where: at('verify'), message: 'must be an object like { "thresholds": { "queryRegressionPct": 30 } }' });
    else
      for (const [k, v] of Object.entries(c.verify as object)) {
        if (k !== 'thresholds') problems.push({ where: at(`verify.${k}`), message: 'unknown setting (known: thresholds)' });
        else if (typeof v !== 'object' || v === null || Array.isArray(v)) problems.push({ where: at('verify.thresholds'), message: 'must be an object of threshold name → number' });
        else
          for (const [name, value] of Object.entries(v as object)) {
            const problem = thresholdProblem(name, value);
            if (problem) problems.push({ where: at(`verify.thresholds.${name}`), message: problem });
          }
      }
  }
  if (problems.length) throw new LockstepError('E_CONFIG', problems);
  return c as Config;
}

/** `15` / `"15"` / `"14.2"` → { major, num } (num = 140002); undefined when invalid or out of range. */
export function parseVersion(v: unknown): { major: number; num?: number } | undefined {
  const s = String(v ?? '').trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return undefined;
  const major = Number(m[1]);
  if (major < MIN_VERSION || major > MAX_VERSION) return undefined;
  return m[2] !== undefined ? { major, num: major * 10000 + Number(m[2]) } : { major };
}

/**
 * Finds and validates the config: an explicit file, else lockstep.config.json or package.json's
 * "lockstep" key in `cwd` or the nearest parent that has one.
 */
export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  if (explicit) return { config: validateConfig(await readJson(resolve(cwd, explicit), explicit), explicit), source: explicit, dir: dirname(resolve(cwd, explicit)) };
  let dir = resolve(cwd);
  for (;;) {
    const file = join(dir, 'lockstep.config.json');
    const own = await readJson(file, file, true);
    if (own !== undefined) return { config: validateConfig(own, file), source: file, dir };
    const pkgFile = join(dir, 'package.json');
    const pkg = await readJson(pkgFile, pkgFile, true);
    if (pkg !== undefined && typeof pkg === 'object' && pkg !== null && 'lockstep' in pkg) {
      const where = `${pkgFile} ("lockstep")`;
      return { config: validateConfig((pkg as any).lockstep, where), source: where, dir };
    }
    if (pkg !== undefined || (await exists(join(dir, '.git')))) return { config: {} }; // project root: stop here
    const up = dirname(dir);
    if (up === dir) return { config: {} };
    dir = up;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await readFile(p);
    return true;
  } catch (e: any) {
    return e?.code === 'EISDIR';
  }
}

async function readJson(file: string, where: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e: any) {
    if (optional && (e?.code === 'ENOENT' || e?.code === 'ENOTDIR')) return undefined;
    throw new LockstepError('E_CONFIG', [{ where, message: e?.code === 'ENOENT' ? 'no such file' : `cannot read (${e?.code ?? e})` }]);
  }
  try {
    return JSON.parse(text);
  } catch (e: any) {
    throw new LockstepError('E_CONFIG', [{ where, message: `invalid JSON: ${String(e?.message ?? e).replace(/^.*?: /, '')}` }]);
  }
}

/** The active rules with their severities, from defaults and config. */
export function resolveRules(settings: Record<string, RuleSetting> = {}, ruleSet: Readonly<Record<string, { severity: Severity; optIn?: boolean }>> = allRules): { id: string; severity: Severity }[] {
  const out: { id: string; severity: Severity }[] = [];
  for (const [id, rule] of Object.entries(ruleSet)) {
    const s = settings[id];
    if (s === 'off') continue;
    if (s === undefined && (rule as { optIn?: boolean }).optIn) continue;
    out.push({ id, severity: s === undefined || s === 'on' ? rule.severity : s });
  }
  return out;
}

/** Why `text` is not a version of `flavor` lockstep knows, or undefined. */
function serverVersionProblem(text: string, flavor: Flavor): string | undefined {
  const dialect = dialects[dialectOf(flavor)];
  if (!dialect) return `${flavor}: not available in this version of lockstep`;
  const v = dialect.versions.parse(text, flavor);
  return typeof v === 'string' ? v : undefined;
}
