/**
 * A Change for MySQL/MariaDB is checked before any of it is planned or run, with the MySQL lexer: each
 * SQL fragment it holds (type, default, backfill, check, a column definition) is spliced into the SQL
 * lockstep writes, so it must be one thing — no statement terminator, no comment that would swallow what
 * follows, no parenthesis that closes more than it opened, no parameter — and a type must be a type
 * (the check a spec's type gets, spec-fragments.ts). Names are plain strings (quoted by the quoter).
 * Every problem is reported at once, with its path.
 */
import { LockstepError, type Problem } from '../../../core/errors.js';
import { fkActions, operationKinds } from '../../../operations/types.js';
import { lexicalProblem, mysqlSpecFragments } from '../spec-fragments.js';
import type { MyOperation } from './types.js';

function fragment(text: unknown, where: string, what: string, problems: Problem[], o: { commas?: boolean } = {}): void {
  if (typeof text !== 'string' || !text.trim()) {
    problems.push({ where, message: `must be ${what} (text), got ${text === undefined ? 'nothing' : JSON.stringify(text)}` });
    return;
  }
  const bad = lexicalProblem(text, what, o);
  if (bad) problems.push({ where, message: bad });
}

/** A column type: one fragment, and a type as the MySQL parser reads one (what a spec's type is checked with). */
function type(text: unknown, where: string, problems: Problem[]): void {
  const before = problems.length;
  fragment(text, where, 'type', problems);
  if (problems.length > before) return;
  const bad = mysqlSpecFragments.type(text as string);
  if (bad) problems.push({ where, message: `${JSON.stringify(text)} ${bad}` });
}

function action(v: unknown, where: string, problems: Problem[]): void {
  if (v !== undefined && !(fkActions as readonly unknown[]).includes(v)) problems.push({ where, message: `must be one of ${fkActions.join(', ')}` });
}

function name(v: unknown, where: string, problems: Problem[]): void {
  if (typeof v !== 'string' || !v) problems.push({ where, message: 'must be a name' });
  else if ([...v].length > 64) problems.push({ where, message: 'is longer than 64 characters (the MySQL/MariaDB limit)' });
}

function table(v: any, where: string, problems: Problem[]): void {
  if (!v || typeof v !== 'object') return void problems.push({ where, message: 'must be a table name' });
  name(v.name, `${where}.name`, problems);
  if (v.schema !== undefined) name(v.schema, `${where}.schema`, problems);
}

export function assertValidMyChange(change: { name?: unknown; operations?: unknown }): void {
  const problems: Problem[] = [];
  if (typeof change?.name !== 'string' || !change.name) problems.push({ where: 'name', message: 'a change needs a name (the ledger key)' });
  else if (change.name.length > 191) problems.push({ where: 'name', message: 'is longer than 191 characters' });
  if (!Array.isArray(change?.operations)) problems.push({ where: 'operations', message: 'must be a list of operations' });
  const kinds: readonly string[] = [...operationKinds, 'changeColumnType'];
  ((Array.isArray(change?.operations) ? change.operations : []) as MyOperation[]).forEach((op, i) => {
    const at = (k: string) => `operations[${i}]${k ? `.${k}` : ''}`;
    if (!op || !kinds.includes((op as any).kind)) return void problems.push({ where: at('kind'), message: `must be one of ${kinds.join(', ')}` });
    table(op.table, at('table'), problems);
    switch (op.kind) {
      case 'addColumn':
        name(op.name, at('name'), problems);
        type(op.type, at('type'), problems);
        if (op.default !== undefined) fragment(op.default, at('default'), 'SQL expression', problems);
        if (op.backfill !== undefined) fragment(op.backfill, at('backfill'), 'SQL expression', problems);
        if (op.check !== undefined) fragment(op.check, at('check'), 'SQL expression', problems);
        if (op.comment !== undefined && typeof op.comment !== 'string') problems.push({ where: at('comment'), message: 'must be text' });
        if (typeof op.nullable !== 'boolean') problems.push({ where: at('nullable'), message: 'must be true or false' });
        if (op.references) {
          table(op.references.table, at('references.table'), problems);
          action(op.references.onDelete, at('references.onDelete'), problems);
          action(op.references.onUpdate, at('references.onUpdate'), problems);
        }
        if (typeof op.index === 'object' && op.index?.columns) op.index.columns.forEach((c, j) => fragment(c, at(`index.columns[${j}]`), 'column', problems));
        break;
      case 'addIndex':
      case 'addUnique':
        if (!Array.isArray(op.columns) || !op.columns.length) problems.push({ where: at('columns'), message: 'must list the columns' });
        else op.columns.forEach((c, j) => fragment(c, at(`columns[${j}]`), 'column', problems));
        if (op.name !== undefined) name(op.name, at('name'), problems);
        break;
      case 'addCheck':
        fragment(op.expression, at('expression'), 'SQL expression', problems);
        if (op.name !== undefined) name(op.name, at('name'), problems);
        break;
      case 'addForeignKey':
        if (!Array.isArray(op.columns) || !op.columns.length) problems.push({ where: at('columns'), message: 'must list the columns' });
        else op.columns.forEach((c, j) => fragment(c, at(`columns[${j}]`), 'column', problems));
        table(op.references?.table, at('references.table'), problems);
        action(op.onDelete, at('onDelete'), problems);
        action(op.onUpdate, at('onUpdate'), problems);
        if (!Array.isArray(op.references?.columns) || op.references.columns.length !== op.columns?.length) problems.push({ where: at('references.columns'), message: 'must list as many columns as columns' });
        else op.references.columns.forEach((c, j) => fragment(c, at(`references.columns[${j}]`), 'column', problems));
        if (op.name !== undefined) name(op.name, at('name'), problems);
        break;
      case 'setNotNull':
        name(op.column, at('column'), problems);
        break;
      case 'changeColumnType':
        name(op.column, at('column'), problems);
        fragment(op.definition, at('definition'), 'column definition', problems);
        break;
    }
  });
  if (problems.length) throw new LockstepError('E_INPUT', problems);
}
