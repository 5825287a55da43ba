/** Every rule is registered under its own id, documented, and its doc examples behave as documented. */
import { describe, expect, test } from 'vitest';
import { postgresRules as rules } from '../../src/rules/postgres/registry.js';
import type { Rule } from '../../src/rules/rule.js';
import { findingsOf } from './postgres/helpers.js';

describe.each(Object.entries(rules) as [string, Rule][])('%s', (id, rule) => {
  test('is registered under its own id, kebab-case', () => {
    expect(rule.id).toBe(id);
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test('has the metadata its doc page is generated from', () => {
    expect(rule.title.length).toBeGreaterThan(5);
    expect(rule.why.length).toBeGreaterThan(40);
    expect(rule.examples.bad.trim()).not.toBe('');
    expect(rule.examples.good.trim()).not.toBe('');
  });

  test('flags its "bad" example', async () => {
    const f = await findingsOf(id, rule.examples.bad, { pgVersion: rule.examples.version ?? 15 });
    expect(f.length, rule.examples.bad).toBeGreaterThan(0);
  });

  test('leaves its "good" example alone', async () => {
    const f = await findingsOf(id, rule.examples.good, { pgVersion: rule.examples.version ?? 15 });
    expect(f.map((x) => x.message)).toEqual([]);
  });
});
