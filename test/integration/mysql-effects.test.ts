/**
 * Proves the MariaDB 10.11 claims of the MySQL/MariaDB effects table (src/dialects/mysql/effects.ts) on
 * the MariaDB service: every proof runs on a fresh copy of the fixture with the statement as written,
 * with explicit ALGORITHM=INSTANT/NOCOPY/INPLACE/COPY and with LOCK=NONE/SHARED; the server's acceptance
 * (its refusal text kept in the failure message) and the table's rebuild (the InnoDB tablespace id
 * before/after) must equal the claim. A wrong claim fails here.
 *
 * One database for the file; each attempt gets its own table names (suffix), so attempts run in parallel
 * over a few connections.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type mysql from 'mysql2/promise';
import { describeMariadb, freshMysqlDatabase, itMariadb, mariadb, type MysqlTestDatabase } from '../helpers/mariadb.js';
import { attempt, probe, type Attempt, type ProbeResult } from '../../src/dialects/mysql/alter-probe.js';
import { bestOf, claimFor, explicitAlgorithm, lockRank, mysqlEffectIds, mysqlEffects, proofFixture, type MyClaim, type MyEffectEntry, type MyProof } from '../../src/dialects/mysql/effects.js';
import { parseVersionText } from '../../src/core/version.js';
import type { Alg, Lock } from '../../src/dialects/mysql/effect.js';

/** Names a proof uses that must be unique per attempt (tables; trigger and foreign key names are per schema). */
const LOCAL = /\b(t|parent|tp|th|tx|t_new|t_renamed|t_bi|fk_pid)\b/g;
let seq = 0;
const localize = (sql: string, k: number) => sql.replace(LOCAL, (m) => `${m}_${k}`);

/** A small pool of connections; each attempt borrows one and leaves the session as it found it. */
class Pool {
  private free: mysql.Connection[] = [];
  private waiting: ((c: mysql.Connection) => void)[] = [];
  constructor(conns: mysql.Connection[]) {
    this.free = conns;
  }
  async use<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
    const c = this.free.pop() ?? (await new Promise<mysql.Connection>((r) => this.waiting.push(r)));
    try {
      return await fn(c);
    } finally {
      await c.query('SET SESSION sql_mode = DEFAULT, foreign_key_checks = 1').catch(() => {});
      const next = this.waiting.shift();
      if (next) next(c);
      else this.free.push(c);
    }
  }
}

/** The fixture, without the parent table unless the proof names it (fewer statements per attempt). */
const fixtureFor = (p: MyProof): string[] => (/\bparent\b/.test([p.statement, ...(p.setup ?? [])].join(' ')) ? proofFixture : proofFixture.filter((s) => !/\bparent\b/.test(s)));

let db: MysqlTestDatabase;
let pool: Pool;

async function runProof(p: MyProof): Promise<ProbeResult> {
  const run = (clause: string): Promise<Attempt> =>
    pool.use(async (c) => {
      const k = ++seq;
      const q = async (sql: string) => (await c.query(sql))[0] as any[];
      return attempt(
        q,
        {
          setup: [...(p.noFixture ? [] : fixtureFor(p)), ...(p.setup ?? [])].map((s) => localize(s, k)),
          session: p.session ?? [],
          statement: localize(p.statement, k),
          place: p.place,
          schema: db.name,
          table: localize(p.table ?? 't', k),
          ...(p.tableAfter ? { tableAfter: localize(p.tableAfter, k) } : {}),
          flavor: 'mariadb',
        },
        clause,
      );
    });
  return probe(run, 'mariadb', p.place);
}

const ALGS: Alg[] = ['instant', 'nocopy', 'inplace', 'copy'];

