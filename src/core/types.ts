/** Dialect-neutral types shared by every stage. */

export type Severity = 'error' | 'warning' | 'info';
export const severities: readonly Severity[] = ['error', 'warning', 'info'];
export const severityRank = (s: Severity): number => (s === 'error' ? 3 : s === 'warning' ? 2 : 1);

/** A half-open range of offsets into a source file's text (UTF-16 code units, as JS strings index; the parser converts once). */
export interface Span {
  start: number;
  end: number;
}

/** A file lockstep read. `text` is the whole file (BOM stripped); spans index it. */
export interface SourceFile {
  path: string;
  text: string;
}

export interface Finding {
  /** Rule id, kebab-case; also the doc page `docs/rules/<rule>.md` and the config key. */
  rule: string;
  severity: Severity;
  /** Path of the file, as given (relative to the working directory when possible). */
  file: string;
  span: Span;
  message: string;
  /** Why this matters, in one or two sentences. */
  why: string;
  /** What to do instead, written with the user's own names; often a full SQL sequence. */
  fix?: string;
  /** Which migration (when read from a layout) and whether the finding is in its up or down. */
  migration?: string;
  section?: 'up' | 'down';
}

/** A quoted or bare name as Postgres resolved it from the text: schema may be absent. */
export interface QualifiedName {
  schema?: string;
  name: string;
}

export const docsUrl = (rule: string): string => `docs/rules/${rule}.md`;
