/**
 * Linting independent histories on more than one thread. Each path argument of `lockstep lint` is a
 * history of its own (it starts from the same schema and nothing it does reaches another), so the
 * histories can be linted at the same time: the calling thread lints some, a worker thread the others,
 * and the results are put back in the order of the histories, exactly as one thread would give them.
 *
 * This module is also the worker's entry: started as a worker with `workerData.lockstepLint`, it waits
 * for one share of histories, lints it and posts the result back. Entry and spawner are one file so
 * that the worker URL (`import.meta.url`) is right in the bundled CLI and in the library alike.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Flavor } from '../core/version.js';
import { LockstepError, type ErrorCode, type Problem } from '../core/errors.js';
import type { History } from '../parse/layouts/index.js';
import type { Finding } from '../core/types.js';
import type { StatementRecord } from './engine.js';
import { lintShare, type LintOptions } from './lint.js';

/** What one history gives. */
export interface ShareResult {
  findings: Finding[];
  records?: StatementRecord[];
  statements: number;
}

/** The lint of one share of histories, with the chosen dialect's declaration (`layout`) the calling thread used. */
export interface ShareRequest {
  histories: History[];
  opts: LintOptions;
  layout?: { flavor: Flavor; where: string; guessed?: boolean };
}

type Reply = { ok: true; results: ShareResult[] } | { ok: false; error: { code?: ErrorCode; problems?: Problem[]; message: string; stack?: string } };

/** A worker started early (while the files are read), to lint a share of histories once they are known. */
export class LintWorker {
  private readonly worker: Worker;
  private readonly failed: Promise<Error>;

  constructor() {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { lockstepLint: true } });
    // Never keeps the process alive on its own.
    this.worker.unref();
    this.failed = new Promise((resolve) => {
      this.worker.once('error', (e) => resolve(e instanceof Error ? e : new Error(String(e))));
      this.worker.once('exit', (code) => resolve(new Error(`lint worker exited (${code})`)));
    });
  }

  /** Lints the share; rejects with the worker's own error (a LockstepError stays one). */
  run(req: ShareRequest): Promise<ShareResult[]> {
    const reply = new Promise<Reply>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage(req);
    return Promise.race([reply, this.failed.then((e) => Promise.reject(e))]).then((r) => {
      void this.worker.terminate();
      if (r.ok) return r.results;
      if (r.error.code) throw new LockstepError(r.error.code, r.error.problems ?? r.error.message);
      const e = new Error(r.error.message);
      if (r.error.stack) e.stack = r.error.stack;
      throw e;
    });
  }

  /** Stops the worker unused (fewer histories than threads). */
  close(): void {
    void this.worker.terminate();
  }
}

/**
 * Splits histories into `threads` shares of about equal work (largest first onto the lightest share).
 * The work of a history is estimated from its SQL: parsing grows with the text, the rules with the files.
 * Returns the index lists, share 0 for the calling thread.
 */
export function splitHistories(histories: History[], threads: number): number[][] {
  const cost = (h: History) => h.files.reduce((n, f) => n + f.text.length + 2000, 0);
  const shares = Array.from({ length: Math.max(1, Math.min(threads, histories.length)) }, () => ({ load: 0, items: [] as number[] }));
  const order = histories.map((h, i) => ({ i, c: cost(h) })).sort((a, b) => b.c - a.c || a.i - b.i);
  for (const { i, c } of order) {
    const s = shares.reduce((a, b) => (b.load < a.load ? b : a));
    s.load += c;
    s.items.push(i);
  }
  return shares.map((s) => s.items.sort((a, b) => a - b));
}

// The worker's side.
if (!isMainThread && (workerData as { lockstepLint?: boolean } | null)?.lockstepLint && parentPort) {
  const port = parentPort;
  port.once('message', async (req: ShareRequest) => {
    let reply: Reply;
    try {
      reply = { ok: true, results: await lintShare(req) };
    } catch (e) {
      const err = e as Partial<LockstepError> & Error;
      reply = { ok: false, error: { message: String(err?.message ?? e), ...(err instanceof LockstepError ? { code: err.code, problems: err.problems } : { stack: err?.stack }) } };
    }
    port.postMessage(reply);
  });
}
