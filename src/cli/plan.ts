/** `lockstep plan <spec|sql>`: argv → change → plan → renderer → exit code. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, oneOf, dbUrlProblem } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError } from '../core/errors.js';
import { loadConfig, parseVersion } from '../config/config.js';
import { DEFAULT_PG_VERSION } from '../lint/lint.js';
import { planFormats } from '../report/plan.js';
import { LineIndex } from '../report/lines.js';
import { dialectNames, chooseVersion } from '../dialects/index.js';
import { migratorFor } from './migrator.js';
import { readSource } from './read-change.js';

export const planHelp = `Usage: lockstep plan <change.yaml|change.json|migration.sql> [options]

Turns a change (a change spec, or the ADD COLUMN / CREATE INDEX / ADD CONSTRAINT / SET NOT NULL (MySQL/MariaDB also MODIFY)
statements of a SQL migration) into small safe steps: expand, backfill, contract. Each step shows its
SQL, its down, the lock it takes and what that blocks, whether it runs in a transaction, and an estimate.

Options:
  --db <url>           read the version, schema, sizes, replicas and blocking sessions (read-only)
  --dialect <d>        ${dialectNames.join(' | ')} (default: from --db, config, else postgres)
  --server-version <v> target version without --db: PostgreSQL 11–18, MySQL like 8.0.36, MariaDB like 10.11
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
    'server-version': { type: 'string' },
    dialect: { type: 'string' },
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
  if (values['pg-version'] !== undefined && values['server-version'] !== undefined) problems.push({ where: '--pg-version', message: 'goes without --server-version (it is the same setting)' });
  if (problems.length) throw new LockstepError('E_USAGE', problems);

  const { config } = await loadConfig(io.cwd, values.config);
  const { choice, migrator } = await migratorFor('plan', { ...(values.dialect !== undefined ? { flag: values.dialect } : {}), ...(values.db ? { url: values.db } : {}), ...(config.dialect ? { config: config.dialect } : {}) });
  if (values['pg-version'] !== undefined && choice.dialect.id !== 'postgres') throw new LockstepError('E_USAGE', [{ where: '--pg-version', message: `is for PostgreSQL; the target is ${choice.dialect.name}: use --server-version` }]);
  const versionText = values['server-version'] ?? values['pg-version'] ?? config.serverVersion ?? (choice.dialect.id === 'postgres' ? String(config.pgVersion ?? DEFAULT_PG_VERSION) : undefined);
  const server = chooseVersion(choice, versionText !== undefined ? { text: versionText, where: values['server-version'] !== undefined ? '--server-version' : values['pg-version'] !== undefined ? '--pg-version' : 'config' } : undefined);
  const file = positionals[0]!;
  const { change, unconverted, source } = await readSource({ dialect: choice.dialect, migrator }, resolve(io.cwd, file), file);

  const p = change.operations.length ? await migrator.plan(change, { server, ...(values.db ? { url: values.db, where: '--db' } : {}) }) : undefined;

  if (p) {
    if (format === 'sql') {
      const files = migrator.render(p, 'sql', { color: false }) as { name: string; text: string }[];
      if (values.out) {
        const dir = resolve(io.cwd, values.out);
        await mkdir(dir, { recursive: true });
        for (const f of files) await writeFile(join(dir, f.name), f.text);
        io.stdout.write(`wrote ${files.length} files (${files.length / 2} steps, up and down) to ${values.out}\n`);
      } else io.stdout.write(files.map((f) => `-- ===== ${f.name}\n${f.text}`).join('\n'));
    } else io.stdout.write(migrator.render(p, format, { color: format === 'text' && useColor(io) }) as string);
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

