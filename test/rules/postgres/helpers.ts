import { lintSql, type LintOptions } from '../../../src/lint/lint.js';
import type { TransactionMode } from '../../../src/parse/migrations.js';
import type { Finding } from '../../../src/core/types.js';
import { LineIndex } from '../../../src/report/lines.js';
import { Catalog } from '../../../src/dialects/postgres/catalog.js';
import { loadParser, parsePostgres } from '../../../src/dialects/postgres/parser.js';

export interface Opts extends LintOptions {
  transaction?: TransactionMode;
  layout?: any;
}

/** Findings of one rule for `sql`, with every default rule running (so interplay is real). */
export async function findingsOf(rule: string, sql: string, opts: Opts = {}): Promise<Finding[]> {
  const r = await lintSql(sql, { ...opts, rules: { [rule]: 'on', ...(opts.rules ?? {}) } });
  return r.findings.filter((f) => f.rule === rule);
}

/** A compact view for inline snapshots: `line:col severity message` plus the fix. */
export async function lintView(rule: string, sql: string, opts: Opts = {}): Promise<string[]> {
  const li = new LineIndex(sql);
  return (await findingsOf(rule, sql, opts)).map((f) => {
    const p = li.position(f.span.start);
    return `${p.line}:${p.column} ${f.severity} ${f.message}${f.fix ? `\n${f.fix}` : ''}`;
  });
}

/** The schema as it was before the migration (as --db would give it): a catalog learned from `sql`. */
export async function catalogFrom(sql: string): Promise<Catalog> {
  await loadParser();
  const c = new Catalog();
  for (const s of parsePostgres(sql).statements) c.apply(s, 'before');
  return c;
}
