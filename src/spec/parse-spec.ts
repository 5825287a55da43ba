/**
 * A change spec's text (YAML or JSON) → Change. Syntax errors and every validation problem are reported
 * together as one E_INPUT error, each as `file:line: path: message`.
 */
import { basename, extname } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { LockstepError, type Problem } from '../core/errors.js';
import type { Change } from '../operations/types.js';
import type { SpecFragments } from '../dialects/dialect.js';
import { postgresSpecFragments } from './sql-fragments.js';
import { pathText, Reporter, validateChange, type Path } from './validate.js';
import { jsonErrorAt } from './json-error.js';

export type SpecFormat = 'yaml' | 'json';

export interface ParseSpecOptions {
  /** The file's path as the user gave it: in messages, and the default change name (without its extension). */
  file?: string;
  /** Default: from the extension of `file` (.yaml, .yml, .json), else yaml. */
  format?: SpecFormat;
  /**
   * How types, expressions and names are checked: the target dialect's (`dialect.specFragments`);
   * default PostgreSQL's.
   */
  fragments?: SpecFragments;
}

const SHAPE = 'expected table + one operation (addColumn, addIndex, addCheck, addForeignKey, addUnique, setNotNull), or changes: [ … ]';

/** The format a file name says, or undefined when it is not a spec's. */
export function specFormat(file: string): SpecFormat | undefined {
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : ext === '.json' ? 'json' : undefined;
}

/**
 * Parses and validates a change spec. Needs the dialect's checks loaded (Postgres: `await loadParser()`,
 * or `await fragments.load()`); readChangeSpec does that itself.
 */
export function parseChangeSpec(text: string, opts: ParseSpecOptions = {}): Change {
  const fragments = opts.fragments ?? postgresSpecFragments;
  fragments.requireReady('parseChangeSpec');
  const file = opts.file ?? '';
  const format = opts.format ?? (file ? specFormat(file) : undefined) ?? 'yaml';
  const source = text.replace(/^\uFEFF/, '');
  const lines = new LineCounter();
  const at = (line: number | undefined, path = '') => [file && (line ? `${file}:${line}` : file), path].filter(Boolean).join(': ');
  const fail = (problems: Problem[]) => new LockstepError('E_INPUT', problems);

  let value: unknown;
  let doc: Document | undefined;
  if (format === 'json') {
    if (!source.trim()) throw fail([{ where: at(undefined), message: `is empty: ${SHAPE}` }]);
    try {
      value = JSON.parse(source);
    } catch (e) {
      const err = jsonErrorAt(source);
      if (err) throw fail([{ where: at(source.slice(0, err.offset).split('\n').length), message: `invalid JSON: ${err.message}` }]);
      throw fail([{ where: at(undefined), message: `invalid JSON: ${(e as Error).message}` }]);
    }
    // Positions for the problems below: valid JSON is YAML as well.
    const located = parseDocument(source, { lineCounter: lines, prettyErrors: false });
    if (!located.errors.length) doc = located;
  } else {
    doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length)
      throw fail(doc.errors.map((e) => ({ where: at(lines.linePos(e.pos[0]).line), message: `invalid YAML: ${e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim()}` })));
    if (doc.contents === null || doc.contents === undefined) throw fail([{ where: at(undefined), message: `is empty: ${SHAPE}` }]);
    value = doc.toJS();
  }

  const r = new Reporter(fragments);
  const change = validateChange(r, value, (file && basename(file, extname(file))) || 'change');
  if (change && !r.count) return change;
  const problems = r.problems.map((p) => ({ line: doc ? lineOf(doc, lines, p.path, p.key) : undefined, where: pathText(p.path), message: p.message }));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)); // stable: same line keeps the order found
  throw fail(problems.map((p) => ({ where: at(p.line, p.where), message: p.message })));
}

/**
 * The line of the node at `path`: a scalar's own line, else the line of the key that holds it (for a key
 * problem, the key's line). A path that goes past what exists (a missing key) gives the deepest key found.
 */
function lineOf(doc: Document, lines: LineCounter, path: Path, key: boolean): number | undefined {
  let node: unknown = doc.contents;
  let line = lineAt(node, lines);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
      if (!pair) return line;
      line = lineAt(pair.key, lines) ?? line;
      if (key && i === path.length - 1) return line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      line = lineAt(node, lines) ?? line;
    } else return line;
  }
  return isScalar(node) ? (lineAt(node, lines) ?? line) : line;
}

function lineAt(node: unknown, lines: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}
