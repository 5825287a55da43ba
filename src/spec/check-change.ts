/**
 * A Change that did not come through the spec reader (built by hand in TypeScript, or read back from the
 * ledger) is checked by the same validator before anything is planned or run: its SQL fragments (type,
 * default, backfill, check, where, index method and columns) reach SQL as written, so each must be
 * exactly one thing of its kind. Every problem is reported at once, with its path.
 *
 * The stored plan a resumed apply follows is checked too: its change, its steps against the ledger's
 * own record of them, and each backfill's fields (the runner renders its SQL from them).
 */
import { LockstepError, type Problem } from '../core/errors.js';
import { quoteIdent } from '../dialects/postgres/names.js';
import { operationKinds, type Change, type OperationKind } from '../operations/types.js';
import { phaseNames, type Plan } from '../plan/types.js';
import { checkExpression, requireParser } from './sql-fragments.js';
import { pathText, Reporter, table, validateOperation, type Path } from './validate.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Change holds names as they are (quoted when rendered); the spec writes them as SQL does. */
const asSql = (v: unknown) => (typeof v === 'string' && v ? quoteIdent(v) : v);
const listAsSql = (v: unknown) => (Array.isArray(v) ? v.map(asSql) : v);

/** An operation of a Change → the body of the same operation in a spec (names written as in SQL). */
function specBody(kind: OperationKind, op: Obj): Obj {
  const { kind: _k, table: _t, ...body } = op;
  const b: Obj = { ...body };
  const set = (k: string, f: (v: unknown) => unknown) => {
    if (b[k] !== undefined) b[k] = f(b[k]);
  };
  switch (kind) {
    case 'addColumn':
      set('name', asSql);
      set('references', (r) => (isObj(r) ? { ...r, ...(r.column !== undefined ? { column: asSql(r.column) } : {}), ...(r.name !== undefined ? { name: asSql(r.name) } : {}) } : r));
      set('unique', (u) => (isObj(u) && u.name !== undefined ? { ...u, name: asSql(u.name) } : u));
      set('index', (x) => (isObj(x) && x.name !== undefined ? { ...x, name: asSql(x.name) } : x));
      break;
    case 'addIndex':
      set('name', asSql);
      set('include', listAsSql);
      break;
    case 'addCheck':
      set('name', asSql);
      break;
    case 'addForeignKey':
      set('name', asSql);
      set('columns', listAsSql);
      set('references', (r) => (isObj(r) ? { ...r, columns: listAsSql(r.columns) } : r));
      break;
    case 'addUnique':
      set('name', asSql);
      set('columns', listAsSql);
      break;
    case 'setNotNull':
      set('column', asSql);
      break;
  }
  for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
  return b;
}

/** Every problem with a Change, each at its path under `at` (`change.operations[0].addColumn.default`). */
export function changeProblems(change: unknown, at = 'change'): Problem[] {
  requireParser('checking a change');
  const r = new Reporter();
  if (!isObj(change)) r.problem([], 'must be a change: { name, operations: [ … ] }');
  else {
    if (typeof change.name !== 'string' || !change.name.trim()) r.problem(['name'], 'must be a non-empty text (the key of the change in the ledger)');
    if (!Array.isArray(change.operations) || !change.operations.length) r.problem(['operations'], 'must be a non-empty list of operations');
    else
      change.operations.forEach((op, i) => {
        const path: Path = ['operations', i];
        if (!isObj(op) || !(operationKinds as readonly unknown[]).includes(op.kind)) {
          r.problem([...path, 'kind'], `must be one of ${operationKinds.join(', ')}`);
          return;
        }
        const kind = op.kind as OperationKind;
        const t = op.table === undefined ? void r.problem([...path, 'table'], 'is required (the table, e.g. { name: "orders" })') : table(r, op.table, [...path, 'table']);
        validateOperation(r, kind, t, specBody(kind, op), [...path, kind]);
      });
  }
  return r.problems.map((p) => ({ where: [at, pathText(p.path)].filter(Boolean).join('.').replace(/\.\[/g, '['), message: p.message }));
}

/** Throws one E_INPUT error listing every problem of a hand-built (or stored) Change. */
export function assertValidChange(change: Change, at = 'change'): void {
  const problems = changeProblems(change, at);
  if (problems.length) throw new LockstepError('E_INPUT', problems);
}

/** What the ledger recorded for a step when the change was first applied. */
export interface RecordedStep {
  id: string;
  up: string;
  down: string | null;
}

/**
 * The plan stored in the ledger, before a resumed apply runs it: its change is valid and is the one
 * recorded (checksum), its steps are well formed and are the steps the ledger recorded, and each backfill
 * names a table, a column, a valid expression and its key.
 */
export function storedPlanProblems(plan: unknown, recorded: RecordedStep[], checksum: (c: Change) => string, expectedChecksum: string, at: string): Problem[] {
  const problems: Problem[] = [];
  const p = (where: string, message: string) => problems.push({ where: `${at}: ${where}`, message });
  if (!isObj(plan) || !Array.isArray(plan.phases) || !isObj(plan.change)) {
    p('plan', 'is not a lockstep plan (no change or phases)');
    return problems;
  }
  const changeIssues = changeProblems(plan.change, 'change');
  for (const x of changeIssues) p(x.where, x.message);
  if (!changeIssues.length && checksum(plan.change as unknown as Change) !== expectedChecksum) p('change', `is not the change recorded (checksum ${expectedChecksum})`);
  const byId = new Map(recorded.map((s) => [s.id, s]));
  const seen = new Set<string>();
  (plan as unknown as Plan).phases.forEach((ph, i) => {
    if (!isObj(ph) || !phaseNames.includes(ph.name) || !Array.isArray(ph.steps)) return void p(`phases[${i}]`, `must be { name: ${phaseNames.join(' | ')}, steps: [ … ] }`);
    ph.steps.forEach((s, j) => {
      const w = `phases[${i}].steps[${j}]`;
      if (!isObj(s) || typeof s.id !== 'string' || typeof s.up !== 'string' || typeof s.transactional !== 'boolean' || (s.down !== undefined && typeof s.down !== 'string') || s.phase !== ph.name)
        return void p(w, 'must be a step { id, phase, up, down?, transactional }');
      if (seen.has(s.id)) p(`${w}.id`, `${JSON.stringify(s.id)} appears twice`);
      seen.add(s.id);
      const rec = byId.get(s.id);
      if (!rec) p(`${w}.id`, `step ${s.id} is not one the ledger recorded for this change`);
      else if (rec.up !== s.up || (rec.down ?? undefined) !== (s.down ?? undefined)) p(`${w}.up`, `step ${s.id}'s SQL differs from what the ledger recorded for it`);
      if (s.backfill !== undefined) {
        const b = s.backfill as unknown;
        if (!isObj(b) || !isObj(b.table) || typeof b.table.name !== 'string' || typeof b.column !== 'string' || typeof b.expression !== 'string' || !Array.isArray(b.key) || !b.key.length || !b.key.every((k) => typeof k === 'string' && k))
          return void p(`${w}.backfill`, 'must be { table, column, expression, key: [ … ] }');
        const bad = checkExpression(b.expression, 'backfill');
        if (bad) p(`${w}.backfill.expression`, `${JSON.stringify(b.expression)} ${bad}`);
        // The runner renders the batch from these fields (backfillBatchStatement), not from `up`: a ledger
        // written by an earlier lockstep, whose `up` showed another form, resumes the same way.
      }
    });
  });
  for (const r of recorded) if (!seen.has(r.id)) p('phases', `step ${r.id}, recorded in the ledger, is missing from the plan`);
  return problems;
}
