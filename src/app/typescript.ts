/**
 * Reads TypeScript and JavaScript with the TypeScript compiler's own parser (syntax only, no type
 * checking) and finds what touches the changed tables: SQL in strings and template literals (handed to
 * the Postgres parser, see sql-usage.ts), query-builder inserts (Knex, Kysely, Drizzle, Prisma Client),
 * table models and types (Drizzle `pgTable`, TypeORM `@Entity`, Kysely/Knex table interfaces, the row
 * type given to `query<Row>(sql)`), and code that uses a column as if it could not be NULL.
 */
import type * as TS from 'typescript';
import { camel, nullableFor, tableLabel, type AppPhase, type ChangedColumn } from './columns.js';
import { analyzeSql } from './sql-usage.js';
import type { AppFinding, AppRule, SkippedFile } from './findings.js';
import type { PrismaModel } from './prisma.js';
import type { Severity } from '../core/types.js';

let ts: typeof TS;

/** The compiler is loaded only by app-check (it is large; the other commands never need it). */
export async function loadTypeScript(): Promise<void> {
  ts ??= ((await import('typescript')) as any).default ?? (await import('typescript'));
}

export interface SourceText {
  /** As shown in findings. */
  file: string;
  text: string;
}

interface Parsed {
  src: SourceText;
  sf: TS.SourceFile;
}

type Decl = TS.InterfaceDeclaration | TS.TypeAliasDeclaration | TS.ClassDeclaration;

const SQL_START = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*\(?\s*(select|insert|update|delete|with|merge|copy|table|values)\b/i;

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
  /** Pastable field lines for a missing column, per ORM (from the types generator). */
  fieldLine?: (c: ChangedColumn, orm: 'prisma' | 'drizzle' | 'typeorm' | 'ts') => string | undefined;
}

