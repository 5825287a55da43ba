/** addUnique: CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX (instant). */
import { objectName, quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { OperationPlanner } from './operation.js';
import { uniqueSteps } from './constraints.js';

export const addUnique: OperationPlanner<'addUnique'> = {
  kind: 'addUnique',
  describe: (op) => `add unique constraint on ${sqlName(op.table)} (${op.columns.join(', ')})`,
  steps(op, ctx) {
    const name = op.name ?? objectName(op.table.name, op.columns.join('_'), 'key');
    if (ctx.catalog.constraint(op.table, name)) ctx.problem({ where: `${ctx.where}.name`, message: `constraint ${quoteIdent(name)} already exists on ${sqlName(op.table)}` });
    if (ctx.catalog.table(op.table)?.kind === 'partitioned')
      ctx.problem({ where: `${ctx.where}.table`, message: `${sqlName(op.table)} is partitioned: a unique index cannot be built concurrently on it, and lockstep does not plan the per-partition recipe yet` });
    return uniqueSteps(op.table, name, op.columns);
  },
};
