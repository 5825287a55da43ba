/**
 * The frame every dialect's rehearsal runs in: the passes against one report, then the checks over all
 * of them (what the effects table claimed, the latency budget) and the verdict; the sandbox is removed
 * whatever happens, and an abort (Ctrl-C) removes it at once and says so.
 */
import { LockstepError } from '../core/errors.js';
import { budgetCheck } from './budget.js';
import type { Check, RehearsalReport } from './types.js';
import type { RehearseEvent } from './rehearse.js';

export const interrupted = (cause?: unknown): LockstepError => new LockstepError('E_INPUT', [{ where: 'rehearse', message: 'interrupted; the sandbox was removed' }], cause ? { cause } : undefined);

export interface RehearsalFrame {
  report: RehearsalReport;
  started: number;
  signal?: AbortSignal | undefined;
  latencyBudgetPct?: number | undefined;
  emit: (e: RehearseEvent) => void;
  /** Removes the sandbox; `{ kill: true }` when the run was aborted (a statement may be running). */
  dispose: (o: { kill: boolean }) => Promise<void>;
  /** The dialect's claims-hold check over every pass that ran. */
  claims: (report: RehearsalReport, check: (c: Check) => void) => void;
  /** A dialect may turn an error it did not expect into a typed one (a server error is a database error). */
  onError?: (e: unknown) => unknown;
}

/** Runs `passes` in the frame; returns the report with its checks and verdict. */
export async function runRehearsal(f: RehearsalFrame, passes: (check: (c: Check) => void) => Promise<void>): Promise<RehearsalReport> {
  const { report, signal } = f;
  const onAbort = () => void f.dispose({ kill: true });
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const check = (c: Check) => {
    report.checks.push(c);
    f.emit({ type: 'check', check: c });
  };
  try {
    await passes(check);
    // Over every pass that ran (up, down, up again), also when one stopped early.
    if (report.steps.length) f.claims(report, check);
  } catch (e) {
    if (signal?.aborted) throw interrupted(e);
    throw f.onError ? f.onError(e) : e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await f.dispose({ kill: false });
  }
  if (signal?.aborted) throw interrupted();
  if (f.latencyBudgetPct !== undefined && report.queries.length) check(budgetCheck(report.queries, f.latencyBudgetPct));
  report.ok = report.checks.length > 0 && report.checks.every((c) => c.ok);
  report.seconds = (Date.now() - f.started) / 1000;
  return report;
}
