/**
 * Every MySQL/MariaDB lint rule (and the common ones), keyed by id. A rule is one file; adding one here
 * is the only registration. Where a rule checks what a Postgres rule checks it has the same id
 * (`changing-column-type`, `adding-foreign-key`, `setting-not-null`, `renaming-table`,
 * `unanalyzable-statement`): one config key, one doc page with a section per dialect.
 * (test/rules/registry.test.ts checks that each key equals its rule's id and that its examples behave.)
 */
import type { Rule } from './rule.js';
import syntaxError from '../common/syntax-error.js';
import unusedIgnore from '../common/unused-ignore.js';
import ignoreWithoutReason from '../common/ignore-without-reason.js';
import unanalyzableStatement from './unanalyzable-statement.js';
import requireLockWaitTimeout from './require-lock-wait-timeout.js';
import requireAlgorithmLock from './require-algorithm-lock.js';
import rebuildingAlter from './rebuilding-alter.js';
import instantNotAvailable from './instant-not-available.js';
import multipleDdlInMigration from './multiple-ddl-in-migration.js';
import varcharLengthPrefix from './varchar-length-prefix.js';
import enumReorder from './enum-reorder.js';
import changingColumnType from './changing-column-type.js';
import settingNotNull from './setting-not-null.js';
import addingForeignKey from './adding-foreign-key.js';
import changingPrimaryKey from './changing-primary-key.js';
import convertingCharset from './converting-charset.js';
import optimizeTable from './optimize-table.js';
import renamingTable from './renaming-table.js';
import addingUniqueIndex from './adding-unique-index.js';

export const mysqlRules = {
  'syntax-error': syntaxError,
  'unused-ignore': unusedIgnore,
  'ignore-without-reason': ignoreWithoutReason,
  'unanalyzable-statement': unanalyzableStatement,
  // timeouts and transactions
  'require-lock-wait-timeout': requireLockWaitTimeout,
  'multiple-ddl-in-migration': multipleDdlInMigration,
  // algorithm, lock and copies
  'require-algorithm-lock': requireAlgorithmLock,
  'rebuilding-alter': rebuildingAlter,
  'instant-not-available': instantNotAvailable,
  'varchar-length-prefix': varcharLengthPrefix,
  'enum-reorder': enumReorder,
  'changing-column-type': changingColumnType,
  'converting-charset': convertingCharset,
  'changing-primary-key': changingPrimaryKey,
  'optimize-table': optimizeTable,
  // data and the application
  'setting-not-null': settingNotNull,
  'adding-foreign-key': addingForeignKey,
  'adding-unique-index': addingUniqueIndex,
  'renaming-table': renamingTable,
} satisfies Record<string, Rule>;
