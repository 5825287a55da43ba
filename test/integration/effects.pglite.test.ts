import { proveEffectsOnPglite } from './effects-proof.js';

proveEffectsOnPglite();
