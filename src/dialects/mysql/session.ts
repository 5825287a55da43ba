/**
 * Follows what a MySQL/MariaDB migration does to its session while lint reads it. Two things differ
 * from Postgres and drive most MySQL rules:
 *
 * - There is no transactional DDL. Every DDL statement (and LOCK TABLES, START TRANSACTION, SET
 *   autocommit = 1 …) commits the open transaction before it runs and commits itself: `BEGIN; ALTER …;
 *   ALTER …; COMMIT;` is two separate, separately committed changes, and a runner's transaction (Flyway,
 *   Prisma) protects nothing once the first DDL ran. The state records every DDL of the section and the
 *   transaction it broke.
 * - Waits are in seconds and per session: `SET [SESSION] lock_wait_timeout = n` bounds how long a DDL
 *   waits for its metadata lock (server default: a year on MySQL, a day on MariaDB); MariaDB also has
 *   `max_statement_time` (seconds), MySQL `max_execution_time` (ms, SELECT only). Per statement:
 *   MariaDB `SET STATEMENT lock_wait_timeout = n FOR …` and `WAIT n` / `NOWAIT` on the DDL itself.
 *   SET is not transactional: ROLLBACK does not undo it.
 *
 * It also follows `foreign_key_checks`, `unique_checks` and whether `sql_mode` is strict, which change
 * what an ALTER does (an unchecked FK is added without a copy; non-strict NOT NULL rewrites NULLs).
 */
import type { Flavor } from '../../core/version.js';
import type { TransactionMode } from '../../parse/migrations.js';
import type { LintSession, SessionDefaults } from '../dialect.js';
import type { Assignment, MyStatement } from './ast.js';
import type { MyStatementEffect } from './effect.js';

export type { SessionDefaults };

/** The servers' own defaults for lock_wait_timeout (seconds): MySQL 31536000 (a year), MariaDB 86400 (a day). */
export const DEFAULT_LOCK_WAIT_S: Record<Exclude<Flavor, 'postgres'>, number> = { mysql: 31_536_000, mariadb: 86_400 };

export interface MyTimeoutSetting {
  /** Milliseconds. For lock_wait_timeout 0 means "do not wait" (NOWAIT); the server never waits forever. For a statement timeout 0 means off. */
  ms: number;
  /** Where it came from: `SET SESSION lock_wait_timeout = 5 (line 3)`, `server default`, `config (assume)`. */
  source: string;
  /** The statement that set it, if one did. */
  stmt?: MyStatement;
}

export interface MySwitch {
  on: boolean;
  source: string;
  stmt?: MyStatement;
}

export interface MyTimeoutState {
  /** lock_wait_timeout of the session: how long a DDL waits for its metadata lock. */
  lock: MyTimeoutSetting;
  /** MariaDB max_statement_time / MySQL max_execution_time of the session; 0 = off. */
  statement: MyTimeoutSetting;
  /** The statement timeout also stops DDL (MariaDB's max_statement_time does; MySQL's max_execution_time is for SELECT only). */
  statementTimeoutCoversDdl: boolean;
  /** Some statement in this section set lock_wait_timeout for the session. */
  everSetLock?: MyStatement;
  /** Why a short lock_wait_timeout that was set is not in effect any more (`SET lock_wait_timeout = DEFAULT` …). */
  lockLost?: string;
  /** `SET GLOBAL lock_wait_timeout = …` in this section: it does not change this session. */
  globalOnly?: MyStatement;
  foreignKeyChecks: MySwitch;
  uniqueChecks: MySwitch;
  /** sql_mode has STRICT_TRANS_TABLES / STRICT_ALL_TABLES (or TRADITIONAL); undefined when an expression made it unknowable. */
  strict: { on: boolean | undefined; source: string; stmt?: MyStatement };
}

export interface MyTransactionState {
  /** A transaction is open: an explicit START TRANSACTION / BEGIN, the runner's, or one autocommit = 0 started. */
  open: boolean;
  /** Opened by the runner around the section (Flyway, Prisma …). */
  byRunner: boolean;
  /** The START TRANSACTION / BEGIN, for an explicit one. */
  begin?: MyStatement;
  /** Statements run in the open transaction so far. */
  statements: MyStatement[];
  /** `SET autocommit = 0` is in effect: the next statement starts a transaction. */
  autocommitOff: boolean;
  /** Every DDL statement of the section so far (each committed on its own). */
  ddl: MyStatement[];
  /** Transactions a DDL statement committed implicitly in this section: the DDL, and the BEGIN (none for the runner's). */
  broken: { by: MyStatement; begin?: MyStatement; byRunner: boolean }[];
  /** `LOCK TABLES` in effect (until UNLOCK TABLES or the next implicit commit). */
  lockTables?: MyStatement;
}

