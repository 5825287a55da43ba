/**
 * Reads TypeScript and JavaScript with the TypeScript compiler's own parser (syntax only, no type
 * checking) and finds what touches the changed tables: SQL in strings and template literals (handed to
 * the Postgres parser, see sql-usage.ts), query-builder inserts (Knex, Kysely, Drizzle, Prisma Client),
 * table models and types (Drizzle `pgTable`, TypeORM `@Entity`, Kysely/Knex table interfaces, the row
 * type given to `query<Row>(sql)`), and code that uses a column as if it could not be NULL.
 */
import type * as TS from 'typescript';
import { createRequire } from 'node:module';
import { camel, nullableFor, tableLabel, type AppPhase, type ChangedColumn } from './columns.js';
import { skipTrivia } from '../dialects/postgres/lexer.js';
import type { AppDialect, FieldLine } from './dialect-app.js';
import type { AppFinding, AppRule, SkippedFile } from './findings.js';
import type { PrismaModel } from './prisma.js';
import type { Severity } from '../core/types.js';

let ts: typeof TS;

/**
 * The compiler is loaded only by app-check (it is large; the other commands never need it), with
 * require: importing its 9 MB CommonJS file as ESM makes Node scan it for named exports (~0.3 s).
 */
export async function loadTypeScript(): Promise<void> {
  ts ??= createRequire(import.meta.url)('typescript') as typeof TS;
}

export interface SourceText {
  /** As shown in findings. */
  file: string;
  text: string;
}

interface Parsed {
  src: SourceText;
  sf: TS.SourceFile;
  /** The file's lines, split when a finding needs its excerpt. */
  lines?: string[];
}

type Decl = TS.InterfaceDeclaration | TS.TypeAliasDeclaration | TS.ClassDeclaration;

