/**
 * The dialect plan / apply / rollback / status / cleanup run on: `--dialect`, else the URL's scheme,
 * else config `dialect`, else PostgreSQL (chooseDialect) — then that dialect's Migrator, loaded now.
 * A dialect without the command says so in one line; nothing here knows which dialect it is.
 */
import { usageError } from '../core/errors.js';
import type { Command, Migrator } from '../dialects/dialect.js';
import { chooseDialect, type DialectChoice } from '../dialects/index.js';
import type { Flavor } from '../core/version.js';

export async function migratorFor(command: Command, o: { flag?: string; url?: string; where?: string; config?: Flavor }): Promise<{ choice: DialectChoice; migrator: Migrator }> {
  const choice = chooseDialect({
    ...(o.flag !== undefined ? { flag: o.flag } : {}),
    ...(o.url !== undefined ? { urls: [{ url: o.url, where: o.where ?? '--db' }] } : {}),
    ...(o.config !== undefined ? { config: o.config } : {}),
  });
  const d = choice.dialect;
  if (!d.migrate || !d.commands.includes(command)) throw usageError(o.flag !== undefined ? '--dialect' : (o.where ?? command), `lockstep ${command} does not run on ${d.name} yet${d.missing ? ` (${d.missing})` : ''}`);
  return { choice, migrator: await d.migrate() };
}
