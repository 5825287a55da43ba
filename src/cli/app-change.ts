/**
 * The change app-check and types work on, and the dialect it is for: `--dialect`, else the `--db` URL,
 * else config, else what the application's files declare (app-check's paths) or MySQL-only syntax in
 * the change's SQL, else PostgreSQL. A spec's types and expressions are checked the chosen dialect's way; a SQL migration
 * is read with the chosen dialect's reader.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { inputError, usageError } from '../core/errors.js';
import type { Span } from '../core/types.js';
import type { Config } from '../config/config.js';
import { chooseDialect, type DialectChoice } from '../dialects/index.js';
import type { Change } from '../operations/types.js';
import { readText } from '../spec/read.js';
import { parseChangeSpec, specFormat } from '../spec/parse-spec.js';
import { appDialect, declaredFlavor } from '../app/app-check.js';
import type { AppDialect } from '../app/dialect-app.js';

export interface AppChange {
  choice: DialectChoice;
  app: AppDialect;
  change: Change;
  unconverted: { span: Span; reason: string }[];
  source: string;
}

export async function readAppChange(o: { command: 'app-check' | 'types'; cwd: string; file: string; paths?: string[]; dialect?: string; db?: string; pgVersion?: string; config: Config }): Promise<AppChange> {
  const { file } = o;
  const isSql = extname(file).toLowerCase() === '.sql';
  const sqlText = isSql ? await readFile(resolve(o.cwd, file), 'utf8').then((t) => t.replace(/^\uFEFF/, ''), () => undefined) : undefined;
  if (isSql && sqlText === undefined) throw inputError(file, 'no such file, or it cannot be read');
  // A spec that is not there is said before anything else; it is validated once the dialect is known.
  const format = isSql ? undefined : specFormat(file);
  if (!isSql && !format) throw inputError(file, 'is neither a change spec (.yaml, .yml, .json) nor SQL (.sql)');
  const specText = isSql ? undefined : await readText(resolve(o.cwd, file), file);
  const layout = o.dialect === undefined && !o.db && !o.config.dialect ? await declaredFlavor({ ...(o.paths ? { paths: o.paths } : {}), cwd: o.cwd, ...(sqlText !== undefined ? { change: { file, text: sqlText } } : {}) }) : undefined;
  const choice = chooseDialect({ ...(o.dialect !== undefined ? { flag: o.dialect } : {}), ...(o.db ? { urls: [{ url: o.db, where: '--db' }] } : {}), ...(o.config.dialect ? { config: o.config.dialect } : {}), ...(layout ? { layout } : {}) });
  if (o.pgVersion !== undefined && choice.dialect.id !== 'postgres') throw usageError('--pg-version', `is for PostgreSQL; ${choice.from} says ${choice.dialect.name}`);
  // A spec is validated for the dialect it is for, before the dialect's app support loads.
  let spec: { change: Change; unconverted: []; source: string } | undefined;
  if (specText !== undefined) {
    await choice.dialect.specFragments.load();
    spec = { change: parseChangeSpec(specText, { file, format: format!, fragments: choice.dialect.specFragments }), unconverted: [], source: specText };
  }
  const app = await appDialect(choice.dialect, o.command);
  const { change, unconverted, source } = spec ?? { ...(await app.changeFromSql(sqlText!, file)), source: sqlText! };
  return { choice, app, change, unconverted, source };
}
