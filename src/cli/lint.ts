/** `lockstep lint [paths…]`: argv → options → lintPaths → renderer → exit code. */
import { relative, resolve } from 'node:path';
import { parse, oneOf } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { LockstepError } from '../core/errors.js';
import { severityRank } from '../core/types.js';
import { loadConfig, parseVersion, failOnValues, type FailOn } from '../config/config.js';
import { lintPaths, assumedSession, DEFAULT_PG_VERSION } from '../lint/lint.js';
import { introspectUrl } from '../dialects/postgres/introspect.js';
import { layoutIds, type LayoutId } from '../parse/migrations.js';
import { lintFormats, lintRenderers } from '../report/index.js';

export const lintHelp = `Usage: lockstep lint [paths…] [options]

Checks migration SQL for statements that lock or rewrite tables on a live Postgres, and says what
to do instead. Paths are migration directories or .sql files (default: "paths" from the config).

Options:
  --pg-version <N>     target Postgres major, 11–18, or a version like 14.2 (default: config, else ${DEFAULT_PG_VERSION})
  --db <url>           read version, table sizes and schema from this database (read-only)
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
  if (values['pg-version'] !== undefined && !parseVersion(values['pg-version']))
    problems.push({ where: '--pg-version', message: `must be a Postgres major from 11 to 18 (or a version like 14.2); got ${JSON.stringify(values['pg-version'])}` });
  if (values.db !== undefined && !/^postgres(ql)?:\/\//.test(values.db)) problems.push({ where: '--db', message: 'must be a postgres:// or postgresql:// URL' });
  if (problems.length) throw new LockstepError('E_USAGE', problems);

  const { config, dir: configDir } = await loadConfig(io.cwd, values.config);
  // Paths on the command line are relative to the working directory; paths in the config, to the config file.
  const paths = positionals.length ? positionals : (config.paths ?? []).map((p) => relative(io.cwd, resolve(configDir ?? io.cwd, p)) || '.');
  if (!paths.length) throw new LockstepError('E_USAGE', [{ where: 'lint', message: 'no paths given (pass migration directories or .sql files, or set "paths" in lockstep.config.json)' }]);

  let pgVersion: number | string = values['pg-version'] ?? config.pgVersion ?? DEFAULT_PG_VERSION;
  let catalog;
  let session = assumedSession(config.assume);
  if (values.db) {
    const facts = await introspectUrl(values.db);
    if (values['pg-version'] === undefined) pgVersion = `${facts.major}.${facts.versionNum % 10000}`;
    catalog = facts.catalog;
    session = session ?? {
      lockTimeoutMs: facts.settings.lockTimeoutMs,
      statementTimeoutMs: facts.settings.statementTimeoutMs,
      timeZoneUtc: /^(utc|etc\/utc|gmt|z|zulu)$/i.test(facts.settings.timeZone),
      source: "the database's settings for this role",
    };
  }
  const result = await lintPaths(
    paths.map((p) => p),
    {
      pgVersion,
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
