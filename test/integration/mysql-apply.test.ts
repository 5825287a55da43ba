/**
 * apply / rollback / status on the MariaDB service: the ledger tables in the target database, the
 * backfill's checkpoints (kill -9 and rerun), the metadata-lock guard behind a long reader, one apply
 * of a change at a time, and the CLI's exit codes. Each test has its own database.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { describeMariadb, freshMysqlDatabase, itMariadb, type MysqlTestDatabase } from '../helpers/mariadb.js';
import { bin, expectCleanError, runCli } from '../helpers/cli.js';
import { applyMysql, cleanupMysql, rollbackMysql, statusMysql } from '../../src/dialects/mysql/migrate/apply.js';
import { changeFromMysql } from '../../src/dialects/mysql/migrate/from-sql.js';
import type { ApplyEvent } from '../../src/apply/events.js';
import type { Change } from '../../src/operations/types.js';

const SPEC = `table: orders
addColumn:
  name: created_at
  type: datetime
  nullable: false
  default: CURRENT_TIMESTAMP
  index: true
`;

const change: Change = {
  name: 'orders-created-at',
  operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'created_at', type: 'datetime', nullable: false, default: 'CURRENT_TIMESTAMP', index: true }],
};

async function orders(db: MysqlTestDatabase, rows: number): Promise<void> {
  await db.query('CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(10,2), note VARCHAR(20)) ENGINE=InnoDB');
  await db.query(`INSERT INTO orders (amount) SELECT seq / 100 FROM seq_1_to_${rows}`);
}

const columns = async (db: MysqlTestDatabase) =>
  (await db.query<any>(`SELECT COLUMN_NAME AS c, IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' ORDER BY ORDINAL_POSITION`)).map((r) => `${r.c}${r.n === 'NO' ? ' not null' : ''}`);
const indexes = async (db: MysqlTestDatabase) => (await db.query<any>(`SELECT DISTINCT INDEX_NAME AS i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' ORDER BY 1`)).map((r) => r.i);

function specFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-myapply-'));
  const file = join(dir, 'orders-created-at.yaml');
  writeFileSync(file, SPEC);
  return file;
}

describeMariadb('MySQL/MariaDB apply, rollback and status', () => {
  itMariadb('apply → rollback → apply of a new NOT NULL column with a backfill, under writes', async () => {
    const db = await freshMysqlDatabase();
    await orders(db, 5000);
    // A writer runs throughout: inserts without the column (they get its default once it has one).
    let stop = false;
    let writes = 0;
    const w = await db.connect();
    const writer = (async () => {
      while (!stop) {
        await w.query('INSERT INTO orders (amount) VALUES (1.5)');
        await w.query('UPDATE orders SET note = ? WHERE id = ?', ['w', 1 + (writes % 5000)]);
        writes++;
      }
    })();
    try {
      const events: ApplyEvent[] = [];
      const r1 = await applyMysql(change, { url: db.url, onProgress: (e) => events.push(e) });
      expect(r1.ran).toEqual(['1.add-column', '1.set-default', '1.backfill', '1.set-not-null', '1.add-index']);
      expect(r1.backfills[0]!.rows).toBeGreaterThanOrEqual(5000);
      expect(events.some((e) => e.type === 'backfill' && e.rowsPerSecond > 0)).toBe(true);
      expect(await columns(db)).toEqual(['id not null', 'amount', 'note', 'created_at not null']);
      expect(await indexes(db)).toEqual(['orders_created_at_idx', 'PRIMARY']);
      const [{ n }] = await db.query<any>('SELECT COUNT(*) AS n FROM orders WHERE created_at IS NULL');
      expect(Number(n)).toBe(0);
      const st = await statusMysql(db.url);
      expect(st.map((c) => [c.change.name, c.change.state, c.steps.map((s) => s.state).join(',')])).toEqual([['orders-created-at', 'applied', 'done,done,done,done,done']]);

      const rb = await rollbackMysql(change.name, { url: db.url, yes: true });
      expect(rb.undone).toEqual(['1.add-index', '1.set-not-null', '1.backfill', '1.set-default', '1.add-column']);
      expect(rb.losses[0]).toMatchObject({ column: '`orders`.`created_at`' });
      expect(await columns(db)).toEqual(['id not null', 'amount', 'note']);
      expect(await indexes(db)).toEqual(['PRIMARY']);

      const r2 = await applyMysql(change, { url: db.url });
      expect(r2.ran).toHaveLength(5);
      expect(await columns(db)).toEqual(['id not null', 'amount', 'note', 'created_at not null']);
      // Again: nothing left to do.
      const r3 = await applyMysql(change, { url: db.url });
      expect(r3.ran).toEqual([]);
      expect(r3.skipped).toHaveLength(5);
    } finally {
      stop = true;
      await writer;
    }
    expect(writes).toBeGreaterThan(0);
  }, 90_000);

  itMariadb('kill -9 mid-backfill, then rerun: it resumes from the checkpoint, nothing redone or skipped', async () => {
    const db = await freshMysqlDatabase();
    await orders(db, 20_000);
    const file = specFile();
    const child = spawn(process.execPath, [bin, 'apply', file, '--db', db.url, '--batch-ms', '5', '--pause', '30'], { stdio: 'ignore' });
    let rows = 0;
    for (let i = 0; i < 600 && rows < 2000; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const r = await db.query<any>(`SELECT rows_done FROM lockstep_backfill WHERE change_name = 'orders-created-at'`).catch(() => []);
      rows = Number(r[0]?.rows_done ?? 0);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(rows).toBeGreaterThan(0);
    const [mid] = await db.query<any>(`SELECT rows_done AS done, last_key AS k FROM lockstep_backfill`);
    const [{ filled }] = await db.query<any>('SELECT COUNT(created_at) AS filled FROM orders');
    // The checkpoint commits with its batch: what is filled is exactly what the ledger says.
    expect(Number(filled)).toBe(Number(mid.done));
    expect(Number(mid.done)).toBeLessThan(20_000);
    const st = await statusMysql(db.url);
    expect(st[0]!.steps.find((s) => s.id === '1.backfill')!.state).toBe('running');

    const r = runCli(['apply', file, '--db', db.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming, 2 of 5 steps already done/);
    const [after] = await db.query<any>(`SELECT rows_done AS done FROM lockstep_backfill`);
    expect(Number(after.done)).toBe(20_000);
    const [{ missing }] = await db.query<any>('SELECT COUNT(*) AS missing FROM orders WHERE created_at IS NULL');
    expect(Number(missing)).toBe(0);
    expect(await columns(db)).toEqual(['id not null', 'amount', 'note', 'created_at not null']);
  }, 90_000);

  itMariadb('a run killed after a DDL and before its ledger mark: the rerun sees the DDL took effect and does not run it twice', async () => {
    const db = await freshMysqlDatabase();
    await orders(db, 100);
    const r1 = await applyMysql(change, { url: db.url, until: 'expand' });
    expect(r1.stoppedAfter).toBe('expand');
    // What kill -9 between `ALTER TABLE … ADD COLUMN` and its "done" leaves in the ledger.
    await db.query(`UPDATE lockstep_steps SET state = 'running', finished_at = NULL WHERE id IN ('1.add-column', '1.set-default')`);
    const events: ApplyEvent[] = [];
    const r2 = await applyMysql(change, { url: db.url, onProgress: (e) => events.push(e) });
    expect(r2.skipped).toContain('1.add-column');
    expect(events).toContainEqual({ type: 'step-skip', step: '1.add-column', reason: 'took effect in an earlier run that was stopped before it could say so' });
    // SET DEFAULT leaves nothing to recognize it by; it is safe to run again.
    expect(r2.ran).toEqual(['1.set-default', '1.backfill', '1.set-not-null', '1.add-index']);
    expect(await columns(db)).toEqual(['id not null', 'amount', 'note', 'created_at not null']);
  }, 60_000);

  itMariadb('an instant ADD COLUMN behind a reader holding a long transaction: retries out of the queue, names the reader, completes once it ends; writers go on', async () => {
    const db = await freshMysqlDatabase();
    await orders(db, 200);
    const reader = await db.connect();
    const [[{ id: readerId }]] = (await reader.query('SELECT CONNECTION_ID() AS id')) as any;
    await reader.query('START TRANSACTION');
    await reader.query('SELECT COUNT(*) FROM orders');
    const w = await db.connect();
    let stop = false;
    let writes = 0;
    let writesWhileBlocked = 0;
    let blocked = false;
    const writer = (async () => {
      while (!stop) {
        await w.query('UPDATE orders SET amount = amount + 1 WHERE id = ?', [1 + (writes % 200)]);
        writes++;
        if (blocked) writesWhileBlocked++;
      }
    })();
    const events: ApplyEvent[] = [];
    const simple: Change = { name: 'add-note2', operations: [{ kind: 'addColumn', table: { name: 'orders' }, name: 'note2', type: 'varchar(10)', nullable: true }] };
    let released = false;
    const applying = applyMysql(simple, {
      url: db.url,
      onProgress: (e) => {
        events.push(e);
        if ((e.type === 'lock-wait' || e.type === 'blockers') && !released) {
          blocked = true;
          released = true;
          // The reader ends a little later; writes must have gone on meanwhile.
          setTimeout(() => {
            blocked = false;
            void reader.query('COMMIT');
          }, 1500);
        }
      },
    });
    const r = await applying;
    stop = true;
    await writer;
    expect(r.ran).toEqual(['1.add-column']);
    const named = events.flatMap((e) => (e.type === 'lock-wait' || e.type === 'blockers' ? e.blockers : []));
    expect(named.map((b) => b.pid)).toContain(Number(readerId));
    expect(events.some((e) => e.type === 'lock-wait')).toBe(true);
    expect(writesWhileBlocked).toBeGreaterThan(0);
    expect(await columns(db)).toEqual(['id not null', 'amount', 'note', 'note2']);
  }, 60_000);

  itMariadb('two applies of one change at once: the second refuses, naming the first', async () => {
    const db = await freshMysqlDatabase();
    await orders(db, 5_000);
    const first = applyMysql(change, { url: db.url, batchMs: 5, pauseMs: 30 });
    // Wait until the first holds its lock and runs the backfill.
    for (let i = 0; i < 400; i++) {
      const r = await db.query<any>(`SELECT rows_done FROM lockstep_backfill`).catch(() => []);
      if (Number(r[0]?.rows_done ?? 0) > 0) break;
      await new Promise((x) => setTimeout(x, 25));
    }
    await expect(applyMysql(change, { url: db.url })).rejects.toThrow(/another apply or rollback of this change is running \(connection \d+\)/);
    const r = await first;
    expect(r.ran).toHaveLength(5);
  }, 90_000);

  itMariadb('hostile identifiers through apply, status and rollback: a 64-character table name with a backtick, quotes and unicode, a column with a backtick', async () => {
    const db = await freshMysqlDatabase();
    const table = 'ord`ers "ünï" ' + 'x'.repeat(50); // 64 characters: MySQL's limit
    expect([...table]).toHaveLength(64);
    const q = (n: string) => '`' + n.replace(/`/g, '``') + '`';
    await db.query(`CREATE TABLE ${q(table)} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, amount INT) ENGINE=InnoDB`);
    await db.query(`INSERT INTO ${q(table)} (amount) SELECT seq FROM seq_1_to_3000`);
    const hostile: Change = {
      name: 'hostile`change "ü"',
      operations: [{ kind: 'addColumn', table: { name: table }, name: 'créé`at', type: 'datetime', nullable: false, default: 'CURRENT_TIMESTAMP', index: true }],
    };
    const r = await applyMysql(hostile, { url: db.url, batchMs: 5 });
    expect(r.ran).toEqual(['1.add-column', '1.set-default', '1.backfill', '1.set-not-null', '1.add-index']);
    const cols = await db.query<any>(`SELECT COLUMN_NAME AS c, IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [table]);
    expect(cols.map((c) => `${c.c}${c.n === 'NO' ? ' not null' : ''}`)).toEqual(['id not null', 'amount', 'créé`at not null']);
    const [{ n }] = await db.query<any>(`SELECT COUNT(*) AS n FROM ${q(table)} WHERE ${q('créé`at')} IS NULL`);
    expect(Number(n)).toBe(0);
    // The index name the default would give is longer than 64 characters: it is shortened, still names the column.
    const idx = await db.query<any>(`SELECT DISTINCT INDEX_NAME AS i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY'`, [table]);
    expect(idx).toHaveLength(1);
    expect([...idx[0].i].length).toBeLessThanOrEqual(64);
    expect(idx[0].i).toContain('créé`at');
    const st = await statusMysql(db.url);
    expect(st.map((c) => [c.change.name, c.change.state])).toEqual([[hostile.name, 'applied']]);
    const rb = await rollbackMysql(hostile.name, { url: db.url, yes: true });
    expect(rb.undone).toEqual(['1.add-index', '1.set-not-null', '1.backfill', '1.set-default', '1.add-column']);
    const after = await db.query<any>(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [table]);
    expect(after.map((c) => c.c)).toEqual(['id', 'amount']);
  }, 60_000);

  itMariadb('MODIFY amount DECIMAL(14,2): an online copy step through the lockstep engine, under writes; rollback copies back; nothing left behind', async () => {
    const db = await freshMysqlDatabase();
    await orders(db, 5000);
    const { change: widen } = changeFromMysql('ALTER TABLE orders MODIFY amount DECIMAL(14,2);', { file: 'widen.sql' });
    let stop = false;
    let inserted = 0;
    const w = await db.connect();
    // An application retries a deadlock (the copy's chunks and triggers lock rows too); how often is the copy engine's business.
    let retried = 0;
    const retry = async (sql: string, params: unknown[]) => {
      for (;;) {
        try {
          return await w.query(sql, params);
        } catch (e: any) {
          if (e?.errno !== 1213 && e?.errno !== 1205) throw e;
          retried++;
        }
      }
    };
    const writer = (async () => {
      while (!stop) {
        await retry('INSERT INTO orders (amount) VALUES (2.25)', []);
        inserted++;
        await retry('UPDATE orders SET note = ? WHERE id = ?', [`n${inserted}`, 1 + (inserted % 5000)]);
      }
    })();
    const type = async () => (await db.query<any>(`SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'amount'`))[0].t;
    const leftovers = async () => [
      ...(await db.query<any>(`SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()`)).map((r) => r.n),
      ...(await db.query<any>(`SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '\\_orders%'`)).map((r) => r.n),
    ];
    try {
      const events: ApplyEvent[] = [];
      const r = await applyMysql(widen, { url: db.url, onProgress: (e) => events.push(e) });
      expect(r.plan.phases[0]!.steps[0]!.online?.copy?.engine).toBe('lockstep');
      expect(r.ran).toEqual(['1.modify-column']);
      expect(events.some((e) => e.type === 'backfill' && e.rowsPerSecond > 0)).toBe(true);
      expect(await type()).toBe('decimal(14,2)');
      expect(await leftovers()).toEqual([]);
      const rb = await rollbackMysql(widen.name, { url: db.url });
      expect(rb.undone).toEqual(['1.modify-column']);
      expect(await type()).toBe('decimal(10,2)');
      expect(await leftovers()).toEqual([]);
      expect(await cleanupMysql(db.url)).toEqual([]);
    } finally {
      stop = true;
      await writer;
    }
    // Every row, the original ones and every insert, is still there with its value.
    const [{ n, bad }] = await db.query<any>(`SELECT COUNT(*) AS n, SUM(id > 5000 AND amount <> 2.25) AS bad FROM orders`);
    expect(Number(n)).toBe(5000 + inserted);
    expect(Number(bad)).toBe(0);
    const [{ s: sum }] = await db.query<any>('SELECT SUM(amount) AS s FROM orders WHERE id <= 5000');
    expect(Number(sum)).toBeCloseTo((5000 * 5001) / 2 / 100, 2);
    if (retried) console.info(`online copy under writes: the writer retried ${retried} deadlocked/timed-out statement(s)`);
  }, 90_000);

  itMariadb('the CLI: bad input is one line with exit 2, a refused connection exit 4 (password redacted), plan --format json says mysql', async () => {
    const db = await freshMysqlDatabase();
    await orders(db, 10);
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-myapply-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'table: orders\naddColumn:\n  name: x\n  type: int\n  nulable: true\n');
    expectCleanError(runCli(['apply', bad, '--db', db.url]), /bad\.yaml:5: addColumn\.nulable: unknown key/);
    expectCleanError(runCli(['apply', specFile(), '--db', 'mysql://root:s3cret@127.0.0.1:1/x']), /cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/x/, 4);
    expectCleanError(runCli(['apply', specFile(), '--db', db.url, '--engine', 'gh-ost']), /--engine: must be one of lockstep, pt-osc/);
    const plan = runCli(['plan', specFile(), '--db', db.url, '--format', 'json']);
    expect(plan.code, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout);
    expect(p.dialect).toBe('mysql');
    expect(p.server.flavor).toBe('mariadb');
    expect(p.phases[0].steps[0].up).toBe('ALTER TABLE `orders` ADD COLUMN `created_at` datetime NULL, ALGORITHM=INSTANT');
  }, 60_000);
});
