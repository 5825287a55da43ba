#!/usr/bin/env node
/**
 * MySQL/MariaDB under load: what a busy application sees while a schema change runs (issue 13).
 *   npm run bench:mysql-under-load                         (builds first; 1,000,000 rows)
 *   node bench/mysql-under-load.js --rows 200000 --url mysql://root@127.0.0.1:3306
 *   node bench/mysql-under-load.js --only b:naive,b:pt-osc --reader-seconds 12 --writers 8
 * Creates the scratch database lockstep_bench_my_<hex> (dropped at the end; nothing else is touched) and,
 * for every variant, a fresh `orders` copied from a seed table, so every variant starts equal. 8 writers
 * in this process run BEGIN; UPDATE orders by id; INSERT INTO orders; COMMIT in a loop; every
 * transaction's start, end and outcome is recorded (process.hrtime, the monotonic clock). Each variant:
 * 2 s of traffic, the change, 2 s of traffic after it ended.
 *
 * Scenarios
 *  (a) instant `ADD COLUMN` behind a reader that holds the table's metadata lock for 12 s
 *      (BEGIN; SELECT … FROM orders; … COMMIT 12 s later):
 *      - naive: `ALTER TABLE … ADD COLUMN …, ALGORITHM=INSTANT` with the server's lock_wait_timeout;
 *      - lockstep apply: `lockstep apply` of the SQL `ALTER TABLE orders ADD COLUMN flag TINYINT NULL`
 *        (src/dialects/mysql/migrate: its plan and its metadata-lock guard);
 *      - guard (bench blocks): the metadata-lock guard of issue 13 built in this file — before each attempt, wait while a transaction
 *        older than 1 s is open (information_schema.INNODB_TRX, named in the output), then the DDL under
 *        `SET STATEMENT max_statement_time = 0.1, lock_wait_timeout = 1 FOR …` (MariaDB: the bounded wait
 *        in the metadata-lock queue is 0.1 s; `WAIT n` and lock_wait_timeout take whole seconds only, and
 *        `WAIT 0.2` acts as NOWAIT), jittered backoff and retries on 1969/1205.
 *        (guardedInstant below; written before lockstep's MySQL apply landed, kept for comparison).
 *  (b) `MODIFY amount DECIMAL(14,2) NOT NULL` (COPY: the server refuses LOCK=NONE):
 *      - naive: the ALTER as written;
 *      - pt-osc: lockstep's `--engine pt-osc` (src/dialects/mysql/pt-osc.ts) in a child process;
 *      - lockstep: lockstep's own online copy (src/dialects/mysql/online-copy.ts) when this build has it.
 * Per variant: longest gap between commits, p99 / max transaction latency (and p99 of the 2 s before the
 * change), failed transactions (by server error), the change's duration, copy rows/s, the engine
 * process's peak RSS (and pt-osc's own), the end state (column type, rows = seed + committed inserts,
 * SUM(amount) = seed + committed updates and inserts: no write lost), no pt-osc/lockstep trigger or
 * shadow table left, and the load average before and after. Prints markdown to stdout (progress to stderr).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import mysql from 'mysql2/promise';

const self = fileURLToPath(import.meta.url);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[bench]', ...a);

function connOptions(url, database) {
  const u = new URL(url);
  const db = database ?? (u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(db ? { database: db } : {}),
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
}

// ---------------------------------------------------------------------------------------------------
// Child mode: load a copy engine, say ready, run on 'go'; report events, wall time and peak RSS.
if (process.argv[2] === '--copy-child') {
  const { url, engine, job, options } = JSON.parse(process.env.BENCH_COPY);
  let rssMax = process.memoryUsage().rss;
  const timer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 100);
  try {
    const { copyEngine } = await import('../dist/dialects/mysql/engines.js');
    const e = await copyEngine(engine);
    const why = await e.unavailable(url);
    if (why) throw new Error(why);
    const go = new Promise((r) => process.once('message', r));
    process.send({ type: 'ready' });
    await go;
    const t0 = now();
    const result = await e.run(url, job, { ...options, onProgress: (ev) => process.send({ type: 'event', t: now(), e: ev }) });
    const t1 = now();
    rssMax = Math.max(rssMax, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    process.send({ type: 'end', t0, t1, result, rssMax });
  } catch (err) {
    process.send({ type: 'error', message: String(err?.message ?? err) });
  } finally {
    clearInterval(timer);
    process.disconnect();
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------
// Options
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const URL_ = opt('url', process.env.LOCKSTEP_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306');
const ROWS = Number(opt('rows', 1_000_000));
const WRITERS = Number(opt('writers', 8));
const READER_S = Number(opt('reader-seconds', 12));
const ONLY = opt('only', '')
  .split(',')
  .filter(Boolean);
const CAP_S = Number(opt('cap-seconds', 240));
const want = (id) => !ONLY.length || ONLY.includes(id);

const dbName = `lockstep_bench_my_${randomBytes(4).toString('hex')}`;
const admin = await mysql.createConnection(connOptions(URL_));
const [[{ v: version }]] = await admin.query('SELECT VERSION() AS v');
await admin.query(`CREATE DATABASE \`${dbName}\``);
const dbUrl = (() => {
  const u = new URL(URL_);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const pool = mysql.createPool({ ...connOptions(URL_, dbName), connectionLimit: 4 });
const q = async (sql, p) => (await pool.query(sql, p))[0];

const engines = await import('../dist/dialects/mysql/engines.js').then((m) => Object.keys(m.copyEngines));

async function seed() {
  log(`seeding ${ROWS} rows`);
  await q(`CREATE TABLE seed (id BIGINT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL, amount DECIMAL(10,2) NOT NULL, note VARCHAR(40) NOT NULL, created_at DATETIME NOT NULL, KEY (customer_id)) ENGINE=InnoDB`);
  for (let from = 1; from <= ROWS; from += 200_000) {
    const to = Math.min(ROWS, from + 199_999);
    await q(`INSERT INTO seed SELECT seq, seq % 5000, (seq % 100000) / 100, CONCAT('order ', seq), '2026-01-01' + INTERVAL (seq % 86400) SECOND FROM seq_${from}_to_${to}`);
  }
  const [s] = await q('SELECT COUNT(*) AS n, SUM(amount) AS s FROM seed');
  return { n: Number(s.n), sum: Number(s.s) };
}

async function freshOrders() {
  await q('DROP TABLE IF EXISTS orders');
  await q('CREATE TABLE orders LIKE seed');
  await q('INSERT INTO orders SELECT * FROM seed');
}

/** 8 writers: BEGIN; UPDATE by id (+1.00); INSERT (1.00); COMMIT. */
function startWriters(maxId) {
  let stop = false;
  const txns = []; // { start, end, ok, err }
  const done = { updates: 0, inserts: 0 };
  const loops = Array.from({ length: WRITERS }, async (_, w) => {
    const c = await mysql.createConnection(connOptions(URL_, dbName));
    c.on('error', () => {});
    for (let i = 0; !stop; i++) {
      const start = now();
      try {
        await c.query('BEGIN');
        await c.query('UPDATE orders SET amount = amount + 1, note = ? WHERE id = ?', [`w${w} ${i}`, 1 + Math.floor(Math.random() * maxId)]);
        await c.query('INSERT INTO orders (customer_id, amount, note, created_at) VALUES (?, 1.00, ?, NOW())', [w, `w${w} ${i}`]);
        await c.query('COMMIT');
        done.updates++;
        done.inserts++;
        txns.push({ start, end: now(), ok: true });
      } catch (e) {
        txns.push({ start, end: now(), ok: false, err: e?.errno ? `${e.errno} ${e.code}` : String(e?.message ?? e) });
        await c.query('ROLLBACK').catch(() => {});
      }
    }
    await c.end().catch(() => {});
  });
  return {
    txns,
    done,
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}

function pct(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function metrics(txns, from, to, before) {
  const inWin = txns.filter((t) => t.end >= from && t.start <= to);
  const commits = inWin.filter((t) => t.ok).map((t) => t.end).sort((a, b) => a - b);
  let gap = 0;
  let prev = from;
  for (const c of [...commits, to]) {
    gap = Math.max(gap, c - prev);
    prev = c;
  }
  const lat = inWin.filter((t) => t.ok).map((t) => t.end - t.start);
  const failed = inWin.filter((t) => !t.ok);
  const byErr = {};
  for (const f of failed) byErr[f.err] = (byErr[f.err] ?? 0) + 1;
  const base = txns.filter((t) => t.ok && t.start >= before && t.end <= from).map((t) => t.end - t.start);
  return { gapMs: gap, p99Ms: pct(lat, 99), maxMs: lat.length ? Math.max(...lat) : null, baseP99Ms: pct(base, 99), commits: commits.length, failed: failed.length, byErr };
}

async function leftovers() {
  const t = await q("SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME NOT IN ('seed', 'orders') AND TABLE_NAME NOT LIKE 'lockstep\\_%'", [dbName]);
  const g = await q('SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [dbName]);
  return [...t.map((r) => `table ${r.n}`), ...g.map((r) => `trigger ${r.n}`)];
}

/** Peak RSS (VmHWM, bytes) of running pt-online-schema-change processes on our database, sampled. */
function ptOscRss() {
  let max = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes('pt-online-schema-change') || !cmd.includes(`D=${dbName},`)) continue;
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
      if (m) max = Math.max(max, Number(m[1]) * 1024);
    } catch {
      /* gone */
    }
  }
  return max;
}

