/** `lockstep apply`, `lockstep rollback`, `lockstep status`. */
import { resolve } from 'node:path';
import { parse, oneOf, dbUrlProblem } from './args.js';
import { EXIT, useColor, type Io } from './io.js';
import { progressPrinter } from './progress.js';
import { LockstepError } from '../core/errors.js';
import { redactIn } from '../core/redact.js';
import { phaseNames } from '../plan/types.js';
import { duration } from '../report/plan.js';
import { migratorFor } from './migrator.js';
import { readSource } from './read-change.js';

const dbProblem = (db: string | undefined, command: 'apply' | 'rollback' | 'status' | 'cleanup') => {
  const message = db === undefined ? 'is required (the database to change)' : dbUrlProblem(db, command);
  return message ? { where: '--db', message } : undefined;
};

function ms(flag: string, v: string | undefined, problems: { where: string; message: string }[]): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) problems.push({ where: flag, message: `must be a positive number; got ${JSON.stringify(v)}` });
  return n;
}

export const applyHelp = `Usage: lockstep apply <change.yaml|change.json|migration.sql> --db <url> [options]

Runs the plan on the database, from its ledger (PostgreSQL: schema "lockstep"; MySQL/MariaDB: tables
lockstep_* in the target database): a killed run resumes where it stopped. Every lock-taking step runs
with a short lock timeout (PostgreSQL lock_timeout; MySQL/MariaDB lock_wait_timeout) and is retried with
backoff, naming who holds the lock; the backfill runs in short batches and pauses while replicas lag.

Options:
  --db <url>             the database to change (required)
  --until <phase>        stop after ${phaseNames.join(' | ')} (deploy the application, then apply again)
  --dry-run              show what would run; change nothing
  --no-snapshot          do not record the database's statistics before and after (lockstep snapshot)
  --lock-timeout <ms>    lock_timeout of steps that block traffic (default 200)
  --max-lag <s>          pause the backfill while a replica is more than this behind (default 2)
  --batch-ms <ms>        target duration of one backfill batch (default 100)
  --pause <ms>           pause between backfill batches, to leave more room to traffic (default 0)
  --workers <n>          PostgreSQL: backfill on n connections at once, each its own range of the key
                         (default 1; 1-8; a table of fewer than 10,000 rows a connection uses fewer)
  --engine <e>           MySQL/MariaDB: the online-copy engine for steps the server can only do by
                         copying the table: lockstep (default) | pt-osc
  -h, --help             show this help`;

export const rollbackHelp = `Usage: lockstep rollback <change.yaml|change name> --db <url> [--yes]

Runs the downs of the steps the change completed, newest first, each with a short lock_timeout and retries.
Before dropping a column it added, it says how many values go with it; values the application wrote
(not the backfill) need --yes.`;

export const statusHelp = `Usage: lockstep status --db <url> [change name]

Shows the changes in the database's ledger: their phase, steps, backfill progress and last errors,
and for each column a change adds or makes NOT NULL what the application may assume at this point
(absent → may be NULL → backfilled → new rows checked → NOT NULL) and which app is safe to deploy.`;

export const cleanupHelp = `Usage: lockstep cleanup --db <url> [change name]

Removes what a killed apply left behind and no rerun will use: on PostgreSQL an INVALID index from an
interrupted CREATE INDEX CONCURRENTLY; on MySQL/MariaDB an online copy's triggers and shadow table (and
the old table kept after its swap). Steps and checkpoints stay in the ledger: apply resumes as before.`;

/**
 * Ctrl-C / SIGTERM: the first asks apply to stop at the next safe point (between backfill batches, before
 * the next step), which leaves the ledger to resume from and exits 130; a second one exits at once.
 */
function stopOnSignals(io: Io): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const on = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) {
      io.stderr.write(`\nlockstep: ${sig} again: stopping now (the ledger resumes from the last checkpoint)\n`);
      process.exit(EXIT.interrupted);
    }
    io.stderr.write(`\nlockstep: ${sig}: stopping after the current batch or step (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to stop at once)\n`);
    ac.abort(new Error(sig));
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: ac.signal,
    done: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

