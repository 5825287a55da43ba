/** `lockstep app-check <spec|sql> [src…]`: the application code a change will break, with file:line. */

import { parse, UsageProblems } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError } from '../core/errors.js';
import { loadConfig, parseVersion } from '../config/config.js';
import { DEFAULT_PG_VERSION } from '../lint/lint.js';
import { LineIndex } from '../report/lines.js';
import { dialectNames } from '../dialects/index.js';
import { appCheck, type AppCheckResult } from '../app/app-check.js';
import { readAppChange } from './app-change.js';
import { tableLabel } from '../app/columns.js';
import { severityRank, type Severity } from '../core/types.js';

export const appCheckHelp = `Usage: lockstep app-check <change.yaml|change.json|migration.sql> [src paths…] [options]

Finds the application code that reads or writes the tables a change touches and will break or
misbehave while it rolls out or after it, with file:line and what to do:
  insert-without-columns  INSERT INTO t VALUES (…) / SELECT … / DEFAULT VALUES without a column list
  insert-omits-column     an insert (SQL, Knex, Kysely, Drizzle, Prisma Client) that does not set a
                          column that becomes NOT NULL without a default
  select-star             SELECT *, t.*, RETURNING * over the table: the rows (and what serializes them) change
  model-missing-column    a Prisma model, Drizzle table, TypeORM entity or Kysely/Knex table type without the new column
  assumes-not-null        code, a type or a model that treats the column as never NULL while it can be
  sql-not-parsed          SQL mentioning the table that did not parse, so it was not checked
Reads .ts .tsx .mts .cts .js .jsx .mjs .cjs and .prisma files under the paths (default: .), skipping
node_modules, dist, build and hidden directories; .sql files only when named. SQL in strings and
template literals is read with the dialect's parser (Postgres; MySQL/MariaDB: \`?\` placeholders,
backticks); files that do not parse are listed and skipped.

The dialect: --dialect, else the --db URL, else config "dialect", else what the app declares (a Prisma
datasource provider, a drizzle.config dialect), else MySQL-only syntax in the change's SQL, else postgres.

Options:
  --phase <p>          when the checked code will be deployed: expand (before the contract phase, the
                       default: the column may still be NULL) or contract (after it)
  --dialect <d>        ${dialectNames.join(' | ')}: the database the change and the application's SQL are for
  --db <url>           read the target's version and schema (read-only)
  --pg-version <N>     target Postgres major without --db (default: config, else ${DEFAULT_PG_VERSION})
  --format <f>         text | json (default: text)
  --fail-on <level>    error | warning | never: exit 1 when a finding is at least this (default: error)
  -h, --help           show this help

Exit codes: 0 nothing at --fail-on, 1 findings, 2 bad usage or input, 4 cannot read --db.`;

