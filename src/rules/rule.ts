/**
 * A lint rule: its metadata (the doc page is generated from it) and its check.
 * Rules are one file each under src/rules/ and registered in registry.ts.
 */
import type { QualifiedName, Severity, Span } from '../core/types.js';
import type { Statement } from '../parse/postgres.js';
import type { Catalog } from '../dialects/postgres/catalog.js';
import type { StatementEffect } from '../dialects/postgres/classify.js';
import type { LockMode } from '../core/locks.js';
import type { LayoutId, TransactionMode } from '../parse/migrations.js';

export type RuleCategory = 'locking' | 'rewrite' | 'transactions' | 'timeouts' | 'destructive' | 'compatibility' | 'types' | 'correctness' | 'meta';

export interface RuleMeta {
  /** kebab-case; the doc page `docs/rules/<id>.md` and the config key. */
  id: string;
  /** One line, imperative: "Create indexes CONCURRENTLY". */
  title: string;
  category: RuleCategory;
  /** Default severity. */
  severity: Severity;
  /** Off unless enabled in config (for rules that are policy rather than safety). */
  optIn?: boolean;
  /** Severity follows the table's size when a database is given: small tables one level lower, big ones `error`. */
  sizeSensitive?: boolean;
  /** Postgres majors the rule applies to (inclusive); all of 11–18 when absent. */
  versions?: { from?: number; to?: number };
  /** Why it matters: markdown, a short paragraph or two. */
  why: string;
  /** Examples for the docs; the test suite checks that `bad` is flagged and `good` is not. */
  examples: {
    bad: string;
    good: string;
    /** The Postgres version the examples are meant for, when it matters: a major, or a full version like "14.2". */
    version?: number | string;
  };
  /** The same check in other tools, for users coming from them: `squawk: require-concurrent-index-creation`. */
  peers?: string[];
  /** Statement kinds (`IndexStmt`, `AlterTableStmt`, …) `check` looks at; every statement when absent. */
  kinds?: readonly string[];
}

export interface ReportOptions {
  /** File offset (start; the span ends with the statement) or an explicit span. Default: the statement. */
  at?: number | Span;
  message: string;
  /** What to do instead, with the user's names; SQL in a fenced block reads best. */
  fix?: string;
  /** Overrides the rule's generic why for this finding. */
  why?: string;
  severity?: Severity;
  /** The table the finding is about: its size adjusts the severity of size-sensitive rules. */
  table?: QualifiedName;
}

export interface HeldLock {
  relation: QualifiedName;
  mode: LockMode;
  /** The statement that took it. */
  stmt: Statement;
}

export interface TransactionState {
  /** A transaction block is open (explicit BEGIN, or the runner's). */
  open: boolean;
  /** Opened by the runner around the whole section (wrapped / multi-statement). */
  byRunner: boolean;
  /** The BEGIN statement, for an explicit one. */
  begin?: Statement;
  /** Locks held since the transaction began, strongest per table. */
  held: Map<string, HeldLock>;
  /** Constraints added NOT VALID in this transaction: `schema.table.constraint` → statement. */
  notValid: Map<string, Statement>;
  /** Enum values added in this transaction: value → statement. */
  newEnumValues: Map<string, Statement>;
  /** Statements run in this transaction so far. */
  statements: Statement[];
}

export interface TimeoutSetting {
  /** Milliseconds; 0 = wait forever (the Postgres default). */
  ms: number;
  /** Where it came from: `SET LOCAL lock_timeout = '2s'`, `server default`, `config`. */
  source: string;
  /** The statement that set it, if one did. */
  stmt?: Statement;
}

export interface TimeoutState {
  lock: TimeoutSetting;
  statement: TimeoutSetting;
  /** Some statement in this section set lock_timeout / statement_timeout (even if not in effect now). */
  everSetLock?: Statement;
  everSetStatement?: Statement;
  /** Why a lock_timeout that was set is not in effect any more (SET LOCAL ended with COMMIT, RESET …). */
  lockLost?: string;
  /** The session TimeZone is known to be UTC (true) or not (false). */
  timeZoneUtc?: boolean;
}

export interface MigrationInfo {
  id: string;
  layout: LayoutId;
  section: 'up' | 'down';
  transaction: TransactionMode;
  transactionSource: string;
  file: string;
  /** Statements in this section (all parts). */
  statementCount: number;
}

export interface RuleContext {
  version: number;
  /** The full server version when known (e.g. 140002), from --db or a dotted --pg-version. */
  versionNum?: number;
  stmt: Statement;
  /** What the statement locks and rewrites, from the effects table. */
  effect: StatementEffect;
  /** The schema as it is before this statement. */
  catalog: Catalog;
  migration: MigrationInfo;
  /** State before this statement. */
  tx: TransactionState;
  timeouts: TimeoutState;
  /** Statements of this section before this one. */
  previous: Statement[];
  /** The table was created earlier in this same migration (so nothing else can be using it yet). */
  isNew(table: QualifiedName): boolean;
  /** Estimated rows and bytes, when a database was given. */
  size(table: QualifiedName): { rows?: number; bytes?: number };
  /** `line 12` for a file offset, for messages that point at another statement. */
  where(offset: number): string;
  /** Reports a finding; returns false when an ignore comment silenced it. */
  report(r: ReportOptions): boolean;
}

export interface EndContext {
  version: number;
  migration: MigrationInfo;
  /** State at the end of the section. */
  tx: TransactionState;
  timeouts: TimeoutState;
  statements: Statement[];
  /** The schema after the section's last statement. */
  catalog: Catalog;
  /** The table was created in this section. */
  isNew(table: QualifiedName): boolean;
  /** `line 12` for a file offset. */
  where(offset: number): string;
  report(r: ReportOptions & { at: number | Span }): boolean;
}

export interface Rule extends RuleMeta {
  check?(stmt: Statement, ctx: RuleContext): void;
  /** After the last statement of a section (up or down). */
  end?(ctx: EndContext): void;
}

/** Identity helper that keeps literal types for ids. */
export function defineRule<const R extends Rule>(rule: R): R {
  return rule;
}
