/**
 * Diesel: one directory per migration holding `up.sql` and `down.sql` (id = the directory name). Diesel
 * wraps each in a transaction unless the directory's `metadata.toml` says `run_in_transaction = false`.
 */
import type { Migration } from '../migrations.js';
import {
  entries,
  layoutDefault,
  naturalCompare,
  parentDirName,
  settingIs,
  transactionOf,
  wholeFile,
  type Entry,
  type Layout,
} from './common.js';

interface Dir {
  dir: string;
  up?: Entry;
  down?: Entry;
  metadata?: Entry;
}

function byDir(all: Entry[]): Map<string, Dir> {
  const dirs = new Map<string, Dir>();
  for (const e of all) {
    const role = e.name === 'up.sql' ? 'up' : e.name === 'down.sql' ? 'down' : e.name === 'metadata.toml' ? 'metadata' : undefined;
    if (!role) continue;
    const d = dirs.get(e.dir) ?? { dir: e.dir };
    dirs.set(e.dir, d);
    d[role] = e;
  }
  return dirs;
}

export const diesel: Layout = {
  id: 'diesel',
  title: 'diesel (<dir>/up.sql and <dir>/down.sql)',
  looksFor: '<migration dir>/up.sql files',
  transaction: 'wrapped',
  detect(listing) {
    let score = 0;
    for (const d of byDir(entries(listing)).values()) {
      if (d.up) score += d.down ? 4 : 2;
    }
    return score;
  },
  read(listing, options) {
    return [...byDir(entries(listing)).values()]
      .filter((d): d is Dir & { up: Entry } => d.up !== undefined)
      .sort((a, b) => naturalCompare(a.dir, b.dir))
      .map((d): Migration => {
        const meta = d.metadata;
        const own =
          meta && settingIs(meta.file.text, 'run_in_transaction', 'false')
            ? { transaction: 'none' as const, transactionSource: `${meta.file.path}: run_in_transaction = false` }
            : layoutDefault(diesel);
        return {
          id: parentDirName(d.up.file),
          layout: 'diesel',
          up: wholeFile(d.up.file),
          ...(d.down ? { down: wholeFile(d.down.file) } : {}),
          ...transactionOf(options, own),
        };
      });
  },
};
