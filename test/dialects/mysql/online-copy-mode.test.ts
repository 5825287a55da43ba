/**
 * Which copy path the online copy takes for a table with an AUTO_INCREMENT column
 * (src/dialects/mysql/online-copy.ts `needsClientCopy`): through the client while InnoDB takes its
 * table-level AUTO-INC lock for bulk inserts (innodb_autoinc_lock_mode 0 or 1 — the MariaDB service
 * here runs 1, and test/integration/mysql-online-copy.test.ts copies such a table that way), INSERT …
 * SELECT in mode 2, where no insert takes it (mode 2 is read-only at runtime, so no server here runs it).
 */
import { describe, expect, it } from 'vitest';
import { needsClientCopy } from '../../../src/dialects/mysql/online-copy.js';

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
