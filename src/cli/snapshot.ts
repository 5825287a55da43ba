/** `lockstep snapshot --db URL`: the database's vital signs now, stored in the ledger and optionally a file. */
import { access, stat, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, dbUrlProblem } from './args.js';
import { EXIT, type Io } from './io.js';
import { LockstepError, type Problem } from '../core/errors.js';
import { connect, type Db } from '../apply/db.js';
import { storeSnapshot, takeSnapshot, type Snapshot } from '../verify/snapshot.js';

export const snapshotHelp = `Usage: lockstep snapshot --db <url> [options]

Records the database's vital signs at this moment, to compare before and after a change:
pg_stat_statements per query (when installed), table and index activity and I/O, database-wide
counters, relation sizes, replication lag, and when statistics were last reset. Stored in the
database's ledger (schema lockstep) with an id; lockstep apply takes one before and after a change.

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

/** Stores a snapshot in one transaction (so a failure leaves nothing behind) and returns its id. */
export async function storeInLedger(db: Db, s: Snapshot): Promise<number> {
  await db.query('BEGIN');
  try {
    const id = await storeSnapshot(db, s);
    await db.query('COMMIT');
    return id;
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

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

  const db = await connect(values.db, '--db', 'lockstep snapshot');
  let s: Snapshot;
  try {
    try {
      s = await takeSnapshot(db, { ...(values.label ? { label: values.label } : {}) });
    } catch (e: any) {
      if (e instanceof LockstepError) throw e;
      throw new LockstepError('E_DATABASE', [{ where: '--db', message: `taking the snapshot failed: ${dbMessage(e)}` }]);
    }
    if (!values['no-store']) {
      try {
        s.id = await storeInLedger(db, s);
      } catch (e: any) {
        if (e instanceof LockstepError) throw e;
        throw new LockstepError('E_DATABASE', [
          { where: '--db', message: `storing the snapshot in lockstep.snapshots failed: ${dbMessage(e)} (--no-store --out <file> keeps it in a file only)` },
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
      `snapshot${s.id ? ` ${s.id}` : ''} of ${s.database.name} (PostgreSQL ${s.server.major}) at ${s.takenAt}${s.label ? `, "${s.label}"` : ''}: ` +
        `${s.tables.length} tables, ${s.indexes.length} indexes, ${s.statements ? `${s.statements.length} queries` : 'no query statistics'}` +
        `${values.out ? `; written to ${values.out}` : ''}\n`,
    );
    if (s.statementsNote) io.stdout.write(`  note: ${s.statementsNote}\n`);
  }
  return EXIT.ok;
}