/** Runs a copy engine in a child process (the way the CLI runs beside an application). */
function copyChild(engine, job, options) {
  const child = fork(self, ['--copy-child'], { env: { ...process.env, BENCH_COPY: JSON.stringify({ url: dbUrl, engine, job, options }) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const events = [];
  let ptRss = 0;
  let sampler;
  const ready = new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.type === 'ready') resolve();
      if (m.type === 'error') reject(new Error(m.message));
    });
    child.on('exit', () => reject(new Error('child exited before it was ready')));
  });
  const end = new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.type === 'event') events.push(m);
      if (m.type === 'end') resolve(m);
      if (m.type === 'error') reject(new Error(m.message));
    });
    child.on('exit', () => reject(new Error('child exited without a result')));
  });
  end.catch(() => {});
  return {
    ready,
    go() {
      sampler = setInterval(() => (ptRss = Math.max(ptRss, ptOscRss())), 200);
      child.send('go');
      return end.finally(() => clearInterval(sampler)).then((m) => ({ ...m, events, ptRss }));
    },
  };
}

/** lockstep's metadata-lock guard for one DDL (issue 13): wait out long transactions, then a bounded WAIT, jittered retries. */
async function guardedInstant(sql, notes) {
  const c = await mysql.createConnection(connOptions(URL_, dbName));
  try {
    const [[{ id }]] = await c.query('SELECT CONNECTION_ID() AS id');
    let waits = 0;
    for (let attempt = 1; attempt <= 200; ) {
      const [long] = await c.query(
        'SELECT trx_mysql_thread_id AS id, TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6)) / 1e6 AS age FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id <> ? AND trx_started < NOW(6) - INTERVAL 1 SECOND',
        [id],
      );
      if (long.length) {
        if (!notes.length || notes.at(-1) !== `waiting on thread ${long[0].id}`) notes.push(`waiting on thread ${long[0].id}`);
        waits++;
        await sleep(150 + Math.random() * 150);
        continue;
      }
      try {
        attempt++;
        await c.query(sql);
        notes.push(`ran on attempt ${attempt - 1} after ${waits} waits`);
        return;
      } catch (e) {
        if (e?.errno !== 1205 && e?.errno !== 1969) throw e;
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
      }
    }
    throw new Error('gave up after 200 attempts');
  } finally {
    await c.end().catch(() => {});
  }
}

