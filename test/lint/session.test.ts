/** What the session model does with transaction control and SET/RESET, checked against PostgreSQL 15's behaviour. */
import { beforeAll, describe, expect, test } from 'vitest';
import { loadParser, parsePostgres } from '../../src/dialects/postgres/parser.js';
import { Session, type SessionDefaults } from '../../src/dialects/postgres/session.js';
import { classify } from '../../src/dialects/postgres/classify.js';
import { Catalog } from '../../src/dialects/postgres/catalog.js';
import type { TransactionMode } from '../../src/parse/migrations.js';

beforeAll(() => loadParser());

/** Runs `sql` through a Session and returns its state before each statement, by statement text. */
function trace(sql: string, mode: TransactionMode = 'none', defaults?: SessionDefaults) {
  const stmts = parsePostgres(sql).statements;
  const s = new Session(mode, stmts.length, defaults, (st) => `line ${sql.slice(0, st.span.start).split('\n').length}`);
  const catalog = new Catalog();
  const before: Record<string, { open: boolean; byRunner: boolean; begin?: string; held: string[]; lockMs: number; lockSource: string; lockLost?: string; utc?: boolean }> = {};
  for (const st of stmts) {
    const t = s.timeouts;
    before[st.text] = {
      open: s.tx.open,
      byRunner: s.tx.byRunner,
      ...(s.tx.begin ? { begin: s.tx.begin.text } : {}),
      held: [...s.tx.held.keys()],
      lockMs: t.lock.ms,
      lockSource: t.lock.source,
      ...(t.lockLost ? { lockLost: t.lockLost } : {}),
      ...(t.timeZoneUtc !== undefined ? { utc: t.timeZoneUtc } : {}),
    };
    s.apply(st, classify(st, { version: 15, catalog }));
  }
  return { before, after: s };
}

describe('Session: transactions', () => {
  test('multi-statement: after a COMMIT the next statement is in a new implicit transaction block', () => {
    const { before } = trace('SELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON orders (a);', 'multi-statement');
    expect(before['CREATE INDEX CONCURRENTLY i ON orders (a)']).toMatchObject({ open: true, byRunner: true, held: [] });
  });

  test('multi-statement: BEGIN turns the implicit block into an explicit one, keeping what it holds', () => {
    const { before, after } = trace('ALTER TABLE orders ADD COLUMN a int;\nBEGIN;\nSELECT 2;', 'multi-statement');
    expect(before['SELECT 2']).toMatchObject({ open: true, byRunner: false, begin: 'BEGIN', held: ['public.orders'] });
    expect(after.tx.begin?.text).toBe('BEGIN');
  });

  test('wrapped: BEGIN is ignored, COMMIT ends the runner transaction', () => {
    const { before } = trace('BEGIN;\nSELECT 1;\nCOMMIT;\nSELECT 2;', 'wrapped');
    expect(before['SELECT 1']).toMatchObject({ open: true, byRunner: true });
    expect(before['SELECT 1']!.begin).toBeUndefined();
    expect(before['SELECT 2']).toMatchObject({ open: false });
  });

  test('COMMIT AND CHAIN / ROLLBACK AND CHAIN start the next transaction at once', () => {
    const { before } = trace('BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nCOMMIT AND CHAIN;\nSELECT 1;\nROLLBACK AND CHAIN;\nSELECT 2;\nCOMMIT;\nSELECT 3;');
    expect(before['SELECT 1']).toMatchObject({ open: true, byRunner: false, begin: 'COMMIT AND CHAIN', held: [] });
    expect(before['SELECT 2']).toMatchObject({ open: true, begin: 'ROLLBACK AND CHAIN' });
    expect(before['SELECT 3']).toMatchObject({ open: false });
  });
});

describe('Session: timeouts', () => {
  const db = { lockTimeoutMs: 3000, statementTimeoutMs: 0, source: "the database's settings", timeZoneUtc: true };

  test('RESET and SET … TO DEFAULT return to the session default (the database setting), not to 0', () => {
    const { before } = trace("SET lock_timeout = '1s';\nRESET lock_timeout;\nSELECT 1;\nSET lock_timeout = '1s';\nSET lock_timeout TO DEFAULT;\nSELECT 2;", 'none', db);
    expect(before['SELECT 1']).toMatchObject({ lockMs: 3000, lockSource: "RESET lock_timeout (line 2), back to the database's settings" });
    expect(before['SELECT 1']!.lockLost).toBeUndefined();
    expect(before['SELECT 2']).toMatchObject({ lockMs: 3000 });
    // with no default, RESET turns it off
    expect(trace("SET lock_timeout = '1s';\nRESET lock_timeout;\nSELECT 1;").before['SELECT 1']).toMatchObject({ lockMs: 0, lockLost: 'RESET lock_timeout at line 2 turned it off' });
  });

  test('RESET ALL returns lock_timeout and TimeZone to the session defaults', () => {
    const { before } = trace("SET lock_timeout = '1s';\nSET TimeZone = 'Europe/Paris';\nSELECT 1;\nRESET ALL;\nSELECT 2;", 'none', db);
    expect(before['SELECT 1']).toMatchObject({ lockMs: 1000, utc: false });
    expect(before['SELECT 2']).toMatchObject({ lockMs: 3000, utc: true });
  });

  test('SET LOCAL outside a transaction block has no effect, and says so', () => {
    const { before, after } = trace("SET LOCAL lock_timeout = '2s';\nSELECT 1;");
    expect(before['SELECT 1']).toMatchObject({ lockMs: 0, lockLost: "SET LOCAL lock_timeout = '2s' at line 1 is outside a transaction block, where SET LOCAL has no effect" });
    expect(after.everSetLock?.text).toBe("SET LOCAL lock_timeout = '2s'");
    expect(trace("SELECT set_config('lock_timeout', '2s', true);\nSELECT 1;").before['SELECT 1']).toMatchObject({ lockMs: 0, lockLost: expect.stringContaining('outside a transaction block') });
  });

  test('a 0 written as a number is 0 (the parser omits it: `{ ival: {} }`)', () => {
    const { before } = trace("SET lock_timeout = '2s';\nSET lock_timeout = 0;\nSELECT 1;\nSET TimeZone = 0;\nSELECT 2;");
    expect(before['SELECT 1']).toMatchObject({ lockMs: 0, lockSource: 'SET lock_timeout = 0 (line 2)' });
    expect(before['SELECT 2']).toMatchObject({ utc: true });
  });
});
