/**
 * The dialect seam. Everything lockstep knows about one SQL dialect (PostgreSQL; MySQL with its MariaDB
 * flavor) is reached through a Dialect: its parser and lexer, its quoting, its versions, what a
 * statement locks and rewrites (classify, backed by the dialect's effects table), the schema catalog
 * lint keeps while it reads migrations, the session model (transactions and timeouts), its rules, and
 * — where the dialect has them — its driver, introspection and the commands beyond lint.
 *
 * The neutral code (the lint engine, reports, the CLI) sees statements as BaseStatement and effects as
 * EffectSummary ("blocks reads / blocks writes / rewrites"); the dialect's own types flow through it
 * untouched to the dialect's own rules. There is no `if (dialect === …)` outside a dialect: what
 * differs is a member of this interface or a capability a dialect does not have.
 */
import type { QualifiedName, Span } from '../core/types.js';
import type { DialectId, Flavor, ServerVersion } from '../core/version.js';
import type { TransactionMode } from '../parse/migrations.js';
import type { Rule } from '../rules/rule.js';
import type { RehearseOptions, RehearseSubject } from '../rehearse/rehearse.js';
import type { RehearsalReport } from '../rehearse/types.js';
import type { Change } from '../operations/types.js';
import type { AnyPlan, PhaseName } from '../plan/types.js';
import type { Unconverted } from '../spec/from-sql.js';
import type { ProgressListener } from '../apply/events.js';
import type { BackfillResult } from '../apply/backfill.js';
import type { DataLoss } from '../apply/rollback.js';
import type { StatusChange } from '../apply/status.js';
import type { Snapshot } from '../verify/snapshot.js';
import type { VerifyWords } from '../verify/verify.js';
import type { AppDialect } from '../app/dialect-app.js';
import type { Checked, ExpressionRole } from '../spec/sql-fragments.js';

/** A statement as every dialect's parser gives it. */
export interface BaseStatement {
  /** The parser's statement kind (`AlterTableStmt` on Postgres, `alter-table` on MySQL). */
  kind: string;
  /** From the statement's first token to its end, without the `;`, in file offsets (UTF-16). */
  span: Span;
  /** The statement's SQL (the text of `span`). */
  text: string;
}

export interface SyntaxProblem {
  message: string;
  /** File offset of the error. */
  offset: number;
  /** The statement (piece) that failed to parse. */
  span: Span;
}

export interface ParsedSql<S extends BaseStatement = BaseStatement> {
  statements: S[];
  syntaxErrors: SyntaxProblem[];
}

export interface Comment {
  /** File offsets of the comment, including its `--`, `#` or `/*`. */
  span: Span;
  text: string;
}

/**
 * What a statement does to traffic, in words every dialect can say. Postgres fills `lock` (its lock
 * level); MySQL and MariaDB fill `algorithm` and `lock` in the server's own vocabulary.
 */
export interface EffectSummary {
  /** Ordinary reads of a table that exists before the statement wait for it. */
  blocksReads: boolean;
  /** Ordinary writes wait for it. */
  blocksWrites: boolean;
  /** The table is rebuilt (every row copied, indexes rebuilt). */
  rewrite: boolean;
  /** Every row is read (a validation scan, an index build, or the rewrite itself). */
  scan: boolean;
  /** Every claim behind this summary is proven against a real server by the test suite (not only documented). */
  proven: boolean;
  /** Postgres: the strongest table lock (`ACCESS EXCLUSIVE`). MySQL/MariaDB: `none` | `shared` | `exclusive`. */
  lock?: string;
  /** MySQL/MariaDB: `instant` | `nocopy` | `inplace` | `copy`. */
  algorithm?: string;
  /** The effects-table entries the statement triggers. */
  entries: string[];
}

/** The schema lint keeps while it reads migrations in order. */
export interface LintCatalog<S extends BaseStatement = BaseStatement> {
  /** An independent copy (a down section is judged against the schema its up made, without keeping its changes). */
  clone(): LintCatalog<S>;
  /** Learns what `stmt` does to the schema; `migration` names where it happened. */
  apply(stmt: S, migration: string): void;
  /** Estimated rows and bytes of a table, when a live database gave them. */
  size(table: QualifiedName): { rows?: number; bytes?: number };
}

