/** `lockstep lint [paths…]`: argv → options → lintPaths → renderer → exit code. */
import { relative, resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { parse, oneOf } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError } from '../core/errors.js';
import { severityRank } from '../core/types.js';
import { loadConfig, failOnValues, type FailOn } from '../config/config.js';
import { lintPaths, assumedSession, DEFAULT_PG_VERSION } from '../lint/lint.js';
import { chooseDialect, chooseVersion, dialectNames, urlProblem } from '../dialects/index.js';
import { versionText, type Flavor } from '../core/version.js';
import { layoutIds, type LayoutId } from '../parse/migrations.js';
import { lintFormats, lintRenderers } from '../report/index.js';

export const lintHelp = `Usage: lockstep lint [paths…] [options]

Checks migration SQL for statements that lock or rewrite tables on a live PostgreSQL, MySQL or MariaDB,
and says what to do instead. Paths are migration directories or .sql files (default: "paths" from the
config); each directory is its own migration history.

Options:
  --dialect <d>        ${dialectNames.join(' | ')} (default: from --db, config, the layout, else postgres)
  --server-version <v> target version: PostgreSQL 11–18 or like 14.2, MySQL like 8.0.36, MariaDB like 10.11
                       (default: config, else PostgreSQL ${DEFAULT_PG_VERSION}, MySQL 8.0, MariaDB 10.11)
  --pg-version <v>     the same, for PostgreSQL (kept for existing scripts)
  --db <url>           read version, table sizes and schema from this database, read-only
                       (postgres://, postgresql://, mysql:// or mariadb://)
  --format <f>         ${lintFormats.join(' | ')} (default: text)
  --fail-on <level>    ${failOnValues.join(' | ')}: exit 1 when a finding is at or above it (default: error)
  --layout <name>      ${layoutIds.join(' | ')} (default: detected per path)
  --config <file>      config file (default: lockstep.config.json, or "lockstep" in package.json)
  -h, --help           show this help

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 bad usage or input, 4 cannot read --db.
Ignore a finding: "-- lockstep-ignore <rule-id>: <reason>" before the statement,
or "-- lockstep-ignore-file <rule-id>" anywhere in the file. Rules: docs/rules/README.md`;

export async function lintCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    'pg-version': { type: 'string' },
    'server-version': { type: 'string' },
    dialect: { type: 'string' },
    db: { type: 'string' },
    format: { type: 'string' },
    'fail-on': { type: 'string' },
    layout: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(lintHelp + '\n');
    return EXIT.ok;
  }
  // Validate every flag before reading anything.
  const problems: { where: string; message: string }[] = [];
  const check = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof LockstepError) problems.push(...e.problems);
      else throw e;
    }
  };
  let format: (typeof lintFormats)[number] = 'text';
  let failOnFlag: FailOn | undefined;
  let layoutFlag: LayoutId | undefined;
  check(() => (format = oneOf('--format', values.format, lintFormats) ?? 'text'));
  check(() => (failOnFlag = oneOf('--fail-on', values['fail-on'], failOnValues)));
  check(() => (layoutFlag = oneOf('--layout', values.layout, layoutIds)));
  if (values['pg-version'] !== undefined && values['server-version'] !== undefined) problems.push({ where: '--pg-version', message: 'goes without --server-version (it is the same setting)' });
  const dbProblem = values.db !== undefined ? urlProblem(values.db, 'lint') : undefined;
  if (dbProblem) problems.push({ where: '--db', message: dbProblem });
  // The config too, so that a bad config and bad flags are all reported at once.
  let loaded: Awaited<ReturnType<typeof loadConfig>> | undefined;
  try {
    loaded = await loadConfig(io.cwd, values.config);
  } catch (e) {
    if (!(e instanceof LockstepError) || !problems.length) throw e;
    problems.push(...e.problems);
  }
  // The dialect and version the flags and config name (a layout's own declaration is read with the files).
  const versionFlag = values['server-version'] ?? values['pg-version'];
  const versionWhere = values['server-version'] !== undefined ? '--server-version' : '--pg-version';
  check(() => {
    const choice = chooseDialect({ ...(values.dialect !== undefined ? { flag: values.dialect } : {}), ...(values.db && !dbProblem ? { urls: [{ url: values.db, where: '--db' }] } : {}), ...(loaded?.config.dialect ? { config: loaded.config.dialect } : {}) });
    if (versionFlag !== undefined) chooseVersion(choice, { text: versionFlag, where: versionWhere });
    if (values['pg-version'] !== undefined && choice.dialect.id !== 'postgres') problems.push({ where: '--pg-version', message: `is for PostgreSQL; the target is ${choice.dialect.name}: use --server-version` });
  });
  if (problems.length || !loaded) throw new LockstepError('E_USAGE', problems);
  const { config, dir: configDir } = loaded;
  // Paths on the command line are relative to the working directory; paths in the config, to the config file.
  const paths = positionals.length ? positionals : (config.paths ?? []).map((p) => relative(io.cwd, resolve(configDir ?? io.cwd, p)) || '.');
  if (!paths.length) throw new LockstepError('E_USAGE', [{ where: 'lint', message: 'no paths given (pass migration directories or .sql files, or set "paths" in lockstep.config.json)' }]);

  let serverVersion: string | undefined = versionFlag ?? config.serverVersion ?? (config.pgVersion !== undefined ? String(config.pgVersion) : undefined);
  let dialect: Flavor | undefined = values.dialect ?? config.dialect;
  let catalog;
  let session = assumedSession(config.assume);
  if (values.db) {
    const choice = chooseDialect({ ...(dialect !== undefined ? { flag: dialect } : {}), urls: [{ url: values.db, where: '--db' }] });
    const facts = await choice.dialect.introspect(values.db, '--db');
    // The server says what it is (a mysql:// URL may well be a MariaDB).
    dialect = facts.version.flavor;
    if (versionFlag === undefined) serverVersion = versionText(facts.version);
    catalog = facts.catalog;
    session = session ?? facts.settings;
  }
  const result = await lintPaths(
    paths.map((p) => p),
    {
      ...(dialect !== undefined ? { dialect } : {}),
      ...(serverVersion !== undefined ? { serverVersion } : {}),
      records: (format as string) === 'json',
      // A second thread pays only when a core is free (on a busy machine it only adds work).
      threads: lintThreads(),
      ...(config.rules ? { rules: config.rules } : {}),
      ...(catalog ? { catalog } : {}),
      ...(session ? { session } : {}),
      ...((layoutFlag ?? config.layout) ? { layout: (layoutFlag ?? config.layout)! } : {}),
      ...(config.layouts ? { layoutOptions: config.layouts } : {}),
    },
  );
  io.stdout.write(lintRenderers[format](result, { color: format === 'text' && useColor(io) }));
  const failOn = failOnFlag ?? config.failOn ?? 'error';
  if (failOn === 'never') return EXIT.ok;
  const threshold = severityRank(failOn);
  return result.findings.some((f) => severityRank(f.severity) >= threshold) ? EXIT.findings : EXIT.ok;
}

/** Two threads when the machine has a core to spare over the last minute's load, else one. */
function lintThreads(): number {
  const cores = availableParallelism();
  return cores > 1 && loadavg()[0]! <= cores - 1 ? 2 : 1;
}
