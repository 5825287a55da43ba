/**
 * rehearse end to end: a change spec and a SQL migration pair on PGlite and on PG 15 (a scratch
 * database on the server), a broken down caught with its diff, a directory of twelve migrations in
 * order, a failing up with its code frame, and the sandbox always removed.
 */
import { describe, expect, test, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pg15Server, freshDatabase, serverUrl } from '../helpers/db.js';
import { rehearse } from '../../src/rehearse/rehearse.js';
import { readMigrations } from '../../src/parse/layouts/index.js';
import type { Change } from '../../src/operations/types.js';

// PGlite instances and 100k-row loads: 25-35 s a test on 2 cores in a parallel run, past 60 s when the
// machine is busy. A generous limit keeps a slow machine from failing them; no timing is asserted.
vi.setConfig({ testTimeout: 180_000 });

const pg15 = pg15Server();
const fixtures = fileURLToPath(new URL('../fixtures/rehearse/', import.meta.url));

const schema = `
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total_cents bigint NOT NULL CHECK (total_cents >= 0));
INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 500) g;
INSERT INTO orders (customer_id, total_cents) SELECT 1 + g % 500, g * 7 % 10000 FROM generate_series(1, 5000) g;
`;

const change: Change = {
  name: 'orders-created-at',
  operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'timestamptz', nullable: false, default: 'now()', backfill: "'2020-01-01'::timestamptz + id * interval '1 minute'", index: true }],
};

/**
 * Whether the temporary database this rehearsal made on the PG 15 server (named in its sandbox
 * description) is still there. Only that one: other tests make and drop theirs in parallel.
 */
async function leftBehind(r: { sandbox: { kind: string; description: string } }): Promise<boolean> {
  if (r.sandbox.kind !== 'server') return false;
  const name = /temporary database (lockstep_rehearse_[0-9a-f]+)/.exec(r.sandbox.description)?.[1];
  expect(name, r.sandbox.description).toBeDefined();
  const c = new pg.Client(pg15.url);
  await c.connect();
  try {
    return (await c.query(`SELECT FROM pg_database WHERE datname = $1`, [name])).rowCount! > 0;
  } finally {
    await c.end();
  }
}

function migrationDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-rehearse-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const sandboxes = [
  { name: 'PGlite', sandbox: () => 'pglite', orders: 5000 },
  // More rows on the server, so the CONCURRENTLY build lasts long enough for the lock watcher to see it.
  { name: 'PG 15', sandbox: () => serverUrl(pg15, 'postgres'), orders: 100_000 },
];

