/** Plain `.sql` files (psql -f, or any runner that executes files one by one): one file, one migration. */
import type { Migration } from '../migrations.js';
import { byRel, entries, isSql, layoutDefault, transactionOf, wholeFile, type Layout } from './common.js';

export const plain: Layout = {
  id: 'plain',
  title: 'plain .sql files (one file, one migration)',
  looksFor: '*.sql files, recursively',
  transaction: 'none',
  detect(listing) {
    return entries(listing).filter((e) => isSql(e.name)).length;
  },
  read(listing, options) {
    return entries(listing)
      .filter((e) => isSql(e.name))
      .sort(byRel)
      .map(
        (e): Migration => ({
          id: e.rel.replace(/\.sql$/i, ''),
          layout: 'plain',
          up: wholeFile(e.file),
          ...transactionOf(options, layoutDefault(plain)),
        }),
      );
  },
};
