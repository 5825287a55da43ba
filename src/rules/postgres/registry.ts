/**
 * Every Postgres lint rule (and the common ones), keyed by id. A rule is one file; adding one here is
 * the only registration. (test/rules/registry.test.ts checks that each key equals its rule's id and
 * that its examples behave.)
 */
import type { Rule } from './rule.js';
import syntaxError from '../common/syntax-error.js';
import unusedIgnore from '../common/unused-ignore.js';
import ignoreWithoutReason from '../common/ignore-without-reason.js';
import requireConcurrentIndexCreation from './require-concurrent-index-creation.js';
import unsupportedInVersion from './unsupported-in-version.js';
// imports: columns and constraints
import banDropNotNull from './ban-drop-not-null.js';
import changingColumnType from './changing-column-type.js';
import addingExclusionConstraint from './adding-exclusion-constraint.js';
import addingUniqueConstraint from './adding-unique-constraint.js';
import addingForeignKey from './adding-foreign-key.js';
import constraintMissingNotValid from './constraint-missing-not-valid.js';
import settingNotNull from './setting-not-null.js';
import addingNotNullColumn from './adding-not-null-column.js';
import addingConstrainedDomainColumn from './adding-constrained-domain-column.js';
import addingStoredGeneratedColumn from './adding-stored-generated-column.js';
import addingSerialColumn from './adding-serial-column.js';
import addingVolatileDefault from './adding-volatile-default.js';
// imports: types, domains, enums, identifiers
import preferJsonb from './prefer-jsonb.js';
import banCharField from './ban-char-field.js';
import preferTextField from './prefer-text-field.js';
import preferBigintOverInt from './prefer-bigint-over-int.js';
import preferBigintOverSmallint from './prefer-bigint-over-smallint.js';
import preferIdentity from './prefer-identity.js';
import preferTimestamptz from './prefer-timestamptz.js';
import banCreateDomainWithConstraint from './ban-create-domain-with-constraint.js';
import banAlterDomainWithAddConstraint from './ban-alter-domain-with-add-constraint.js';
import requireEnumValueOrdering from './require-enum-value-ordering.js';
import enumValueInTransaction from './enum-value-in-transaction.js';
import identifierTooLong from './identifier-too-long.js';
import banDuplicateColumnAssignments from './ban-duplicate-column-assignments.js';
// imports: transactions and timeouts
import concurrentlyInTransaction from './concurrently-in-transaction.js';
import transactionNesting from './transaction-nesting.js';
import banUncommittedTransaction from './ban-uncommitted-transaction.js';
import requireLockTimeout from './require-lock-timeout.js';
import requireStatementTimeout from './require-statement-timeout.js';
import lockQueueWithoutTimeout from './lock-queue-without-timeout.js';
import lockTimeoutTooLong from './lock-timeout-too-long.js';
import multipleAccessExclusiveInTransaction from './multiple-access-exclusive-in-transaction.js';
import notValidValidateSameTransaction from './not-valid-validate-same-transaction.js';
import backfillInMigration from './backfill-in-migration.js';
import concurrentIndexCorruptionBug from './concurrent-index-corruption-bug.js';
import preferRobustStmts from './prefer-robust-stmts.js';
// imports: destructive, maintenance, partitions, renames
// imports: remaining peer checks
import droppingObject from './dropping-object.js';
import renamingObject from './renaming-object.js';
import banDropDefault from './ban-drop-default.js';
import banDropGeneratedExpression from './ban-drop-generated-expression.js';
import changingIdentity from './changing-identity.js';
import settingSchema from './setting-schema.js';
import addingTrigger from './adding-trigger.js';
import changingInheritance from './changing-inheritance.js';
import indexTooManyColumns from './index-too-many-columns.js';
import requireTableSchema from './require-table-schema.js';
import droppingConstraint from './dropping-constraint.js';
import statementTimeoutTooLong from './statement-timeout-too-long.js';
import requireConcurrentIndexDeletion from './require-concurrent-index-deletion.js';
import requireConcurrentReindex from './require-concurrent-reindex.js';
import requireConcurrentDetachPartition from './require-concurrent-detach-partition.js';
import renamingColumn from './renaming-column.js';
import renamingTable from './renaming-table.js';
import droppingColumn from './dropping-column.js';
import droppingTable from './dropping-table.js';
import droppingDatabase from './dropping-database.js';
import truncateTable from './truncate-table.js';
import deleteWithoutWhere from './delete-without-where.js';
import vacuumFull from './vacuum-full.js';
import cluster from './cluster.js';
import refreshMaterializedView from './refresh-materialized-view.js';
import rewritingTableChange from './rewriting-table-change.js';
import replicaIdentityFull from './replica-identity-full.js';
import rowLevelSecurityToggle from './row-level-security-toggle.js';
import attachPartitionScan from './attach-partition-scan.js';
import unanalyzableStatement from './unanalyzable-statement.js';

