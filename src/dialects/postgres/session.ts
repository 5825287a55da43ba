/**
 * Follows what a migration does to its session while lint reads it: which transaction is open (the
 * runner's or an explicit one), which locks it holds, and which lock_timeout / statement_timeout /
 * TimeZone is in effect (SET, SET LOCAL, RESET, set_config, and what COMMIT and ROLLBACK undo).
 */
import { parseDurationText } from '../../core/duration.js';
import type { Statement } from './parser.js';
import type { StatementEffect } from './classify.js';
import type { TransactionMode } from '../../parse/migrations.js';
import { key, fromRangeVar } from './names.js';
import { strongest, type LockMode } from './locks.js';
import type { QualifiedName } from '../../core/types.js';
import type { SessionDefaults } from '../dialect.js';

export type { SessionDefaults };
import { walk } from './volatility.js';

export interface HeldLock {
  relation: QualifiedName;
  mode: LockMode;
  /** The statement that took it. */
  stmt: Statement;
}

export interface TransactionState {
  /** A transaction block is open (explicit BEGIN, or the runner's). */
  open: boolean;
  /** Opened by the runner around the whole section (wrapped / multi-statement). */
  byRunner: boolean;
  /** The BEGIN statement, for an explicit one. */
  begin?: Statement;
  /** Locks held since the transaction began, strongest per table. */
  held: Map<string, HeldLock>;
  /** Constraints added NOT VALID in this transaction: `schema.table.constraint` → statement. */
  notValid: Map<string, Statement>;
  /** Enum values added in this transaction: value → statement. */
  newEnumValues: Map<string, Statement>;
  /** Statements run in this transaction so far. */
  statements: Statement[];
}

export interface TimeoutSetting {
  /** Milliseconds; 0 = wait forever (the Postgres default). */
  ms: number;
  /** Where it came from: `SET LOCAL lock_timeout = '2s'`, `server default`, `config`. */
  source: string;
  /** The statement that set it, if one did. */
  stmt?: Statement;
}

export interface TimeoutState {
  lock: TimeoutSetting;
  statement: TimeoutSetting;
  /** Some statement in this section set lock_timeout / statement_timeout (even if not in effect now). */
  everSetLock?: Statement;
  everSetStatement?: Statement;
  /** Why a lock_timeout that was set is not in effect any more (SET LOCAL ended with COMMIT, RESET …). */
  lockLost?: string;
  /** The session TimeZone is known to be UTC (true) or not (false). */
  timeZoneUtc?: boolean;
}

interface Values {
  lock: TimeoutSetting;
  statement: TimeoutSetting;
  timeZoneUtc: boolean | undefined;
}

const newTx = (open: boolean, byRunner: boolean): TransactionState => ({
  open,
  byRunner,
  held: new Map(),
  notValid: new Map(),
  newEnumValues: new Map(),
  statements: [],
});

export class Session {
  tx: TransactionState;
  /** Session-level values (persist across transactions). */
  private session: Values;
  /** SET LOCAL overrides, until the transaction ends. */
  private local: Partial<Values> = {};
  /** Session values when the transaction began (ROLLBACK restores them). */
  private atBegin: Values | undefined;
  everSetLock?: Statement;
  everSetStatement?: Statement;
  lockLost?: string;
  /** The values the session starts with; RESET and SET … TO DEFAULT return to them. */
  private readonly initial: Values;
  /** The section has more than one statement (a multi-statement query is then an implicit transaction). */
  private readonly multi: boolean;

  constructor(
    private readonly mode: TransactionMode,
    statementCount: number,
    defaults: SessionDefaults = {},
    /** How to name a statement's place in messages, e.g. `line 12`. */
    private readonly where: (stmt: Statement) => string = (s) => `offset ${s.span.start}`,
  ) {
    const source = defaults.source ?? 'server default';
    this.session = {
      lock: { ms: defaults.lockTimeoutMs ?? 0, source },
      statement: { ms: defaults.statementTimeoutMs ?? 0, source },
      timeZoneUtc: defaults.timeZoneUtc,
    };
    this.initial = { ...this.session };
    this.multi = statementCount > 1;
    const byRunner = mode === 'wrapped' || (mode === 'multi-statement' && this.multi);
    this.tx = newTx(byRunner, byRunner);
    if (byRunner) this.atBegin = { ...this.session };
  }

  /** The state rules see; rebuilt only after a statement changed it. */
  private cachedTimeouts: TimeoutState | undefined;

  get timeouts(): TimeoutState {
    return (this.cachedTimeouts ??= this.computeTimeouts());
  }

  private computeTimeouts(): TimeoutState {
    const v = this.effective();
    return {
      lock: v.lock,
      statement: v.statement,
      ...(this.everSetLock ? { everSetLock: this.everSetLock } : {}),
      ...(this.everSetStatement ? { everSetStatement: this.everSetStatement } : {}),
      ...(this.lockLost && v.lock.ms === 0 ? { lockLost: this.lockLost } : {}),
      ...(v.timeZoneUtc !== undefined ? { timeZoneUtc: v.timeZoneUtc } : {}),
    };
  }

