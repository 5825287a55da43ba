/**
 * Prisma Migrate: `<migrations>/<timestamp>_<name>/migration.sql` (id = the directory name), applied in a
 * transaction. A `down.sql` next to it (written with `prisma migrate diff`) is its down.
 * `migration_lock.toml` at the root marks the directory as Prisma's.
 */
import type { Migration } from '../migrations.js';
import { entries, layoutDefault, naturalCompare, parentDirName, STRONG_SIGNAL, transactionOf, wholeFile, type Layout } from './common.js';

export const prisma: Layout = {
  id: 'prisma',
  title: 'prisma (<timestamp>_<name>/migration.sql)',
  looksFor: '<migration dir>/migration.sql files',
  transaction: 'wrapped',
  detect(listing) {
    let score = 0;
    for (const e of entries(listing)) {
      if (e.name === 'migration.sql') score += 2;
      else if (e.name === 'migration_lock.toml') score += STRONG_SIGNAL;
    }
    return score;
  },
  flavor(listing) {
    const lock = entries(listing).find((e) => e.name === 'migration_lock.toml');
    const provider = lock && /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock.file.text)?.[1];
    if (!lock || provider === undefined) return undefined;
    const where = `${lock.file.path}: provider`;
    if (provider === 'postgresql' || provider === 'postgres') return { flavor: 'postgres', where };
    if (provider === 'mysql') return { flavor: 'mysql', where };
    return { problem: { where, message: `"${provider}": lockstep lints PostgreSQL and MySQL/MariaDB migrations` } };
  },
  read(listing, options) {
    const all = entries(listing);
    const downs = new Map(all.filter((e) => e.name === 'down.sql').map((e) => [e.dir, e]));
    return all
      .filter((e) => e.name === 'migration.sql')
      .sort((a, b) => naturalCompare(a.dir, b.dir))
      .map((e): Migration => {
        const down = downs.get(e.dir);
        return {
          id: parentDirName(e.file),
          layout: 'prisma',
          up: wholeFile(e.file),
          ...(down ? { down: wholeFile(down.file) } : {}),
          ...transactionOf(options, layoutDefault(prisma)),
        };
      });
  },
};