const SQL_KEYWORD = /^\(?\s*(select|insert|update|delete|with|merge|copy|table|values)\b/i;

/** Whether a string starts, after blanks and (Postgres) SQL comments, with a statement's first keyword (linear: no backtracking). */
export function looksLikeSql(text: string): boolean {
  const i = skipTrivia(text, 0);
  return SQL_KEYWORD.test(text.slice(i, i + 40));
}

/** The names code may use for a column: as the database spells it, and camelCased. */
const namesOf = (c: ChangedColumn, extra: string[] = []) => new Set([c.column, camel(c.column), ...extra]);

function scriptKind(file: string): TS.ScriptKind {
  if (/\.tsx$/i.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/i.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function propName(n: TS.PropertyName | TS.BindingName | undefined): string | undefined {
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  if (ts.isComputedPropertyName(n) && ts.isStringLiteralLike(n.expression)) return n.expression.text;
  return undefined;
}

function stringArg(call: TS.CallExpression, i = 0): string | undefined {
  const a = call.arguments[i];
  return a && ts.isStringLiteralLike(a) ? a.text : undefined;
}

/** Whether a type annotation admits null or undefined anywhere (`T | null`, `ColumnType<T | null, …>`, `Nullable<T>`). */
function typeAdmitsNull(t: TS.TypeNode | undefined): boolean {
  if (!t) return true; // no annotation: nothing is claimed
  let admits = false;
  const visit = (n: TS.Node): void => {
    if (admits) return;
    if (n.kind === ts.SyntaxKind.NullKeyword || n.kind === ts.SyntaxKind.UndefinedKeyword || n.kind === ts.SyntaxKind.AnyKeyword || n.kind === ts.SyntaxKind.UnknownKeyword) admits = true;
    else if (ts.isLiteralTypeNode(n) && n.literal.kind === ts.SyntaxKind.NullKeyword) admits = true;
    else if (ts.isTypeReferenceNode(n) && /^(Nullable|Maybe|Optional)$/.test(n.typeName.getText())) admits = true;
    else ts.forEachChild(n, visit);
  };
  visit(t);
  return admits;
}

interface Member {
  name: string;
  type?: TS.TypeNode;
  optional: boolean;
  node: TS.Node;
}

function membersOf(d: Decl): Member[] | undefined {
  const list: readonly TS.Node[] | undefined = ts.isInterfaceDeclaration(d) ? d.members : ts.isTypeAliasDeclaration(d) ? (ts.isTypeLiteralNode(d.type) ? d.type.members : undefined) : d.members;
  if (!list) return undefined;
  const out: Member[] = [];
  for (const m of list) {
    if ((ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) && propName(m.name) !== undefined)
      out.push({ name: propName(m.name)!, ...(m.type ? { type: m.type } : {}), optional: !!m.questionToken, node: m });
  }
  return out;
}

export interface TsCheckInput {
  files: SourceText[];
  columns: ChangedColumn[];
  phase: AppPhase;
  prisma: PrismaModel[];
  /** How the dialect reads the SQL found in strings and templates. */
  sql: AppDialect;
  /** Pastable field lines for a missing column, per ORM (from the types generator). */
  fieldLine?: FieldLine;
}

/** Methods of query builders that follow a call naming a table: `knex('orders').where(…)`. */
const BUILDER_METHODS = /^(insert|select|where|whereIn|first|update|del|delete|returning|join|leftJoin|innerJoin|from|count|pluck|increment|decrement|upsert|onConflict|merge|columns?|orderBy|limit|andWhere|orWhere|truncate)$/;
/** Identifiers that are query builders by convention: `knex('orders')`, `trx('orders')`. */
const BUILDER_ROOTS = /^(knex|db|trx|tx|k|qb|database|connection|conn|sql)$/;
const PRISMA_METHODS = /^(findMany|findFirst|findUnique|findFirstOrThrow|findUniqueOrThrow|create|createMany|createManyAndReturn|update|updateMany|upsert|delete|deleteMany|count|aggregate|groupBy)$/;

/** `'orders as o'` (Knex) names orders. */
const tableOf = (s: string | undefined) => s?.trim().split(/\s+as\s+|\s+/i)[0];

/**
 * Whether a table named in code (schema optional) is the change's: an unqualified name may be any
 * schema's; a qualified one must be the change's (its schema, else the dialect's default, else any).
 */
export function sameTable(c: ChangedColumn, name: string, schema: string | undefined, defaultSchema: string | undefined): boolean {
  const dot = !schema && name.includes('.') ? name.split('.') : undefined;
  const [sch, tbl] = dot ? [dot[0], dot[1]] : [schema, name];
  const theirs = c.table.schema ?? defaultSchema;
  return tbl === c.table.name && (!sch || theirs === undefined || sch === theirs);
}

/** Checks TS/JS sources; files that do not parse are returned in `skipped`, the rest still checked. */
export function checkTypeScript(input: TsCheckInput): { findings: AppFinding[]; skipped: SkippedFile[] } {
  const findings: AppFinding[] = [];
  const skipped: SkippedFile[] = [];
  const parsed: Parsed[] = [];
  // A file nested too deep for a recursive walk (a generated 2,000-piece `'a' + 'b' + …`) is skipped, not fatal.
  const guardFile = (file: string, fn: () => void): boolean => {
    try {
      fn();
      return true;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      skipped.push({ file, reason: 'nested too deeply to read (generated code?)' });
      return false;
    }
  };
  for (const src of input.files) {
    guardFile(src.file, () => {
      const sf = ts.createSourceFile(src.file, src.text, ts.ScriptTarget.Latest, true, scriptKind(src.file));
      const diags: readonly TS.Diagnostic[] = (sf as any).parseDiagnostics ?? [];
      if (diags.length) {
        const d = diags[0]!;
        const pos = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : undefined;
        skipped.push({ file: src.file, reason: `does not parse${pos ? ` (line ${pos.line + 1}:${pos.character + 1})` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` });
        return;
      }
      parsed.push({ src, sf });
    });
  }

  // Pass 1, across files: type declarations by name, Drizzle tables and schemas by variable (and the
  // names they are imported under), Kysely database types.
  const decls = new Map<string, { decl: Decl; p: Parsed }[]>();
  const drizzleVars = new Map<string, { table: string; schema?: string }>();
  const schemaVars = new Map<string, string>(); // const sales = pgSchema('sales') / mysqlSchema('sales')
  const aliases = new Map<string, string>(); // import { orders as ordersTable }
  const dbTypeNames = new Set<string>(['DB', 'Database', 'Tables']);
  const usable: Parsed[] = [];
  for (const p of parsed) {
    const ok = guardFile(p.src.file, () => {
      const visit = (n: TS.Node): void => {
        if ((ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isClassDeclaration(n)) && n.name) decls.set(n.name.text, [...(decls.get(n.name.text) ?? []), { decl: n, p }]);
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isCallExpression(n.initializer) && /^(pgSchema|mysqlSchema)$/.test(n.initializer.expression.getText(p.sf))) {
          const sch = stringArg(n.initializer);
          if (sch) schemaVars.set(n.name.text, sch);
        }
        if (ts.isImportSpecifier(n) && n.propertyName) aliases.set(n.name.text, n.propertyName.text);
        if (ts.isTypeReferenceNode(n) && n.typeName.getText(p.sf) === 'Kysely' && n.typeArguments?.[0] && ts.isTypeReferenceNode(n.typeArguments[0])) dbTypeNames.add(n.typeArguments[0].typeName.getText(p.sf));
        if (ts.isNewExpression(n) && n.expression.getText(p.sf) === 'Kysely' && n.typeArguments?.[0] && ts.isTypeReferenceNode(n.typeArguments[0])) dbTypeNames.add(n.typeArguments[0].typeName.getText(p.sf));
        ts.forEachChild(n, visit);
      };
      visit(p.sf);
    });
    if (ok) usable.push(p);
  }
  for (const p of usable) {
    const visit = (n: TS.Node): void => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isCallExpression(n.initializer)) {
        const t = drizzleTable(n.initializer, schemaVars);
        if (t) drizzleVars.set(n.name.text, { table: t.table, ...(t.schema ? { schema: t.schema } : {}) });
      }
      ts.forEachChild(n, visit);
    };
    guardFile(p.src.file, () => visit(p.sf));
  }
  /** The Drizzle table an expression stands for: `orders`, an alias of it, or `schema.orders`. */
  const drizzleOf = (e: TS.Expression | undefined) => {
    if (!e) return undefined;
    if (ts.isIdentifier(e)) return drizzleVars.get(e.text) ?? drizzleVars.get(aliases.get(e.text) ?? '');
    if (ts.isPropertyAccessExpression(e)) return drizzleVars.get(e.name.text);
    return undefined;
  };
  const resolveType = (t: TS.TypeNode | undefined): { decl: Decl; p: Parsed } | undefined => {
    let ref = t;
    // Kysely's Selectable<T>/Insertable<T> wrap the table type.
    while (ref && ts.isTypeReferenceNode(ref) && /^(Selectable|Insertable|Updateable)$/.test(ref.typeName.getText()) && ref.typeArguments?.[0]) ref = ref.typeArguments[0];
    // mysql2's query<OrderRow[]>(sql): the rows' type.
    if (ref && ts.isArrayTypeNode(ref)) ref = ref.elementType;
    if (!ref || !ts.isTypeReferenceNode(ref)) return undefined;
    const found = decls.get(ref.typeName.getText().split('.').pop()!);
    return found?.length === 1 ? found[0] : undefined;
  };

  const prismaByAccessor = new Map<string, PrismaModel>();
  for (const m of input.prisma) prismaByAccessor.set(m.name[0]!.toLowerCase() + m.name.slice(1), m);
  const colsOfTable = (name: string | undefined, schema?: string) => (name === undefined ? [] : input.columns.filter((c) => sameTable(c, name, schema, input.sql.defaultSchema)));
  const reported = new Set<string>();
  const push = (q: Parsed, line: number, character: number, rule: AppRule, severity: Severity, message: string, advice: string) => {
    const k = `${q.src.file}:${line}:${character}:${rule}:${message}`;
    if (reported.has(k)) return;
    reported.add(k);
    findings.push({ rule, severity, file: q.src.file, line: line + 1, column: character + 1, message, advice, excerpt: ((q.lines ??= q.src.text.split(/\r?\n/))[line] ?? '').trim().slice(0, 160) });
  };

  // A file that names none of the changed tables, columns, their Drizzle variables or Prisma models
  // cannot read or write them: it is not walked again (most files of an application).
  const words = new Set<string>();
  for (const c of input.columns) for (const w of [c.table.name, ...namesOf(c)]) words.add(w.toLowerCase());
  for (const [v, t] of drizzleVars) if (colsOfTable(t.table, t.schema).length) words.add(v.toLowerCase());
  for (const [alias, orig] of aliases) if (words.has(orig.toLowerCase())) words.add(alias.toLowerCase());
  for (const [acc, m] of prismaByAccessor) if (colsOfTable(m.table, m.schema).length) words.add(acc.toLowerCase());
  const relevant = (text: string) => {
    const lower = text.toLowerCase();
    for (const w of words) if (lower.includes(w)) return true;
    return false;
  };
  for (const p of usable) if (relevant(p.src.text)) guardFile(p.src.file, () => checkFile(p));
  return { findings, skipped };

  function checkFile(p: Parsed): void {
    const { sf } = p;
    const add = (node: TS.Node | number | { line: number; character: number }, rule: AppRule, severity: Severity, message: string, advice: string) => {
      const lc = typeof node === 'number' ? sf.getLineAndCharacterOfPosition(node) : 'kind' in node ? sf.getLineAndCharacterOfPosition(node.getStart(sf)) : node;
      push(p, lc.line, lc.character, rule, severity, message, advice);
    };
    const addIn = (q: Parsed, node: TS.Node, rule: AppRule, severity: Severity, message: string, advice: string) => {
      const lc = q.sf.getLineAndCharacterOfPosition(node.getStart(q.sf));
      push(q, lc.line, lc.character, rule, severity, message, advice);
    };
    /** Tables this file reads or writes: the scope in which a bare `.created_at` is taken to be the column. */
    const touched = new Set<string>();
    const touch = (cs: ChangedColumn[]) => cs.forEach((c) => touched.add(`${c.table.schema ?? 'public'}.${c.table.name}`));
    // String constants of this file (`const COLUMNS = 'id, currency'`), inlined where a template uses them.
    const constants = new Map<string, string>();
    const collectConstants = (n: TS.Node): void => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isStringLiteralLike(n.initializer) && ts.isVariableDeclarationList(n.parent) && n.parent.flags & ts.NodeFlags.Const)
        constants.set(n.name.text, constants.has(n.name.text) ? '\u0000' : n.initializer.text);
      ts.forEachChild(n, collectConstants);
    };
    collectConstants(sf);

    // --- SQL in strings and templates --------------------------------------------------------------
    const sqlParts = new Set<TS.Node>();
    const checkSql = (node: TS.Node, text: string, starts: { sql: number; src: number }[]) => {
      if (!input.sql.looksLikeSql(text)) return;
      const lower = text.toLowerCase();
      if (!input.columns.some((c) => lower.includes(c.table.name.toLowerCase()))) return;
      // Where an offset in the SQL is in the file: by lines, so CRLF files and multi-line templates agree.
      const position = (off: number) => {
        let best = starts[0]!;
        for (const s of starts) if (s.sql <= off) best = s;
        const base = sf.getLineAndCharacterOfPosition(best.src);
        const between = text.slice(best.sql, off);
        const nl = between.lastIndexOf('\n');
        if (nl < 0) return { line: base.line, character: base.character + between.length };
        return { line: base.line + between.split('\n').length - 1, character: between.length - nl - 1 };
      };
      const a = input.sql.analyzeSql(text, input.columns, input.phase, { embedded: true });
      if (!a.parsed) {
        const table = input.columns.find((c) => new RegExp(`\\b${c.table.name.replace(/[^a-zA-Z0-9_]/g, '\\$&')}\\b`, 'i').test(text));
        if (table) add(node, 'sql-not-parsed', 'info', `SQL that mentions ${tableLabel(table.table)} did not parse (${a.error}), so it was not checked`, 'if this is SQL built from pieces, check it by hand');
        return;
      }
      const tableCols = input.columns.filter((c) => a.tables.has(`${c.table.schema ?? 'public'}.${c.table.name}`));
      touch(tableCols);
      for (const issue of a.issues) add(position(issue.offset), issue.rule, issue.severity, issue.message, issue.advice);
      // query<Row>(sql): the row type must admit NULL in a changed column the query returns.
      const call = node.parent;
      if (call && ts.isCallExpression(call) && call.arguments[0] === node && call.typeArguments?.[0]) {
        const row = resolveType(call.typeArguments[0]);
        if (row) for (const c of tableCols) if (a.reads.has(`${c.table.schema ?? 'public'}.${c.table.name}.${c.column}`)) checkMemberNullability(row, c, `the row type ${row.decl.name?.getText(row.p.sf)} of this query`);
      }
    };
    const checkMemberNullability = (row: { decl: Decl; p: Parsed }, c: ChangedColumn, what: string) => {
      if (!nullableFor(c, input.phase)) return;
      const m = membersOf(row.decl)?.find((x) => namesOf(c).has(x.name));
      if (!m || m.optional || typeAdmitsNull(m.type)) return;
      addIn(row.p, m.node, 'assumes-not-null', 'error', `${what} declares ${m.name}: ${m.type!.getText(row.p.sf)}, but ${tableLabel(c.table)}.${c.column} ${whyNull(c, input.phase)}`, `declare it ${m.name}: ${m.type!.getText(row.p.sf)} | null, and handle the null where it is read`);
    };

    const visitSql = (n: TS.Node): void => {
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
        if (!sqlParts.has(n)) checkSql(n, n.text, [{ sql: 0, src: n.getStart(sf) + 1 }]);
        return;
      }
      if (ts.isTemplateExpression(n)) {
        let text = n.head.text;
        const starts = [{ sql: 0, src: n.head.getStart(sf) + 1 }];
        n.templateSpans.forEach((span, i) => {
          const e = span.expression;
          const table = drizzleOf(e);
          const constant = ts.isIdentifier(e) ? constants.get(e.text) : undefined;
          // Drizzle's sql`… ${orders} …`: a table object stands for its name; a string constant for its text.
          text += table ? input.sql.quoteIdent(table.table) : constant !== undefined && constant !== '\u0000' ? constant : input.sql.parameter(i + 1);
          starts.push({ sql: text.length, src: span.literal.getStart(sf) + 1 });
          text += span.literal.text;
        });
        checkSql(n, text, starts);
        n.templateSpans.forEach((s) => visitSql(s.expression));
        return;
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken && !(ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
        // 'SELECT … ' + 'FROM orders': fold the literals, other operands become parameters (walked without recursion).
        const leaves: TS.Expression[] = [];
        const stack: TS.Expression[] = [n];
        while (stack.length) {
          const e = stack.pop()!;
          if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) stack.push(e.right, e.left);
          else if (ts.isParenthesizedExpression(e)) stack.push(e.expression);
          else leaves.push(e);
        }
        if (leaves.some((l) => ts.isStringLiteralLike(l))) {
          let text = '';
          let k = 0;
          const starts: { sql: number; src: number }[] = [];
          for (const l of leaves) {
            if (ts.isStringLiteralLike(l)) {
              starts.push({ sql: text.length, src: l.getStart(sf) + 1 });
              text += l.text;
              sqlParts.add(l);
            } else text += ts.isIdentifier(l) && constants.has(l.text) && constants.get(l.text) !== '\u0000' ? constants.get(l.text) : input.sql.parameter(++k);
          }
          checkSql(n, text, starts);
        }
      }
      ts.forEachChild(n, visitSql);
    };
    visitSql(sf);

    // --- Models and table types --------------------------------------------------------------------
    const missingColumn = (q: Parsed, node: TS.Node, c: ChangedColumn, what: string, orm: 'prisma' | 'drizzle' | 'typeorm' | 'ts') => {
      const must = !c.nullableAtEnd && !c.hasDefault;
      const line = input.fieldLine?.(c, orm);
      addIn(q, node, 'model-missing-column', must ? 'error' : 'warning', `${what} has no ${c.column}: ${must ? `inserts through it will fail once ${c.column} is NOT NULL (it has no default)` : `it can neither read nor write the new column`}`, line ? `add ${line}` : `add ${c.column} to it`);
    };
    const visitModels = (n: TS.Node): void => {
      if (ts.isCallExpression(n)) {
        const t = drizzleTable(n, schemaVars);
        if (t) {
          const cols = colsOfTable(t.table, t.schema);
          touch(cols);
          for (const c of cols) {
            const col = t.columns.find((x) => x.column === c.column || (x.column === undefined && namesOf(c).has(x.key)));
            if (!col) {
              if (c.kind === 'addColumn') missingColumn(p, n, c, `the Drizzle table ${t.variable ?? t.table}`, 'drizzle');
            } else if (col.notNull && nullableFor(c, input.phase))
              add(col.node, 'assumes-not-null', 'error', `the Drizzle column ${col.key} is .notNull(), but ${tableLabel(c.table)}.${c.column} ${whyNull(c, input.phase)}`, `drop .notNull() until the change's contract phase is applied${c.nullableAtEnd ? '' : ', then add it back'}`);
          }
        }
      }
      if (ts.isClassDeclaration(n)) {
        const e = typeormEntity(n);
        if (e) {
          const cols = colsOfTable(e.table, e.schema);
          touch(cols);
          for (const c of cols) {
            const col = e.columns.find((x) => x.column === c.column || namesOf(c).has(x.column));
            if (!col) {
              if (c.kind === 'addColumn') missingColumn(p, n.name ?? n, c, `the TypeORM entity ${n.name?.text ?? e.table}`, 'typeorm');
            } else if (!col.nullable && nullableFor(c, input.phase))
              add(col.node, 'assumes-not-null', 'error', `the TypeORM column ${col.property} is not nullable in its entity, but ${tableLabel(c.table)}.${c.column} ${whyNull(c, input.phase)}`, `mark it @Column({ …, nullable: true }) and type it ${col.property}: T | null until the contract phase is applied`);
          }
        }
      }
      if ((ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) && dbTypeNames.has(n.name.text)) {
        for (const m of membersOf(n) ?? []) {
          const cols = colsOfTable(m.name);
          if (!cols.length) continue;
          touch(cols);
          const row = resolveType(m.type);
          if (!row) continue;
          const members = membersOf(row.decl) ?? [];
          for (const c of cols) {
            if (!members.some((x) => namesOf(c).has(x.name))) {
              if (c.kind === 'addColumn') missingColumn(row.p, row.decl.name ?? row.decl, c, `the table type ${row.decl.name?.getText(row.p.sf)} (${n.name.text}.${m.name})`, 'ts');
            } else checkMemberNullability(row, c, `the table type ${row.decl.name?.getText(row.p.sf)} (${n.name.text}.${m.name})`);
          }
        }
      }
      ts.forEachChild(n, visitModels);
    };
    visitModels(sf);

    // --- Query-builder inserts, and the calls that show this file uses the table -------------------------
    const mustWrite = input.columns.filter((c) => !c.nullableAtEnd && !c.hasDefault);
    const visitInserts = (n: TS.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const method = n.expression.name.text;
        const target = insertTarget(n, method, drizzleOf, prismaByAccessor);
        if (target) {
          const cols = colsOfTable(target.table, target.schema);
          touch(cols);
          for (const obj of target.objects) {
            if (obj.properties.some((x) => ts.isSpreadAssignment(x))) continue; // cannot tell what a spread holds
            const keys = new Set(obj.properties.map((x) => propName(x.name)).filter((x): x is string => !!x));
            for (const c of cols.filter((x) => mustWrite.includes(x))) {
              const prismaField = target.prisma?.fields.find((f) => f.column === c.column)?.name;
              if ([...namesOf(c, prismaField ? [prismaField] : [])].some((k) => keys.has(k))) continue;
              add(
                obj,
                'insert-omits-column',
                c.defaultKnown ? 'error' : 'warning',
                `${target.how} inserts into ${tableLabel(c.table)} without ${c.column}, which ${c.kind === 'addColumn' ? 'is added' : 'becomes'} NOT NULL without a default${c.defaultKnown ? '' : ' (unless it has one: pass --db to know)'}: it fails once the change's contract phase enforces it`,
                `set ${prismaField ?? c.column} here, and deploy that before the contract phase`,
              );
            }
          }
        }
        // Prisma Client calls on a model count as using its table.
        const acc = n.expression.expression;
        if (PRISMA_METHODS.test(method) && ts.isPropertyAccessExpression(acc) && prismaByAccessor.has(acc.name.text)) {
          const m = prismaByAccessor.get(acc.name.text)!;
          touch(colsOfTable(m.table, m.schema));
        }
        // db.selectFrom('orders'), knex.from('orders'), …: a builder method naming the table.
        const named = tableOf(stringArg(n));
        if (named && /^(selectFrom|updateTable|deleteFrom|insertInto|from|into|table)$/.test(method)) touch(colsOfTable(named));
      }
      // knex('orders').where(…), trx('orders'): a builder root, or a call whose result is used as one.
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && stringArg(n)) {
        const parent = n.parent;
        if (BUILDER_ROOTS.test(n.expression.text) || (ts.isPropertyAccessExpression(parent) && parent.expression === n && BUILDER_METHODS.test(parent.name.text))) touch(colsOfTable(tableOf(stringArg(n))));
      }
      if ((ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) && !ts.isPropertyAccessExpression(n.parent)) {
        const t = drizzleOf(n as TS.Expression);
        if (t) touch(colsOfTable(t.table, t.schema));
      }
      ts.forEachChild(n, visitInserts);
    };
    visitInserts(sf);

    // --- Reads that assume the column is never NULL -------------------------------------------------
    const watched = input.columns.filter((c) => nullableFor(c, input.phase) && touched.has(`${c.table.schema ?? 'public'}.${c.table.name}`));
    if (!watched.length) return;
    const byName = new Map<string, ChangedColumn>();
    for (const c of watched) {
      const prismaField = input.prisma.find((m) => m.table === c.table.name)?.fields.find((f) => f.column === c.column)?.name;
      for (const k of namesOf(c, prismaField ? [prismaField] : [])) byName.set(k, c);
    }
    const visitReads = (n: TS.Node): void => {
      if (ts.isPropertyAccessExpression(n) && byName.has(n.name.text) && !isWrite(n)) {
        const c = byName.get(n.name.text)!;
        const parent = n.parent;
        let how: string | undefined;
        if (ts.isNonNullExpression(parent)) how = `${n.getText(sf)}! asserts it is not null`;
        else if (ts.isPropertyAccessExpression(parent) && parent.expression === n && !parent.questionDotToken) how = `${parent.getText(sf)} dereferences it`;
        else if (ts.isElementAccessExpression(parent) && parent.expression === n && !parent.questionDotToken) how = `${n.getText(sf)}[…] dereferences it`;
        else if (ts.isCallExpression(parent) && parent.expression === n && !parent.questionDotToken) how = `${n.getText(sf)}() calls it`;
        if (how && !guarded(n, sf)) add(n, 'assumes-not-null', 'error', `${how}, but ${tableLabel(c.table)}.${c.column} ${whyNull(c, input.phase)}`, `handle NULL: ${n.getText(sf)}?.… or ${n.getText(sf)} ?? <fallback>`);
      }
      ts.forEachChild(n, visitReads);
    };
    visitReads(sf);
  }
}

