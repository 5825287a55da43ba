/**
 * `-- lockstep-ignore <rule-id>[, <rule-id>…]: <reason>` silences those rules for the next statement;
 * `-- lockstep-ignore-file <rule-id>[, …]` for the whole file. An ignore that silences nothing, names
 * an unknown rule, or (for the next-statement form) gives no reason, is itself reported.
 */
import type { Span } from '../core/types.js';
import type { Comment } from '../dialects/dialect.js';

export interface IgnoreDirective {
  kind: 'next' | 'file';
  rules: string[];
  reason?: string;
  /** The comment. */
  span: Span;
  /** Start of the statement a `next` directive applies to (filled in once statements are known). */
  target?: number;
  /** Rule ids that silenced at least one finding. */
  used: Set<string>;
}

const pattern = /^(?:--|#|\/\*)\s*lockstep-ignore(-file)?\b\s*([^:*]*?)\s*(?::\s*(.*?))?\s*(?:\*\/)?\s*$/s;

/** Directives in a file; cheap when the file mentions none. */
export function findIgnores(text: string, comments: (text: string) => Comment[]): IgnoreDirective[] {
  if (!text.includes('lockstep-ignore')) return [];
  const out: IgnoreDirective[] = [];
  for (const c of comments(text)) {
    const m = pattern.exec(c.text.trim());
    if (!m) continue;
    const rules = m[2]!.split(/[\s,]+/).filter(Boolean);
    out.push({ kind: m[1] ? 'file' : 'next', rules, ...(m[3] ? { reason: m[3] } : {}), span: c.span, used: new Set() });
  }
  return out;
}

/** Points each `next` directive at the first statement that starts after it. */
export function bindIgnores(directives: IgnoreDirective[], statementStarts: number[]): void {
  const starts = [...statementStarts].sort((a, b) => a - b);
  for (const d of directives) {
    if (d.kind !== 'next') continue;
    const s = starts.find((x) => x >= d.span.end);
    if (s !== undefined) d.target = s;
  }
}

/** The directive that silences `rule` for a finding in the statement starting at `stmtStart`, if any. */
export function silencing(directives: IgnoreDirective[], rule: string, stmtStart: number | undefined): IgnoreDirective | undefined {
  return directives.find((d) => d.rules.includes(rule) && (d.kind === 'file' || (stmtStart !== undefined && d.target === stmtStart)));
}