async function variant(scenario, name, run) {
  await freshOrders();
  const [s0] = await q('SELECT COUNT(*) AS n, SUM(amount) AS s, MAX(id) AS m FROM orders');
  const load0 = os.loadavg();
  const w = startWriters(Number(s0.m));
  const tBefore = now();
  await sleep(2000);
  const t0 = now();
  const out = { notes: [] };
  let error;
  try {
    let cap;
    // The cap's timer is cleared when the change ends (a pending one kept the process alive for CAP_S seconds after the last variant).
    await Promise.race([run(out), new Promise((_, reject) => (cap = setTimeout(() => reject(new Error(`cap of ${CAP_S} s reached`)), CAP_S * 1000)))]).finally(() => clearTimeout(cap));
  } catch (e) {
    error = String(e?.message ?? e);
  }
  const t1 = now();
  await sleep(2000);
  const t2 = now();
  await w.stop();
  const load1 = os.loadavg();
  const m = metrics(w.txns, t0, t1, tBefore);
  const mAll = metrics(w.txns, t0, t2, tBefore);
  const [s1] = await q('SELECT COUNT(*) AS n, SUM(amount) AS s FROM orders');
  const [col] = await q("SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'orders' AND COLUMN_NAME = ?", [dbName, out.column ?? 'amount']);
  const expectN = Number(s0.n) + w.done.inserts;
  const expectSum = Number(s0.s) + w.done.updates + w.done.inserts;
  const left = await leftovers();
  const r = {
    scenario,
    name,
    error,
    changeS: (t1 - t0) / 1000,
    gapMs: Math.max(m.gapMs, mAll.gapMs),
    p99Ms: mAll.p99Ms,
    maxMs: mAll.maxMs,
    baseP99Ms: m.baseP99Ms,
    commits: mAll.commits,
    failed: mAll.failed,
    byErr: mAll.byErr,
    column: col?.t ?? '(missing)',
    rowsOk: Number(s1.n) === expectN,
    sumOk: Math.abs(Number(s1.s) - expectSum) < 0.005,
    rowsGot: Number(s1.n),
    rowsWant: expectN,
    left,
    load0,
    load1,
    ...out,
  };
  log(JSON.stringify(r));
  return r;
}