describe.each(sandboxes)('rehearse on $name', ({ sandbox, orders }) => {
  test('a change spec: up, end state, down restores schema and data, up again', async () => {
    const r = await rehearse({ kind: 'change', change }, { sandbox: sandbox(), schemaSql: schema.replace('generate_series(1, 5000)', `generate_series(1, ${orders})`) });
    const failed = r.checks.filter((c) => !c.ok);
    expect(failed).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual(['up-runs', 'end-state', 'queries-run', 'down-restores-schema', 'down-keeps-data', 'up-again', 'claims-hold']);
    // Every pass traced; the instant ADD COLUMN held ACCESS EXCLUSIVE on orders and rewrote nothing.
    expect(new Set(r.steps.map((s) => s.pass))).toEqual(new Set(['up', 'down', 'up-again']));
    const add = r.steps.find((s) => s.pass === 'up' && s.id.endsWith('add-column'))!;
    expect(add.locks).toContainEqual(expect.objectContaining({ relation: 'orders', mode: 'ACCESS EXCLUSIVE' }));
    expect(add.rewrites).toEqual([]);
    expect(add.claim?.agrees).toBe(true);
    expect(r.checks.find((c) => c.name === 'end-state')!.detail).toMatch(/index orders_created_at_idx is used by/);
    // The workload was timed before and after.
    expect(r.queries.map((q) => q.name)).toEqual(expect.arrayContaining(['primary-key lookup on orders', 'count of orders']));
    for (const q of r.queries) expect(q.before.p50).toBeGreaterThan(0);
    if (r.sandbox.kind === 'server') {
      // A real server: the CONCURRENTLY build was watched from a second session, and a probe measured stalls.
      const idx = r.steps.find((s) => s.pass === 'up' && s.id.endsWith('create-index'))!;
      expect(idx.observed).toBe('watcher');
      expect(idx.locks).toContainEqual(expect.objectContaining({ relation: 'orders', mode: 'SHARE UPDATE EXCLUSIVE' }));
      expect(add.stallMs).not.toBeNull();
    } else expect(add.stallMs).toBeNull();
    expect(await leftBehind(r)).toBe(false);
  });

  test('a SQL migration with its down: green, each statement traced', async () => {
    const dir = migrationDir({
      '001_orders_created_at.sql': `-- migrate:up
ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();
ALTER TABLE orders ADD CONSTRAINT orders_created_at_recent CHECK (created_at > '2000-01-01') NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_created_at_recent;
-- migrate:down
ALTER TABLE orders DROP COLUMN created_at;
`,
    });
    const { migrations } = await readMigrations([dir]);
    const r = await rehearse({ kind: 'migrations', name: dir, migrations }, { sandbox: sandbox(), schemaSql: schema });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const up = r.steps.filter((s) => s.pass === 'up');
    expect(up.map((s) => s.id)).toEqual(['001_orders_created_at#1', '001_orders_created_at#2', '001_orders_created_at#3']);
    // In the migration's one transaction: the VALIDATE's own lock is SHARE UPDATE EXCLUSIVE; all are held to the commit.
    expect(up[2]!.locks).toContainEqual(expect.objectContaining({ relation: 'orders', mode: 'SHARE UPDATE EXCLUSIVE' }));
    expect(up[0]!.locks[0]!.heldMs).toBeGreaterThanOrEqual(up[0]!.durationMs);
    expect(r.queries.length).toBeGreaterThan(0);
  });

  test('a SQL migration with a down that does not restore the schema: a failing check with the diff', async () => {
    const dir = migrationDir({
      '001_orders_created_at.sql': `-- migrate:up
ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();
CREATE INDEX orders_created_at_idx ON orders (created_at);
-- migrate:down
ALTER TABLE orders DROP COLUMN created_at;
ALTER TABLE orders ALTER COLUMN total_cents SET DEFAULT 0;
`,
    });
    const { migrations } = await readMigrations([dir]);
    const r = await rehearse({ kind: 'migrations', name: dir, migrations }, { sandbox: sandbox(), schemaSql: schema });
    expect(r.ok).toBe(false);
    const c = r.checks.find((x) => !x.ok)!;
    expect(c.name).toBe('down-restores-schema: 001_orders_created_at');
    expect(c.diff!.some((l) => l.startsWith('-') && l.includes('total_cents'))).toBe(true);
    expect(c.diff!.some((l) => l.startsWith('+') && l.includes('total_cents') && l.includes('0'))).toBe(true);
  });

  test('a migration whose up fails: the statement, the server error with its position, a code frame; nothing left behind', async () => {
    const dir = migrationDir({
      '001_bad.sql': `-- migrate:up
ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders ADD COLUMN qty integer DEFAULT 'many';
-- migrate:down
ALTER TABLE orders DROP COLUMN note;
`,
    });
    const { migrations } = await readMigrations([dir]);
    const r = await rehearse({ kind: 'migrations', name: dir, migrations }, { sandbox: sandbox(), schemaSql: schema });
    expect(r.ok).toBe(false);
    const failed = r.checks.find((x) => !x.ok)!;
    expect(failed.name).toBe('up-runs: 001_bad');
    expect(failed.detail).toMatch(/statement 2: invalid input syntax for type integer: "many"/);
    const step = r.steps.find((s) => s.error)!;
    expect(step.error!.codeFrame).toMatch(/001_bad\.sql:3:\d+/);
    expect(step.error!.codeFrame).toContain("> ");
    expect(await leftBehind(r)).toBe(false);
  });
});

test('a directory of twelve migrations rehearsed in order on PGlite, with rows in the tables they create', async () => {
  const { migrations } = await readMigrations([join(fixtures, 'migrations')]);
  expect(migrations.length).toBe(12);
  const r = await rehearse({ kind: 'migrations', name: 'migrations', migrations }, { sandbox: 'pglite', rows: 300 });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  // Up, down and up again for every migration, in order.
  const groups = [...new Set(r.steps.map((s) => s.group))];
  expect(groups[0]).toBe('001_create_customers (up)');
  expect(groups).toContain('012_orders_customer_fk_index_partial (up again)');
  expect(r.data.map((d) => d.table)).toEqual(expect.arrayContaining(['customers', 'products', 'orders', 'order_items']));
});

test('a sandbox on the same server as the source is refused unless allowed', async ({ onTestFinished }) => {
  const source = await freshDatabase(pg15, { ctx: { onTestFinished } });
  await source.query(schema + 'ANALYZE;');
  await expect(rehearse({ kind: 'change', change }, { sandbox: serverUrl(pg15, 'postgres'), sourceUrl: source.url })).rejects.toThrow(/same server as the source/);
});