export async function applyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    db: { type: 'string' },
    until: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'no-snapshot': { type: 'boolean' },
    'lock-timeout': { type: 'string' },
    'max-lag': { type: 'string' },
    'batch-ms': { type: 'string' },
    pause: { type: 'string' },
    workers: { type: 'string' },
    engine: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return io.stdout.write(applyHelp + '\n'), EXIT.ok;
  const problems: { where: string; message: string }[] = [];
  const p = dbProblem(values.db, 'apply');
  if (p) problems.push(p);
  let until;
  try {
    until = oneOf('--until', values.until, phaseNames);
  } catch (e) {
    if (e instanceof LockstepError) problems.push(...e.problems);
  }
  const lockTimeout = ms('--lock-timeout', values['lock-timeout'], problems);
  const maxLag = ms('--max-lag', values['max-lag'], problems);
  const batchMs = ms('--batch-ms', values['batch-ms'], problems);
  const pause = ms('--pause', values.pause, problems);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 8)) problems.push({ where: '--workers', message: `must be a whole number from 1 to 8; got ${JSON.stringify(values.workers)}` });
  if (positionals.length !== 1) problems.push({ where: 'apply', message: 'needs one change file (.yaml, .yml, .json or .sql)' });
  if (problems.length) throw new LockstepError('E_USAGE', problems);

  const { choice, migrator } = await migratorFor('apply', { url: values.db });
  if (values.engine !== undefined && !migrator.engines.includes(values.engine))
    throw new LockstepError('E_USAGE', [{ where: '--engine', message: migrator.engines.length ? `must be one of ${migrator.engines.join(', ')}; got ${JSON.stringify(values.engine)}` : 'this database has no online-copy steps (it is for MySQL/MariaDB)' }]);
  if (workers !== undefined && workers > 1 && !migrator.parallelBackfill) throw new LockstepError('E_USAGE', [{ where: '--workers', message: 'this database backfills on one connection (--workers is for PostgreSQL)' }]);
  const file = positionals[0]!;
  const { change, unconverted } = await readSource({ dialect: choice.dialect, migrator }, resolve(io.cwd, file), file);
  if (unconverted.length)
    throw new LockstepError('E_INPUT', unconverted.map((u) => ({ where: file, message: `cannot apply "${u.statement.slice(0, 60)}": ${u.reason}` })));
  const color = useColor(io, 'stderr');
  const stop = stopOnSignals(io);
  const result = await migrator.apply(change, {
    signal: stop.signal,
    url: values.db,
    ...(until ? { until } : {}),
    dryRun: !!values['dry-run'],
    ...(values['no-snapshot'] ? { snapshot: false } : {}),
    ...(lockTimeout ? { lockTimeoutMs: lockTimeout } : {}),
    ...(maxLag ? { maxLagSeconds: maxLag } : {}),
    ...(batchMs ? { batchMs } : {}),
    ...(pause ? { pauseMs: pause } : {}),
    ...(workers ? { workers } : {}),
    ...(values.engine ? { engine: values.engine } : {}),
    onProgress: progressPrinter(io, { tty: !!io.stderr.isTTY, color }),
  }).finally(stop.done);
  // Statistics that could not be read do not hold a change up, but the user hears about it.
  if (result.snapshots?.error) io.stderr.write(`lockstep: warning: no snapshot for verify (${redactIn(result.snapshots.error, values.db!)})\n`);
  for (const b of result.backfills)
    io.stdout.write(`backfill ${b.step}: ${b.rows.toLocaleString('en-US')} rows in ${b.seconds.toFixed(1)} s, ${Math.round(b.rowsPerSecond).toLocaleString('en-US')} rows/s (${b.batches} batches)\n`);
  if (result.dryRun) {
    io.stdout.write(migrator.render(result.plan, 'text', { color: useColor(io) }) as string);
    io.stdout.write(`\nDry run: would run ${result.ran.length} step(s)${result.skipped.length ? `; ${result.skipped.length} already done` : ''}: ${result.ran.join(', ') || 'nothing'}\n`);
  }
  return EXIT.ok;
}

