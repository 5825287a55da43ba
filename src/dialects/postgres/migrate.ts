/**
 * plan / apply / rollback / status / cleanup on PostgreSQL behind the seam (`Dialect.migrate`): each
 * member hands over to the existing library functions (src/plan, src/apply, src/report/plan.ts), so
 * the CLI reaches them through the dialect it picked and never asks which one it is.
 */
import type { Migrator } from '../dialect.js';
import { LockstepError } from '../../core/errors.js';
import type { Plan } from '../../plan/types.js';
import { plan } from '../../plan/planner.js';
import { apply, createdIndex } from '../../apply/apply.js';
import { rollback } from '../../apply/rollback.js';
import { status } from '../../apply/status.js';
import { connect } from '../../apply/db.js';
import * as ledger from '../../apply/ledger.js';
import { renderPlanJson, renderPlanSqlFiles, renderPlanText } from '../../report/plan.js';
import { changeFromSql } from '../../spec/from-sql.js';
import { introspectUrl } from './introspect.js';
import { loadParser } from './parser.js';

export const postgresMigrator: Migrator = {
  engines: [],
  parallelBackfill: true,
  ledger: 'schema lockstep',
  fromSql: (source, o) => changeFromSql(source, { file: o.file, ...(o.name ? { name: o.name } : {}) }),
  async plan(change, o) {
    let version = o.server.major;
    if (!o.url) return plan(change, { version });
    const tables = [...new Set(change.operations.map((op) => op.table.name))];
    const facts = await introspectUrl(o.url, o.where ?? '--db', { activityOn: tables });
    version = facts.major;
    return plan(change, { version, catalog: facts.catalog, live: facts.live });
  },
  render(p, format, o) {
    const pg = p as Plan;
    if (format === 'json') return renderPlanJson(pg);
    if (format === 'sql') return renderPlanSqlFiles(pg);
    return renderPlanText(pg, o);
  },
  async apply(change, o) {
    const r = await apply(change, {
      url: o.url,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.until ? { until: o.until } : {}),
      dryRun: !!o.dryRun,
      ...(o.snapshot === false ? { snapshot: false } : {}),
      guard: o.lockTimeoutMs ? { lockTimeoutMs: o.lockTimeoutMs } : {},
      backfill: { ...(o.maxLagSeconds ? { maxLagSeconds: o.maxLagSeconds } : {}), ...(o.batchMs ? { targetBatchMs: o.batchMs } : {}), ...(o.pauseMs ? { pauseMs: o.pauseMs } : {}), ...(o.workers ? { workers: o.workers } : {}) },
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return r;
  },
  rollback: (name, o) =>
    rollback(name, { url: o.url, yes: !!o.yes, ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.lockTimeoutMs ? { guard: { lockTimeoutMs: o.lockTimeoutMs } } : {}) }),
  status: (url, name) => status(url, name),
  /**
   * What a killed apply can leave on Postgres: an INVALID index from a CREATE INDEX CONCURRENTLY that did
   * not finish. Dropped (CONCURRENTLY) for the changes whose step is not done; everything else either
   * committed with its step or did not happen.
   */
  async cleanup(url, name) {
    await loadParser();
    const db = await connect(url, '--db', 'lockstep cleanup');
    const removed: string[] = [];
    try {
      if (!(await ledger.ledgerExists(db))) return removed;
      const changes = (await ledger.listChanges(db)).filter((c) => !name || c.name === name);
      if (name && !changes.length) throw new LockstepError('E_INPUT', [{ where: name, message: 'no such change in the ledger' }]);
      for (const c of changes) {
        for (const s of await ledger.readSteps(db, c.name)) {
          if (s.state === 'done') continue;
          const index = createdIndex(s.up);
          if (!index) continue;
          const st = await db.query(`SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, [index]);
          if (st.rows[0]?.valid !== false) continue;
          await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
          removed.push(`INVALID index ${index} (step ${s.id} of ${c.name})`);
        }
      }
      return removed;
    } finally {
      await db.close();
    }
  },
};
