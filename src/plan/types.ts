/**
 * Plans are data: ordered steps with stable ids, each with its SQL, its down, the lock it takes (from
 * the effects table), whether it may run in a transaction, and an estimate. `plan` renders them;
 * `apply`, `rehearse` and `rollback` consume the same objects.
 */
import type { QualifiedName } from '../core/types.js';
import type { LockMode } from '../dialects/postgres/locks.js';
import type { EffectId } from '../dialects/postgres/effects.js';
import type { Change, Operation } from '../operations/types.js';
import type { DialectId, ServerVersion } from '../core/version.js';

export type PhaseName = 'expand' | 'backfill' | 'contract';
export const phaseNames: readonly PhaseName[] = ['expand', 'backfill', 'contract'];

/** A lock a step takes. `M` is the dialect's lock vocabulary: Postgres lock modes by default; MySQL/MariaDB name metadata locks and LOCK= levels as strings. */
export interface StepLock<M extends string = LockMode> {
  relation: QualifiedName;
  mode: M;
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

/** An online copy: the copy engine's job (src/dialects/mysql/copy-engine.ts) and the engine the plan names (apply's --engine may choose another). */
export interface OnlineCopy {
  engine: string;
  job: { schema?: string; table: string; alter: string; change: string; step: string };
}

/** What shows a DDL step took effect: `column`/`no-column`/`index`/`constraint`/`not-null`/`column-type` `name` on `table`. */
export interface Presence {
  kind: 'column' | 'no-column' | 'index' | 'no-index' | 'constraint' | 'no-constraint' | 'not-null' | 'nullable' | 'column-type';
  table: string;
  name: string;
  /** `column-type`: the COLUMN_TYPE it has once done (`decimal(14,2)`). */
  type?: string;
}

/** MySQL/MariaDB: how the server is told to run one direction of a DDL step. */
export interface DdlRun {
  /** The ALGORITHM the SQL names (`instant`, `nocopy`, `inplace`), or `copy` for an online copy. */
  algorithm: string;
  /** The LOCK clause it names (`none`), or `default` with INSTANT. */
  lock: string;
  copy?: OnlineCopy;
  /** What shows it took effect (a run killed between the DDL and its ledger mark does not redo it). */
  present?: Presence;
}

/** MySQL/MariaDB: the up's run, the down's, and what the step needs around it. */
export interface OnlineDdl extends DdlRun {
  down?: DdlRun;
  /** Session settings the step runs with (`SET SESSION foreign_key_checks = 0`). */
  session?: string[];
  /** A query that must return no row before the step runs, and what a row means. */
  precheck?: { sql: string; message: string };
}

export interface Step<M extends string = LockMode, E extends string = EffectId> {
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
  effects: E[];
  /** Locks the up statement takes (strongest per relation). */
  locks: StepLock<M>[];
  /** What those locks make ordinary traffic wait for: 'reads and writes', 'writes', or 'nothing'. */
  blocks: 'reads and writes' | 'writes' | 'nothing';
  rewrite: boolean;
  scan: boolean;
  /** Rough duration in seconds (null when the table's size is unknown), and what it is based on. */
  estimate: { seconds: number | null; basis: string };
  backfill?: Backfill;
  /** Things a person should know about this step (version limits, what it cannot avoid). */
  notes: string[];
  /** MySQL/MariaDB: the ALGORITHM/LOCK the step runs with, or its online copy. */
  online?: OnlineDdl;
  /** What its down cannot bring back (an irreversible step says what is lost). */
  loses?: string;
}

export interface Phase<M extends string = LockMode, E extends string = EffectId> {
  name: PhaseName;
  steps: Step<M, E>[];
}

export interface Plan<M extends string = LockMode, E extends string = EffectId> {
  change: Change;
  /** Postgres major the plan is for (MySQL/MariaDB: the major; `server` has the whole version). */
  version: number;
  /** The dialect the plan is for; absent: PostgreSQL. */
  dialect?: DialectId;
  /** The server version the plan is for (MySQL/MariaDB: flavor and patch matter). */
  server?: ServerVersion;
  /** Where the table facts came from: `--db` (with row counts) or `offline`. */
  facts: 'database' | 'offline';
  phases: Phase<M, E>[];
  /** Plan-level notes (e.g. which operations were already safe as one step). */
  notes: string[];
  /** With --db: replicas and their lag, and sessions that would make the first lock wait, right now. */
  live?: import('../dialects/postgres/introspect.js').LiveFacts;
}

/** A plan of any dialect, as the neutral CLI passes it between a dialect's plan, render and apply. */
export type AnyPlan = Plan<string, string>;
export type AnyStep = Step<string, string>;

export type { Operation, Change };
