/**
 * apply / rollback / status / cleanup on MySQL/MariaDB, from the ledger in the target database
 * (ledger.ts). One GET_LOCK per change keeps two runs from interleaving. Every DDL runs under the
 * metadata-lock guard (guard.ts); a step killed between its DDL and its "done" mark is recognized by
 * what it leaves (`online.present`) and not run twice; the backfill resumes from its checkpoint; a copy
 * step hands its CopyJob to the online-copy engine (engines.ts), which resumes from its own checkpoint.
 */
import { createHash } from 'node:crypto';
import { LockstepError } from '../../../core/errors.js';
import { redactIn } from '../../../core/redact.js';
import type { MigrateApplyOptions, MigrateApplyResult, MigrateRollbackOptions, MigrateRollbackResult } from '../../dialect.js';
import type { Change } from '../../../operations/types.js';
import { phaseNames, type AnyPlan, type AnyStep, type DdlRun, type OnlineCopy, type PhaseName, type Presence } from '../../../plan/types.js';
import type { ProgressListener } from '../../../apply/events.js';
import type { BackfillResult } from '../../../apply/backfill.js';
import type { DataLoss } from '../../../apply/rollback.js';
import type { StatusChange } from '../../../apply/status.js';
import { appAssumptions } from '../../../app/assumptions.js';
import { connectMysql, type MyDb } from '../driver.js';
import { serverVersionOf } from '../introspect.js';
import { quoteIdent } from '../names.js';
import type { ServerVersion } from '../../../core/version.js';
import type { CopyEngineId, CopyProgress } from '../copy-engine.js';
import { copyEngine, copyEngines } from '../engines.js';
import { defaultMyGuard, guardedDdl, type MyGuardOptions } from './guard.js';
import { defaultMyBackfill, interrupted, runMyBackfill, type MyBackfillOptions } from './backfill.js';
import * as ledger from './ledger.js';
import { assertValidMyChange } from './validate.js';
import { planMysql } from './planner.js';
import { readPlanFacts } from './facts.js';
import { storeMysqlSnapshot, takeMysqlSnapshot } from '../metrics.js';
import { mysqlAddsNotNull } from '../app.js';

interface Session {
  db: MyDb;
  url: string;
  schema: string;
  server: ServerVersion;
  flavor: 'mysql' | 'mariadb';
}

