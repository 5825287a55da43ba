/**
 * A private MariaDB primary (binary log on, ROW) and replica pair for the tests that prove how the online
 * copy behaves with a replica — the shared MariaDB service has no binary log, so it cannot be a primary.
 * Both servers are child processes of the test, from the same mariadbd the service runs, each on a free
 * loopback port with its own data directory (mariadb-install-db once, then a copy); the replica sets
 * report_host so the primary lists it in SHOW SLAVE HOSTS. `stop()` ends both and removes the
 * directories, and is safe after a failed start. `available()` says whether the binaries are there.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from '../../src/core/net.js';

const run = promisify(execFile);
const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((p) => existsSync(p));
const INSTALL = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'].find((p) => existsSync(p));

export function replicaPairAvailable(): string | undefined {
  if (!MARIADBD || !INSTALL) return 'mariadbd / mariadb-install-db not installed';
  return undefined;
}

export interface MariadbPair {
  primaryUrl: string;
  replicaUrl: string;
  replicaPort: number;
  /** A connection to the replica (closed by stop()). */
  replica(): Promise<mysql.Connection>;
  /** Waits until the replica has applied everything the primary wrote so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function waitUp(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`mariadbd on ${port} exited: ${log()}`);
    try {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
      await c.end();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`mariadbd on ${port} did not start: ${log()}`);
}

export async function startMariadbPair(): Promise<MariadbPair> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-mdb-pair-'));
  const procs: ChildProcess[] = [];
  const conns: mysql.Connection[] = [];
  const stop = async () => {
    await Promise.all(conns.map((c) => c.end().catch(() => c.destroy())));
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
            setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const d1 = join(dir, 'primary');
    const d2 = join(dir, 'replica');
    await run(INSTALL!, ['--no-defaults', `--datadir=${d1}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { timeout: 60_000 });
    await cp(d1, d2, { recursive: true });
    const [p1, p2] = [await freePort(), await freePort()];
    const start = (datadir: string, port: number, extra: string[]) => {
      let log = '';
      const p = spawn(
        MARIADBD!,
        [
          '--no-defaults',
          `--datadir=${datadir}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${datadir}.sock`,
          `--pid-file=${datadir}.pid`,
          '--user=root',
          '--skip-name-resolve',
          '--innodb-buffer-pool-size=32M',
          '--innodb-log-file-size=16M',
          ...extra,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      p.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
      procs.push(p);
      return waitUp(port, p, () => log);
    };
    await Promise.all([
      start(d1, p1, ['--server-id=1', '--log-bin=mb', '--binlog-format=ROW']),
      start(d2, p2, ['--server-id=2', '--report-host=127.0.0.1', `--report-port=${p2}`, '--read-only=0']),
    ]);
    const r = await mysql.createConnection({ host: '127.0.0.1', port: p2, user: 'root' });
    conns.push(r);
    await r.query(`CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${p1}, MASTER_USER = 'root', MASTER_PASSWORD = '', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1`);
    await r.query('START SLAVE');
    const p = await mysql.createConnection({ host: '127.0.0.1', port: p1, user: 'root' });
    conns.push(p);
    const pair: MariadbPair = {
      primaryUrl: `mysql://root@127.0.0.1:${p1}`,
      replicaUrl: `mysql://root@127.0.0.1:${p2}`,
      replicaPort: p2,
      async replica() {
        const c = await mysql.createConnection({ host: '127.0.0.1', port: p2, user: 'root', multipleStatements: true });
        c.on('error', () => {});
        conns.push(c);
        return c;
      },
      async caughtUp(timeoutMs = 20_000) {
        const [[g]] = (await p.query('SELECT @@gtid_binlog_pos AS pos')) as any;
        const [[w]] = (await r.query('SELECT MASTER_GTID_WAIT(?, ?) AS ok', [g.pos, timeoutMs / 1000])) as any;
        if (Number(w.ok) !== 0) throw new Error(`replica did not catch up with ${g.pos} in ${timeoutMs} ms`);
      },
      stop,
    };
    // The primary lists the replica once it has connected.
    for (let i = 0; i < 100; i++) {
      const [hosts] = (await p.query('SHOW SLAVE HOSTS')) as any;
      if (hosts.length) return pair;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the replica never registered with the primary');
  } catch (e) {
    await stop();
    throw e;
  }
}
