/**
 * The MySQL/MariaDB session model: implicit commits (no transactional DDL), lock_wait_timeout and the
 * statement timeouts with their units, per-statement settings, foreign_key_checks, sql_mode.
 * Statements are built as the parser gives them (ast.ts), so this tests the model alone.
 */
import { describe, expect, test } from 'vitest';
import { MySession, statementWait, statementTimeout, foreignKeyChecksFor, formatWait, isSchemaChange } from '../../../src/dialects/mysql/session.js';
import type { Assignment, MyStatement } from '../../../src/dialects/mysql/ast.js';
import type { TransactionMode } from '../../../src/parse/migrations.js';

let at = 0;
function st(s: Record<string, unknown> & { kind: string; text: string }): any {
  const span = { start: at, end: at + s.text.length };
  at += s.text.length + 2;
  return { ...s, span };
}
const set = (text: string, ...assignments: Assignment[]) => st({ kind: 'set', text, assignments });
const a = (name: string, value: string, scope: Assignment['scope'] = 'session'): Assignment => {
  const n = Number(value);
  const q = /^'(.*)'$/.exec(value);
  return { scope, name, value, ...(Number.isFinite(n) && value.trim() !== '' ? { literal: n } : q ? { literal: q[1]! } : {}) };
};
const alter = (text: string, extra: Partial<MyStatement> = {}) => st({ kind: 'alter-table', text, table: { name: 'orders' }, actions: [], ...extra } as any);
const begin = () => st({ kind: 'begin', text: 'START TRANSACTION' });
const commit = () => st({ kind: 'commit', text: 'COMMIT' });
const insert = () => st({ kind: 'insert', text: 'INSERT INTO orders VALUES (1)', table: { name: 'orders' } });

function run(flavor: 'mysql' | 'mariadb', stmts: MyStatement[], mode: TransactionMode = 'none', defaults?: ConstructorParameters<typeof MySession>[3]) {
  const s = new MySession(flavor, mode, stmts.length, defaults, (x) => `stmt ${stmts.indexOf(x) + 1}`);
  const before = stmts.map((x) => {
    const snap = { tx: { ...s.tx, ddl: [...s.tx.ddl], broken: [...s.tx.broken] }, timeouts: s.timeouts };
    s.apply(x, undefined);
    return snap;
  });
  return { s, before };
}

describe('MySQL session: no transactional DDL', () => {
  test('a DDL inside START TRANSACTION … COMMIT commits the transaction before it and itself', () => {
    const b = begin();
    const i = insert();
    const d = alter('ALTER TABLE orders ADD COLUMN note text');
    const after = insert();
    const { s, before } = run('mysql', [b, i, d, after, commit()]);
    expect(before[1]!.tx).toMatchObject({ open: true, byRunner: false, begin: b });
    expect(before[2]!.tx.open).toBe(true); // the rule on the DDL sees the transaction it is about to end
    expect(before[3]!.tx.open).toBe(false); // the INSERT after it runs in autocommit
    expect(s.tx.broken).toEqual([{ by: d, begin: b, byRunner: false }]);
    expect(s.tx.ddl).toEqual([d]);
  });

  test("the runner's transaction (Flyway, Prisma) ends at the first DDL; later DDL are counted, not 'broken' again", () => {
    const d1 = alter('ALTER TABLE orders ADD COLUMN a int');
    const d2 = alter('ALTER TABLE orders ADD COLUMN b int');
    const { s, before } = run('mariadb', [d1, d2], 'wrapped');
    expect(before[0]!.tx).toMatchObject({ open: true, byRunner: true });
    expect(before[1]!.tx.open).toBe(false);
    expect(s.tx.broken).toEqual([{ by: d1, byRunner: true }]);
    expect(s.tx.ddl).toEqual([d1, d2]);
  });

  test('CREATE TEMPORARY TABLE does not commit; ANALYZE commits but is not a schema change', () => {
    const tmp = st({ kind: 'create-table', text: 'CREATE TEMPORARY TABLE t (a int)', table: { name: 't' }, temporary: true, columns: [], indexes: [], foreignKeys: [], checks: [], options: {} } as any);
    const an = st({ kind: 'analyze', text: 'ANALYZE TABLE orders', tables: [{ name: 'orders' }] } as any);
    const b = begin();
    const { s } = run('mysql', [b, tmp, an]);
    expect(s.tx.broken.map((x) => x.by)).toEqual([an]);
    expect(s.tx.ddl).toEqual([]);
    expect(isSchemaChange(an)).toBe(false);
  });

  test('SET autocommit = 0 starts a transaction with the next statement; SET autocommit = 1 commits it', () => {
    const i = insert();
    const i2 = insert();
    const { before } = run('mysql', [set('SET autocommit = 0', a('autocommit', '0')), i, set('SET autocommit = 1', a('autocommit', '1')), i2]);
    expect(before[1]!.tx.open).toBe(false);
    expect(before[2]!.tx.open).toBe(true);
    expect(before[3]!.tx.open).toBe(false);
  });
});