/** Why a column can be NULL for an app deployed in that phase. */
export function whyNull(c: ChangedColumn, phase: AppPhase): string {
  if (c.nullableAtEnd) return 'is nullable';
  if (phase !== 'expand') return 'is nullable';
  return c.kind === 'addColumn' ? "is NULL in rows not yet backfilled until the change's contract phase is applied" : "may hold NULL until the change's contract phase validates NOT NULL";
}

function isWrite(n: TS.Node): boolean {
  const p = n.parent;
  return ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

const norm = (t: string) => t.replace(/\s+/g, '').replace(/\?\./g, '.');

function unparen(e: TS.Expression): TS.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** `cond` being true proves `target` is not null: `x`, `x != null`, `x !== undefined`, `typeof x === 's'`, `a && x`. */
function provesWhenTrue(cond: TS.Expression, target: string, sf: TS.SourceFile): boolean {
  const e = unparen(cond);
  if (norm(e.getText(sf)) === target) return true;
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return provesWhenTrue(e.left, target, sf) || provesWhenTrue(e.right, target, sf);
    const sides = [e.left, e.right].map((x) => unparen(x));
    const other = sides.find((x) => norm(x.getText(sf)) !== target);
    const hasTarget = sides.some((x) => norm(x.getText(sf)) === target);
    const isNullish = !!other && (other.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(other) && other.text === 'undefined'));
    if (hasTarget && isNullish && (op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken)) return true;
    if ((op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) && sides.some((x) => ts.isTypeOfExpression(x) && norm(x.expression.getText(sf)) === target) && sides.some((x) => ts.isStringLiteral(x) && x.text !== 'undefined' && x.text !== 'object'))
      return true;
  }
  return false;
}

