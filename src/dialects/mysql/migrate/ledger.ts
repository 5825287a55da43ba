/**
 * The MySQL/MariaDB ledger: tables `lockstep_changes`, `lockstep_steps` and `lockstep_backfill` in the
 * target database (InnoDB), so a killed run resumes from them. A DDL commits on its own on these
 * servers, so a step is marked done right after it (and a rerun that finds a step "running" checks
 * whether it took effect before running it again); a backfill batch commits together with its checkpoint.
 */
import type { MyDb } from '../driver.js';
import type { AnyPlan } from '../../../plan/types.js';
import type { Change } from '../../../operations/types.js';
import type { ChangeState, LedgerBackfill, LedgerChange, LedgerStep, StepState } from '../../../apply/ledger.js';
import { checksum } from '../../../apply/ledger.js';
import { versionText, type ServerVersion } from '../../../core/version.js';

export { checksum };

const DDL = [
  `CREATE TABLE IF NOT EXISTS lockstep_changes (
  name VARCHAR(191) NOT NULL PRIMARY KEY,
  checksum VARCHAR(64) NOT NULL,
  spec LONGTEXT NOT NULL,
  plan LONGTEXT NOT NULL,
  state VARCHAR(32) NOT NULL,
  server_version VARCHAR(64) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE IF NOT EXISTS lockstep_steps (
  change_name VARCHAR(191) NOT NULL,
  id VARCHAR(64) NOT NULL,
  position INT NOT NULL,
  phase VARCHAR(16) NOT NULL,
  title TEXT NOT NULL,
  up LONGTEXT NOT NULL,
  down LONGTEXT NULL,
  transactional TINYINT(1) NOT NULL,
  state VARCHAR(16) NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  started_at DATETIME(3) NULL,
  finished_at DATETIME(3) NULL,
  last_error TEXT NULL,
  PRIMARY KEY (change_name, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE IF NOT EXISTS lockstep_backfill (
  change_name VARCHAR(191) NOT NULL,
  step VARCHAR(64) NOT NULL,
  last_key LONGTEXT NULL,
  rows_done BIGINT NOT NULL DEFAULT 0,
  batches INT NOT NULL DEFAULT 0,
  batch_size INT NOT NULL DEFAULT 1000,
  start_max_key LONGTEXT NULL,
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (change_name, step)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
];

export const LEDGER_TABLES = ['lockstep_changes', 'lockstep_steps', 'lockstep_backfill'];

export async function ledgerExists(db: MyDb): Promise<boolean> {
  const [r] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('lockstep_changes', 'lockstep_steps', 'lockstep_backfill')`);
  return Number(r?.n) === 3;
}

export async function ensureLedger(db: MyDb): Promise<void> {
  if (await ledgerExists(db)) return;
  for (const d of DDL) await db.query(d);
}

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(String(v).replace(' ', 'T') + 'Z'));

export async function readChange(db: MyDb, name: string): Promise<(LedgerChange & { spec: Change }) | undefined> {
  const [x] = await db.query<any>('SELECT * FROM lockstep_changes WHERE name = ?', [name]);
  if (!x) return undefined;
  return { name: x.name, checksum: x.checksum, state: x.state, pgVersion: Number(String(x.server_version).split('.')[0]), createdAt: date(x.created_at)!, updatedAt: date(x.updated_at)!, spec: JSON.parse(x.spec) };
}

export async function listChanges(db: MyDb): Promise<LedgerChange[]> {
  const rows = await db.query<any>('SELECT name FROM lockstep_changes ORDER BY created_at, name');
  const out: LedgerChange[] = [];
  for (const r of rows) out.push((await readChange(db, r.name))!);
  return out;
}

export async function readPlan(db: MyDb, name: string): Promise<AnyPlan | undefined> {
  const [x] = await db.query<any>('SELECT plan FROM lockstep_changes WHERE name = ?', [name]);
  return x ? (JSON.parse(x.plan) as AnyPlan) : undefined;
}

export async function readSteps(db: MyDb, change: string): Promise<LedgerStep[]> {
  const rows = await db.query<any>('SELECT * FROM lockstep_steps WHERE change_name = ? ORDER BY position', [change]);
  return rows.map((x) => ({
    change,
    id: x.id,
    position: Number(x.position),
    phase: x.phase,
    title: x.title,
    up: x.up,
    down: x.down,
    transactional: !!Number(x.transactional),
    state: x.state,
    attempts: Number(x.attempts),
    startedAt: date(x.started_at),
    finishedAt: date(x.finished_at),
    lastError: x.last_error,
  }));
}

