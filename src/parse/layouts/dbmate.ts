/**
 * dbmate: each file holds a `-- migrate:up` section and optionally a `-- migrate:down` section. A marker
 * may carry options (`-- migrate:up transaction:false`); dbmate wraps a section in a transaction unless
 * its marker says `transaction:false`. Markers are found line by line, as dbmate finds them.
 */
import type { Span } from '../../core/types.js';
import type { Migration } from '../migrations.js';
import { afterLine, byRel, entries, isSql, layoutDefault, section, transactionOf, type Layout } from './common.js';

const markerRe = /^--[ \t]*migrate:(up|down)(?=[ \t\r]|$)(.*)$/gm;

interface Marker {
  /** Offset of the `--`. */
  start: number;
  /** The marker line, trimmed, e.g. `-- migrate:up transaction:false`. */
  line: string;
  options: Map<string, string>;
}

/** The first up and the first down marker of a file (dbmate uses the first of each). */
export function findMarkers(text: string): { up?: Marker; down?: Marker } {
  const found: { up?: Marker; down?: Marker } = {};
  for (const m of text.matchAll(markerRe)) {
    const dir = m[1] as 'up' | 'down';
    if (found[dir]) continue;
    const options = new Map<string, string>();
    for (const opt of m[2]!.trim().split(/\s+/)) {
      const colon = opt.indexOf(':');
      if (colon > 0) options.set(opt.slice(0, colon), opt.slice(colon + 1));
    }
    found[dir] = { start: m.index, line: m[0].trim(), options };
  }
  return found;
}

/** From after `marker`'s line to the other marker (when that comes later) or the end. */
function sectionSpan(text: string, marker: Marker, other: Marker | undefined): Span {
  const end = other && other.start > marker.start ? other.start : text.length;
  return { start: Math.min(afterLine(text, marker.start), end), end };
}

export const dbmate: Layout = {
  id: 'dbmate',
  title: 'dbmate (-- migrate:up / -- migrate:down sections)',
  looksFor: '*.sql files with a `-- migrate:up` line',
  transaction: 'wrapped',
  detect(listing) {
    return 3 * entries(listing).filter((e) => isSql(e.name) && findMarkers(e.file.text).up).length;
  },
  read(listing, options) {
    const out: Migration[] = [];
    for (const e of entries(listing).filter((x) => isSql(x.name)).sort(byRel)) {
      const { up, down } = findMarkers(e.file.text);
      if (!up) continue;
      const text = e.file.text;
      // dbmate reads each section's options from its own marker line.
      const ownOf = (m: Marker) => (m.options.get('transaction') === 'false' ? { transaction: 'none' as const, transactionSource: m.line } : layoutDefault(dbmate));
      const upMode = transactionOf(options, ownOf(up));
      const downMode = down ? transactionOf(options, ownOf(down)) : undefined;
      const downSection = down ? section(e.file, [sectionSpan(text, down, up)]) : undefined;
      if (downSection && downMode && downMode.transaction !== upMode.transaction) Object.assign(downSection, downMode);
      out.push({
        id: e.rel.replace(/\.sql$/i, ''),
        layout: 'dbmate',
        up: section(e.file, [sectionSpan(text, up, down)]),
        ...(downSection ? { down: downSection } : {}),
        ...upMode,
      });
    }
    return out;
  },
};
