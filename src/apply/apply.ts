/**
 * apply: runs a change's plan on the real database, step by step, from the ledger. Every step that takes a
 * lock runs with a short lock_timeout and is retried with backoff; a transactional step commits together
 * with its "done" mark, so a killed run resumes exactly where it stopped; CONCURRENTLY steps run outside a
 * transaction and clean up an INVALID index before a retry. `until` stops after a phase.
 */
import { LockstepError } from '../core/errors.js';
import { introspect, type LiveFacts } from '../dialects/postgres/introspect.js';
import { sqlName } from '../dialects/postgres/names.js';
import { loadParser, parsePostgres } from '../dialects/postgres/parser.js';
import type { Change } from '../operations/types.js';
import { plan as makePlan } from '../plan/planner.js';
import { assertValidChange, storedPlanProblems } from '../spec/check-change.js';
import { phaseNames, type PhaseName, type Plan, type Step } from '../plan/types.js';
import { runBackfill, defaultBackfill, interrupted, type BackfillOptions, type BackfillResult } from './backfill.js';
import { connect, type Db } from './db.js';
import type { ApplyEvent, Blocker, ProgressListener } from './events.js';
import { blockersOf, defaultGuard, DeadlineError, waitUntilReleased, withRetry, type GuardOptions } from './guard.js';
import * as ledger from './ledger.js';
import { waitForReplay } from './replicas.js';
import { storeSnapshot, takeSnapshot } from '../verify/snapshot.js';

/**
 * Hooks around each step, for tracing what it does (the rehearsal uses them; apply itself does not).
 * `inTransaction` runs inside a transactional step's transaction, after its SQL and before COMMIT, so it
 * sees the locks the step holds.
 */
export interface StepHooks {
  before?(db: Db, step: Step): Promise<void>;
  inTransaction?(db: Db, step: Step): Promise<void>;
  after?(db: Db, step: Step): Promise<void>;
}

