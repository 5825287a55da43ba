/** `--format sarif`: SARIF 2.1.0 with every rule described and one result per finding. */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { LintResult } from '../lint/lint.js';
import { allRules as rules } from '../rules/registry.js';
import type { Rule } from '../rules/rule.js';
import { locate } from './located.js';
import { informationUri, toolName, toolVersion } from './version.js';
import { docsUrl } from '../core/types.js';

const level = (s: string) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');

export function renderSarif(result: LintResult): string {
  const { located } = locate(result.findings, result.files);
  const list = Object.values(rules) as Rule[];
  const indexOf = new Map(list.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: toolName,
            version: toolVersion,
            informationUri,
            rules: list.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.why },
              helpUri: `${informationUri}/blob/main/${docsUrl(r.id)}`,
              defaultConfiguration: { level: level(r.severity), enabled: !r.optIn },
              properties: { category: r.category, tags: ['postgresql', 'migration', r.category] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: located.map((f) => ({
          ruleId: f.rule,
          ...(indexOf.has(f.rule) ? { ruleIndex: indexOf.get(f.rule) } : {}),
          level: level(f.severity),
          message: { text: f.fix ? `${f.message}\n\nFix: ${f.fix}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: isAbsolute(f.file) ? pathToFileURL(f.file).href : f.file.split(/[\\/]/).map(encodeURIComponent).join('/') },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: Math.max(f.endColumn, f.endLine === f.line ? f.column + 1 : 1) },
              },
            },
          ],
          ...(f.migration ? { properties: { migration: f.migration, section: f.section } } : {}),
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