/** What the claim says the server does, in the shape the probe observes. */
function predicted(claim: MyClaim, place: MyProof['place']) {
  const best = bestOf(claim);
  const accepts = Object.fromEntries(ALGS.map((a) => [a, !!explicitAlgorithm(claim, 'mariadb', a)])) as Record<Alg, boolean>;
  const locks = Object.values(claim.algorithms) as Lock[];
  const least = locks.sort((a, b) => lockRank(a) - lockRank(b))[0];
  return place === 'none' ? { rebuild: claim.rebuild } : { best: best?.algorithm, accepts, leastLock: least, rebuild: claim.rebuild };
}

function observed(r: ProbeResult, place: MyProof['place']) {
  if (place === 'none') return { rebuild: r.plain.rebuilt ?? false };
  return { best: r.bestAlgorithm, accepts: Object.fromEntries(ALGS.map((a) => [a, !!r.algorithms[a]?.ok])) as Record<Alg, boolean>, leastLock: r.leastLock, rebuild: r.plain.rebuilt ?? false };
}

/** The server's words for every refused attempt, for the failure message. */
function refusals(r: ProbeResult): string[] {
  return [r.plain, ...Object.values(r.algorithms), ...Object.values(r.locks)].filter((a): a is Attempt => !!a && !a.ok).map((a) => `${a.clause || '(as written)'}: ${a.error}`);
}

const server = parseVersionText(mariadb.version ?? '10.11', 'mariadb')!;
const proofs = mysqlEffectIds.flatMap((id) => ((mysqlEffects[id] as MyEffectEntry).proofs ?? []).map((p) => ({ id, p })));

