/**
 * Asking a MySQL/MariaDB server what a schema change costs, by trying it: the statement with an explicit
 * `ALGORITHM=…` or `LOCK=…` is either accepted or refused with the server's own words (`ALGORITHM=INSTANT
 * is not supported for this operation. Try ALGORITHM=COPY`), and the table's InnoDB tablespace id
 * (`information_schema.INNODB_SYS_TABLES.SPACE` on MariaDB, `INNODB_TABLES.SPACE` on MySQL 8) changes
 * exactly when the table was rebuilt.
 *
 * Each attempt runs on a freshly built table (the caller's `setup`), because an accepted attempt changes
 * it. Used by the effects proof tests and bench/mysql-predict.js; lockstep's apply may use the same
 * refusal texts to fail fast rather than copy silently.
 */
import type { Alg, Lock } from './effect.js';

/** Runs one statement and returns its rows. */
export type Query = (sql: string) => Promise<any[]>;

/** Where the ALGORITHM/LOCK clause goes: after the ALTER's clauses (`, ALGORITHM=X`), after a CREATE/DROP INDEX (` ALGORITHM=X`), or nowhere (statements without one). */
export type ClausePlace = 'alter' | 'index' | 'none';

export interface Attempt {
  /** `ALGORITHM=INSTANT`, `LOCK=NONE`, or `` (the statement as written). */
  clause: string;
  ok: boolean;
  /** The server's refusal (or other error), verbatim. */
  error?: string;
  errno?: number;
  /** The table's tablespace id changed (undefined when the table did not exist before or after). */
  rebuilt?: boolean;
  /** Not run: implied by another attempt (LOCK=SHARED when LOCK=NONE was accepted). */
  skipped?: boolean;
  /** Whether the table existed before and after the statement (CREATE/DROP). */
  existed?: { before: boolean; after: boolean };
}

export const algorithmOrder: readonly Alg[] = ['instant', 'nocopy', 'inplace', 'copy'];
export const lockOrder: readonly Lock[] = ['none', 'shared', 'exclusive'];

/** The statement with `clause` (e.g. `ALGORITHM=INSTANT`) added where the server reads it. */
export function withClause(statement: string, place: ClausePlace, clause: string): string {
  if (!clause || place === 'none') return statement;
  return place === 'alter' ? `${statement}, ${clause}` : `${statement} ${clause}`;
}

/**
 * The tablespace ids of `schema.table` by InnoDB table name (a partitioned table: one per partition,
 * `t#P#p0`), or undefined when there is no such InnoDB table.
 */
export async function tablespaces(q: Query, schema: string, table: string, flavor: 'mysql' | 'mariadb' = 'mariadb'): Promise<Map<string, string> | undefined> {
  const view = flavor === 'mariadb' ? 'INNODB_SYS_TABLES' : 'INNODB_TABLES';
  const name = `${schema}/${table}`.replace(/\\/g, '\\\\').replace(/'/g, "''");
  const like = `${name}#p#%`.replace(/_/g, '\\_');
  const rows = await q(`SELECT NAME AS name, SPACE AS space FROM information_schema.${view} WHERE NAME = '${name}' OR NAME LIKE '${like}'`);
  if (!rows.length) return undefined;
  return new Map(rows.map((r) => [String(r.name).slice(name.length).toLowerCase(), String(r.space)]));
}

/**
 * Rebuilt: a table (or partition) present before and after has a new tablespace; when none is common to
 * both (REMOVE PARTITIONING, PARTITION BY) but both exist, everything is new.
 */
export function rebuiltBetween(before: Map<string, string>, after: Map<string, string>): boolean {
  const common = [...before.keys()].filter((k) => after.has(k));
  if (!common.length) return true;
  return common.some((k) => before.get(k) !== after.get(k));
}

export interface ProbeTarget {
  /** Builds the table (and whatever else the statement needs) from nothing; runs before each attempt. */
  setup: string[];
  /** Session settings for the attempt (`SET SESSION foreign_key_checks = 0`). */
  session?: string[];
  /** The statement, without ALGORITHM/LOCK clauses. */
  statement: string;
  place: ClausePlace;
  schema: string;
  /** The table whose rebuild is observed, and its name after the statement (RENAME). */
  table: string;
  tableAfter?: string;
  flavor?: 'mysql' | 'mariadb';
}

/** Builds the target from its setup and runs the statement with `clause`; reports acceptance and rebuild. */
export async function attempt(q: Query, t: ProbeTarget, clause: string): Promise<Attempt> {
  for (const s of t.setup) await q(s);
  for (const s of t.session ?? []) await q(s);
  const before = await tablespaces(q, t.schema, t.table, t.flavor);
  try {
    await q(withClause(t.statement, t.place, clause));
  } catch (e: any) {
    return { clause, ok: false, error: String(e?.sqlMessage ?? e?.message ?? e), ...(e?.errno ? { errno: Number(e.errno) } : {}) };
  }
  const after = await tablespaces(q, t.schema, t.tableAfter ?? t.table, t.flavor);
  return { clause, ok: true, ...(before && after ? { rebuilt: rebuiltBetween(before, after) } : {}), existed: { before: !!before, after: !!after } };
}

export interface ProbeResult {
  /** The statement as written (the server's own choice of algorithm and lock). */
  plain: Attempt;
  /** `ALGORITHM=X` for each algorithm the flavor has. */
  algorithms: Partial<Record<Alg, Attempt>>;
  /** `LOCK=X` with no ALGORITHM clause. */
  locks: Partial<Record<Lock, Attempt>>;
  /** The best algorithm the server accepted explicitly, and the least lock it accepted with no ALGORITHM clause. */
  bestAlgorithm?: Alg;
  leastLock?: Lock;
}

/**
 * Tries the statement as written, with each explicit ALGORITHM and with LOCK=NONE/SHARED, each on a fresh
 * table. `run(clause)` must build and try in isolation; the caller decides whether attempts share a
 * connection (sequential) or each have their own table names (parallel).
 */
export async function probe(run: (clause: string) => Promise<Attempt>, flavor: 'mysql' | 'mariadb', place: ClausePlace): Promise<ProbeResult> {
  const algs = algorithmOrder.filter((a) => flavor === 'mariadb' || a !== 'nocopy');
  const clauses = place === 'none' ? [''] : ['', ...algs.map((a) => `ALGORITHM=${a.toUpperCase()}`), 'LOCK=NONE'];
  const results = await Promise.all(clauses.map((c) => run(c)));
  const out: ProbeResult = { plain: results[0]!, algorithms: {}, locks: {} };
  if (place === 'none') return out;
  algs.forEach((a, i) => (out.algorithms[a] = results[1 + i]!));
  out.locks.none = results[1 + algs.length]!;
  // LOCK=SHARED only matters when LOCK=NONE was refused (a statement that allows NONE allows SHARED).
  out.locks.shared = out.locks.none.ok ? { clause: 'LOCK=SHARED', ok: true, skipped: true } : await run('LOCK=SHARED');
  out.bestAlgorithm = algs.find((a) => out.algorithms[a]!.ok);
  out.leastLock = out.locks.none.ok ? 'none' : out.locks.shared.ok ? 'shared' : out.plain.ok ? 'exclusive' : undefined;
  return out;
}
