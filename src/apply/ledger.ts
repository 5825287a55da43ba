/**
 * The ledger: what lockstep applied, in the target database's own `lockstep` schema, so a killed run
 * resumes from it. Every step's effect and its "done" mark commit together where the step can run in a
 * transaction; backfill checkpoints commit with their batch.
 */
import { createHash } from 'node:crypto';
import type { Change } from '../operations/types.js';
import type { Plan, Step } from '../plan/types.js';
import type { Db } from './db.js';

export const LEDGER_SCHEMA = 'lockstep';

/**
 * Every SQL statement that reads or writes the Postgres ledger (schema `lockstep`: changes, steps,
 * backfills, snapshots) is in this file; apply, rollback, status, verify, snapshot and the app-side
 * plan reader go through these functions (test/core/one-ledger.test.ts keeps it so).
 */
/** What a read needs of a connection (a Db, a pg.Client, a pool). */
export interface LedgerReader {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

export type ChangeState = 'applying' | 'applied' | 'rolling back' | 'rolled back' | 'failed';
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'undone';

export interface LedgerChange {
  name: string;
  checksum: string;
  state: ChangeState;
  pgVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface LedgerStep {
  change: string;
  id: string;
  position: number;
  phase: string;
  title: string;
  up: string;
  down: string | null;
  transactional: boolean;
  state: StepState;
  attempts: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  lastError: string | null;
}

export interface LedgerBackfill {
  change: string;
  step: string;
  lastKey: unknown[] | null;
  rowsDone: number;
  batches: number;
  batchSize: number;
  /** Highest key when the backfill started: rows above it were written by the application. */
  startMaxKey: unknown[] | null;
  /** Its ranges of the key when it runs on several connections (none: one walk). */
  parts?: LedgerPart[];
}

/**
 * A backfill walked by several connections at once: one row per range of the key (after_key excluded,
 * NULL from the table's first key; stop_key included), each with its own checkpoint, so no two batches
 * wait on one ledger row. Made on first use in ledgers from before it.
 */
const partsDdl = `
CREATE TABLE IF NOT EXISTS lockstep.backfill_parts (
  change text NOT NULL,
  step text NOT NULL,
  part integer NOT NULL,
  after_key jsonb,
  stop_key jsonb NOT NULL,
  last_key jsonb,
  rows_done bigint NOT NULL DEFAULT 0,
  batches integer NOT NULL DEFAULT 0,
  batch_size integer NOT NULL DEFAULT 1000,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (change, step, part),
  FOREIGN KEY (change, step) REFERENCES lockstep.backfills (change, step) ON DELETE CASCADE
);`;

const ddl = `
CREATE SCHEMA IF NOT EXISTS lockstep;
CREATE TABLE IF NOT EXISTS lockstep.changes (
  name text PRIMARY KEY,
  checksum text NOT NULL,
  spec jsonb NOT NULL,
  plan jsonb NOT NULL,
  state text NOT NULL,
  pg_version integer NOT NULL,
  replayed text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS lockstep.steps (
  change text NOT NULL REFERENCES lockstep.changes (name) ON DELETE CASCADE,
  id text NOT NULL,
  position integer NOT NULL,
  phase text NOT NULL,
  title text NOT NULL,
  up text NOT NULL,
  down text,
  transactional boolean NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz,
  last_error text,
  PRIMARY KEY (change, id)
);
CREATE TABLE IF NOT EXISTS lockstep.backfills (
  change text NOT NULL,
  step text NOT NULL,
  last_key jsonb,
  rows_done bigint NOT NULL DEFAULT 0,
  batches integer NOT NULL DEFAULT 0,
  batch_size integer NOT NULL DEFAULT 1000,
  start_max_key jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (change, step),
  FOREIGN KEY (change, step) REFERENCES lockstep.steps (change, id) ON DELETE CASCADE
);
${partsDdl}`;

/** Creates the ledger on first use (a no-op afterwards; the tables are tiny and new, so nothing waits). */
export async function ensureLedger(db: Db): Promise<void> {
  const r = await db.query(
    `SELECT to_regclass('lockstep.backfills') IS NOT NULL AS ok,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('lockstep.changes') AND attname = 'replayed' AND NOT attisdropped) AS replayed,
            to_regclass('lockstep.backfill_parts') IS NOT NULL AS parts`,
  );
  if (!r.rows[0]?.ok) return void (await db.query(ddl));
  // A ledger made by lockstep 0.1 before phases recorded their replay on the standbys.
  if (!r.rows[0].replayed) await db.query(`ALTER TABLE lockstep.changes ADD COLUMN IF NOT EXISTS replayed text[] NOT NULL DEFAULT '{}'`);
  // …or before a backfill could run on several connections.
  if (!r.rows[0].parts) await db.query(partsDdl);
}

/** Whether this database has a ledger at all (a read: creates nothing). */
export async function ledgerExists(db: LedgerReader): Promise<boolean> {
  return !!(await db.query(`SELECT to_regclass('lockstep.changes') IS NOT NULL AS ok`)).rows[0]?.ok;
}

/** Phases whose replay on every standby was confirmed. */
export async function replayedPhases(db: Db, change: string): Promise<string[]> {
  const r = await db.query(`SELECT replayed FROM lockstep.changes WHERE name = $1`, [change]);
  return r.rows[0]?.replayed ?? [];
}

export async function phaseReplayed(db: Db, change: string, phase: string): Promise<void> {
  await db.query(`UPDATE lockstep.changes SET replayed = array_append(array_remove(replayed, $2), $2) WHERE name = $1`, [change, phase]);
}

/** Stable checksum of what a change does (its operations), independent of key order and file format. */
export function checksum(change: Change): string {
  return createHash('sha256').update(canonical(change.operations)).digest('hex').slice(0, 16);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

export async function readChange(db: Db, name: string): Promise<LedgerChange | undefined> {
  const r = await db.query(`SELECT name, checksum, state, pg_version, created_at, updated_at FROM lockstep.changes WHERE name = $1`, [name]);
  const x = r.rows[0];
  return x ? { name: x.name, checksum: x.checksum, state: x.state, pgVersion: x.pg_version, createdAt: x.created_at, updatedAt: x.updated_at } : undefined;
}

/** The plan recorded at the first apply: a resumed run follows it, not a new plan of today's schema. */
export async function readPlan(db: Db, name: string): Promise<Plan | undefined> {
  const r = await db.query(`SELECT plan FROM lockstep.changes WHERE name = $1`, [name]);
  return r.rows[0]?.plan as Plan | undefined;
}

/** The spec recorded with a change (what was applied), if any. */
export async function readSpec(db: LedgerReader, name: string): Promise<Change | undefined> {
  const r = await db.query(`SELECT spec FROM lockstep.changes WHERE name = $1`, [name]);
  return r.rows[0]?.spec as Change | undefined;
}

/** The recorded plan with the state and checksum it was recorded under (for readers outside apply). */
export async function readPlanRecord(db: LedgerReader, name: string): Promise<{ plan: Plan; state: ChangeState; checksum: string } | undefined> {
  if (!(await ledgerExists(db))) return undefined;
  const r = (await db.query(`SELECT plan, state, checksum FROM lockstep.changes WHERE name = $1`, [name])).rows[0];
  return r ? { plan: r.plan, state: r.state, checksum: r.checksum } : undefined;
}

export async function listChanges(db: Db): Promise<LedgerChange[]> {
  const r = await db.query(`SELECT name, checksum, state, pg_version, created_at, updated_at FROM lockstep.changes ORDER BY created_at, name`);
  return r.rows.map((x: any) => ({ name: x.name, checksum: x.checksum, state: x.state, pgVersion: x.pg_version, createdAt: x.created_at, updatedAt: x.updated_at }));
}

/** Records a change and its planned steps (first apply). */
export async function recordChange(db: Db, change: Change, plan: Plan): Promise<void> {
  const steps = plan.phases.flatMap((p) => p.steps);
  await db.query('BEGIN');
  try {
    await db.query(`INSERT INTO lockstep.changes (name, checksum, spec, plan, state, pg_version) VALUES ($1, $2, $3, $4, 'applying', $5)`, [
      change.name,
      checksum(change),
      JSON.stringify(change),
      JSON.stringify(plan),
      plan.version,
    ]);
    await insertSteps(db, change.name, steps);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

async function insertSteps(db: Db, change: string, steps: Step[]): Promise<void> {
  let pos = 0;
  for (const s of steps)
    await db.query(`INSERT INTO lockstep.steps (change, id, position, phase, title, up, down, transactional) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      change,
      s.id,
      pos++,
      s.phase,
      s.title,
      s.up,
      s.down ?? null,
      s.transactional,
    ]);
}

/**
 * A change recorded before but never taking effect (or rolled back) applied again as new: its spec,
 * plan and steps are replaced, its replay marks cleared.
 */
export async function rerecordChange(db: Db, change: Change, plan: Plan): Promise<void> {
  await db.query(`UPDATE lockstep.changes SET checksum = $2, spec = $3, plan = $4, state = 'applying', replayed = '{}', updated_at = now() WHERE name = $1`, [
    change.name,
    checksum(change),
    JSON.stringify(change),
    JSON.stringify(plan),
  ]);
  await db.query(`DELETE FROM lockstep.steps WHERE change = $1`, [change.name]);
  await insertSteps(db, change.name, plan.phases.flatMap((p) => p.steps));
}

export async function readSteps(db: Db, change: string): Promise<LedgerStep[]> {
  const r = await db.query(`SELECT * FROM lockstep.steps WHERE change = $1 ORDER BY position`, [change]);
  return r.rows.map((x: any) => ({
    change: x.change,
    id: x.id,
    position: x.position,
    phase: x.phase,
    title: x.title,
    up: x.up,
    down: x.down,
    transactional: x.transactional,
    state: x.state,
    attempts: x.attempts,
    startedAt: x.started_at,
    finishedAt: x.finished_at,
    lastError: x.last_error,
  }));
}

export async function setChangeState(db: Db, change: string, state: ChangeState): Promise<void> {
  await db.query(`UPDATE lockstep.changes SET state = $2, updated_at = now() WHERE name = $1`, [change, state]);
}

/** Marks a step started (counts the attempt). */
export async function stepStarted(db: Db, change: string, step: string): Promise<number> {
  const r = await db.query(`UPDATE lockstep.steps SET state = 'running', attempts = attempts + 1, started_at = now(), last_error = NULL WHERE change = $1 AND id = $2 RETURNING attempts`, [change, step]);
  return r.rows[0]?.attempts ?? 1;
}

export async function stepFinished(db: Db, change: string, step: string, state: StepState): Promise<void> {
  await db.query(`UPDATE lockstep.steps SET state = $3, finished_at = now(), last_error = NULL WHERE change = $1 AND id = $2`, [change, step, state]);
}

export async function stepFailed(db: Db, change: string, step: string, error: string): Promise<void> {
  await db.query(`UPDATE lockstep.steps SET state = 'failed', last_error = $3 WHERE change = $1 AND id = $2`, [change, step, error.slice(0, 2000)]);
}

/** Whether the ledger has the parts table (a ledger from before it has not, until apply makes it). */
async function hasParts(db: LedgerReader): Promise<boolean> {
  return !!(await db.query(`SELECT to_regclass('lockstep.backfill_parts') IS NOT NULL AS ok`)).rows[0]?.ok;
}

/** A backfill's progress; rows and batches count its parts too (a backfill on several connections). */
export async function readBackfill(db: LedgerReader, change: string, step: string): Promise<LedgerBackfill | undefined> {
  const r = await db.query(`SELECT * FROM lockstep.backfills WHERE change = $1 AND step = $2`, [change, step]);
  const x = r.rows[0];
  if (!x) return undefined;
  const parts = (await hasParts(db)) ? await readParts(db, change, step) : [];
  const sum = (f: (p: LedgerPart) => number) => parts.reduce((a, p) => a + f(p), 0);
  return {
    change,
    step,
    lastKey: x.last_key,
    rowsDone: Number(x.rows_done) + sum((p) => p.rowsDone),
    batches: x.batches + sum((p) => p.batches),
    batchSize: x.batch_size,
    startMaxKey: x.start_max_key,
    parts,
  };
}

export interface LedgerPart {
  part: number;
  /** The part begins after this key (null: at the table's first key)… */
  afterKey: unknown[] | null;
  /** …and ends at this one, included. */
  stopKey: unknown[];
  lastKey: unknown[] | null;
  rowsDone: number;
  batches: number;
  batchSize: number;
}

async function readParts(db: LedgerReader, change: string, step: string): Promise<LedgerPart[]> {
  const r = await db.query(`SELECT * FROM lockstep.backfill_parts WHERE change = $1 AND step = $2 ORDER BY part`, [change, step]);
  return r.rows.map((x: any) => ({ part: x.part, afterKey: x.after_key, stopKey: x.stop_key, lastKey: x.last_key, rowsDone: Number(x.rows_done), batches: x.batches, batchSize: x.batch_size }));
}

/**
 * The backfill's start: the highest key then and, for a backfill on several connections, its ranges of
 * the key (all in one transaction: a rerun finds either all of them or none).
 */
export async function startBackfill(db: Db, change: string, step: string, batchSize: number, startMaxKey: unknown[] | null, parts: { afterKey: unknown[] | null; stopKey: unknown[] }[] = []): Promise<void> {
  await db.query('BEGIN');
  try {
    const r = await db.query(`INSERT INTO lockstep.backfills (change, step, batch_size, start_max_key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [change, step, batchSize, JSON.stringify(startMaxKey)]);
    if (r.rowCount && parts.length > 1)
      await db.query(
        `INSERT INTO lockstep.backfill_parts (change, step, part, after_key, stop_key, batch_size)
         SELECT $1, $2, p.i - 1, nullif(p.x -> 'afterKey', 'null'), p.x -> 'stopKey', $3 FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS p(x, i)`,
        [change, step, batchSize, JSON.stringify(parts)],
      );
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/** Whether any backfill of the change wrote rows (then the change took effect). */
export async function backfillWroteRows(db: Db, change: string): Promise<boolean> {
  if ((await db.query(`SELECT 1 FROM lockstep.backfills WHERE change = $1 AND rows_done > 0`, [change])).rowCount) return true;
  return (await hasParts(db)) && !!(await db.query(`SELECT 1 FROM lockstep.backfill_parts WHERE change = $1 AND rows_done > 0`, [change])).rowCount;
}

/**
 * One backfill batch and its checkpoint as one statement, so one round trip and one transaction (the
 * statement's own): `batchSql` (the batch UPDATE the plan shows, bounds $1…$n) runs as a data-modifying
 * CTE and the checkpoint counts the rows it wrote. Returns that count.
 */
export async function batchWithCheckpoint(db: Db, batchSql: string, bounds: unknown[], change: string, step: string, lastKey: unknown[], batchSize: number, part?: number): Promise<number> {
  const n = bounds.length;
  // A part's checkpoint is its own row: batches of other parts, on other connections, never wait on it.
  const [table, which] = part === undefined ? ['lockstep.backfills', ''] : ['lockstep.backfill_parts', ` AND part = $${n + 5}`];
  const r = await db.query(
    `WITH batch AS (${batchSql} RETURNING 1), filled AS (SELECT count(*)::int AS n FROM batch)
     UPDATE ${table} SET last_key = $${n + 3}, rows_done = rows_done + filled.n, batches = batches + 1, batch_size = $${n + 4}, updated_at = now()
     FROM filled WHERE change = $${n + 1} AND step = $${n + 2}${which} RETURNING filled.n`,
    [...bounds, change, step, JSON.stringify(lastKey), batchSize, ...(part === undefined ? [] : [part])],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** After a rollback, a new apply starts the steps over. */
export async function resetSteps(db: Db, change: string): Promise<void> {
  await db.query(`UPDATE lockstep.steps SET state = 'pending', started_at = NULL, finished_at = NULL, last_error = NULL WHERE change = $1`, [change]);
  await db.query(`DELETE FROM lockstep.backfills WHERE change = $1`, [change]);
}

/** A rolled-back change's backfill progress is gone with the column it filled. */
export async function deleteBackfills(db: Db, change: string): Promise<void> {
  await db.query(`DELETE FROM lockstep.backfills WHERE change = $1`, [change]);
}

export async function resetBackfillKey(db: Db, change: string, step: string): Promise<void> {
  await db.query(`UPDATE lockstep.backfills SET last_key = NULL, updated_at = now() WHERE change = $1 AND step = $2`, [change, step]);
}

// Snapshots (verify): stored by `snapshot`, `apply` (before/after) and `verify`.

/** Stores a snapshot's JSON (schema and table created on first use) and returns its id. */
export async function insertSnapshot(db: Db, s: { label?: string | undefined; change?: string | undefined; takenAt: string | Date; data: unknown }): Promise<number> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS lockstep`);
  await db.query(`CREATE TABLE IF NOT EXISTS lockstep.snapshots (
    id bigserial PRIMARY KEY,
    label text,
    change text,
    taken_at timestamptz NOT NULL,
    data jsonb NOT NULL
  )`);
  const r = await db.query(`INSERT INTO lockstep.snapshots (label, change, taken_at, data) VALUES ($1, $2, $3, $4) RETURNING id`, [s.label ?? null, s.change ?? null, s.takenAt, JSON.stringify(s.data)]);
  return Number(r.rows[0].id);
}

/** A stored snapshot by id (its JSON as stored), or undefined when there is none (or no table). */
export async function readSnapshot(db: LedgerReader, id: number): Promise<{ id: number; data: unknown } | undefined> {
  const ok = (await db.query(`SELECT to_regclass('lockstep.snapshots') IS NOT NULL AS ok`)).rows[0]?.ok;
  if (!ok) return undefined;
  const r = (await db.query(`SELECT id::int AS id, data FROM lockstep.snapshots WHERE id = $1`, [id])).rows[0];
  return r ? { id: r.id, data: r.data } : undefined;
}

/** The latest snapshot apply took before applying a change, with the change's recorded spec. */
export async function readBeforeApplySnapshot(db: LedgerReader, change: string): Promise<{ id: number; data: unknown; spec: Change } | undefined> {
  const ok = (await db.query(`SELECT to_regclass('lockstep.snapshots') IS NOT NULL AND to_regclass('lockstep.changes') IS NOT NULL AS ok`)).rows[0]?.ok;
  if (!ok) return undefined;
  const r = (
    await db.query(
      `SELECT s.id::int AS id, s.data, c.spec FROM lockstep.snapshots s JOIN lockstep.changes c ON c.name = s.change
       WHERE s.change = $1 AND s.label = 'before apply' ORDER BY s.id DESC LIMIT 1`,
      [change],
    )
  ).rows[0];
  return r ? { id: r.id, data: r.data, spec: r.spec } : undefined;
}

export type { Step };
