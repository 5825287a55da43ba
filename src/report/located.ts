/** Findings with line/column resolved once, shared by every renderer. */
import type { Finding, SourceFile } from '../core/types.js';
import { docsUrl } from '../core/types.js';
import { LineIndex } from './lines.js';

export interface LocatedFinding extends Finding {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  docs: string;
}

export function locate(findings: Finding[], files: SourceFile[]): { located: LocatedFinding[]; index: (path: string) => LineIndex | undefined } {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const indexes = new Map<string, LineIndex>();
  const index = (path: string) => {
    let li = indexes.get(path);
    if (!li) {
      const text = texts.get(path);
      if (text === undefined) return undefined;
      indexes.set(path, (li = new LineIndex(text)));
    }
    return li;
  };
  const located = findings.map((f) => {
    const li = index(f.file);
    const s = li?.position(f.span.start) ?? { line: 1, column: 1 };
    const e = li?.position(Math.max(f.span.end, f.span.start)) ?? s;
    return { ...f, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, docs: docsUrl(f.rule) };
  });
  return { located, index };
}

export interface Summary {
  error: number;
  warning: number;
  info: number;
}

export function summarize(findings: Finding[]): Summary {
  const s: Summary = { error: 0, warning: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}
