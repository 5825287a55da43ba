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

/**
 * Per added or constrained column, where it stands. A column the change both adds and makes NOT NULL
 * (a SQL migration's ADD COLUMN + SET NOT NULL: two operations) is one column. `rolledBack`: the
 * change's downs ran. `addsNotNull` reads a step's SQL in its dialect: whether its ADD COLUMN is NOT NULL
 * at once (default: PostgreSQL's, which needs the parser loaded).
 */
export function appAssumptions(change: Change, steps: StepState[], rolledBack = false, o: { addsNotNull?: (sql: string) => boolean } = {}): AppAssumption[] {
  const notNullAtOnce = o.addsNotNull ?? addsNotNull;
  const done = (id: string) => steps.some((s) => s.id === id && s.state === 'done');
  const columns = new Map<string, { table: string; column: string; ops: { n: number; op: Change['operations'][number] }[] }>();
  change.operations.forEach((op, i) => {
    if (op.kind !== 'addColumn' && op.kind !== 'setNotNull') return;
    const column = op.kind === 'addColumn' ? op.name : op.column;
    const table = tableLabel(op.table);
    const k = `${table}.${column}`;
    const entry = columns.get(k) ?? { table, column, ops: [] };
    entry.ops.push({ n: i + 1, op });
    columns.set(k, entry);
  });
  const out: AppAssumption[] = [];
  for (const { table, column, ops } of columns.values()) {
    const name = `${table}.${column}`;
    const added = ops.find((o) => o.op.kind === 'addColumn') as { n: number; op: Extract<Change['operations'][number], { kind: 'addColumn' }> } | undefined;
    const becomesNotNull = ops.some((o) => o.op.kind === 'setNotNull' || (o.op.kind === 'addColumn' && !o.op.nullable));
    // Whether inserts get a value without the app: an added column's default is in the spec; an existing one's is not known here.
    const hasDefault: boolean | undefined = added ? added.op.default !== undefined : undefined;
    const any = (suffix: string) => ops.some((o) => done(`${o.n}.${suffix}`));
    const add = added ? steps.find((s) => s.id === `${added.n}.add-column`) : undefined;
    let stage: ColumnStage;
    if (added && (rolledBack || !add || add.state !== 'done')) stage = 'absent';
    else if (!becomesNotNull || rolledBack) stage = 'nullable';
    else if (added && !added.op.nullable && notNullAtOnce(add!.up)) stage = 'not-null';
    else if (any('set-not-null') || any('validate-not-null') || any('validate-not-null-check')) stage = 'not-null';
    else if (any('add-not-null-check') || any('add-not-null-not-valid')) stage = 'new-rows-checked';
    else if (added && done(`${added.n}.backfill`)) stage = 'backfilled';
    else stage = 'nullable';

    const writes =
      hasDefault === true
        ? `inserts that leave ${column} out get its default`
        : hasDefault === false
          ? `inserts must set ${column} before the contract phase (it has no default)`
          : `inserts must set ${column} before the contract phase unless it has a default`;
    const texts: Record<ColumnStage, [string, string]> = {
      absent: [`${name} does not exist${rolledBack ? ' (rolled back)' : ' yet'}: no deployed code may read or write it`, rolledBack ? 'the app as it was before the change (deploy it before rolling back, not after)' : 'the app as it was before the change'],
      nullable: !becomesNotNull
        ? [`${name} exists and is nullable: reads must handle NULL`, 'an app that handles NULL in it (lockstep app-check --phase contract)']
        : rolledBack
          ? [`${name} is nullable again (rolled back): reads must handle NULL`, 'an app that handles NULL in it']
          : [`${name} ${added ? 'exists and ' : ''}may be NULL: reads must handle NULL; ${writes}`, `an app whose reads tolerate NULL${hasDefault ? '' : ` and whose inserts set ${column}`} (lockstep app-check --phase expand)`],
      backfilled: [
        `every existing row of ${table} has ${column}; ${hasDefault ? 'new rows get its default' : `rows inserted without it since are NULL and would stop the contract phase`}: reads must still handle NULL until then`,
        `an app${hasDefault ? '' : ` whose inserts set ${column}`}; a feature flag that shows ${column} may be turned on (lockstep app-check --phase expand)`,
      ],
      'new-rows-checked': [
        `new rows must have ${name}${hasDefault ? ' (its default gives them one)' : ' (an insert without it fails)'}; NOT NULL is being validated: reads must still handle NULL`,
        `an app${hasDefault ? '' : ` whose inserts set ${column}`} (lockstep app-check --phase expand)`,
      ],
      'not-null': [`${name} is NOT NULL: code may rely on it`, `an app that relies on NOT NULL (lockstep app-check --phase contract; lockstep types --phase contract)`],
    };
    out.push({ table, column, stage, now: texts[stage][0], deploy: texts[stage][1] });
  }
  return out;
}
