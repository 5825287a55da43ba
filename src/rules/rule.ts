/**
 * A lint rule: its metadata (the doc page is generated from it) and its check. Rules are one file each,
 * under src/rules/<dialect>/ (or src/rules/common/ when they need nothing of a dialect), registered in
 * that dialect's registry.ts. A rule is typed with its dialect's LintTypes: its check sees that dialect's
 * statements, effects, catalog and session state.
 */
import type { QualifiedName, Severity, Span } from '../core/types.js';
import type { DialectId, ServerVersion } from '../core/version.js';
import type { LintTypes } from '../dialects/dialect.js';
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
  /** Server majors the rule applies to (inclusive; Postgres 11–18, MySQL 8, MariaDB 10/11); all when absent. */
  versions?: { from?: number; to?: number };
  /** The dialects the rule is written for (the registry it is in says the same; docs list it). */
  dialects?: readonly DialectId[];
  /** Why it matters: markdown, a short paragraph or two. */
  why: string;
  /** Examples for the docs; the test suite checks that `bad` is flagged and `good` is not. */
  examples: {
    bad: string;
    good: string;
    /** The server version the examples are meant for, when it matters: a major, or a full version like "14.2" / "8.0.28". */
    version?: number | string;
    /** SQL for the tables the examples change, as they were before (as `--db` would read them); not part of the migration. */
    schema?: string;
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

export interface RuleContext<K extends LintTypes> {
  /** The target's major. */
  version: number;
  /** Postgres: the full server version number when known (e.g. 140002), from --db or a dotted --server-version. */
  versionNum?: number;
  /** The target server: flavor and version as far as known. */
  server: ServerVersion;
  stmt: K['stmt'];
  /** What the statement locks and rewrites, from the dialect's effects table. */
  effect: K['effect'];
  /** The schema as it is before this statement. */
  catalog: K['catalog'];
  migration: MigrationInfo;
  /** State before this statement. */
  tx: K['tx'];
  timeouts: K['timeouts'];
  /** Statements of this section before this one. */
  previous: K['stmt'][];
  /** In a down section: the statements of the up section it undoes (the same migration's), when it has one. */
  upSection?: K['stmt'][];
  /** The table was created earlier in this same migration (so nothing else can be using it yet). */
  isNew(table: QualifiedName): boolean;
  /** Estimated rows and bytes, when a database was given. */
  size(table: QualifiedName): { rows?: number; bytes?: number };
  /** `line 12` for a file offset, for messages that point at another statement. */
  where(offset: number): string;
  /** Reports a finding; returns false when an ignore comment silenced it. */
  report(r: ReportOptions): boolean;
}

export interface EndContext<K extends LintTypes> {
  version: number;
  server: ServerVersion;
  migration: MigrationInfo;
  /** State at the end of the section. */
  tx: K['tx'];
  timeouts: K['timeouts'];
  statements: K['stmt'][];
  /** In a down section: the statements of the up section it undoes, when it has one. */
  upSection?: K['stmt'][];
  /** The schema after the section's last statement. */
  catalog: K['catalog'];
  /** The table was created in this section. */
  isNew(table: QualifiedName): boolean;
  /** `line 12` for a file offset. */
  where(offset: number): string;
  report(r: ReportOptions & { at: number | Span }): boolean;
}

export interface Rule<K extends LintTypes = LintTypes> extends RuleMeta {
  check?(stmt: K['stmt'], ctx: RuleContext<K>): void;
  /** After the last statement of a section (up or down). */
  end?(ctx: EndContext<K>): void;
}

/** Identity helpers that keep literal types for ids: one per dialect (and one for rules that need none). */
export function ruleDefiner<K extends LintTypes>() {
  return <const R extends Rule<K>>(rule: R): R => rule;
}
