/**
 * The file system side of the layout readers: turns one path the user gave into a Listing (every
 * relevant text file under it, read as UTF-8) plus the problems met on the way. Never throws for bad
 * input; the caller collects problems across all paths and raises them at once.
 */
import { readdir, stat } from 'node:fs/promises';
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Problem } from '../../core/errors.js';
import type { SourceFile } from '../../core/types.js';
import { isSql, joinRoot, naturalCompare, type Listing } from './common.js';

/** A NUL byte in this many first bytes makes a file binary (as git and grep decide). */
const BINARY_PROBE = 8 * 1024;

/**
 * Files the layouts read besides `*.sql`: Diesel's metadata.toml, Prisma's migration_lock.toml, Drizzle's
 * meta/_journal.json, Flyway's per-script `<script>.sql.conf`. Anything else is never opened.
 */
export function isRelevant(name: string): boolean {
  return (
    isSql(name) ||
    name === 'metadata.toml' ||
    name === 'migration_lock.toml' ||
    name === '_journal.json' ||
    name.toLowerCase().endsWith('.sql.conf')
  );
}

export interface ListResult {
  /** Undefined when the path itself could not be used (missing, not SQL, …). */
  listing?: Listing;
  /** Whether the path is a single file (its siblings may be in the listing too). */
  single: boolean;
  problems: Problem[];
}

/** Reads `path` (a directory, recursively, or a single `.sql` file with its companions). */
export async function listPath(path: string): Promise<ListResult> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (err) {
    return { single: false, problems: [{ where: path, message: describeFsError(err) }] };
  }
  if (st.isDirectory()) {
    const problems: Problem[] = [];
    const rels = await walk(path, problems);
    const files = await readAll(
      rels.map((rel) => joinRoot(path, rel)),
      problems,
    );
    return { listing: { root: path, files }, single: false, problems };
  }
  if (!isSql(path)) return { single: true, problems: [{ where: path, message: 'not a .sql file' }] };
  if (!st.isFile()) return { single: true, problems: [{ where: path, message: 'not a regular file' }] };

  const problems: Problem[] = [];
  const [main] = await readAll([path], problems);
  if (!main) return { single: true, problems };
  const siblings = await companionsOf(path, problems);
  const rest = await readAll(siblings, problems);
  return { listing: { root: path, files: [main, ...rest] }, single: true, problems };
}

/**
 * The files next to a file given directly that its migration is made of: `x.down.sql` for `x.up.sql`
 * (and back), `down.sql` / `metadata.toml` for `up.sql`, `down.sql` for Prisma's `migration.sql`, Flyway's
 * `U<v>__…` for `V<v>__…`, and the file's own `.conf`.
 */
async function companionsOf(path: string, problems: Problem[]): Promise<string[]> {
  const dir = posix.dirname(path);
  const name = posix.basename(path);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => !d.isDirectory()).map((d) => d.name);
  } catch (err) {
    problems.push({ where: dir, message: describeFsError(err) });
    return [];
  }
  const want = new Set<string>([`${name}.conf`]);
  const pair = /^(.*)\.(up|down)\.sql$/i.exec(name);
  if (pair) want.add(`${pair[1]}.${pair[2]!.toLowerCase() === 'up' ? 'down' : 'up'}.sql`);
  if (name === 'up.sql' || name === 'migration.sql') want.add('down.sql').add('metadata.toml');
  if (name === 'down.sql') want.add('up.sql').add('migration.sql').add('metadata.toml');
  const flyway = /^([VU])(\d+(?:[._]\d+)*)__/.exec(name);
  const flywayPeer = flyway && (flyway[1] === 'V' ? 'U' : 'V') + flyway[2] + '__';
  const sep = path.slice(0, path.length - name.length); // the directory exactly as given, with its `/`
  return names
    .filter((n) => n !== name && (want.has(n) || (flywayPeer !== null && n.startsWith(flywayPeer) && isSql(n))))
    .sort(naturalCompare)
    .map((n) => sep + n);
}

/**
 * Relative paths (`/`-separated) of the relevant files under `root`, skipping hidden entries and
 * node_modules. Synchronous on purpose, like readAll: a Diesel or Prisma history is a directory per
 * migration, and a thread-pool round trip per directory cost more than the calls themselves
 * (850 directories: ~30 ms async, ~8 ms sync).
 */
async function walk(root: string, problems: Problem[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  function visit(rel: string): void {
    const abs = rel ? joinRoot(root, rel) : root;
    try {
      const real = realpathSync.native(abs);
      if (seen.has(real)) return; // a symlink loop, or the same directory twice
      seen.add(real);
      const dirents = readdirSync(abs, { withFileTypes: true });
      dirents.sort((a, b) => naturalCompare(a.name, b.name));
      for (const d of dirents) {
        if (d.name.startsWith('.') || d.name === 'node_modules') continue;
        const childRel = rel ? `${rel}/${d.name}` : d.name;
        let isDir = d.isDirectory();
        let isFile = d.isFile();
        if (d.isSymbolicLink()) {
          try {
            const s = statSync(joinRoot(root, childRel));
            isDir = s.isDirectory();
            isFile = s.isFile();
          } catch (err) {
            if (isRelevant(d.name)) problems.push({ where: joinRoot(root, childRel), message: describeFsError(err) });
            continue;
          }
        }
        if (isDir) visit(childRel);
        else if (isFile && isRelevant(d.name)) out.push(childRel);
      }
    } catch (err) {
      problems.push({ where: abs, message: describeFsError(err) });
    }
  }
  visit('');
  return out;
}

/**
 * Reads every path in order; failures become problems. Synchronous on purpose: for the many small
 * files of a migration directory, a read per thread-pool round trip costs more than the read itself.
 */
async function readAll(paths: string[], problems: Problem[]): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const p of paths) {
    const r = readText(p);
    if ('text' in r) files.push(r);
    else problems.push(r);
  }
  return files;
}

const utf8 = new TextDecoder('utf-8', { fatal: true }); // strips a leading BOM (ignoreBOM: false)

/** A file's text as UTF-8 without its BOM, or the problem that prevents it. CRLF is kept. */
export function readText(path: string): SourceFile | Problem {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { where: path, message: describeFsError(err) };
  }
  const binary = isSql(path) ? 'is a binary file, not SQL' : 'is a binary file, not text';
  if (bytes.subarray(0, BINARY_PROBE).includes(0)) return { where: path, message: binary };
  try {
    return { path, text: utf8.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { where: path, message: `is not valid UTF-8 (byte 0x${bytes[at]?.toString(16).toUpperCase().padStart(2, '0')} at offset ${at}): save it as UTF-8` };
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (!n || i + n > bytes.length) return i;
    for (let k = 1; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += n;
  }
  return i;
}

/** One clear line for a file system error. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read: permission denied';
    case 'ELOOP':
      return 'cannot read: too many levels of symbolic links';
    case 'EISDIR':
      return 'cannot read: is a directory';
    default:
      return `cannot read: ${(err as Error | undefined)?.message ?? String(err)}`;
  }
}
