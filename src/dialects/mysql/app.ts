/**
 * app-check on MySQL/MariaDB (the AppDialect of ../../app/dialect-app.ts): a MySQL migration read with
 * the MySQL parser, the changed columns' nullability per phase, and SQL in code read with the MySQL
 * lexer (app-sql.ts).
 *
 * The phases follow what the MySQL planner (migrate/planner.ts) does with the column: a NOT NULL column
 * with a constant default (a literal) is added with it in one step, so every row has a value from the
 * expand phase on; any other NOT NULL column (no default, CURRENT_TIMESTAMP or an expression, or a
 * backfill that differs from its default) is added nullable, backfilled by primary key, and made NOT
 * NULL in the contract phase (without a default or backfill the planner refuses it; app-check still
 * says what the application must do); `MODIFY c … NOT NULL` of an existing column is NOT NULL only after contract. With
 * --db (read-only) the existing column's nullability and default come from information_schema — and when
 * this change's apply recorded its plan in the target's ledger (lockstep_changes: same operations, not
 * rolled back), from that plan, as on PostgreSQL: whether its add-column step made the column NOT NULL
 * at once, and the definition the column had before the change (its set-not-null step's down), which
 * the database no longer shows once the change is applied.
 */
import { basename, extname } from 'node:path';
import type { Span } from '../../core/types.js';
import type { AppDialect } from '../../app/dialect-app.js';
import type { ChangedColumn } from '../../app/columns.js';
import type { Change, Operation } from '../../operations/types.js';
import type { AlterAction, ColumnDef } from './ast.js';
import type { MysqlCatalog } from './catalog.js';
import { introspectMysql } from './introspect.js';
import { connectMysql } from './driver.js';
import * as ledger from './migrate/ledger.js';
import type { AnyPlan, AnyStep } from '../../plan/types.js';
import { quoteIdent } from './names.js';
import { parseMysql } from './parser.js';
import { LITERAL } from './migrate/planner.js';
import { analyzeMysqlSql, looksLikeMysql } from './app-sql.js';
import { changedRowColumn, mysqlDrizzleLine, mysqlPrismaLine, mysqlRowTypes } from './app-types.js';
import type { FieldLine } from '../../app/dialect-app.js';
import type { Flavor } from '../../core/version.js';

async function facts(db: string | undefined, change: Change): Promise<{ catalog?: MysqlCatalog; flavor: 'mysql' | 'mariadb'; recorded?: AnyPlan }> {
  if (!db) return { flavor: 'mysql' };
  const f = await introspectMysql(db, '--db');
  const recorded = await recordedPlan(db, change);
  return { catalog: f.catalog, flavor: (f.version.flavor as Flavor) === 'mariadb' ? 'mariadb' : 'mysql', ...(recorded ? { recorded } : {}) };
}

/** The plan this change's apply recorded in the target's ledger (same operations, not rolled back), if any; read only. */
export async function recordedPlan(url: string, change: Change): Promise<AnyPlan | undefined> {
  const db = await connectMysql(url, { where: '--db', readOnly: true });
  try {
    if (!(await ledger.ledgerExists(db))) return undefined;
    const c = await ledger.readChange(db, change.name);
    if (!c || c.state === 'rolled back' || c.checksum !== ledger.checksum(change)) return undefined;
    const plan = await ledger.readPlan(db, change.name);
    return Array.isArray(plan?.phases) ? plan : undefined;
  } finally {
    await db.close();
  }
}

/** The column a step's SQL defines (`ALTER TABLE t ADD COLUMN c …` / `MODIFY COLUMN c …`), read with the MySQL parser. */
function stepColumn(sql: string | null | undefined): ColumnDef | undefined {
  if (!sql) return undefined;
  const st = parseMysql(sql).statements[0];
  if (st?.kind !== 'alter-table') return undefined;
  for (const a of st.actions) if (a.type === 'add-column' || a.type === 'modify-column' || a.type === 'change-column') return a.column;
  return undefined;
}

/** Whether a step adds its column NOT NULL at once (`ADD COLUMN c INT NOT NULL DEFAULT 0, ALGORITHM=INSTANT`): the phase gates of `lockstep status`. */
export function mysqlAddsNotNull(sql: string): boolean {
  return stepColumn(sql)?.nullable === false;
}

const CONVERTED = 'ADD COLUMN and MODIFY/CHANGE … NOT NULL of an existing column';

/** The default a column definition gives new rows, as SQL text (undefined: none). */
function defaultOf(col: ColumnDef): string | undefined {
  if (col.generated) return `(${col.generated.expr})`; // computed by the server: the application never writes it
  if (col.autoIncrement) return 'AUTO_INCREMENT';
  if (!col.default || col.default.kind === 'null') return undefined;
  return col.default.text;
}

