/**
 * A snapshot of a database's vital signs at one moment, for comparing before and after a change:
 * per-query statistics (pg_stat_statements, when installed), per-table and per-index activity and I/O,
 * database-wide counters, relation sizes, replication lag and when statistics were last reset.
 * Read-only; the columns that differ between PostgreSQL 13 and 18 are read through `to_jsonb(row)` so
 * one query serves every version. Stored in the ledger (`lockstep.snapshots`) and optionally a file.
 */
import type { Db } from '../apply/db.js';
import { insertSnapshot } from '../apply/ledger.js';
import type { DialectId, Flavor } from '../core/version.js';

export const SNAPSHOT_VERSION = 1;

export interface StatementStat {
  queryid: string;
  /** The role that ran it: pg_stat_statements keeps one row per (role, database, query, top level). Absent in older snapshot files. */
  userid?: string;
  /** PG 14+: false for statements run inside functions (pg_stat_statements.track = all). */
  toplevel?: boolean;
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  /** PostgreSQL (pg_stat_statements); absent on MySQL/MariaDB. */
  sharedBlksHit?: number;
  sharedBlksRead?: number;
  /** MySQL/MariaDB digests: the schema the statements ran in, rows examined, and statements that read a table without an index (SUM_NO_INDEX_USED). */
  schema?: string;
  rowsExamined?: number;
  fullScans?: number;
  /** MySQL/MariaDB: when the digest's counters started (FIRST_SEEN); later than a previous snapshot means they started again. */
  firstSeen?: string;
}

/**
 * One table. PostgreSQL fills every field. MySQL/MariaDB: the activity counters come from
 * performance_schema and count rows (see Snapshot.scanUnit); they are absent when it is OFF (then
 * Snapshot.activityNote says so); the fields only PostgreSQL has are absent.
 */
export interface TableStat {
  table: string;
  /** The table's OID: a table dropped and created again, or renamed, is told apart by it. Absent in older snapshot files. */
  relid?: number;
  seqScan?: number;
  seqTupRead?: number;
  idxScan?: number;
  /** PostgreSQL: n_live_tup; MySQL/MariaDB: information_schema.TABLES.TABLE_ROWS (an estimate). */
  liveTuples: number;
  deadTuples?: number;
  inserted?: number;
  updated?: number;
  deleted?: number;
  hotUpdated?: number;
  lastVacuum?: string | null;
  lastAutovacuum?: string | null;
  lastAnalyze?: string | null;
  lastAutoanalyze?: string | null;
  heapBlksHit?: number;
  heapBlksRead?: number;
  idxBlksHit?: number;
  idxBlksRead?: number;
  /** Bytes: the table, and with its indexes and TOAST. */
  bytes: number;
  totalBytes: number;
}

export interface IndexStat {
  index: string;
  table: string;
  /** The index's OID (a renamed index is the same index). Absent in older snapshot files. */
  indexrelid?: number;
  /** PostgreSQL: idx_scan. MySQL/MariaDB: rows read through the index (performance_schema); absent when it is OFF. */
  idxScan?: number;
  /** PostgreSQL 16+; null before. */
  lastIdxScan?: string | null;
  tupRead?: number;
  tupFetch?: number;
  blksHit?: number;
  blksRead?: number;
  /** MySQL/MariaDB: from mysql.innodb_index_stats when readable, else absent. */
  bytes?: number;
  valid: boolean;
  /** MySQL/MariaDB: sys.schema_unused_indexes lists it (no I/O through it since the server started). */
  unusedSinceStart?: boolean;
}

