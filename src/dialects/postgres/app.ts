/**
 * app-check on PostgreSQL (the AppDialect of ../../app/dialect-app.ts): SQL migrations through
 * changeFromSql, column phases from the plan for the target's major (or the one the ledger recorded),
 * the field lines `lockstep types` prints, and SQL in code read with the real Postgres parser — retried
 * with other drivers' placeholders (`?`, `:name`) when it does not parse as it is.
 */
import type { AppDialect, FieldLine } from '../../app/dialect-app.js';
import type { AppPhase, ChangedColumn } from '../../app/columns.js';
import { changedColumns } from '../../app/columns.js';
import { analyzeSql, normalizePlaceholders } from '../../app/sql-usage.js';
import { changePlan, drizzleColumnLine, prismaFieldLine, rowTypes, type ChangePlan, type RowColumn } from '../../app/types.js';
import { looksLikeSql } from '../../app/typescript.js';
import { connect } from '../../apply/db.js';
import { changeFromSql } from '../../spec/from-sql.js';
import type { Change } from '../../operations/types.js';
import type { Queryable } from './introspect.js';
import { key, quoteIdentAlways } from './names.js';
import { loadParser } from './parser.js';

/** The line to paste for a missing column, from `lockstep types` for the phase the code is deployed in. */
async function fieldLines(change: Change, o: { db?: Queryable; planned: ChangePlan }, phase: AppPhase): Promise<FieldLine> {
  const r = await rowTypes(change, { phase: phase === 'expand' ? 'backfill' : 'contract', planned: o.planned, ...(o.db ? { db: o.db } : {}) });
  const cols = new Map<string, RowColumn>();
  for (const t of r.tables) for (const c of t.columns) if (c.changed) cols.set(`${key(t.table)}.${c.name}`, c);
  return (c, orm) => {
    const rc = cols.get(`${key(c.table)}.${c.column}`);
    if (!rc || rc.type.ts === 'unknown') return undefined;
    if (orm === 'prisma') return prismaFieldLine(rc).trim();
    if (orm === 'drizzle') return drizzleColumnLine(rc).trim();
    if (orm === 'ts') return `${c.column}: ${rc.type.ts}${rc.nullable ? ' | null' : ''};`;
    return undefined;
  };
}

export const postgresApp: AppDialect = {
  async changeFromSql(text, file) {
    const { change, unconverted } = await changeFromSql(text, { file });
    return { change, unconverted };
  },
  async columns(change, o) {
    const db = o.db ? await connect(o.db, '--db', 'lockstep app-check', { readOnly: true }) : undefined; // app-check only reads
    try {
      // One plan (and with --db one read of the schema) for the columns and for the field lines.
      const planned = await changePlan(change, { ...(o.version !== undefined ? { pgVersion: o.version } : {}), ...(db ? { db } : {}) });
      const columns = await changedColumns(change, { planned });
      const fieldLine = await fieldLines(change, { planned, ...(db ? { db } : {}) }, o.phase);
      return { columns, fieldLine };
    } finally {
      await db?.close();
    }
  },
  analyzeSql(sql: string, columns: ChangedColumn[], phase: AppPhase, o: { embedded: boolean }) {
    let a = analyzeSql(sql, columns, phase);
    if (!o.embedded) return a;
    // An interpolated identifier (`FROM ${table}`) is not a parameter; other drivers use `?` and `:name`.
    for (const retry of [() => sql.replace(/\$(\d+)/g, 'lockstep_param_$1'), () => normalizePlaceholders(sql)]) {
      if (a.parsed) break;
      const b = analyzeSql(retry(), columns, phase);
      if (b.parsed) a = b;
    }
    return a;
  },
  looksLikeSql,
  types: (change, o) => rowTypes(change, { phase: o.phase, zod: o.zod, source: o.source, ...(o.version !== undefined ? { pgVersion: o.version } : {}), ...(o.db ? { db: o.db } : {}) }),
  parameter: (n) => `$${n}`,
  defaultSchema: 'public',
  quoteIdent: quoteIdentAlways,
};

export async function loadPostgresApp(): Promise<AppDialect> {
  await loadParser();
  return postgresApp;
}