/** `cond` being false proves `target` is not null: `!x`, `x == null`, `x === null`, `a || !x`. */
function provesWhenFalse(cond: TS.Expression, target: string, sf: TS.SourceFile): boolean {
  const e = unparen(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return provesWhenTrue(e.operand, target, sf);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken) return provesWhenFalse(e.left, target, sf) || provesWhenFalse(e.right, target, sf);
    const sides = [e.left, e.right].map((x) => unparen(x));
    const hasTarget = sides.some((x) => norm(x.getText(sf)) === target);
    const isNullish = sides.some((x) => x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined'));
    if (hasTarget && isNullish && (op === ts.SyntaxKind.EqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsEqualsToken)) return true;
  }
  return false;
}

/**
 * Whether the read `n` is guarded against NULL: under `if (x)` / `x ? … :` / `x && …` / `x == null || …`,
 * in the else of `if (x == null)`, after `if (!x) return|throw|continue|break`, after `assert(x)`, or in
 * a `.map(r => r.x…)` behind `.filter(r => r.x != null)`.
 */
function guarded(n: TS.PropertyAccessExpression, sf: TS.SourceFile): boolean {
  const target = norm(n.getText(sf));
  let child: TS.Node = n;
  for (let a = n.parent; a; child = a, a = a.parent) {
    if (ts.isIfStatement(a)) {
      if (a.thenStatement === child && provesWhenTrue(a.expression, target, sf)) return true;
      if (a.elseStatement === child && provesWhenFalse(a.expression, target, sf)) return true;
    }
    if (ts.isConditionalExpression(a)) {
      if (a.whenTrue === child && provesWhenTrue(a.condition, target, sf)) return true;
      if (a.whenFalse === child && provesWhenFalse(a.condition, target, sf)) return true;
    }
    if (ts.isBinaryExpression(a) && a.right === child) {
      if (a.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && provesWhenTrue(a.left, target, sf)) return true;
      if (a.operatorToken.kind === ts.SyntaxKind.BarBarToken && provesWhenFalse(a.left, target, sf)) return true;
    }
    if (ts.isBlock(a) || ts.isSourceFile(a) || ts.isCaseClause(a) || ts.isDefaultClause(a)) {
      const stmts = a.statements;
      const idx = stmts.indexOf(child as TS.Statement);
      for (let i = 0; i < idx; i++) {
        const st = stmts[i]!;
        if (ts.isIfStatement(st) && !st.elseStatement && exits(st.thenStatement) && provesWhenFalse(st.expression, target, sf)) return true;
        if (ts.isExpressionStatement(st) && ts.isCallExpression(st.expression) && /^(assert|invariant|ok|strictEqual)$/.test(st.expression.expression.getText(sf).split('.').pop()!) && st.expression.arguments[0] && provesWhenTrue(st.expression.arguments[0], target, sf))
          return true;
      }
    }
    // rows.filter((r) => r.x != null).map((r) => r.x.trim())
    if ((ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && ts.isCallExpression(a.parent) && a.parent.arguments.includes(a as TS.Expression)) {
      const param = a.parameters[0]?.name;
      const call = a.parent;
      if (param && ts.isIdentifier(param) && ts.isPropertyAccessExpression(call.expression) && ts.isCallExpression(call.expression.expression)) {
        const filter = call.expression.expression;
        const cb = filter.arguments[0];
        if (ts.isPropertyAccessExpression(filter.expression) && filter.expression.name.text === 'filter' && cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) {
          const fp = cb.parameters[0]?.name;
          const body = ts.isArrowFunction(cb) && !ts.isBlock(cb.body) ? cb.body : undefined;
          if (fp && ts.isIdentifier(fp) && body && target.startsWith(`${param.text}.`) && provesWhenTrue(body, `${fp.text}${target.slice(param.text.length)}`, sf)) return true;
        }
      }
      break;
    }
    if (ts.isFunctionLike(a)) break;
  }
  return false;
}

function exits(s: TS.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s) || ts.isContinueStatement(s) || ts.isBreakStatement(s)) return true;
  return ts.isBlock(s) && s.statements.length > 0 && exits(s.statements[s.statements.length - 1]!);
}