export interface ApplyOptions {
  /** Target database URL. */
  url?: string;
  /** An open connection to use instead of `url` (left open). */
  db?: Db;
  hooks?: StepHooks;
  /** Take a snapshot of the database's statistics before the first step and after the last (default true). */
  snapshot?: boolean;
  /** Plan for this major instead of the connected server's (a rehearsal runs the target's plan in its sandbox). */
  planVersion?: number;
  /** Stop after this phase (deploy the application, then apply again to continue). */
  until?: PhaseName;
  /** Show what would run, change nothing (not even create the ledger). */
  dryRun?: boolean;
  guard?: Partial<GuardOptions>;
  backfill?: Partial<BackfillOptions>;
  /** Wait this long at the end of each phase for replicas to replay it (default 60 s; 0: do not wait). */
  replicaWaitMs?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface ApplyResult {
  change: string;
  plan: Plan;
  /** Steps run by this call, in order. */
  ran: string[];
  /** Steps already done by an earlier run. */
  skipped: string[];
  /** The phase it stopped after (with `until`), or undefined when the change is fully applied. */
  stoppedAfter?: PhaseName;
  dryRun: boolean;
  live?: LiveFacts;
  /** Ids of the snapshots taken (lockstep.snapshots), or why one could not be taken. */
  snapshots?: { before?: number; after?: number; error?: string };
  /** The backfills this call ran: rows, batches, seconds and rows/s. */
  backfills: BackfillResult[];
}

/** Namespaces lockstep's advisory locks (two-int form), so they do not collide with the application's. */
const LOCK_NAMESPACE = 0x10c5;

export async function apply(change: Change, o: ApplyOptions): Promise<ApplyResult> {
  await loadParser();
  assertValidChange(change);
  const guard: GuardOptions = { ...defaultGuard, ...o.guard };
  const bf: BackfillOptions = { ...defaultBackfill, ...o.backfill };
  const emit = o.onProgress ?? (() => {});
  const db = o.db ?? (await connect(requireUrl(o.url), '--db', 'lockstep apply'));
  const started = Date.now();
  try {
    // One apply of a change at a time: a session-level advisory lock on the change's name.
    const got = await db.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok`, [LOCK_NAMESPACE, change.name]);
    if (!got.rows[0].ok) {
      const holder = await db.query(
        `SELECT a.pid, a.application_name, a.client_addr::text AS addr FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = hashtext($2)::oid AND l.granted LIMIT 1`,
        [LOCK_NAMESPACE, change.name],
      );
      const h = holder.rows[0];
      throw new LockstepError('E_INPUT', [
        { where: change.name, message: `another apply of this change is running${h ? ` (pid ${h.pid}${h.application_name ? `, ${h.application_name}` : ''})` : ''}: wait for it to finish, or stop it first` },
      ]);
    }
    const existing = (await ledger.ledgerExists(db)) ? await ledger.readChange(db, change.name) : undefined;
    // A change whose steps never took effect (the first one failed in its transaction, say a typo in a
    // type) may be corrected and applied again as if new: there is nothing to roll back.
    const untouched =
      existing &&
      existing.state !== 'rolled back' &&
      (await ledger.readSteps(db, change.name)).every((s) => s.state === 'pending' || (s.state === 'failed' && s.transactional)) &&
      !(await ledger.backfillWroteRows(db, change.name));
    const fresh = !existing || existing.state === 'rolled back' || untouched;
    if (existing && !fresh && existing.checksum !== ledger.checksum(change))
      throw new LockstepError('E_INPUT', [
        {
          where: change.name,
          message: `the change was applied (${existing.state}) with a different spec (checksum ${existing.checksum}, now ${ledger.checksum(change)}): roll it back first, or make the new version a new change with its own name`,
        },
      ]);

    let plan: Plan;
    if (!fresh) {
      // The stored plan is what runs: check it before any of it does.
      const stored = await ledger.readPlan(db, change.name);
      const problems = storedPlanProblems(stored, await ledger.readSteps(db, change.name), ledger.checksum, existing!.checksum, `the ledger's plan of ${change.name}`);
      if (problems.length) throw new LockstepError('E_INPUT', [...problems, { where: change.name, message: 'the stored plan was not run: roll the change back, or restore lockstep.changes from the ledger\'s steps' }]);
      plan = stored!;
    } else {
      const facts = await introspect(db);
      plan = await makePlan(change, { version: o.planVersion ?? facts.major, catalog: facts.catalog });
    }
    const steps = plan.phases.flatMap((p) => p.steps);
    const result: ApplyResult = { change: change.name, plan, ran: [], skipped: [], dryRun: !!o.dryRun, backfills: [] };
    if (o.dryRun) {
      const states = existing ? new Map((await ledger.readSteps(db, change.name)).map((s) => [s.id, s.state])) : new Map();
      for (const s of steps) (states.get(s.id) === 'done' ? result.skipped : result.ran).push(s.id);
      return result;
    }

    await ledger.ensureLedger(db);
    if (!existing) await ledger.recordChange(db, change, plan);
    else if (fresh) await ledger.rerecordChange(db, change, plan);
    else await ledger.setChangeState(db, change.name, 'applying');

    const state = new Map((await ledger.readSteps(db, change.name)).map((s) => [s.id, s]));
    const replayed = new Set(await ledger.replayedPhases(db, change.name));
    const doneBefore = [...state.values()].filter((s) => s.state === 'done').length;
    // The database's statistics before the change starts (not again when a run resumes), for verify.
    const snap = async (label: 'before apply' | 'after apply') => {
      if (o.snapshot === false) return;
      try {
        const id = await storeSnapshot(db, await takeSnapshot(db, { label, change: change.name }));
        result.snapshots = { ...result.snapshots, [label === 'before apply' ? 'before' : 'after']: id };
      } catch (e: any) {
        // A change is not held up by statistics it could not read; the result says why there are none.
        // Both may fail: keep the first reason as well.
        const error = [result.snapshots?.error, `${label}: ${e?.message ?? e}`].filter(Boolean).join('; ');
        result.snapshots = { ...result.snapshots, error };
      }
    };
    if (doneBefore === 0) await snap('before apply');
    emit({ type: 'change', change: change.name, resumed: doneBefore > 0, done: doneBefore, total: steps.length });

    for (const phase of phaseNames) {
      const inPhase = steps.filter((s) => s.phase === phase);
      if (!inPhase.length) continue;
      let ranHere = false;
      for (const step of inPhase) {
        if (state.get(step.id)?.state === 'done') {
          result.skipped.push(step.id);
          emit({ type: 'step-skip', step: step.id, reason: 'done by an earlier run' });
          continue;
        }
        if (o.signal?.aborted) throw interrupted(`before step ${step.id}`);
        const filled = await runStep(db, change.name, step, guard, bf, emit, o.signal, o.hooks, o.url ? () => connect(o.url!, '--db', 'lockstep apply') : undefined);
        if (filled) result.backfills.push(filled);
        result.ran.push(step.id);
        ranHere = true;
      }
      emit({ type: 'phase-done', phase });
      // A phase done by an earlier run whose standbys were confirmed then needs no second wait (which
      // would wait for everything written since, not for this phase).
      if (ranHere || !replayed.has(phase)) {
        await waitForReplicas(db, phase, o.replicaWaitMs ?? 60_000, emit, o.signal);
        if ((o.replicaWaitMs ?? 60_000) > 0) await ledger.phaseReplayed(db, change.name, phase);
        replayed.add(phase);
      }
      if (o.until === phase && phaseNames.indexOf(phase) < phaseNames.indexOf(lastPhase(plan))) {
        const remaining = steps.filter((s) => phaseNames.indexOf(s.phase) > phaseNames.indexOf(phase)).length;
        emit({ type: 'stopped', after: phase, remaining });
        result.stoppedAfter = phase;
        return result;
      }
    }
    await ledger.setChangeState(db, change.name, 'applied');
    await snap('after apply');
    emit({ type: 'done', change: change.name, seconds: (Date.now() - started) / 1000 });
    return result;
  } catch (e) {
    // Aborted while waiting (for replicas, between retries): the same clean stop as between batches.
    if (o.signal?.aborted && !(e instanceof LockstepError)) throw interrupted(change.name);
    throw e;
  } finally {
    await db.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [LOCK_NAMESPACE, change.name]).catch(() => {});
    if (!o.db) await db.close();
  }
}

