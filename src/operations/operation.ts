/** What an operation file provides to the planner. */
import type { QualifiedName } from '../core/types.js';
import type { Catalog } from '../dialects/postgres/catalog.js';
import type { VolatilityResult } from '../dialects/postgres/volatility.js';
import type { Problem } from '../core/errors.js';
import type { Backfill, PhaseName } from '../plan/types.js';
import type { Operation, OperationKind } from './types.js';

/** A step before the planner has asked the effects table about it. */
export interface StepDraft {
  /** Short, kebab-case, unique within the operation: `add-column`, `validate-not-null`. */
  name: string;
  phase: PhaseName;
  title: string;
  up: string;
  down?: string;
  backfill?: Backfill;
  notes?: string[];
}

export interface OperationContext {
  /** Target Postgres major. */
  version: number;
  /** The schema as the plan goes (before this operation's steps): from --db, else only what the change itself adds. */
  catalog: Catalog;
  volatility(expression: string): VolatilityResult;
  /** The table's primary-key columns, when known. */
  primaryKey(table: QualifiedName): string[] | undefined;
  /** Reports a problem with the operation (collected; the plan fails before anything runs). */
  problem(p: Problem): void;
  /** `changes[2].addColumn` — where this operation is in the spec, for problems. */
  where: string;
}

export interface OperationPlanner<K extends OperationKind = OperationKind> {
  kind: K;
  /** One line for people: `add column orders.created_at`. */
  describe(op: Extract<Operation, { kind: K }>): string;
  steps(op: Extract<Operation, { kind: K }>, ctx: OperationContext): StepDraft[];
}
