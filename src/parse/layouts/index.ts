/**
 * Migration layouts: how each migration tool lays out its files, which of them a directory follows, and
 * reading a list of paths into Migration[] (up, down, transaction) with every input problem reported at once.
 */
import { LockstepError, isLockstepError, type Problem } from '../../core/errors.js';
import type { SourceFile } from '../../core/types.js';
import type { Flavor } from '../../core/version.js';
import { layoutIds, type LayoutId, type LayoutOptions, type Migration } from '../migrations.js';
import { sniffMysql, type Layout, type Listing } from './common.js';
import { posix } from 'node:path';
import { dbmate } from './dbmate.js';
import { diesel } from './diesel.js';
import { drizzle } from './drizzle.js';
import { listPath } from './files.js';
import { flyway } from './flyway.js';
import { golangMigrate } from './golang-migrate.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { plain } from './plain.js';
import { prisma } from './prisma.js';

export type { Layout, Listing } from './common.js';

export const layouts = {
  plain,
  'golang-migrate': golangMigrate,
  diesel,
  dbmate,
  'node-pg-migrate': nodePgMigrate,
  prisma,
  drizzle,
  flyway,
} satisfies Record<LayoutId, Layout>;

/** Who wins when two layouts score the same: the more specific layout first, plain last. */
const tieOrder: readonly LayoutId[] = ['prisma', 'drizzle', 'flyway', 'golang-migrate', 'diesel', 'dbmate', 'node-pg-migrate', 'plain'];

/** The layout whose naming and markers most files follow; `plain` when none matches. */
export function detectLayout(listing: Listing): LayoutId {
  let best: LayoutId = 'plain';
  let bestScore = 0;
  for (const id of tieOrder) {
    const score = layouts[id].detect(listing);
    if (score > bestScore) {
      best = id;
      bestScore = score;
    }
  }
  return best;
}

export interface ReadOptions {
  /** Read every path with this layout instead of detecting one per path. */
  layout?: LayoutId;
  /** Per-layout settings from config (e.g. the runner's transaction mode). */
  layoutOptions?: Partial<Record<LayoutId, LayoutOptions>>;
}

/**
 * Reads each path (a migration directory or a single `.sql` file) with its detected (or the given)
 * layout; migrations come in the order of `paths`, then in the order the runner applies them. A file
 * given directly yields the migration it belongs to. Throws one LockstepError (E_INPUT) listing every
 * problem of every path.
 */
export async function readMigrations(paths: string[], opts: ReadOptions = {}): Promise<{ migrations: Migration[]; files: SourceFile[]; histories: History[] }> {
  if (opts.layout !== undefined && !(layoutIds as readonly string[]).includes(opts.layout)) {
    throw new LockstepError('E_USAGE', [{ where: 'layout', message: `unknown layout "${opts.layout}" (one of: ${layoutIds.join(', ')})` }]);
  }
  const listed = await Promise.all(paths.map(listPath));
  const problems: Problem[] = [];
  const migrations: Migration[] = [];
  const files: SourceFile[] = [];
  const histories: History[] = [];
  const historyOf = new Map<string, History>();
  listed.forEach((result, i) => {
    const path = paths[i]!;
    problems.push(...result.problems);
    const { listing } = result;
    if (!listing) return;
    files.push(...listing.files);

    const layout = layouts[opts.layout ?? detectLayout(listing)];
    let found: Migration[];
    try {
      found = layout.read(listing, opts.layoutOptions?.[layout.id] ?? {});
    } catch (err) {
      if (!isLockstepError(err)) throw err;
      problems.push(...err.problems);
      return;
    }
    if (result.single) {
      const given = listing.files[0];
      found = found.filter((m) => m.up.file === given || m.down?.file === given);
    }
    // A path whose files could not all be read has already said why; "none found" would only add noise.
    if (found.length === 0 && result.problems.length === 0) {
      problems.push({ where: path, message: `no migrations found (looked for ${layout.looksFor})` });
    }
    migrations.push(...found);
    // What the tool's own files declare; else a guess from MySQL-only syntax in the SQL.
    const declared = layout.flavor?.(listing) ?? sniffMysql(listing);
    if (declared && 'problem' in declared) problems.push(declared.problem);
    // A directory is a history of its own; files given one by one (a shell glob) belong to the history
    // of the directory they are in, together with the other files given from there.
    const id = result.single ? `file:${posix.dirname(path)}` : `dir:${path}`;
    let h = historyOf.get(id);
    if (!h || !result.single) {
      h = { path: result.single ? posix.dirname(path) : path, migrations: [], files: [], ...(declared && 'flavor' in declared ? { flavor: declared } : {}) };
      historyOf.set(id, h);
      histories.push(h);
    }
    h.migrations.push(...found);
    for (const f of listing.files) if (!h.files.includes(f)) h.files.push(f);
  });
  if (problems.length > 0) throw new LockstepError('E_INPUT', problems);
  return { migrations, files, histories };
}

/** One migration history: a directory given as a path, or the files given from one directory. */
export interface History {
  /** The directory. */
  path: string;
  migrations: Migration[];
  files: SourceFile[];
  /** The database its tool's files say it is for (Prisma's provider, Drizzle's dialect), or `guessed` from MySQL-only syntax in its SQL. */
  flavor?: { flavor: Flavor; where: string; guessed?: boolean };
}