/** A MySQL migration as a change: ADD COLUMN → addColumn, MODIFY/CHANGE c (same name) … NOT NULL → setNotNull. */
export function changeFromMysql(text: string, file: string): { change: Change; unconverted: { span: Span; reason: string }[] } {
  const parsed = parseMysql(text);
  const operations: Operation[] = [];
  const unconverted: { span: Span; reason: string }[] = parsed.syntaxErrors.map((e) => ({ span: e.span, reason: `does not parse: ${e.message}` }));
  for (const st of parsed.statements) {
    if (st.kind === 'unparsed') {
      unconverted.push({ span: st.span, reason: `does not parse: ${st.reason}` });
      continue;
    }
    if (st.kind === 'set' || st.kind === 'delimiter' || st.kind === 'use' || st.kind === 'begin' || st.kind === 'commit') continue; // session plumbing, not a change
    if (st.kind !== 'alter-table') {
      unconverted.push({ span: st.span, reason: `lockstep reads ${CONVERTED} as the change` });
      continue;
    }
    for (const a of st.actions as AlterAction[]) {
      if (a.type === 'add-column') {
        const d = defaultOf(a.column);
        operations.push({ kind: 'addColumn', table: st.table, name: a.column.name, type: a.column.type.text, nullable: a.column.nullable !== false && !a.column.primaryKey, ...(d !== undefined ? { default: d } : {}) });
      } else if ((a.type === 'modify-column' || (a.type === 'change-column' && a.oldName.toLowerCase() === a.column.name.toLowerCase())) && a.column.nullable === false) {
        operations.push({ kind: 'setNotNull', table: st.table, column: a.column.name });
      } else if (a.type !== 'table-options' || Object.keys(a.options).some((k) => k !== 'algorithm' && k !== 'lock')) {
        unconverted.push({ span: a.span, reason: `${a.type.replace(/-/g, ' ')}: lockstep reads ${CONVERTED} as the change` });
      }
    }
  }
  return { change: { name: basename(file, extname(file)), operations }, unconverted };
}

/** The changed columns and their nullability per phase (see the file comment for the recipe); `recorded`: the plan the ledger holds for this change. */
export function mysqlColumns(change: Change, catalog?: MysqlCatalog, recorded?: AnyPlan): ChangedColumn[] {
  const out = new Map<string, ChangedColumn>();
  const steps: AnyStep[] = recorded ? recorded.phases.flatMap((p) => p.steps) : [];
  const step = (id: string) => steps.find((x) => x.id === id);
  for (const [i, op] of change.operations.entries()) {
    if (op.kind !== 'addColumn' && op.kind !== 'setNotNull') continue;
    const column = op.kind === 'addColumn' ? op.name : op.column;
    const k = `${op.table.schema ?? ''}.${op.table.name}.${column.toLowerCase()}`;
    const prev = out.get(k);
    if (op.kind === 'addColumn') {
      // As the MySQL planner (migrate/planner.ts) adds it: a constant default in one step, NOT NULL from the
      // start — or as the recorded plan's add-column step did.
      const constant = op.default !== undefined && LITERAL.test(op.default.trim()) && op.default.trim().toUpperCase() !== 'NULL';
      const added = stepColumn(step(`${i + 1}.add-column`)?.up);
      const oneStep = !op.nullable && (added ? added.nullable === false : constant && (op.backfill === undefined || op.backfill === op.default));
      out.set(k, {
        table: op.table,
        column: op.name,
        type: op.type,
        kind: 'addColumn',
        nullableDuringRollout: op.nullable || !oneStep,
        nullableAtEnd: op.nullable,
        hasDefault: op.default !== undefined,
        defaultKnown: true,
        ...(op.default !== undefined ? { default: op.default } : {}),
      });
      continue;
    }
    // An existing column (or one the same change adds) made NOT NULL: as it was before the change — the
    // recorded step's down restates that definition; else the database as it is now.
    const existing = catalog?.column(op.table, op.column);
    const was = stepColumn(step(`${i + 1}.set-not-null`)?.down);
    out.set(k, {
      table: op.table,
      column: prev?.column ?? existing?.name ?? was?.name ?? op.column,
      ...(prev?.type ? { type: prev.type } : existing ? { type: existing.type.text } : was ? { type: was.type.text } : {}),
      kind: prev?.kind ?? 'setNotNull',
      nullableDuringRollout: prev ? prev.nullableDuringRollout : was ? was.nullable !== false && !was.primaryKey : existing ? existing.nullable : true,
      nullableAtEnd: false,
      hasDefault: prev?.hasDefault ?? (was ? defaultOf(was) !== undefined : existing ? existing.default !== 'none' || !!existing.autoIncrement || !!existing.generated : false),
      defaultKnown: prev?.defaultKnown ?? (!!catalog || !!was),
      ...(prev?.default !== undefined ? { default: prev.default } : {}),
    });
  }
  return [...out.values()];
}

export const mysqlApp: AppDialect = {
  async changeFromSql(text, file) {
    return changeFromMysql(text, file);
  },
  async columns(change, o) {
    const { catalog, flavor, recorded } = await facts(o.db, change);
    const columns = mysqlColumns(change, catalog, recorded);
    // The line to paste for a missing column, as it should be for the phase the code is deployed in.
    const phase = o.phase === 'expand' ? 'backfill' : 'contract';
    const fieldLine: FieldLine = (c, orm) => {
      const rc = changedRowColumn(c, phase, flavor);
      if (rc.type.ts === 'unknown') return undefined;
      if (orm === 'prisma') return mysqlPrismaLine(rc).trim();
      if (orm === 'drizzle') return mysqlDrizzleLine(rc).trim();
      if (orm === 'ts') return `${c.column}: ${rc.type.ts}${rc.nullable ? ' | null' : ''};`;
      return undefined;
    };
    return { columns, fieldLine };
  },
  async types(change, o) {
    const { catalog, flavor, recorded } = await facts(o.db, change);
    return mysqlRowTypes(change, mysqlColumns(change, catalog, recorded), { phase: o.phase, zod: o.zod, source: o.source, flavor, ...(catalog ? { catalog } : {}), ...(recorded ? { planFrom: 'ledger' as const } : {}) });
  },
  analyzeSql: (sql, columns, phase) => analyzeMysqlSql(sql, columns, phase),
  looksLikeSql: looksLikeMysql,
  parameter: () => '?',
  quoteIdent,
};