async function open(url: string, application: string): Promise<Session> {
  const db = await connectMysql(url, { where: '--db' });
  try {
    const [r] = await db.query<{ v: string; d: string | null }>('SELECT VERSION() AS v, DATABASE() AS d');
    const server = serverVersionOf(r!.v);
    if (!server) throw new LockstepError('E_DATABASE', [{ where: '--db', message: `cannot read the server version from ${JSON.stringify(r!.v)}` }]);
    if (!r!.d) throw new LockstepError('E_USAGE', [{ where: '--db', message: `the URL names no database: add it as the path, e.g. mysql://user@host:3306/app (the ledger tables lockstep_* live there) — ${application}` }]);
    return { db, url, schema: r!.d, server, flavor: server.flavor === 'mariadb' ? 'mariadb' : 'mysql' };
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** GET_LOCK names are at most 64 characters: one per database and change. */
const lockName = (schema: string, change: string) => `lockstep:${createHash('sha256').update(`${schema}\0${change}`).digest('hex').slice(0, 40)}`;

async function takeLock(s: Session, change: string, what: string): Promise<void> {
  const name = lockName(s.schema, change);
  const [r] = await s.db.query<{ ok: number | null }>('SELECT GET_LOCK(?, 0) AS ok', [name]);
  if (Number(r?.ok) === 1) return;
  const [h] = await s.db.query<{ id: number | null }>('SELECT IS_USED_LOCK(?) AS id', [name]);
  throw new LockstepError('E_INPUT', [{ where: change, message: `another ${what} of this change is running${h?.id ? ` (connection ${h.id})` : ''}: wait for it to finish, or stop it first` }]);
}

async function releaseLock(s: Session, change: string): Promise<void> {
  await s.db.query('SELECT RELEASE_LOCK(?)', [lockName(s.schema, change)]).catch(() => {});
}

/** Whether what a DDL leaves is there (a step killed after its DDL, before its ledger mark). */
async function isPresent(s: Session, p: Presence | undefined): Promise<boolean> {
  if (!p) return false;
  const col = async () => (await s.db.query<any>('SELECT IS_NULLABLE AS n, COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?', [p.table, p.name]))[0];
  const index = async () => (await s.db.query<any>('SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ? LIMIT 1', [p.table, p.name])).length > 0;
  const constraint = async () => (await s.db.query<any>('SELECT 1 FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = ? LIMIT 1', [p.table, p.name])).length > 0;
  switch (p.kind) {
    case 'column':
      return !!(await col());
    case 'no-column':
      return !(await col());
    case 'not-null':
      return (await col())?.n === 'NO';
    case 'nullable':
      return (await col())?.n === 'YES';
    case 'column-type': {
      const c = await col();
      return !!c && !!p.type && String(c.t).toLowerCase().replace(/\s+/g, '') === p.type.replace(/\s+/g, '');
    }
    case 'index':
      return index();
    case 'no-index':
      return !(await index());
    case 'constraint':
      return constraint();
    case 'no-constraint':
      return !(await constraint());
  }
}

interface RunCtx {
  s: Session;
  change: string;
  guard: MyGuardOptions;
  bf: MyBackfillOptions;
  emit: ProgressListener;
  signal?: AbortSignal | undefined;
  engine?: string | undefined;
  o: MigrateApplyOptions | MigrateRollbackOptions;
}

function copyProgress(step: string, emit: ProgressListener): (e: CopyProgress) => void {
  return (e) => {
    if (e.type === 'copy-progress') emit({ type: 'backfill', step, rows: e.rows, total: e.total, rowsPerSecond: e.rowsPerSecond, etaSeconds: e.etaSeconds, batchSize: e.chunkSize });
    else if (e.type === 'copy-paused') emit({ type: 'backfill-paused', step, reason: e.reason, lagSeconds: null });
    else if (e.type === 'copy-lock-wait')
      emit({ type: 'lock-wait', step, attempt: e.attempt, retryInMs: e.retryInMs, blockers: e.blockers.map((b) => ({ pid: b.id, state: e.what, transactionSeconds: b.seconds, mode: 'metadata lock', query: b.query })) });
    else if (e.type === 'copy-phase') emit({ type: 'step-start', step, phase: 'expand', title: `online copy: ${e.phase}`, attempt: 1 });
  };
}

/** Runs an online copy with the engine apply was told to use (or the plan's). */
async function runCopy(c: RunCtx, step: string, copy: OnlineCopy): Promise<BackfillResult> {
  const id = (c.engine ?? copy.engine) as CopyEngineId;
  const engine = await copyEngine(id);
  const why = await engine.unavailable(c.s.url);
  if (why) throw new LockstepError('E_USAGE', [{ where: '--engine', message: `${id}: ${why}` }]);
  const r = await engine.run(c.s.url, copy.job, {
    ...(c.bf.targetBatchMs ? { chunkTargetMs: Math.max(c.bf.targetBatchMs, 100) } : {}),
    maxThreadsRunning: c.bf.maxThreadsRunning,
    maxReplicaLagMs: c.bf.maxLagSeconds * 1000,
    lockWaitTimeoutSeconds: Math.max(1, c.guard.lockWaitSeconds),
    ...(c.o.lockTimeoutMs ? { lockWaitMs: c.o.lockTimeoutMs } : {}),
    ...(c.signal ? { signal: c.signal } : {}),
    onProgress: copyProgress(step, c.emit),
  });
  return { step, rows: r.rows, batches: 0, seconds: r.seconds, rowsPerSecond: r.rowsPerSecond };
}

/** One DDL (or copy) direction of a step, guarded. */
async function runDdl(c: RunCtx, step: AnyStep, sql: string, run: DdlRun | undefined, onAttempt?: (n: number) => Promise<void>): Promise<{ attempts: number; copied?: BackfillResult }> {
  if (run?.copy) return { attempts: 1, copied: await runCopy(c, step.id, run.copy) };
  const table = step.locks[0]?.relation.name ?? '';
  for (const set of step.online?.session ?? []) await c.s.db.query(set);
  try {
    const attempts = await guardedDdl({ db: c.s.db, sql, flavor: c.s.flavor, schema: c.s.schema, table, step: step.id, emit: c.emit, signal: c.signal, o: c.guard, ...(onAttempt ? { onAttempt } : {}) });
    return { attempts };
  } finally {
    if (step.online?.session?.length) await c.s.db.query('SET SESSION foreign_key_checks = DEFAULT').catch(() => {});
  }
}

function guardFrom(o: { lockTimeoutMs?: number | undefined }): MyGuardOptions {
  return { ...defaultMyGuard, ...(o.lockTimeoutMs ? { lockWaitSeconds: Math.max(1, Math.round(o.lockTimeoutMs / 1000)), lockWaitMs: o.lockTimeoutMs } : {}) };
}

function dbError(e: any, where: string, url: string): LockstepError {
  if (e instanceof LockstepError) return e;
  return new LockstepError('E_DATABASE', [{ where, message: redactIn(String(e?.sqlMessage ?? e?.message ?? e), url) }], { cause: e });
}

/** The stored plan a resumed apply follows must be the one the ledger's steps were recorded from. */
function storedPlanProblem(plan: AnyPlan | undefined, steps: { id: string; up: string; down: string | null }[]): string | undefined {
  if (!plan || !Array.isArray(plan.phases)) return 'the ledger holds no plan';
  const ps = plan.phases.flatMap((p) => p.steps);
  if (ps.length !== steps.length) return `the stored plan has ${ps.length} steps, the ledger ${steps.length}`;
  for (let i = 0; i < ps.length; i++) {
    const a = ps[i]!;
    const b = steps[i]!;
    if (a.id !== b.id || a.up !== b.up || (a.down ?? null) !== b.down) return `step ${b.id} of the stored plan differs from the ledger's record of it`;
    if (!phaseNames.includes(a.phase)) return `step ${a.id} has an unknown phase`;
  }
  return undefined;
}

export async function applyMysql(change: Change, o: MigrateApplyOptions): Promise<MigrateApplyResult> {
  assertValidMyChange(change);
  const emit = o.onProgress ?? (() => {});
  const s = await open(o.url, 'lockstep apply');
  const guard = guardFrom(o);
  const bf: MyBackfillOptions = { ...defaultMyBackfill, ...(o.batchMs ? { targetBatchMs: o.batchMs } : {}), ...(o.pauseMs ? { pauseMs: o.pauseMs } : {}), ...(o.maxLagSeconds ? { maxLagSeconds: o.maxLagSeconds } : {}) };
  const started = Date.now();
  let locked = false;
  try {
    await takeLock(s, change.name, 'apply or rollback');
    locked = true;
    const has = await ledger.ledgerExists(s.db);
    const existing = has ? await ledger.readChange(s.db, change.name) : undefined;
    const recorded = existing ? await ledger.readSteps(s.db, change.name) : [];
    // Recorded but nothing started: a new spec may replace it as if new.
    const untouched = !!existing && existing.state !== 'rolled back' && recorded.every((x) => x.state === 'pending');
    const fresh = !existing || existing.state === 'rolled back' || untouched;
    if (existing?.state === 'rolling back')
      throw new LockstepError('E_INPUT', [{ where: change.name, message: 'a rollback of this change did not finish: run lockstep rollback again, then apply' }]);
    if (existing && !fresh && existing.checksum !== ledger.checksum(change))
      throw new LockstepError('E_INPUT', [
        { where: change.name, message: `the change was applied (${existing.state}) with a different spec (checksum ${existing.checksum}, now ${ledger.checksum(change)}): roll it back first, or make the new version a new change with its own name` },
      ]);
    let plan: AnyPlan;
    if (!fresh) {
      const stored = await ledger.readPlan(s.db, change.name);
      const bad = storedPlanProblem(stored, recorded);
      if (bad) throw new LockstepError('E_INPUT', [{ where: change.name, message: `${bad}: the stored plan was not run; roll the change back first` }]);
      plan = stored!;
    } else {
      const facts = await readPlanFacts(o.url, change);
      plan = await planMysql(change, { server: s.server, catalog: facts.catalog, definitions: facts.definitions, replicas: facts.replicas, ...(o.engine ? { engine: o.engine } : {}) });
    }
    const steps = plan.phases.flatMap((p) => p.steps);
    const result: MigrateApplyResult = { change: change.name, plan, ran: [], skipped: [], dryRun: !!o.dryRun, backfills: [] };
    if (o.dryRun) {
      const st = new Map(recorded.map((x) => [x.id, x.state]));
      for (const x of steps) (!fresh && st.get(x.id) === 'done' ? result.skipped : result.ran).push(x.id);
      return result;
    }
    await ledger.ensureLedger(s.db);
    if (fresh) await ledger.recordChange(s.db, change, plan, s.server);
    else await ledger.setChangeState(s.db, change.name, 'applying');
    const state = new Map((await ledger.readSteps(s.db, change.name)).map((x) => [x.id, x]));
    const doneBefore = [...state.values()].filter((x) => x.state === 'done').length;
    // The database's statistics before the change starts (not again when a run resumes) and after it is
    // done, in lockstep_snapshots, for `lockstep verify --change`.
    const snap = async (label: 'before apply' | 'after apply') => {
      if (o.snapshot === false) return;
      try {
        const id = await storeMysqlSnapshot(s.db, await takeMysqlSnapshot(s.db, { label, change: change.name }));
        result.snapshots = { ...result.snapshots, [label === 'before apply' ? 'before' : 'after']: id };
      } catch (e: any) {
        // A change is not held up by statistics it could not read; the result says why there are none.
        const error = [result.snapshots?.error, `${label}: ${redactIn(String(e?.sqlMessage ?? e?.message ?? e), o.url)}`].filter(Boolean).join('; ');
        result.snapshots = { ...result.snapshots, error };
      }
    };
    if (doneBefore === 0) await snap('before apply');
    emit({ type: 'change', change: change.name, resumed: doneBefore > 0, done: doneBefore, total: steps.length });
    const c: RunCtx = { s, change: change.name, guard, bf, emit, signal: o.signal, engine: o.engine, o };
    for (const phase of phaseNames) {
      const inPhase = steps.filter((x) => x.phase === phase);
      if (!inPhase.length) continue;
      for (const step of inPhase) {
        const prev = state.get(step.id);
        if (prev?.state === 'done') {
          result.skipped.push(step.id);
          emit({ type: 'step-skip', step: step.id, reason: 'done by an earlier run' });
          continue;
        }
        if (o.signal?.aborted) throw interrupted(`before step ${step.id}`);
        // Killed after its DDL, before its mark: the DDL took effect (DDL is atomic here); do not run it twice.
        if (prev && prev.state !== 'pending' && !step.backfill && (await isPresent(s, step.online?.present))) {
          await ledger.stepFinished(s.db, change.name, step.id, 'done');
          result.skipped.push(step.id);
          emit({ type: 'step-skip', step: step.id, reason: 'took effect in an earlier run that was stopped before it could say so' });
          continue;
        }
        const filled = await runStep(c, step);
        if (filled) result.backfills.push(filled);
        result.ran.push(step.id);
      }
      emit({ type: 'phase-done', phase });
      const last = plan.phases[plan.phases.length - 1]!.name;
      if (o.until === phase && phaseNames.indexOf(phase) < phaseNames.indexOf(last)) {
        const remaining = steps.filter((x) => phaseNames.indexOf(x.phase) > phaseNames.indexOf(phase)).length;
        emit({ type: 'stopped', after: phase, remaining });
        result.stoppedAfter = phase;
        return result;
      }
    }
    await ledger.setChangeState(s.db, change.name, 'applied');
    await snap('after apply');
    emit({ type: 'done', change: change.name, seconds: (Date.now() - started) / 1000 });
    return result;
  } catch (e: any) {
    if (o.signal?.aborted && !(e instanceof LockstepError)) throw interrupted(change.name);
    throw dbError(e, change.name, o.url);
  } finally {
    if (locked) await releaseLock(s, change.name);
    await s.db.close();
  }
}

async function runStep(c: RunCtx, step: AnyStep): Promise<BackfillResult | undefined> {
  const { s, change, emit } = c;
  const t0 = Date.now();
  let attempts = 0;
  let filled: BackfillResult | undefined;
  try {
    if (step.backfill) {
      attempts = await ledger.stepStarted(s.db, change, step.id);
      emit({ type: 'step-start', step: step.id, phase: step.phase, title: step.title, attempt: attempts });
      filled = await runMyBackfill(s.db, s.url, change, step.id, step.backfill, c.bf, emit, c.signal);
    } else {
      if (step.online?.precheck) {
        const rows = await s.db.query(step.online.precheck.sql);
        if (rows.length) throw new LockstepError('E_DATABASE', [{ where: `step ${step.id}`, message: step.online.precheck.message }]);
      }
      let first = true;
      const r = await runDdl(c, step, step.up, step.online, async () => {
        attempts = await ledger.stepStarted(s.db, change, step.id);
        if (first) emit({ type: 'step-start', step: step.id, phase: step.phase, title: step.title, attempt: attempts });
        first = false;
      });
      if (r.copied) {
        attempts = await ledger.stepStarted(s.db, change, step.id);
        filled = r.copied;
      }
    }
    await ledger.stepFinished(s.db, change, step.id, 'done');
    emit({ type: 'step-done', step: step.id, seconds: (Date.now() - t0) / 1000, attempts: Math.max(1, attempts) });
    return filled;
  } catch (e: any) {
    if ((e instanceof LockstepError && e.code === 'E_INTERRUPTED') || c.signal?.aborted) {
      await ledger.stepFailed(s.db, change, step.id, 'interrupted: run apply again to continue').catch(() => {});
      await ledger.setChangeState(s.db, change, 'failed').catch(() => {});
      throw e instanceof LockstepError && e.code === 'E_INTERRUPTED' ? e : interrupted(`step ${step.id}`);
    }
    const message = e instanceof LockstepError ? e.problems.map((p) => p.message).join('; ') : redactIn(String(e?.sqlMessage ?? e?.message ?? e), s.url);
    await ledger.stepFailed(s.db, change, step.id, message).catch(() => {});
    await ledger.setChangeState(s.db, change, 'failed').catch(() => {});
    if (e instanceof LockstepError) throw e;
    throw new LockstepError('E_DATABASE', [{ where: `step ${step.id}`, message: `${message} (running: ${step.up})` }], { cause: e });
  }
}

/** What undoing an add-column step drops: its values, and how many of them the application wrote. */
async function dataLoss(s: Session, change: string, step: AnyStep, steps: AnyStep[]): Promise<DataLoss | undefined> {
  if (step.online?.present?.kind !== 'column' || !step.loses) return undefined;
  const { table, name } = step.online.present;
  if (!(await isPresent(s, step.online.present))) return undefined;
  const [r] = await s.db.query<any>(`SELECT COUNT(${quoteIdent(name)}) AS n FROM ${quoteIdent(table)}`);
  const values = Number(r?.n ?? 0);
  const bf = steps.find((x) => x.backfill && x.backfill.column === name && x.backfill.table.name === table);
  const backfilled = bf ? ((await ledger.readBackfill(s.db, change, bf.id))?.rowsDone ?? 0) : 0;
  const instant = /\bDEFAULT\b/i.test(step.up);
  return { step: step.id, column: `${quoteIdent(table)}.${quoteIdent(name)}`, values, writtenByApplication: instant ? 0 : Math.max(0, values - backfilled) };
}

export async function rollbackMysql(name: string, o: MigrateRollbackOptions): Promise<MigrateRollbackResult> {
  const emit = o.onProgress ?? (() => {});
  const s = await open(o.url, 'lockstep rollback');
  let locked = false;
  try {
    const existing = (await ledger.ledgerExists(s.db)) ? await ledger.readChange(s.db, name) : undefined;
    if (!existing) throw new LockstepError('E_INPUT', [{ where: name, message: 'no such change in the ledger (nothing was applied under this name)' }]);
    await takeLock(s, name, 'apply or rollback');
    locked = true;
    const plan = (await ledger.readPlan(s.db, name))!;
    const steps = plan.phases.flatMap((p) => p.steps);
    const states = new Map((await ledger.readSteps(s.db, name)).map((x) => [x.id, x.state]));
    const todo = steps.filter((x) => ['done', 'running', 'failed'].includes(states.get(x.id) ?? '')).reverse();
    const losses: DataLoss[] = [];
    for (const x of todo) {
      const l = await dataLoss(s, name, x, steps);
      if (l) losses.push(l);
    }
    const risky = losses.filter((l) => l.writtenByApplication > 0);
    if (risky.length && !o.yes)
      throw new LockstepError('E_INPUT', risky.map((l) => ({ where: name, message: `dropping ${l.column} loses ${l.values} values, ${l.writtenByApplication} of them written by the application (not by the backfill): pass --yes to drop them` })));
    await ledger.setChangeState(s.db, name, 'rolling back');
    const c: RunCtx = { s, change: name, guard: guardFrom(o), bf: defaultMyBackfill, emit, signal: o.signal, o };
    const result: MigrateRollbackResult = { change: name, undone: [], losses };
    for (const x of todo) {
      if (o.signal?.aborted) throw interrupted(`before the undo of step ${x.id}`);
      const t0 = Date.now();
      const st = states.get(x.id);
      if (x.online?.copy && st !== 'done' && !(await isPresent(s, x.online.present))) {
        // Before its cut-over the copy engine leaves the table as it was: drop its triggers and shadow.
        const engine = await copyEngine((x.online.copy.engine ?? 'lockstep') as CopyEngineId).catch(() => undefined);
        if (engine) await engine.abort(s.url, x.online.copy.job);
      } else if (x.down && !(st !== 'done' && x.online?.present && !(await isPresent(s, x.online.present))) && !(await isPresent(s, x.online?.down?.present))) {
        emit({ type: 'step-start', step: x.id, phase: x.phase, title: `undo: ${x.title}`, attempt: 1 });
        const undo: AnyStep = { ...x, up: x.down, ...(x.online?.down ? { online: { ...x.online, ...x.online.down, session: [] } } : {}) };
        const r = await runDdl(c, undo, x.down, x.online?.down).catch(async (e: any) => {
          await ledger.stepFailed(s.db, name, x.id, `rollback: ${e?.message ?? e}`).catch(() => {});
          throw dbError(e, `undo of step ${x.id}`, s.url);
        });
        emit({ type: 'step-done', step: x.id, seconds: (Date.now() - t0) / 1000, attempts: r.attempts });
      }
      await ledger.stepFinished(s.db, name, x.id, 'undone');
      result.undone.push(x.id);
    }
    await s.db.query('DELETE FROM lockstep_backfill WHERE change_name = ?', [name]);
    // The copy engines' checkpoints of this change (a new apply copies again, from the start).
    for (const id of new Set(steps.filter((x) => x.online?.copy).map((x) => x.online!.copy!.engine as CopyEngineId))) {
      const engine = await copyEngine(id).catch(() => undefined);
      if (engine) await engine.cleanup(s.url, name);
    }
    await ledger.setChangeState(s.db, name, 'rolled back');
    return result;
  } catch (e) {
    if (o.signal?.aborted && !(e instanceof LockstepError)) throw interrupted(name);
    throw dbError(e, name, o.url);
  } finally {
    if (locked) await releaseLock(s, name);
    await s.db.close();
  }
}

export async function statusMysql(url: string, name?: string): Promise<StatusChange[]> {
  const s = await open(url, 'lockstep status');
  try {
    if (!(await ledger.ledgerExists(s.db))) return [];
    const out: StatusChange[] = [];
    for (const c of (await ledger.listChanges(s.db)).filter((x) => !name || x.name === name)) {
      const full = (await ledger.readChange(s.db, c.name))!;
      const steps = await ledger.readSteps(s.db, c.name);
      const backfills = (await Promise.all(steps.filter((x) => x.phase === 'backfill').map((x) => ledger.readBackfill(s.db, c.name, x.id)))).filter((b): b is NonNullable<typeof b> => !!b);
      const open_ = steps.find((x) => x.state !== 'done' && x.state !== 'undone');
      const { spec: _spec, ...change } = full;
      out.push({
        change,
        steps,
        backfills,
        phase: c.state === 'rolled back' ? 'rolled back' : open_ ? open_.phase : (steps[steps.length - 1]?.phase ?? ''),
        app: full.spec?.operations ? appAssumptions(full.spec, steps, c.state === 'rolled back', { addsNotNull: mysqlAddsNotNull }) : [],
      });
    }
    return out;
  } finally {
    await s.db.close();
  }
}

/** What a crashed run left that no rerun uses: each copy engine's triggers, shadow and old tables. */
export async function cleanupMysql(url: string, name?: string): Promise<string[]> {
  const s = await open(url, 'lockstep cleanup');
  try {
    if (name && (!(await ledger.ledgerExists(s.db)) || !(await ledger.readChange(s.db, name)))) throw new LockstepError('E_INPUT', [{ where: name, message: 'no such change in the ledger' }]);
    if (name) await takeLock(s, name, 'apply or rollback');
    const removed: string[] = [];
    try {
      for (const id of Object.keys(copyEngines) as CopyEngineId[]) {
        const engine = await copyEngine(id);
        for (const r of await engine.cleanup(url, name)) removed.push(`${r} (${id} engine)`);
      }
    } finally {
      if (name) await releaseLock(s, name);
    }
    return removed;
  } catch (e) {
    throw dbError(e, name ?? 'cleanup', url);
  } finally {
    await s.db.close();
  }
}

export type { PhaseName };
