/**
 * Linting independent histories on more than one thread. Each path argument of `lockstep lint` is a
 * history of its own (it starts from the same schema and nothing it does reaches another), so the
 * histories can be linted at the same time: the calling thread lints some, a worker thread the others,
 * and the results are put back in the order of the histories, exactly as one thread would give them.
 *
 * A history can be cut too, at a migration boundary: the worker first replays the migrations before the
 * cut into its catalog (parse and schema only), then lints the rest.
 *
 * This module is also the worker's entry: started as a worker with `workerData.lockstepLint`, it waits
 * for one share of histories, lints it and posts the result back. Entry and spawner are one file so
 * that the worker URL (`import.meta.url`) is right in the bundled CLI and in the library alike.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Flavor } from '../core/version.js';
import { LockstepError, type ErrorCode, type Problem } from '../core/errors.js';
import type { History } from '../parse/layouts/index.js';
import type { Migration } from '../parse/migrations.js';
import type { Finding } from '../core/types.js';
import type { StatementRecord } from './engine.js';
import { lintShare, type LintOptions } from './lint.js';

/** What one piece of a history gives. */
export interface ShareResult {
  findings: Finding[];
  records?: StatementRecord[];
  statements: number;
}

/**
 * A run of consecutive migrations of one history. A piece that starts inside its history first replays
 * the migrations before it (their up sections, into the catalog only: no rules, no findings), so that it
 * is judged against the schema those made, as on one thread.
 */
export interface Piece {
  history: number;
  from: number;
  to: number;
}

/** A worker's share: its pieces' migrations (and what each must replay first), with the declaration (`layout`) the calling thread chose the dialect from. */
export interface ShareRequest {
  pieces: { migrations: Migration[]; replay?: Migration[] }[];
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
 * Estimated work, in microseconds of one core (fitted on the benchmark's Diesel and Prisma histories):
 * linting a section grows with its statements (about one per `;`: rules, catalog, findings) and its text
 * (the parser); replaying an up section (parse and catalog only) with its text; starting a worker (it
 * loads the code and the parser while this thread reads the files) is about fixed.
 */
const LINT_PER_CHAR = 0.1;
const LINT_PER_STATEMENT = 200;
const REPLAY_PER_CHAR = 0.24;
const WORKER_START = 150_000;

function sectionText(s: Migration['up'] | undefined): { chars: number; statements: number } {
  let chars = 0;
  let statements = 0;
  for (const p of s?.parts ?? []) {
    chars += p.end - p.start;
    for (let i = s!.file.text.indexOf(';', p.start); i >= 0 && i < p.end; i = s!.file.text.indexOf(';', i + 1)) statements++;
  }
  return { chars, statements: Math.max(statements, s ? 1 : 0) };
}

const lintCost = (t: { chars: number; statements: number }) => LINT_PER_CHAR * t.chars + LINT_PER_STATEMENT * t.statements;

/**
 * Splits the work into the calling thread's pieces and a worker's, or returns undefined when one thread
 * is as fast (little SQL). The cut is placed where both threads finish together: between histories, or
 * inside one at a migration whose files no later migration shares (the worker then replays the
 * migrations before the cut). The calling thread takes the first part, the worker the rest.
 */
export function planShares(histories: History[]): { mine: Piece[]; theirs: Piece[] } | undefined {
  const units: { history: number; index: number; cost: number; replay: number; cut: boolean }[] = [];
  histories.forEach((h, hi) => {
    const lastUse = new Map<string, number>();
    h.migrations.forEach((m, i) => {
      for (const s of [m.up, m.down]) if (s) lastUse.set(s.file.path, i);
    });
    let reach = -1;
    h.migrations.forEach((m, i) => {
      for (const s of [m.up, m.down]) if (s) reach = Math.max(reach, lastUse.get(s.file.path)!);
      const up = sectionText(m.up);
      const cost = lintCost(up) + (m.down ? lintCost(sectionText(m.down)) : 0);
      // A cut after migration i is safe when no file read so far is read again later.
      units.push({ history: hi, index: i, cost, replay: REPLAY_PER_CHAR * up.chars, cut: reach <= i });
    });
  });
  const total = units.reduce((n, u) => n + u.cost, 0);
  // Rendering the result comes after both threads are done, whatever the cut: it does not move it.
  let best: { at: number; time: number } = { at: units.length, time: total };
  let done = 0;
  let replayed = 0; // replay the worker needs when the cut is after unit k (the part of the cut history before it)
  for (let k = 0; k < units.length - 1; k++) {
    const u = units[k]!;
    done += u.cost;
    replayed = units[k + 1]!.history === u.history ? replayed + u.replay : 0;
    if (!u.cut) continue;
    const time = Math.max(done, WORKER_START + replayed + (total - done));
    if (time < best.time) best = { at: k + 1, time };
  }
  if (best.at >= units.length) return undefined;
  const pieces = (list: typeof units): Piece[] => {
    const out: Piece[] = [];
    for (const u of list) {
      const last = out[out.length - 1];
      if (last && last.history === u.history && last.to === u.index) last.to = u.index + 1;
      else out.push({ history: u.history, from: u.index, to: u.index + 1 });
    }
    return out;
  };
  return { mine: pieces(units.slice(0, best.at)), theirs: pieces(units.slice(best.at)) };
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
