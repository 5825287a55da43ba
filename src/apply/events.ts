/** Progress events apply and rollback emit; the library never prints, the CLI draws these. */
import type { PhaseName } from '../plan/types.js';

export interface Blocker {
  pid: number;
  state: string;
  /** Seconds its transaction has been open. */
  transactionSeconds: number;
  mode: string;
  query: string;
  /** When its transaction began (identifies the transaction, not just the session). */
  xactStart?: string;
}

export type ApplyEvent =
  | { type: 'change'; change: string; resumed: boolean; done: number; total: number }
  | { type: 'step-start'; step: string; phase: PhaseName; title: string; attempt: number }
  | { type: 'step-done'; step: string; seconds: number; attempts: number }
  | { type: 'step-skip'; step: string; reason: string }
  | { type: 'lock-wait'; step: string; attempt: number; retryInMs: number; blockers: Blocker[] }
  | { type: 'blockers'; step: string; table: string; blockers: Blocker[] }
  | { type: 'invalid-index-dropped'; step: string; index: string }
  | { type: 'backfill'; step: string; rows: number; total: number | null; rowsPerSecond: number; etaSeconds: number | null; batchSize: number }
  | { type: 'backfill-paused'; step: string; reason: string; lagSeconds: number | null }
  | { type: 'phase-done'; phase: PhaseName }
  | { type: 'replicas-caught-up'; phase: PhaseName; seconds: number }
  | { type: 'stopped'; after: PhaseName; remaining: number }
  | { type: 'done'; change: string; seconds: number };

export type ProgressListener = (e: ApplyEvent) => void;