const results = [];
const seedInfo = await seed();
try {
  // (a) instant ADD COLUMN behind a 12 s reader
  const behindReader = (ddl) => async (out) => {
    const reader = await mysql.createConnection(connOptions(URL_, dbName));
    await reader.query('BEGIN');
    await reader.query('SELECT id FROM orders LIMIT 1');
    const released = sleep(READER_S * 1000).then(() => reader.query('COMMIT')).finally(() => reader.end());
    await sleep(100);
    out.column = 'flag';
    await ddl(out);
    await released;
  };
  const ADD = 'ADD COLUMN flag TINYINT NULL, ALGORITHM=INSTANT';
  if (want('a:naive')) {
    results.push(await variant('a', 'naive ALTER', behindReader(async () => {
      const c = await mysql.createConnection(connOptions(URL_, dbName));
      try {
        await c.query(`ALTER TABLE orders ${ADD}`);
      } finally {
        await c.end();
      }
    })));
  }
  if (want('a:guard')) {
    results.push(await variant('a', 'guard (bench blocks)', behindReader(async (out) => guardedInstant(`SET STATEMENT max_statement_time = 0.1, lock_wait_timeout = 1 FOR ALTER TABLE orders ${ADD}`, out.notes))));
  }
  if (want('a:lockstep')) {
    // lockstep apply itself (src/dialects/mysql/migrate): the SQL migration becomes its plan, its guard runs the step.
    const { changeFromMysql } = await import('../dist/dialects/mysql/migrate/from-sql.js');
    const { applyMysql } = await import('../dist/dialects/mysql/migrate/apply.js');
    results.push(await variant('a', 'lockstep apply', behindReader(async (out) => {
      const { change } = changeFromMysql('ALTER TABLE orders ADD COLUMN flag TINYINT NULL;', { name: `bench-add-${randomBytes(3).toString('hex')}` });
      const waits = [];
      const r = await applyMysql(change, { url: dbUrl, onProgress: (e) => { if (/wait|lock|block/i.test(e.type)) waits.push(e.type); } });
      out.notes.push(`apply ran ${r.ran.join(', ')}; ${waits.length} lock-wait events`);
    })));
  }

  // (b) MODIFY amount DECIMAL(14,2): a table copy
  const MODIFY = 'MODIFY amount DECIMAL(14,2) NOT NULL';
  if (want('b:naive')) {
    results.push(await variant('b', 'naive ALTER', async (out) => {
      const t = now();
      await q(`ALTER TABLE orders ${MODIFY}`);
      out.copyRowsPerS = ROWS / ((now() - t) / 1000);
    }));
  }
  for (const engine of ['pt-osc', 'lockstep']) {
    if (!want(`b:${engine}`)) continue;
    if (!engines.includes(engine)) {
      log(`b:${engine}: not in this build (engines: ${engines.join(', ')}); skipped`);
      results.push({ scenario: 'b', name: `${engine} engine`, skipped: `not in this build (it has: ${engines.join(', ')})` });
      continue;
    }
    const job = { table: 'orders', alter: MODIFY, change: `bench-${randomBytes(3).toString('hex')}`, step: 'copy' };
    let child;
    results.push(await variant('b', `${engine} engine`, async (out) => {
      child = copyChild(engine, job, {});
      await child.ready;
      const m = await child.go();
      out.copyS = (m.t1 - m.t0) / 1000;
      const copyEv = m.events.filter((e) => e.e.type === 'copy-phase');
      const cStart = copyEv.find((e) => e.e.phase === 'copy')?.t;
      const cEnd = copyEv.find((e) => e.e.phase === 'cut-over' || e.e.phase === 'verify')?.t;
      out.copyRowsPerS = cStart && cEnd ? ROWS / ((cEnd - cStart) / 1000) : m.result.rowsPerSecond;
      out.rssMb = m.rssMax / 2 ** 20;
      if (m.ptRss) out.ptRssMb = m.ptRss / 2 ** 20;
      out.notes.push(`engine result rows ${m.result.rows}, ${m.events.filter((e) => e.e.type === 'copy-progress').length} progress events, ${m.events.filter((e) => e.e.type === 'copy-paused').length} pauses`);
    }));
  }
} finally {
  await pool.end().catch(() => {});
  await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => {});
  await admin.end().catch(() => {});
}