describeMariadb(
  'MySQL/MariaDB effects table, proven on the MariaDB service',
  () => {
  beforeAll(async () => {
    db = await freshMysqlDatabase({ keep: true, prefix: 'lockstep_myeff' });
    pool = new Pool(await Promise.all([0, 1, 2, 3, 4, 5].map(() => db.connect())));
  });
  afterAll(async () => {
    await db?.drop();
  });

  itMariadb('runs on MariaDB 10.11', () => {
    expect(server.major).toBe(10);
    expect(server.minor).toBe(11);
  });

  itMariadb('every entry has a MariaDB proof or says why not', () => {
    for (const id of mysqlEffectIds) {
      const e = mysqlEffects[id] as MyEffectEntry;
      expect(e.id).toBe(id);
      expect((e.proofs?.length ?? 0) > 0 || !!e.unproven, `${id}: no proof and no reason`).toBe(true);
    }
  });

  itMariadb('lock_wait_timeout defaults to one day on the service (MySQL: one year, documented)', async () => {
    const [row] = await db.query<{ g: string; s: string }>('SELECT @@GLOBAL.lock_wait_timeout AS g, @@SESSION.lock_wait_timeout AS s');
    expect(Number(row!.g)).toBe(86_400);
    expect(Number(row!.s)).toBe(86_400);
  });

  itMariadb('an INSTANT ALTER waits for the metadata lock behind an open transaction, and queues later readers behind itself', async () => {
    const k = ++seq;
    const t = `mdl_${k}`;
    await db.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, a INT)`);
    await db.query(`INSERT INTO ${t} VALUES (1, 1)`);
    const [reader, alterer, later] = await Promise.all([db.connect(), db.connect(), db.connect()]);
    await reader.query('BEGIN');
    await reader.query(`SELECT * FROM ${t}`);
    // 1. With a short lock_wait_timeout the ALTER gives up (ER_LOCK_WAIT_TIMEOUT) instead of running.
    await alterer.query('SET SESSION lock_wait_timeout = 1');
    const err = await alterer.query(`ALTER TABLE ${t} ADD COLUMN b INT, ALGORITHM=INSTANT`).then(() => undefined, (e: any) => e);
    expect(err?.errno, String(err?.message)).toBe(1205);
    expect(String(err.message)).toMatch(/Lock wait timeout exceeded/);
    // 2. A waiting ALTER makes a later plain SELECT wait too (the pending exclusive request queues ahead of it).
    await alterer.query('SET SESSION lock_wait_timeout = 60');
    const [{ id: alterId }] = (await alterer.query('SELECT CONNECTION_ID() AS id'))[0] as any[];
    const pending = alterer.query(`ALTER TABLE ${t} ADD COLUMN b INT, ALGORITHM=INSTANT`);
    let state = '';
    for (let i = 0; i < 500 && state !== 'Waiting for table metadata lock'; i++) {
      const rows = (await later.query('SELECT STATE AS s FROM information_schema.PROCESSLIST WHERE ID = ?', [alterId]))[0] as any[];
      state = String(rows[0]?.s ?? '');
    }
    expect(state).toBe('Waiting for table metadata lock');
    await later.query('SET SESSION lock_wait_timeout = 1');
    const blocked = await later.query(`SELECT * FROM ${t}`).then(() => undefined, (e: any) => e);
    expect(blocked?.errno, 'a SELECT after the waiting ALTER waits for it').toBe(1205);
    // 3. The reader ends its transaction: the ALTER runs.
    await reader.query('COMMIT');
    await pending;
    const cols = await db.query(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [t]);
    expect(cols.map((c: any) => c.c)).toEqual(['id', 'a', 'b']);
  });

  for (const { id, p } of proofs) {
    itMariadb(`${id}${p.title ? ` (${p.title})` : ''}: ${p.statement}`, async () => {
      const claim = claimFor(id, server, p.when ?? {});
      expect(claim, `${id}: no MariaDB ${server.major}.${server.minor} claim`).toBeDefined();
      const r = await runProof(p);
      expect(r.plain.ok, `the statement as written failed: ${r.plain.error}`).toBe(true);
      const want: Record<string, unknown> = predicted(claim!, p.place);
      const got: Record<string, unknown> = observed(r, p.place);
      if (p.rebuildUnobservable) delete want.rebuild, delete got.rebuild;
      // EXCHANGE PARTITION swaps tablespaces: the id changes although no row is copied.
      if (p.swapsTablespaces) expect(claim!.rebuild).toBe(false), (want.rebuild = true);
      expect(got, `claim ${JSON.stringify(want)}\nserver ${JSON.stringify(got)}\nserver said:\n  ${refusals(r).join('\n  ')}\n`).toEqual(want);
      if (!p.statement.startsWith('CREATE TABLE') && !p.statement.startsWith('DROP TABLE') && !p.rebuildUnobservable) expect(r.plain.existed, 'the observed table exists before and after').toEqual({ before: true, after: true });
      if (p.rejectsClauses) {
        // The server has no ALGORITHM/LOCK clause for this statement: written either way, it is a syntax error.
        for (const place of ['alter', 'index'] as const) {
          const a = await pool.use(async (c) => {
            const k = ++seq;
            const q = async (sql: string) => (await c.query(sql))[0] as any[];
            const setup = [...(p.noFixture ? [] : fixtureFor(p)), ...(p.setup ?? [])].map((x) => localize(x, k));
            return attempt(q, { setup, statement: localize(p.statement, k), place, schema: db.name, table: localize(p.table ?? 't', k) }, 'ALGORITHM=INPLACE');
          });
          expect(a.errno, `${place}: ${a.error}`).toBe(1064);
        }
      }
      // The refusal of ALGORITHM=INSTANT names the algorithm the server needs ("Try ALGORITHM=COPY"), or NOCOPY/INPLACE.
      const inst = r.algorithms.instant;
      if (inst && !inst.ok && /Try ALGORITHM=(\w+)/.test(inst.error ?? '')) {
        const named = /Try ALGORITHM=(\w+)/.exec(inst.error!)![1]!.toLowerCase() as Alg;
        expect(ALGS.indexOf(named)).toBeGreaterThanOrEqual(ALGS.indexOf(want.best as Alg));
      }
    });
  }
},
  { concurrent: true },
);
