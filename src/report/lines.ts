/**
 * Offsets → line and column, for every place that shows a position: findings, code frames, SARIF,
 * GitHub annotations, and server error positions (which count characters, see fromServerPosition).
 * Lines and columns are 1-based; columns count UTF-16 code units (SARIF's default unit).
 */
export interface Position {
  line: number;
  column: number;
}

export class LineIndex {
  /** Offset of the first character of each line. */
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1).replace(/\r$/, '');
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))]!;
  }

  /**
   * Postgres error positions (`position` in an ErrorResponse) are 1-based and count characters
   * (code points) of the query text sent; `base` is where that text starts in this file.
   */
  fromServerPosition(position: number, base = 0): number {
    let i = base;
    for (let k = 1; k < position && i < this.text.length; k++) {
      const c = this.text.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return i;
  }
}