export async function appCheckCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    phase: { type: 'string' },
    dialect: { type: 'string' },
    db: { type: 'string' },
    'pg-version': { type: 'string' },
    format: { type: 'string' },
    'fail-on': { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(appCheckHelp + '\n');
    return EXIT.ok;
  }
  const problems = new UsageProblems();
  const phase = problems.oneOf('--phase', values.phase, ['expand', 'contract'] as const) ?? 'expand';
  const format = problems.oneOf('--format', values.format, ['text', 'json'] as const) ?? 'text';
  const failOn = problems.oneOf('--fail-on', values['fail-on'], ['error', 'warning', 'never'] as const) ?? 'error';
  problems.pgVersion(values['pg-version'], (v) => !!parseVersion(v));
  problems.dbUrl(values.db, 'app-check');
  if (!positionals.length) problems.add('app-check', 'needs a change file (.yaml, .yml, .json or .sql), then the source paths to check');
  problems.throwIfAny();

  const { config } = await loadConfig(io.cwd, values.config);
  const [file, ...paths] = positionals as [string, ...string[]];
  const { choice, change, unconverted, source } = await readAppChange({
    command: 'app-check',
    cwd: io.cwd,
    file,
    paths,
    config,
    ...(values.dialect !== undefined ? { dialect: values.dialect } : {}),
    ...(values.db ? { db: values.db } : {}),
    ...(values['pg-version'] !== undefined ? { pgVersion: values['pg-version'] } : {}),
  });
  if (!change.operations.some((op) => op.kind === 'addColumn' || op.kind === 'setNotNull'))
    throw new LockstepError('E_INPUT', [{ where: file, message: 'adds no column and sets no NOT NULL: there is nothing for the application to adapt to' }]);
  // The statements of a SQL change that are not operations (a hand-written UPDATE backfill, say) do not change what the app sees; say so.
  if (unconverted.length) {
    const li = new LineIndex(source);
    for (const u of unconverted) io.stderr.write(`lockstep: ${file}:${li.position(u.span.start).line}: not part of the change app-check looks at: ${u.reason}\n`);
  }
  // With --db the server's version (or the plan apply recorded) decides, unless --pg-version says otherwise.
  const version = values['pg-version'] !== undefined ? parseVersion(values['pg-version'])!.major : values.db ? undefined : parseVersion(config.pgVersion ?? DEFAULT_PG_VERSION)!.major;
  const result = await appCheck(change, { paths, cwd: io.cwd, phase, dialect: choice.dialect, ...(version !== undefined ? { version } : {}), ...(values.db ? { db: values.db } : {}) });
  if (format === 'json') io.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else io.stdout.write((choice.from === 'default' ? '' : `database: ${choice.dialect.name} (from ${choice.from})\n`) + renderAppCheckText(result, useColor(io)));
  const threshold: Severity | undefined = failOn === 'never' ? undefined : failOn;
  return threshold && result.findings.some((f) => severityRank(f.severity) >= severityRank(threshold)) ? EXIT.findings : EXIT.ok;
}

export function renderAppCheckText(r: AppCheckResult, color: boolean): string {
  const paint = (s: string, code: number) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sev = (s: Severity) => (s === 'error' ? paint('error  ', 31) : s === 'warning' ? paint('warning', 33) : paint('info   ', 36));
  const out: string[] = [];
  for (const c of r.columns) {
    const state =
      c.kind === 'addColumn'
        ? c.nullableAtEnd
          ? 'new, nullable'
          : c.nullableDuringRollout
            ? `new; NULL in rows not yet backfilled until contract, NOT NULL after${c.hasDefault ? '' : ' (no default: inserts must set it)'}`
            : 'new, NOT NULL with its default from the start'
        : `existing; NOT NULL after contract${c.hasDefault ? '' : ' (no default: inserts must set it)'}`;
    out.push(`${tableLabel(c.table)}.${c.column}${c.type ? ` ${c.type}` : ''}: ${state}`);
  }
  out.push(`checking code to be deployed ${r.phase === 'expand' ? 'before the contract phase (--phase expand)' : 'after the contract phase (--phase contract)'}`, '');
  for (const f of r.findings) {
    out.push(`${f.file}:${f.line}:${f.column}  ${sev(f.severity)}  ${f.rule}  ${f.message}`);
    if (f.excerpt) out.push(`    ${paint(f.excerpt, 2)}`);
    out.push(`    → ${f.advice}`);
  }
  for (const s of r.skipped) out.push(`${s.file}: skipped: ${s.reason}`);
  const n = (sv: Severity) => r.findings.filter((f) => f.severity === sv).length;
  const summary = `${r.filesChecked} file${r.filesChecked === 1 ? '' : 's'} checked: ${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info${r.skipped.length ? `; ${r.skipped.length} skipped` : ''}`;
  if (r.findings.length || r.skipped.length) out.push('');
  out.push(n('error') ? paint(summary, 31) : n('warning') ? paint(summary, 33) : paint(summary, 32));
  return out.join('\n') + '\n';
}
