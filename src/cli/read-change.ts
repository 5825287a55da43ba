/** A change from the file plan/apply/rollback take: a spec (any dialect), or SQL read by the chosen dialect's own parser. */
import { extname } from 'node:path';
import type { Migrator } from '../dialects/dialect.js';
import { readChange, readText } from '../spec/read.js';
import type { Change } from '../operations/types.js';
import type { Unconverted } from '../spec/from-sql.js';

export async function readSource(migrator: Migrator, path: string, display: string): Promise<{ change: Change; unconverted: Unconverted[]; source: string }> {
  if (extname(path).toLowerCase() !== '.sql') return readChange(path, display);
  const source = await readText(path, display);
  const { change, unconverted } = await migrator.fromSql(source, { file: display });
  return { change, unconverted, source };
}