interface DrizzleTable {
  table: string;
  schema?: string;
  variable?: string;
  columns: { key: string; column?: string; notNull: boolean; node: TS.Node }[];
}

/** `pgTable('orders', { … })`, `mysqlTable`, `sqliteTable`, `pgSchema('app').table('orders', { … })` (`mysqlSchema` too), `sales.table(…)` with `const sales = pgSchema('sales') / mysqlSchema('sales')`. */
function drizzleTable(call: TS.CallExpression, schemaVars: Map<string, string>): DrizzleTable | undefined {
  const callee = call.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (!/^(pgTable|mysqlTable|sqliteTable|table)$/.test(name)) return undefined;
  let schema: string | undefined;
  if (name === 'table') {
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const base = callee.expression;
    if (ts.isCallExpression(base) && /^(pgSchema|mysqlSchema)$/.test(base.expression.getText())) schema = stringArg(base);
    else if (ts.isIdentifier(base) && schemaVars.has(base.text)) schema = schemaVars.get(base.text);
    else return undefined;
  }
  const table = stringArg(call);
  const shape = call.arguments[1];
  if (table === undefined || !shape) return undefined;
  const columns: DrizzleTable['columns'] = [];
  const obj = ts.isObjectLiteralExpression(shape) ? shape : ts.isArrowFunction(shape) && ts.isParenthesizedExpression(shape.body) && ts.isObjectLiteralExpression(shape.body.expression) ? shape.body.expression : undefined;
  if (!obj) return undefined;
  for (const prop of obj.properties) {
    if (!ts.isPropertyAssignment(prop)) continue;
    const key = propName(prop.name);
    if (!key) continue;
    // The builder chain: text('name').notNull().default(…) — the innermost call names the column.
    let e: TS.Expression = prop.initializer;
    let notNull = false;
    let column: string | undefined;
    while (ts.isCallExpression(e)) {
      if (ts.isPropertyAccessExpression(e.expression)) {
        if (/^(notNull|primaryKey)$/.test(e.expression.name.text)) notNull = true;
        e = e.expression.expression;
      } else {
        column = stringArg(e);
        break;
      }
    }
    columns.push({ key, ...(column !== undefined ? { column } : {}), notNull, node: prop });
  }
  const parent = call.parent;
  return { table, ...(schema ? { schema } : {}), ...(ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? { variable: parent.name.text } : {}), columns };
}