interface Values {
  lock: MyTimeoutSetting;
  statement: MyTimeoutSetting;
  foreignKeyChecks: MySwitch;
  uniqueChecks: MySwitch;
  strict: MyTimeoutState['strict'];
}

/** Statements that commit an open transaction although the effect table has no entry for them (not DDL on a table). */
const COMMITTING_KINDS = new Set<MyStatement['kind']>([
  'lock-tables',
  'create-trigger',
  'drop-trigger',
  'create-view',
  'drop-view',
  'alter-view',
  'create-routine',
  'drop-routine',
  'alter-routine',
  'create-event',
  'drop-event',
  'alter-event',
  'create-database',
  'drop-database',
  'alter-database',
  'create-table',
  'alter-table',
  'drop-table',
  'rename-table',
  'create-index',
  'drop-index',
  'truncate',
  'optimize',
  'analyze',
  'check-table',
  'repair',
]);

/** The statement commits the open transaction before it runs (and itself after): DDL and its relatives. */
export function commitsImplicitly(stmt: MyStatement, effect?: Pick<MyStatementEffect, 'implicitCommit'>): boolean {
  if (effect?.implicitCommit) return true;
  // CREATE TEMPORARY TABLE / DROP TEMPORARY TABLE do not commit.
  if ((stmt.kind === 'create-table' || stmt.kind === 'drop-table') && stmt.temporary) return false;
  return COMMITTING_KINDS.has(stmt.kind);
}

/** DDL that changes the schema (what "several DDL statements in one migration" counts); ANALYZE/CHECK are not. */
export function isSchemaChange(stmt: MyStatement): boolean {
  if (!commitsImplicitly(stmt)) return false;
  return stmt.kind !== 'lock-tables' && stmt.kind !== 'analyze' && stmt.kind !== 'check-table';
}

export class MySession implements LintSession<MyStatement, MyStatementEffect, MyTransactionState, MyTimeoutState> {
  tx: MyTransactionState;
  private values: Values;
  private readonly initial: Values;
  private everSetLock?: MyStatement;
  private lockLost?: string;
  private globalOnly?: MyStatement;
  private cached: MyTimeoutState | undefined;

  constructor(
    private readonly flavor: 'mysql' | 'mariadb',
    mode: TransactionMode,
    statementCount: number,
    defaults: SessionDefaults = {},
    /** How to name a statement's place in messages, e.g. `line 12`. */
    private readonly where: (stmt: MyStatement) => string = (s) => `offset ${s.span.start}`,
  ) {
    const source = defaults.source ?? 'server default';
    // 0 in SessionDefaults means "wait forever" (Postgres's reading); the MySQL server never does: its default applies.
    const lockMs = defaults.lockTimeoutMs ? defaults.lockTimeoutMs : DEFAULT_LOCK_WAIT_S[flavor] * 1000;
    const lockSource = defaults.lockTimeoutMs ? source : `server default (${DEFAULT_LOCK_WAIT_S[flavor]} s on ${flavor === 'mysql' ? 'MySQL' : 'MariaDB'})`;
    this.values = {
      lock: { ms: lockMs, source: lockSource },
      statement: { ms: defaults.statementTimeoutMs ?? 0, source },
      foreignKeyChecks: { on: defaults.foreignKeyChecks ?? true, source: defaults.foreignKeyChecks !== undefined ? source : 'server default' },
      uniqueChecks: { on: true, source: 'server default' },
      // MySQL 5.7+ and MariaDB 10.2.4+ ship with STRICT_TRANS_TABLES in the default sql_mode.
      strict: { on: defaults.sqlModeStrict ?? true, source: defaults.sqlModeStrict !== undefined ? source : 'server default sql_mode' },
    };
    this.initial = { ...this.values };
    const byRunner = mode === 'wrapped' || (mode === 'multi-statement' && statementCount > 1);
    this.tx = newTx(byRunner, byRunner);
  }

  get timeouts(): MyTimeoutState {
    return (this.cached ??= {
      lock: this.values.lock,
      statement: this.values.statement,
      statementTimeoutCoversDdl: this.flavor === 'mariadb',
      ...(this.everSetLock ? { everSetLock: this.everSetLock } : {}),
      ...(this.lockLost && !this.values.lock.stmt ? { lockLost: this.lockLost } : {}),
      ...(this.globalOnly ? { globalOnly: this.globalOnly } : {}),
      foreignKeyChecks: this.values.foreignKeyChecks,
      uniqueChecks: this.values.uniqueChecks,
      strict: this.values.strict,
    });
  }

