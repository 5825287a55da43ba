/**
 * What a change does to the columns the application reads and writes, phase by phase: whether a column
 * exists yet, whether it may hold NULL, whether new rows get a value without the application writing
 * one. Derived from the plan lockstep would make for the target's Postgres major — not guessed — so
 * that "nullable until contract" is true exactly when apply adds the column nullable and enforces
 * NOT NULL later, and false when Postgres 11+ adds it NOT NULL with its default in one instant step.
 */
import type { QualifiedName } from '../core/types.js';
import type { Change } from '../operations/types.js';
import { parsePostgres } from '../parse/postgres.js';
import { plan } from '../plan/planner.js';
import type { Plan } from '../plan/types.js';
import type { Catalog } from '../dialects/postgres/catalog.js';

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
  /** The default as written in the spec, when there is one. */
  default?: string;
}

/** The columns a change adds or constrains, with their nullability per phase, from `plan`'s own steps. */
export async function changedColumns(change: Change, version: number, catalog?: Catalog): Promise<ChangedColumn[]> {
  const p: Plan = await plan(change, { version, ...(catalog ? { catalog } : {}) });
  const steps = p.phases.flatMap((ph) => ph.steps);
  const out: ChangedColumn[] = [];
  change.operations.forEach((op, i) => {
    const mine = steps.filter((s) => s.id.startsWith(`${i + 1}.`));
    if (op.kind === 'addColumn') {
      const add = mine.find((s) => s.id.endsWith('.add-column') && s.phase === 'expand');
      const notNullAtAdd = add ? addsNotNull(add.up) : !op.nullable;
      out.push({
        table: op.table,
        column: op.name,
        type: op.type,
        kind: 'addColumn',
        nullableDuringRollout: !notNullAtAdd,
        nullableAtEnd: op.nullable,
        hasDefault: op.default !== undefined,
        ...(op.default !== undefined ? { default: op.default } : {}),
      });
    } else if (op.kind === 'setNotNull') {
      // With the schema (--db), a column that already has a default is filled by the server on insert.
      const col = catalog?.table(op.table)?.columns.get(op.column);
      out.push({ table: op.table, column: op.column, ...(col ? { type: `${col.type.name}${col.type.mods.length ? `(${col.type.mods.join(',')})` : ''}${col.type.array ? '[]' : ''}` } : {}), kind: 'setNotNull', nullableDuringRollout: true, nullableAtEnd: false, hasDefault: !!col?.hasDefault });
    }
  });
  return out;
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

/** snake_case → camelCase, the way Prisma, Drizzle and most TypeScript code name a column's field. */
export function camel(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

export function tableLabel(t: QualifiedName): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}
