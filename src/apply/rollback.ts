/**
 * rollback: the downs of the steps a change completed, newest first, each guarded like apply's steps.
 * Before a down that drops a column the change added, it says what data goes with it, and refuses
 * without `yes` when the application has written values into it.
 */
import { LockstepError } from '../core/errors.js';
import { loadParser, parsePostgres } from '../dialects/postgres/parser.js';
import { fromRangeVar, quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { Step } from '../plan/types.js';
import { connect, type Db } from './db.js';
import type { ProgressListener } from './events.js';
import { blockersOf, defaultGuard, withRetry, type GuardOptions } from './guard.js';
import * as ledger from './ledger.js';
import { requireUrl, type StepHooks } from './apply.js';
import { interrupted } from './backfill.js';

export interface RollbackOptions {
  url?: string;
  /** An open connection to use instead of `url` (left open). */
  db?: Db;
  /** Called around each down; `step` is the step being undone and `step.up` is replaced by its down. */
  hooks?: StepHooks;
  /** Needed when a column to drop holds values the application wrote. */
  yes?: boolean;
  guard?: Partial<GuardOptions>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface DataLoss {
  step: string;
  column: string;
  /** Non-NULL values that go with the column. */
  values: number;
  /** Of those, rows the backfill did not write (the application did). */
  writtenByApplication: number;
}

export interface RollbackResult {
  change: string;
  undone: string[];
  losses: DataLoss[];
}

/** What dropping the column a step added would lose. */
async function dataLoss(db: Db, change: string, step: Step, steps: Step[]): Promise<DataLoss | undefined> {
  const s = parsePostgres(step.up).statements[0];
  const cmd = s?.ast?.cmds?.[0]?.AlterTableCmd;
  if (s?.kind !== 'AlterTableStmt' || cmd?.subtype !== 'AT_AddColumn') return undefined;
  const table = fromRangeVar(s.ast.relation);
  const column: string = cmd.def.ColumnDef.colname;
  const exists = await db.query(`SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`, [sqlName(table), column]);
  if (!exists.rows.length) return undefined;
  const values = Number((await db.query(`SELECT count(${quoteIdent(column)})::bigint AS n FROM ${sqlName(table)}`)).rows[0].n);
  // Rows filled by lockstep's backfill are not the application's; an instant default is not either.
  const backfill = steps.find((x) => x.backfill && x.backfill.column === column && sqlName(x.backfill.table) === sqlName(table));
  const backfilled = backfill ? ((await ledger.readBackfill(db, change, backfill.id))?.rowsDone ?? 0) : 0;
  const instant = /\bDEFAULT\b/i.test(step.up);
  const byApp = instant ? 0 : Math.max(0, values - backfilled);
  return { step: step.id, column: `${sqlName(table)}.${quoteIdent(column)}`, values, writtenByApplication: byApp };
}

export async function rollback(changeName: string, o: RollbackOptions): Promise<RollbackResult> {
  await loadParser();
  const guard: GuardOptions = { ...defaultGuard, ...o.guard };
  const emit = o.onProgress ?? (() => {});
  const db = o.db ?? (await connect(requireUrl(o.url), '--db', 'lockstep rollback'));
  try {
    const existing = (await ledger.ledgerExists(db)) ? await ledger.readChange(db, changeName) : undefined;
    if (!existing) throw new LockstepError('E_INPUT', [{ where: changeName, message: 'no such change in the ledger (nothing was applied under this name)' }]);
    const got = await db.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok`, [0x10c5, changeName]);
    if (!got.rows[0].ok) throw new LockstepError('E_INPUT', [{ where: changeName, message: 'an apply or rollback of this change is running: wait for it to finish' }]);
    try {
      const plan = (await ledger.readPlan(db, changeName))!;
      const steps = plan.phases.flatMap((p) => p.steps);
      const states = new Map((await ledger.readSteps(db, changeName)).map((s) => [s.id, s.state]));
      // Undo what was done, and what may be half done (a killed step outside a transaction).
      const todo = steps.filter((s) => ['done', 'running', 'failed'].includes(states.get(s.id) ?? '')).reverse();
      const losses: DataLoss[] = [];
      for (const s of todo) {
        const loss = await dataLoss(db, changeName, s, steps);
        if (loss) losses.push(loss);
      }
      const risky = losses.filter((l) => l.writtenByApplication > 0);
      if (risky.length && !o.yes)
        throw new LockstepError('E_INPUT', [
          ...risky.map((l) => ({
            where: changeName,
            message: `dropping ${l.column} loses ${l.values} values, ${l.writtenByApplication} of them written by the application (not by the backfill): pass --yes to drop them`,
          })),
        ]);
      await ledger.setChangeState(db, changeName, 'rolling back');
      const result: RollbackResult = { change: changeName, undone: [], losses };
      for (const s of todo) {
        if (o.signal?.aborted) throw interrupted(`before the undo of step ${s.id}`);
        const table = s.locks[0] ? sqlName(s.locks[0].relation) : undefined;
        if (s.down) {
          const t0 = Date.now();
          let attempts = 0;
          const undo: Step = { ...s, up: s.down, ...(s.transactional && !/\bCONCURRENTLY\b/i.test(s.down) ? {} : { transactional: false }) };
          emit({ type: 'step-start', step: s.id, phase: s.phase, title: `undo: ${s.title}`, attempt: 1 });
          await o.hooks?.before?.(db, undo);
          const nonTx = /\bCONCURRENTLY\b/i.test(s.down);
          await withRetry(
            guard,
            async () => {
              attempts++;
              if (nonTx) {
                await db.query(`SET lock_timeout = ${guard.patientLockTimeoutMs}`);
                try {
                  await db.query(s.down!);
                } finally {
                  await db.query('RESET lock_timeout').catch(() => {});
                }
                return;
              }
              await db.query('BEGIN');
              try {
                await db.query(`SET LOCAL lock_timeout = ${guard.lockTimeoutMs}`);
                await db.query(`SET LOCAL statement_timeout = ${guard.statementTimeoutMs}`);
                await db.query(s.down!);
                await o.hooks?.inTransaction?.(db, undo);
                await ledger.stepFinished(db, changeName, s.id, 'undone');
                await db.query('COMMIT');
              } catch (e) {
                await db.query('ROLLBACK').catch(() => {});
                throw e;
              }
            },
            async (n, wait) => emit({ type: 'lock-wait', step: s.id, attempt: n, retryInMs: wait, blockers: table ? await blockersOf(db, table) : [] }),
            o.signal,
          ).catch(async (e: any) => {
            if (o.signal?.aborted) throw interrupted(`undo of step ${s.id}`);
            await ledger.stepFailed(db, changeName, s.id, `rollback: ${e?.message ?? e}`).catch(() => {});
            throw new LockstepError('E_DATABASE', [{ where: `undo of step ${s.id}`, message: String(e?.message ?? e) }], { cause: e });
          });
          await o.hooks?.after?.(db, undo);
          emit({ type: 'step-done', step: s.id, seconds: (Date.now() - t0) / 1000, attempts });
        }
        await ledger.stepFinished(db, changeName, s.id, 'undone');
        result.undone.push(s.id);
      }
      await ledger.deleteBackfills(db, changeName);
      await ledger.setChangeState(db, changeName, 'rolled back');
      return result;
    } finally {
      await db.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [0x10c5, changeName]).catch(() => {});
    }
  } finally {
    if (!o.db) await db.close();
  }
}
