/** addForeignKey: NOT VALID (brief SHARE ROW EXCLUSIVE on both tables) then VALIDATE (SHARE UPDATE EXCLUSIVE + ROW SHARE). */
import { objectName, quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { OperationPlanner } from './operation.js';
import { foreignKeySteps } from './constraints.js';

export const addForeignKey: OperationPlanner<'addForeignKey'> = {
  kind: 'addForeignKey',
  describe: (op) => `add foreign key ${sqlName(op.table)} (${op.columns.join(', ')}) → ${sqlName(op.references.table)}`,
  steps(op, ctx) {
    const name = op.name ?? objectName(op.table.name, op.columns.join('_'), 'fkey');
    if (ctx.catalog.constraint(op.table, name)) ctx.problem({ where: `${ctx.where}.name`, message: `constraint ${quoteIdent(name)} already exists on ${sqlName(op.table)}` });
    if (ctx.catalog.complete && !ctx.catalog.table(op.references.table)) ctx.problem({ where: `${ctx.where}.references.table`, message: `table ${sqlName(op.references.table)} does not exist` });
    if (ctx.version < 18 && ctx.catalog.table(op.table)?.kind === 'partitioned')
      ctx.problem({ where: `${ctx.where}.table`, message: `a NOT VALID foreign key on partitioned table ${sqlName(op.table)} needs PostgreSQL 18; lockstep does not plan the per-partition recipe yet` });
    return foreignKeySteps(op.table, name, op.columns, op.references, op.onDelete, op.onUpdate);
  },
};
