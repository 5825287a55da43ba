/**
 * app-check: the application code around a change. Walks the given source paths, reads TypeScript and
 * JavaScript (typescript.ts), Prisma schemas (prisma.ts) and SQL files, and reports with file:line what
 * will break or misbehave while the change rolls out and after it: see findings.ts for the rules.
 * Files that cannot be read or parsed are reported in `skipped`; the others are still checked.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, basename } from 'node:path';
import { LockstepError } from '../core/errors.js';
import type { Change } from '../operations/types.js';
import type { Dialect } from '../dialects/dialect.js';
import { dialects } from '../dialects/index.js';
import { LineIndex } from '../report/lines.js';
import type { AppPhase, ChangedColumn } from './columns.js';
import type { AppDialect, FieldLine } from './dialect-app.js';
import type { AppFinding, SkippedFile } from './findings.js';
import { parsePrismaSchema, PrismaSyntaxError, type PrismaModel } from './prisma.js';
import { checkTypeScript, loadTypeScript, sameTable, whyNull, type SourceText } from './typescript.js';
import { nullableFor, tableLabel } from './columns.js';
import { sniffMysql } from '../parse/layouts/common.js';
import type { Flavor } from '../core/version.js';

export interface AppCheckOptions {
  /** Files or directories to read (default: the working directory). */
  paths: string[];
  cwd: string;
  /** The phase the checked code will be deployed in: `expand` (before contract, the default) or `contract` (after it). */
  phase?: AppPhase;
  /** Postgres major the change is planned for (decides whether a NOT NULL column has a nullable window); with `db`, overrides the server's. */
  version?: number;
  /**
   * A database URL, read only: the plan this change's apply recorded (or one for the server's version
   * against the schema before the change), existing columns' defaults, enum labels for the field lines.
   */
  db?: string;
  /** The dialect of the database and the application's SQL (default: PostgreSQL). */
  dialect?: Dialect<any>;
}

/** The dialect's app-check (or types) support, or one line saying it has none. */
export async function appDialect(d: Dialect<any>, command: 'app-check' | 'types' = 'app-check'): Promise<AppDialect> {
  const app = d.app && d.commands.includes(command) ? await d.app() : undefined;
  if (!app || (command === 'types' && !app.types)) throw new LockstepError('E_USAGE', [{ where: command, message: `does not run on ${d.name} yet${d.missing ? ` (${d.missing})` : ''}` }]);
  return app;
}

export interface AppCheckResult {
  version: 1;
  phase: AppPhase;
  columns: ChangedColumn[];
  findings: AppFinding[];
  skipped: SkippedFile[];
  /** How many files were read and checked. */
  filesChecked: number;
}

const CODE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', '.next', '.turbo', '.cache', 'out']);
const MAX_BYTES = 2 * 1024 * 1024;

async function collect(paths: string[], cwd: string, skipped: SkippedFile[]): Promise<string[]> {
  const out = new Map<string, string>(); // real path → path as found
  const display = (abs: string) => relative(cwd, abs) || basename(abs);
  const visit = async (abs: string, explicit: boolean): Promise<void> => {
    let st;
    try {
      // A path the user named is followed if it is a link; links met while walking are not followed
      // into directories (a link to .. or / would walk forever or the whole disk).
      st = explicit ? await stat(abs) : await lstat(abs);
    } catch {
      if (explicit) throw new LockstepError('E_INPUT', [{ where: display(abs), message: 'no such file or directory' }]);
      return;
    }
    const linked = st.isSymbolicLink();
    if (linked) {
      try {
        st = await stat(abs);
      } catch {
        return; // a dangling link
      }
      if (st.isDirectory()) return;
    }
    if (st.isDirectory()) {
      if (!explicit && (SKIP_DIRS.has(basename(abs)) || basename(abs).startsWith('.'))) return;
      let entries: string[];
      try {
        entries = (await readdir(abs)).sort();
      } catch (e: any) {
        skipped.push({ file: display(abs), reason: `directory cannot be read (${e?.code ?? e?.message ?? e})` });
        return;
      }
      await Promise.all(entries.map((e) => visit(join(abs, e), false)));
      return;
    }
    if (!st.isFile()) return;
    const wanted = CODE.test(abs) || extname(abs) === '.prisma' || (explicit && extname(abs).toLowerCase() === '.sql');
    if (!wanted) {
      if (explicit) skipped.push({ file: display(abs), reason: 'not TypeScript, JavaScript, a Prisma schema or SQL' });
      return;
    }
    if (st.size > MAX_BYTES) {
      skipped.push({ file: display(abs), reason: `larger than ${MAX_BYTES / 1024 / 1024} MB (generated code?)` });
      return;
    }
    // Only a link can be a second name of a file already listed (directories behind links are not walked).
    // Walked in parallel: the file's own name wins over a link to it, whichever is met first.
    const real = linked ? await realpath(abs).catch(() => abs) : abs;
    if (!linked || !out.has(real)) out.set(real, abs);
  };
  for (const p of paths) await visit(resolve(cwd, p), true);
  // Walked in parallel: put the files (and what was skipped) in a stable order.
  skipped.sort((a, b) => a.file.localeCompare(b.file));
  return [...out.values()].sort();
}

