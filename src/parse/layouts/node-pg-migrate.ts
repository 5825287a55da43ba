/**
 * node-pg-migrate SQL migrations: `-- Up Migration` and optionally `-- Down Migration` marker lines
 * (matched case-insensitively, as node-pg-migrate does). Without an up marker, node-pg-migrate runs the
 * whole file as the up; each migration runs in a transaction.
 */
import type { Span } from '../../core/types.js';
import type { Migration } from '../migrations.js';
import { afterLine, byRel, entries, isSql, layoutDefault, section, transactionOf, type Layout } from './common.js';

// node-pg-migrate's own pattern: `^\s*--[\s-]*up\s+migration`, case-insensitive, per line.
const upRe = /^[ \t]*--[ \t-]*up[ \t]+migration/im;
const downRe = /^[ \t]*--[ \t-]*down[ \t]+migration/im;

function markerAt(text: string, re: RegExp): number | undefined {
  const i = text.search(re);
  return i < 0 ? undefined : i;
}

function sectionSpan(text: string, start: number, other: number | undefined): Span {
  const end = other !== undefined && other > start ? other : text.length;
  return { start: Math.min(afterLine(text, start), end), end };
}

export const nodePgMigrate: Layout = {
  id: 'node-pg-migrate',
  title: 'node-pg-migrate (-- Up Migration / -- Down Migration sections)',
  looksFor: '*.sql files (sections after `-- Up Migration` / `-- Down Migration` lines)',
  transaction: 'wrapped',
  detect(listing) {
    return 3 * entries(listing).filter((e) => isSql(e.name) && upRe.test(e.file.text)).length;
  },
  read(listing, options) {
    return entries(listing)
      .filter((e) => isSql(e.name))
      .sort(byRel)
      .map((e): Migration => {
        const text = e.file.text;
        const up = markerAt(text, upRe);
        const down = markerAt(text, downRe);
        // Without an `-- Up Migration` marker node-pg-migrate runs the whole file on migrate up, the
        // `-- Down Migration` part included: so does lockstep.
        const upSpan: Span = up !== undefined ? sectionSpan(text, up, down) : { start: 0, end: text.length };
        return {
          id: e.rel.replace(/\.sql$/i, ''),
          layout: 'node-pg-migrate',
          up: section(e.file, [upSpan]),
          ...(down !== undefined ? { down: section(e.file, [sectionSpan(text, down, up)]) } : {}),
          ...transactionOf(options, layoutDefault(nodePgMigrate)),
        };
      });
  },
};