describe('MySQL session: lock_wait_timeout', () => {
  test('server defaults: a year on MySQL, a day on MariaDB; SessionDefaults (from --db or config) win', () => {
    expect(run('mysql', []).s.timeouts.lock).toEqual({ ms: 31_536_000_000, source: 'server default (31536000 s on MySQL)' });
    expect(run('mariadb', []).s.timeouts.lock).toEqual({ ms: 86_400_000, source: 'server default (86400 s on MariaDB)' });
    expect(run('mariadb', [], 'none', { lockTimeoutMs: 5000, source: "the database's settings for this user" }).s.timeouts.lock).toEqual({ ms: 5000, source: "the database's settings for this user" });
  });

  test('SET [SESSION] lock_wait_timeout = n is in seconds, lasts across COMMIT/ROLLBACK, DEFAULT returns to the start value', () => {
    const s1 = set('SET SESSION lock_wait_timeout = 5', a('lock_wait_timeout', '5'));
    const rb = st({ kind: 'rollback', text: 'ROLLBACK' });
    const back = set('SET lock_wait_timeout = DEFAULT', a('lock_wait_timeout', 'DEFAULT'));
    const { before, s } = run('mariadb', [s1, begin(), rb, alter('ALTER TABLE orders FORCE'), back, alter('ALTER TABLE orders FORCE')]);
    expect(before[3]!.timeouts.lock).toMatchObject({ ms: 5000, stmt: s1 });
    expect(before[3]!.timeouts.everSetLock).toBe(s1);
    expect(before[5]!.timeouts.lock.ms).toBe(86_400_000);
    expect(s.timeouts.lockLost).toBe('SET lock_wait_timeout = DEFAULT at stmt 5 set it back to the server default (86400 s on MariaDB)');
  });

  test('values below 1 are 1 s (the server clamps them); GLOBAL does not change this session', () => {
    const g = set('SET GLOBAL lock_wait_timeout = 3', a('lock_wait_timeout', '3', 'global'));
    const { s } = run('mysql', [g, set('SET lock_wait_timeout = 0', a('lock_wait_timeout', '0'))]);
    expect(s.timeouts.lock.ms).toBe(1000);
    expect(s.timeouts.globalOnly).toBe(g);
    expect(run('mysql', [g]).s.timeouts.lock.ms).toBe(31_536_000_000);
  });

  test('MariaDB WAIT n / NOWAIT and SET STATEMENT … FOR apply to that statement only; MySQL has neither', () => {
    const { s } = run('mariadb', []);
    const w = alter('ALTER TABLE orders WAIT 3 FORCE', { wait: 3 } as any);
    const nw = alter('ALTER TABLE orders NOWAIT FORCE', { wait: 0 } as any);
    const ss = alter('SET STATEMENT lock_wait_timeout=2 FOR ALTER TABLE orders FORCE', { statementSettings: [a('lock_wait_timeout', '2')] } as any);
    expect(statementWait(w, s.timeouts, 'mariadb')).toMatchObject({ ms: 3000, perStatement: true, source: 'WAIT 3 on the statement' });
    expect(statementWait(nw, s.timeouts, 'mariadb')).toMatchObject({ ms: 0, perStatement: true, source: 'NOWAIT on the statement' });
    expect(statementWait(ss, s.timeouts, 'mariadb')).toMatchObject({ ms: 2000, perStatement: true });
    expect(statementWait(w, run('mysql', []).s.timeouts, 'mysql')).toMatchObject({ ms: 31_536_000_000, perStatement: false });
  });
});