export function requireUrl(url: string | undefined): string {
  if (!url) throw new LockstepError('E_INPUT', [{ where: '--db', message: 'a database URL is required' }]);
  return url;
}

function lastPhase(plan: Plan): PhaseName {
  return plan.phases[plan.phases.length - 1]!.name;
}

/** The table a step locks (for reporting who holds it). */
function tableOf(step: Step): string | undefined {
  const l = step.locks[0];
  return l ? sqlName(l.relation) : undefined;
}

/** Runs one step under the guard; marks it done in the ledger (atomically with the step when it is transactional). */
export async function runStep(
  db: Db,
  change: string,
  step: Step,
  guard: GuardOptions,
  bf: BackfillOptions,
  emit: ProgressListener,
  signal?: AbortSignal,
  hooks: StepHooks = {},
  /** More connections for a backfill on several (apply with a URL). */
  connectMore?: () => Promise<Db>,
): Promise<BackfillResult | undefined> {
  let filled: BackfillResult | undefined;
  const t0 = Date.now();
  const table = tableOf(step);
  const blocksTraffic = step.blocks !== 'nothing';
  const lockTimeout = blocksTraffic ? guard.lockTimeoutMs : guard.patientLockTimeoutMs;
  let attempts = 0;
  // Who was in the way at the last lock timeout; the retry waits for them to let go.
  let lastBlockers: Blocker[] = [];
  const waitForBlockers = async (deadline: number) => {
    if (!table || !lastBlockers.length) return false;
    await waitUntilReleased(db, table, lastBlockers, deadline, signal);
    return true;
  };
  if (table && blocksTraffic) {
    const blockers = await blockersOf(db, table);
    const long = blockers.filter((b) => b.transactionSeconds >= 1);
    if (long.length) emit({ type: 'blockers', step: step.id, table, blockers: long });
  }
  try {
    await hooks.before?.(db, step);
    if (step.backfill) {
      attempts = await ledger.stepStarted(db, change, step.id);
      emit({ type: 'step-start', step: step.id, phase: step.phase, title: step.title, attempt: attempts });
      filled = await runBackfill(db, change, step.id, step.backfill, guard, bf, emit, signal, bf.workers > 1 ? connectMore : undefined);
      await ledger.stepFinished(db, change, step.id, 'done');
    } else if (step.transactional) {
      await withRetry(
        guard,
        async () => {
          attempts = await ledger.stepStarted(db, change, step.id);
          emit({ type: 'step-start', step: step.id, phase: step.phase, title: step.title, attempt: attempts });
          await db.query('BEGIN');
          try {
            await db.query(`SET LOCAL lock_timeout = ${lockTimeout}`);
            await db.query(`SET LOCAL statement_timeout = ${step.scan || step.rewrite ? 0 : guard.statementTimeoutMs}`);
            await db.query(step.up);
            await hooks.inTransaction?.(db, step);
            await ledger.stepFinished(db, change, step.id, 'done');
            await db.query('COMMIT');
          } catch (e) {
            await db.query('ROLLBACK').catch(() => {});
            throw e;
          }
        },
        async (n, wait) => {
          lastBlockers = table ? await blockersOf(db, table) : [];
          emit({ type: 'lock-wait', step: step.id, attempt: n, retryInMs: wait, blockers: lastBlockers });
        },
        signal,
        waitForBlockers,
      );
    } else {
      // Outside a transaction: CREATE/DROP INDEX CONCURRENTLY and the like.
      const index = createdIndex(step.up);
      await withRetry(
        guard,
        async () => {
          attempts = await ledger.stepStarted(db, change, step.id);
          emit({ type: 'step-start', step: step.id, phase: step.phase, title: step.title, attempt: attempts });
          if (index) {
            const st = await db.query(`SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, [index]);
            if (st.rows[0]?.valid === true) return; // built by a run that was killed before it could say so
            if (st.rows[0]?.valid === false) {
              await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
              emit({ type: 'invalid-index-dropped', step: step.id, index });
            }
          }
          await db.query(`SET lock_timeout = ${lockTimeout}`);
          await db.query('SET statement_timeout = 0');
          try {
            await db.query(step.up);
          } finally {
            await db.query('RESET lock_timeout').catch(() => {});
            await db.query('RESET statement_timeout').catch(() => {});
          }
        },
        async (n, wait) => {
          lastBlockers = table ? await blockersOf(db, table) : [];
          emit({ type: 'lock-wait', step: step.id, attempt: n, retryInMs: wait, blockers: lastBlockers });
        },
        signal,
        waitForBlockers,
      );
      await ledger.stepFinished(db, change, step.id, 'done');
    }
    await hooks.after?.(db, step);
    emit({ type: 'step-done', step: step.id, seconds: (Date.now() - t0) / 1000, attempts });
    return filled;
  } catch (e: any) {
    if ((e instanceof LockstepError && e.code === 'E_INTERRUPTED') || signal?.aborted) {
      // Stopped between batches: the step stays resumable (its checkpoint is committed).
      await ledger.stepFailed(db, change, step.id, 'interrupted: run apply again to continue').catch(() => {});
      await ledger.setChangeState(db, change, 'failed').catch(() => {});
      throw e instanceof LockstepError && e.code === 'E_INTERRUPTED' ? e : interrupted(`step ${step.id}`);
    }
    const message = e instanceof DeadlineError ? `${e.message}${table ? ` (waiting for ${table})` : ''}` : String(e?.message ?? e);
    await ledger.stepFailed(db, change, step.id, message).catch(() => {});
    await ledger.setChangeState(db, change, 'failed').catch(() => {});
    throw new LockstepError('E_DATABASE', [{ where: `step ${step.id}`, message: `${message}${e?.position ? ` (at character ${e.position} of: ${step.up})` : ''}` }], { cause: e });
  }
}

/** `schema.index` (quoted) when the statement is CREATE INDEX …, for the INVALID-index cleanup. */
export function createdIndex(sql: string): string | undefined {
  const s = parsePostgres(sql).statements[0];
  if (s?.kind !== 'IndexStmt' || !s.ast.idxname) return undefined;
  return sqlName({ ...(s.ast.relation?.schemaname ? { schema: s.ast.relation.schemaname } : {}), name: s.ast.idxname });
}

/** A phase is finished only when every standby has replayed it, so the app deployed next never reads a standby without it. */
async function waitForReplicas(db: Db, phase: PhaseName, maxMs: number, emit: ProgressListener, signal?: AbortSignal): Promise<void> {
  if (maxMs <= 0) return;
  const seconds = await waitForReplay(
    db,
    maxMs,
    (behind) => new LockstepError('E_DATABASE', [{ where: `phase ${phase}`, message: `${behind} replica(s) have not replayed the ${phase} phase after ${Math.round(maxMs / 1000)} s; run apply again once they catch up` }]),
    signal,
  );
  if (seconds !== null) emit({ type: 'replicas-caught-up', phase, seconds });
}

export type { ApplyEvent };
