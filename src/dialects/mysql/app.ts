/**
 * app-check on MySQL/MariaDB (the AppDialect of ../../app/dialect-app.ts): a MySQL migration read with
 * the MySQL parser, the changed columns' nullability per phase, and SQL in code read with the MySQL
 * lexer (app-sql.ts).
 *
 * There is no MySQL plan or ledger to replay yet, so the phases follow the recipe lockstep's MySQL apply
 * is built to (issue 13, docs/app.md): a NOT NULL column with a default is added with it in one step —
 * instantly where the server can (MySQL 8.0.12+, MariaDB 10.3+), else by an online copy — so every row
 * has a value from the expand phase on; a NOT NULL column without a default, or with a backfill that
 * differs from its default, is added nullable, backfilled by primary key, and made NOT NULL in the
 * contract phase; `MODIFY c … NOT NULL` of an existing column is NOT NULL only after contract. With
 * --db (read-only) the existing column's nullability and default come from information_schema.
 */
import { basename, extname } from 'node:path';
import type { Span } from '../../core/types.js';
import type { AppDialect } from '../../app/dialect-app.js';
import type { ChangedColumn } from '../../app/columns.js';
import type { Change, Operation } from '../../operations/types.js';
import type { AlterAction, ColumnDef } from './ast.js';
import type { MysqlCatalog } from './catalog.js';
import { introspectMysql } from './introspect.js';
import { quoteIdent } from './names.js';
import { parseMysql } from './parser.js';
import { analyzeMysqlSql, looksLikeMysql } from './app-sql.js';
import { changedRowColumn, mysqlDrizzleLine, mysqlPrismaLine, mysqlRowTypes } from './app-types.js';
import type { FieldLine } from '../../app/dialect-app.js';
import type { Flavor } from '../../core/version.js';

async function facts(db: string | undefined): Promise<{ catalog?: MysqlCatalog; flavor: 'mysql' | 'mariadb' }> {
  if (!db) return { flavor: 'mysql' };
  const f = await introspectMysql(db, '--db');
  return { catalog: f.catalog, flavor: (f.version.flavor as Flavor) === 'mariadb' ? 'mariadb' : 'mysql' };
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

/** The changed columns and their nullability per phase (see the file comment for the recipe). */
export function mysqlColumns(change: Change, catalog?: MysqlCatalog): ChangedColumn[] {
  const out = new Map<string, ChangedColumn>();
  for (const op of change.operations) {
    if (op.kind !== 'addColumn' && op.kind !== 'setNotNull') continue;
    const column = op.kind === 'addColumn' ? op.name : op.column;
    const k = `${op.table.schema ?? ''}.${op.table.name}.${column.toLowerCase()}`;
    const prev = out.get(k);
    if (op.kind === 'addColumn') {
      const oneStep = !op.nullable && op.default !== undefined && (op.backfill === undefined || op.backfill === op.default);
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
    // An existing column (or one the same change adds) made NOT NULL.
    const existing = catalog?.column(op.table, op.column);
    out.set(k, {
      table: op.table,
      column: prev?.column ?? existing?.name ?? op.column,
      ...(prev?.type ? { type: prev.type } : existing ? { type: existing.type.text } : {}),
      kind: prev?.kind ?? 'setNotNull',
      nullableDuringRollout: prev ? prev.nullableDuringRollout : existing ? existing.nullable : true,
      nullableAtEnd: false,
      hasDefault: prev?.hasDefault ?? (existing ? existing.default !== 'none' || !!existing.autoIncrement || !!existing.generated : false),
      defaultKnown: prev?.defaultKnown ?? !!catalog,
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
    const { catalog, flavor } = await facts(o.db);
    const columns = mysqlColumns(change, catalog);
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
    const { catalog, flavor } = await facts(o.db);
    return mysqlRowTypes(change, mysqlColumns(change, catalog), { phase: o.phase, zod: o.zod, source: o.source, flavor, ...(catalog ? { catalog } : {}) });
  },
  analyzeSql: (sql, columns, phase) => analyzeMysqlSql(sql, columns, phase),
  looksLikeSql: looksLikeMysql,
  parameter: () => '?',
  quoteIdent,
};
