/**
 * Plain SQL as a way in: the statements lockstep knows how to make safe become the same operations a
 * change spec gives (ADD COLUMN → addColumn, CREATE INDEX → addIndex, ADD CONSTRAINT → addCheck /
 * addForeignKey / addUnique, SET NOT NULL → setNotNull). Expressions and types are taken from the source
 * text as written. Every other statement, and every variant an operation cannot express faithfully, is
 * returned in `unconverted` with the reason and its lint findings: nothing is dropped silently.
 */
import { basename, extname } from 'node:path';
import type { Finding, QualifiedName, Span } from '../core/types.js';
import { loadParser, parsePostgres, scanTokens, type Statement } from '../dialects/postgres/parser.js';
import { fromRangeVar, objectName, quoteIdent, sameName, strings } from '../dialects/postgres/names.js';
import { addColumnParts, parenGroup, sliceOf, tokensOf } from '../rules/postgres/helpers.js';
import { lintSql, type LintOptions } from '../lint/lint.js';
import type { AddColumn, AddIndex, FkAction, Operation, Change } from '../operations/types.js';
import { checkExpression, checkType, parseIndexElement } from './sql-fragments.js';

export interface Unconverted {
  /** The statement as written (without its `;`). */
  statement: string;
  /** Where it is in the file. */
  span: Span;
  /** Why it was not turned into an operation. */
  reason: string;
  /** What `lockstep lint` says about it, linted with the rest of the file as it would run without the converted statements. */
  findings: Finding[];
}

export interface SqlChange {
  change: Change;
  unconverted: Unconverted[];
}

export interface FromSqlOptions {
  /** For findings and the default change name (the file name without `.sql`). */
  file?: string;
  /** The change's name (the ledger key). */
  name?: string;
  /** How to lint the statements that are not converted (target version, rules, catalog). */
  lint?: LintOptions;
}

export const CONVERTED = 'ADD COLUMN, CREATE INDEX, ADD CONSTRAINT … CHECK / FOREIGN KEY / UNIQUE and ALTER COLUMN … SET NOT NULL';

type Result = { ops: Operation[]; uses?: Statement[] } | { reason: string };

export async function changeFromSql(sql: string, opts: FromSqlOptions = {}): Promise<SqlChange> {
  await loadParser();
  const file = opts.file ?? 'input.sql';
  const parsed = parsePostgres(sql);
  const pieces = [
    ...parsed.statements.map((s) => ({ start: s.span.start, statement: s })),
    ...parsed.syntaxErrors.map((e) => ({ start: e.span.start, error: e })),
  ].sort((a, b) => a.start - b.start);
  const operations: Operation[] = [];
  const left: { statement: string; span: Span; reason: string }[] = [];
  const converted: Span[] = [];
  const used = new Set<Statement>();
  for (const piece of pieces) {
    if ('error' in piece && piece.error) {
      const span = piece.error.span;
      left.push({ statement: sql.slice(span.start, span.end), span, reason: `does not parse: ${piece.error.message}` });
      continue;
    }
    const s = (piece as { statement: Statement }).statement;
    if (used.has(s)) continue;
    const r = safely(convert(s, parsed.statements.filter((l) => l.span.start > s.span.start)));
    if ('reason' in r) left.push({ statement: s.text, span: s.span, reason: r.reason });
    else {
      operations.push(...r.ops);
      converted.push(s.span);
      for (const u of r.uses ?? []) {
        used.add(u);
        converted.push(u.span);
      }
    }
  }

  // Lint what is left as the file would run without the converted statements (lockstep runs its own steps
  // for those): earlier CREATE TABLEs, SETs and BEGINs still count, the replaced statements do not.
  let rest = sql;
  for (const c of converted) rest = rest.slice(0, c.start) + sql.slice(c.start, c.end).replace(/[^\n]/g, ' ') + rest.slice(c.end);
  const findings = left.length ? (await lintSql(rest, { ...opts.lint, file })).findings : [];
  const unconverted = left.map((u) => ({ ...u, findings: findings.filter((f) => f.span.start >= u.span.start && f.span.start <= u.span.end) }));
  const name = opts.name ?? (basename(file, extname(file)) || 'sql');
  return { change: { name, operations }, unconverted };
}

