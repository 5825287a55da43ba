/**
 * What one MySQL/MariaDB statement does to traffic, as the classifier (classify.ts) derives it from the
 * statement, the catalog and the target version, backed by the effects table (effects.ts). Rules read
 * this; the neutral core sees its summary (algorithm, lock, rebuild, blocksReads/Writes, proven).
 *
 * Vocabulary is the server's: ALGORITHM = INSTANT | NOCOPY (MariaDB) | INPLACE | COPY, LOCK = NONE |
 * SHARED | EXCLUSIVE. Every DDL also takes an exclusive metadata lock (MDL) at start and end: that wait
 * queues every later query on the table behind any open transaction that touched it.
 */
import type { QualifiedName, Span } from '../../core/types.js';
import type { Algorithm, LockClause } from './ast.js';

/** A concrete algorithm (never `default`). */
export type Alg = Exclude<Algorithm, 'default'>;
/** A concrete lock level (never `default`). */
export type Lock = Exclude<LockClause, 'default'>;

/**
 * The effects-table entries: one per kind of change whose cost differs. effects.ts has one entry for
 * each (`satisfies Record<MyEffectId, …>`), with its per-flavor, per-version claims and their proof.
 */
export type MyEffectId =
  // columns
  | 'add-column-last'
  | 'add-column-positioned' // FIRST / AFTER
  | 'add-column-auto-increment'
  | 'add-column-default-expression' // DEFAULT (expr), non-literal
  | 'add-column-virtual'
  | 'add-column-stored'
  | 'drop-column'
  | 'drop-column-indexed'
  | 'rename-column' // RENAME COLUMN, or CHANGE with the same definition
  | 'reorder-column' // MODIFY/CHANGE with only FIRST/AFTER new
  | 'set-default'
  | 'drop-default'
  | 'make-not-null'
  | 'make-nullable'
  | 'varchar-extend-same-prefix' // stays < 256 bytes or stays ≥ 256 bytes
  | 'varchar-extend-cross-prefix' // crosses 255 bytes (charset bytes per char)
  | 'varchar-shrink'
  | 'enum-append' // new members at the end, storage size unchanged
  | 'enum-reorder' // members reordered, removed or inserted before the end
  | 'change-type' // any other data type change (int→bigint, decimal precision, text→varchar…)
  | 'column-charset'
  | 'column-visibility'
  // indexes and keys
  | 'add-index'
  | 'add-unique'
  | 'add-fulltext'
  | 'add-spatial'
  | 'drop-index'
  | 'rename-index'
  | 'index-visibility'
  | 'add-primary-key'
  | 'drop-primary-key'
  | 'replace-primary-key' // DROP PRIMARY KEY, ADD PRIMARY KEY in one ALTER
  | 'add-foreign-key' // foreign_key_checks=1
  | 'add-foreign-key-unchecked' // foreign_key_checks=0
  | 'drop-foreign-key'
  | 'add-check'
  | 'drop-check'
  // the table
  | 'table-engine'
  | 'table-row-format'
  | 'table-convert-charset'
  | 'table-default-charset'
  | 'table-auto-increment'
  | 'table-comment'
  | 'table-key-block-size'
  | 'table-force' // ALTER TABLE … FORCE / ENGINE=same: rebuild
  | 'optimize-table'
  | 'rename-table'
  | 'partition-add'
  | 'partition-drop'
  | 'partition-reorganize'
  | 'partition-by'
  | 'partition-remove'
  | 'partition-truncate'
  | 'partition-coalesce'
  | 'partition-exchange'
  | 'partition-other'
  // other statements
  | 'create-table'
  | 'drop-table'
  | 'truncate-table'
  | 'create-trigger'
  | 'drop-trigger'
  | 'analyze-table';

/** One thing the statement does that the effects table has an entry for. */
export interface MyEffectPart {
  entry: MyEffectId;
  /** The ALTER clause (or the whole statement) it comes from. */
  span: Span;
  /** Column / index / constraint it is about. */
  object?: string;
  /** The best algorithm the server can use for this part on this version and flavor. */
  algorithm: Alg;
  /** The least restrictive LOCK allowed with it. */
  lock: Lock;
  rebuild: boolean;
  /** Why, in words, with numbers (e.g. `varchar(60) → varchar(100) in utf8mb4 is 240 → 400 bytes: crosses the 255-byte length prefix`). */
  detail?: string;
  /** This part's claim is proven by the test suite on this flavor/version (else: documented, with `source`). */
  proven: boolean;
  /** The manual section the claim comes from. */
  source?: string;
}

export interface MyStatementEffect {
  /** The table the statement changes, when one. */
  table?: QualifiedName;
  parts: MyEffectPart[];
  /**
   * The algorithm the server picks with no ALGORITHM clause: the weakest common one over the parts
   * (MySQL tries INSTANT, then INPLACE, then COPY; MariaDB the same with NOCOPY).
   */
  algorithm: Alg;
  /** The least restrictive LOCK the whole statement allows at `algorithm`. */
  lock: Lock;
  /** With the statement's own ALGORITHM/LOCK clauses: the server refuses it (the refusal, in the server's words where known). */
  refused?: string;
  /** What runs, after the statement's own clauses: algorithm and lock used when not refused. */
  effective: { algorithm: Alg; lock: Lock };
  rebuild: boolean;
  /** Every row is read (copy, rebuild, index build, validation). */
  scan: boolean;
  blocksReads: boolean;
  blocksWrites: boolean;
  /** Every DDL takes an exclusive metadata lock at start and end (queues behind open transactions). */
  metadataLock: boolean;
  /** The statement commits any open transaction before and after itself (every DDL on MySQL/MariaDB). */
  implicitCommit: boolean;
  /** MySQL 8.0.29+: INSTANT ADD/DROP COLUMN parts that use a row version (the table allows 64). */
  rowVersions?: number;
  /** Every part proven on this flavor/version. */
  proven: boolean;
}