export const postgresRules = {
  'syntax-error': syntaxError,
  'unused-ignore': unusedIgnore,
  'ignore-without-reason': ignoreWithoutReason,
  'require-concurrent-index-creation': requireConcurrentIndexCreation,
  'unsupported-in-version': unsupportedInVersion,
  // rules: columns and constraints
  'ban-drop-not-null': banDropNotNull,
  'changing-column-type': changingColumnType,
  'adding-exclusion-constraint': addingExclusionConstraint,
  'adding-unique-constraint': addingUniqueConstraint,
  'adding-foreign-key': addingForeignKey,
  'constraint-missing-not-valid': constraintMissingNotValid,
  'setting-not-null': settingNotNull,
  'adding-not-null-column': addingNotNullColumn,
  'adding-constrained-domain-column': addingConstrainedDomainColumn,
  'adding-stored-generated-column': addingStoredGeneratedColumn,
  'adding-serial-column': addingSerialColumn,
  'adding-volatile-default': addingVolatileDefault,
  // rules: types, domains, enums, identifiers
  'prefer-jsonb': preferJsonb,
  'ban-char-field': banCharField,
  'prefer-text-field': preferTextField,
  'prefer-bigint-over-int': preferBigintOverInt,
  'prefer-bigint-over-smallint': preferBigintOverSmallint,
  'prefer-identity': preferIdentity,
  'prefer-timestamptz': preferTimestamptz,
  'ban-create-domain-with-constraint': banCreateDomainWithConstraint,
  'ban-alter-domain-with-add-constraint': banAlterDomainWithAddConstraint,
  'require-enum-value-ordering': requireEnumValueOrdering,
  'enum-value-in-transaction': enumValueInTransaction,
  'identifier-too-long': identifierTooLong,
  'ban-duplicate-column-assignments': banDuplicateColumnAssignments,
  // rules: transactions and timeouts
  'concurrently-in-transaction': concurrentlyInTransaction,
  'transaction-nesting': transactionNesting,
  'ban-uncommitted-transaction': banUncommittedTransaction,
  'require-lock-timeout': requireLockTimeout,
  'require-statement-timeout': requireStatementTimeout,
  'lock-queue-without-timeout': lockQueueWithoutTimeout,
  'lock-timeout-too-long': lockTimeoutTooLong,
  'multiple-access-exclusive-in-transaction': multipleAccessExclusiveInTransaction,
  'not-valid-validate-same-transaction': notValidValidateSameTransaction,
  'backfill-in-migration': backfillInMigration,
  'concurrent-index-corruption-bug': concurrentIndexCorruptionBug,
  'prefer-robust-stmts': preferRobustStmts,
  // rules: destructive, maintenance, partitions, renames
  'require-concurrent-index-deletion': requireConcurrentIndexDeletion,
  'require-concurrent-reindex': requireConcurrentReindex,
  'require-concurrent-detach-partition': requireConcurrentDetachPartition,
  'renaming-column': renamingColumn,
  'renaming-table': renamingTable,
  'dropping-column': droppingColumn,
  'dropping-table': droppingTable,
  'dropping-database': droppingDatabase,
  'truncate-table': truncateTable,
  'delete-without-where': deleteWithoutWhere,
  'vacuum-full': vacuumFull,
  cluster,
  'refresh-materialized-view': refreshMaterializedView,
  'rewriting-table-change': rewritingTableChange,
  'replica-identity-full': replicaIdentityFull,
  'row-level-security-toggle': rowLevelSecurityToggle,
  'attach-partition-scan': attachPartitionScan,
  'unanalyzable-statement': unanalyzableStatement,
  // rules: remaining peer checks
  'dropping-object': droppingObject,
  'renaming-object': renamingObject,
  'ban-drop-default': banDropDefault,
  'ban-drop-generated-expression': banDropGeneratedExpression,
  'changing-identity': changingIdentity,
  'setting-schema': settingSchema,
  'adding-trigger': addingTrigger,
  'changing-inheritance': changingInheritance,
  'index-too-many-columns': indexTooManyColumns,
  'require-table-schema': requireTableSchema,
  'dropping-constraint': droppingConstraint,
  'statement-timeout-too-long': statementTimeoutTooLong,
} satisfies Record<string, Rule>;