  apply(stmt: MyStatement, effect: MyStatementEffect | undefined): void {
    this.cached = undefined;
    if (stmt.kind === 'set') {
      if (stmt.special === 'transaction') return; // SET TRANSACTION ISOLATION LEVEL …: the next transaction's characteristics
      for (const a of stmt.assignments) this.assign(stmt, a);
      return;
    }
    switch (stmt.kind) {
      case 'begin':
        // START TRANSACTION commits an open one (also the runner's), then opens its own.
        this.tx = { ...newTx(true, false), ddl: this.tx.ddl, broken: this.tx.broken, autocommitOff: this.tx.autocommitOff, begin: stmt };
        return;
      case 'commit':
      case 'rollback':
        // ROLLBACK does not undo SET (session variables are not transactional), nor DDL that already committed.
        this.close();
        return;
      case 'unlock-tables':
        delete this.tx.lockTables;
        return;
      case 'savepoint':
      case 'release-savepoint':
      case 'rollback-to-savepoint':
      case 'xa':
      case 'delimiter':
      case 'use':
        return;
    }
    if (commitsImplicitly(stmt, effect)) {
      if (this.tx.open) {
        this.tx.broken.push({ by: stmt, ...(this.tx.begin ? { begin: this.tx.begin } : {}), byRunner: this.tx.byRunner });
      }
      if (isSchemaChange(stmt)) this.tx.ddl.push(stmt);
      this.close();
      if (stmt.kind === 'lock-tables') this.tx.lockTables = stmt;
      return;
    }
    if (!this.tx.open && this.tx.autocommitOff) {
      this.tx.open = true;
      this.tx.statements = [];
    }
    if (this.tx.open) this.tx.statements.push(stmt);
  }

  /** Ends the open transaction (COMMIT, ROLLBACK or an implicit commit); what the section did stays. */
  private close(): void {
    this.tx = { ...newTx(false, false), ddl: this.tx.ddl, broken: this.tx.broken, autocommitOff: this.tx.autocommitOff, ...(this.tx.lockTables ? { lockTables: this.tx.lockTables } : {}) };
  }

  private assign(stmt: MyStatement, a: Assignment): void {
    if (a.scope === 'user') return;
    const text = stmt.text.replace(/\s+/g, ' ');
    const src = `${text} (${this.where(stmt)})`;
    const global = a.scope === 'global' || a.scope === 'persist' || a.scope === 'persist_only';
    const toDefault = /^default$/i.test(a.value.trim());
    switch (a.name) {
      case 'lock_wait_timeout': {
        if (global) {
          this.globalOnly = stmt;
          return;
        }
        const seconds = toDefault ? undefined : numeric(a);
        if (!toDefault && seconds === undefined) {
          // An expression: lockstep cannot tell the value; assume it is what the author wanted (short).
          this.values.lock = { ms: 1000, source: `${src}, an expression lockstep takes as short`, stmt };
          this.everSetLock = stmt;
          return;
        }
        const before = this.values.lock;
        // The server clamps values below 1 to 1 second.
        this.values.lock = toDefault ? { ...this.initial.lock, source: `${src}, back to ${this.initial.lock.source}` } : { ms: Math.max(1, seconds!) * 1000, source: src, stmt };
        this.everSetLock = stmt;
        if (toDefault && before.stmt) this.lockLost = `${text} at ${this.where(stmt)} set it back to the ${this.initial.lock.source}`;
        return;
      }
      case 'max_statement_time':
      case 'max_execution_time': {
        // Each flavor has only its own: MySQL rejects max_statement_time, MariaDB max_execution_time.
        if (global || (a.name === 'max_statement_time') !== (this.flavor === 'mariadb')) return;
        const n = toDefault ? undefined : numeric(a);
        if (!toDefault && n === undefined) return;
        // MariaDB's is in seconds, MySQL's in milliseconds.
        this.values.statement = toDefault ? this.initial.statement : { ms: a.name === 'max_statement_time' ? n! * 1000 : n!, source: src, stmt };
        return;
      }
      case 'foreign_key_checks':
      case 'unique_checks': {
        if (global) return;
        const which = a.name === 'foreign_key_checks' ? 'foreignKeyChecks' : 'uniqueChecks';
        const on = toDefault ? this.initial[which].on : switchValue(a);
        if (on === undefined) return;
        this.values[which] = toDefault ? this.initial[which] : { on, source: src, stmt };
        return;
      }
      case 'sql_mode': {
        if (global) return;
        if (toDefault) {
          this.values.strict = this.initial.strict;
          return;
        }
        this.values.strict = { on: strictness(a, this.values.strict.on), source: src, stmt };
        return;
      }
      case 'autocommit': {
        if (global) return;
        const on = switchValue(a);
        if (on === undefined) return;
        if (on) {
          // SET autocommit = 1 commits an open transaction.
          this.tx.autocommitOff = false;
          if (this.tx.open && !this.tx.byRunner) this.close();
        } else this.tx.autocommitOff = true;
        return;
      }
    }
  }
}

