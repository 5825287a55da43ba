/**
 * The backfill on PG 15: the batch SQL the plan shows is the SQL apply runs, and a backfill whose
 * expression is NULL for some rows ends (the batches walk the key, they do not pick "rows still NULL"),
 * both as apply runs it and as the plan's PL/pgSQL block (`plan --format sql`) runs it.
 */
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import { testServers, freshDatabase } from '../helpers/db.js';
import { apply } from '../../src/apply/apply.js';
import { introspectUrl } from '../../src/dialects/postgres/introspect.js';
import { plan } from '../../src/plan/planner.js';
import { renderPlanSqlFiles } from '../../src/report/plan.js';
import { backfillBatchStatement } from '../../src/dialects/postgres/backfill.js';
import type { Change } from '../../src/operations/types.js';

const servers = testServers().filter((s) => s.major === 15);
const fast = { guard: { baseDelayMs: 20, maxDelayMs: 200, deadlineMs: 30_000 }, replicaWaitMs: 0, snapshot: false };

// Every third row has no value for the expression: NULL stays NULL there, and the backfill must end.
const nullForSome = `CASE WHEN n % 3 = 0 THEN NULL ELSE n * 2 END`;
const schema = `
CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL);
INSERT INTO items SELECT g, g FROM generate_series(1, 3000) g;
CREATE TABLE pairs (a int, b text, n int NOT NULL, PRIMARY KEY (a, b));
INSERT INTO pairs SELECT g % 7, 'k' || g, g FROM generate_series(1, 3000) g;
ANALYZE;`;

const change = (table: string): Change => ({
  name: `fill-${table}`,
  operations: [{ kind: 'addColumn', table: { name: table }, name: 'twice', type: 'int', nullable: true, backfill: nullForSome }],
});

const counts = (table: string) => `SELECT count(*) FILTER (WHERE twice IS NULL)::int AS nulls, count(*) FILTER (WHERE twice = n * 2)::int AS filled FROM ${table}`;

describe.each(servers)('backfill on $name', (server) => {
  test.for(['items', 'pairs'])('apply: an expression NULL for some rows of %s ends, in many batches, and fills the rest', async (table, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const r = await apply(change(table), { url: db.url, ...fast, backfill: { initialBatch: 100, minBatch: 100, maxBatch: 100 } });
    const [c] = await db.query(counts(table));
    expect(c).toEqual({ nulls: 1000, filled: 2000 });
    expect(r.backfills).toHaveLength(1);
    expect(r.backfills[0]).toMatchObject({ step: '1.backfill', rows: 3000 });
    expect(r.backfills[0]!.batches).toBeGreaterThanOrEqual(30);
    expect(r.backfills[0]!.rowsPerSecond).toBeGreaterThan(0);
    // The step's SQL, as the plan shows it, is the statement the backfill ran.
    const step = r.plan.phases.flatMap((p) => p.steps).find((s) => s.backfill)!;
    expect(step.up).toBe(backfillBatchStatement(step.backfill!));
    const [{ n }] = await db.query(`SELECT batches AS n FROM lockstep.backfills`);
    expect(n).toBe(r.backfills[0]!.batches);
  });

  test.for(['items', 'pairs'])("the plan's SQL block for %s, run as is, ends with the same result", async (table, { onTestFinished }) => {
    const db = await freshDatabase(server, { ctx: { onTestFinished } });
    await db.query(schema);
    const facts = await introspectUrl(db.url);
    const p = await plan(change(table), { version: facts.major, catalog: facts.catalog });
    const files = renderPlanSqlFiles(p);
    const step = p.phases.flatMap((x) => x.steps).find((s) => s.backfill)!;
    const up = files.find((f) => f.name.includes('backfill') && f.name.endsWith('.up.sql'))!;
    // The block holds the same batch UPDATE, with its variables for the bounds.
    expect(up.text).toMatch(/UPDATE (items|pairs) SET twice = CASE WHEN n % 3 = 0 THEN NULL ELSE n \* 2 END WHERE .* >= .*lockstep_lo_1.* AND .* <= .*lockstep_hi_1.* AND twice IS NULL;/);
    expect(step.up).toMatch(/>= \(?\$1/);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (const f of files.filter((x) => x.name.endsWith('.up.sql'))) await c.query(f.text);
    } finally {
      await c.end();
    }
    const [r] = await db.query(counts(table));
    expect(r).toEqual({ nulls: 1000, filled: 2000 });
  });
});
