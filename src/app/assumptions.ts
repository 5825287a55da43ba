/**
 * Phase gates: what the application may assume about each column a change adds or constrains, given
 * which of the change's steps have taken effect (the ledger). `lockstep status` prints it, so the person
 * deploying knows which version of the app is safe at this point:
 *   absent → nullable (expand done: reads handle NULL, writes set the column)
 *   → backfilled (every existing row filled; new rows only if the app writes the column)
 *   → new rows checked (contract started: an insert without the column fails)
 *   → not null (contract done: code may rely on it).
 */
import type { Change } from '../operations/types.js';
import { addsNotNull, tableLabel } from './columns.js';

export type ColumnStage = 'absent' | 'nullable' | 'backfilled' | 'new-rows-checked' | 'not-null';

export interface AppAssumption {
  table: string;
  column: string;
  stage: ColumnStage;
  /** What the application may rely on now, and what it must still do, in one sentence each. */
  now: string;
  /** Which app is safe to deploy (app-check's --phase for it). */
  deploy: string;
}

interface StepState {
  id: string;
  state: string;
  up: string;
}

/** Per added or constrained column, where it stands. `rolledBack`: the change's downs ran. */
export function appAssumptions(change: Change, steps: StepState[], rolledBack = false): AppAssumption[] {
  const out: AppAssumption[] = [];
  const done = (id: string) => steps.some((s) => s.id === id && s.state === 'done');
  change.operations.forEach((op, i) => {
    if (op.kind !== 'addColumn' && op.kind !== 'setNotNull') return;
    const n = i + 1;
    const column = op.kind === 'addColumn' ? op.name : op.column;
    const table = tableLabel(op.table);
    const name = `${table}.${column}`;
    const mustWrite = op.kind === 'addColumn' ? !op.nullable && op.default === undefined : true;
    const add = steps.find((s) => s.id === `${n}.add-column`);
    let stage: ColumnStage;
    if (op.kind === 'addColumn' && (rolledBack || !add || add.state !== 'done')) stage = 'absent';
    else if (op.kind === 'addColumn' && op.nullable) stage = 'nullable';
    else if (op.kind === 'addColumn' && addsNotNull(add!.up)) stage = 'not-null';
    else if (rolledBack) stage = 'nullable';
    else if (done(`${n}.set-not-null`) || done(`${n}.validate-not-null`)) stage = 'not-null';
    else if (done(`${n}.add-not-null-check`) || done(`${n}.add-not-null-not-valid`)) stage = 'new-rows-checked';
    else if (done(`${n}.backfill`)) stage = 'backfilled';
    else stage = 'nullable';

    const texts: Record<ColumnStage, [string, string]> = {
      absent: [`${name} does not exist${rolledBack ? ' (rolled back)' : ' yet'}: no deployed code may read or write it`, 'the app as it was before the change'],
      nullable:
        op.kind === 'addColumn' && op.nullable
          ? [`${name} exists and is nullable: reads must handle NULL`, 'an app that handles NULL in it (lockstep app-check --phase contract)']
          : [
              `${name} exists and may be NULL: reads must handle NULL; writes ${mustWrite ? 'must set it before the contract phase (no default)' : 'may set it'}`,
              `an app whose reads tolerate NULL and whose inserts set ${column} (lockstep app-check --phase expand)`,
            ],
      backfilled: [
        `every existing row of ${table} has ${column}; rows inserted without it are still NULL until the contract phase: reads must still handle NULL`,
        `an app whose inserts set ${column}; a feature flag that shows ${column} may be turned on (lockstep app-check --phase expand)`,
      ],
      'new-rows-checked': [`new rows must have ${name} (an insert without it fails); NOT NULL is being validated: reads must still handle NULL`, `an app whose inserts set ${column} (lockstep app-check --phase expand)`],
      'not-null': [`${name} is NOT NULL: code may rely on it`, `an app that relies on NOT NULL (lockstep app-check --phase contract; lockstep types --phase contract)`],
    };
    out.push({ table, column, stage, now: texts[stage][0], deploy: texts[stage][1] });
  });
  return out;
}
