/**
 * A change from the file plan/apply/rollback take: a spec, its types and expressions checked the chosen
 * dialect's way, or SQL read by the chosen dialect's own parser.
 */
import { extname } from 'node:path';
import type { Dialect, Migrator } from '../dialects/dialect.js';
import { readChange, readText } from '../spec/read.js';
import type { Change } from '../operations/types.js';
import type { Unconverted } from '../spec/from-sql.js';

export async function readSource(
  d: { dialect: Pick<Dialect, 'specFragments'>; migrator: Migrator },
  path: string,
  display: string,
): Promise<{ change: Change; unconverted: Unconverted[]; source: string }> {
  const { migrator } = d;
  if (extname(path).toLowerCase() !== '.sql') return readChange(path, display, { fragments: d.dialect.specFragments });
  const source = await readText(path, display);
  const { change, unconverted } = await migrator.fromSql(source, { file: display });
  return { change, unconverted, source };
}