describe('a source database (read-only) on PG 15, rehearsed in PGlite', () => {
  test('schema copied, rows synthesized from its statistics; the source is not written', async ({ onTestFinished }) => {
    const source = await freshDatabase(pg15, { ctx: { onTestFinished } });
    await source.query(schema + 'ANALYZE;');
    const before = await source.query(`SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::int AS w FROM pg_stat_user_tables`);
    const r = await rehearse({ kind: 'change', change }, { sourceUrl: source.url, rows: 2000 });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.source).toEqual({ url: source.url, major: 15 });
    expect(r.sandbox.targetMajor).toBe(15);
    expect(r.versionNotes.length).toBeGreaterThan(0); // PGlite is 18, the target 15
    // The plan rehearsed is the one apply would make for PG 15 (the CHECK recipe, not 18's NOT NULL NOT VALID).
    expect(r.steps.filter((s) => s.pass === 'up').map((s) => s.id)).toContain('1.add-not-null-check');
    expect(r.data).toEqual(expect.arrayContaining([{ table: 'orders', rows: 2000, requested: 2000, how: 'synthetic-stats' }, { table: 'customers', rows: 2000, requested: 2000, how: 'synthetic-stats' }]));
    // Nothing was written to the source, and no lockstep ledger appeared there.
    expect(await source.query(`SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::int AS w FROM pg_stat_user_tables`)).toEqual(before);
    expect((await source.query(`SELECT to_regnamespace('lockstep') IS NULL AS none`))[0].none).toBe(true);
  });

  test('a SQL migration with --db: the tables it names are copied from the source', async ({ onTestFinished }) => {
    const source = await freshDatabase(pg15, { ctx: { onTestFinished } });
    await source.query(schema + 'ANALYZE;');
    const dir = migrationDir({ '001_note.sql': '-- migrate:up\nALTER TABLE orders ADD COLUMN note text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN note;\n' });
    const { migrations } = await readMigrations([dir]);
    const r = await rehearse({ kind: 'migrations', name: dir, migrations }, { sourceUrl: source.url, rows: 500 });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.data).toEqual(expect.arrayContaining([{ table: 'orders', rows: 500, requested: 500, how: 'synthetic-stats' }]));
  });

  test('--sample copies a share of the real rows, parents included', async ({ onTestFinished }) => {
    const source = await freshDatabase(pg15, { ctx: { onTestFinished } });
    await source.query(schema + 'ANALYZE;');
    const r = await rehearse({ kind: 'change', change }, { sourceUrl: source.url, samplePercent: 20 });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const orders = r.data.find((d) => d.table === 'orders')!;
    expect(orders.how).toBe('sample');
    expect(orders.rows).toBeGreaterThan(200);
    expect(orders.rows).toBeLessThan(5000);
  });
});

describe('rehearse: what the review found', () => {
  test('a schema-qualified table, a NOT VALID constraint that was there before, a workload that writes: all pass', async () => {
    const legacy = schema + `ALTER TABLE orders ADD CONSTRAINT orders_small CHECK (total_cents < 1000000) NOT VALID;`;
    const qualified: Change = { name: 'q', operations: [{ kind: 'addColumn', table: { schema: 'public', name: 'orders' }, name: 'note', type: 'text', nullable: true }] };
    const workload = { path: 'w.sql', text: `SELECT * FROM orders WHERE id = $1;\nUPDATE orders SET total_cents = total_cents + 1 WHERE id = $1;\nSELECT count(*) FROM orders WHERE note IS NULL;` };
    const r = await rehearse({ kind: 'change', change: qualified }, { schemaSql: legacy, workload });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    // The query on the new column ran after the change only; the two others were timed before and after.
    expect(r.queries.map((q) => q.name)).toEqual(['workload #1', 'workload #2']);
  });

  test('a rewrite on a real server: the probe sees the whole stall, not one lock_timeout', async () => {
    const dir = migrationDir({
      // (total_cents would not do: its CHECK comes back as ((total_cents)::numeric >= (0)::numeric) after
      // the round trip, and the rehearsal rightly says the down does not restore the schema.)
      '001_weight_bigint.sql': `-- migrate:up\nALTER TABLE orders ALTER COLUMN weight TYPE bigint;\n-- migrate:down\nALTER TABLE orders ALTER COLUMN weight TYPE integer;\n`,
    });
    const { migrations } = await readMigrations([dir]);
    const r = await rehearse({ kind: 'migrations', name: dir, migrations }, { sandbox: serverUrl(pg15, 'postgres'), schemaSql: schema.replace('generate_series(1, 5000)', 'generate_series(1, 300000)') + 'ALTER TABLE orders ADD COLUMN weight integer DEFAULT 1;' });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    const up = r.steps.find((s) => s.pass === 'up')!;
    expect(up.rewrites).toEqual(['orders']);
    expect(up.claim?.agrees).toBe(true);
    // The probe waited behind ACCESS EXCLUSIVE for most of the step.
    expect(up.stallMs!).toBeGreaterThan(up.durationMs * 0.5);
  });
});
