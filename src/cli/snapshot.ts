/** `lockstep snapshot --db URL`: the database's vital signs now, stored in the ledger and optionally a file. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from './args.js';
import { EXIT, type Io } from './io.js';
import { LockstepError, type Problem } from '../core/errors.js';
import { connect } from '../apply/db.js';
import { storeSnapshot, takeSnapshot } from '../verify/snapshot.js';

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
  else if (!/^postgres(ql)?:\/\//.test(values.db)) problems.push({ where: '--db', message: 'must be a postgres:// or postgresql:// URL' });
  if (values.format !== undefined && !['text', 'json'].includes(values.format)) problems.push({ where: '--format', message: `must be text or json; got ${JSON.stringify(values.format)}` });
  if (values['no-store'] && !values.out) problems.push({ where: '--no-store', message: 'needs --out (the snapshot has to go somewhere)' });
  if (problems.length) throw new LockstepError('E_USAGE', problems);

  const db = await connect(values.db, '--db', 'lockstep snapshot');
  try {
    const s = await takeSnapshot(db, { ...(values.label ? { label: values.label } : {}) });
    if (!values['no-store']) s.id = await storeSnapshot(db, s);
    if (values.out) await writeFile(resolve(io.cwd, values.out), JSON.stringify(s, null, 2) + '\n');
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
  } catch (e: any) {
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where: '--db', message: `taking the snapshot failed: ${e?.message ?? e}` }]);
  } finally {
    await db.close();
  }
}
