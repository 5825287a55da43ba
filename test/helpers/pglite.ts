import { PGlite } from '@electric-sql/pglite';
import { onTestFinished } from 'vitest';

/** An in-process PGlite (Postgres 18 in WASM), closed when the current test ends. */
export async function freshPglite(sql?: string): Promise<PGlite> {
  const db = new PGlite();
  await db.waitReady;
  if (sql) await db.exec(sql);
  onTestFinished(() => db.close());
  return db;
}

export const PGLITE_MAJOR = 18;
