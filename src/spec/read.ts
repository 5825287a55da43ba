/** Reading a change from a file: a spec (.yaml, .yml, .json), or a SQL migration (.sql) through changeFromSql. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { inputError } from '../core/errors.js';
import type { SpecFragments } from '../dialects/dialect.js';
import type { Change } from '../operations/types.js';
import { parseChangeSpec, specFormat } from './parse-spec.js';
import { postgresSpecFragments } from './sql-fragments.js';
import { changeFromSql, type FromSqlOptions, type Unconverted } from './from-sql.js';

/**
 * Reads and validates a change spec file; every problem is reported at once (E_INPUT). `fragments`: the
 * target dialect's checks for its types and expressions (`dialect.specFragments`; default PostgreSQL's).
 */
export async function readChangeSpec(path: string, display = path, fragments: SpecFragments = postgresSpecFragments): Promise<Change> {
  const format = specFormat(path);
  if (!format) throw inputError(display, `is not a change spec: use a .yaml, .yml or .json file${extname(path).toLowerCase() === '.sql' ? ' (SQL goes through changeFromSql)' : ''}`);
  const text = await readText(path, display);
  await fragments.load();
  return parseChangeSpec(text, { file: display, format, fragments });
}

/**
 * A change from any file `lockstep plan` and `apply` take: a spec, or SQL (whose statements that are
 * not converted come back in `unconverted`). `source` is the file's text, for positions in messages.
 * SQL here is PostgreSQL's; `fragments` checks a spec's types and expressions (default PostgreSQL's).
 */
export async function readChange(
  path: string,
  display = path,
  opts: Pick<FromSqlOptions, 'lint' | 'name'> & { fragments?: SpecFragments } = {},
): Promise<{ change: Change; unconverted: Unconverted[]; source: string }> {
  if (extname(path).toLowerCase() === '.sql') {
    const source = await readText(path, display);
    const { fragments: _f, ...sqlOpts } = opts;
    const { change, unconverted } = await changeFromSql(source, { file: display, ...sqlOpts });
    return { change, unconverted, source };
  }
  const format = specFormat(path);
  if (!format) throw inputError(display, 'is neither a change spec (.yaml, .yml, .json) nor SQL (.sql)');
  const source = await readText(path, display);
  const fragments = opts.fragments ?? postgresSpecFragments;
  await fragments.load();
  const change = parseChangeSpec(source, { file: display, format, fragments });
  return { change: opts.name ? { ...change, name: opts.name } : change, unconverted: [], source };
}

export async function readText(path: string, display: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${(e as Error).message})`;
    throw inputError(display, why, e);
  }
}
