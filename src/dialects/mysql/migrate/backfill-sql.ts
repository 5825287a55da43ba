/**
 * The MySQL/MariaDB backfill batch, in one place: the plan shows it and apply runs it. A batch is a
 * range of the primary key, both ends included, bound as parameters (`?`):
 *
 *   UPDATE t SET c = (<expr>) WHERE id >= ? AND id <= ? AND c IS NULL
 *
 * The walk moves by key, never by "rows still NULL", so an expression that is NULL for some rows cannot
 * loop; `c IS NULL` keeps what the application wrote meanwhile.
 */
import type { Backfill } from '../../../plan/types.js';
import { quoteIdent, sqlName } from '../names.js';

const row = (parts: string[]) => (parts.length === 1 ? parts[0]! : `(${parts.join(', ')})`);

export function backfillBatchSql(b: Backfill): string {
  const k = row(b.key.map(quoteIdent));
  const marks = row(b.key.map(() => '?'));
  const c = quoteIdent(b.column);
  return `UPDATE ${sqlName(b.table)} SET ${c} = (${b.expression}) WHERE ${k} >= ${marks} AND ${k} <= ${marks} AND ${c} IS NULL`;
}
