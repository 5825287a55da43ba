/**
 * A plan's SQL files (one migration per step) run on real servers, PG 15, 16, 17 and 18, against tables with
 * rows: up reaches the end state the change asked for, every down in reverse order restores the schema
 * exactly, and up works again after that.
 */
import { describe, expect, test } from 'vitest';
import { testServers, freshDatabase } from '../helpers/db.js';
import { introspectUrl } from '../../src/dialects/postgres/introspect.js';
import { plan } from '../../src/plan/planner.js';
import { renderPlanSqlFiles } from '../../src/report/plan.js';
import type { Change } from '../../src/operations/types.js';

const schema = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, ref text, total numeric(12,2));
INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 200) g;
INSERT INTO orders SELECT g, 1 + g % 200, 'r' || g, g FROM generate_series(1, 5000) g;
ANALYZE;
`;

/** Columns, constraints (with validity) and indexes (with validity) of the public schema, as text. */
const fingerprint = `
SELECT string_agg(x, E'\\n' ORDER BY x) AS f FROM (
  SELECT format('col %s.%s %s notnull=%s default=%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) AS x
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('con %s %s %s valid=%s', conrelid::regclass, conname, pg_get_constraintdef(oid), convalidated) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('idx %s valid=%s', pg_get_indexdef(i.indexrelid), i.indisvalid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'public'::regnamespace
) s`;

const change: Change = {
  name: 'orders-created-at',
  operations: [
    { kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'clock_timestamp()', index: true, check: "created_at > '2000-01-01'" },
    { kind: 'addColumn', table: { name: 'orders' }, name: 'status', type: 'text', nullable: false, default: "'new'" },
    { kind: 'addForeignKey', table: { name: 'orders' }, columns: ['customer_id'], references: { table: { name: 'customers' }, columns: ['id'] } },
    { kind: 'addUnique', table: { name: 'orders' }, columns: ['ref'] },
    { kind: 'setNotNull', table: { name: 'orders' }, column: 'total' },
    { kind: 'addIndex', table: { name: 'orders' }, name: 'orders_big_totals', columns: ['customer_id', 'total'], method: 'btree', where: 'total > 100', include: ['ref'] },
    { kind: 'addCheck', table: { name: 'orders' }, name: 'orders_total_positive', expression: 'total >= 0' },
  ],
};

const endState = `
SELECT
  (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'created_at')
  AND (SELECT count(*) FROM orders WHERE created_at IS NULL) = 0
  AND (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'orders'::regclass AND adnum = (SELECT attnum FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'created_at')) = 'clock_timestamp()'
  AND (SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_created_at_idx'::regclass)
  AND (SELECT bool_and(convalidated) FROM pg_constraint WHERE conrelid = 'orders'::regclass) 
  AND (SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype IN ('c', 'f', 'u')) >= 4
  AND (SELECT convalidated FROM pg_constraint WHERE conrelid = 'orders'::regclass AND conname = 'orders_total_positive')
  AND (SELECT indisvalid AND indpred IS NOT NULL AND indnkeyatts = 2 AND indnatts = 3 FROM pg_index WHERE indexrelid = 'orders_big_totals'::regclass)
  AND (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'total')
  AND (SELECT count(*) FROM orders WHERE status = 'new') = 5000 AS ok`;

// Every server of the matrix: PG 15, 16, 17 and 18.
const servers = testServers();

describe.each(servers)('plan as SQL files on $name', (server) => {
  test('up → end state; downs → the schema as before; up again', async ({ onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const facts = await introspectUrl(db.url);
    const p = await plan(change, { version: facts.major, catalog: facts.catalog });
    const files = renderPlanSqlFiles(p);
    const ups = files.filter((f) => f.name.endsWith('.up.sql'));
    const downs = files.filter((f) => f.name.endsWith('.down.sql')).reverse();
    const client = await db.connect();
    const run = async (f: { name: string; text: string }) => {
      try {
        await client.query(f.text); // one file = one query, as golang-migrate sends it
      } catch (e: any) {
        throw new Error(`${f.name} failed on PostgreSQL ${server.major}: ${e.message}\n${f.text}`);
      }
    };
    const before = (await db.query(fingerprint))[0].f;
    for (const f of ups) await run(f);
    expect((await db.query(endState))[0].ok).toBe(true);
    for (const f of downs) await run(f);
    expect((await db.query(fingerprint))[0].f).toBe(before);
    for (const f of ups) await run(f);
    expect((await db.query(endState))[0].ok).toBe(true);
  });
});
