/**
 * The dialects, and which one a command uses: `--dialect`, else the URL's scheme (`postgres://`,
 * `mysql://`, `mariadb://`), else config `dialect`, else what the migration layout says (Prisma's
 * `provider`, Drizzle's `dialect`), else PostgreSQL. Two sources that disagree are an error, not a guess.
 */
import { usageError } from '../core/errors.js';
import { dialectOf, flavorName, flavors, type DialectId, type Flavor, type ServerVersion } from '../core/version.js';
import type { Command, Dialect, LintTypes } from './dialect.js';
import { postgres } from './postgres/index.js';
import { mysql } from './mysql/index.js';
import { flavorOfUrl, knownSchemes } from './schemes.js';

export { flavorOfUrl, knownSchemes };

export const dialects: Readonly<Record<string, Dialect<any>>> = { postgres, mysql } satisfies Partial<Record<DialectId, Dialect<any>>>;

/** The flavors `--dialect` and config `dialect` accept. */
export const dialectNames: readonly Flavor[] = flavors;

export function dialectById(id: DialectId): Dialect<LintTypes> {
  const d = dialects[id];
  if (!d) throw usageError('--dialect', `${id === 'mysql' ? 'MySQL/MariaDB' : id} is not available in this build`);
  return d;
}

/**
 * Why `command` cannot use a database at `url`, in one line (for the flag that gave it), or undefined
 * when it can: an unknown scheme, or a dialect that does not have that command (yet).
 */
export function urlProblem(url: string, command: Command): string | undefined {
  const flavor = flavorOfUrl(url);
  if (!flavor) return `must be a ${knownSchemes()} URL`;
  const d = dialects[dialectOf(flavor)];
  if (!d) return `${flavorName[flavor]}: this version of lockstep has no ${flavorName[flavor]} support`;
  if (!d.commands.includes(command)) return `${flavorName[flavor]}: lockstep ${command} does not run on ${d.name} yet (${d.missing ?? `it does: ${d.commands.join(', ')}`})`;
  return undefined;
}

export interface DialectChoice {
  dialect: Dialect<LintTypes>;
  flavor: Flavor;
  /** What decided it, for messages: `--dialect`, `--db`, `config`, `the layout`, `default`. */
  from: string;
}

/**
 * Picks the dialect and flavor. `flag` is `--dialect`, `urls` the database URLs given (with the flag
 * that gave each), `config` the config's `dialect`, `layout` what a migration layout declared.
 */
export function chooseDialect(o: { flag?: string; urls?: { url: string; where: string }[]; config?: string; layout?: { flavor: Flavor; where: string } }): DialectChoice {
  const said: { flavor: Flavor; from: string }[] = [];
  if (o.flag !== undefined) {
    if (!(flavors as readonly string[]).includes(o.flag)) throw usageError('--dialect', `must be one of ${flavors.join(', ')}; got ${JSON.stringify(o.flag)}`);
    said.push({ flavor: o.flag as Flavor, from: '--dialect' });
  }
  for (const u of o.urls ?? []) {
    const f = flavorOfUrl(u.url);
    if (!f) throw usageError(u.where, `must be a ${knownSchemes()} URL`);
    said.push({ flavor: f, from: u.where });
  }
  if (o.config !== undefined) said.push({ flavor: o.config as Flavor, from: 'config "dialect"' });
  if (o.layout) said.push({ flavor: o.layout.flavor, from: o.layout.where });
  const first = said[0] ?? { flavor: 'postgres' as Flavor, from: 'default' };
  // A MariaDB URL and `--dialect mysql` agree (one dialect); a postgres:// URL and `--dialect mysql` do not.
  for (const s of said.slice(1)) {
    if (dialectOf(s.flavor) !== dialectOf(first.flavor))
      throw usageError(s.from, `says ${flavorName[s.flavor]}, but ${first.from} says ${flavorName[first.flavor]}`);
  }
  // The most specific flavor wins: mariadb:// over --dialect mysql.
  const flavor = said.find((s) => s.flavor === 'mariadb')?.flavor ?? first.flavor;
  return { dialect: dialectById(dialectOf(flavor)), flavor, from: first.from };
}

/** The target version: `--server-version`/config for the chosen flavor, else the dialect's default for it. */
export function chooseVersion(choice: DialectChoice, given: { text?: string; where: string } | undefined): ServerVersion {
  if (given?.text !== undefined) {
    const v = choice.dialect.versions.parse(given.text, choice.flavor);
    if (typeof v === 'string') throw usageError(given.where, v);
    return v;
  }
  return choice.dialect.versions.defaultFor(choice.flavor);
}
