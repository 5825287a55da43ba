/**
 * Tracing what each step does in the sandbox, and comparing it with what the effects table claimed:
 *  - locks: from pg_locks of the step's own session, inside its transaction after its SQL (every lock a
 *    statement takes is held to the end of its transaction); on a real-server sandbox, steps outside a
 *    transaction (CONCURRENTLY, the backfill) are watched from a second session instead;
 *  - rewrites: relfilenode of every user table before and after;
 *  - stalls (real servers only): a probe session runs a read and a write on the step's table in a loop
 *    (rolled back, so the data does not change) and the longest gap between its completions is the stall.
 */
import { isStronger, parsePgLockName, sqlLockName, strongest, type LockMode } from '../dialects/postgres/locks.js';
import type { QualifiedName } from '../core/types.js';
import { Catalog } from '../dialects/postgres/catalog.js';
import { classify } from '../dialects/postgres/classify.js';
import { introspect } from '../dialects/postgres/introspect.js';
import { quoteIdent, sqlName } from '../dialects/postgres/names.js';
import { parsePostgres } from '../dialects/postgres/parser.js';
import type { Db } from '../apply/db.js';
import type { StepHooks } from '../apply/apply.js';
import type { Step } from '../plan/types.js';
import type { Sandbox, SandboxDb } from './sandbox.js';
import type { Pass, StepTrace } from './types.js';

const userRelation = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'lockstep') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

/** `schema.name` as lockstep prints it (public left out). */
export function display(schema: string, name: string): string {
  return sqlName(schema === 'public' ? { name } : { schema, name });
}

/** User tables and indexes by oid: their name and storage file (a rewrite changes the file). */
export async function relations(db: Db): Promise<Map<number, { name: string; file: number; kind: string }>> {
  const r = await db.query(
    `SELECT c.oid::int AS oid, n.nspname AS s, c.relname AS r, c.relkind AS k, pg_relation_filenode(c.oid) AS f FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm', 'p', 'i', 'I', 'S') AND ${userRelation}`,
  );
  return new Map(r.rows.map((x: any) => [Number(x.oid), { name: display(x.s, x.r), file: Number(x.f), kind: x.k }]));
}

/**
 * Relation locks a session holds on user relations, as "relation<TAB>mode" pairs (pg_locks has a row per
 * mode held). Relations are named from `known` (taken before the step: a relation renamed or dropped
 * by it keeps the name it had), others as they are named now.
 */
async function lockPairs(db: Db, pid: number | 'self', known: Map<number, { name: string }>): Promise<Set<string>> {
  const r = await db.query(
    `SELECT n.nspname AS s, c.relname AS r, l.relation::int AS oid, l.mode FROM pg_locks l
     LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE l.locktype = 'relation' AND l.granted AND l.pid = ${pid === 'self' ? 'pg_backend_pid()' : '$1'} AND l.relation >= 16384
       AND (c.oid IS NULL OR (${userRelation}))`,
    pid === 'self' ? [] : [pid],
  );
  const out = new Set<string>();
  for (const x of r.rows as any[]) {
    const mode = parsePgLockName(x.mode);
    if (!mode) continue;
    // By the name it had when the step started: a step that renames the table (ALTER TABLE … RENAME TO)
    // holds its lock on the relation the statement named, and that is the name the claim uses.
    const rel = known.get(Number(x.oid))?.name ?? (x.s ? display(x.s, x.r) : undefined);
    if (rel) out.add(`${rel}\t${mode}`);
  }
  return out;
}

/** Strongest mode per relation of a set of pairs. */
function strongestPer(pairs: Iterable<string>): Map<string, LockMode> {
  const out = new Map<string, LockMode>();
  for (const p of pairs) {
    const [rel, mode] = p.split('\t') as [string, LockMode];
    const prev = out.get(rel);
    out.set(rel, prev ? strongest(prev, mode) : mode);
  }
  return out;
}

