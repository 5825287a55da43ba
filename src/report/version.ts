import { createRequire } from 'node:module';

/** lockstep's own version, from package.json. */
export const toolVersion: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export const toolName = 'lockstep';
export const informationUri = 'https://github.com/lockstep-db/lockstep';
