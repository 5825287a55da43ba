/**
 * What every layout reader shares: the Listing it reads, the Layout contract, and the small pure helpers
 * (relative names, natural order, sections, the transaction override). No file system access here.
 */
import { posix } from 'node:path';
import type { SourceFile, Span } from '../../core/types.js';
import type { Flavor } from '../../core/version.js';
import type { Problem } from '../../core/errors.js';
import type { LayoutId, LayoutOptions, Migration, MigrationSection, TransactionMode } from '../migrations.js';

/** The files read from one path the user gave. */
export interface Listing {
  /** The directory or file path as given. */
  root: string;
  /**
   * Every text file read: for a directory, `root + '/' + rel` for each file under it; for a file given
   * directly, that file (path exactly as given) and the siblings that belong to it (its `.down.sql`, …).
   */
  files: SourceFile[];
}

export interface Layout {
  id: LayoutId;
  /** e.g. `dbmate (-- migrate:up / -- migrate:down sections)`. */
  title: string;
  /** What `read` looks for, for the "no migrations found" message, e.g. `*.sql files with a -- migrate:up line`. */
  looksFor: string;
  /** The runner's default. */
  transaction: TransactionMode;
  /** 0 = does not match; higher = more files match this layout's naming/markers. */
  detect(listing: Listing): number;
  /**
   * The migrations in `listing`, in the order the runner applies them. Throws LockstepError (E_INPUT)
   * for a problem in the layout's own files (e.g. a Drizzle journal that is not JSON).
   */
  read(listing: Listing, options: LayoutOptions): Migration[];
  /**
   * The database the tool's own files say the migrations are for (Prisma's `provider`, Drizzle's
   * `dialect`): a flavor, a one-line problem for a database lockstep does not lint, or undefined.
   */
  flavor?(listing: Listing): { flavor: Flavor; where: string } | { problem: Problem } | undefined;
}

/** Score added for a file only one layout writes (Prisma's migration_lock.toml, Drizzle's journal). */
export const STRONG_SIGNAL = 1000;

/** A listed file with its path relative to the listing (always `/`-separated). */
export interface Entry {
  file: SourceFile;
  /** Path below the root; for a file given directly, its name (siblings: their names). */
  rel: string;
  /** Last path segment of `rel`. */
  name: string;
  /** Directory part of `rel`, `''` at the top. */
  dir: string;
}

function rootPrefix(root: string): string {
  return root.endsWith('/') ? root : `${root}/`;
}

/** `root + '/' + rel`, without doubling a trailing slash of the root. */
export function joinRoot(root: string, rel: string): string {
  return rootPrefix(root) + rel;
}

/** The files of a listing with their relative names. */
export function entries(listing: Listing): Entry[] {
  const prefix = rootPrefix(listing.root);
  return listing.files.map((file) => {
    const rel = file.path.startsWith(prefix) ? file.path.slice(prefix.length) : posix.basename(file.path);
    const slash = rel.lastIndexOf('/');
    return { file, rel, name: rel.slice(slash + 1), dir: slash < 0 ? '' : rel.slice(0, slash) };
  });
}

/** Name of the directory that holds `file` (for Diesel and Prisma ids), also for `up.sql` given directly. */
export function parentDirName(file: SourceFile): string {
  return posix.basename(posix.dirname(posix.resolve(file.path.replaceAll('\\', '/'))));
}

export function isSql(name: string): boolean {
  return name.toLowerCase().endsWith('.sql');
}

/**
 * Natural order: runs of digits compare as numbers (`2_x.sql` < `10_x.sql`), the rest by code unit,
 * segment by segment so that `a/…` sorts with `a`, not between `a-b` and `a0`.
 */
export function naturalCompare(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const c = compareSegment(as[i]!, bs[i]!);
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}

const chunkRe = /\d+|\D+/g;
function compareSegment(a: string, b: string): number {
  const ac = a.match(chunkRe) ?? [];
  const bc = b.match(chunkRe) ?? [];
  for (let i = 0; i < Math.min(ac.length, bc.length); i++) {
    const x = ac[i]!;
    const y = bc[i]!;
    const xd = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const yd = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    const c = xd && yd ? compareDigits(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  if (ac.length !== bc.length) return ac.length - bc.length;
  return a < b ? -1 : a > b ? 1 : 0; // `01` vs `1`: equal numerically, still a stable order
}

/** Compares two digit strings as arbitrarily large non-negative integers. */
export function compareDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byRel<T extends { rel: string }>(a: T, b: T): number {
  return naturalCompare(a.rel, b.rel);
}

export function wholeFile(file: SourceFile): MigrationSection {
  return { file, parts: [{ start: 0, end: file.text.length }] };
}

export function section(file: SourceFile, parts: Span[]): MigrationSection {
  return { file, parts };
}

/** Offset just past the line that contains `i` (past its `\n`), or the end of the text. */
export function afterLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

/** The layout's own decision, unless config overrides it for the whole layout. */
export function transactionOf(
  options: LayoutOptions,
  own: { transaction: TransactionMode; transactionSource: string },
): { transaction: TransactionMode; transactionSource: string } {
  if (options.transaction) return { transaction: options.transaction, transactionSource: 'config' };
  return own;
}

/** The default `{ transaction, transactionSource }` of a layout. */
export function layoutDefault(layout: { id: LayoutId; transaction: TransactionMode }) {
  return { transaction: layout.transaction, transactionSource: `${layout.id} default` };
}

/** Matches a `key = value` line of a TOML or .conf file, ignoring a trailing `#` comment. */
export function settingIs(text: string, key: string, value: string): boolean {
  const re = new RegExp(`^[ \\t]*${key}[ \\t]*=[ \\t]*${value}[ \\t]*(?:#.*)?\\r?$`, 'm');
  return re.test(text);
}

/**
 * MySQL-only syntax in a migration's SQL, for histories whose tool declares no database (golang-migrate,
 * dbmate, Flyway, plain files): table options after a CREATE TABLE (`) ENGINE=InnoDB`, `) DEFAULT
 * CHARSET=…`), `AUTO_INCREMENT`, or a backtick-quoted table name. Each is a syntax error on Postgres,
 * so a file that has one is not a Postgres migration. A guess, not a declaration: `--dialect`, a URL or
 * config always win over it (and it never makes a run fail). Comments are skipped roughly (`--` lines
 * and `/* … *\/` blocks); only the first files are looked at.
 */
export function sniffMysql(listing: Listing, maxFiles = 30): { flavor: Flavor; where: string; guessed: true } | undefined {
  const markers: { re: RegExp; say: string }[] = [
    { re: /\)\s*(?:ENGINE|(?:DEFAULT\s+)?CHARSET|DEFAULT\s+CHARACTER\s+SET)\s*=\s*\w+/i, say: 'MySQL table options' },
    { re: /\bAUTO_INCREMENT\b/i, say: 'AUTO_INCREMENT' },
    { re: /\b(?:TABLE|INTO|REFERENCES|UPDATE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?`/i, say: 'a backtick-quoted table name' },
  ];
  let seen = 0;
  for (const f of listing.files) {
    if (!isSql(f.path)) continue;
    if (++seen > maxFiles) break;
    const text = f.text.replace(/\/\*(?!!)[^]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
    for (const m of markers) if (m.re.test(text)) return { flavor: 'mysql', where: `${f.path} (${m.say}: MySQL syntax)`, guessed: true };
  }
  return undefined;
}
