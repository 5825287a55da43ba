/**
 * A reader for Prisma schema files (schema.prisma): the models, the table each maps to (`@@map`,
 * `@@schema`), and their scalar fields with the column each maps to (`@map`) and whether it is optional.
 * Prisma's schema language is line-oriented (one field or block attribute per line), so this reads
 * it line by line after removing comments; a file whose blocks do not close is refused, not guessed.
 */

export interface PrismaField {
  name: string;
  /** The column: `@map("…")` or the field name. */
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  hasDefault: boolean;
  /** 1-based. */
  line: number;
}

export interface PrismaModel {
  name: string;
  /** `@@map("…")` or the model name. */
  table: string;
  schema?: string;
  fields: PrismaField[];
  /** 1-based lines of `model X {` and of its closing `}`. */
  line: number;
  endLine: number;
}

export class PrismaSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Removes a `//` comment that is not inside a string. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"' && line[i - 1] !== '\\') inString = !inString;
    else if (!inString && ch === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** The line with its string literals emptied (a `{` in `@default("{}")` is not a block). */
function withoutStrings(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

const stringArg = (attrs: string, attr: string): string | undefined => {
  const m = new RegExp(`${attr}\\(\\s*(?:name\\s*:\\s*)?"((?:[^"\\\\]|\\\\.)*)"`).exec(attrs);
  return m?.[1];
};

export function parsePrismaSchema(text: string): PrismaModel[] {
  const lines = text.split(/\r?\n/);
  const models: PrismaModel[] = [];
  const blockNames = new Set<string>();
  let block: { kind: string; name: string; line: number; model?: PrismaModel } | undefined;
  lines.forEach((raw, i) => {
    const line = stripComment(raw).trim();
    if (!line) return;
    const lineNo = i + 1;
    if (!block) {
      const open = /^(model|enum|view|type|datasource|generator)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{\s*$/.exec(line);
      if (open) {
        block = { kind: open[1]!, name: open[2]!, line: lineNo };
        if (open[1] === 'model' || open[1] === 'view') block.model = { name: open[2]!, table: open[2]!, fields: [], line: lineNo, endLine: lineNo };
        return;
      }
      throw new PrismaSyntaxError(`expected a block such as "model Name {", got "${line.slice(0, 40)}"`, lineNo);
    }
    if (withoutStrings(line) === '}') {
      if (block.model) {
        block.model.endLine = lineNo;
        models.push(block.model);
      }
      blockNames.add(block.name);
      block = undefined;
      return;
    }
    if (withoutStrings(line).includes('{')) throw new PrismaSyntaxError(`block ${block.kind} ${block.name} (line ${block.line}) is not closed before this line`, lineNo);
    const model = block.model;
    if (!model) return;
    if (line.startsWith('@@')) {
      const map = stringArg(line, '@@map');
      if (map !== undefined) model.table = map;
      const schema = stringArg(line, '@@schema');
      if (schema !== undefined) model.schema = schema;
      return;
    }
    // name Type[]? @attrs — the type may be Unsupported("tsvector") (what prisma db pull and lockstep types write).
    const f = /^([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_][A-Za-z0-9_.]*|Unsupported\("(?:[^"\\]|\\.)*"\))(\[\])?(\?)?(?:\s+(.*))?$/.exec(line);
    if (!f) throw new PrismaSyntaxError(`cannot read this field of model ${model.name}: "${line.slice(0, 40)}"`, lineNo);
    const attrs = f[5] ?? '';
    model.fields.push({
      name: f[1]!,
      column: stringArg(attrs, '@map') ?? f[1]!,
      type: f[2]!,
      optional: !!f[4],
      list: !!f[3],
      hasDefault: /@default\(/.test(attrs) || /@updatedAt\b/.test(attrs),
      line: lineNo,
    });
  });
  if (block) throw new PrismaSyntaxError(`block ${block.kind} ${block.name} is not closed`, block.line);
  // Relation fields (their type is another model) are not columns.
  const modelNames = new Set(models.map((m) => m.name));
  for (const m of models) m.fields = m.fields.filter((f) => !modelNames.has(f.type));
  return models;
}