/** Records a change and its steps (a fresh apply: replaces what an earlier, rolled-back or untouched one left). */
export async function recordChange(db: MyDb, change: Change, plan: AnyPlan, server: ServerVersion): Promise<void> {
  await db.query('START TRANSACTION');
  try {
    await db.query('DELETE FROM lockstep_backfill WHERE change_name = ?', [change.name]);
    await db.query('DELETE FROM lockstep_steps WHERE change_name = ?', [change.name]);
    await db.query(
      `INSERT INTO lockstep_changes (name, checksum, spec, plan, state, server_version) VALUES (?, ?, ?, ?, 'applying', ?)
       ON DUPLICATE KEY UPDATE checksum = VALUES(checksum), spec = VALUES(spec), plan = VALUES(plan), state = 'applying', server_version = VALUES(server_version), updated_at = CURRENT_TIMESTAMP(3)`,
      [change.name, checksum(change), JSON.stringify(change), JSON.stringify(plan), `${server.flavor} ${versionText(server)}`],
    );
    let pos = 0;
    for (const s of plan.phases.flatMap((p) => p.steps))
      await db.query('INSERT INTO lockstep_steps (change_name, id, position, phase, title, up, down, transactional) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [change.name, s.id, pos++, s.phase, s.title, s.up, s.down ?? null, s.transactional ? 1 : 0]);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

export async function setChangeState(db: MyDb, change: string, state: ChangeState): Promise<void> {
  await db.query('UPDATE lockstep_changes SET state = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE name = ?', [state, change]);
}

export async function stepStarted(db: MyDb, change: string, step: string): Promise<number> {
  await db.query(`UPDATE lockstep_steps SET state = 'running', attempts = attempts + 1, started_at = CURRENT_TIMESTAMP(3), last_error = NULL WHERE change_name = ? AND id = ?`, [change, step]);
  const [r] = await db.query<any>('SELECT attempts FROM lockstep_steps WHERE change_name = ? AND id = ?', [change, step]);
  return Number(r?.attempts ?? 1);
}

export async function stepFinished(db: MyDb, change: string, step: string, state: StepState): Promise<void> {
  await db.query('UPDATE lockstep_steps SET state = ?, finished_at = CURRENT_TIMESTAMP(3), last_error = NULL WHERE change_name = ? AND id = ?', [state, change, step]);
}

export async function stepFailed(db: MyDb, change: string, step: string, error: string): Promise<void> {
  await db.query(`UPDATE lockstep_steps SET state = 'failed', last_error = ? WHERE change_name = ? AND id = ?`, [error.slice(0, 2000), change, step]);
}

export async function readBackfill(db: MyDb, change: string, step: string): Promise<LedgerBackfill | undefined> {
  const [x] = await db.query<any>('SELECT * FROM lockstep_backfill WHERE change_name = ? AND step = ?', [change, step]);
  return x
    ? { change, step, lastKey: x.last_key ? JSON.parse(x.last_key) : null, rowsDone: Number(x.rows_done), batches: Number(x.batches), batchSize: Number(x.batch_size), startMaxKey: x.start_max_key ? JSON.parse(x.start_max_key) : null }
    : undefined;
}

export async function startBackfill(db: MyDb, change: string, step: string, batchSize: number, startMaxKey: unknown[] | null): Promise<void> {
  await db.query('INSERT IGNORE INTO lockstep_backfill (change_name, step, batch_size, start_max_key) VALUES (?, ?, ?, ?)', [change, step, batchSize, JSON.stringify(startMaxKey)]);
}

/** The checkpoint after a batch: run it inside the batch's transaction so both commit or neither. */
export async function checkpoint(db: MyDb, change: string, step: string, lastKey: unknown[], rows: number, batchSize: number): Promise<void> {
  await db.query('UPDATE lockstep_backfill SET last_key = ?, rows_done = rows_done + ?, batches = batches + 1, batch_size = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE change_name = ? AND step = ?', [JSON.stringify(lastKey), rows, batchSize, change, step]);
}