/** Session settings a runner applies, or a live database's settings for the role (the values a migration starts with). */
export interface SessionDefaults {
  /** How long DDL waits for a lock (Postgres lock_timeout; MySQL/MariaDB lock_wait_timeout), ms; 0: forever. */
  lockTimeoutMs?: number;
  /** Postgres statement_timeout; MySQL max_execution_time / MariaDB max_statement_time, ms. */
  statementTimeoutMs?: number;
  /** Where the defaults come from, for messages: `server default`, `the database's settings`, `config`. */
  source?: string;
  timeZoneUtc?: boolean;
  /** MySQL/MariaDB: the session starts with foreign_key_checks on (the server default) or off. */
  foreignKeyChecks?: boolean;
  /** MySQL/MariaDB: sql_mode is strict (STRICT_TRANS_TABLES / STRICT_ALL_TABLES), as the server defaults to. */
  sqlModeStrict?: boolean;
}

/** The state of the session while lint reads one section, as the dialect's rules see it. */
export interface LintSession<S extends BaseStatement, E, X, T> {
  /** Transaction state before the next statement. */
  readonly tx: X;
  /** Timeouts in effect before the next statement. */
  readonly timeouts: T;
  apply(stmt: S, effect: E): void;
}

/** The types one dialect's lint works with, flowing from its parser to its rules. */
export interface LintTypes {
  stmt: BaseStatement;
  effect: unknown;
  catalog: LintCatalog<any>;
  tx: unknown;
  timeouts: unknown;
}

/** What the lint engine asks a dialect, for one target version. */
export interface LintKit<K extends LintTypes> {
  parse(text: string, base: number): ParsedSql<K['stmt']>;
  /** Every comment in `text`, found with the dialect's own lexer (for `lockstep-ignore` comments). */
  comments(text: string): Comment[];
  /** An empty schema, for lint without --db. */
  newCatalog(): K['catalog'];
  session(mode: TransactionMode, statementCount: number, defaults: SessionDefaults | undefined, where: (stmt: K['stmt']) => string): LintSession<K['stmt'], K['effect'], K['tx'], K['timeouts']>;
  classify(stmt: K['stmt'], catalog: K['catalog'], session: LintSession<K['stmt'], K['effect'], K['tx'], K['timeouts']>): K['effect'];
  summarize(effect: K['effect']): EffectSummary;
  /** The key a table is known by (`public.orders` and `orders` are one table on Postgres). */
  tableKey(table: QualifiedName): string;
  /** A table the statement creates (so it is new: nothing uses it yet), or renames / moves. */
  created(stmt: K['stmt']): { created?: QualifiedName; renamed?: { from: QualifiedName; to: QualifiedName } } | undefined;
  /** Sections that are one transaction when `mode` says so: false where every DDL statement commits on its own (MySQL). */
  transactionalDdl: boolean;
}

export interface Versions {
  /** The version lint assumes for a flavor without --server-version, config or --db. */
  defaultFor(flavor: Flavor): ServerVersion;
  /** A `--server-version` value for `flavor`: the version, or one line saying what is wrong. */
  parse(text: string, flavor: Flavor): ServerVersion | string;
  /** `11–18`, for messages. */
  supported: string;
}

/** What `--db` reads from a live database (read-only). */
export interface TargetFacts<C> {
  version: ServerVersion;
  catalog: C;
  settings: SessionDefaults;
}

/** The commands beyond lint; a dialect that lacks one says so in one line instead of running it. */
export type Command = 'lint' | 'plan' | 'apply' | 'rollback' | 'status' | 'cleanup' | 'rehearse' | 'snapshot' | 'verify' | 'app-check' | 'types';

/** What `plan` and `apply` need to know about the target: its version, and the database to read (read-only for plan). */
export interface MigratePlanOptions {
  server: ServerVersion;
  /** With --db: read the schema, sizes and replicas from it (read-only); the server's own version wins. */
  url?: string;
  /** The flag that gave `url`, for messages. */
  where?: string;
}