// ---------------------------------------------------------------------------------------------------
const f = (x, d = 2) => (x === null || x === undefined ? '–' : Number(x).toFixed(d));
const lines = [];
lines.push(`${version}, ${ROWS.toLocaleString('en-US')} rows (seed ${seedInfo.n}), ${WRITERS} writers (BEGIN; UPDATE by id; INSERT; COMMIT), reader ${READER_S} s in (a); ${os.cpus().length} cores, node ${process.version}.`);
lines.push('');
lines.push('| scenario | variant | change s | longest commit gap s | p99 ms (before) | max ms | commits | failed txns | copy rows/s | lockstep RSS MB | pt-osc RSS MB | end state | load avg before → after |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  if (r.skipped) {
    lines.push(`| ${r.scenario} | ${r.name} | – | – | – | – | – | – | – | – | – | skipped: ${r.skipped} | – |`);
    continue;
  }
  const errs = Object.entries(r.byErr).map(([k, v]) => `${v}× ${k}`).join(', ');
  const end = [r.error ? `ERROR ${r.error}` : '', r.column, r.rowsOk ? 'rows ok' : `rows ${r.rowsGot}≠${r.rowsWant}`, r.sumOk ? 'sum ok' : 'SUM WRONG', r.left.length ? `left: ${r.left.join(', ')}` : 'nothing left'].filter(Boolean).join('; ');
  lines.push(
    `| ${r.scenario} | ${r.name} | ${f(r.changeS)} | ${f(r.gapMs / 1000, 3)} | ${f(r.p99Ms, 1)} (${f(r.baseP99Ms, 1)}) | ${f(r.maxMs, 0)} | ${r.commits} | ${r.failed}${errs ? ` (${errs})` : ''} | ${r.copyRowsPerS ? Math.round(r.copyRowsPerS).toLocaleString('en-US') : '–'} | ${r.rssMb ? f(r.rssMb, 0) : '–'} | ${r.ptRssMb ? f(r.ptRssMb, 0) : '–'} | ${end} | ${r.load0.map((x) => x.toFixed(2)).join(' ')} → ${r.load1.map((x) => x.toFixed(2)).join(' ')} |`,
  );
}
const notes = results.filter((r) => r.notes?.length).map((r) => `- ${r.scenario} ${r.name}: ${r.notes.join('; ')}`);
if (notes.length) lines.push('', ...notes);
console.log(lines.join('\n'));
