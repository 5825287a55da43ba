/**
 * Flyway: versioned `V<version>__<desc>.sql`, undo `U<version>__<desc>.sql` (the down of the same
 * version) and repeatable `R__<desc>.sql` (applied after all versioned ones, by description). Versions
 * compare numerically part by part (`1_2` < `1_10` < `2`; `1.0` is `1`). Flyway wraps each script in a
 * transaction unless its `<script>.conf` says `executeInTransaction=false`.
 */
import { LockstepError, type Problem } from '../../core/errors.js';
import type { Migration } from '../migrations.js';
import {
  compareDigits,
  entries,
  layoutDefault,
  naturalCompare,
  settingIs,
  transactionOf,
  wholeFile,
  type Entry,
  type Layout,
} from './common.js';

const versionedRe = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const repeatableRe = /^R__(.+)\.sql$/;

/** Version parts without leading zeros and without trailing zero parts: `1.0.2_0` → ['1','0','2']. */
export function versionParts(version: string): string[] {
  const parts = version.split(/[._]/).map((p) => p.replace(/^0+(?=\d)/, ''));
  while (parts.length > 1 && parts[parts.length - 1] === '0') parts.pop();
  return parts;
}

export function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const c = compareDigits(x[i] ?? '0', y[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

interface Versioned {
  version: string;
  up?: Entry;
  down?: Entry;
}

export const flyway: Layout = {
  id: 'flyway',
  title: 'flyway (V<version>__<desc>.sql, U<version>__<desc>.sql, R__<desc>.sql)',
  looksFor: 'V<version>__<desc>.sql or R__<desc>.sql files',
  transaction: 'wrapped',
  detect(listing) {
    return 2 * entries(listing).filter((e) => versionedRe.test(e.name) || repeatableRe.test(e.name)).length;
  },
  read(listing, options) {
    const all = entries(listing);
    const confs = new Map(all.filter((e) => e.name.endsWith('.sql.conf')).map((e) => [e.rel, e]));
    const versions = new Map<string, Versioned>();
    const repeatables: Entry[] = [];
    const problems: Problem[] = [];
    for (const e of all) {
      const m = versionedRe.exec(e.name);
      if (m) {
        const key = versionParts(m[2]!).join('.');
        const v = versions.get(key) ?? { version: m[2]! };
        versions.set(key, v);
        const role = m[1] === 'V' ? 'up' : 'down';
        const taken = v[role];
        if (taken) problems.push({ where: e.file.path, message: `version ${m[2]} is also used by ${taken.file.path}` });
        else v[role] = e;
      } else if (repeatableRe.test(e.name)) {
        repeatables.push(e);
      }
    }
    if (problems.length > 0) throw new LockstepError('E_INPUT', problems);

    const migration = (up: Entry, down: Entry | undefined): Migration => {
      const conf = confs.get(`${up.rel}.conf`);
      const nonTransactional = nonTransactionalStatement(up.file.text);
      const own =
        conf && settingIs(conf.file.text, 'executeInTransaction', 'false')
          ? { transaction: 'none' as const, transactionSource: `${conf.file.path}: executeInTransaction=false` }
          : nonTransactional
            ? { transaction: 'none' as const, transactionSource: `flyway runs a script with ${nonTransactional} outside a transaction` }
            : layoutDefault(flyway);
      return {
        id: up.name.replace(/\.sql$/, ''),
        layout: 'flyway',
        up: wholeFile(up.file),
        ...(down ? { down: wholeFile(down.file) } : {}),
        ...transactionOf(options, own),
      };
    };
    return [
      ...[...versions.values()]
        .filter((v): v is Versioned & { up: Entry } => v.up !== undefined)
        .sort((a, b) => compareVersions(a.version, b.version))
        .map((v) => migration(v.up, v.down)),
      ...repeatables.sort((a, b) => naturalCompare(a.name, b.name)).map((r) => migration(r, undefined)),
    ];
  },
};

/**
 * Flyway's PostgreSQL parser runs a script outside a transaction when a statement cannot run inside
 * one (its detectCanExecuteInTransaction): CREATE/DROP INDEX CONCURRENTLY, VACUUM, REINDEX of a
 * schema/database/system, CREATE/DROP DATABASE/TABLESPACE/SUBSCRIPTION, ALTER SYSTEM, DISCARD ALL.
 * Returns what was found, for the message.
 */
export function nonTransactionalStatement(text: string): string | undefined {
  const start = String.raw`(?:^|;)\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*`;
  const patterns: [RegExp, string][] = [
    [new RegExp(start + String.raw`(?:CREATE|DROP)\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b`, 'i'), 'CREATE/DROP INDEX CONCURRENTLY'],
    [new RegExp(start + String.raw`VACUUM\b`, 'i'), 'VACUUM'],
    [new RegExp(start + String.raw`REINDEX\s+(?:\([^)]*\)\s*|VERBOSE\s+)?(?:SCHEMA|DATABASE|SYSTEM)\b`, 'i'), 'REINDEX SCHEMA/DATABASE/SYSTEM'],
    [new RegExp(start + String.raw`(?:CREATE|DROP)\s+(?:DATABASE|TABLESPACE|SUBSCRIPTION)\b`, 'i'), 'CREATE/DROP DATABASE/TABLESPACE/SUBSCRIPTION'],
    [new RegExp(start + String.raw`ALTER\s+SYSTEM\b`, 'i'), 'ALTER SYSTEM'],
    [new RegExp(start + String.raw`DISCARD\s+ALL\b`, 'i'), 'DISCARD ALL'],
  ];
  for (const [re, what] of patterns) if (re.test(text)) return what;
  return undefined;
}