const DRIZZLE_CONFIG = /^drizzle\.config\.(ts|mts|cts|js|mjs|cjs)$/;

/**
 * The database the application's own files declare, for picking the dialect when neither --dialect, a
 * URL nor config says: a Prisma schema's `datasource { provider = "mysql" }`, a drizzle.config's
 * `dialect: 'mysql'` (or `driver: 'mysql2'`); else MySQL-only syntax in the change's SQL (backtick-quoted
 * names, table options, AUTO_INCREMENT) — a guess. Two declarations that disagree are an error.
 */
export async function declaredFlavor(o: { paths?: string[]; cwd: string; change?: { file: string; text: string } }): Promise<{ flavor: Flavor; where: string } | undefined> {
  // Without paths (lockstep types) only the change is looked at.
  const files = o.paths ? await collect(o.paths.length ? o.paths : ['.'], o.cwd, []) : [];
  const display = (abs: string) => relative(o.cwd, abs) || basename(abs);
  const found: { flavor: Flavor; where: string }[] = [];
  for (const abs of files) {
    const isPrisma = extname(abs) === '.prisma';
    if (!isPrisma && !DRIZZLE_CONFIG.test(basename(abs))) continue;
    const text = await readFile(abs, 'utf8').catch(() => '');
    let said: string | undefined;
    if (isPrisma) {
      // The provider inside the datasource block.
      const block = /^\s*datasource\s+\w+\s*\{([^}]*)\}/m.exec(text)?.[1];
      said = block && /^\s*provider\s*=\s*"([^"]*)"/m.exec(block)?.[1];
    } else said = /\bdialect\s*:\s*['"`]([\w-]+)['"`]/.exec(text)?.[1] ?? /\bdriver\s*:\s*['"`]([\w-]+)['"`]/.exec(text)?.[1];
    const flavor: Flavor | undefined = said === 'mysql' || said === 'mysql2' ? 'mysql' : said === 'postgresql' || said === 'postgres' || said === 'pg' ? 'postgres' : undefined;
    if (flavor) found.push({ flavor, where: `${display(abs)}: ${isPrisma ? 'provider' : 'dialect'}` });
  }
  const other = found.find((f) => f.flavor !== found[0]?.flavor);
  if (other) throw new LockstepError('E_INPUT', [{ where: other.where, message: `says ${other.flavor}, but ${found[0]!.where} says ${found[0]!.flavor}: name the database with --dialect` }]);
  if (found[0]) return found[0];
  if (o.change && extname(o.change.file).toLowerCase() === '.sql') {
    const guess = sniffMysql({ root: o.change.file, files: [{ path: o.change.file, text: o.change.text }] });
    if (guess) return { flavor: guess.flavor, where: guess.where };
  }
  return undefined;
}