export async function rollbackCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { db: { type: 'string' }, yes: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return io.stdout.write(rollbackHelp + '\n'), EXIT.ok;
  const problems: { where: string; message: string }[] = [];
  const p = dbProblem(values.db, 'rollback');
  if (p) problems.push(p);
  if (positionals.length !== 1) problems.push({ where: 'rollback', message: 'needs the change: its spec file or its name' });
  if (problems.length) throw new LockstepError('E_USAGE', problems);
  const { choice, migrator } = await migratorFor('rollback', { url: values.db });
  const arg = positionals[0]!;
  const name = /\.(ya?ml|json|sql)$/i.test(arg) ? (await readSource({ dialect: choice.dialect, migrator }, resolve(io.cwd, arg), arg)).change.name : arg;
  const stop = stopOnSignals(io);
  const r = await migrator.rollback(name, { url: values.db, yes: !!values.yes, signal: stop.signal, onProgress: progressPrinter(io, { tty: !!io.stderr.isTTY, color: useColor(io, 'stderr') }) }).finally(stop.done);
  for (const l of r.losses) io.stdout.write(`dropped ${l.column} with ${l.values} values${l.writtenByApplication ? ` (${l.writtenByApplication} written by the application)` : ''}\n`);
  io.stdout.write(`${r.change} rolled back: ${r.undone.length} step(s) undone\n`);
  return EXIT.ok;
}

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { db: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return io.stdout.write(statusHelp + '\n'), EXIT.ok;
  const p = dbProblem(values.db, 'status');
  if (p) throw new LockstepError('E_USAGE', [p]);
  const { migrator } = await migratorFor('status', { url: values.db });
  const changes = await migrator.status(values.db, positionals[0]);
  if (!changes.length) {
    io.stdout.write(positionals[0] ? `no change named ${positionals[0]} in the ledger\n` : 'no changes applied with lockstep yet\n');
    return EXIT.ok;
  }
  for (const c of changes) {
    const done = c.steps.filter((s) => s.state === 'done').length;
    io.stdout.write(`${c.change.name}  ${c.change.state}  phase: ${c.phase}  ${done}/${c.steps.length} steps  (updated ${c.change.updatedAt.toISOString()})\n`);
    for (const s of c.steps) {
      const bf = c.backfills.find((b) => b.step === s.id);
      io.stdout.write(
        `  ${s.state.padEnd(8)} ${s.id.padEnd(28)} ${s.title}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ''}${bf ? ` — ${bf.rowsDone.toLocaleString('en-US')} rows in ${bf.batches} batches` : ''}${s.finishedAt && s.startedAt ? ` ${duration((s.finishedAt.getTime() - s.startedAt.getTime()) / 1000)}` : ''}\n`,
      );
      if (s.lastError) io.stdout.write(`           last error: ${s.lastError}\n`);
    }
    for (const a of c.app) io.stdout.write(`  app: ${a.now}\n       safe to deploy: ${a.deploy}\n`);
  }
  return EXIT.ok;
}

export async function cleanupCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { db: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return io.stdout.write(cleanupHelp + '\n'), EXIT.ok;
  const p = dbProblem(values.db, 'cleanup');
  if (p) throw new LockstepError('E_USAGE', [p]);
  if (positionals.length > 1) throw new LockstepError('E_USAGE', [{ where: 'cleanup', message: 'takes at most one change name' }]);
  const { migrator } = await migratorFor('cleanup', { url: values.db });
  const removed = await migrator.cleanup(values.db, positionals[0]);
  for (const r of removed) io.stdout.write(`removed ${r}\n`);
  io.stdout.write(removed.length ? `${removed.length} leftover(s) removed\n` : 'nothing left behind to remove\n');
  return EXIT.ok;
}
