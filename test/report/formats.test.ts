/** The machine formats are valid against their schemas; text has code frames and no colour unless asked. */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lintSql } from '../../src/lint/lint.js';
import { lintRenderers } from '../../src/report/index.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv').default as new (o: object) => { validate(s: object, d: unknown): boolean; errors?: unknown[] | null };
const AjvDraft04 = require('ajv-draft-04').default as typeof Ajv;
const sql = `-- a comment
CREATE INDEX orders_created_at_idx ON orders (created_at);
ALTER TABLE "Order Items" ADD COLUMN note text;
SELECT 'é' FROM x WHERE;
`;

async function result() {
  return lintSql(sql, { file: 'migrations/0002_orders.sql', records: true });
}

describe('json', () => {
  test('validates against docs/schema/lint-result.v2.json and carries positions', async () => {
    const out = JSON.parse(lintRenderers.json(await result(), { color: false }));
    const schema = JSON.parse(readFileSync(new URL('../../docs/schema/lint-result.v2.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ strict: false });
    const ok = ajv.validate(schema, out);
    expect(ajv.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const idx = out.findings.find((f: any) => f.rule === 'require-concurrent-index-creation');
    expect(idx).toMatchObject({ file: 'migrations/0002_orders.sql', line: 2, column: 1, endLine: 2, severity: 'warning', docs: 'docs/rules/require-concurrent-index-creation.md' });
    expect(out.findings.find((f: any) => f.rule === 'syntax-error')).toMatchObject({ line: 4, column: 24 });
    expect(out.summary.statements).toBeGreaterThanOrEqual(2);
    // Every statement, with what it does: the plain CREATE INDEX blocks writes (SHARE), not reads.
    expect(out.dialect).toBe('postgres');
    expect(out.server).toEqual({ flavor: 'postgres', version: '15' });
    expect(out.statements).toHaveLength(out.summary.statements);
    expect(out.statements.find((s: any) => s.kind === 'IndexStmt')).toMatchObject({ span: { line: 2, column: 1 }, effects: { lock: 'SHARE', blocksReads: false, blocksWrites: true, rebuild: false, scan: true, proven: true, entries: ['create-index'] } });
    // The schema can fail: a statement without its effects is rejected.
    expect(ajv.validate(schema, { ...out, statements: [{ ...out.statements[0], effects: undefined }] })).toBe(false);
  });
});

describe('sarif', () => {
  test('is valid SARIF 2.1.0 (the schema GitHub code scanning uses) with every rule described', async () => {
    const out = JSON.parse(lintRenderers.sarif(await result(), { color: false }));
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new AjvDraft04({ strict: false, validateFormats: false, unicodeRegExp: false });
    const ok = ajv.validate(schema, out);
    expect(ajv.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // the schema check can fail: a wrong level is rejected
    expect(ajv.validate(schema, { ...out, runs: [{ ...out.runs[0], results: [{ ...out.runs[0].results[0], level: 'fatal' }] }] })).toBe(false);
    const run = out.runs[0];
    const ids = run.tool.driver.rules.map((r: any) => r.id);
    for (const r of run.results) {
      expect(ids[r.ruleIndex]).toBe(r.ruleId);
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe('migrations/0002_orders.sql');
    }
    expect(run.results.find((r: any) => r.ruleId === 'require-concurrent-index-creation').locations[0].physicalLocation.region).toMatchObject({ startLine: 2, startColumn: 1 });
  });
});

describe('github', () => {
  test('one workflow command per finding, with escaped newlines and properties', async () => {
    const out = lintRenderers.github(await result(), { color: false });
    const lines = out.trim().split('\n');
    expect(lines.length).toBe((await result()).findings.length);
    const idx = lines.find((l) => l.includes('require-concurrent-index-creation'))!;
    expect(idx).toMatch(/^::warning file=migrations\/0002_orders\.sql,line=2,col=1,endLine=2,endColumn=\d+,title=lockstep require-concurrent-index-creation::CREATE INDEX on orders/);
    expect(idx).toContain('%0AFix: ');
    expect(idx).not.toContain('\r');
  });
});

describe('text', () => {
  test('code frame with the statement underlined, why, fix, docs; no colour codes without a TTY', async () => {
    const out = lintRenderers.text(await result(), { color: false });
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).toContain('warning[require-concurrent-index-creation]: CREATE INDEX on orders');
    expect(out).toContain('╭▸ migrations/0002_orders.sql:2:1');
    expect(out).toContain('2 │ CREATE INDEX orders_created_at_idx ON orders (created_at);');
    expect(out).toMatch(/│ ━{20,}/);
    expect(out).toContain('├ fix: Build it without blocking writes:');
    expect(out).toContain('╰ docs: docs/rules/require-concurrent-index-creation.md');
    expect(out).toMatch(/\d+ errors?, \d+ warnings?, \d+ info \(1 migration, \d+ statements, PostgreSQL 15\)/);
  });

  test('colour when asked', async () => {
    expect(lintRenderers.text(await result(), { color: true })).toMatch(/\x1b\[33;1mwarning\[/);
  });

  test('a clean run says so', async () => {
    const out = lintRenderers.text(await lintSql('SELECT 1;'), { color: false });
    expect(out).toBe('✓ no findings (1 migration, 1 statement, PostgreSQL 15)\n');
  });
});
