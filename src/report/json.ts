/**
 * `--format json`: a documented, versioned schema (docs/schema/lint-result.v2.json). Bump `version`
 * on any incompatible change; adding optional fields is compatible.
 */
import type { LintResult } from '../lint/lint.js';
import { versionText } from '../core/version.js';
import { locate, summarize } from './located.js';
import { toolName, toolVersion } from './version.js';
import { LineIndex } from './lines.js';

export const JSON_FORMAT_VERSION = 2;

export function renderJson(result: LintResult): string {
  const { located } = locate(result.findings, result.files);
  // Each rule's reason is said once, in `rules`; a finding carries `why` only when its reason is its own.
  const rules: Record<string, { title?: string; why: string; docs: string }> = {};
  const generic = new Map<string, string>();
  for (const f of located) {
    if (rules[f.rule]) continue;
    const rule = result.rules?.[f.rule];
    const why = firstParagraph(rule?.why ?? f.why);
    generic.set(f.rule, why);
    rules[f.rule] = { ...(rule?.title ? { title: rule.title } : {}), why, docs: f.docs };
  }
  const doc = {
    version: JSON_FORMAT_VERSION,
    tool: { name: toolName, version: toolVersion },
    dialect: result.dialect,
    server: { flavor: result.server.flavor, version: versionText(result.server) },
    ...(result.dialect === 'postgres' ? { pgVersion: result.pgVersion } : {}),
    findings: located.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      ...(firstParagraph(f.why) !== generic.get(f.rule) ? { why: firstParagraph(f.why) } : {}),
      fix: f.fix ?? null,
      docs: f.docs,
      migration: f.migration ?? null,
      section: f.section ?? null,
    })),
    rules,
    summary: { ...summarize(result.findings), files: result.files.length, migrations: result.migrations, statements: result.statements },
  };
  const statements = statementLines(result);
  // One finding per line: readable with grep and tail, without the weight of full indentation.
  const findings = doc.findings.map((f) => JSON.stringify(f)).join(',\n    ');
  const { findings: _, ...rest } = doc;
  const head = JSON.stringify(rest, null, 2);
  return `${head.slice(0, -2)},\n  "findings": [${findings ? `\n    ${findings}\n  ` : ''}],\n  "statements": [${statements ? `\n    ${statements}\n  ` : ''}]\n}\n`;
}

/** The first paragraph of a why: the rest is on the rule's doc page (`docs`). */
function firstParagraph(why: string): string {
  const i = why.search(/\n\s*\n/);
  return i < 0 ? why : why.slice(0, i);
}

/** One line per statement: where it is and what it does (`rebuild`: the dialect-neutral word for a rewrite). */
function statementLines(result: LintResult): string {
  const texts = new Map(result.files.map((f) => [f.path, f.text]));
  const indexes = new Map<string, LineIndex>();
  return (result.records ?? [])
    .map((r) => {
      let li = indexes.get(r.file);
      if (!li) indexes.set(r.file, (li = new LineIndex(texts.get(r.file) ?? '')));
      const s = li.position(r.span.start);
      const e = li.position(r.span.end);
      const { rewrite, ...effects } = r.effects;
      return JSON.stringify({
        file: r.file,
        span: { line: s.line, column: s.column, endLine: e.line, endColumn: e.column },
        migration: r.migration,
        section: r.section,
        kind: r.kind,
        effects: { ...(effects.algorithm ? { algorithm: effects.algorithm } : {}), ...(effects.lock ? { lock: effects.lock } : {}), rebuild: rewrite, scan: effects.scan, blocksReads: effects.blocksReads, blocksWrites: effects.blocksWrites, proven: effects.proven, entries: effects.entries },
      });
    })
    .join(',\n    ');
}