/** Checks TS/JS sources; files that do not parse are returned in `skipped`, the rest still checked. */
export function checkTypeScript(input: TsCheckInput): { findings: AppFinding[]; skipped: SkippedFile[] } {
  const findings: AppFinding[] = [];
  const skipped: SkippedFile[] = [];
  const parsed: Parsed[] = [];
  for (const src of input.files) {
    const sf = ts.createSourceFile(src.file, src.text, ts.ScriptTarget.Latest, true, scriptKind(src.file));
    const diags: readonly TS.Diagnostic[] = (sf as any).parseDiagnostics ?? [];
    if (diags.length) {
      const d = diags[0]!;
      const pos = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : undefined;
      skipped.push({ file: src.file, reason: `does not parse${pos ? ` (line ${pos.line + 1}:${pos.character + 1})` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` });
      continue;
    }
    parsed.push({ src, sf });
  }

  // Pass 1, across files: type declarations by name, Drizzle tables by variable, Kysely database types.
  const decls = new Map<string, { decl: Decl; p: Parsed }[]>();
  const drizzleVars = new Map<string, string>(); // variable → table name
  const dbTypeNames = new Set<string>(['DB', 'Database', 'Tables']);
  for (const p of parsed) {
    const visit = (n: TS.Node): void => {
      if ((ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isClassDeclaration(n)) && n.name) decls.set(n.name.text, [...(decls.get(n.name.text) ?? []), { decl: n, p }]);
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isCallExpression(n.initializer)) {
        const t = drizzleTable(n.initializer);
        if (t) drizzleVars.set(n.name.text, t.table);
      }
      if (ts.isTypeReferenceNode(n) && n.typeName.getText() === 'Kysely' && n.typeArguments?.[0] && ts.isTypeReferenceNode(n.typeArguments[0])) dbTypeNames.add(n.typeArguments[0].typeName.getText());
      if (ts.isNewExpression(n) && n.expression.getText() === 'Kysely' && n.typeArguments?.[0] && ts.isTypeReferenceNode(n.typeArguments[0])) dbTypeNames.add(n.typeArguments[0].typeName.getText());
      ts.forEachChild(n, visit);
    };
    visit(p.sf);
  }
  const resolveType = (t: TS.TypeNode | undefined): { decl: Decl; p: Parsed } | undefined => {
    let ref = t;
    // Kysely's Selectable<T>/Insertable<T> wrap the table type.
    while (ref && ts.isTypeReferenceNode(ref) && /^(Selectable|Insertable|Updateable)$/.test(ref.typeName.getText()) && ref.typeArguments?.[0]) ref = ref.typeArguments[0];
    if (!ref || !ts.isTypeReferenceNode(ref)) return undefined;
    const found = decls.get(ref.typeName.getText().split('.').pop()!);
    return found?.length === 1 ? found[0] : undefined;
  };

  const prismaByAccessor = new Map<string, PrismaModel>();
  for (const m of input.prisma) prismaByAccessor.set(m.name[0]!.toLowerCase() + m.name.slice(1), m);
  const colsOfTable = (name: string | undefined, schema?: string) =>
    name === undefined ? [] : input.columns.filter((c) => (c.table.name === name || `${c.table.schema ?? 'public'}.${c.table.name}` === name) && (!schema || schema === (c.table.schema ?? 'public')));
  const reported = new Set<string>();

  for (const p of parsed) {
    const { sf, src } = p;
    const add = (node: TS.Node | number, rule: AppRule, severity: Severity, message: string, advice: string) => {
      const pos = typeof node === 'number' ? node : node.getStart(sf);
      const lc = sf.getLineAndCharacterOfPosition(pos);
      const k = `${src.file}:${lc.line}:${lc.character}:${rule}:${message}`;
      if (reported.has(k)) return;
      reported.add(k);
      const lineText = src.text.split(/\r?\n/)[lc.line] ?? '';
      findings.push({ rule, severity, file: src.file, line: lc.line + 1, column: lc.character + 1, message, advice, excerpt: lineText.trim().slice(0, 160) });
    };
    /** Tables this file reads or writes: the scope in which a bare `.created_at` is taken to be the column. */
    const touched = new Set<string>();
    const touch = (cs: ChangedColumn[]) => cs.forEach((c) => touched.add(`${c.table.schema ?? 'public'}.${c.table.name}`));

    // --- SQL in strings and templates --------------------------------------------------------------
    const sqlParts = new Set<TS.Node>();
    const checkSql = (node: TS.Node, text: string, starts: { sql: number; src: number }[]) => {
      if (!SQL_START.test(text)) return;
      const lower = text.toLowerCase();
      if (!input.columns.some((c) => lower.includes(c.table.name.toLowerCase()))) return;
      const toSrc = (off: number) => {
        let best = starts[0]!;
        for (const s of starts) if (s.sql <= off) best = s;
        return best.src + (off - best.sql);
      };
      let a = analyzeSql(text, input.columns, input.phase);
      if (!a.parsed) {
        // An interpolated identifier (`FROM ${table}`) is not a parameter: try it as a name.
        const retry = analyzeSql(text.replace(/\$(\d+)/g, 'lockstep_param_$1'), input.columns, input.phase);
        if (retry.parsed) a = retry;
      }
      if (!a.parsed) {
        const table = input.columns.find((c) => new RegExp(`\\b${c.table.name.replace(/[^a-zA-Z0-9_]/g, '\\$&')}\\b`, 'i').test(text));
        if (table)
          add(node, 'sql-not-parsed', 'info', `SQL that mentions ${tableLabel(table.table)} did not parse (${a.error}), so it was not checked`, 'if this is SQL built from pieces, check it by hand');
        return;
      }
      const tableCols = input.columns.filter((c) => a.tables.has(`${c.table.schema ?? 'public'}.${c.table.name}`));
      touch(tableCols);
      for (const issue of a.issues) add(toSrc(issue.offset), issue.rule, issue.severity, issue.message, issue.advice);
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
    const addIn = (q: Parsed, node: TS.Node, rule: AppRule, severity: Severity, message: string, advice: string) => {
      if (q === p) return add(node, rule, severity, message, advice);
      const lc = q.sf.getLineAndCharacterOfPosition(node.getStart(q.sf));
      const k = `${q.src.file}:${lc.line}:${lc.character}:${rule}:${message}`;
      if (reported.has(k)) return;
      reported.add(k);
      findings.push({ rule, severity, file: q.src.file, line: lc.line + 1, column: lc.character + 1, message, advice, excerpt: (q.src.text.split(/\r?\n/)[lc.line] ?? '').trim().slice(0, 160) });
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
          // Drizzle's sql`… ${orders} …`: a table object stands for its name.
          text += ts.isIdentifier(e) && drizzleVars.has(e.text) ? `"${drizzleVars.get(e.text)}"` : `$${i + 1}`;
          starts.push({ sql: text.length, src: span.literal.getStart(sf) + 1 });
          text += span.literal.text;
        });
        checkSql(n, text, starts);
        n.templateSpans.forEach((s) => visitSql(s.expression));
        return;
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken && !(ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
        // 'SELECT … ' + 'FROM orders': fold the literals, other operands become parameters.
        const leaves: TS.Expression[] = [];
        const flat = (e: TS.Expression): void => {
          if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
            flat(e.left);
            flat(e.right);
          } else if (ts.isParenthesizedExpression(e)) flat(e.expression);
          else leaves.push(e);
        };
        flat(n);
        if (leaves.some((l) => ts.isStringLiteralLike(l))) {
          let text = '';
          let k = 0;
          const starts: { sql: number; src: number }[] = [];
          for (const l of leaves) {
            if (ts.isStringLiteralLike(l)) {
              starts.push({ sql: text.length, src: l.getStart(sf) + 1 });
              text += l.text;
              sqlParts.add(l);
            } else text += `$${++k}`;
          }
          checkSql(n, text, starts);
        }
      }
      ts.forEachChild(n, visitSql);
    };
    visitSql(sf);

    // --- Models and table types --------------------------------------------------------------------
    const visitModels = (n: TS.Node): void => {
      if (ts.isCallExpression(n)) {
        const t = drizzleTable(n);
        if (t) {
          const cols = colsOfTable(t.table, t.schema);
          touch(cols);
          for (const c of cols) {
            const col = t.columns.find((x) => x.column === c.column || (x.column === undefined && namesOf(c).has(x.key)));
            if (!col) {
              if (c.kind === 'addColumn') missingColumn(n, c, `the Drizzle table ${t.variable ?? t.table}`, 'drizzle');
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
              if (c.kind === 'addColumn') missingColumn(n.name ?? n, c, `the TypeORM entity ${n.name?.text ?? e.table}`, 'typeorm');
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
              if (c.kind === 'addColumn') missingColumnIn(row.p, row.decl.name ?? row.decl, c, `the table type ${row.decl.name?.getText(row.p.sf)} (${n.name.text}.${m.name})`, 'ts');
            } else checkMemberNullability(row, c, `the table type ${row.decl.name?.getText(row.p.sf)} (${n.name.text}.${m.name})`);
          }
        }
      }
      ts.forEachChild(n, visitModels);
    };
    const missingColumn = (node: TS.Node, c: ChangedColumn, what: string, orm: 'prisma' | 'drizzle' | 'typeorm' | 'ts') => missingColumnIn(p, node, c, what, orm);
    const missingColumnIn = (q: Parsed, node: TS.Node, c: ChangedColumn, what: string, orm: 'prisma' | 'drizzle' | 'typeorm' | 'ts') => {
      const must = !c.nullableAtEnd && !c.hasDefault;
      const line = input.fieldLine?.(c, orm);
      addIn(
        q,
        node,
        'model-missing-column',
        must ? 'error' : 'warning',
        `${what} has no ${c.column}: ${must ? `inserts through it will fail once ${c.column} is NOT NULL (it has no default)` : `it can neither read nor write the new column`}`,
        line ? `add ${line}` : `add ${c.column} to it`,
      );
    };
    visitModels(sf);

    // --- Query-builder inserts ---------------------------------------------------------------------
    const mustWrite = input.columns.filter((c) => !c.nullableAtEnd && !c.hasDefault);
    const visitInserts = (n: TS.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const method = n.expression.name.text;
        const target = insertTarget(n, method, drizzleVars, prismaByAccessor);
        if (target) {
          const cols = colsOfTable(target.table);
          touch(cols);
          for (const obj of target.objects) {
            if (obj.properties.some((x) => ts.isSpreadAssignment(x))) continue; // cannot tell what a spread holds
            const keys = new Set(obj.properties.map((x) => propName(x.name)).filter((x): x is string => !!x));
            for (const c of cols.filter((x) => mustWrite.includes(x))) {
              const prismaField = target.prisma?.fields.find((f) => f.column === c.column)?.name;
              if ([...namesOf(c, prismaField ? [prismaField] : [])].some((k) => keys.has(k))) continue;
              add(obj, 'insert-omits-column', 'error', `${target.how} inserts into ${tableLabel(c.table)} without ${c.column}, which ${c.kind === 'addColumn' ? 'is added' : 'becomes'} NOT NULL without a default: it fails once the change's contract phase enforces it`, `set ${prismaField ?? c.column} here, and deploy that before the contract phase`);
            }
          }
        }
        // Prisma Client reads count as touching the table too.
        const acc = n.expression.expression;
        if (ts.isPropertyAccessExpression(acc) && prismaByAccessor.has(acc.name.text)) {
          const m = prismaByAccessor.get(acc.name.text)!;
          touch(colsOfTable(m.table, m.schema));
        }
        // knex('orders'), db.selectFrom('orders'), …: a call naming the table.
        const named = stringArg(n);
        if (named && /^(selectFrom|updateTable|deleteFrom|insertInto|from|into|table)$/.test(method)) touch(colsOfTable(named));
      }
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && stringArg(n)) touch(colsOfTable(stringArg(n)));
      if (ts.isIdentifier(n) && drizzleVars.has(n.text)) touch(colsOfTable(drizzleVars.get(n.text)));
      ts.forEachChild(n, visitInserts);
    };
    visitInserts(sf);

    // --- Reads that assume the column is never NULL -------------------------------------------------
    const watched = input.columns.filter((c) => nullableFor(c, input.phase) && touched.has(`${c.table.schema ?? 'public'}.${c.table.name}`));
    if (watched.length) {
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
          if (how && !guarded(n, sf))
            add(n, 'assumes-not-null', 'error', `${how}, but ${tableLabel(c.table)}.${c.column} ${whyNull(c, input.phase)}`, `handle NULL: ${n.getText(sf)}?.… or ${n.getText(sf)} ?? <fallback>`);
        }
        ts.forEachChild(n, visitReads);
      };
      visitReads(sf);
    }
  }

  return { findings, skipped };
}