/** What the effects table says this SQL locks and rewrites, given the schema as it is now. */
function claimOf(sql: string, catalog: Catalog, version: number): { locks: { relation: string; mode: LockMode; name?: QualifiedName; late?: LockMode }[]; rewrite: boolean; rewriteTables: string[]; known: boolean } {
  const locks = new Map<string, LockMode>();
  const names = new Map<string, QualifiedName>();
  const late = new Map<string, LockMode>();
  let rewrite = false;
  let known = true;
  const rewriteTables: string[] = [];
  for (const s of parsePostgres(sql).statements) {
    const e = classify(s, { version, catalog });
    if (!e.parts.length && !['SelectStmt', 'VariableSetStmt', 'TransactionStmt'].includes(s.kind)) known = false;
    for (const l of e.locks) {
      const k = sqlName(l.relation);
      names.set(k, l.relation);
      const prev = locks.get(k);
      locks.set(k, prev ? strongest(prev, l.mode) : l.mode);
    }
    for (const p of e.parts)
      for (const l of p.claim?.lateLocks ?? [])
        for (const r of p.relations[l.on] ?? []) {
          const k = sqlName(r);
          const prev = late.get(k);
          late.set(k, prev ? strongest(prev, l.mode) : l.mode);
        }
    if (e.rewrite) {
      rewrite = true;
      for (const p of e.parts) if (p.claim?.rewrite) for (const t of p.relations.table ?? []) rewriteTables.push(sqlName(t as QualifiedName));
    }
    catalog.apply(s, 'plan');
  }
  return { locks: [...locks].map(([relation, mode]) => ({ relation, mode, name: names.get(relation)!, ...(late.has(relation) ? { late: late.get(relation)! } : {}) })), rewrite, rewriteTables, known };
}

/**
 * A claimed relation named the way pg_locks rows are shown (`orders`, `shop.items`): resolved through
 * the search_path when it exists; a relation the statement creates is taken as written (public left out).
 */
async function canonical(db: Db, q: QualifiedName): Promise<string> {
  const r = await db.query(`SELECT n.nspname AS s, c.relname AS r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`, [sqlName(q)]).catch(() => ({ rows: [] as any[] }));
  const x = r.rows[0];
  return x ? display(x.s, x.r) : display(q.schema ?? 'public', q.name);
}

export interface TracerOptions {
  sandbox: Sandbox;
  /** ms origin of the timeline (the start of the up pass). */
  origin: number;
  onTrace: (t: StepTrace) => void;
}

/**
 * Step hooks for apply/rollback (change specs), and `traceStatement` for SQL migrations. One tracer per
 * pass; it keeps a catalog of the sandbox to ask the effects table about each step as the schema is then.
 */
export class Tracer {
  private catalog = new Catalog();
  private version: number;
  private pass: Pass = 'up';
  private group = '';
  private current?: {
    t0: number;
    rels: Map<number, { name: string; file: number; kind: string }>;
    /** Lock pairs the session held before the step (a migration's earlier statements). */
    held: Set<string>;
    pairs: Set<string>;
    observed: 'in-transaction' | 'watcher' | 'none';
    watcher?: Watcher;
    probe?: Probe;
    claim: ReturnType<typeof claimOf>;
  };

  constructor(private o: TracerOptions) {
    this.version = o.sandbox.info.major;
  }

  /** The timeline's origin (ms since the epoch). */
  get origin(): number {
    return this.o.origin;
  }

  /** Re-reads the sandbox's schema (at the start of a pass). */
  async begin(pass: Pass, group = ''): Promise<void> {
    this.pass = pass;
    this.group = group;
    this.catalog = (await introspect(this.o.sandbox.db)).catalog;
  }

  setGroup(group: string): void {
    this.group = group;
  }

  /** Hooks for apply()/rollback(). */
  hooks(): StepHooks {
    return {
      before: async (_db, step) => this.start(step.backfill ? `-- backfill ${sqlName(step.backfill.table)}.${quoteIdent(step.backfill.column)} in batches\n${step.up}` : step.up, { transactional: step.transactional && !step.backfill, table: tableOf(step), claim: !step.backfill }),
      inTransaction: async (db) => this.sampleOwnLocks(db),
      after: async (_db, step) => void (await this.finish(step.id, step.phase)),
    };
  }

