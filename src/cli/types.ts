/** `lockstep types <spec|sql>`: argv → change → row types at a phase → TypeScript / zod / Prisma / Drizzle text. */
import { parse, UsageProblems } from './args.js';
import { EXIT, type Io } from './io.js';
import { loadConfig, parseVersion } from '../config/config.js';
import { DEFAULT_PG_VERSION } from '../lint/lint.js';
import { phaseNames, type PhaseName } from '../plan/types.js';
import { LineIndex } from '../report/lines.js';
import { dialectNames } from '../dialects/index.js';
import { LockstepError } from '../core/errors.js';
import { readAppChange } from './app-change.js';

export const typesFormats = ['ts', 'prisma', 'drizzle', 'all'] as const;
export type TypesFormat = (typeof typesFormats)[number];

export const typesHelp = `Usage: lockstep types <change.yaml|change.json|migration.sql> [options]

The row of the table a change alters, as the application reads it after a phase: a TypeScript
interface of node-postgres values (optionally a zod schema), and the Prisma and Drizzle lines for the
new columns. A column that becomes NOT NULL is nullable until the step that enforces it has run
(usually contract; a default Postgres stores once makes it NOT NULL from expand on): the plan for the
target version decides, step by step. On MySQL/MariaDB: mysql2 values, Prisma (provider "mysql") and
drizzle-orm/mysql-core lines, nullability from lockstep's MySQL rollout (docs/types.md).

Options:
  --phase <p>          ${phaseNames.join(' | ')} (default: expand): the row after \`lockstep apply --until <p>\`
  --format <f>         ${typesFormats.join(' | ')} (default: ts)
  --zod                add zod schemas to the TypeScript (with --format ts or all)
  --dialect <d>        ${dialectNames.join(' | ')} (default: from --db, config, MySQL syntax in the change's SQL, else postgres)
  --db <url>           read the whole table, enum labels, domains, the version and the ledger's plan (read-only)
  --pg-version <N>     plan for this Postgres major (default: the --db server's, else config, else ${DEFAULT_PG_VERSION})
  -h, --help           show this help

Without --db only the columns the change adds or alters are typed, and a type that is not built in
(an enum, a domain) is a string. See docs/types.md.

Exit codes: 0 written, 1 some SQL statements could not be read as a change (listed), 2 bad usage or input,
4 cannot read --db.`;

export async function typesCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    phase: { type: 'string' },
    format: { type: 'string' },
    zod: { type: 'boolean' },
    db: { type: 'string' },
    dialect: { type: 'string' },
    'pg-version': { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(typesHelp + '\n');
    return EXIT.ok;
  }
  const problems = new UsageProblems();
  const phase: PhaseName = problems.oneOf('--phase', values.phase, phaseNames) ?? 'expand';
  const format: TypesFormat = problems.oneOf('--format', values.format, typesFormats) ?? 'ts';
  if (values.zod && format !== 'ts' && format !== 'all') problems.add('--zod', 'only goes with --format ts or all');
  problems.pgVersion(values['pg-version'], (v) => !!parseVersion(v));
  problems.dbUrl(values.db, 'types');
  if (positionals.length !== 1) problems.add('types', positionals.length ? 'takes one change file' : 'needs a change file (.yaml, .yml, .json or .sql)');
  problems.throwIfAny();

  const { config } = await loadConfig(io.cwd, values.config);
  const file = positionals[0]!;
  const { app, change, unconverted, source } = await readAppChange({
    command: 'types',
    cwd: io.cwd,
    file,
    config,
    ...(values.dialect !== undefined ? { dialect: values.dialect } : {}),
    ...(values.db ? { db: values.db } : {}),
    ...(values['pg-version'] !== undefined ? { pgVersion: values['pg-version'] } : {}),
  });
  if (!change.operations.some((o) => o.kind === 'addColumn' || o.kind === 'setNotNull'))
    throw new LockstepError('E_INPUT', [{ where: file, message: `has no addColumn or setNotNull: lockstep types describes the columns a change adds or makes NOT NULL (found ${change.operations.map((o) => o.kind).join(', ') || 'no operations'})` }]);
  // An explicit --pg-version wins; with --db the server's (or the ledger's plan); else config, else the default.
  const explicit = values['pg-version'] ?? (values.db ? undefined : (config.pgVersion ?? DEFAULT_PG_VERSION));
  const r = await app.types!(change, {
    phase,
    zod: !!values.zod,
    source: file,
    ...(explicit !== undefined ? { version: parseVersion(explicit)!.major } : {}),
    ...(values.db ? { db: values.db } : {}),
  });

  const parts = format === 'all' ? [r.text.ts, r.text.prisma, r.text.drizzle] : [r.text[format]];
  io.stdout.write(parts.join('\n'));

  if (unconverted.length) {
    const li = new LineIndex(source);
    for (const u of unconverted) {
      const pos = li.position(u.span.start);
      io.stderr.write(`lockstep: ${file}:${pos.line}:${pos.column}: not in the types: ${u.reason}\n`);
    }
    return EXIT.findings;
  }
  return EXIT.ok;
}
