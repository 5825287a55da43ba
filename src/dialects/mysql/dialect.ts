/**
 * The MySQL dialect (flavors `mysql` and `mariadb`) behind the seam of ../dialect.ts: lint, and through
 * lazily loaded members plan/apply/rollback/status/cleanup (migrate), snapshot/verify (metrics),
 * app-check/types (app) and rehearse on a scratch server (index.ts adds it).
 */
import type { Dialect } from '../dialect.js';
import { introspectMysql } from './introspect.js';
import { lintCatalog, mysqlLintKit, type MyLint, type MysqlLintParts } from './lint.js';
import { quoteIdent, quoteLiteral } from './names.js';
import { DEFAULT_VERSION, parseMyVersion, SUPPORTED } from './versions.js';
import { mysqlRules } from '../../rules/mysql/registry.js';
import { mysqlSpecFragments } from './spec-fragments.js';

export function createMysqlDialect(parts: MysqlLintParts): Dialect<MyLint> {
  return {
    id: 'mysql',
    name: 'MySQL/MariaDB',
    flavors: ['mysql', 'mariadb'],
    defaultFlavor: 'mysql',
    versions: {
      defaultFor: (flavor) => DEFAULT_VERSION[flavor === 'mariadb' ? 'mariadb' : 'mysql'],
      parse: parseMyVersion,
      supported: SUPPORTED,
    },
    quoteIdent,
    quoteLiteral,
    // The parser is plain TypeScript: nothing to load.
    load: async () => {},
    specFragments: mysqlSpecFragments,
    lint: mysqlLintKit(parts),
    rules: mysqlRules,
    async introspect(url, where) {
      const facts = await introspectMysql(url, where);
      const strict = facts.catalog.server.sqlModeStrict;
      return {
        version: facts.version,
        catalog: lintCatalog(facts.catalog, (c, stmt, m) => parts.applyStatement(c, stmt, m, facts.version)),
        settings: { ...facts.settings, ...(strict !== undefined ? { sqlModeStrict: strict } : {}) },
      };
    },
    migrate: () => import('./migrate/index.js').then((m) => m.mysqlMigrator),
    commands: ['lint', 'plan', 'apply', 'rollback', 'status', 'cleanup', 'rehearse', 'snapshot', 'verify', 'app-check', 'types'],
    metrics: async () => (await import('./metrics.js')).mysqlMetrics,
    app: () => import('./app.js').then((m) => m.mysqlApp),
  };
}
