/**
 * snapshot/verify on MySQL and MariaDB: one database's vital signs, in the Snapshot shape of
 * src/verify/snapshot.ts, kept in the table `lockstep_snapshots` of that database.
 *
 * - With performance_schema ON: statement digests (events_statements_summary_by_digest, this
 *   database's), table and index activity (table_io_waits_summary_by_index_usage / _by_table, which
 *   count ROWS read and written per access path, not scans: the snapshot says `scanUnit: 'rows'`),
 *   and the indexes sys.schema_unused_indexes lists.
 * - Always: table rows (an estimate) and sizes from information_schema.TABLES, index sizes from
 *   mysql.innodb_index_stats (when readable), the buffer pool (Innodb_buffer_pool_read_requests vs
 *   Innodb_buffer_pool_reads), Handler_read_* and other server-wide counters, Uptime and the last
 *   FLUSH STATUS, and this server's replica lag (SHOW REPLICA STATUS, else SHOW SLAVE STATUS).
 * - With performance_schema OFF (MariaDB's default): `statements: null` and `activityNote`, each
 *   saying what is missing and how to turn it on; verify then compares what there is and says what not.
 *
 * Read-only but for store(); every value bound, every identifier through quoteIdent.
 */
import type { Metrics, MetricsSession } from '../dialect.js';
import type { IndexStat, Snapshot, StatementStat, TableStat } from '../../verify/snapshot.js';
import { SNAPSHOT_VERSION } from '../../verify/snapshot.js';
import { LockstepError } from '../../core/errors.js';
import { connectMysql, type MyDb } from './driver.js';
import { quoteIdent } from './names.js';

/** The ledger table, in the target database. */
export const SNAPSHOT_TABLE = 'lockstep_snapshots';

/** The server-wide counters a snapshot keeps (SHOW GLOBAL STATUS names; those the server has). */
const STATUS = [
  'Uptime',
  'Uptime_since_flush_status',
  'Innodb_buffer_pool_read_requests',
  'Innodb_buffer_pool_reads',
  'Innodb_deadlocks',
  'Handler_commit',
  'Handler_rollback',
  'Handler_read_first',
  'Handler_read_key',
  'Handler_read_last',
  'Handler_read_next',
  'Handler_read_prev',
  'Handler_read_rnd',
  'Handler_read_rnd_next',
  'Select_scan',
  'Select_full_join',
  'Created_tmp_tables',
  'Created_tmp_disk_tables',
  'Questions',
  'Threads_running',
];

export const PERFORMANCE_SCHEMA_OFF =
  'performance_schema is OFF (the MariaDB default): no per-query digests and no table or index activity. Turn it on with performance_schema=ON in the server configuration ([mariadbd] or [mysqld]) and restart (it cannot be switched on at run time); sizes, rows, the buffer pool, Handler_read_* counters and replica lag are read without it';

export const mysqlMetrics: Metrics = {
  async open(url, where) {
    let u: URL | undefined;
    try {
      u = new URL(url);
    } catch {
      u = undefined;
    }
    // One database per snapshot, as on Postgres: the URL names it.
    if (u && !(u.pathname.length > 1)) throw new LockstepError('E_USAGE', [{ where, message: 'needs a database name in the URL (mysql://host/<database>): a snapshot is of one database' }]);
    const db = await connectMysql(url, { where });
    return session(db);
  },
  words: {
    queryAdvice: 'compare its EXPLAIN ANALYZE (MySQL 8.0.18+) or ANALYZE FORMAT=JSON (MariaDB) with the plan before the change',
    cacheAdvice: 'a new index or a larger table may no longer fit in innodb_buffer_pool_size',
    dropIndex: () => 'ALTER TABLE … DROP INDEX …, ALGORITHM=INPLACE, LOCK=NONE',
  },
};

const num = (v: unknown): number => (v === null || v === undefined || v === '' ? 0 : Number(v));
const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();