export async function appCheck(change: Change, o: AppCheckOptions): Promise<AppCheckResult> {
  const phase = o.phase ?? 'expand';
  const sql = await appDialect(o.dialect ?? dialects.postgres!);
  const { columns, fieldLine } = await sql.columns(change, { phase, ...(o.version !== undefined ? { version: o.version } : {}), ...(o.db ? { db: o.db } : {}) });
  const skipped: SkippedFile[] = [];
  const findings: AppFinding[] = [];
  const files = await collect(o.paths.length ? o.paths : ['.'], o.cwd, skipped);
  const display = (abs: string) => relative(o.cwd, abs) || basename(abs);

  const code: SourceText[] = [];
  const prisma: PrismaModel[] = [];
  let checked = 0;
  // Read in parallel (bounded), check in order.
  const texts: (string | Error)[] = new Array(files.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(32, files.length) }, async () => {
      for (let i = next++; i < files.length; i = next++) texts[i] = await readFile(files[i]!, 'utf8').catch((e: Error) => e);
    }),
  );
  for (const [i, abs] of files.entries()) {
    const read = texts[i]!;
    if (read instanceof Error) {
      skipped.push({ file: display(abs), reason: `cannot be read (${(read as any).code ?? read.message})` });
      continue;
    }
    const text = read.replace(/^\uFEFF/, '');
    const file = display(abs);
    if (extname(abs) === '.prisma') {
      try {
        const models = parsePrismaSchema(text);
        prisma.push(...models);
        findings.push(...checkPrisma(models, file, text, columns, phase, fieldLine, sql.defaultSchema));
        checked++;
      } catch (e) {
        if (!(e instanceof PrismaSyntaxError)) throw e;
        skipped.push({ file, reason: `does not parse (line ${e.line}): ${e.message}` });
      }
    } else if (extname(abs).toLowerCase() === '.sql') {
      const a = sql.analyzeSql(text, columns, phase, { embedded: false });
      const li = new LineIndex(text);
      const lines = text.split(/\r?\n/);
      const at = (offset: number, rule: AppFinding['rule'], severity: AppFinding['severity'], message: string, advice: string) => {
        const { line, column } = li.position(offset);
        findings.push({ rule, severity, file, line, column, message, advice, excerpt: (lines[line - 1] ?? '').trim().slice(0, 160) });
      };
      for (const i of a.issues) at(i.offset, i.rule, i.severity, i.message, i.advice);
      // The statements that parsed were checked; the ones that did not are said where they are.
      for (const e of a.errors) at(e.offset, 'sql-not-parsed', 'info', `this statement did not parse (${e.message}), so it was not checked`, 'fix the SQL, or check this statement by hand');
      checked++;
    } else code.push({ file, text });
  }
  if (code.length) {
    await loadTypeScript();
    const r = checkTypeScript({ files: code, columns, phase, prisma, sql, ...(fieldLine ? { fieldLine } : {}) });
    findings.push(...r.findings);
    skipped.push(...r.skipped);
    checked += code.length - r.skipped.length;
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { version: 1, phase, columns, findings, skipped, filesChecked: checked };
}

function checkPrisma(models: PrismaModel[], file: string, text: string, columns: ChangedColumn[], phase: AppPhase, fieldLine: FieldLine | undefined, defaultSchema: string | undefined): AppFinding[] {
  const out: AppFinding[] = [];
  const lines = text.split(/\r?\n/);
  const excerpt = (line: number) => (lines[line - 1] ?? '').trim().slice(0, 160);
  for (const c of columns) {
    for (const m of models) {
      // A model without @@schema may be the table (the search_path is unknown); one with it must name the change's schema.
      if (!sameTable(c, m.table, m.schema, defaultSchema)) continue;
      const f = m.fields.find((x) => x.column === c.column);
      if (!f) {
        if (c.kind !== 'addColumn') continue;
        const must = !c.nullableAtEnd && !c.hasDefault;
        const line = fieldLine?.(c, 'prisma');
        out.push({
          rule: 'model-missing-column',
          severity: must ? 'error' : 'warning',
          file,
          line: m.line,
          column: 1,
          message: `the Prisma model ${m.name} (${tableLabel(c.table)}) has no field for ${c.column}: ${must ? `creates through it will fail once ${c.column} is NOT NULL (it has no default)` : 'Prisma can neither read nor write the new column'}`,
          advice: line ? `add to model ${m.name}: ${line}` : `add a field for ${c.column} to model ${m.name} (or run prisma db pull after the expand phase)`,
          excerpt: excerpt(m.line),
        });
      } else if (!f.optional && !f.list && nullableFor(c, phase)) {
        out.push({
          rule: 'assumes-not-null',
          severity: 'error',
          file,
          line: f.line,
          column: 1,
          message: `the Prisma field ${m.name}.${f.name} is required (${f.type}), but ${tableLabel(c.table)}.${c.column} ${whyNull(c, phase)}: Prisma throws when it reads a NULL there`,
          advice: `make it optional (${f.name} ${f.type}?) until the change's contract phase is applied`,
          excerpt: excerpt(f.line),
        });
      }
    }
  }
  return out;
}
