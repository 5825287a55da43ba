/**
 * The SQL each attempt of the MySQL/MariaDB metadata-lock guard runs (src/dialects/mysql/migrate/guard.ts).
 * On MariaDB `WAIT n` takes whole seconds, so a sub-second bound on an INSTANT statement's wait is
 * max_statement_time; statements that build or copy keep `WAIT n` (max_statement_time would cut them off
 * mid-work). The server side — that max_statement_time interrupts a DDL waiting for its metadata lock —
 * is exercised by test/integration/mysql-apply.test.ts (a reader holding the table in front of the ALTER).
 */
import { describe, expect, it } from 'vitest';
import { attemptSql, defaultMyGuard } from '../../../src/dialects/mysql/migrate/guard.js';

const instant = 'ALTER TABLE `orders` ADD COLUMN `flag` TINYINT NULL, ALGORITHM=INSTANT';
const inplace = 'ALTER TABLE `orders` ADD INDEX `orders_flag_idx` (`flag`), ALGORITHM=INPLACE, LOCK=NONE';

describe('attemptSql', () => {
  it('MariaDB: NOWAIT first, then an INSTANT statement bounded to lockWaitMs', () => {
    expect(attemptSql(instant, 'mariadb', 1, defaultMyGuard)).toBe('ALTER TABLE `orders` NOWAIT ADD COLUMN `flag` TINYINT NULL, ALGORITHM=INSTANT');
    expect(attemptSql(instant, 'mariadb', defaultMyGuard.nowaitAttempts + 1, defaultMyGuard)).toBe(`SET STATEMENT max_statement_time = 0.200 FOR ${instant}`);
    expect(attemptSql(instant, 'mariadb', 9, { ...defaultMyGuard, lockWaitMs: 50 })).toBe(`SET STATEMENT max_statement_time = 0.050 FOR ${instant}`);
  });

  it('MariaDB: a statement that builds keeps WAIT n, and a bound of a second or more too', () => {
    expect(attemptSql(inplace, 'mariadb', 9, defaultMyGuard)).toBe('ALTER TABLE `orders` WAIT 1 ADD INDEX `orders_flag_idx` (`flag`), ALGORITHM=INPLACE, LOCK=NONE');
    expect(attemptSql(instant, 'mariadb', 9, { ...defaultMyGuard, lockWaitMs: 2000, lockWaitSeconds: 2 })).toBe('ALTER TABLE `orders` WAIT 2 ADD COLUMN `flag` TINYINT NULL, ALGORITHM=INSTANT');
  });

  it('MySQL: the statement as it is (the session lock_wait_timeout bounds it)', () => {
    expect(attemptSql(instant, 'mysql', 1, defaultMyGuard)).toBe(instant);
    expect(attemptSql(instant, 'mysql', 9, defaultMyGuard)).toBe(instant);
  });
});
