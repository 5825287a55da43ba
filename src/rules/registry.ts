/**
 * The rules of every dialect. Each dialect has its own registry (rules/<dialect>/registry.ts, which also
 * lists the common rules); an id names one concept, so where two dialects check the same thing they
 * share its id, its config key and its doc page.
 */
import type { DialectId } from '../core/version.js';
import type { Rule } from './rule.js';
import { postgresRules } from './postgres/registry.js';
import { mysqlRules } from './mysql/registry.js';

export const rulesByDialect = {
  postgres: postgresRules,
  mysql: mysqlRules,
} satisfies Partial<Record<DialectId, Record<string, Rule<any>>>>;

export type RuleId = { [D in keyof typeof rulesByDialect]: keyof (typeof rulesByDialect)[D] }[keyof typeof rulesByDialect];

/** Every rule of every dialect, by id (the first dialect's, where two share an id). */
export const allRules: Readonly<Record<string, Rule<any>>> = Object.assign({}, ...Object.values(rulesByDialect).reverse());

export const ruleIds = Object.keys(allRules) as RuleId[];

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(allRules, id);
}

/** The dialects that have a rule of this id. */
export function dialectsOf(id: string): DialectId[] {
  return (Object.keys(rulesByDialect) as (keyof typeof rulesByDialect)[]).filter((d) => Object.hasOwn(rulesByDialect[d], id));
}
