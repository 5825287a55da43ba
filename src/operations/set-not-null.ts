/** setNotNull: 12–17 CHECK NOT VALID → VALIDATE → SET NOT NULL → DROP CHECK; 18 NOT NULL NOT VALID → VALIDATE; 11 a scan it cannot avoid. */
import { quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { OperationPlanner } from './operation.js';
import { notNullSteps } from './constraints.js';

export const setNotNull: OperationPlanner<'setNotNull'> = {
  kind: 'setNotNull',
  describe: (op) => `set ${sqlName(op.table)}.${quoteIdent(op.column)} NOT NULL`,
  steps(op, ctx) {
    const col = ctx.catalog.column(op.table, op.column);
    if (ctx.catalog.complete && !col) ctx.problem({ where: `${ctx.where}.column`, message: `column ${sqlName(op.table)}.${quoteIdent(op.column)} does not exist` });
    if (col?.notNull) ctx.problem({ where: `${ctx.where}.column`, message: `${sqlName(op.table)}.${quoteIdent(op.column)} is already NOT NULL` });
    return notNullSteps(ctx.version, op.table, op.column);
  },
};
