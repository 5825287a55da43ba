/** Step recipes several operations share: NOT NULL, CHECK, FOREIGN KEY and UNIQUE added without long locks. */
import type { QualifiedName } from '../core/types.js';
import { objectName, quoteIdent, sqlName } from '../dialects/postgres/names.js';
import type { FkAction } from './types.js';
import type { StepDraft } from './operation.js';

/** NOT NULL on an existing column, the version's own way. */
export function notNullSteps(version: number, table: QualifiedName, column: string): StepDraft[] {
  const t = sqlName(table);
  const c = quoteIdent(column);
  const name = quoteIdent(objectName(table.name, column, 'not_null'));
  if (version >= 18)
    return [
      { name: 'add-not-null-not-valid', phase: 'contract', title: `NOT NULL on ${t}.${c}, not yet validated (new rows are checked)`, up: `ALTER TABLE ${t} ADD CONSTRAINT ${name} NOT NULL ${c} NOT VALID`, down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${name}` },
      { name: 'validate-not-null', phase: 'contract', title: `Validate NOT NULL on ${t}.${c} (scans while reads and writes go on)`, up: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${name}` },
    ];
  if (version >= 12)
    return [
      { name: 'add-not-null-check', phase: 'contract', title: `CHECK (${c} IS NOT NULL), not yet validated (new rows are checked)`, up: `ALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${c} IS NOT NULL) NOT VALID`, down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${name}` },
      { name: 'validate-not-null-check', phase: 'contract', title: `Validate the CHECK (scans while reads and writes go on)`, up: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${name}` },
      {
        name: 'set-not-null',
        phase: 'contract',
        title: `SET NOT NULL on ${t}.${c} (instant: the valid CHECK proves it)`,
        up: `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL`,
        down: `ALTER TABLE ${t} ALTER COLUMN ${c} DROP NOT NULL`,
      },
      { name: 'drop-not-null-check', phase: 'contract', title: 'Drop the CHECK, now redundant', up: `ALTER TABLE ${t} DROP CONSTRAINT ${name}`, down: `ALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${c} IS NOT NULL) NOT VALID` },
    ];
  return [
    {
      name: 'set-not-null',
      phase: 'contract',
      title: `SET NOT NULL on ${t}.${c}`,
      up: `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL`,
      down: `ALTER TABLE ${t} ALTER COLUMN ${c} DROP NOT NULL`,
      notes: ['PostgreSQL 11 cannot avoid scanning the whole table under ACCESS EXCLUSIVE here (a valid CHECK does not help before 12): run it when the table is quiet.'],
    },
  ];
}

export function checkSteps(table: QualifiedName, name: string, expression: string): StepDraft[] {
  const t = sqlName(table);
  const n = quoteIdent(name);
  return [
    { name: 'add-check-not-valid', phase: 'contract', title: `CHECK ${n}, not yet validated (new rows are checked)`, up: `ALTER TABLE ${t} ADD CONSTRAINT ${n} CHECK (${expression}) NOT VALID`, down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${n}` },
    { name: 'validate-check', phase: 'contract', title: `Validate ${n} (scans while reads and writes go on)`, up: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${n}` },
  ];
}

export function foreignKeySteps(
  table: QualifiedName,
  name: string,
  columns: string[],
  ref: { table: QualifiedName; columns: string[] },
  onDelete?: FkAction,
  onUpdate?: FkAction,
): StepDraft[] {
  const t = sqlName(table);
  const n = quoteIdent(name);
  const actions = `${onDelete ? ` ON DELETE ${onDelete.toUpperCase()}` : ''}${onUpdate ? ` ON UPDATE ${onUpdate.toUpperCase()}` : ''}`;
  return [
    {
      name: 'add-foreign-key-not-valid',
      phase: 'contract',
      title: `FOREIGN KEY ${n}, not yet validated (new rows are checked)`,
      up: `ALTER TABLE ${t} ADD CONSTRAINT ${n} FOREIGN KEY (${columns.map(quoteIdent).join(', ')}) REFERENCES ${sqlName(ref.table)} (${ref.columns.map(quoteIdent).join(', ')})${actions} NOT VALID`,
      down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${n}`,
    },
    { name: 'validate-foreign-key', phase: 'contract', title: `Validate ${n} (scans while reads and writes go on)`, up: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${n}` },
  ];
}

export function uniqueSteps(table: QualifiedName, name: string, columns: string[]): StepDraft[] {
  const t = sqlName(table);
  const n = quoteIdent(name);
  const idx = `${table.schema ? `${quoteIdent(table.schema)}.` : ''}${n}`;
  return [
    {
      name: 'create-unique-index',
      phase: 'contract',
      title: `Build the unique index ${n} without blocking writes`,
      up: `CREATE UNIQUE INDEX CONCURRENTLY ${n} ON ${t} (${columns.map(quoteIdent).join(', ')})`,
      down: `DROP INDEX CONCURRENTLY IF EXISTS ${idx}`,
      notes: ['If the build fails (a duplicate, a lock timeout) it leaves an INVALID index: it is dropped before the retry.'],
    },
    { name: 'add-unique-using-index', phase: 'contract', title: `UNIQUE constraint ${n} on the index (instant)`, up: `ALTER TABLE ${t} ADD CONSTRAINT ${n} UNIQUE USING INDEX ${n}`, down: `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${n}` },
  ];
}
