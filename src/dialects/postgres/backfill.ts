/**
 * The backfill's SQL, in one place: the plan shows it (`up` of the backfill step, and the PL/pgSQL block
 * of `plan --format sql`) and apply runs it (src/apply/backfill.ts), so what is shown is what runs.
 *
 * A batch is a range of the primary key, first and last key included, among the keys that existed when
 * the backfill began (`stop`, the highest key then; rows written later get the default):
 *
 *   UPDATE t SET c = <expr> WHERE id >= $1 AND id <= $2 AND c IS NULL
 *
 * The walk moves the range forward by key, never by "rows still NULL": a backfill expression that is
 * NULL for some rows leaves them NULL and goes on, so it always ends (one pass over the keys). The
 * `c IS NULL` only keeps a value the application wrote meanwhile; it is checked again when each row is
 * locked.
 */
import type { Backfill } from '../../plan/types.js';
import { quoteIdent, sqlName } from './names.js';

/** `id` or `(a, b)`: a key (or a list of bounds) as one side of a row comparison. */
function row(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(', ')})`;
}

const params = (first: number, n: number) => Array.from({ length: n }, (_, i) => `$${first + i}`);

/**
 * The batch UPDATE. `lo` and `hi` are SQL for each key column's bounds (both included): bound parameters
 * for apply, PL/pgSQL variables in the plan's block.
 */
export function backfillBatch(b: Backfill, lo: string[], hi: string[]): string {
  const k = row(b.key.map(quoteIdent));
  const c = quoteIdent(b.column);
  return `UPDATE ${sqlName(b.table)} SET ${c} = ${b.expression} WHERE ${k} >= ${row(lo)} AND ${k} <= ${row(hi)} AND ${c} IS NULL`;
}

/** The batch UPDATE as apply runs it: the first key of the batch is $1…$n, the last $n+1…$2n (n key columns). */
export function backfillBatchStatement(b: Backfill): string {
  const n = b.key.length;
  return backfillBatch(b, params(1, n), params(n + 1, n));
}

/**
 * The queries that walk the key. Keys travel as text arrays (the ledger keeps them as JSON); bound back
 * as untyped parameters, each takes its column's type from the comparison.
 */
export function backfillWalk(b: Backfill) {
  const t = sqlName(b.table);
  const cols = b.key.map(quoteIdent);
  const k = row(cols);
  const n = b.key.length;
  const asText = (prefix = '') => `ARRAY[${cols.map((x) => `${prefix}${x}::text`).join(', ')}]`;
  /**
   * The next batch: its first key (the first after $1…$n, or the table's first key when `fromStart`) and
   * its last (`size - 1` keys further, or the stop key when fewer remain), both at most the stop key.
   * Parameters: [after…,] stop…, size - 1. Returns { lo, hi } (lo NULL: no key left).
   */
  const next = (fromStart: boolean) => {
    const after = fromStart ? [] : params(1, n);
    const stop = params(after.length + 1, n);
    const offset = `$${after.length + n + 1}`;
    const first = `SELECT ${cols.join(', ')} FROM ${t} WHERE ${fromStart ? '' : `${k} > ${row(after)} AND `}${k} <= ${row(stop)} ORDER BY ${cols.join(', ')} LIMIT 1`;
    const x = row(cols.map((c) => `x.${c}`));
    return (
      `SELECT ${asText('x.')} AS lo, coalesce((SELECT ${asText()} FROM ${t} WHERE ${k} >= ${x} AND ${k} <= ${row(stop)} ORDER BY ${cols.join(', ')} OFFSET ${offset} LIMIT 1), ARRAY[${stop.map((s) => `${s}::text`).join(', ')}]) AS hi ` +
      `FROM (${first}) x`
    );
  };
  return {
    /** The highest key now: where the walk stops. */
    stop: `SELECT ${asText()} AS k FROM ${t} ORDER BY ${cols.map((c) => `${c} DESC`).join(', ')} LIMIT 1`,
    first: next(true),
    after: next(false),
  };
}

/**
 * The backfill as one PL/pgSQL block for `plan --format sql`: the same batch UPDATE, committed batch by
 * batch (PostgreSQL 11+, outside a transaction block), `rows` keys at a time.
 */
export function backfillDoBlock(b: Backfill, rows = 1000): string {
  const t = sqlName(b.table);
  const cols = b.key.map(quoteIdent);
  // Prefixed so that no column of the table shadows them.
  const v = (name: string) => b.key.map((_, i) => `lockstep_${name}_${i + 1}`);
  const [lo, hi, stop] = [v('lo'), v('hi'), v('stop')];
  const typeOf = (i: number) => `${t}.${cols[i]}%TYPE`;
  const decl = [lo, hi, stop].flatMap((names) => names.map((x, i) => `  ${x} ${typeOf(i)};`));
  const k = row(cols);
  const order = cols.join(', ');
  return [
    '-- Runs batch after batch, committing each one; needs to run OUTSIDE a transaction block.',
    '-- The same batch UPDATE lockstep apply runs (apply sizes batches by time instead of a fixed count).',
    'DO $lockstep$',
    'DECLARE',
    ...decl,
    'BEGIN',
    `  -- the highest key now: rows written after this get the column's default`,
    `  SELECT ${order} INTO ${stop.join(', ')} FROM ${t} ORDER BY ${cols.map((c) => `${c} DESC`).join(', ')} LIMIT 1;`,
    `  SELECT ${order} INTO ${lo.join(', ')} FROM ${t} WHERE ${k} <= ${row(stop)} ORDER BY ${order} LIMIT 1;`,
    '  WHILE FOUND LOOP',
    `    SELECT ${order} INTO ${hi.join(', ')} FROM ${t} WHERE ${k} >= ${row(lo)} AND ${k} <= ${row(stop)} ORDER BY ${order} OFFSET ${rows - 1} LIMIT 1;`,
    `    IF NOT FOUND THEN ${hi.map((h, i) => `${h} := ${stop[i]};`).join(' ')} END IF;`,
    `    ${backfillBatch(b, lo, hi)};`,
    '    COMMIT;',
    '    PERFORM pg_sleep(0.05);  -- give traffic and replicas room',
    '    -- the next batch starts after this one\u2019s last key: the walk always moves on, NULL results or not',
    `    SELECT ${order} INTO ${lo.join(', ')} FROM ${t} WHERE ${k} > ${row(hi)} AND ${k} <= ${row(stop)} ORDER BY ${order} LIMIT 1;`,
    '  END LOOP;',
    'END',
    '$lockstep$;',
  ].join('\n');
}
