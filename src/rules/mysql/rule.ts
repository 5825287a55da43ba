/** The rule types of the MySQL/MariaDB rules: the neutral ones of ../rule.ts with MySQL's statements, effects, catalog and session. */
import { ruleDefiner, type EndContext as BaseEnd, type Rule as BaseRule, type RuleContext as BaseContext } from '../rule.js';
import type { MyLint } from '../../dialects/mysql/lint-types.js';

export type { RuleCategory, RuleMeta, ReportOptions, MigrationInfo } from '../rule.js';
export type { MyTimeoutSetting, MyTimeoutState, MyTransactionState } from '../../dialects/mysql/session.js';
export type RuleContext = BaseContext<MyLint>;
export type EndContext = BaseEnd<MyLint>;
export type Rule = BaseRule<MyLint>;

export const defineRule = ruleDefiner<MyLint>();
