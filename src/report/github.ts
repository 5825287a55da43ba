/** `--format github`: GitHub Actions workflow commands, one annotation per finding. */
import type { LintResult } from '../lint/lint.js';
import { locate } from './located.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function renderGithub(result: LintResult): string {
  const { located } = locate(result.findings, result.files);
  return located
    .map((f) => {
      const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      const props = [
        `file=${escapeProperty(f.file)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        ...(f.endLine === f.line ? [`endColumn=${f.endColumn}`] : []),
        `title=${escapeProperty(`lockstep ${f.rule}`)}`,
      ].join(',');
      const body = [f.message, f.fix ? `Fix: ${f.fix}` : '', `Docs: ${f.docs}`].filter(Boolean).join('\n');
      return `::${level} ${props}::${escapeData(body)}`;
    })
    .join('\n')
    .concat(located.length ? '\n' : '');
}
