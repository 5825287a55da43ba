import { readFileSync } from 'node:fs';

/** lockstep's own version, from its package.json (found from this file up, so bundled builds work too). */
export const toolVersion: string = (() => {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lockstep' && pkg.version) return pkg.version;
    } catch {
      /* not there */
    }
  }
  return '0.0.0';
})();

export const toolName = 'lockstep';
export const informationUri = 'https://github.com/lockstep-db/lockstep';
