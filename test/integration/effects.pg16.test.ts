import { proveEffectsOn } from './effects-proof.js';

proveEffectsOn('pg16');