  async start(sql: string, how: { transactional: boolean; table?: string; claim?: boolean }): Promise<void> {
    const sb = this.o.sandbox;
    const claim = how.claim === false ? { locks: [], rewrite: false, rewriteTables: [], known: false } : claimOf(sql, this.catalog, this.version);
    for (const l of claim.locks) if (l.name) l.relation = await canonical(sb.db, l.name);
    const rels = await relations(sb.db);
    const held = how.transactional ? await lockPairs(sb.db, 'self', rels) : new Set<string>();
    let watcher: Watcher | undefined;
    let probe: Probe | undefined;
    if (sb.connect) {
      if (!how.transactional) watcher = await Watcher.start(await sb.connect(), sb.db.pid, rels);
      if (how.table) probe = await Probe.start(await sb.connect(), how.table);
    }
    this.current = { t0: Date.now(), rels, held, pairs: new Set(), observed: how.transactional ? 'in-transaction' : watcher ? 'watcher' : 'none', ...(watcher ? { watcher } : {}), ...(probe ? { probe } : {}), claim };
    (this.current as any).sql = sql;
  }

  async sampleOwnLocks(db: Db): Promise<void> {
    const c = this.current;
    if (!c) return;
    for (const p of await lockPairs(db, 'self', c.rels)) if (!c.held.has(p)) c.pairs.add(p);
  }

  async finish(id: string, group?: string, error?: StepTrace['error']): Promise<StepTrace | undefined> {
    const c = this.current;
    if (!c) return undefined;
    this.current = undefined;
    const end = Date.now();
    if (c.watcher) {
      for (const p of await c.watcher.stop()) c.pairs.add(p);
      // The step ended between two samples: nothing was seen, so nothing is claimed to agree.
      if (!c.pairs.size) c.observed = 'none';
    }
    const stallMs = c.probe ? await c.probe.stop() : null;
    const after = await relations(this.o.sandbox.db);
    const rewrites = [...c.rels].filter(([oid, r]) => r.kind !== 'i' && r.kind !== 'S' && after.has(oid) && after.get(oid)!.file !== r.file).map(([, r]) => r.name);
    const locks = strongestPer(c.pairs);
    const durationMs = end - c.t0;
    const trace: StepTrace = {
      id,
      pass: this.pass,
      group: group ?? this.group,
      sql: (c as any).sql,
      startMs: c.t0 - this.o.origin,
      durationMs,
      locks: [...locks].map(([relation, mode]) => ({ relation, mode: sqlLockName(mode), heldMs: durationMs })),
      rewrites,
      stallMs,
      observed: c.observed,
      ...(error ? { error } : {}),
    };
    if (c.claim.known && c.observed !== 'none' && !error) trace.claim = compare(c.claim, locks, c.held, rewrites, c.observed);
    this.o.onTrace(trace);
    return trace;
  }
}

/** The claim against what was seen: the claimed lock per claimed relation, and the rewrite. */
function compare(claim: ReturnType<typeof claimOf>, seen: Map<string, LockMode>, held: Set<string>, rewrites: string[], observed: StepTrace['observed']): NonNullable<StepTrace['claim']> {
  const problems: string[] = [];
  for (const l of claim.locks) {
    const got = seen.get(l.relation);
    // Already held in that mode by an earlier statement of the same transaction: pg_locks has no new row.
    if (!got && held.has(`${l.relation}\t${l.mode}`)) continue;
    // A watcher samples back to back, but a short step can still end between two samples: a lock it
    // did not catch on one relation is not a contradiction (one seen in another mode is).
    if (!got && observed === 'watcher') continue;
    if (!got) problems.push(`claimed ${sqlLockName(l.mode)} on ${l.relation}, saw no lock on it`);
    else if (got !== l.mode && got !== l.late) problems.push(`claimed ${sqlLockName(l.mode)} on ${l.relation}, saw ${sqlLockName(got)}${isStronger(got, l.mode) ? ' (stronger)' : ' (weaker)'}`);
  }
  const rewrote = rewrites.length > 0;
  if (claim.rewrite && !rewrote) problems.push(`claimed a rewrite of ${claim.rewriteTables.join(', ') || 'the table'}, saw none`);
  if (!claim.rewrite && rewrote) problems.push(`claimed no rewrite, saw ${rewrites.join(', ')} rewritten`);
  return {
    locks: claim.locks.map((l) => ({ relation: l.relation, mode: sqlLockName(l.mode) })),
    rewrite: claim.rewrite,
    agrees: problems.length === 0,
    ...(problems.length ? { disagreement: problems.join('; ') } : {}),
  };
}

