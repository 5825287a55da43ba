/** `--server-version` for MySQL and MariaDB: what is read, what is refused, and the defaults. */
import { expect, test } from 'vitest';
import { DEFAULT_VERSION, parseMyVersion } from '../../../src/dialects/mysql/versions.js';

test('versions as the servers spell them', () => {
  expect(parseMyVersion('8.0.36', 'mysql')).toEqual({ flavor: 'mysql', major: 8, minor: 0, patch: 36 });
  expect(parseMyVersion('8.4', 'mysql')).toEqual({ flavor: 'mysql', major: 8, minor: 4 });
  expect(parseMyVersion('10.11', 'mariadb')).toEqual({ flavor: 'mariadb', major: 10, minor: 11 });
  expect(parseMyVersion('11.4.2', 'mariadb')).toEqual({ flavor: 'mariadb', major: 11, minor: 4, patch: 2 });
  // SELECT VERSION() output, with the replication prefix MariaDB 10 once had
  expect(parseMyVersion('5.5.5-10.6.12-MariaDB-log', 'mysql')).toEqual({ flavor: 'mariadb', major: 10, minor: 6, patch: 12 });
});

test('a 10.x/11.x version given for mysql is MariaDB (MySQL has no such majors)', () => {
  expect(parseMyVersion('10.11', 'mysql')).toEqual({ flavor: 'mariadb', major: 10, minor: 11 });
});

test('unsupported and malformed versions: one line saying what is supported', () => {
  expect(parseMyVersion('5.7.44', 'mysql')).toBe('MySQL 5.7.44 is not supported: lockstep lints for MySQL 8.0, 8.4; MariaDB 10.6–10.11, 11.x');
  expect(parseMyVersion('9.1', 'mysql')).toMatch(/^MySQL 9.1 is not supported/);
  expect(parseMyVersion('10.5', 'mariadb')).toMatch(/^MariaDB 10.5 is not supported/);
  expect(parseMyVersion('10', 'mariadb')).toMatch(/give the minor: 10.6, 10.11/);
  expect(parseMyVersion('8.0', 'mariadb')).toMatch(/is a MySQL version, not MariaDB/);
  expect(parseMyVersion('latest', 'mysql')).toBe('must be a version like 8.0.36 (MySQL) or 10.11 (MariaDB), got "latest"');
});

test('defaults: MySQL 8.0.40 (a late 8.0 patch), MariaDB 10.11', () => {
  expect(DEFAULT_VERSION.mysql).toEqual({ flavor: 'mysql', major: 8, minor: 0, patch: 40 });
  expect(DEFAULT_VERSION.mariadb).toEqual({ flavor: 'mariadb', major: 10, minor: 11 });
});