const newTx = (open: boolean, byRunner: boolean): MyTransactionState => ({ open, byRunner, statements: [], autocommitOff: false, ddl: [], broken: [] });

function numeric(a: Assignment): number | undefined {
  if (typeof a.literal === 'number') return a.literal;
  if (typeof a.literal === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(a.literal)) return Number(a.literal);
  const m = /^\s*(\d+(?:\.\d+)?)\s*$/.exec(a.value);
  return m ? Number(m[1]) : undefined;
}

/** `1`, `0`, `ON`, `OFF`, `TRUE`, `FALSE` (quoted or not). */
function switchValue(a: Assignment): boolean | undefined {
  const v = String(a.literal ?? a.value).trim().replace(/^'(.*)'$/, '$1').toLowerCase();
  if (v === '1' || v === 'on' || v === 'true') return true;
  if (v === '0' || v === 'off' || v === 'false') return false;
  return undefined;
}

/** Whether a sql_mode value is strict; an expression that keeps @@sql_mode and adds to it keeps its strictness. */
function strictness(a: Assignment, before: boolean | undefined): boolean | undefined {
  const strictRe = /\b(STRICT_TRANS_TABLES|STRICT_ALL_TABLES|TRADITIONAL)\b/i;
  if (typeof a.literal === 'string') return strictRe.test(a.literal);
  const text = a.value;
  if (/^\s*'[^']*'\s*$/.test(text) || /^\s*"[^"]*"\s*$/.test(text)) return strictRe.test(text);
  if (strictRe.test(text) && !/replace\s*\(/i.test(text)) return true;
  if (/@@(session\.)?sql_mode/i.test(text) && !/replace\s*\(/i.test(text)) return before;
  return undefined;
}

/** How long this statement waits for its metadata lock, with its own per-statement settings applied. */
export interface StatementWait extends MyTimeoutSetting {
  /** The wait comes from the statement itself (`WAIT n`, `NOWAIT`, `SET STATEMENT … FOR`). */
  perStatement: boolean;
}

/**
 * The lock wait a statement runs with: MariaDB's `WAIT n` / `NOWAIT` on the statement, else
 * `SET STATEMENT lock_wait_timeout = n FOR …`, else the session's lock_wait_timeout. MySQL has neither
 * per-statement form (the parser reads them; on MySQL they are syntax errors the server reports).
 */
export function statementWait(stmt: MyStatement, timeouts: MyTimeoutState, flavor: 'mysql' | 'mariadb'): StatementWait {
  if (flavor === 'mariadb') {
    const wait = (stmt as { wait?: number }).wait;
    if (wait !== undefined) return { ms: wait * 1000, source: wait === 0 ? 'NOWAIT on the statement' : `WAIT ${wait} on the statement`, stmt, perStatement: true };
    const set = stmt.statementSettings?.find((a) => a.name === 'lock_wait_timeout');
    const n = set && numeric(set);
    if (n !== undefined) return { ms: Math.max(1, n) * 1000, source: `SET STATEMENT lock_wait_timeout=${set!.value} FOR`, stmt, perStatement: true };
  }
  return { ...timeouts.lock, perStatement: false };
}

/** The statement timeout a statement runs with (MariaDB `SET STATEMENT max_statement_time = n FOR …` included); 0 = none. */
export function statementTimeout(stmt: MyStatement, timeouts: MyTimeoutState, flavor: 'mysql' | 'mariadb'): MyTimeoutSetting {
  if (flavor === 'mariadb') {
    const set = stmt.statementSettings?.find((a) => a.name === 'max_statement_time');
    const n = set && numeric(set);
    if (n !== undefined) return { ms: n * 1000, source: `SET STATEMENT max_statement_time=${set!.value} FOR`, stmt };
  }
  return timeouts.statement;
}

/** The foreign_key_checks a statement runs with (MariaDB `SET STATEMENT foreign_key_checks = 0 FOR …` included). */
export function foreignKeyChecksFor(stmt: MyStatement, timeouts: MyTimeoutState, flavor: 'mysql' | 'mariadb'): MySwitch {
  if (flavor === 'mariadb') {
    const set = stmt.statementSettings?.find((a) => a.name === 'foreign_key_checks');
    const on = set && switchValue(set);
    if (on !== undefined) return { on, source: `SET STATEMENT foreign_key_checks=${set!.value} FOR`, stmt };
  }
  return timeouts.foreignKeyChecks;
}

/** `2 s`, `1 day`, `365 days`, `500 ms`, for messages. */
export function formatWait(ms: number): string {
  if (ms === 0) return 'no time (NOWAIT)';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  const d = Math.round(s / 86_400);
  return d === 1 ? '1 day' : `${d} days`;
}
