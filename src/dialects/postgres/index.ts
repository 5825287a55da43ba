/** The PostgreSQL dialect: everything lockstep knows about Postgres, behind the seam of ../dialect.ts. */
import type { Dialect } from '../dialect.js';
import { parseVersionText, type ServerVersion } from '../../core/version.js';
import { loadParser } from './parser.js';
import { quoteIdent, quoteLiteral } from './names.js';
import { postgresLint, type PgLint } from './lint.js';
import { MIN_VERSION, MAX_VERSION } from './effects.js';
import { introspectUrl } from './introspect.js';
import { postgresRules } from '../../rules/postgres/registry.js';
import { flavorOfUrl } from '../schemes.js';
import { postgresSpecFragments } from '../../spec/sql-fragments.js';

export type { PgLint };

export const DEFAULT_PG_MAJOR = 15;

/** `15` or `14.2` (a Postgres version has two parts since 10), 11–18. */
function parseVersion(text: string): ServerVersion | string {
  const v = parseVersionText(text, 'postgres');
  if (!v || v.patch !== undefined || v.major < MIN_VERSION || v.major > MAX_VERSION)
    return `must be a PostgreSQL major from ${MIN_VERSION} to ${MAX_VERSION} (or a version like 14.2), got ${JSON.stringify(text)}`;
  return v;
}

export const postgres: Dialect<PgLint> = {
  id: 'postgres',
  name: 'PostgreSQL',
  flavors: ['postgres'],
  defaultFlavor: 'postgres',
  versions: {
    defaultFor: () => ({ flavor: 'postgres', major: DEFAULT_PG_MAJOR }),
    parse: (text) => parseVersion(text),
    supported: `PostgreSQL ${MIN_VERSION}–${MAX_VERSION}`,
  },
  quoteIdent,
  quoteLiteral: (s) => quoteLiteral(s),
  load: loadParser,
  specFragments: postgresSpecFragments,
  lint: postgresLint,
  rules: postgresRules,
  async introspect(url, where) {
    const facts = await introspectUrl(url, where);
    return {
      version: { flavor: 'postgres', major: facts.major, minor: facts.versionNum % 10000 },
      catalog: facts.catalog,
      settings: {
        lockTimeoutMs: facts.settings.lockTimeoutMs,
        statementTimeoutMs: facts.settings.statementTimeoutMs,
        timeZoneUtc: /^(utc|etc\/utc|gmt|z|zulu)$/i.test(facts.settings.timeZone),
        source: "the database's settings for this role",
      },
    };
  },
  migrate: () => import('./migrate.js').then((m) => m.postgresMigrator),
  commands: ['lint', 'plan', 'apply', 'rollback', 'status', 'cleanup', 'rehearse', 'snapshot', 'verify', 'app-check', 'types'],
  metrics: async () => (await import('./metrics.js')).postgresMetrics,
  app: () => import('./app.js').then((m) => m.loadPostgresApp()),
  rehearse: async () => {
    const { rehearse } = await import('../../rehearse/rehearse.js');
    return {
      sandboxProblem: (sandbox) => (sandbox === undefined || sandbox === 'pglite' || sandbox === 'embedded' || flavorOfUrl(sandbox) === 'postgres' ? undefined : 'must be pglite, embedded or a postgres:// URL (mysql:// for a MySQL/MariaDB rehearsal)'),
      rehearse,
    };
  },
};
