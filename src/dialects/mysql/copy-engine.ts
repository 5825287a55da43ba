/**
 * The contract of a MySQL/MariaDB online table copy (issue 13): a change the server can only make by
 * copying the table (`MODIFY amount DECIMAL(14,2)`: COPY, which refuses LOCK=NONE) is made on a shadow
 * table while traffic runs, then swapped in with one atomic RENAME TABLE.
 *
 * Two engines implement it: lockstep's own trigger-based copy (`online-copy.ts`, works with the binlog
 * off and without replication privileges) and `--engine pt-osc`, which hands the copy to Percona's
 * pt-online-schema-change (`pt-osc.ts`). The planner makes a step with `engine`; apply runs the step by
 * calling the engine with a CopyJob; rehearse and the benchmarks call the same functions.
 *
 * Both engines are resumable and idempotent per (change, step): a killed run is rerun with the same job
 * and continues from its checkpoint; `abort` before the cut-over leaves the table as it was.
 */

export type CopyEngineId = 'lockstep' | 'pt-osc';

/** One online copy: which table, what to change on it, and who it belongs to in the ledger. */
export interface CopyJob {
  /** Database (schema) of the table; the connection URL's database when omitted. */
  schema?: string;
  table: string;
  /**
   * The ALTER TABLE clauses to apply to the shadow table, without `ALTER TABLE <name>`, as the user wrote
   * them after validation: `MODIFY amount DECIMAL(14,2) NOT NULL`. Identifiers inside are already
   * quoted by the planner with the dialect's quoter.
   */
  alter: string;
  /** The change and step this copy belongs to (ledger keys; also names the shadow/old tables deterministically). */
  change: string;
  step: string;
}

export interface CopyOptions {
  /** Target time per chunk; the chunk size adapts to it (default 500 ms). */
  chunkTargetMs?: number;
  /** Pause while the server's Threads_running is above this (default 25). */
  maxThreadsRunning?: number;
  /** Pause while any replica lags more than this (ms, default 2000); ignored when there are no replicas. */
  maxReplicaLagMs?: number;
  /** lock_wait_timeout (seconds) for trigger creation and the cut-over RENAME (default 2). */
  lockWaitTimeoutSeconds?: number;
  /** Attempts for a step that waits on a metadata lock, with jittered backoff (default 10). */
  attempts?: number;
  /**
   * How long one attempt of a DDL that needs the table's metadata lock (trigger creation, the cut-over
   * RENAME) may wait, in ms; overrides lockWaitTimeoutSeconds. MariaDB honours it to the millisecond
   * (max_statement_time), MySQL rounds it up to whole seconds. lockstep's engine defaults to 500 ms.
   */
  lockWaitMs?: number;
  /** Replica URLs whose lag throttles the copy; default: the replicas the primary lists (SHOW SLAVE HOSTS), reached with the same credentials. */
  replicas?: string[];
  /** Keep the old table after the swap (until cleanup) instead of dropping it. */
  keepOld?: boolean;
  /** Copy and verify, keep the shadow current with the triggers, but do not swap yet; a rerun without it swaps. */
  postponeCutOver?: boolean;
  /** Stop cleanly between chunks (resumable). */
  signal?: AbortSignal;
  onProgress?: (e: CopyProgress) => void;
}

export type CopyPhase = 'prepare' | 'triggers' | 'copy' | 'verify' | 'cut-over' | 'cleanup' | 'done';

export type CopyProgress =
  | { type: 'copy-phase'; phase: CopyPhase }
  | { type: 'copy-progress'; rows: number; total: number | null; rowsPerSecond: number; etaSeconds: number | null; chunkSize: number }
  | { type: 'copy-paused'; reason: string }
  | { type: 'copy-lock-wait'; what: string; attempt: number; retryInMs: number; blockers: { id: number; seconds: number; query: string }[] }
  | { type: 'copy-chunk-mismatch'; from: string; to: string; recopied: boolean };

export interface CopyResult {
  engine: CopyEngineId;
  /** Rows copied by this call (a resumed run counts only its own). */
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Chunks whose checksum differed and were copied again. */
  recopiedChunks: number;
  /** Whether this call continued an earlier, interrupted run. */
  resumed: boolean;
  /** The table as it was, kept after the swap until cleanup (`_<table>_old…`), or undefined once dropped. */
  oldTable?: string;
  /** Whether the table was swapped (false when postponeCutOver stopped before the cut-over). */
  swapped?: boolean;
  /** Columns the per-chunk checksum could not compare (a type change whose conversion lockstep cannot reproduce); their rows were still compared by key and the other columns. */
  uncheckedColumns?: string[];
}

export interface CopyEngine {
  id: CopyEngineId;
  /** Why this engine cannot run here (not installed, missing privilege), or undefined when it can. */
  unavailable(url: string): Promise<string | undefined>;
  run(url: string, job: CopyJob, o?: CopyOptions): Promise<CopyResult>;
  /** Before the cut-over: drops the triggers and the shadow table (the table is as it was). After: refuses, saying why. */
  abort(url: string, job: CopyJob): Promise<void>;
  /** Removes what a crashed run left (triggers, shadow and old tables, its checkpoint rows) for `change`, or for every change. */
  cleanup(url: string, change?: string): Promise<string[]>;
}
