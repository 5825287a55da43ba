/**
 * Drizzle Kit: `<NNNN>_<name>.sql` files whose statements are separated by `--> statement-breakpoint`
 * (drizzle splits the text on that string and runs each chunk on its own, all migrations in one
 * transaction). `meta/_journal.json` lists the migrations: when present, its entries (by `idx`) decide
 * which files are migrations and their order, as drizzle's migrator does; otherwise file name order.
 */
import type { Problem } from '../../core/errors.js';
import { LockstepError } from '../../core/errors.js';
import type { SourceFile, Span } from '../../core/types.js';
import type { Migration } from '../migrations.js';
import {
  byRel,
  entries,
  isSql,
  layoutDefault,
  section,
  STRONG_SIGNAL,
  transactionOf,
  type Entry,
  type Layout,
} from './common.js';

export const BREAKPOINT = '--> statement-breakpoint';
const nameRe = /^\d+_.+\.sql$/i;

/** The chunks between breakpoints, without the breakpoint text; chunks of only whitespace are dropped. */
export function splitBreakpoints(text: string): Span[] {
  const parts: Span[] = [];
  let start = 0;
  for (;;) {
    const i = text.indexOf(BREAKPOINT, start);
    const end = i < 0 ? text.length : i;
    if (text.slice(start, end).trim() !== '') parts.push({ start, end });
    if (i < 0) break;
    start = i + BREAKPOINT.length;
  }
  if (parts.length === 0) parts.push({ start: 0, end: text.length });
  return parts;
}

function isJournal(e: Entry): boolean {
  return e.name === '_journal.json' && (e.dir === 'meta' || e.dir.endsWith('/meta'));
}

/** The directory a journal describes (the parent of `meta/`), as a rel prefix: `''` or `sub/`. */
function journalBase(e: Entry): string {
  return e.dir.slice(0, -'meta'.length);
}

interface JournalEntry {
  idx: number;
  tag: string;
}

function parseJournal(file: SourceFile, problems: Problem[]): JournalEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch (err) {
    problems.push({ where: file.path, message: `not valid JSON: ${(err as Error).message}` });
    return [];
  }
  const list = (json as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) {
    problems.push({ where: file.path, message: 'not a drizzle journal: no "entries" array' });
    return [];
  }
  const out: JournalEntry[] = [];
  list.forEach((raw: unknown, i) => {
    const { idx, tag } = (raw ?? {}) as { idx?: unknown; tag?: unknown };
    if (typeof tag !== 'string' || tag === '') {
      problems.push({ where: `${file.path}: entries[${i}]`, message: 'has no "tag"' });
      return;
    }
    out.push({ idx: typeof idx === 'number' ? idx : i, tag });
  });
  return out.sort((a, b) => a.idx - b.idx);
}

export const drizzle: Layout = {
  id: 'drizzle',
  title: 'drizzle (<NNNN>_<name>.sql with --> statement-breakpoint, meta/_journal.json)',
  looksFor: 'meta/_journal.json entries, or <NNNN>_<name>.sql files',
  transaction: 'wrapped',
  flavor(listing) {
    const journal = entries(listing).find(isJournal);
    let dialect: unknown;
    try {
      dialect = journal && (JSON.parse(journal.file.text) as { dialect?: unknown } | null)?.dialect;
    } catch {
      return undefined; // read() reports the broken journal
    }
    if (typeof dialect !== 'string') return undefined;
    const where = `${journal!.file.path}: dialect`;
    // drizzle-kit writes "postgresql" (older versions "pg") and "mysql"; SingleStore is MySQL-compatible but not linted here.
    if (dialect === 'postgresql' || dialect === 'pg') return { flavor: 'postgres', where };
    if (dialect === 'mysql') return { flavor: 'mysql', where };
    return { problem: { where, message: `"${dialect}": lockstep lints PostgreSQL and MySQL/MariaDB migrations` } };
  },
  detect(listing) {
    const all = entries(listing);
    if (all.some(isJournal)) return STRONG_SIGNAL + 2 * all.filter((e) => nameRe.test(e.name)).length;
    return 3 * all.filter((e) => isSql(e.name) && e.file.text.includes(BREAKPOINT)).length;
  },
  read(listing, options) {
    const all = entries(listing);
    const journals = all.filter(isJournal).sort(byRel);
    let chosen: Entry[];
    if (journals.length > 0) {
      const byRelPath = new Map(all.map((e) => [e.rel, e]));
      const problems: Problem[] = [];
      chosen = [];
      for (const j of journals) {
        for (const { tag } of parseJournal(j.file, problems)) {
          const rel = `${journalBase(j)}${tag}.sql`;
          const e = byRelPath.get(rel);
          if (e) chosen.push(e);
          else problems.push({ where: j.file.path, message: `journal entry "${tag}" has no file ${rel}` });
        }
      }
      if (problems.length > 0) throw new LockstepError('E_INPUT', problems);
    } else {
      chosen = all.filter((e) => nameRe.test(e.name)).sort(byRel);
    }
    return chosen.map(
      (e): Migration => ({
        id: e.rel.replace(/\.sql$/i, ''),
        layout: 'drizzle',
        up: section(e.file, splitBreakpoints(e.file.text)),
        ...transactionOf(options, layoutDefault(drizzle)),
      }),
    );
  },
};