/** TypeORM's default table name for a class (its DefaultNamingStrategy: snake_case of the class name). */
function snake(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

function decoratorsOf(n: TS.Node): TS.Decorator[] {
  return ((ts.canHaveDecorators(n) ? ts.getDecorators(n) : undefined) ?? []) as TS.Decorator[];
}

function decoratorCall(d: TS.Decorator): { name: string; call?: TS.CallExpression } {
  const e = d.expression;
  if (ts.isCallExpression(e)) return { name: e.expression.getText().split('.').pop()!, call: e };
  return { name: e.getText().split('.').pop()! };
}

function objectOption(obj: TS.Expression | undefined, key: string): TS.Expression | undefined {
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) if (ts.isPropertyAssignment(p) && propName(p.name) === key) return p.initializer;
  return undefined;
}

/** `@Entity('orders')` / `@Entity({ name, schema })` / `@Entity()` and its `@Column`-decorated properties. */
function typeormEntity(cls: TS.ClassDeclaration): { table: string; schema?: string; columns: { property: string; column: string; nullable: boolean; node: TS.Node }[] } | undefined {
  const entity = decoratorsOf(cls).map(decoratorCall).find((d) => d.name === 'Entity');
  if (!entity) return undefined;
  const a0 = entity.call?.arguments[0];
  const opts = a0 && ts.isObjectLiteralExpression(a0) ? a0 : entity.call?.arguments[1];
  const nameOpt = objectOption(opts, 'name');
  const schemaOpt = objectOption(opts, 'schema');
  const table = a0 && ts.isStringLiteralLike(a0) ? a0.text : nameOpt && ts.isStringLiteralLike(nameOpt) ? nameOpt.text : snake(cls.name?.text ?? '');
  const columns: { property: string; column: string; nullable: boolean; node: TS.Node }[] = [];
  for (const m of cls.members) {
    if (!ts.isPropertyDeclaration(m)) continue;
    const property = propName(m.name);
    if (!property) continue;
    const col = decoratorsOf(m).map(decoratorCall).find((d) => /Column$/.test(d.name) && d.name !== 'JoinColumn');
    if (!col) continue;
    const args = col.call?.arguments ?? [];
    const o = args.find((x) => ts.isObjectLiteralExpression(x));
    const nameArg = objectOption(o, 'name');
    const nullableArg = objectOption(o, 'nullable');
    const generated = /^(PrimaryGeneratedColumn|PrimaryColumn|CreateDateColumn|UpdateDateColumn|DeleteDateColumn|VersionColumn)$/.test(col.name);
    columns.push({
      property,
      column: nameArg && ts.isStringLiteralLike(nameArg) ? nameArg.text : property,
      nullable: col.name === 'DeleteDateColumn' || (!generated && nullableArg?.kind === ts.SyntaxKind.TrueKeyword) || (!!m.questionToken && nullableArg?.kind !== ts.SyntaxKind.FalseKeyword && nullableArg !== undefined),
      node: m,
    });
  }
  return { table, ...(schemaOpt && ts.isStringLiteralLike(schemaOpt) ? { schema: schemaOpt.text } : {}), columns };
}

