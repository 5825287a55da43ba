/**
 * Server versions as the servers spell them: PostgreSQL `15.4`, MySQL `8.0.36`, MariaDB `10.11.19`.
 * The dialect decides which versions exist; this file only parses, compares and prints them.
 */

/** The SQL dialects lockstep knows. MariaDB is a flavor of the MySQL dialect, not a third dialect. */
export type DialectId = 'postgres' | 'mysql';
export const dialectIds: readonly DialectId[] = ['postgres', 'mysql'];

/** The servers: each belongs to one dialect. */
export type Flavor = 'postgres' | 'mysql' | 'mariadb';
export const flavors: readonly Flavor[] = ['postgres', 'mysql', 'mariadb'];

export const dialectOf = (f: Flavor): DialectId => (f === 'postgres' ? 'postgres' : 'mysql');

export const flavorName: Record<Flavor, string> = { postgres: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB' };

export interface ServerVersion {
  flavor: Flavor;
  major: number;
  /** Absent when only the major (or major.minor) was given: claims that depend on it are then assumed for the earliest such version. */
  minor?: number;
  patch?: number;
}

/**
 * `15`, `14.2`, `8.0.36`, `10.11`, `10.11.19-MariaDB-0+deb12u1`, `8.0.36-log`: the leading numbers,
 * anything after them (a distribution suffix) ignored. Undefined when it does not start with a number.
 */
export function parseVersionText(text: string, flavor: Flavor): ServerVersion | undefined {
  const m = /^\s*(\d{1,4})(?:\.(\d{1,4}))?(?:\.(\d{1,4}))?(?:[-+~ ][\w.+~-]*)?\s*$/.exec(text);
  if (!m) return undefined;
  return {
    flavor,
    major: Number(m[1]),
    ...(m[2] !== undefined ? { minor: Number(m[2]) } : {}),
    ...(m[3] !== undefined ? { patch: Number(m[3]) } : {}),
  };
}

/** `PostgreSQL 15`, `MySQL 8.0.36`, `MariaDB 10.11`. */
export function describeVersion(v: ServerVersion): string {
  return `${flavorName[v.flavor]} ${versionText(v)}`;
}

/** `15`, `14.2`, `8.0.36`. */
export function versionText(v: ServerVersion): string {
  return [v.major, v.minor, v.patch].filter((n) => n !== undefined).join('.');
}

/**
 * Compares as version numbers; a missing part counts as 0 (`8.0` is 8.0.0), so a claim "from 8.0.29"
 * does not hold for a target given as `8.0`. Both must be of the same flavor.
 */
export function compareVersions(a: Pick<ServerVersion, 'major' | 'minor' | 'patch'>, b: Pick<ServerVersion, 'major' | 'minor' | 'patch'>): number {
  return a.major - b.major || (a.minor ?? 0) - (b.minor ?? 0) || (a.patch ?? 0) - (b.patch ?? 0);
}

/** `8.0.29` → { major: 8, minor: 0, patch: 29 }, for writing version ranges in tables. */
export function v(text: string): { major: number; minor?: number; patch?: number } {
  const [major, minor, patch] = text.split('.').map(Number);
  return { major: major!, ...(minor !== undefined ? { minor } : {}), ...(patch !== undefined ? { patch } : {}) };
}

/** Whether `version` is within `from`…`to` (inclusive; either open). */
export function inRange(version: ServerVersion, range: { from?: string; to?: string }): boolean {
  if (range.from && compareVersions(version, v(range.from)) < 0) return false;
  if (range.to) {
    // `to: '10.11'` includes every 10.11.x: compare only as many parts as `to` gives.
    const t = v(range.to);
    const cut = { major: version.major, ...(t.minor !== undefined ? { minor: version.minor ?? 0 } : {}), ...(t.patch !== undefined ? { patch: version.patch ?? 0 } : {}) };
    if (compareVersions(cut, t) > 0) return false;
  }
  return true;
}
