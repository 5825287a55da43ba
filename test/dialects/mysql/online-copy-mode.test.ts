/**
 * Which copy path the online copy takes for a table with an AUTO_INCREMENT column
 * (src/dialects/mysql/online-copy.ts `needsClientCopy`): through the client while InnoDB takes its
 * table-level AUTO-INC lock for bulk inserts (innodb_autoinc_lock_mode 0 or 1 — the MariaDB service
 * here runs 1, and test/integration/mysql-online-copy.test.ts copies such a table that way), INSERT …
 * SELECT in mode 2, where no insert takes it (mode 2 is read-only at runtime, so no server here runs it).
 */
import { describe, expect, it } from 'vitest';
import { needsClientCopy, statementLimit } from '../../../src/dialects/mysql/online-copy.js';

describe('needsClientCopy', () => {
  it('a table without AUTO_INCREMENT never needs it', () => {
    for (const m of [0, 1, 2, '1', null]) expect(needsClientCopy(false, m)).toBe(false);
  });
  it('AUTO_INCREMENT in lock modes 0 and 1, or an unknown mode: through the client', () => {
    for (const m of [0, 1, '1', null, undefined]) expect(needsClientCopy(true, m)).toBe(true);
  });
  it('AUTO_INCREMENT in mode 2 (interleaved): INSERT … SELECT', () => {
    expect(needsClientCopy(true, 2)).toBe(false);
    expect(needsClientCopy(true, '2')).toBe(false);
  });
});

describe('statementLimit (the largest INSERT the client path sends)', () => {
  it('1 MB while max_allowed_packet leaves room for 4 bytes a character', () => {
    expect(statementLimit(16 * 2 ** 20)).toBe(1_000_000);
    expect(statementLimit(64 * 2 ** 20)).toBe(1_000_000);
  });
  it('a quarter of a smaller max_allowed_packet (less a margin), never under 16 KB', () => {
    expect(statementLimit(2 ** 20)).toBe(Math.floor((2 ** 20 - 4096) / 4));
    expect(statementLimit(1024)).toBe(16 * 1024);
  });
  it('an unreadable value counts as 4 MB', () => {
    expect(statementLimit(Number.NaN)).toBe(1_000_000);
    expect(statementLimit(0)).toBe(1_000_000);
  });
});
