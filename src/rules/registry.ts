/**
 * Every lint rule, keyed by id. A rule is one file; adding one here is the only registration.
 * (test/rules/registry.test.ts checks that each key equals its rule's id and that its examples behave.)
 */
import type { Rule } from './rule.js';
import syntaxError from './syntax-error.js';
import unusedIgnore from './unused-ignore.js';
import ignoreWithoutReason from './ignore-without-reason.js';
import requireConcurrentIndexCreation from './require-concurrent-index-creation.js';
// imports: columns and constraints
// imports: types, domains, enums, identifiers
// imports: transactions and timeouts
// imports: destructive, maintenance, partitions, renames

export const rules = {
  'syntax-error': syntaxError,
  'unused-ignore': unusedIgnore,
  'ignore-without-reason': ignoreWithoutReason,
  'require-concurrent-index-creation': requireConcurrentIndexCreation,
  // rules: columns and constraints
  // rules: types, domains, enums, identifiers
  // rules: transactions and timeouts
  // rules: destructive, maintenance, partitions, renames
} satisfies Record<string, Rule>;

export type RuleId = keyof typeof rules;

export const ruleIds = Object.keys(rules) as RuleId[];

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(rules, id);
}
