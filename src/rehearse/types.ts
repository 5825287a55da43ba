/**
 * What a rehearsal produces: the versioned JSON report (`lockstep rehearse --format json`, version 1)
 * and the objects the text and HTML renderers draw. Documented in docs/rehearse.md; a change to a field
 * here is a change to that contract.
 */

export interface RehearsalReport {
  version: 1;
  /** Every check passed. */
  ok: boolean;
  /** What was rehearsed: a change spec's name, a migration's file name, or a directory. */
  subject: string;
  sandbox: SandboxInfo;
  /** The source the data and schema came from, when there was one (redacted URL). */
  source?: { url: string; major: number; product?: string };
  /** Rows per table loaded into the sandbox, and how. */
  data: DataLoad[];
  checks: Check[];
  steps: StepTrace[];
  queries: QueryTiming[];
  /** Where the workload came from, and why not from the source's pg_stat_statements when that was tried. */
  workload?: string;
  /** The latency budget asked for (--latency-budget, config rehearse.latencyBudget), percent. */
  latencyBudgetPct?: number;
  /** Behaviours that differ between the sandbox's major and the target's (from the effects table). */
  versionNotes: string[];
  startedAt: string;
  seconds: number;
}

export interface DataLoad {
  table: string;
  rows: number;
  how: 'synthetic-stats' | 'synthetic-types' | 'sample' | 'fixture';
  /** Rows asked for (synthetic rows): more than `rows` when there is a shortfall. */
  requested?: number;
  /** Why fewer rows than asked for could be made (a one-to-one foreign key to a table with fewer rows,
   *  a unique key over a small domain, a CHECK or a trigger that rejects the generated rows, …). The
   *  rehearsal goes on with the rows there are. */
  shortfall?: string;
  /** What was approximated (a foreign key left NULL to break a cycle, rows rejected and replaced). */
  notes?: string[];
  /** The migration after which the table was filled (directory rehearsals; absent: before the first). */
  after?: string;
}

export interface SandboxInfo {
  kind: 'pglite' | 'embedded' | 'server';
  major: number;
  /** e.g. "PGlite 0.5.16 (PostgreSQL 18.1, WASM, in-process)". */
  description: string;
  /** The target's major when known (from --db or --pg-version). */
  targetMajor?: number;
  /** The server product and version when it is not PostgreSQL, e.g. "MariaDB 10.11.19-MariaDB" (MySQL/MariaDB rehearsals). */
  product?: string;
}

export interface Check {
  /** Stable, kebab-case: 'up-runs', 'end-state', 'down-restores-schema', 'down-keeps-data', 'up-again', 'claims-hold', … */
  name: string;
  ok: boolean;
  /** One line for the terminal; may be followed by `diff`. */
  detail: string;
  /** A readable diff (schema fingerprint lines, "- before" / "+ after") when the check compares states. */
  diff?: string[];
}

export type Pass = 'up' | 'down' | 'up-again';

export interface StepTrace {
  /** The plan's step id, or `<migration file>#<statement number>` for SQL migrations. */
  id: string;
  pass: Pass;
  /** Phase name for a change spec; the migration file for SQL. */
  group: string;
  sql: string;
  /** ms since the rehearsal's up pass started (for the timeline). */
  startMs: number;
  durationMs: number;
  /** Locks the step held on relations (from pg_locks in its own transaction), strongest per relation. */
  locks: { relation: string; mode: string; heldMs: number }[];
  /** The relation's storage was rewritten (relfilenode changed). */
  rewrites: string[];
  /** How the locks were seen: in the step's own transaction, by a second session watching, or not at all (PGlite, outside a transaction). */
  observed?: 'in-transaction' | 'watcher' | 'none';
  /** Longest stall the concurrent probe saw while this step ran (real-server sandboxes only; null on PGlite). */
  stallMs: number | null;
  /** What the effects table claimed, and whether the run agreed. */
  claim?: { locks: { relation: string; mode: string }[]; rewrite: boolean; agrees: boolean; disagreement?: string };
  error?: { message: string; position?: number; codeFrame?: string };
}

export interface QueryTiming {
  /** Short label: 'pk lookup on orders', 'workload #3', or the query's first 60 characters. */
  name: string;
  sql: string;
  /** Where it came from. */
  origin: 'workload-file' | 'pg_stat_statements' | 'performance_schema' | 'derived';
  runs: number;
  before: Latency;
  after: Latency;
  /** (after.p50 - before.p50) / before.p50 × 100. */
  changePct: number;
  /** Whether the change is beyond the measurement noise (src/rehearse/stats.ts): the ratio of medians
   *  after/before with its 95 % bootstrap interval, a Mann-Whitney p-value, and the verdict. Absent
   *  with fewer than 5 runs on a side. */
  change?: { ratio: number; low: number; high: number; pValue: number; significant: boolean; method: string };
  /** EXPLAIN plan shapes (node types and index names, one line each) when they differ. */
  planBefore?: string[];
  planAfter?: string[];
}

export interface Latency {
  p50: number;
  p95: number;
  /** ms */
  mean: number;
}
