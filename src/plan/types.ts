/**
 * Plans are data: ordered steps with stable ids, each with its SQL, its down, the lock it takes (from
 * the effects table), whether it may run in a transaction, and an estimate. `plan` renders them;
 * `apply`, `rehearse` and `rollback` consume the same objects.
 */
import type { QualifiedName } from '../core/types.js';
import type { LockMode } from '../dialects/postgres/locks.js';
import type { EffectId } from '../dialects/postgres/effects.js';
import type { Change, Operation } from '../operations/types.js';

export type PhaseName = 'expand' | 'backfill' | 'contract';
export const phaseNames: readonly PhaseName[] = ['expand', 'backfill', 'contract'];

export interface StepLock {
  relation: QualifiedName;
  mode: LockMode;
}

/** Filling a column of existing rows in keyset batches (run by the backfill runner, not as one statement). */
export interface Backfill {
  table: QualifiedName;
  column: string;
  /** SQL expression computing the value for a row. */
  expression: string;
  /** Primary-key columns, in order (keyset pagination). */
  key: string[];
}

export interface Step {
  /** Stable within a change: `<operation index>.<step name>`, e.g. `1.add-column`. */
  id: string;
  phase: PhaseName;
  /** What the step does, for people. */
  title: string;
  /** SQL to run (for a backfill: one batch, as an illustration; see `backfill`). */
  up: string;
  /** SQL that undoes it; undefined when there is nothing to undo (a validation, a backfill). */
  down?: string;
  /** May run inside a transaction block (false for CONCURRENTLY). */
  transactional: boolean;
  /** The effects-table entries the up statement triggers. */
  effects: EffectId[];
  /** Locks the up statement takes (strongest per relation). */
  locks: StepLock[];
  /** What those locks make ordinary traffic wait for: 'reads and writes', 'writes', or 'nothing'. */
  blocks: 'reads and writes' | 'writes' | 'nothing';
  rewrite: boolean;
  scan: boolean;
  /** Rough duration in seconds (null when the table's size is unknown), and what it is based on. */
  estimate: { seconds: number | null; basis: string };
  backfill?: Backfill;
  /** Things a person should know about this step (version limits, what it cannot avoid). */
  notes: string[];
}

export interface Phase {
  name: PhaseName;
  steps: Step[];
}

export interface Plan {
  change: Change;
  /** Postgres major the plan is for. */
  version: number;
  /** Where the table facts came from: `--db` (with row counts) or `offline`. */
  facts: 'database' | 'offline';
  phases: Phase[];
  /** Plan-level notes (e.g. which operations were already safe as one step). */
  notes: string[];
  /** With --db: replicas and their lag, and sessions that would make the first lock wait, right now. */
  live?: import('../dialects/postgres/introspect.js').LiveFacts;
}

export type { Operation, Change };
