/**
 * snapshot/verify on PostgreSQL: the snapshot of src/verify/snapshot.ts (pg_stat_statements,
 * pg_stat_user_tables/indexes, pg_stat_database, replication), kept in the ledger's
 * `lockstep.snapshots`; apply's "before apply" snapshot of a change found through `lockstep.changes`.
 */
import type { Metrics, MetricsSession } from '../dialect.js';
import { connect, type Db } from '../../apply/db.js';
import { storeSnapshot, takeSnapshot } from '../../verify/snapshot.js';
import { readBeforeApplySnapshot, readSnapshot } from '../../apply/ledger.js';

export const postgresMetrics: Metrics = {
  async open(url, where, o = {}) {
    const db = await connect(url, where, o.application ?? 'lockstep');
    return session(db);
  },
};

function session(db: Db): MetricsSession {
  return {
    ledger: 'lockstep.snapshots',
    take: (o = {}) => takeSnapshot(db, o),
    async store(s) {
      // One transaction, so a failure leaves nothing behind (no schema, no table, no row).
      await db.query('BEGIN');
      try {
        const id = await storeSnapshot(db, s);
        await db.query('COMMIT');
        return id;
      } catch (e) {
        await db.query('ROLLBACK').catch(() => {});
        throw e;
      }
    },
    async load(id) {
      return (await readSnapshot(db, id))?.data;
    },
    async beforeChange(change) {
      const r = await readBeforeApplySnapshot(db, change);
      if (!r) return undefined;
      return { id: r.id, data: r.data, changedTables: await tableKeys(db, r.spec) };
    },
    close: () => db.close(),
  };
}

/**
 * The tables a change's operations name, spelt the way the snapshot names them: the snapshot uses
 * format('%I.%I', …), so the same function makes these (quote_ident quotes reserved and
 * non-reserved-but-special keywords such as user, int or left, and anything not lower-case).
 */
async function tableKeys(db: Db, spec: any): Promise<string[]> {
  const schemas: string[] = [];
  const names: string[] = [];
  for (const op of Array.isArray(spec?.operations) ? spec.operations : []) {
    const t = op?.table;
    if (t && typeof t === 'object' && typeof t.name === 'string') {
      schemas.push(typeof t.schema === 'string' ? t.schema : 'public');
      names.push(t.name);
    }
  }
  if (!names.length) return [];
  const r = await db.query(`SELECT array_agg(DISTINCT format('%I.%I', s, n)) AS t FROM unnest($1::text[], $2::text[]) AS x(s, n)`, [schemas, names]);
  return (r.rows[0]?.t ?? []) as string[];
}
