/**
 * The online-copy engines by id (copy-engine.ts is their contract). Each engine's module is loaded only
 * when a copy step runs, so plan and lint never load it. An engine this build does not have is refused
 * in one line, naming the ones it has.
 */
import { LockstepError } from '../../core/errors.js';
import type { CopyEngine, CopyEngineId } from './copy-engine.js';

export const copyEngines: Partial<Record<CopyEngineId, () => Promise<CopyEngine>>> = {
  lockstep: () => import('./online-copy.js').then((m) => m.onlineCopy),
  'pt-osc': () => import('./pt-osc.js').then((m) => m.ptOsc),
};

export async function copyEngine(id: CopyEngineId, where = '--engine'): Promise<CopyEngine> {
  const load = copyEngines[id];
  if (!load) {
    const have = Object.keys(copyEngines);
    throw new LockstepError('E_USAGE', [{ where, message: `the ${id} copy engine is not in this build${have.length ? ` (it has: ${have.join(', ')})` : ''}` }]);
  }
  return load();
}
