/**
 * addColumn: the change everyone underestimates. Expand adds the column without constraints (and sets
 * the default for new rows), backfill fills existing rows in batches, contract enforces NOT NULL, CHECK,
 * FOREIGN KEY, UNIQUE and builds the index the non-blocking way. When Postgres can already do it in one
 * instant step (11+: a non-volatile default, NOT NULL or not), the plan is that one step.
 */
import { objectName, quoteIdent, quoteLiteral, sqlName } from '../dialects/postgres/names.js';
import type { OperationPlanner, StepDraft } from './operation.js';
import { checkSteps, foreignKeySteps, notNullSteps, uniqueSteps } from './constraints.js';
import { indexStep } from './add-index.js';
import { backfillBatchStatement } from '../dialects/postgres/backfill.js';
import type { AddColumn } from './types.js';

export const addColumn: OperationPlanner<'addColumn'> = {
  kind: 'addColumn',
  describe: (op) => `add column ${sqlName(op.table)}.${quoteIdent(op.name)} ${op.type}${op.nullable ? '' : ' NOT NULL'}`,
  steps(op, ctx) {
    const t = sqlName(op.table);
    const c = quoteIdent(op.name);
    const steps: StepDraft[] = [];
    const table = ctx.catalog.table(op.table);
    if (ctx.catalog.complete && !table) ctx.problem({ where: `${ctx.where}.table`, message: `table ${t} does not exist` });
    if (table?.columns.has(op.name)) ctx.problem({ where: `${ctx.where}.name`, message: `column ${t}.${c} already exists` });

    const vol = op.default !== undefined ? ctx.volatility(op.default) : undefined;
    const backfill = op.backfill ?? op.default;
    // Postgres 11+ stores a non-volatile default once: existing rows read it, nothing is rewritten.
    const instant = op.default !== undefined && vol?.volatility === 'non-volatile' && (op.backfill === undefined || op.backfill === op.default);

    if (instant) {
      steps.push({
        name: 'add-column',
        phase: 'expand',
        title: `Add ${t}.${c} with its default${op.nullable ? '' : ' and NOT NULL'}: instant, existing rows read the default stored once`,
        up: `ALTER TABLE ${t} ADD COLUMN ${c} ${op.type}${op.nullable ? '' : ' NOT NULL'} DEFAULT ${op.default}`,
        down: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${c}`,
      });
    } else {
      steps.push({ name: 'add-column', phase: 'expand', title: `Add ${t}.${c}, nullable and without a default: instant`, up: `ALTER TABLE ${t} ADD COLUMN ${c} ${op.type}`, down: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${c}` });
      if (op.default !== undefined)
        steps.push({
          name: 'set-default',
          phase: 'expand',
          title: `Default for new rows: ${op.default}${vol?.volatility === 'volatile' ? ' (volatile: set after adding the column, so no row is rewritten)' : ''}`,
          up: `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${op.default}`,
          down: `ALTER TABLE ${t} ALTER COLUMN ${c} DROP DEFAULT`,
          ...(vol?.volatility === 'unknown' ? { notes: [`lockstep cannot tell whether ${vol.unknownFunctions.join(', ')} is volatile, so it does not add the default in the same step`] } : {}),
        });
    }
    if (op.comment !== undefined)
      steps.push({ name: 'comment', phase: 'expand', title: `Comment on ${t}.${c}`, up: `COMMENT ON COLUMN ${t}.${c} IS ${quoteLiteral(op.comment)}`, down: `COMMENT ON COLUMN ${t}.${c} IS NULL` });

    if (!instant && backfill !== undefined) {
      const key = ctx.primaryKey(op.table);
      if (!key?.length && ctx.catalog.complete)
        ctx.problem({
          where: `${ctx.where}.backfill`,
          message: `table ${t} has no primary key: lockstep backfills in batches by primary key (add one, or fill the column yourself and drop "backfill")`,
        });
      const spec = { table: op.table, column: op.name, expression: backfill, key: key ?? ['id'] };
      steps.push({
        name: 'backfill',
        phase: 'backfill',
        title: `Fill ${t}.${c} for existing rows with ${backfill}, in short batches by primary key`,
        up: backfillBatchStatement(spec),
        backfill: spec,
        notes: [
          `One batch: the keys from $1 to $2, both included (${spec.key.length > 1 ? 'each a list of the key columns, ' : ''}sized by time), each its own short transaction that commits with its checkpoint; a rerun continues after the last batch done. The batches walk the key, so rows the expression leaves NULL do not stop it.`,
          ...(key?.length ? [] : [`Planned without the schema: assumes the primary key of ${t} is id (pass --db to use the real one).`]),
        ],
      });
    } else if (!instant && !op.nullable)
      ctx.problem({ where: ctx.where, message: `${t}.${c} is NOT NULL but has neither "default" nor "backfill": existing rows would have no value` });

    if (!op.nullable && !instant) steps.push(...notNullSteps(ctx.version, op.table, op.name));
    if (op.check !== undefined) steps.push(...checkSteps(op.table, objectName(op.table.name, op.name, 'check'), op.check));
    if (op.references) {
      const r = op.references;
      steps.push(...foreignKeySteps(op.table, r.name ?? objectName(op.table.name, op.name, 'fkey'), [op.name], { table: r.table, columns: [r.column ?? 'id'] }, r.onDelete, r.onUpdate));
    }
    if (op.unique) steps.push(...uniqueSteps(op.table, (typeof op.unique === 'object' && op.unique.name) || objectName(op.table.name, op.name, 'key'), [op.name]));
    if (op.index) {
      const o = typeof op.index === 'object' ? op.index : {};
      const columns = o.columns ?? [quoteIdent(op.name)];
      steps.push({ ...indexStep(op.table, { name: o.name ?? objectName(op.table.name, op.name, 'idx'), columns, ...(o.method ? { method: o.method } : {}), ...(o.where ? { where: o.where } : {}) }), phase: 'contract' });
    }
    return steps;
  },
};


export type { AddColumn };