/** Why a column can be NULL for an app deployed in that phase. */
export function whyNull(c: ChangedColumn, phase: AppPhase): string {
  if (c.nullableAtEnd) return 'is nullable';
  return phase === 'expand' ? 'is NULL in rows not yet backfilled until the change\'s contract phase is applied' : 'is nullable';
}

function isWrite(n: TS.Node): boolean {
  const p = n.parent;
  return ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

/** `if (x.col) …`, `x.col ? … : …`, `x.col && …`, `if (!x.col) return;` before it: the read is guarded. */
function guarded(n: TS.Node, sf: TS.SourceFile): boolean {
  const text = n.getText(sf);
  const mentions = (e: TS.Node | undefined) => !!e && e.getText(sf).includes(text);
  let child: TS.Node = n;
  for (let a = n.parent; a; child = a, a = a.parent) {
    if (ts.isIfStatement(a) && a.thenStatement === child && mentions(a.expression)) return true;
    if (ts.isConditionalExpression(a) && a.whenTrue === child && mentions(a.condition)) return true;
    if (ts.isBinaryExpression(a) && a.right === child && a.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && mentions(a.left)) return true;
    if (ts.isBlock(a) || ts.isSourceFile(a)) {
      const stmts = a.statements;
      const idx = stmts.indexOf(child as TS.Statement);
      for (let i = 0; i < idx; i++) {
        const s = stmts[i]!;
        if (ts.isIfStatement(s) && mentions(s.expression) && exits(s.thenStatement)) return true;
      }
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

/** `pgTable('orders', { … })`, `mysqlTable`, `sqliteTable`, `pgSchema('app').table('orders', { … })`. */
function drizzleTable(call: TS.CallExpression): DrizzleTable | undefined {
  const callee = call.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (!/^(pgTable|mysqlTable|sqliteTable|table)$/.test(name)) return undefined;
  let schema: string | undefined;
  if (name === 'table') {
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const base = callee.expression;
    // mySchema.table(…) where mySchema = pgSchema('app'): the variable's initializer is not followed here.
    if (ts.isCallExpression(base) && base.expression.getText() === 'pgSchema') schema = stringArg(base);
    else if (!ts.isIdentifier(base) || !/schema/i.test(base.text)) return undefined;
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
    const col = decoratorsOf(m).map(decoratorCall).find((d) => /Column$/.test(d.name) && !/^(OneToMany|ManyToMany)$/.test(d.name));
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
  drizzleVars: Map<string, string>,
  prisma: Map<string, PrismaModel>,
): { table: string; how: string; objects: TS.ObjectLiteralExpression[]; prisma?: PrismaModel } | undefined {
  const rowsOf = (e: TS.Expression | undefined): TS.ObjectLiteralExpression[] =>
    !e ? [] : ts.isObjectLiteralExpression(e) ? [e] : ts.isArrayLiteralExpression(e) ? e.elements.filter((x): x is TS.ObjectLiteralExpression => ts.isObjectLiteralExpression(x)) : [];
  const receiver = (call.expression as TS.PropertyAccessExpression).expression;
  if (method === 'values' && ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression)) {
    const inner = receiver.expression.name.text;
    // Kysely: db.insertInto('orders').values({…})
    if (inner === 'insertInto' && stringArg(receiver)) return { table: stringArg(receiver)!, how: 'Kysely insertInto(…).values(…)', objects: rowsOf(call.arguments[0]) };
    // Drizzle: db.insert(orders).values({…})
    const a = receiver.arguments[0];
    if (inner === 'insert' && a && ts.isIdentifier(a) && drizzleVars.has(a.text)) return { table: drizzleVars.get(a.text)!, how: 'Drizzle insert(…).values(…)', objects: rowsOf(call.arguments[0]) };
  }
  // Knex: knex('orders').insert({…}), trx('orders').insert([…]), knex.table('orders').insert(…), knex.insert({…}).into('orders')
  if (method === 'insert') {
    for (let e: TS.Expression = receiver; ; ) {
      if (ts.isCallExpression(e)) {
        const t = stringArg(e);
        if (t && e.arguments.length === 1) return { table: t, how: 'Knex insert(…)', objects: rowsOf(call.arguments[0]) };
        e = e.expression;
      } else if (ts.isPropertyAccessExpression(e)) e = e.expression;
      else break;
    }
  }
  if (method === 'into' && stringArg(call) && ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression) && receiver.expression.name.text === 'insert')
    return { table: stringArg(call)!, how: 'Knex insert(…).into(…)', objects: rowsOf(receiver.arguments[0]) };
  // Prisma Client: prisma.order.create({ data: {…} }), createMany({ data: […] }), upsert({ create: {…} })
  if (/^(create|createMany|createManyAndReturn|upsert)$/.test(method) && ts.isPropertyAccessExpression(receiver) && prisma.has(receiver.name.text)) {
    const m = prisma.get(receiver.name.text)!;
    const data = objectOption(call.arguments[0], method === 'upsert' ? 'create' : 'data');
    return { table: m.table, how: `Prisma ${receiver.name.text}.${method}(…)`, objects: rowsOf(data), prisma: m };
  }
  return undefined;
}
