/**
 * What a MySQL/MariaDB rehearsal sees while a statement runs:
 *  - rewrites: the InnoDB table id (information_schema.INNODB_SYS_TABLES on MariaDB, INNODB_TABLES on
 *    MySQL) changes when the table is rebuilt (ALGORITHM=COPY, or INPLACE with a rebuild); an instant or
 *    in-place change without a rebuild keeps it;
 *  - stalls: a writer session updates one row of the statement's table (`SET k = k`: the row does not
 *    change) in a loop, each waiting at most 1 s for a lock (lock_wait_timeout, innodb_lock_wait_timeout);
 *    the longest time between two of its commits while the statement ran is the statement's stall.
 * Locks are not traced on MySQL (no per-statement lock view without performance_schema): `observed: 'none'`.
 */
import type { MyDb } from '../driver.js';
import { quoteIdent } from '../names.js';

/** Table name → InnoDB table id, for the connection's database. */
export async function tableIds(db: MyDb): Promise<Map<string, string>> {
  const d = String((await db.query<{ d: string }>('SELECT DATABASE() AS d'))[0]!.d);
  for (const view of ['INNODB_SYS_TABLES', 'INNODB_TABLES']) {
    const r = await db.query<{ n: string; i: string }>(`SELECT NAME AS n, TABLE_ID AS i FROM information_schema.${view} WHERE NAME LIKE ?`, [`${d.replace(/[\\%_]/g, '\\$&')}/%`]).catch(() => undefined);
    if (r) return new Map(r.map((x) => [decodeName(String(x.n).slice(String(x.n).indexOf('/') + 1)), String(x.i)]));
  }
  return new Map();
}

/** InnoDB's file-name encoding of a table name (`@0024` for `$`, …) back to the name. */
function decodeName(s: string): string {
  return s.replace(/@([0-9a-f]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

export class StallProbe {
  private running = false;
  private last = 0;
  private longest = 0;
  private loop: Promise<void> = Promise.resolve();
  private ready = false;
  constructor(private readonly db: MyDb) {}

  /** Starts probing `table`, when it has a one-column primary key and a row; false when there is nothing to probe. */
  async start(table: string): Promise<boolean> {
    if (!this.ready) {
      await this.db.query('SET SESSION lock_wait_timeout = 1').catch(() => {});
      await this.db.query('SET SESSION innodb_lock_wait_timeout = 1').catch(() => {});
      this.ready = true;
    }
    const key = await this.db
      .query<{ c: string }>(`SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY'`, [table])
      .catch(() => []);
    if (key.length !== 1) return false;
    const k = quoteIdent(key[0]!.c);
    const t = quoteIdent(table);
    const row = await this.db.query<{ v: unknown }>(`SELECT ${k} AS v FROM ${t} LIMIT 1`).catch(() => []);
    if (!row.length) return false;
    const v = row[0]!.v;
    const write = `UPDATE ${t} SET ${k} = ${k} WHERE ${k} = ?`;
    this.running = true;
    this.longest = 0;
    this.last = Date.now();
    this.loop = (async () => {
      while (this.running) {
        let ok = true;
        try {
          await this.db.query(write, [v]);
        } catch (e: any) {
          // Waited past the timeout (1205): traffic not served. Anything else (the table renamed or
          // dropped by the statement) is not a stall.
          ok = e?.errno !== 1205;
          await new Promise((r) => setTimeout(r, 5));
        }
        const now = Date.now();
        this.longest = Math.max(this.longest, now - this.last);
        if (ok) this.last = now;
        await new Promise((r) => setImmediate(r));
      }
    })();
    return true;
  }

  /** Stops the loop; the longest gap between two commits since start (ms). */
  async stop(): Promise<number> {
    this.running = false;
    await this.loop;
    return Math.max(this.longest, Date.now() - this.last);
  }
}