function convert(s: Statement, later: Statement[]): Result {
  switch (s.kind) {
    case 'AlterTableStmt':
      return alterTable(s, later);
    case 'IndexStmt':
      return createIndex(s);
    case 'TransactionStmt':
      return { reason: 'transaction control: lockstep runs each step in a transaction of its own (and CONCURRENTLY steps outside one)' };
    case 'VariableSetStmt':
      return { reason: 'a session setting: lockstep sets lock_timeout and statement_timeout for every step itself' };
    default:
      return { reason: `${head(s)} is not a change lockstep plans (it converts ${CONVERTED})` };
  }
}

/** `DROP TABLE`, `CREATE OR REPLACE FUNCTION`: the statement's leading keywords, for messages. */
function head(s: Statement): string {
  const words: string[] = [];
  for (const t of scanTokens(s.text) ?? []) {
    if (t.tokenName.endsWith('COMMENT')) continue;
    if (!t.keyword || words.length === 4) break;
    words.push(t.text.toUpperCase());
  }
  return words.join(' ') || 'this statement';
}

function alterTable(s: Statement, later: Statement[]): Result {
  const a = s.ast;
  if (a.objtype !== 'OBJECT_TABLE') return { reason: `${head(s)} is not a change lockstep plans (it converts ${CONVERTED})` };
  if (a.missing_ok) return { reason: 'ALTER TABLE IF EXISTS: lockstep plans for a table that exists (drop IF EXISTS to convert it)' };
  if (!a.relation?.inh) return { reason: 'ALTER TABLE ONLY: lockstep’s steps act on the table with its partitions or children (drop ONLY to convert it)' };
  const table = fromRangeVar(a.relation);
  const cmds: any[] = (a.cmds ?? []).map((c: any) => c.AlterTableCmd);
  const ops: Operation[] = [];
  const uses: Statement[] = [];
  for (const [i, cmd] of cmds.entries()) {
    const r = alterCommand(s, table, cmd, later);
    if ('reason' in r) return { reason: cmds.length > 1 ? `${r.reason} (subcommand ${i + 1} of ${cmds.length}: the statement is converted whole or not at all)` : r.reason };
    ops.push(...r.ops);
    uses.push(...(r.uses ?? []));
  }
  return { ops, uses };
}

const subcommands: Record<string, string> = {
  AT_AlterColumnType: 'a column type change (ALTER COLUMN … TYPE)',
  AT_DropColumn: 'DROP COLUMN',
  AT_ColumnDefault: 'ALTER COLUMN … SET/DROP DEFAULT',
  AT_DropNotNull: 'ALTER COLUMN … DROP NOT NULL',
  AT_DropConstraint: 'DROP CONSTRAINT',
  AT_SetTableSpace: 'SET TABLESPACE',
  AT_AttachPartition: 'ATTACH PARTITION',
  AT_DetachPartition: 'DETACH PARTITION',
  AT_AddIdentity: 'ADD GENERATED … AS IDENTITY',
  AT_EnableTrig: 'ENABLE TRIGGER',
  AT_DisableTrig: 'DISABLE TRIGGER',
};

function alterCommand(s: Statement, table: QualifiedName, cmd: any, later: Statement[]): Result {
  switch (cmd?.subtype) {
    case 'AT_AddColumn':
      return addColumn(s, table, cmd);
    case 'AT_AddConstraint':
      return addConstraint(s, table, cmd.def?.Constraint ?? {}, later);
    case 'AT_SetNotNull':
      return { ops: [{ kind: 'setNotNull', table, column: cmd.name }] };
    case 'AT_ValidateConstraint':
      return { reason: `VALIDATE CONSTRAINT ${quoteIdent(cmd.name)} with no ADD CONSTRAINT ${quoteIdent(cmd.name)} … NOT VALID before it in this file: lockstep plans a constraint from its ADD` };
    default: {
      const what = subcommands[cmd?.subtype] ?? `ALTER TABLE … ${String(cmd?.subtype ?? '?').replace(/^AT_/, '')}`;
      return { reason: `${what} is not one of the changes lockstep plans (it converts ${CONVERTED})` };
    }
  }
}

