/** `lockstep plan <spec|sql>`: argv → change → plan → renderer → exit code. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, oneOf, dbUrlProblem } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError } from '../core/errors.js';
import { loadConfig, parseVersion } from '../config/config.js';
import { DEFAULT_PG_VERSION } from '../lint/lint.js';
import { introspectUrl } from '../dialects/postgres/introspect.js';
import { plan } from '../plan/planner.js';
import { planFormats, renderPlanJson, renderPlanSql, renderPlanSqlFiles, renderPlanText } from '../report/plan.js';
import { readChange } from '../spec/read.js';
import { LineIndex } from '../report/lines.js';

export const planHelp = `Usage: lockstep plan <change.yaml|change.json|migration.sql> [options]

Turns a change (a change spec, or the ADD COLUMN / CREATE INDEX / ADD CONSTRAINT / SET NOT NULL
statements of a SQL migration) into small safe steps: expand, backfill, contract. Each step shows its
SQL, its down, the lock it takes and what that blocks, whether it runs in a transaction, and an estimate.

Options:
  --db <url>           read the version, schema, sizes, replicas and blocking sessions (read-only)
  --pg-version <N>     target Postgres major when planning without --db (default: config, else ${DEFAULT_PG_VERSION})
  --format <f>         ${planFormats.join(' | ')} (default: text); sql writes one migration per step
  --out <dir>          with --format sql: write the files there instead of printing them
  -h, --help           show this help

Exit codes: 0 planned, 1 some SQL statements could not be turned into steps (listed), 2 bad usage or input,
4 cannot read --db.`;

export async function planCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    db: { type: 'string' },
    'pg-version': { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(planHelp + '\n');
    return EXIT.ok;
  }
  const problems: { where: string; message: string }[] = [];
  let format: (typeof planFormats)[number] = 'text';
  try {
    format = oneOf('--format', values.format, planFormats) ?? 'text';
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
  }
  if (values['pg-version'] !== undefined && !parseVersion(values['pg-version']))
    problems.push({ where: '--pg-version', message: `must be a Postgres major from 11 to 18; got ${JSON.stringify(values['pg-version'])}` });
  const dbp = dbUrlProblem(values.db, 'plan');
  if (dbp) problems.push({ where: '--db', message: dbp });
  if (values.out !== undefined && format !== 'sql') problems.push({ where: '--out', message: 'only goes with --format sql' });
  if (positionals.length !== 1) problems.push({ where: 'plan', message: positionals.length ? 'takes one change file' : 'needs a change file (.yaml, .yml, .json or .sql)' });
  if (problems.length) throw new LockstepError('E_USAGE', problems);

  const { config } = await loadConfig(io.cwd, values.config);
  const file = positionals[0]!;
  const { change, unconverted, source } = await readChange(resolve(io.cwd, file), file);

  let version = parseVersion(values['pg-version'] ?? config.pgVersion ?? DEFAULT_PG_VERSION)!.major;
  let catalog;
  let live;
  if (values.db) {
    const tables = [...new Set(change.operations.map((op) => op.table.name))];
    const facts = await introspectUrl(values.db, '--db', { activityOn: tables });
    version = facts.major;
    catalog = facts.catalog;
    live = facts.live;
  }
  const p = change.operations.length ? await plan(change, { version, ...(catalog ? { catalog } : {}), ...(live ? { live } : {}) }) : undefined;

  if (p) {
    if (format === 'json') io.stdout.write(renderPlanJson(p));
    else if (format === 'sql' && values.out) {
      const dir = resolve(io.cwd, values.out);
      await mkdir(dir, { recursive: true });
      const files = renderPlanSqlFiles(p);
      for (const f of files) await writeFile(join(dir, f.name), f.text);
      io.stdout.write(`wrote ${files.length} files (${files.length / 2} steps, up and down) to ${values.out}\n`);
    } else if (format === 'sql') io.stdout.write(renderPlanSql(p));
    else io.stdout.write(renderPlanText(p, { color: useColor(io) }));
  }
  if (unconverted.length) {
    const li = new LineIndex(source);
    for (const u of unconverted) {
      const pos = li.position(u.span.start);
      io.stderr.write(`lockstep: ${file}:${pos.line}:${pos.column}: not planned: ${u.reason}${u.findings.length ? ` (lint: ${u.findings.map((f) => f.rule).join(', ')})` : ''}\n`);
    }
    if (!p) io.stderr.write(`lockstep: ${file}: nothing in it could be planned\n`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

