/** What app-check reports: one finding per place in the application's code, with file:line and advice. */
import type { Severity } from '../core/types.js';

export type AppRule =
  /** `INSERT INTO t VALUES (…)` / `SELECT …` / `DEFAULT VALUES` with no column list. */
  | 'insert-without-columns'
  /** An insert (SQL or query builder) that does not set a column that becomes NOT NULL without a default. */
  | 'insert-omits-column'
  /** `SELECT *`, `t.*`, `RETURNING *` over the changed table. */
  | 'select-star'
  /** An ORM model or table type of the table without the new column. */
  | 'model-missing-column'
  /** Code, a type or a model that treats the column as never NULL while it can be. */
  | 'assumes-not-null'
  /** SQL that mentions the table but did not parse, so it was not checked. */
  | 'sql-not-parsed';

export const appRules: readonly AppRule[] = ['insert-without-columns', 'insert-omits-column', 'select-star', 'model-missing-column', 'assumes-not-null', 'sql-not-parsed'];

export interface AppFinding {
  rule: AppRule;
  severity: Severity;
  /** Path as given (relative to the working directory when possible). */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
  advice: string;
  /** The source line, trimmed, for context. */
  excerpt: string;
}

export interface SkippedFile {
  file: string;
  reason: string;
}
