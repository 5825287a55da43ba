/** `lockstep snapshot --db URL`: the database's vital signs now, stored in the ledger and optionally a file. */
import { access, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, dbUrlProblem } from './args.js';
import { EXIT, type Io } from './io.js';
import { LockstepError, type Problem } from '../core/errors.js';
import type { Snapshot } from '../verify/snapshot.js';
import type { Metrics, MetricsSession } from '../dialects/dialect.js';
import { chooseDialect } from '../dialects/index.js';
import { flavorName } from '../core/version.js';

export const snapshotHelp = `Usage: lockstep snapshot --db <url> [options]

Records the database's vital signs at this moment, to compare before and after a change:
pg_stat_statements per query (when installed), table and index activity and I/O, database-wide
counters, relation sizes, replication lag, and when statistics were last reset. Stored in the
database's ledger (schema lockstep) with an id; lockstep apply takes one before and after a change.
MySQL/MariaDB (mysql:// or mariadb:// URL naming a database): performance_schema statement digests
and index usage (when performance_schema is ON), table rows and sizes, the buffer pool, Handler_read_*
counters and replica lag, stored in the table lockstep_snapshots of that database.

Options:
  --db <url>        the database (required)
  --label <text>    a name for this snapshot, e.g. "before the deploy"
  --out <file>      also write the snapshot to this JSON file
  --no-store        do not store it in the ledger (read-only; needs --out)
  --format <f>      text | json (default: text)
  -h, --help        show this help`;

/**
 * What is wrong with `--out <file>` before anything connects or is stored: an empty name, a
 * directory, a parent directory that does not exist, or a place that cannot be written.
 */
export async function outProblems(out: string, cwd: string): Promise<Problem[]> {
  const problem = (message: string): Problem[] => [{ where: '--out', message }];
  if (!out) return problem('needs a file name');
  if (/[\\/]$/.test(out)) return problem(`${out}: needs a file name, not a directory`);
  const path = resolve(cwd, out);
  const dir = dirname(path);
  const target = await stat(path).catch(() => undefined);
  if (target?.isDirectory()) return problem(`${out}: is a directory; give a file name`);
  const parent = await stat(dir).catch(() => undefined);
  if (!parent) return problem(`${out}: its directory ${dir} does not exist`);
  if (!parent.isDirectory()) return problem(`${out}: ${dir} is not a directory`);
  try {
    await access(target ? path : dir, constants.W_OK);
  } catch (e: any) {
    return problem(`${out}: cannot write ${target ? 'this file' : `in ${dir}`} (${e?.code ?? e})`);
  }
  return [];
}

/** A database error as one line (pg messages can span lines: DETAIL, HINT). */
export const dbMessage = (e: any): string => String(e?.message ?? e).replace(/\s+/g, ' ').trim();

/** The metrics of the dialect a --db URL names (loaded only now). */
export async function metricsFor(url: string, command: 'snapshot' | 'verify'): Promise<Metrics> {
  const { dialect } = chooseDialect({ urls: [{ url, where: '--db' }] });
  if (!dialect.metrics) throw new LockstepError('E_USAGE', [{ where: '--db', message: `lockstep ${command} does not run on ${dialect.name} yet` }]);
  return dialect.metrics();
}

/** "PostgreSQL 15", "MariaDB 10.11.19". */
export const serverName = (s: Snapshot): string =>
  s.server.version && s.server.flavor ? `${flavorName[s.server.flavor]} ${s.server.version.replace(/^(\d+\.\d+\.\d+).*$/, '$1')}` : `PostgreSQL ${s.server.major}`;

export async function snapshotCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    db: { type: 'string' },
    label: { type: 'string' },
    out: { type: 'string' },
    'no-store': { type: 'boolean' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(snapshotHelp + '\n');
    return EXIT.ok;
  }
  const problems: Problem[] = [];
  if (!values.db) problems.push({ where: '--db', message: 'is required' });
  else if (dbUrlProblem(values.db, 'snapshot')) problems.push({ where: '--db', message: dbUrlProblem(values.db, 'snapshot')! });
  if (values.format !== undefined && !['text', 'json'].includes(values.format)) problems.push({ where: '--format', message: `must be text or json; got ${JSON.stringify(values.format)}` });
  if (values['no-store'] && !values.out) problems.push({ where: '--no-store', message: 'needs --out (the snapshot has to go somewhere)' });
  if (values.out !== undefined) problems.push(...(await outProblems(values.out, io.cwd)));
  if (problems.length) throw new LockstepError('E_USAGE', problems);

  const metrics = await metricsFor(values.db, 'snapshot');
  const db: MetricsSession = await metrics.open(values.db, '--db', { application: 'lockstep snapshot' });
  let s: Snapshot;
  try {
    try {
      s = await db.take({ ...(values.label ? { label: values.label } : {}) });
    } catch (e: any) {
      if (e instanceof LockstepError) throw e;
      throw new LockstepError('E_DATABASE', [{ where: '--db', message: `taking the snapshot failed: ${dbMessage(e)}` }]);
    }
    if (!values['no-store']) {
      try {
        s.id = await db.store(s);
      } catch (e: any) {
        if (e instanceof LockstepError) throw e;
        throw new LockstepError('E_DATABASE', [
          { where: '--db', message: `storing the snapshot in ${db.ledger} failed: ${dbMessage(e)} (--no-store --out <file> keeps it in a file only)` },
        ]);
      }
    }
  } finally {
    await db.close();
  }
  if (values.out) {
    try {
      await writeFile(resolve(io.cwd, values.out), JSON.stringify(s, null, 2) + '\n');
    } catch (e: any) {
      throw new LockstepError('E_INPUT', [{ where: '--out', message: `${values.out}: cannot write (${e?.code ?? e})${s.id !== undefined ? `; the snapshot was stored in the ledger as ${s.id}` : ''}` }]);
    }
  }
  if (values.format === 'json') io.stdout.write(JSON.stringify(s, null, 2) + '\n');
  else {
    io.stdout.write(
      `snapshot${s.id ? ` ${s.id}` : ''} of ${s.database.name} (${serverName(s)}) at ${s.takenAt}${s.label ? `, "${s.label}"` : ''}: ` +
        `${s.tables.length} tables, ${s.indexes.length} indexes, ${s.statements ? `${s.statements.length} queries` : 'no query statistics'}` +
        `${values.out ? `; written to ${values.out}` : ''}\n`,
    );
    if (s.statementsNote) io.stdout.write(`  note: ${s.statementsNote}\n`);
    if (s.activityNote && s.activityNote !== s.statementsNote) io.stdout.write(`  note: ${s.activityNote}\n`);
  }
  return EXIT.ok;
}