/** The table and the row objects of a query-builder insert, if `call` is one. */
function insertTarget(
  call: TS.CallExpression,
  method: string,
  drizzleOf: (e: TS.Expression | undefined) => { table: string; schema?: string } | undefined,
  prisma: Map<string, PrismaModel>,
): { table: string; schema?: string; how: string; objects: TS.ObjectLiteralExpression[]; prisma?: PrismaModel } | undefined {
  const rowsOf = (e: TS.Expression | undefined): TS.ObjectLiteralExpression[] =>
    !e ? [] : ts.isObjectLiteralExpression(e) ? [e] : ts.isArrayLiteralExpression(e) ? e.elements.filter((x): x is TS.ObjectLiteralExpression => ts.isObjectLiteralExpression(x)) : [];
  const receiver = (call.expression as TS.PropertyAccessExpression).expression;
  if (method === 'values' && ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression)) {
    const inner = receiver.expression.name.text;
    // Kysely: db.insertInto('orders').values({…})
    if (inner === 'insertInto' && stringArg(receiver)) return { table: tableOf(stringArg(receiver))!, how: 'Kysely insertInto(…).values(…)', objects: rowsOf(call.arguments[0]) };
    // Drizzle: db.insert(orders).values({…}), db.insert(schema.orders), an imported alias
    const t = inner === 'insert' ? drizzleOf(receiver.arguments[0]) : undefined;
    if (t) return { ...t, how: 'Drizzle insert(…).values(…)', objects: rowsOf(call.arguments[0]) };
  }
  // Knex: knex('orders').insert({…}), trx('orders').returning('id').insert([…]), knex.table('orders').insert(…)
  if (method === 'insert') {
    let table: string | undefined;
    for (let e: TS.Expression = receiver; ; ) {
      if (ts.isCallExpression(e)) {
        // The call that names the table is the root of the chain (`knex('orders')`) or .table/.from/.into.
        const callee = e.expression;
        if (stringArg(e) && (ts.isIdentifier(callee) || (ts.isPropertyAccessExpression(callee) && /^(table|from|into)$/.test(callee.name.text)))) table = tableOf(stringArg(e));
        e = callee;
      } else if (ts.isPropertyAccessExpression(e)) e = e.expression;
      else break;
    }
    if (table) return { table, how: 'Knex insert(…)', objects: rowsOf(call.arguments[0]) };
  }
  if (method === 'into' && stringArg(call) && ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression) && receiver.expression.name.text === 'insert')
    return { table: tableOf(stringArg(call))!, how: 'Knex insert(…).into(…)', objects: rowsOf(receiver.arguments[0]) };
  // Prisma Client: prisma.order.create({ data: {…} }), createMany({ data: […] }), upsert({ create: {…} })
  if (/^(create|createMany|createManyAndReturn|upsert)$/.test(method) && ts.isPropertyAccessExpression(receiver) && prisma.has(receiver.name.text)) {
    const m = prisma.get(receiver.name.text)!;
    const data = objectOption(call.arguments[0], method === 'upsert' ? 'create' : 'data');
    return { table: m.table, ...(m.schema ? { schema: m.schema } : {}), how: `Prisma ${receiver.name.text}.${method}(…)`, objects: rowsOf(data), prisma: m };
  }
  return undefined;
}
