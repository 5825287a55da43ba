/**
 * `--format json`: a documented, versioned schema (docs/schema/lint-result.v1.json). Bump `version`
 * on any incompatible change; adding optional fields is compatible.
 */
import type { LintResult } from '../lint/lint.js';
import { locate, summarize } from './located.js';
import { toolName, toolVersion } from './version.js';

export const JSON_FORMAT_VERSION = 1;

export function renderJson(result: LintResult): string {
  const { located } = locate(result.findings, result.files);
  const doc = {
    version: JSON_FORMAT_VERSION,
    tool: { name: toolName, version: toolVersion },
    pgVersion: result.pgVersion,
    findings: located.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      why: firstParagraph(f.why),
      fix: f.fix ?? null,
      docs: f.docs,
      migration: f.migration ?? null,
      section: f.section ?? null,
    })),
    summary: { ...summarize(result.findings), files: result.files.length, migrations: result.migrations, statements: result.statements },
  };
  // One finding per line: readable with grep and tail, without the weight of full indentation.
  const findings = doc.findings.map((f) => JSON.stringify(f)).join(',\n    ');
  const { findings: _, ...rest } = doc;
  const head = JSON.stringify(rest, null, 2);
  return `${head.slice(0, -2)},\n  "findings": [${findings ? `\n    ${findings}\n  ` : ''}]\n}\n`;
}

/** The first paragraph of a why: the rest is on the rule's doc page (`docs`). */
function firstParagraph(why: string): string {
  const i = why.search(/\n\s*\n/);
  return i < 0 ? why : why.slice(0, i);
}
