/**
 * What app-check says about one SQL statement, in words every dialect's reader uses: the issue and
 * analysis shapes, and the messages for an insert that does not write a column it must and for a star
 * select over a changed table. The readers themselves are the dialect's (Postgres: sql-usage.ts on the
 * libpg-query tree; MySQL/MariaDB: src/dialects/mysql/app-sql.ts on the MySQL lexer's tokens).
 */
import { nullableFor, tableLabel, type AppPhase, type ChangedColumn } from './columns.js';
import type { AppRule } from './findings.js';
import type { Severity } from '../core/types.js';

export interface SqlIssue {
  rule: AppRule;
  severity: Severity;
  message: string;
  advice: string;
  /** Offset into the SQL text of the node the issue is about. */
  offset: number;
}

export interface SqlAnalysis {
  /** False when the text did not parse (the parser's message in `error`). */
  parsed: boolean;
  error?: string;
  /** Every piece that did not parse, at its offset (the other statements are still analyzed). */
  errors: { offset: number; message: string }[];
  issues: SqlIssue[];
  /** Changed tables the SQL reads or writes (tkey: `schema.table`, schema defaulting to public). */
  tables: Set<string>;
  /** Changed columns the SQL returns (`schema.table.column`), through `*` or by name. */
  reads: Set<string>;
}

/** The key a changed table is known by in SqlAnalysis.tables (and, with `.column`, in reads). */
export const tkey = (schema: string | undefined, name: string) => `${schema ?? 'public'}.${name}`;

/**
 * The issues of one insert into a changed table: `listed` is its column list (undefined: none written),
 * `nulled(i)` whether some row gives the i-th listed column NULL or DEFAULT. `what` names the statement
 * (`INSERT INTO orders VALUES …`), `head` its start (`INSERT INTO orders`).
 */
export function insertIssues(mine: ChangedColumn[], listed: string[] | undefined, what: string, head: string, offset: number, nulled: (i: number) => boolean = () => false, same: (a: string, b: string) => boolean = (a, b) => a === b): SqlIssue[] {
  if (!mine.length) return [];
  const out: SqlIssue[] = [];
  const name = tableLabel(mine[0]!.table);
  const mustWrite = mine.filter((c) => !c.nullableAtEnd && !c.hasDefault);
  const severity = (cs: ChangedColumn[]): Severity => (cs.some((c) => c.defaultKnown) ? 'error' : 'warning');
  const unlessDefault = (cs: ChangedColumn[]) => (cs.every((c) => c.defaultKnown) ? '' : ' (unless it has a default: pass --db to know)');
  if (!listed) {
    out.push({
      rule: 'insert-without-columns',
      severity: mustWrite.length ? severity(mustWrite) : 'warning',
      offset,
      message:
        `${what} without a column list: ` +
        (mustWrite.length
          ? `${mustWrite.map((c) => c.column).join(', ')} will get NULL and the insert fails once NOT NULL is enforced${unlessDefault(mustWrite)}`
          : `its values are matched to ${name}'s columns by position, and ${mine.map((c) => c.column).join(', ')} ${mine.length > 1 ? 'change' : 'changes'} that table`),
      advice: `name the columns: ${head} (…${mustWrite.length ? `, ${mustWrite.map((c) => c.column).join(', ')}` : ''}) …`,
    });
    return out;
  }
  for (const c of mustWrite) {
    const i = listed.findIndex((l) => same(l, c.column));
    // Listed, but given NULL or DEFAULT (which is NULL without a default) in some row of VALUES.
    const isNulled = i >= 0 && nulled(i);
    if (i >= 0 && !isNulled) continue;
    out.push({
      rule: 'insert-omits-column',
      severity: severity([c]),
      offset,
      message: `${head} (${listed.join(', ')}) ${isNulled ? `writes NULL or DEFAULT into ${c.column}` : `does not set ${c.column}`}, which ${c.kind === 'addColumn' ? 'is added' : 'becomes'} NOT NULL without a default${unlessDefault([c])}: the insert fails once the change's contract phase enforces it`,
      advice: `write ${c.column} in this insert, and deploy that before the contract phase (lockstep apply --until expand, deploy, then apply)`,
    });
  }
  return out;
}

/** `SELECT *`, `SELECT t.*`, `RETURNING *` over a changed table. */
export function starIssue(mine: ChangedColumn[], what: string, offset: number, phase: AppPhase): SqlIssue {
  const table = tableLabel(mine[0]!.table);
  const added = mine.filter((c) => c.kind === 'addColumn');
  const nullable = mine.filter((c) => nullableFor(c, phase));
  const names = (added.length ? added : mine).map((c) => c.column).join(', ');
  return {
    rule: 'select-star',
    severity: 'warning',
    offset,
    message: `${what} over ${table}: ${added.length ? `the rows gain ${names}` : `${names} comes back`}${nullable.length ? ` (NULL in ${phase === 'expand' ? 'rows not yet backfilled' : 'some rows'})` : ''}, and whatever serializes these rows (API responses, caches, JSON) changes with it`,
    advice: `list the columns this code uses instead of ${what.replace(/^SELECT /, '')}`,
  };
}