/** apply's knobs, in the words of the CLI's flags; each dialect maps them onto its own runner. */
export interface MigrateApplyOptions {
  url: string;
  until?: PhaseName;
  dryRun?: boolean;
  snapshot?: boolean;
  /** How long a step that blocks traffic waits for its lock before it steps out of the queue and retries, ms. */
  lockTimeoutMs?: number;
  /** Pause the backfill (and an online copy) while a replica is more than this behind, s. */
  maxLagSeconds?: number;
  /** Target duration of one backfill batch / copy chunk, ms. */
  batchMs?: number;
  /** Pause between backfill batches, ms. */
  pauseMs?: number;
  /** Connections that backfill at once, each its own range of the key (`Migrator.parallelBackfill`). */
  workers?: number;
  /** The online-copy engine for copy steps (`Migrator.engines`). */
  engine?: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface MigrateApplyResult {
  change: string;
  plan: AnyPlan;
  ran: string[];
  skipped: string[];
  stoppedAfter?: PhaseName;
  dryRun: boolean;
  snapshots?: { before?: number; after?: number; error?: string };
  backfills: BackfillResult[];
}

export interface MigrateRollbackOptions {
  url: string;
  yes?: boolean;
  lockTimeoutMs?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface MigrateRollbackResult {
  change: string;
  undone: string[];
  losses: DataLoss[];
}

export type PlanFormat = 'text' | 'json' | 'sql';

/**
 * plan, apply, rollback, status and cleanup on one dialect. Loaded only when one of those commands runs
 * (`Dialect.migrate`), so lint never loads a planner or a driver it does not use.
 */
export interface Migrator {
  /** A SQL migration → the operations lockstep plans, and every statement it does not (with why). */
  fromSql(source: string, o: { file: string; name?: string }): Promise<{ change: Change; unconverted: Unconverted[] }>;
  plan(change: Change, o: MigratePlanOptions): Promise<AnyPlan>;
  /** `sql`: one file per step and direction, in execution order. */
  render(plan: AnyPlan, format: PlanFormat, o: { color: boolean }): string | { name: string; text: string }[];
  apply(change: Change, o: MigrateApplyOptions): Promise<MigrateApplyResult>;
  rollback(change: string, o: MigrateRollbackOptions): Promise<MigrateRollbackResult>;
  status(url: string, change?: string): Promise<StatusChange[]>;
  /** Removes what a crashed run left (half-built objects, copy triggers and shadow tables), for one change or all; says what it removed. */
  cleanup(url: string, change?: string): Promise<string[]>;
  /** The online-copy engines `apply --engine` may name (none: the dialect has no copy steps). */
  engines: readonly string[];
  /** Whether a backfill can run on several connections (`apply --workers`). */
  parallelBackfill?: boolean;
  /** The ledger's home, for help and messages: `schema lockstep`, `tables lockstep_*`. */
  ledger: string;
}

/**
 * The SQL pieces a change spec (YAML, JSON) holds, checked the dialect's way before anything is planned:
 * they are spliced into the SQL lockstep writes, so each must be exactly one thing of its kind — no `;`,
 * no comment, no parenthesis that closes more than it opened. Each check returns the value as a Change
 * holds it, or one phrase saying what is wrong (the caller puts the fragment and its path in front).
 * src/spec/validate.ts asks these; it knows nothing else of the dialect.
 */
export interface SpecFragments {
  /** Makes the checks usable synchronously (Postgres: loads its parser's WebAssembly). */
  load(): Promise<void>;
  /** Throws an E_INTERNAL error naming `what` when load() has not finished. */
  requireReady(what: string): void;
  /** A table, optionally with its schema (Postgres) or database (MySQL): `orders`, `billing.invoices`. */
  tableName(text: string): Checked<QualifiedName>;
  /** A column, constraint or index name; the value is the name itself, as the server stores it. */
  identifier(text: string): Checked<string>;
  /** A column type as written (`timestamptz`, `INT UNSIGNED`); undefined when it is one. */
  type(text: string): string | undefined;
  /** One SQL expression for the place `role` says; undefined when it is one. */
  expression(text: string, role: ExpressionRole): string | undefined;
  /** One index column or expression; the value is what a Change keeps in its `columns`. */
  indexElement(text: string): Checked<string>;
  /** A name (as a Change holds it) written the way `identifier` reads it back: the index method, a name in a rebuilt spec. */
  specName(name: string): string;
}

export interface Dialect<K extends LintTypes = LintTypes> {
  id: DialectId;
  /** `PostgreSQL`, `MySQL/MariaDB`. */
  name: string;
  flavors: readonly Flavor[];
  /** The flavor lint assumes for this dialect without a version or a URL that says otherwise. */
  defaultFlavor: Flavor;
  versions: Versions;
  /** Identifier quoting (`"x"` / `` `x` ``) and literal quoting, the only ones for this dialect. */
  quoteIdent(name: string): string;
  quoteLiteral(value: string): string;
  /** Loads what the parser needs (WebAssembly, grammars); awaited once before `lint()` is used. */
  load(): Promise<void>;
  /** How a change spec's types, expressions and names are checked for this dialect (plan, apply, rehearse, app-check read specs with it). */
  specFragments: SpecFragments;
  lint(server: ServerVersion): LintKit<K>;
  /** The dialect's rules (its own and the common ones), by id. */
  rules: Readonly<Record<string, Rule<K>>>;
  /** Reads version, schema, sizes and session settings from a live database, read-only. */
  introspect(url: string, where: string): Promise<TargetFacts<K['catalog']>>;
  /** plan / apply / rollback / status / cleanup, loaded when one of them runs (absent: the dialect lints only). */
  migrate?: () => Promise<Migrator>;
  /** The commands that work on this dialect today. */
  commands: readonly Command[];
  /** Why the other commands do not (one line, said instead of running them). */
  missing?: string;
  /** What app-check needs from the dialect (its change reader, column phases, SQL reader); loaded only by app-check. */
  app?: () => Promise<AppDialect>;
  /** snapshot/verify: the database's vital signs and where they are kept (loaded only by those commands). */
  metrics?: () => Promise<Metrics>;
  /** `lockstep rehearse` on this dialect, loaded only when that command runs. */
  rehearse?: () => Promise<Rehearser>;
}

/** What `lockstep rehearse` asks a dialect: which sandboxes it can use, and the rehearsal itself. */
export interface Rehearser {
  /** Why `--sandbox` (undefined: not given) cannot be used for this dialect, in one line; undefined when it can. */
  sandboxProblem(sandbox: string | undefined): string | undefined;
  /** Why this subject cannot be rehearsed on this dialect (one line), checked before any database is touched. */
  subjectProblem?(subject: RehearseSubject): string | undefined;
  rehearse(subject: RehearseSubject, o: RehearseOptions): Promise<RehearsalReport>;
}

/** How snapshot/verify read and keep snapshots on one dialect (src/verify/snapshot.ts holds the shape). */
export interface Metrics {
  /** Connects to `url` (errors name `where`, the password never shown); `application` names the session where the server shows one. */
  open(url: string, where: string, o?: { application?: string }): Promise<MetricsSession>;
  /** verify's advice in this dialect's words (absent: PostgreSQL's). */
  words?: Partial<VerifyWords>;
}

export interface MetricsSession {
  /** Where snapshots are kept, for messages: `lockstep.snapshots`, `lockstep_snapshots`. */
  ledger: string;
  /** The vital signs now (read-only). */
  take(o?: { label?: string; change?: string }): Promise<Snapshot>;
  /** Stores a snapshot in the ledger (created on first use) in one transaction; returns its id. */
  store(s: Snapshot): Promise<number>;
  /** A stored snapshot's data as kept (not yet checked), or undefined when there is no such id. */
  load(id: number): Promise<unknown | undefined>;
  /** The snapshot apply took before `change`, and the tables the change names (as the snapshot names them), if known. */
  beforeChange(change: string): Promise<{ id: number; data: unknown; changedTables?: string[] } | undefined>;
  close(): Promise<void>;
}
