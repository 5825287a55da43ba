/**
 * Human output: one block per finding with a code frame of the statement, the why, the fix and the
 * docs link; a summary line. Colour only when asked (the CLI decides: a TTY without NO_COLOR).
 */
import { describeVersion } from '../core/version.js';
import type { LintResult } from '../lint/lint.js';
import { locate, summarize } from './located.js';

export interface TextOptions {
  color: boolean;
}

const codes = { red: 31, yellow: 33, blue: 34, cyan: 36, dim: 2, bold: 1, green: 32 } as const;
type Style = keyof typeof codes;

export function renderText(result: LintResult, opts: TextOptions): string {
  const paint = (s: string, ...styles: Style[]) => (opts.color && styles.length ? `\x1b[${styles.map((k) => codes[k]).join(';')}m${s}\x1b[0m` : s);
  const { located, index } = locate(result.findings, result.files);
  const out: string[] = [];
  for (const f of located) {
    const sevStyle: Style = f.severity === 'error' ? 'red' : f.severity === 'warning' ? 'yellow' : 'blue';
    out.push(`${paint(`${f.severity}[${f.rule}]`, sevStyle, 'bold')}: ${paint(f.message, 'bold')}`);
    const li = index(f.file);
    const last = Math.min(f.endLine, f.line + 3);
    const gutter = String(last).length;
    const pad = ' '.repeat(gutter);
    out.push(`${pad} ${paint('╭▸', 'blue')} ${f.file}:${f.line}:${f.column}${f.migration ? paint(`  (${f.migration}${f.section === 'down' ? ', down' : ''})`, 'dim') : ''}`);
    out.push(`${pad} ${paint('│', 'blue')}`);
    if (li) {
      for (let line = f.line; line <= last; line++) {
        const text = li.lineText(line).replace(/\t/g, '  ');
        out.push(`${paint(String(line).padStart(gutter), 'blue')} ${paint('│', 'blue')} ${text}`);
        const from = line === f.line ? f.column - 1 : leadingSpaces(text);
        const to = line === f.endLine ? Math.max(from + 1, f.endColumn - 1) : text.length;
        if (to > from) out.push(`${pad} ${paint('│', 'blue')} ${' '.repeat(from)}${paint('━'.repeat(Math.max(1, to - from)), sevStyle)}`);
      }
      if (f.endLine > last) out.push(`${pad} ${paint('│', 'blue')} ${paint('…', 'dim')}`);
    }
    out.push(`${pad} ${paint('│', 'blue')}`);
    out.push(...block(`${pad} ${paint('├', 'blue')} ${paint('why', 'bold')}: `, `${pad} ${paint('│', 'blue')}      `, firstSentence(f.why)));
    if (f.fix) out.push(...block(`${pad} ${paint('├', 'blue')} ${paint('fix', 'green', 'bold')}: `, `${pad} ${paint('│', 'blue')}      `, f.fix));
    out.push(`${pad} ${paint('╰', 'blue')} ${paint('docs', 'bold')}: ${f.docs}`);
    out.push('');
  }
  const s = summarize(result.findings);
  const parts = [
    s.error ? paint(`${s.error} error${s.error === 1 ? '' : 's'}`, 'red', 'bold') : '0 errors',
    s.warning ? paint(`${s.warning} warning${s.warning === 1 ? '' : 's'}`, 'yellow', 'bold') : '0 warnings',
    `${s.info} info`,
  ];
  const scope = `${result.migrations} migration${result.migrations === 1 ? '' : 's'}, ${result.statements} statement${result.statements === 1 ? '' : 's'}, ${describeVersion(result.server)}`;
  out.push(result.findings.length ? `${parts.join(', ')} (${scope})` : `${paint('✓', 'green', 'bold')} no findings (${scope})`);
  return out.join('\n') + '\n';
}

/** The first sentence of the why (the docs page has the rest). */
function firstSentence(s: string): string {
  const m = /^(.+?[.!?])(\s|$)/s.exec(s.replace(/\s+/g, ' ').trim());
  return m ? m[1]! : s;
}

function leadingSpaces(s: string): number {
  return s.length - s.trimStart().length;
}

/** Wraps prose at 100 columns; keeps SQL lines (anything that looks like code) as they are. */
function block(first: string, rest: string, text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    if (/^\s*([A-Z]{3,}\b|--|\)|\()/.test(raw) || raw.length <= 100) lines.push(raw);
    else {
      let cur = '';
      for (const w of raw.split(' ')) {
        if (cur && cur.length + w.length + 1 > 100) {
          lines.push(cur);
          cur = w;
        } else cur = cur ? `${cur} ${w}` : w;
      }
      if (cur) lines.push(cur);
    }
  }
  return lines.map((l, i) => (i === 0 ? first : rest) + l);
}