export interface Snapshot {
  version: 1;
  kind: 'lockstep-snapshot';
  /** The dialect of the database; absent: postgres (snapshot files written before MySQL support). */
  dialect?: DialectId;
  id?: number;
  label?: string;
  change?: string;
  takenAt: string;
  /** PostgreSQL: the database's OID and the cluster's system identifier. MySQL/MariaDB: oid null; systemIdentifier @@server_uuid (MySQL) or host:port:datadir (MariaDB). */
  database: { name: string; oid: number | null; systemIdentifier: string | null };
  /** versionNum: 150004, 80036, 101119 (major * 10000 + minor * 100 + patch); version: the server's own text; flavor: mysql | mariadb. */
  server: { versionNum: number; major: number; version?: string; flavor?: Flavor };
  /** What seqScan and idxScan count: scans (PostgreSQL; absent), or rows read (performance_schema counts rows per access path). */
  scanUnit?: 'scans' | 'rows';
  /** Where per-query figures come from, for messages; absent: pg_stat_statements. */
  statementsSource?: string;
  /** Set when table and index activity could not be read (MySQL/MariaDB with performance_schema OFF): why, and how to turn it on. */
  activityNote?: string;
  /** Server-wide counters as the server names them (MySQL/MariaDB: SHOW GLOBAL STATUS, the buffer pool, Handler_read_*, Uptime). */
  serverStatus?: Record<string, number>;
  /** null when pg_stat_statements is not installed; then `statementsNote` says how to enable it. */
  statements: StatementStat[] | null;
  statementsNote?: string;
  statementsResetAt: string | null;
  /** How many rows the snapshot kept at most (by total time): a query missing from a full list may just have been below the cut. */
  statementsLimit?: number;
  /** When the server started: counters start again after a restart (a crash leaves stats_reset NULL). */
  serverStartedAt?: string;
  tables: TableStat[];
  indexes: IndexStat[];
  /**
   * PostgreSQL: pg_stat_database for this database. MySQL/MariaDB: server-wide (SHOW GLOBAL STATUS):
   * commits/rollbacks Handler_commit/Handler_rollback, blksHit Innodb_buffer_pool_read_requests
   * (logical reads), blksRead Innodb_buffer_pool_reads (reads from disk), tempFiles Created_tmp_disk_tables,
   * deadlocks Innodb_deadlocks (MariaDB), statsResetAt the last FLUSH STATUS.
   */
  databaseStats: {
    commits: number;
    rollbacks: number;
    blksHit: number;
    blksRead: number;
    tempFiles: number;
    tempBytes?: number;
    deadlocks?: number;
    statsResetAt: string | null;
  };
  /** PostgreSQL: this primary's replicas. MySQL/MariaDB: this server as a replica (SHOW REPLICA/SLAVE STATUS), name = the connection or source host. */
  replication: { name: string; state: string; replayLagSeconds: number | null; replayBytesBehind: number | null }[];
  /** Why `replication` could not be read (a missing privilege), when it could not. */
  replicationNote?: string;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ts = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const userSchemas = (alias: string) => `${alias}.schemaname NOT IN ('pg_catalog', 'information_schema', 'lockstep') AND ${alias}.schemaname NOT LIKE 'pg_toast%'`;

export async function takeSnapshot(db: Db, o: { label?: string; change?: string; statementsLimit?: number } = {}): Promise<Snapshot> {
  const v = (await db.query(`SELECT current_setting('server_version_num')::int AS n, current_database() AS d, (SELECT oid::int FROM pg_database WHERE datname = current_database()) AS oid, now() AS at, pg_postmaster_start_time() AS started`)).rows[0];
  const sysid = await db.query(`SELECT system_identifier::text AS id FROM pg_control_system()`).then((r) => r.rows[0]?.id ?? null, () => null);

  let statements: StatementStat[] | null = null;
  let statementsNote: string | undefined;
  let statementsResetAt: string | null = null;
  const limit = o.statementsLimit ?? 500;
  const hasPss = (await db.query(`SELECT to_regclass('pg_stat_statements') IS NOT NULL AS ok`)).rows[0].ok;
  if (!hasPss) {
    // shared_preload_libraries is readable only with pg_read_all_settings: without it, the general advice.
    const preloaded = await db.query(`SELECT current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_stat_statements($|[ ,])' AS ok`).then((r) => !!r.rows[0]?.ok, () => false);
    statementsNote = preloaded
      ? 'pg_stat_statements is loaded but not created in this database: CREATE EXTENSION pg_stat_statements; the rest of the snapshot does not need it'
      : "pg_stat_statements is not installed: add it to shared_preload_libraries (restart), then CREATE EXTENSION pg_stat_statements; the rest of the snapshot does not need it";
  } else {
    try {
      // Rows another role's statistics hide from this one (no pg_read_all_stats) have no queryid: left out, and said.
      // lockstep's own statements (this snapshot, the ledger) are left out too: they are not the application's.
      const r = await db.query(
        `SELECT s.queryid::text AS queryid, s.userid::text AS userid, (to_jsonb(s) ->> 'toplevel')::boolean AS toplevel, s.query, s.calls, s.rows,
                s.shared_blks_hit AS hit, s.shared_blks_read AS read,
                coalesce((to_jsonb(s) ->> 'total_exec_time')::float8, (to_jsonb(s) ->> 'total_time')::float8) AS total,
                coalesce((to_jsonb(s) ->> 'mean_exec_time')::float8, (to_jsonb(s) ->> 'mean_time')::float8) AS mean
         FROM pg_stat_statements s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND s.queryid IS NOT NULL AND s.query NOT LIKE '%lockstep.%' AND s.query NOT LIKE '%/* lockstep snapshot */%'
         ORDER BY 9 DESC NULLS LAST LIMIT $1 /* lockstep snapshot */`,
        [limit],
      );
      statements = r.rows.map((x: any) => ({
        queryid: x.queryid,
        userid: x.userid,
        ...(x.toplevel === null || x.toplevel === undefined ? {} : { toplevel: !!x.toplevel }),
        query: redactSecrets(x.query),
        calls: num(x.calls),
        totalMs: num(x.total),
        meanMs: num(x.mean),
        rows: num(x.rows),
        sharedBlksHit: num(x.hit),
        sharedBlksRead: num(x.read),
      }));
      const hidden = (await db.query(`SELECT count(*)::int AS n FROM pg_stat_statements WHERE queryid IS NULL /* lockstep snapshot */`)).rows[0]?.n ?? 0;
      if (hidden) statementsNote = `${hidden} statement(s) of other roles are hidden from this role (grant it pg_read_all_stats to compare them)`;
      // pg_stat_statements_info (PG 14+) says when the statistics were last reset.
      statementsResetAt = await db.query(`SELECT stats_reset FROM pg_stat_statements_info`).then((r) => ts(r.rows[0]?.stats_reset), () => null);
    } catch (e: any) {
      statements = null;
      statementsNote = `pg_stat_statements cannot be read: ${e?.message ?? e}`;
    }
  }

  const tables = (await db.query(
    `SELECT format('%I.%I', t.schemaname, t.relname) AS t, t.relid::int8 AS relid, t.seq_scan, t.seq_tup_read, t.idx_scan, t.n_live_tup, t.n_dead_tup, t.n_tup_ins, t.n_tup_upd, t.n_tup_del, t.n_tup_hot_upd,
            t.last_vacuum, t.last_autovacuum, t.last_analyze, t.last_autoanalyze,
            io.heap_blks_hit, io.heap_blks_read, io.idx_blks_hit, io.idx_blks_read,
            pg_relation_size(t.relid) AS bytes, pg_total_relation_size(t.relid) AS total
     FROM pg_stat_user_tables t JOIN pg_statio_user_tables io ON io.relid = t.relid
     WHERE ${userSchemas('t')} ORDER BY 1`,
  )).rows.map((x: any): TableStat => ({
    table: x.t,
    relid: Number(x.relid),
    seqScan: num(x.seq_scan),
    seqTupRead: num(x.seq_tup_read),
    idxScan: num(x.idx_scan),
    liveTuples: num(x.n_live_tup),
    deadTuples: num(x.n_dead_tup),
    inserted: num(x.n_tup_ins),
    updated: num(x.n_tup_upd),
    deleted: num(x.n_tup_del),
    hotUpdated: num(x.n_tup_hot_upd),
    lastVacuum: ts(x.last_vacuum),
    lastAutovacuum: ts(x.last_autovacuum),
    lastAnalyze: ts(x.last_analyze),
    lastAutoanalyze: ts(x.last_autoanalyze),
    heapBlksHit: num(x.heap_blks_hit),
    heapBlksRead: num(x.heap_blks_read),
    idxBlksHit: num(x.idx_blks_hit),
    idxBlksRead: num(x.idx_blks_read),
    bytes: num(x.bytes),
    totalBytes: num(x.total),
  }));

  const indexes = (await db.query(
    `SELECT format('%I.%I', i.schemaname, i.indexrelname) AS i, format('%I.%I', i.schemaname, i.relname) AS t, i.indexrelid::int8 AS indexrelid, i.idx_scan, to_jsonb(i) ->> 'last_idx_scan' AS last,
            i.idx_tup_read, i.idx_tup_fetch, io.idx_blks_hit, io.idx_blks_read, pg_relation_size(i.indexrelid) AS bytes, x.indisvalid AS valid
     FROM pg_stat_user_indexes i JOIN pg_statio_user_indexes io ON io.indexrelid = i.indexrelid JOIN pg_index x ON x.indexrelid = i.indexrelid
     WHERE ${userSchemas('i')} ORDER BY 1`,
  )).rows.map((x: any): IndexStat => ({
    index: x.i,
    table: x.t,
    indexrelid: Number(x.indexrelid),
    idxScan: num(x.idx_scan),
    lastIdxScan: ts(x.last),
    tupRead: num(x.idx_tup_read),
    tupFetch: num(x.idx_tup_fetch),
    blksHit: num(x.idx_blks_hit),
    blksRead: num(x.idx_blks_read),
    bytes: num(x.bytes),
    valid: !!x.valid,
  }));

  const d = (await db.query(
    `SELECT xact_commit, xact_rollback, blks_hit, blks_read, temp_files, temp_bytes, deadlocks, stats_reset FROM pg_stat_database WHERE datname = current_database()`,
  )).rows[0];

  const replication = (await db.query(
    `SELECT coalesce(application_name, '') AS name, coalesce(state, '') AS state, extract(epoch FROM replay_lag)::float8 AS lag,
            CASE WHEN replay_lsn IS NULL OR pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 END AS bytes
     FROM pg_stat_replication ORDER BY 1`,
  ).catch(() => ({ rows: [] as any[] }))).rows.map((x: any) => ({ name: x.name, state: x.state, replayLagSeconds: x.lag === null ? null : Number(x.lag), replayBytesBehind: x.bytes === null ? null : Number(x.bytes) }));

  return {
    version: SNAPSHOT_VERSION,
    kind: 'lockstep-snapshot',
    dialect: 'postgres',
    ...(o.label ? { label: o.label } : {}),
    ...(o.change ? { change: o.change } : {}),
    takenAt: ts(v.at)!,
    database: { name: v.d, oid: v.oid, systemIdentifier: sysid },
    server: { versionNum: v.n, major: Math.floor(v.n / 10000) },
    statements,
    ...(statementsNote ? { statementsNote } : {}),
    statementsResetAt,
    ...(statements ? { statementsLimit: limit } : {}),
    serverStartedAt: ts(v.started)!,
    tables,
    indexes,
    databaseStats: {
      commits: num(d?.xact_commit),
      rollbacks: num(d?.xact_rollback),
      blksHit: num(d?.blks_hit),
      blksRead: num(d?.blks_read),
      tempFiles: num(d?.temp_files),
      tempBytes: num(d?.temp_bytes),
      deadlocks: num(d?.deadlocks),
      statsResetAt: ts(d?.stats_reset),
    },
    replication,
  };
}

/** Stores a snapshot in the ledger (schema `lockstep`, created on first use) and returns its id. */
export async function storeSnapshot(db: Db, s: Snapshot): Promise<number> {
  return insertSnapshot(db, { label: s.label, change: s.change, takenAt: s.takenAt, data: s });
}

/**
 * Query text as pg_stat_statements keeps it has utility statements verbatim — `ALTER ROLE … PASSWORD
 * 'secret'`, `CREATE USER MAPPING … OPTIONS (password 'secret')`. The literal after PASSWORD or
 * password is replaced before the text is stored in the ledger, a file or a report.
 */
export function redactSecrets(query: string): string {
  return query.replace(/(\bpassword\b\s*(?:=\s*)?)('(?:[^']|'')*'|E'(?:[^'\\]|\\.|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\3\$)/gi, "$1'***'");
}
