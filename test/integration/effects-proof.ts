/**
 * Shared by effects.<server>.test.ts. Proves the effects table against real servers: every entry with a proof runs on the fixture schema on
 * PG 15, 16, 17, 18 (and PGlite where meaningful), and the locks it takes (pg_locks), whether it
 * rewrites (relfilenode) and whether it scans every row (pg_stat_xact_user_tables) must match the claim
 * for that server's major. A claim the server contradicts fails here.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { effects, claimFor, proofFixture, proofTables, type EffectEntry, type RelRole, type Claim } from '../../src/dialects/postgres/effects.js';
import { parsePgLockName, strongest, type LockMode } from '../../src/dialects/postgres/locks.js';
import { testServers, freshDatabase, createTemplate, dropDatabase } from '../helpers/db.js';
import { PGLITE_MAJOR } from '../helpers/pglite.js';

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

interface Observation {
  /** Strongest mode per relation name (granted, or waited for). */
  locks: Map<string, LockMode>;
  /** relname → relfilenode changed. */
  rewritten: Set<string>;
  /** relname → seq scans in the transaction (transactional proofs only). */
  scanned?: Set<string>;
  error?: { code: string; message: string };
  /** For statements run outside a transaction: whether Postgres refused them inside one (25001). */
  inTransaction?: 'ran' | 'refused';
}

const watched = (entry: EffectEntry) => [...new Set([...proofTables, ...Object.values(entry.proof!.relations).flat()])];

async function relState(db: Queryable, names: string[]) {
  const r = await db.query(
    `SELECT oid::int AS oid, relname, relfilenode::int AS relfilenode FROM pg_class WHERE relname = ANY($1) AND relnamespace = 'public'::regnamespace`,
    [names],
  );
  return r.rows as { oid: number; relname: string; relfilenode: number }[];
}

async function rewrittenSince(db: Queryable, before: { oid: number; relname: string; relfilenode: number }[]) {
  const after = await db.query(`SELECT oid::int AS oid, relfilenode::int AS relfilenode FROM pg_class WHERE oid = ANY($1)`, [before.map((b) => b.oid)]);
  const now = new Map(after.rows.map((r: any) => [r.oid, r.relfilenode]));
  return new Set(before.filter((b) => b.relfilenode !== 0 && now.has(b.oid) && now.get(b.oid) !== b.relfilenode).map((b) => b.relname));
}

function collectLocks(rows: { relname: string | null; oid: number; mode: string }[], byOid: Map<number, string>): Map<string, LockMode> {
  const out = new Map<string, LockMode>();
  for (const r of rows) {
    const name = byOid.get(r.oid) ?? r.relname;
    const mode = parsePgLockName(r.mode);
    if (!name || !mode) continue;
    const prev = out.get(name);
    out.set(name, prev ? strongest(prev, mode) : mode);
  }
  return out;
}

const lockQuery = (pidExpr: string) =>
  `SELECT l.relation::int AS oid, c.relname, l.mode FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
   WHERE l.pid = ${pidExpr} AND l.locktype = 'relation'`;

/** Rows read by sequential scans so far, per relation (pending stats of this session included). */
async function tuplesRead(db: Queryable, byOid: Map<number, string>): Promise<Map<string, number>> {
  const r = await db.query(`SELECT relid::int AS oid, seq_tup_read::bigint AS n FROM pg_stat_xact_user_tables`);
  return new Map(r.rows.filter((x: any) => byOid.has(x.oid)).map((x: any) => [byOid.get(x.oid)!, Number(x.n)]));
}

/** Row counts of the fixture per connection (setups never change them). */
const rowCounts = new WeakMap<Queryable, Map<string, number>>();

/** Runs a transactional proof in one transaction and observes it from inside. */
async function observeInTransaction(db: Queryable, entry: EffectEntry): Promise<Observation> {
  const proof = entry.proof!;
  if (proof.setup) await db.query(proof.setup);
  const before = await relState(db, watched(entry));
  const byOid = new Map(before.map((b) => [b.oid, b.relname]));
  const rows = rowCounts.get(db) ?? new Map<string, number>();
  if (!rowCounts.has(db)) rowCounts.set(db, rows);
  for (const b of before) {
    if (rows.has(b.relname)) continue;
    const kind = await db.query(`SELECT relkind FROM pg_class WHERE oid = $1`, [b.oid]);
    if (['r', 'm'].includes(kind.rows[0]?.relkind)) rows.set(b.relname, Number((await db.query(`SELECT count(*)::int AS n FROM ${b.relname}`)).rows[0].n));
  }
  await db.query('BEGIN');
  try {
    const readBefore = await tuplesRead(db, byOid);
    try {
      await db.query(proof.sql);
    } catch (err: any) {
      return { locks: new Map(), rewritten: new Set(), error: { code: err.code, message: err.message } };
    }
    const locks = collectLocks((await db.query(lockQuery('pg_backend_pid()') + ' AND l.granted')).rows, byOid);
    const rewritten = await rewrittenSince(db, before);
    const readAfter = await tuplesRead(db, byOid);
    // A full scan: at least as many rows read as the relation had.
    const scanned = new Set(
      [...rows].filter(([name, n]) => n > 0 && (readAfter.get(name) ?? 0) - (readBefore.get(name) ?? 0) >= n).map(([name]) => name),
    );
    return { locks, rewritten, scanned };
  } finally {
    await db.query('ROLLBACK').catch(() => {});
  }
}

