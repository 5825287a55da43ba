/**
 * MySQL/MariaDB plans: the neutral Plan (src/plan/types.ts) with the server's own vocabulary — lock
 * modes are the metadata lock and LOCK= level a step takes (`metadata exclusive (brief), LOCK=NONE`),
 * effects are entries of the MySQL effects table (effects.ts).
 *
 * One operation exists only here for now: `changeColumnType`, which a SQL migration's
 * `ALTER TABLE … MODIFY amount DECIMAL(14,2)` becomes (change specs do not have it yet).
 */
import type { QualifiedName } from '../../../core/types.js';
import type { Operation } from '../../../operations/types.js';
import type { Plan, Step, Phase } from '../../../plan/types.js';
import type { MyEffectId } from '../effect.js';

/** MODIFY [COLUMN] c <definition>: a new type (and the rest of the column's definition) for a column. */
export interface ChangeColumnType {
  kind: 'changeColumnType';
  table: QualifiedName;
  column: string;
  /** The column's whole new definition after its name, as written: `DECIMAL(14,2) NOT NULL DEFAULT 0`. */
  definition: string;
}

export type MyOperation = Operation | ChangeColumnType;

/** How a MySQL step's lock reads: the metadata lock every DDL takes, and the LOCK= level for the rest of it. */
export type MyLockMode = string;

export type MyStep = Step<MyLockMode, MyEffectId>;
export type MyPhase = Phase<MyLockMode, MyEffectId>;
export type MyPlan = Plan<MyLockMode, MyEffectId>;

