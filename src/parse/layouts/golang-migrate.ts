/**
 * golang-migrate: `<version>_<name>.up.sql` with an optional `<version>_<name>.down.sql`, paired by version.
 * The runner sends each file as one query; Postgres runs a multi-statement query as one implicit transaction.
 */
import type { Migration } from '../migrations.js';
import { compareDigits, entries, layoutDefault, naturalCompare, transactionOf, wholeFile, type Entry, type Layout } from './common.js';

const fileRe = /^(\d+)_(.*)\.(up|down)\.sql$/i;

interface Pair {
  dir: string;
  version: string;
  up?: Entry;
  down?: Entry;
}

export const golangMigrate: Layout = {
  id: 'golang-migrate',
  title: 'golang-migrate (<version>_<name>.up.sql / .down.sql pairs)',
  looksFor: '<version>_<name>.up.sql files',
  transaction: 'multi-statement',
  detect(listing) {
    return 2 * entries(listing).filter((e) => fileRe.test(e.name)).length;
  },
  read(listing, options) {
    const pairs = new Map<string, Pair>();
    for (const e of entries(listing)) {
      const m = fileRe.exec(e.name);
      if (!m) continue;
      const version = m[1]!;
      const key = `${e.dir}\0${version.replace(/^0+(?=\d)/, '')}`;
      const pair = pairs.get(key) ?? { dir: e.dir, version };
      pairs.set(key, pair);
      if (m[3]!.toLowerCase() === 'up') pair.up = e;
      else pair.down = e;
    }
    return [...pairs.values()]
      .filter((p): p is Pair & { up: Entry } => p.up !== undefined)
      .sort((a, b) => naturalCompare(a.dir, b.dir) || compareDigits(a.version, b.version))
      .map(
        (p): Migration => ({
          id: p.up.name.replace(/\.up\.sql$/i, ''),
          layout: 'golang-migrate',
          up: wholeFile(p.up.file),
          ...(p.down ? { down: wholeFile(p.down.file) } : {}),
          ...transactionOf(options, layoutDefault(golangMigrate)),
        }),
      );
  },
};
