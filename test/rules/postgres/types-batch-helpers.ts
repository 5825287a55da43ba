/** Lints several migrations in order (the later ones see the schema the earlier ones made), optionally on a known database. */
import { lintMigrations } from '../../../src/lint/lint.js';
import { Catalog } from '../../../src/dialects/postgres/catalog.js';
import { loadParser, parsePostgres } from '../../../src/dialects/postgres/parser.js';
import type { TransactionMode } from '../../../src/parse/migrations.js';
import type { Finding } from '../../../src/core/types.js';

export interface Db {
  /** DDL of the existing schema. */
  schema: string;
  /** Estimated rows per table. */
  rows?: Record<string, number>;
}

export async function lintSequence(rule: string, texts: string[], opts: { pgVersion?: number; transaction?: TransactionMode; db?: Db } = {}): Promise<Finding[]> {
  await loadParser();
  const migrations = texts.map((text, i) => {
    const id = String(i + 1).padStart(3, '0');
    return { id, layout: 'plain' as const, up: { file: { path: `${id}.sql`, text }, parts: [{ start: 0, end: text.length }] }, transaction: opts.transaction ?? ('none' as const), transactionSource: 'test' };
  });
  let catalog: Catalog | undefined;
  if (opts.db) {
    catalog = new Catalog();
    for (const s of parsePostgres(opts.db.schema, 0).statements) catalog.apply(s, 'db');
    for (const t of catalog.tables.values()) {
      delete t.createdIn;
      const rows = opts.db.rows?.[t.name.name];
      if (rows !== undefined) {
        t.rows = rows;
        t.bytes = rows * 100;
      }
    }
    catalog.complete = true;
  }
  const r = await lintMigrations(migrations as any, migrations.map((m) => m.up.file), { only: [rule as any], ...(opts.pgVersion ? { pgVersion: opts.pgVersion } : {}), ...(catalog ? { catalog } : {}) });
  return r.findings;
}