const actions: Record<string, FkAction | undefined> = { a: undefined, r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** What keeps a constraint from being one lockstep adds (NOT VALID then VALIDATE, immediate, enforced). */
function unsupportedConstraint(con: any): string | undefined {
  if (con.deferrable || con.initdeferred) return 'DEFERRABLE / INITIALLY DEFERRED: lockstep adds constraints that are checked immediately';
  if ((con.contype === 'CONSTR_CHECK' || con.contype === 'CONSTR_FOREIGN') && !con.is_enforced) return 'NOT ENFORCED: lockstep adds constraints that are enforced';
  if (con.is_no_inherit) return 'NO INHERIT: lockstep’s constraints apply to the table with its children';
  if (con.contype === 'CONSTR_FOREIGN') {
    if (!con.pk_attrs?.length) return `REFERENCES ${quoteIdentName(fromRangeVar(con.pktable))} names no column: lockstep needs it spelled out (REFERENCES ${quoteIdentName(fromRangeVar(con.pktable))} (id))`;
    if (con.fk_matchtype && con.fk_matchtype !== 's') return 'MATCH FULL / MATCH PARTIAL: lockstep adds foreign keys with the default MATCH SIMPLE';
    if (con.fk_del_set_cols?.length) return 'ON DELETE SET NULL/DEFAULT with a column list is not something an operation can express';
  }
  if (con.contype === 'CONSTR_UNIQUE') {
    if (con.indexname) return 'UNIQUE USING INDEX attaches an index built before; lockstep’s addUnique builds its own index (convert the CREATE UNIQUE INDEX, or write addUnique)';
    if (con.including?.length) return 'UNIQUE … INCLUDE: addUnique has no INCLUDE columns (a CREATE UNIQUE INDEX … INCLUDE converts to addIndex)';
    if (con.nulls_not_distinct) return 'UNIQUE NULLS NOT DISTINCT is not something addUnique can express';
    if (con.options?.length || con.indexspace) return 'UNIQUE … WITH (…) / USING INDEX TABLESPACE is not something addUnique can express';
    if (con.without_overlaps) return 'UNIQUE … WITHOUT OVERLAPS is not something addUnique can express';
  }
  return undefined;
}

const quoteIdentName = (n: QualifiedName) => (n.schema ? `${quoteIdent(n.schema)}.${quoteIdent(n.name)}` : quoteIdent(n.name));

function addColumn(s: Statement, table: QualifiedName, cmd: any): Result {
  if (cmd.missing_ok) return { reason: 'ADD COLUMN IF NOT EXISTS: lockstep plans for a column that does not exist yet (drop IF NOT EXISTS to convert it)' };
  const def = cmd.def?.ColumnDef;
  const p = addColumnParts(s, def);
  if (p.extra) return { reason: `${p.extra.split(/\s+/)[0]!.toUpperCase()} on a new column is not something addColumn can express` };
  const column = def.colname as string;
  const op: AddColumn = { kind: 'addColumn', table, name: column, type: p.type, nullable: true };
  const more: Operation[] = [];
  let checks = 0;
  for (const cl of p.clauses) {
    const con = cl.node;
    const bad = cl.kind === 'COLLATE' ? undefined : unsupportedConstraint(con);
    if (bad) return { reason: bad };
    switch (cl.kind) {
      case 'CONSTR_NOTNULL':
        if (con.conname) return { reason: `a named NOT NULL constraint (${quoteIdent(con.conname)}) is not something addColumn can express` };
        op.nullable = false;
        break;
      case 'CONSTR_NULL':
        op.nullable = true;
        break;
      case 'CONSTR_DEFAULT':
        op.default = fragment(cl.body.replace(/^default\b/i, ''));
        break;
      case 'CONSTR_CHECK': {
        const condition = fragment(parenGroup(s, cl.start)?.inner ?? '');
        // The column's CHECK gets Postgres's own name; a named one, or a second one (`…_check1`, as Postgres names it), becomes an addCheck of its own.
        if (!con.conname && op.check === undefined) op.check = condition;
        else more.push({ kind: 'addCheck', table, name: con.conname ?? objectName(table.name, column, `check${checks}`), expression: condition });
        if (!con.conname) checks++;
        break;
      }
      case 'CONSTR_FOREIGN': {
        const onDelete = actions[con.fk_del_action];
        const onUpdate = actions[con.fk_upd_action];
        op.references = { table: fromRangeVar(con.pktable), column: strings(con.pk_attrs)[0]!, ...(onDelete ? { onDelete } : {}), ...(onUpdate ? { onUpdate } : {}), ...(con.conname ? { name: con.conname } : {}) };
        break;
      }
      case 'CONSTR_UNIQUE':
        op.unique = con.conname ? { name: con.conname } : true;
        break;
      case 'CONSTR_PRIMARY':
        return { reason: 'PRIMARY KEY on a new column is not something addColumn can express' };
      case 'CONSTR_IDENTITY':
        return { reason: 'an identity column (GENERATED … AS IDENTITY) is not something addColumn can express' };
      case 'CONSTR_GENERATED':
        return { reason: 'a generated column (GENERATED ALWAYS AS …) is not something addColumn can express' };
      case 'COLLATE':
        return { reason: 'COLLATE on a new column is not something addColumn can express' };
      default:
        return { reason: `${cl.text} on a new column is not something addColumn can express` };
    }
  }
  return { ops: [op, ...more] };
}

function addConstraint(s: Statement, table: QualifiedName, con: any, later: Statement[]): Result {
  const bad = unsupportedConstraint(con);
  if (bad) return { reason: bad };
  let op: Operation;
  const name = con.conname ? { name: con.conname as string } : {};
  switch (con.contype) {
    case 'CONSTR_CHECK':
      op = { kind: 'addCheck', table, ...name, expression: fragment(parenGroup(s, s.at(con.location))?.inner ?? '') };
      break;
    case 'CONSTR_FOREIGN': {
      const onDelete = actions[con.fk_del_action];
      const onUpdate = actions[con.fk_upd_action];
      op = { kind: 'addForeignKey', table, ...name, columns: strings(con.fk_attrs), references: { table: fromRangeVar(con.pktable), columns: strings(con.pk_attrs) }, ...(onDelete ? { onDelete } : {}), ...(onUpdate ? { onUpdate } : {}) };
      break;
    }
    case 'CONSTR_UNIQUE':
      op = { kind: 'addUnique', table, ...name, columns: strings(con.keys) };
      break;
    case 'CONSTR_PRIMARY':
      return { reason: 'ADD PRIMARY KEY is not one of the changes lockstep plans yet' };
    case 'CONSTR_EXCLUSION':
      return { reason: 'an EXCLUDE constraint is not one of the changes lockstep plans' };
    case 'CONSTR_NOTNULL':
      return { reason: 'ADD CONSTRAINT … NOT NULL: write ALTER COLUMN … SET NOT NULL to have it converted' };
    default:
      return { reason: `ADD CONSTRAINT of this kind is not one of the changes lockstep plans (it converts ${CONVERTED})` };
  }
  if (!con.skip_validation) return { ops: [op] };
  // NOT VALID leaves validation for later; it converts only together with the VALIDATE CONSTRAINT that follows in this file.
  const validate = con.conname && later.find((l) => validates(l, table, con.conname));
  if (!validate) return { reason: `NOT VALID with no VALIDATE CONSTRAINT after it in this file: lockstep’s ${op.kind} also validates the constraint, which this migration leaves for later` };
  return { ops: [op], uses: [validate] };
}

/** `ALTER TABLE <table> VALIDATE CONSTRAINT <name>` and nothing else. */
function validates(l: Statement, table: QualifiedName, name: string): boolean {
  const cmds = l.kind === 'AlterTableStmt' ? (l.ast.cmds ?? []) : [];
  const cmd = cmds[0]?.AlterTableCmd;
  return cmds.length === 1 && cmd?.subtype === 'AT_ValidateConstraint' && cmd.name === name && !l.ast.missing_ok && !!l.ast.relation?.inh && sameName(fromRangeVar(l.ast.relation), table);
}

function createIndex(s: Statement): Result {
  const a = s.ast;
  if (a.if_not_exists) return { reason: 'CREATE INDEX IF NOT EXISTS: lockstep plans for an index that does not exist yet (drop IF NOT EXISTS to convert it)' };
  if (!a.relation?.inh) return { reason: 'CREATE INDEX ON ONLY (the parent index of a partitioned table) is not something addIndex can express' };
  if (a.options?.length) return { reason: 'index storage parameters (WITH (…)) are not something addIndex can express' };
  if (a.tableSpace) return { reason: 'TABLESPACE is not something addIndex can express' };
  if (a.nulls_not_distinct) return { reason: 'NULLS NOT DISTINCT is not something addIndex can express' };
  const table = fromRangeVar(a.relation);
  const group = parenGroup(s, s.at(a.relation.location));
  const params: any[] = (a.indexParams ?? []).map((p: any) => p.IndexElem);
  const texts = group ? splitList(s, group.start, group.end) : [];
  if (!group || texts.length !== params.length) return { reason: 'lockstep could not read the index’s column list' };
  const columns = params.map((el, i) => {
    const plain = el.name && el.ordering === 'SORTBY_DEFAULT' && el.nulls_ordering === 'SORTBY_NULLS_DEFAULT' && !el.opclass && !el.collation && !el.opclassopts;
    return plain ? quoteIdent(el.name) : fragment(texts[i]!);
  });
  let where: string | undefined;
  if (a.whereClause) {
    const toks = tokensOf(s).filter((t) => t.start > group.end);
    const w = toks.findIndex((t) => t.up === 'WHERE');
    if (w < 0 || !toks[w + 1]) return { reason: 'lockstep could not read the index’s WHERE clause' };
    where = fragment(sliceOf(s, toks[w + 1]!.start, s.span.end));
  }
  const include = (a.indexIncludingParams ?? []).map((p: any) => p.IndexElem?.name as string);
  const op: AddIndex = {
    kind: 'addIndex',
    table,
    ...(a.idxname ? { name: a.idxname } : {}),
    columns,
    ...(a.accessMethod && a.accessMethod !== 'btree' ? { method: quoteIdent(a.accessMethod) } : {}),
    ...(where !== undefined ? { where } : {}),
    ...(a.unique ? { unique: true } : {}),
    ...(include.length ? { include } : {}),
  };
  return { ops: [op] };
}

/** The items of a comma-separated list between two file offsets, as written. */
function splitList(s: Statement, from: number, to: number): string[] {
  const out: string[] = [];
  let depth = 0;
  let first: number | undefined;
  let last = from;
  for (const t of tokensOf(s)) {
    if (t.start < from || t.start >= to) continue;
    if (depth === 0 && t.text === ',') {
      if (first !== undefined) out.push(sliceOf(s, first, last));
      first = undefined;
      continue;
    }
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    first ??= t.start;
    last = t.end;
  }
  if (first !== undefined) out.push(sliceOf(s, first, last));
  return out;
}

/** A piece of the statement as written, without `--` comments (they would swallow what lockstep writes after it). */
function fragment(text: string): string {
  const tokens = scanTokens(text);
  if (!tokens) return text.trim();
  let out = '';
  let at = 0;
  for (const t of tokens)
    if (t.tokenName === 'SQL_COMMENT') {
      out += text.slice(at, t.start);
      at = t.end;
    }
  return (out + text.slice(at)).replace(/[ \t]+$/gm, '').trim();
}

/** The same checks a spec's fragments get: a piece sliced wrongly becomes a reason, never a broken step. */
function safely(r: Result): Result {
  if ('reason' in r) return r;
  for (const op of r.ops) {
    const problems: string[] = [];
    const expr = (what: string, text: string | undefined, role: Parameters<typeof checkExpression>[1]) => {
      const bad = text === undefined ? undefined : checkExpression(text, role);
      if (bad) problems.push(`${what} ${JSON.stringify(text)} ${bad}`);
    };
    if (op.kind === 'addColumn') {
      const bad = checkType(op.type);
      if (bad) problems.push(`the type ${JSON.stringify(op.type)} ${bad}`);
      expr('the default', op.default, 'default');
      expr('the check', op.check, 'check');
    } else if (op.kind === 'addCheck') expr('the condition', op.expression, 'check');
    else if (op.kind === 'addIndex') {
      for (const c of op.columns) {
        const e = parseIndexElement(c);
        if (e.error !== undefined) problems.push(`the index column ${JSON.stringify(c)} ${e.error}`);
      }
      expr('the predicate', op.where, 'where');
    }
    if (problems.length) return { reason: `lockstep could not carry it over faithfully: ${problems.join('; ')}` };
  }
  return r;
}