function session(db: MyDb): MetricsSession {
  return {
    ledger: SNAPSHOT_TABLE,
    take: (o = {}) => takeMysqlSnapshot(db, o),
    store: (s) => storeMysqlSnapshot(db, s),
    async load(id) {
      const rows = await ledgerRows(db, `SELECT data FROM ${quoteIdent(SNAPSHOT_TABLE)} WHERE id = ?`, [id]);
      return rows[0] ? parseData(rows[0].data) : undefined;
    },
    async beforeChange(change) {
      const rows = await ledgerRows(db, `SELECT id, data FROM ${quoteIdent(SNAPSHOT_TABLE)} WHERE change_name = ? AND label = 'before apply' ORDER BY id DESC LIMIT 1`, [change]);
      if (!rows[0]) return undefined;
      // The tables the change names (from the spec apply recorded), as the snapshot names them: new full
      // scans are judged on those. Without the change in the ledger, on every table.
      const changed = await ledgerRows(db, `SELECT spec, DATABASE() AS d FROM lockstep_changes WHERE name = ?`, [change]);
      const spec = changed[0] ? parseData(changed[0].spec) : undefined;
      const tables = spec ? changeTables(spec, String(changed[0].d)) : undefined;
      return { id: Number(rows[0].id), data: parseData(rows[0].data), ...(tables ? { changedTables: tables } : {}) };
    },
    close: () => db.close(),
  };
}

/**
 * Stores a snapshot in lockstep_snapshots (created on first use) and returns its id: `lockstep snapshot`,
 * verify's "now", and apply's "before apply" / "after apply".
 */
export async function storeMysqlSnapshot(db: MyDb, s: Snapshot): Promise<number> {
  // DDL commits on its own in MySQL: the table is created first (idempotent), then the row goes in.
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(SNAPSHOT_TABLE)} (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      label VARCHAR(500) NULL,
      change_name VARCHAR(500) NULL,
      taken_at DATETIME(6) NOT NULL,
      data JSON NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
  const at = s.takenAt.replace('T', ' ').replace('Z', '');
  const r: any = await db.query(`INSERT INTO ${quoteIdent(SNAPSHOT_TABLE)} (label, change_name, taken_at, data) VALUES (?, ?, ?, ?)`, [s.label ?? null, s.change ?? null, at, JSON.stringify(s)]);
  return Number(r.insertId);
}

/** The tables a recorded change names that are in `database` (a snapshot is of one database and names its tables bare). */
function changeTables(spec: any, database: string): string[] {
  const out = new Set<string>();
  for (const op of Array.isArray(spec?.operations) ? spec.operations : []) {
    const t = op?.table;
    if (t && typeof t === 'object' && typeof t.name === 'string' && (t.schema === undefined || t.schema === database)) out.add(t.name);
  }
  return [...out];
}

/** Rows of the ledger table; none when it does not exist yet (ER_NO_SUCH_TABLE). */
async function ledgerRows(db: MyDb, sql: string, params: unknown[]): Promise<any[]> {
  try {
    return await db.query(sql, params);
  } catch (e: any) {
    if (e?.errno === 1146) return [];
    throw e;
  }
}

