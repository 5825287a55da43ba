/**
 * What a change does to the columns the application reads and writes, phase by phase: whether a column
 * exists yet, whether it may hold NULL, whether new rows get a value without the application writing
 * one. Derived from the plan lockstep would make for the target's Postgres major — not guessed — so
 * that "nullable until contract" is true exactly when apply adds the column nullable and enforces
 * NOT NULL later, and false when Postgres 11+ adds it NOT NULL with its default in one instant step.
 */
import type { QualifiedName } from '../core/types.js';
import type { Change } from '../operations/types.js';
import { parsePostgres } from '../dialects/postgres/parser.js';
import type { Queryable } from '../dialects/postgres/introspect.js';
import { key } from '../dialects/postgres/names.js';
import { camel, changePlan, phaseNullability, type ChangePlan } from './types.js';

export type AppPhase = 'expand' | 'contract';

export interface ChangedColumn {
  table: QualifiedName;
  column: string;
  /** SQL type as the spec wrote it (undefined for setNotNull, which does not know it without --db). */
  type?: string;
  /** addColumn: the column is new; setNotNull: it exists and gains NOT NULL. */
  kind: 'addColumn' | 'setNotNull';
  /** May hold NULL after expand and until contract is done (what an app deployed between them sees). */
  nullableDuringRollout: boolean;
  /** May hold NULL once the change is complete. */
  nullableAtEnd: boolean;
  /** New rows get a value without the application writing one (a column default). */
  hasDefault: boolean;
  /** False for an existing column made NOT NULL without --db: whether it has a default is unknown. */
  defaultKnown: boolean;
  /** The default as written in the spec, when there is one. */
  default?: string;
}

/**
 * The columns a change adds or constrains, with their nullability per phase: the plan (types.ts
 * changePlan: the ledger's with a database, else one for `version`) replayed into the schema
 * (phaseNullability), so the answer is what apply does. A column both added and made NOT NULL by the
 * change (a SQL migration's ADD COLUMN + SET NOT NULL) is one column.
 */
export async function changedColumns(change: Change, o: { version?: number; db?: Queryable; planned?: ChangePlan } = {}): Promise<ChangedColumn[]> {
  const { plan: p, before } = o.planned ?? (await changePlan(change, { ...(o.db ? { db: o.db } : {}), ...(o.version !== undefined ? { pgVersion: o.version } : {}) }));
  const phases = await phaseNullability(p, before);
  const out = new Map<string, ChangedColumn>();
  for (const c of phases) {
    const k = `${key(c.table)}.${c.column}`;
    const added = phases.find((x) => x.change === 'addColumn' && `${key(x.table)}.${x.column}` === k);
    const op = added ? change.operations[added.operation - 1]! : undefined;
    const spec = op?.kind === 'addColumn' ? op : undefined;
    const existing = before?.table(c.table)?.columns.get(c.column);
    const type = spec?.type ?? (existing ? `${existing.type.name}${existing.type.mods.length ? `(${existing.type.mods.join(',')})` : ''}${existing.type.array ? '[]' : ''}` : undefined);
    const prev = out.get(k);
    out.set(k, {
      table: c.table,
      column: c.column,
      ...(type ? { type } : {}),
      kind: added ? 'addColumn' : 'setNotNull',
      nullableDuringRollout: (prev?.nullableDuringRollout ?? false) || c.after.expand.nullable || c.after.backfill.nullable,
      nullableAtEnd: c.after.contract.nullable,
      hasDefault: c.after.contract.hasDefault,
      // An added column's default is in the spec; an existing one's only in the schema (--db).
      defaultKnown: !!added || !!before,
      ...(spec?.default !== undefined ? { default: spec.default } : {}),
    });
  }
  return [...out.values()];
}

/** Whether an `ALTER TABLE … ADD COLUMN` statement declares the column NOT NULL (read with the parser). */
export function addsNotNull(sql: string): boolean {
  const st = parsePostgres(sql).statements[0];
  for (const cmd of st?.ast?.cmds ?? []) {
    const def = cmd.AlterTableCmd?.def?.ColumnDef;
    if (def) return (def.constraints ?? []).some((c: any) => c.Constraint?.contype === 'CONSTR_NOTNULL');
  }
  return false;
}

/** The column's nullability as an application deployed in `phase` must assume it. */
export function nullableFor(c: ChangedColumn, phase: AppPhase): boolean {
  return phase === 'expand' ? c.nullableDuringRollout || c.nullableAtEnd : c.nullableAtEnd;
}

export { camel };

export function tableLabel(t: QualifiedName): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}
