/** Every MySQL rule's doc examples, end to end (parser, catalog, classifier, session, rule): "bad" is flagged, "good" is not. */
import { describe, expect, test } from 'vitest';
import { mysqlRules } from '../../../src/rules/mysql/registry.js';
import { lintSql, schemaFromSql } from '../../../src/lint/lint.js';
import type { Rule } from '../../../src/rules/rule.js';

async function findings(rule: Rule, sql: string) {
  const target = { dialect: 'mysql' as const, ...(rule.examples.version !== undefined ? { serverVersion: String(rule.examples.version) } : {}) };
  const catalog = rule.examples.schema ? await schemaFromSql(rule.examples.schema, target) : undefined;
  const r = await lintSql(sql, { ...target, rules: { [rule.id]: 'on' }, ...(catalog ? { catalog } : {}) });
  return r.findings.filter((f) => f.rule === rule.id).map((f) => f.message);
}

describe.each(Object.entries(mysqlRules).filter(([id]) => !['syntax-error', 'unused-ignore', 'ignore-without-reason'].includes(id)) as [string, Rule][])('%s', (id, rule) => {
  test('flags its "bad" example', async () => {
    expect((await findings(rule, rule.examples.bad)).length, rule.examples.bad).toBeGreaterThan(0);
  });
  test('leaves its "good" example alone', async () => {
    expect(await findings(rule, rule.examples.good)).toEqual([]);
  });
});

test('a statement the parser cannot read: its position, and the rest of the file is still checked', async () => {
  const sql = 'ALTER TABLE orders ADD COLUMNN x INT;\nALTER TABLE orders MODIFY amount DECIMAL(14,2);';
  const r = await lintSql(sql, { dialect: 'mysql' });
  const u = r.findings.find((f) => f.rule === 'unanalyzable-statement');
  expect(u?.span.start).toBeGreaterThan(0);
  expect(u!.span.start).toBeLessThan(sql.indexOf('\n'));
  expect(r.findings.some((f) => f.span.start > sql.indexOf('\n'))).toBe(true);
});
