/** status: what the ledger says — changes, their phase, steps, backfill progress, last errors. */
import { connect } from './db.js';
import * as ledger from './ledger.js';
import { appAssumptions, type AppAssumption } from '../app/assumptions.js';

export interface StatusChange {
  change: ledger.LedgerChange;
  steps: ledger.LedgerStep[];
  backfills: ledger.LedgerBackfill[];
  /** The phase the change is in: the phase of the first step not done (or of the last step). */
  phase: string;
  /** What the application may assume about each column the change adds or constrains, at this point. */
  app: AppAssumption[];
}

export async function status(url: string, name?: string): Promise<StatusChange[]> {
  const db = await connect(url, '--db', 'lockstep status', { readOnly: true }); // status only reads the ledger
  try {
    if (!(await ledger.ledgerExists(db))) return [];
    const changes = (await ledger.listChanges(db)).filter((c) => !name || c.name === name);
    const out: StatusChange[] = [];
    for (const c of changes) {
      const steps = await ledger.readSteps(db, c.name);
      const backfills = (await Promise.all(steps.filter((s) => s.phase === 'backfill').map((s) => ledger.readBackfill(db, c.name, s.id)))).filter((b): b is ledger.LedgerBackfill => !!b);
      const open = steps.find((s) => s.state !== 'done' && s.state !== 'undone');
      const spec = await ledger.readSpec(db, c.name);
      const app = spec?.operations ? appAssumptions(spec, steps, c.state === 'rolled back') : [];
      out.push({ change: c, steps, backfills, phase: c.state === 'rolled back' ? 'rolled back' : open ? open.phase : (steps[steps.length - 1]?.phase ?? ''), app });
    }
    return out;
  } finally {
    await db.close();
  }
}
