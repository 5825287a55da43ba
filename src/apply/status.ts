/** status: what the ledger says — changes, their phase, steps, backfill progress, last errors. */
import { connect } from './db.js';
import * as ledger from './ledger.js';

export interface StatusChange {
  change: ledger.LedgerChange;
  steps: ledger.LedgerStep[];
  backfills: ledger.LedgerBackfill[];
  /** The phase the change is in: the phase of the first step not done (or of the last step). */
  phase: string;
}

export async function status(url: string, name?: string): Promise<StatusChange[]> {
  const db = await connect(url, '--db', 'lockstep status');
  try {
    const ok = (await db.query(`SELECT to_regclass('lockstep.changes') IS NOT NULL AS ok`)).rows[0].ok;
    if (!ok) return [];
    const changes = (await ledger.listChanges(db)).filter((c) => !name || c.name === name);
    const out: StatusChange[] = [];
    for (const c of changes) {
      const steps = await ledger.readSteps(db, c.name);
      const backfills = (await Promise.all(steps.filter((s) => s.phase === 'backfill').map((s) => ledger.readBackfill(db, c.name, s.id)))).filter((b): b is ledger.LedgerBackfill => !!b);
      const open = steps.find((s) => s.state !== 'done' && s.state !== 'undone');
      out.push({ change: c, steps, backfills, phase: c.state === 'rolled back' ? 'rolled back' : open ? open.phase : (steps[steps.length - 1]?.phase ?? '') });
    }
    return out;
  } finally {
    await db.close();
  }
}
