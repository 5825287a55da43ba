/** addIndex: CREATE [UNIQUE] INDEX CONCURRENTLY, outside a transaction; a failed build's INVALID index is dropped before the retry. */
import type { QualifiedName } from '../core/types.js';
import { objectName, quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { OperationPlanner, StepDraft } from './operation.js';

/** The index step; `columns` are SQL (column names already quoted, or expressions). */
export function indexStep(table: QualifiedName, o: { name: string; columns: string[]; method?: string; where?: string; unique?: boolean; include?: string[] }): StepDraft {
  const n = quoteIdent(o.name);
  const idx = `${table.schema ? `${quoteIdent(table.schema)}.` : ''}${n}`;
  return {
    name: 'create-index',
    phase: o.unique ? 'contract' : 'expand',
    title: `Build ${o.unique ? 'the unique index' : 'the index'} ${n} without blocking writes`,
    up: `CREATE ${o.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${n} ON ${sqlName(table)}${o.method && o.method !== 'btree' ? ` USING ${o.method}` : ''} (${o.columns.join(', ')})${o.include?.length ? ` INCLUDE (${o.include.map(quoteIdent).join(', ')})` : ''}${o.where ? ` WHERE ${o.where}` : ''}`,
    down: `DROP INDEX CONCURRENTLY IF EXISTS ${idx}`,
    notes: ['If the build fails it leaves an INVALID index: it is dropped before the retry.'],
  };
}

export const addIndex: OperationPlanner<'addIndex'> = {
  kind: 'addIndex',
  describe: (op) => `add ${op.unique ? 'unique ' : ''}index on ${sqlName(op.table)} (${op.columns.join(', ')})`,
  steps(op, ctx) {
    const name = op.name ?? objectName(op.table.name, op.columns.map((c) => c.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_|_$/g, '')).join('_'), op.unique ? 'key' : 'idx');
    if (ctx.catalog.complete && !ctx.catalog.table(op.table)) ctx.problem({ where: `${ctx.where}.table`, message: `table ${sqlName(op.table)} does not exist` });
    if (ctx.catalog.index({ ...(op.table.schema ? { schema: op.table.schema } : {}), name })) ctx.problem({ where: `${ctx.where}.name`, message: `index ${quoteIdent(name)} already exists` });
    return [indexStep(op.table, { name, columns: op.columns, ...(op.method ? { method: op.method } : {}), ...(op.where ? { where: op.where } : {}), ...(op.unique ? { unique: true } : {}), ...(op.include ? { include: op.include } : {}) })];
  },
};
