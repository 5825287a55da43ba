/** lockstep's public API. The CLI imports only from here and from src/cli. */
export { lintSql, lintPaths, lintMigrations, DEFAULT_PG_VERSION, type LintOptions, type LintResult } from './lint/lint.js';
export { loadParser, parsePostgres, type Statement, type ParsedSql } from './parse/postgres.js';
export { readMigrations, detectLayout, layouts } from './parse/layouts/index.js';
export { layoutIds, type LayoutId, type Migration, type TransactionMode } from './parse/migrations.js';
export { effects, claimFor, type EffectEntry, type EffectId, type Claim } from './dialects/postgres/effects.js';
export { classify, type StatementEffect } from './dialects/postgres/classify.js';
export { Catalog } from './dialects/postgres/catalog.js';
export { introspect, introspectUrl, type TargetFacts } from './dialects/postgres/introspect.js';
export { rules, ruleIds, type RuleId } from './rules/registry.js';
export type { Rule, RuleMeta } from './rules/rule.js';
export { loadConfig, validateConfig, type Config } from './config/config.js';
export { lintRenderers, lintFormats, type LintFormat } from './report/index.js';
export { LockstepError, type ErrorCode, type Problem } from './core/errors.js';
export type { Finding, Severity, Span, SourceFile, QualifiedName } from './core/types.js';
export { lockModes, blocks, type LockMode } from './core/locks.js';
// Describing a change: spec files, TypeScript builders, plain SQL (src/spec).
export { readChangeSpec, readChange } from './spec/read.js';
export { parseChangeSpec, type ParseSpecOptions, type SpecFormat } from './spec/parse-spec.js';
export { addColumn, addIndex, addCheck, addForeignKey, addUnique, setNotNull, change, type TableRef, type AddColumnOptions } from './spec/builders.js';
export { changeFromSql, type SqlChange, type Unconverted, type FromSqlOptions } from './spec/from-sql.js';
export type { Change, Operation, OperationKind, AddColumn, AddIndex, AddCheck, AddForeignKey, AddUnique, SetNotNull, FkAction } from './operations/types.js';
export { plan, type PlanOptions } from './plan/planner.js';
export type { Plan, Phase, Step, PhaseName, Backfill } from './plan/types.js';
export { renderPlanText, renderPlanJson, renderPlanSql, renderPlanSqlFiles, planFormats, type PlanFormat } from './report/plan.js';
export { operations } from './operations/registry.js';