  private effective(): Values {
    return {
      lock: this.local.lock ?? this.session.lock,
      statement: this.local.statement ?? this.session.statement,
      timeZoneUtc: 'timeZoneUtc' in this.local ? this.local.timeZoneUtc : this.session.timeZoneUtc,
    };
  }

  /** Updates the state with what `stmt` did. */
  apply(stmt: Statement, effect: StatementEffect): void {
    const a = stmt.ast;
    if (stmt.kind === 'TransactionStmt' || stmt.kind === 'VariableSetStmt' || stmt.kind === 'SelectStmt') this.cachedTimeouts = undefined;
    if (stmt.kind === 'TransactionStmt') return this.transaction(stmt, a.kind);
    if (stmt.kind === 'VariableSetStmt') this.set(stmt, a.name, a.kind, a.args, !!a.is_local);
    else if (stmt.kind === 'SelectStmt') this.setConfigCalls(stmt);
    if (!this.tx.open) return;
    this.tx.statements.push(stmt);
    for (const l of effect.locks) {
      if (l.role === 'index') continue; // an index's lock comes with a lock on its table, which is what traffic sees
      const k = key(l.relation);
      const prev = this.tx.held.get(k);
      if (!prev || strongest(prev.mode, l.mode) !== prev.mode) this.tx.held.set(k, { relation: l.relation, mode: l.mode, stmt });
    }
    for (const p of effect.parts) {
      if (p.entry === 'add-check-not-valid' || p.entry === 'add-foreign-key-not-valid' || p.entry === 'add-not-null-not-valid') {
        const conname = p.node?.def?.Constraint?.conname;
        if (conname) this.tx.notValid.set(`${key(fromRangeVar(a.relation))}.${conname}`, stmt);
      }
      if (p.entry === 'enum-add-value' && a.newVal) this.tx.newEnumValues.set(a.newVal, stmt);
    }
  }

  private transaction(stmt: Statement, kind: string): void {
    switch (kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        if (!this.tx.open) {
          this.tx = newTx(true, false);
          this.tx.begin = stmt;
          this.atBegin = { ...this.session };
        } else if (this.tx.byRunner && this.mode === 'multi-statement') {
          // BEGIN inside the implicit block of a multi-statement query turns it into an explicit
          // block (no warning): the statements before it stay part of the same transaction.
          this.tx.byRunner = false;
          this.tx.begin = stmt;
        }
        break;
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_PREPARE':
        if (this.tx.open) this.end(stmt, 'COMMIT', false, kind === 'TRANS_STMT_COMMIT' && !!stmt.ast.chain);
        break;
      case 'TRANS_STMT_ROLLBACK':
        if (this.tx.open) this.end(stmt, 'ROLLBACK', true, !!stmt.ast.chain);
        break;
      case 'TRANS_STMT_SAVEPOINT':
        if (this.tx.open) this.savepoints.push({ name: stmt.ast.savepoint_name ?? '', session: { ...this.session }, local: { ...this.local }, held: new Map(this.tx.held) });
        break;
      case 'TRANS_STMT_RELEASE': {
        const at = this.findSavepoint(stmt.ast.savepoint_name);
        if (at >= 0) this.savepoints.length = at;
        break;
      }
      case 'TRANS_STMT_ROLLBACK_TO': {
        // Undoes the SETs and releases the locks taken since the savepoint (which stays).
        const at = this.findSavepoint(stmt.ast.savepoint_name);
        if (at < 0) break;
        const sp = this.savepoints[at]!;
        this.savepoints.length = at + 1;
        const before = this.effective().lock;
        this.session = { ...sp.session };
        this.local = { ...sp.local };
        this.tx.held = new Map(sp.held);
        const after = this.effective().lock;
        if (before.ms > 0 && after.ms === 0) this.lockLost = `the lock_timeout from ${before.source} was undone by ROLLBACK TO SAVEPOINT at ${this.where(stmt)}`;
        break;
      }
    }
  }

  /** Savepoints of the open transaction, innermost last. */
  private savepoints: { name: string; session: Values; local: Partial<Values>; held: TransactionState['held'] }[] = [];

