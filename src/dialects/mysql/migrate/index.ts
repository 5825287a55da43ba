/** plan / apply / rollback / status / cleanup on MySQL/MariaDB behind the seam (`Dialect.migrate`). */
import type { Migrator } from '../../dialect.js';
import { changeFromMysql } from './from-sql.js';
import { planMysql } from './planner.js';
import { readPlanFacts } from './facts.js';
import { assertValidMyChange } from './validate.js';
import { renderMysqlJson, renderMysqlSqlFiles, renderMysqlText } from './render.js';
import { applyMysql, cleanupMysql, rollbackMysql, statusMysql } from './apply.js';

export const mysqlMigrator: Migrator = {
  engines: ['lockstep', 'pt-osc'],
  ledger: 'tables lockstep_changes, lockstep_steps and lockstep_backfill in the target database',
  fromSql: async (source, o) => changeFromMysql(source, o),
  async plan(change, o) {
    assertValidMyChange(change);
    if (!o.url) return planMysql(change, { server: o.server });
    const facts = await readPlanFacts(o.url, change, o.where ?? '--db');
    return planMysql(change, { server: facts.server, catalog: facts.catalog, definitions: facts.definitions, replicas: facts.replicas });
  },
  render(plan, format, o) {
    if (format === 'json') return renderMysqlJson(plan);
    if (format === 'sql') return renderMysqlSqlFiles(plan);
    return renderMysqlText(plan, o);
  },
  apply: applyMysql,
  rollback: rollbackMysql,
  status: statusMysql,
  cleanup: cleanupMysql,
};