describe('MySQL session: statement timeouts, checks and sql_mode', () => {
  test("MariaDB max_statement_time is seconds and covers DDL; MySQL max_execution_time is ms, SELECT only; each flavor ignores the other's", () => {
    const maria = run('mariadb', [set('SET max_statement_time = 1.5', a('max_statement_time', '1.5')), set('SET max_execution_time = 99', a('max_execution_time', '99'))]).s.timeouts;
    expect(maria.statement.ms).toBe(1500);
    expect(maria.statementTimeoutCoversDdl).toBe(true);
    const my = run('mysql', [set('SET max_execution_time = 2000', a('max_execution_time', '2000')), set('SET max_statement_time = 9', a('max_statement_time', '9'))]).s.timeouts;
    expect(my.statement.ms).toBe(2000);
    expect(my.statementTimeoutCoversDdl).toBe(false);
    const perStmt = alter('SET STATEMENT max_statement_time=30 FOR ALTER TABLE orders FORCE', { statementSettings: [a('max_statement_time', '30')] } as any);
    expect(statementTimeout(perStmt, maria, 'mariadb').ms).toBe(30_000);
  });

  test('foreign_key_checks and unique_checks: ON/OFF/0/1, DEFAULT back to the start, per statement on MariaDB', () => {
    const off = set('SET foreign_key_checks = 0', a('foreign_key_checks', '0'));
    const { before, s } = run('mysql', [off, set("SET unique_checks = 'OFF'", a('unique_checks', "'OFF'")), set('SET foreign_key_checks = DEFAULT', a('foreign_key_checks', 'DEFAULT'))]);
    expect(before[1]!.timeouts.foreignKeyChecks).toMatchObject({ on: false, stmt: off });
    expect(s.timeouts.uniqueChecks.on).toBe(false);
    expect(s.timeouts.foreignKeyChecks).toEqual({ on: true, source: 'server default' });
    const per = alter('SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE orders ADD FOREIGN KEY (c) REFERENCES customers (id)', { statementSettings: [a('foreign_key_checks', '0')] } as any);
    expect(foreignKeyChecksFor(per, s.timeouts, 'mariadb').on).toBe(false);
    expect(run('mysql', [], 'none', { foreignKeyChecks: false, source: 'config (assume)' }).s.timeouts.foreignKeyChecks).toEqual({ on: false, source: 'config (assume)' });
  });

  test('sql_mode: strict by default, a literal decides, CONCAT(@@sql_mode, …) keeps it, an unknown expression is unknown', () => {
    const strictAt = (...stmts: MyStatement[]) => run('mariadb', stmts).s.timeouts.strict.on;
    expect(strictAt()).toBe(true);
    expect(strictAt(set("SET sql_mode = ''", a('sql_mode', "''")))).toBe(false);
    expect(strictAt(set("SET SESSION sql_mode = 'TRADITIONAL'", a('sql_mode', "'TRADITIONAL'")))).toBe(true);
    expect(strictAt(set("SET sql_mode = CONCAT(@@sql_mode, ',NO_ZERO_DATE')", a('sql_mode', "CONCAT(@@sql_mode, ',NO_ZERO_DATE')")))).toBe(true);
    expect(strictAt(set("SET sql_mode = REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '')", a('sql_mode', "REPLACE(@@sql_mode, 'STRICT_TRANS_TABLES', '')")))).toBeUndefined();
    expect(run('mysql', [], 'none', { sqlModeStrict: false, source: "the database's settings" }).s.timeouts.strict).toEqual({ on: false, source: "the database's settings" });
  });

  test('formatWait', () => {
    expect([0, 500, 2000, 300_000, 86_400_000, 31_536_000_000].map(formatWait)).toEqual(['no time (NOWAIT)', '500 ms', '2 s', '5 min', '24 h', '365 days']);
  });
});