/** mysql2 gives a JSON column parsed on MySQL and as text on MariaDB (where JSON is LONGTEXT). */
function parseData(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** `10.11.19-MariaDB-0+deb12u1` → mariadb 10.11.19 (101119); `8.0.36` → mysql 8.0.36 (80036). */
export function serverOf(version: string): { flavor: 'mysql' | 'mariadb'; major: number; versionNum: number } {
  const m = /^(?:5\.5\.5-)?(\d+)\.(\d+)\.(\d+)/.exec(version);
  const [maj, min, pat] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const flavor = /mariadb/i.test(version) || maj === 10 || maj === 11 ? 'mariadb' : 'mysql';
  return { flavor, major: maj, versionNum: maj * 10000 + min * 100 + pat };
}

/**
 * Lockstep's own statements (this snapshot, the ledger, the driver's set-up) are not the application's:
 * digests of text like these are left out (LIKE patterns, bound). The snapshot's own queries name a
 * system schema or carry a `lockstep_` alias.
 */
const OWN_DIGESTS = [
  '%performance\\_schema%',
  '%information\\_schema%',
  '%lockstep\\_%',
  '%innodb\\_index\\_stats%',
  '%schema\\_unused\\_indexes%',
  'SHOW %',
  'SET SESSION TRANSACTION%',
  'SELECT CONNECTION_ID ( )%',
  'SELECT `CONNECTION_ID` ( )%',
  'SELECT @@%',
];

export async function takeMysqlSnapshot(db: MyDb, o: { label?: string; change?: string; statementsLimit?: number } = {}): Promise<Snapshot> {
  const [v] = await db.query<any>(`SELECT VERSION() AS v, DATABASE() AS d, UNIX_TIMESTAMP(NOW(6)) AS now, @@hostname AS host, @@port AS port, @@datadir AS datadir, @@performance_schema AS ps`);
  const database: string = v.d;
  const now = Number(v.now);
  const server = serverOf(String(v.v));
  const uuid = await db.query<any>(`SELECT @@server_uuid AS lockstep_uuid`).then((r) => (r[0]?.lockstep_uuid ? String(r[0].lockstep_uuid) : null), () => null);

  // Server-wide counters, with the second they were read (so the start and the last FLUSH STATUS are exact to the second).
  const statusRows = await db.query<any>(`SHOW GLOBAL STATUS`);
  const [clock] = await db.query<any>(`SELECT UNIX_TIMESTAMP() AS lockstep_clock`);
  const all = new Map<string, string>(statusRows.map((r: any) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
  const serverStatus: Record<string, number> = {};
  for (const k of STATUS) {
    const x = all.get(k.toLowerCase());
    if (x !== undefined && x !== '' && Number.isFinite(Number(x))) serverStatus[k] = Number(x);
  }
  const t = Number(clock.lockstep_clock);
  const uptime = serverStatus.Uptime ?? 0;
  const sinceFlush = serverStatus.Uptime_since_flush_status;
  const startedAt = iso(t - uptime);
  // FLUSH STATUS restarts Uptime_since_flush_status; equal to Uptime (to the second) means never flushed.
  const flushedAt = sinceFlush !== undefined && uptime - sinceFlush > 1 ? iso(t - sinceFlush) : null;

  const psOn = Number(v.ps) === 1;
  let statements: StatementStat[] | null = null;
  let statementsNote: string | undefined;
  let activityNote: string | undefined;
  const limit = o.statementsLimit ?? 500;
  const ps = psOn ? await psState(db) : undefined;
  if (!psOn) {
    statementsNote = PERFORMANCE_SCHEMA_OFF;
    activityNote = PERFORMANCE_SCHEMA_OFF;
  } else {
    if (!ps!.digests)
      statementsNote = `performance_schema is ON but the statements_digest consumer is disabled: UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME = 'statements_digest' (and in the configuration: performance-schema-consumer-statements-digest=ON)`;
    else {
      try {
        const rows = await db.query<any>(
          `SELECT DIGEST AS d, DIGEST_TEXT AS q, COUNT_STAR AS calls, SUM_TIMER_WAIT AS total, SUM_ROWS_SENT AS sent, SUM_ROWS_EXAMINED AS examined,
                  SUM_NO_INDEX_USED AS noidx, UNIX_TIMESTAMP(FIRST_SEEN) AS first
           FROM performance_schema.events_statements_summary_by_digest
           WHERE SCHEMA_NAME = ? AND DIGEST IS NOT NULL AND DIGEST_TEXT IS NOT NULL AND ${OWN_DIGESTS.map(() => 'DIGEST_TEXT NOT LIKE ?').join(' AND ')}
           ORDER BY SUM_TIMER_WAIT DESC LIMIT ?`,
          [database, ...OWN_DIGESTS, limit],
        );
        statements = rows.map((x: any): StatementStat => {
          const calls = num(x.calls);
          const totalMs = num(x.total) / 1e9; // picoseconds
          return {
            queryid: String(x.d),
            schema: database,
            query: String(x.q),
            calls,
            totalMs,
            meanMs: calls ? totalMs / calls : 0,
            rows: num(x.sent),
            rowsExamined: num(x.examined),
            fullScans: num(x.noidx),
            ...(x.first !== null && x.first !== undefined ? { firstSeen: iso(Number(x.first)) } : {}),
          };
        });
      } catch (e: any) {
        statements = null;
        statementsNote = `performance_schema statement digests cannot be read: ${String(e?.message ?? e)}`;
      }
    }
    if (!ps!.tableIo)
      activityNote = `performance_schema is ON but the wait/io/table/sql/handler instrument is disabled: UPDATE performance_schema.setup_instruments SET ENABLED = 'YES', TIMED = 'YES' WHERE NAME = 'wait/io/table/sql/handler'`;
  }

  // Tables: rows (an estimate for InnoDB) and sizes; lockstep's own tables left out.
  const tableRows = await db.query<any>(
    `SELECT TABLE_NAME AS t, TABLE_ROWS AS n, DATA_LENGTH AS data, INDEX_LENGTH AS idx
     FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE 'lockstep\\_%' ORDER BY TABLE_NAME`,
    [database],
  );
  const idxRows = await db.query<any>(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME NOT LIKE 'lockstep\\_%' GROUP BY TABLE_NAME, INDEX_NAME ORDER BY TABLE_NAME, INDEX_NAME`,
    [database],
  );
  const sizes = await db
    .query<any>(`SELECT table_name AS t, index_name AS i, stat_value * @@innodb_page_size AS b FROM mysql.innodb_index_stats WHERE database_name = ? AND stat_name = 'size'`, [database])
    .then((r) => new Map(r.map((x: any) => [`${x.t}\u0000${x.i}`, num(x.b)])), () => undefined);

  // Activity (performance_schema): rows read per access path; the NULL index is rows read without one (full scans).
  const io = new Map<string, { read: number; fetch: number; star: number }>();
  const writes = new Map<string, { ins: number; upd: number; del: number }>();
  let unused: Set<string> | undefined;
  if (psOn && ps!.tableIo) {
    for (const x of await db.query<any>(
      `SELECT OBJECT_NAME AS t, INDEX_NAME AS i, COUNT_READ AS r, COUNT_FETCH AS f, COUNT_STAR AS s
       FROM performance_schema.table_io_waits_summary_by_index_usage WHERE OBJECT_TYPE = 'TABLE' AND OBJECT_SCHEMA = ?`,
      [database],
    ))
      io.set(`${x.t}\u0000${x.i ?? ''}`, { read: num(x.r), fetch: num(x.f), star: num(x.s) });
    for (const x of await db.query<any>(
      `SELECT OBJECT_NAME AS t, COUNT_INSERT AS i, COUNT_UPDATE AS u, COUNT_DELETE AS d FROM performance_schema.table_io_waits_summary_by_table WHERE OBJECT_TYPE = 'TABLE' AND OBJECT_SCHEMA = ?`,
      [database],
    ))
      writes.set(String(x.t), { ins: num(x.i), upd: num(x.u), del: num(x.d) });
    unused = await db
      .query<any>(`SELECT object_name AS t, index_name AS i FROM sys.schema_unused_indexes WHERE object_schema = ?`, [database])
      .then((r) => new Set(r.map((x: any) => `${x.t}\u0000${x.i}`)), () => undefined);
  }
  const activity = psOn && ps!.tableIo;

  const tables: TableStat[] = tableRows.map((x: any): TableStat => {
    const name = String(x.t);
    const base: TableStat = { table: name, liveTuples: num(x.n), bytes: num(x.data), totalBytes: num(x.data) + num(x.idx) };
    if (!activity) return base;
    const full = io.get(`${name}\u0000`)?.read ?? 0;
    let viaIndex = 0;
    for (const [k, c] of io) if (k.startsWith(`${name}\u0000`) && k !== `${name}\u0000`) viaIndex += c.read;
    const w = writes.get(name) ?? { ins: 0, upd: 0, del: 0 };
    return { ...base, seqScan: full, seqTupRead: full, idxScan: viaIndex, inserted: w.ins, updated: w.upd, deleted: w.del };
  });

  const indexes: IndexStat[] = idxRows.map((x: any): IndexStat => {
    const key = `${x.t}\u0000${x.i}`;
    const c = io.get(key);
    const bytes = sizes?.get(key);
    return {
      index: `${x.t}.${x.i}`,
      table: String(x.t),
      ...(activity ? { idxScan: c?.read ?? 0, tupRead: c?.read ?? 0, tupFetch: c?.fetch ?? 0 } : {}),
      ...(bytes !== undefined ? { bytes } : {}),
      valid: true,
      ...(unused ? { unusedSinceStart: unused.has(key) } : {}),
    };
  });

  const { replication, note: replicationNote } = await replicaStatus(db);
  const bpRequests = serverStatus.Innodb_buffer_pool_read_requests ?? 0;
  const bpReads = serverStatus.Innodb_buffer_pool_reads ?? 0;

  return {
    version: SNAPSHOT_VERSION,
    kind: 'lockstep-snapshot',
    dialect: 'mysql',
    ...(o.label ? { label: o.label } : {}),
    ...(o.change ? { change: o.change } : {}),
    takenAt: iso(now),
    database: { name: database, oid: null, systemIdentifier: uuid ?? `${v.host}:${v.port}:${v.datadir}` },
    server: { versionNum: server.versionNum, major: server.major, version: String(v.v), flavor: server.flavor },
    scanUnit: 'rows',
    statementsSource: 'performance_schema statement digests',
    ...(activityNote ? { activityNote } : {}),
    serverStatus,
    statements,
    ...(statementsNote ? { statementsNote } : {}),
    statementsResetAt: null,
    ...(statements ? { statementsLimit: limit } : {}),
    serverStartedAt: startedAt,
    tables,
    indexes,
    databaseStats: {
      commits: serverStatus.Handler_commit ?? 0,
      rollbacks: serverStatus.Handler_rollback ?? 0,
      // Not requests minus reads: MariaDB counts pages read from disk during a scan without a read
      // request each, so that difference can go down. The ratio is requests / (requests + reads).
      blksHit: bpRequests,
      blksRead: bpReads,
      tempFiles: serverStatus.Created_tmp_disk_tables ?? 0,
      ...(serverStatus.Innodb_deadlocks !== undefined ? { deadlocks: serverStatus.Innodb_deadlocks } : {}),
      statsResetAt: flushedAt,
    },
    replication,
    ...(replicationNote ? { replicationNote } : {}),
  };
}

/** Whether the digest consumer and the table I/O instrument are on (performance_schema's defaults: both). */
async function psState(db: MyDb): Promise<{ digests: boolean; tableIo: boolean }> {
  const c = await db.query<any>(`SELECT ENABLED AS e FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'`).catch(() => [] as any[]);
  const i = await db.query<any>(`SELECT ENABLED AS e FROM performance_schema.setup_instruments WHERE NAME = 'wait/io/table/sql/handler'`).catch(() => [] as any[]);
  return { digests: String(c[0]?.e ?? 'NO').toUpperCase() === 'YES', tableIo: String(i[0]?.e ?? 'NO').toUpperCase() === 'YES' };
}

/** This server as a replica: one row per source (SHOW REPLICA STATUS; SHOW SLAVE STATUS before MySQL 8.0.22 / MariaDB 10.5.1). */
async function replicaStatus(db: MyDb): Promise<{ replication: Snapshot['replication']; note?: string }> {
  let rows: any[];
  try {
    rows = await db.query<any>(`SHOW REPLICA STATUS`);
  } catch (e: any) {
    try {
      rows = await db.query<any>(`SHOW SLAVE STATUS`);
    } catch (e2: any) {
      return { replication: [], note: `replica status cannot be read (${String(e2?.message ?? e?.message ?? e2)}); grant REPLICATION CLIENT (MySQL) or SLAVE MONITOR (MariaDB) to see replica lag` };
    }
  }
  return {
    replication: rows.map((r: any) => {
      const lag = r.Seconds_Behind_Source ?? r.Seconds_Behind_Master;
      const io = r.Replica_IO_Running ?? r.Slave_IO_Running;
      const sql = r.Replica_SQL_Running ?? r.Slave_SQL_Running;
      return {
        name: String(r.Connection_name || r.Channel_Name || r.Source_Host || r.Master_Host || ''),
        state: `IO ${io ?? '?'}, SQL ${sql ?? '?'}`,
        replayLagSeconds: lag === null || lag === undefined || lag === '' ? null : Number(lag),
        replayBytesBehind: null,
      };
    }),
  };
}
