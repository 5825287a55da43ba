/**
 * The MySQL and MariaDB versions lockstep lints for, and the one it assumes when nothing says which.
 *
 * Supported: MySQL 8.0 and 8.4 (LTS); MariaDB 10.6 – 10.11 and 11.x. Without `--server-version`,
 * config `serverVersion` or `--db`, lint assumes:
 * - MySQL **8.0.40**: a late 8.0 patch, so the 8.0.29+ behaviour most servers have (INSTANT ADD/DROP
 *   COLUMN at any position, the 64-row-version cap) applies and the 8.0.29–8.0.31 redo-format warning
 *   does not. `--server-version 8.0` means 8.0.0 (every claim "from 8.0.29" then does not hold): give
 *   the patch (`8.0.28`) when it matters.
 * - MariaDB **10.11** (the LTS the test suite proves claims on).
 * A 10.x or 11.x version given for `mysql` is a MariaDB version (MySQL has no such majors): it is read as one.
 */
import { parseVersionText, versionText, type Flavor, type ServerVersion } from '../../core/version.js';

export type MyFlavor = 'mysql' | 'mariadb';

export const DEFAULT_VERSION: Record<MyFlavor, ServerVersion> = {
  mysql: { flavor: 'mysql', major: 8, minor: 0, patch: 40 },
  mariadb: { flavor: 'mariadb', major: 10, minor: 11 },
};

export const SUPPORTED = 'MySQL 8.0, 8.4; MariaDB 10.6–10.11, 11.x';

function supportedMysql(v: ServerVersion): boolean {
  return v.major === 8 && (v.minor === undefined || v.minor === 0 || v.minor === 4);
}

function supportedMariadb(v: ServerVersion): boolean {
  if (v.major === 11) return true;
  return v.major === 10 && v.minor !== undefined && v.minor >= 6 && v.minor <= 11;
}

/** `8.0.36`, `8.4`, `10.11`, `10.11.6-MariaDB-1:10.11.6+maria~ubu2204`, `11.4.2` for the flavor the dialect choice named. */
export function parseMyVersion(text: string, flavor: Flavor): ServerVersion | string {
  const said = /mariadb/i.test(text) ? 'mariadb' : flavor;
  const v = parseVersionText(text.replace(/^5\.5\.5-/, ''), said);
  if (!v) return `must be a version like 8.0.36 (MySQL) or 10.11 (MariaDB), got ${JSON.stringify(text)}`;
  // MySQL has no 10.x/11.x: that is a MariaDB version given with --dialect mysql or a mysql:// URL.
  const f: MyFlavor = said === 'mariadb' || v.major === 10 || v.major === 11 ? 'mariadb' : 'mysql';
  const out = { ...v, flavor: f };
  if (f === 'mysql' && !supportedMysql(out)) return `MySQL ${versionText(out)} is not supported: lockstep lints for ${SUPPORTED}`;
  if (f === 'mariadb' && !supportedMariadb(out)) {
    if (out.major === 8) return `${versionText(out)} is a MySQL version, not MariaDB (use --dialect mysql); lockstep lints for ${SUPPORTED}`;
    return `MariaDB ${versionText(out)} is not supported: lockstep lints for ${SUPPORTED}${out.major === 10 && out.minor === undefined ? ' (give the minor: 10.6, 10.11)' : ''}`;
  }
  return out;
}
