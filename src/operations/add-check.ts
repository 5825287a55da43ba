/** addCheck: NOT VALID (instant, new rows checked) then VALIDATE (scans without blocking reads or writes). */
import { objectName, quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { OperationPlanner } from './operation.js';
import { checkSteps } from './constraints.js';

export const addCheck: OperationPlanner<'addCheck'> = {
  kind: 'addCheck',
  describe: (op) => `add check on ${sqlName(op.table)}: ${op.expression}`,
  steps(op, ctx) {
    const name = op.name ?? objectName(op.table.name, undefined, 'check');
    if (ctx.catalog.constraint(op.table, name)) ctx.problem({ where: `${ctx.where}.name`, message: `constraint ${quoteIdent(name)} already exists on ${sqlName(op.table)}` });
    return checkSteps(op.table, name, op.expression);
  },
};