function tableOf(step: Step): string | undefined {
  const t = step.backfill?.table ?? step.locks[0]?.relation;
  return t ? sqlName(t) : undefined;
}

/** Polls another session's relation locks, back to back, while a step runs outside a transaction. */
class Watcher {
  private seen = new Set<string>();
  private running = true;
  private loop: Promise<void>;
  private constructor(private db: SandboxDb, pid: number, known: Map<number, { name: string }>) {
    this.loop = (async () => {
      while (this.running) {
        for (const p of await lockPairs(this.db, pid, known).catch(() => new Set<string>())) this.seen.add(p);
        await new Promise((r) => setImmediate(r));
      }
    })();
  }
  static async start(db: SandboxDb, pid: number, known: Map<number, { name: string }>): Promise<Watcher> {
    // One sample before the step starts: the session's first query (its catalog caches) is slow on a
    // busy machine, and a short CONCURRENTLY build could end before it returned (observed 'none').
    await lockPairs(db, pid, known).catch(() => undefined);
    return new Watcher(db, pid, known);
  }
  async stop(): Promise<Set<string>> {
    this.running = false;
    await this.loop;
    await this.db.close();
    return this.seen;
  }
}

/**
 * Traffic stand-in on a real-server sandbox: a primary-key read and an update of one row (rolled back)
 * on the step's table, in a loop; the longest time between two completions is the stall it saw.
 */
class Probe {
  private running = true;
  private last = Date.now();
  private longest = 0;
  private loop: Promise<void>;
  private constructor(private db: SandboxDb, table: string, key: string | undefined) {
    const read = key ? `SELECT * FROM ${table} WHERE ${key} = (SELECT ${key} FROM ${table} LIMIT 1)` : `SELECT * FROM ${table} LIMIT 1`;
    const write = key ? `UPDATE ${table} SET ${key} = ${key} WHERE ${key} = (SELECT ${key} FROM ${table} LIMIT 1)` : undefined;
    this.loop = (async () => {
      // Waits at most this long for a lock, so the probe never holds up the end of the step it watches
      // (a statement in a migration's transaction keeps its locks until the migration commits).
      await this.db.query(`SET lock_timeout = '50ms'`).catch(() => {});
      while (this.running) {
        let ok = true;
        try {
          await this.db.query('BEGIN');
          await this.db.query(read);
          if (write) await this.db.query(write);
          await this.db.query('ROLLBACK');
        } catch (e: any) {
          // Blocked past its lock_timeout: traffic not served. Anything else (the table is not there
          // yet, or any more) is not a stall.
          ok = e?.code !== '55P03';
          await this.db.query('ROLLBACK').catch(() => {});
          await new Promise((r) => setTimeout(r, 5));
        }
        // The stall is the time between two probes that got through: a probe that timed out waiting
        // for a lock is traffic that did not get served, so the gap keeps growing.
        const now = Date.now();
        this.longest = Math.max(this.longest, now - this.last);
        if (ok) this.last = now;
        await new Promise((r) => setImmediate(r));
      }
    })();
  }
  static async start(db: SandboxDb, table: string): Promise<Probe> {
    const r = await db.query(
      `SELECT a.attname AS k FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
       WHERE i.indrelid = to_regclass($1) AND i.indisprimary AND i.indnkeyatts = 1`,
      [table],
    ).catch(() => ({ rows: [] as any[] }));
    const key = r.rows[0]?.k ? quoteIdent(r.rows[0].k) : undefined;
    return new Probe(db, table, key);
  }
  async stop(): Promise<number> {
    this.running = false;
    await this.loop;
    this.longest = Math.max(this.longest, Date.now() - this.last);
    await this.db.close();
    return this.longest;
  }
}

