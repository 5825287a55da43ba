/**
 * What lockstep reads from a migration directory: each migration's up, its down (when the layout has
 * one) and whether the runner wraps it in a transaction.
 */
import type { SourceFile, Span } from '../core/types.js';

export const layoutIds = ['plain', 'golang-migrate', 'diesel', 'dbmate', 'node-pg-migrate', 'prisma', 'drizzle', 'flyway'] as const;
export type LayoutId = (typeof layoutIds)[number];

/**
 * How the runner executes a migration:
 * - `none`: statement by statement, autocommit (psql -f, plain files);
 * - `wrapped`: inside one explicit transaction the runner opens and commits;
 * - `multi-statement`: the whole file is sent as one simple-protocol query, which Postgres runs as one
 *   implicit transaction when it holds more than one statement (golang-migrate's default).
 */
export type TransactionMode = 'none' | 'wrapped' | 'multi-statement';

/** A piece of a file that is SQL of one direction; `parts` are parsed separately (Drizzle breakpoints). */
export interface MigrationSection {
  file: SourceFile;
  /** Spans of `file.text`, each parsed on its own, in order. */
  parts: Span[];
  /** This section runs differently from the migration's `transaction` (dbmate's per-marker options). */
  transaction?: TransactionMode;
  transactionSource?: string;
}

export interface Migration {
  /** Stable name shown to users: the file or directory name without extension, e.g. `20240101_add_created_at`. */
  id: string;
  layout: LayoutId;
  up: MigrationSection;
  down?: MigrationSection;
  transaction: TransactionMode;
  /** Why `transaction` is what it is, e.g. `dbmate default` or `-- migrate:up transaction:false`. */
  transactionSource: string;
}

/** Per-layout settings from config: override whether the runner wraps migrations in a transaction. */
export interface LayoutOptions {
  transaction?: TransactionMode;
}