/** Blockers that make a non-transactional statement wait mid-way, so its locks can be read from outside. */
function blockerFor(entry: EffectEntry): string {
  const table = entry.proof!.relations.table![0]!;
  if (entry.id === 'vacuum-full' || entry.id === 'drop-index-concurrently') return `LOCK TABLE ${table} IN ACCESS SHARE MODE`;
  // Holds the partition, so the statement waits holding its lock on the parent.
  if (entry.id === 'detach-partition-concurrently') return `LOCK TABLE ${entry.proof!.relations.partition![0]} IN SHARE UPDATE EXCLUSIVE MODE`;
  if (entry.id === 'vacuum') return `LOCK TABLE ${table} IN SHARE UPDATE EXCLUSIVE MODE`;
  if (entry.id === 'cluster-all') return `LOCK TABLE ${table} IN ACCESS SHARE MODE`;
  return `LOCK TABLE ${table} IN ROW EXCLUSIVE MODE`; // CREATE INDEX / REINDEX CONCURRENTLY wait for writers
}

/** Runs a non-transactional proof on connection A while B blocks it; C reads A's locks while A waits. */
async function observeConcurrent(url: string, entry: EffectEntry): Promise<Observation> {
  const proof = entry.proof!;
  const [a, b, c] = [new pg.Client(url), new pg.Client(url), new pg.Client(url)];
  for (const x of [a, b, c]) x.on("error", () => {});
  await Promise.all([a.connect(), b.connect(), c.connect()]);
  try {
    if (proof.setup) await a.query(proof.setup);
    // A claim that the statement cannot run in a transaction block is proved by trying.
    let inTransaction: Observation['inTransaction'];
    await b.query('BEGIN');
    try {
      await b.query(proof.sql);
      inTransaction = 'ran';
    } catch (err: any) {
      inTransaction = err.code === '25001' ? 'refused' : 'ran';
    } finally {
      await b.query('ROLLBACK');
    }
    const before = await relState(c, watched(entry));
    const byOid = new Map(before.map((x) => [x.oid, x.relname]));
    const pid = (await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    await b.query('BEGIN');
    await b.query(blockerFor(entry));
    let error: Observation['error'];
    const running = a.query(proof.sql).catch((err: any) => {
      error = { code: err.code, message: err.message };
    });
    let locks = new Map<string, LockMode>();
    for (let i = 0; i < 400; i++) {
      const waiting = await c.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
      if (waiting.rows[0]?.wait_event_type === 'Lock') {
        locks = collectLocks((await c.query(lockQuery('$1'), [pid])).rows, byOid);
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await b.query('COMMIT');
    await running;
    if (error) return { locks, rewritten: new Set(), error, inTransaction };
    return { locks, rewritten: await rewrittenSince(c, before), inTransaction };
  } finally {
    await Promise.all([a.end(), b.end(), c.end()].map((p) => p.catch(() => {})));
  }
}

function expectMatches(entry: EffectEntry, claim: Claim, seen: Observation, where: string) {
  const proof = entry.proof!;
  const label = `${entry.id} on ${where}`;
  if (claim.failsOnRows) {
    expect(seen.error?.code, `${label}: expected to fail on a table with rows`).toBe('23502');
    return;
  }
  expect(seen.error, `${label}: the proof statement failed`).toBeUndefined();
  // Transactional: a statement observed inside a transaction ran in one; the others must be refused there.
  if (seen.inTransaction) expect(seen.inTransaction, `${label}: inside a transaction block`).toBe(claim.transactional ? 'ran' : 'refused');
  else expect(claim.transactional, `${label}: ran inside a transaction block`).toBe(true);
  // Locks: every relation with a role gets exactly the claimed strongest mode; every other watched
  // table gets nothing above ACCESS SHARE.
  const expected = new Map<string, LockMode | undefined>();
  for (const name of watched(entry)) expected.set(name, undefined);
  for (const lock of claim.locks) for (const name of proof.relations[lock.on] ?? []) expected.set(name, lock.mode);
  const observed: Record<string, string> = {};
  const claimed: Record<string, string> = {};
  for (const [name, mode] of expected) {
    const got = seen.locks.get(name);
    const gotEffective = got === 'AccessShare' && mode === undefined ? undefined : got;
    observed[name] = gotEffective ?? '-';
    claimed[name] = mode ?? '-';
  }
  expect(observed, `${label}: locks ${JSON.stringify(observed)} vs claimed ${JSON.stringify(claimed)}`).toEqual(claimed);
  // Rewrite: the target table's storage.
  const targets = [...(proof.relations.table ?? []), ...(proof.relations.partition ?? [])];
  const rewritten = targets.some((t) => seen.rewritten.has(t));
  expect(rewritten, `${label}: rewrite`).toBe(claim.rewrite);
  // Scan: observable for transactional proofs only.
  if (seen.scanned) {
    const scanRoles: RelRole[] = ['table', 'partition', 'default-partition', 'domain-users'];
    const scanned = scanRoles.flatMap((r) => proof.relations[r] ?? []).some((t) => seen.scanned!.has(t));
    expect(scanned, `${label}: full scan (seq scans seen on: ${[...seen.scanned].join(', ') || 'none'})`).toBe(claim.scan);
  }
}

const proved = effects.filter((e): e is (typeof effects)[number] & { proof: NonNullable<EffectEntry['proof']> } => !!e.proof);

/** Registers one test per effects entry for the named test server (pg15 … pg18). */
export function proveEffectsOn(name: string) {
  // A server this run did not start: a failing test in CI, a loud warning elsewhere (testServers).
  const [server] = testServers([Number(name.replace(/^pg/, ''))]);
  if (!server) return;
  let template: Promise<string> | undefined;
  const entries = proved.filter((e) => claimFor(e.id as any, server.major));
  describe(`effects on PostgreSQL ${server.major}${server.embedded ? ' (embedded)' : ''}`, () => {
    // The template lives on the server past the run otherwise (the PG 15 service is not thrown away).
    afterAll(async () => {
      if (template) await dropDatabase(server, await template);
    });
    test.concurrent.for(entries.map((e) => [e.id, e] as const))('%s', async ([, entry], ctx) => {
      template ??= createTemplate(server, proofFixture);
      const db = await freshDatabase(server, { template: await template, ctx });
      const claim = claimFor(entry.id as any, server.major)!;
      const seen = entry.proof.concurrent ? await observeConcurrent(db.url, entry) : await observeInTransaction(await db.connect(), entry);
      expectMatches(entry, claim, seen, `PostgreSQL ${server.major}`);
    });
  });
}

/** Registers one test per effects entry for PGlite (Postgres 18 in WASM, one connection). */
export function proveEffectsOnPglite() {
  const entries = proved.filter((e) => claimFor(e.id as any, PGLITE_MAJOR) && !e.proof.concurrent && !e.proof.skipPglite);
  let pristine: Promise<PGlite> | undefined;
  const wrappers = new WeakMap<PGlite, Queryable>();
  const wrapped = (db: PGlite): Queryable => {
    if (!wrappers.has(db))
      wrappers.set(db, { query: (sql, params) => (params ? db.query(sql, params as any[]) : db.exec(sql).then((r) => r[r.length - 1] ?? { rows: [] })) as any });
    return wrappers.get(db)!;
  };
  describe('effects on PGlite (Postgres 18 in WASM)', () => {
    // Starting PGlite compiles ~20 MB of WebAssembly: slow on a busy machine, so not a test's time.
    beforeAll(async () => {
      pristine = PGlite.create().then(async (db) => (await db.exec(proofFixture), db));
      await pristine;
    }, 300_000);
    afterAll(async () => (await pristine)?.close());
    test.for(entries.map((e) => [e.id, e] as const))('%s', async ([, entry], ctx) => {
      const base = await pristine!;
      // Every observation rolls back; a proof with a committed setup gets its own copy of the fixture.
      const db = entry.proof.setup ? await base.clone() : base;
      if (db !== base) ctx.onTestFinished(() => (db as PGlite).close());
      const seen = await observeInTransaction(wrapped(db as PGlite), entry);
      expectMatches(entry, claimFor(entry.id as any, PGLITE_MAJOR)!, seen, 'PGlite');
    });
  });
}