  private findSavepoint(name: string | undefined): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    return -1;
  }

  private end(stmt: Statement, how: string, rollback: boolean, chain: boolean): void {
    const before = this.effective().lock;
    this.savepoints = [];
    if (rollback && this.atBegin) this.session = this.atBegin;
    this.local = {};
    const was = this.tx;
    if (chain) {
      // COMMIT/ROLLBACK AND CHAIN starts the next transaction at once, with the same owner.
      this.tx = newTx(true, was.byRunner);
      if (was.begin) this.tx.begin = stmt;
      this.atBegin = { ...this.session };
    } else if (this.mode === 'multi-statement' && this.multi) {
      // In a multi-statement query, every statement after a COMMIT/ROLLBACK starts a new implicit
      // transaction block, so CONCURRENTLY and VACUUM still fail there.
      this.tx = newTx(true, true);
      this.atBegin = { ...this.session };
    } else {
      this.tx = newTx(false, false);
      this.atBegin = undefined;
    }
    const after = this.effective().lock;
    if (before.ms > 0 && after.ms === 0) this.lockLost = `the lock_timeout from ${before.source} ended with the ${how} at ${this.where(stmt)}`;
  }

  private set(stmt: Statement, name: string | undefined, kind: string, args: any[] | undefined, isLocal: boolean): void {
    const n = (name ?? '').toLowerCase();
    const src = stmt.text.replace(/\s+/g, ' ');
    if (kind === 'VAR_RESET_ALL') {
      // Back to the values the session started with (the database's / role's settings), not to 0.
      this.assign('lock', { ...this.initial.lock, source: `${src} (${this.where(stmt)}), back to ${this.initial.lock.source}`, stmt }, false);
      this.assign('statement', { ...this.initial.statement, source: `${src} (${this.where(stmt)}), back to ${this.initial.statement.source}`, stmt }, false);
      this.session.timeZoneUtc = this.initial.timeZoneUtc;
      delete this.local.timeZoneUtc;
      this.lockLost = `${src} at ${this.where(stmt)} reset it`;
      return;
    }
    if (n === 'timezone') {
      const v = constText(args?.[0]);
      const utc =
        kind === 'VAR_RESET' || kind === 'VAR_SET_DEFAULT' ? this.initial.timeZoneUtc : kind === 'VAR_SET_VALUE' && v !== undefined ? /^(utc|etc\/utc|gmt|z|zulu|\+?0+(:00)?)$/i.test(v) : undefined;
      // SET LOCAL outside a transaction block has no effect (Postgres only warns).
      if (isLocal) {
        if (this.tx.open) this.local.timeZoneUtc = utc;
      } else {
        this.session.timeZoneUtc = utc;
        delete this.local.timeZoneUtc;
      }
      return;
    }
    const which = n === 'lock_timeout' ? 'lock' : n === 'statement_timeout' ? 'statement' : undefined;
    if (!which) return;
    // RESET x and SET x TO DEFAULT return to the session's starting value (database / role settings).
    const toDefault = kind === 'VAR_RESET' || kind === 'VAR_SET_DEFAULT';
    if (!toDefault && kind !== 'VAR_SET_VALUE') return;
    const ms = toDefault ? this.initial[which].ms : (parseDuration(args?.[0]) ?? 0);
    const setting: TimeoutSetting = { ms, source: `${src} (${this.where(stmt)})${toDefault ? `, back to ${this.initial[which].source}` : ''}`, stmt };
    const ignored = isLocal && !this.tx.open;
    this.assign(which, setting, isLocal);
    if (which === 'lock') {
      this.everSetLock = stmt;
      if (ignored) this.lockLost = `${src} at ${this.where(stmt)} is outside a transaction block, where SET LOCAL has no effect`;
      else if (ms === 0) this.lockLost = `${src} at ${this.where(stmt)} turned it off`;
    } else this.everSetStatement = stmt;
  }

  private assign(which: 'lock' | 'statement', v: TimeoutSetting, isLocal: boolean): void {
    // SET LOCAL outside a transaction block has no effect (Postgres warns).
    if (isLocal) {
      if (this.tx.open) this.local[which] = v;
    } else {
      this.session[which] = v;
      delete this.local[which];
    }
  }

  /** SELECT set_config('lock_timeout', '2s', is_local). */
  private setConfigCalls(stmt: Statement): void {
    walk(stmt.ast.targetList, (n) => {
      const f = n.FuncCall;
      if (!f) return;
      const fname = (f.funcname ?? []).map((x: any) => x.String?.sval).pop();
      if (fname !== 'set_config' || (f.args ?? []).length !== 3) return;
      const name = constText(f.args[0]);
      const value = f.args[1];
      const isLocal = f.args[2]?.A_Const?.boolval?.boolval === true;
      if (name) this.set(stmt, name, 'VAR_SET_VALUE', [value], isLocal);
    });
  }
}

function constText(node: any): string | undefined {
  const c = node?.A_Const ?? node?.TypeCast?.arg?.A_Const;
  if (!c) return undefined;
  if (c.sval) return c.sval.sval;
  if (c.ival) return String(c.ival.ival ?? 0); // the parser omits 0: `{ ival: {} }`
  if (c.fval) return c.fval.fval;
  if (!c.isnull && !c.boolval) return '0';
  return undefined;
}

/** A timeout value as Postgres reads it: a number is milliseconds; a string may carry a unit. */
export function parseDuration(node: any): number | undefined {
  const text = typeof node === 'string' ? node : constText(node);
  return text === undefined ? undefined : parseDurationText(text);
}
