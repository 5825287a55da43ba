/** The rule types of the Postgres rules: the neutral ones of ../rule.ts with Postgres's statements, effects, catalog and session. */
import { ruleDefiner, type EndContext as BaseEnd, type Rule as BaseRule, type RuleContext as BaseContext } from '../rule.js';
import type { PgLint } from '../../dialects/postgres/lint.js';

export type { RuleCategory, RuleMeta, ReportOptions, MigrationInfo } from '../rule.js';
export type { HeldLock, TransactionState, TimeoutSetting, TimeoutState } from '../../dialects/postgres/session.js';
export type RuleContext = BaseContext<PgLint>;
export type EndContext = BaseEnd<PgLint>;
export type Rule = BaseRule<PgLint>;

export const defineRule = ruleDefiner<PgLint>();
