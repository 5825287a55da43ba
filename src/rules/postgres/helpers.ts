/** Small things rules share: names in SQL, lock descriptions, the "is this a live table" question. */
import type { QualifiedName } from '../../core/types.js';
import { describeBlocks, blocksTraffic, sqlLockName, strongest as strongestMode, type LockMode } from '../../dialects/postgres/locks.js';
import type { EffectPart, StatementEffect } from '../../dialects/postgres/classify.js';
import { sqlName, quoteIdent, quoteLiteral, sameName } from '../../dialects/postgres/names.js';
import { foldName, lex, quotedName, skipQuoted } from '../../dialects/postgres/lexer.js';
import type { RuleContext } from './rule.js';

export { sqlName, quoteIdent };
import { objectName, checkConstraintName } from '../../dialects/postgres/names.js';
import { backfillDoBlock } from '../../dialects/postgres/backfill.js';
export { objectName, checkConstraintName };

/** `ACCESS EXCLUSIVE (blocks reads and writes)`. */
export function lockPhrase(mode: LockMode): string {
  return `${sqlLockName(mode)} (blocks ${describeBlocks(mode)})`;
}

/** The parts of an effect that act on an existing table (not one created earlier in this migration). */
export function onExisting(ctx: RuleContext, parts: EffectPart[] = ctx.effect.parts): EffectPart[] {
  return parts.filter((p) => (p.relations.table ?? []).some((t) => !ctx.isNew(t)) || (!p.relations.table?.length && Object.values(p.relations).some((rs) => rs?.some((t) => !ctx.isNew(t)))));
}

/** Locks of the statement that stop ordinary traffic, on tables that existed before this migration. */
export function trafficLocks(ctx: RuleContext, effect: StatementEffect = ctx.effect) {
  return effect.locks.filter((l) => blocksTraffic(l.mode) && !ctx.isNew(l.relation));
}

/** First table of a part. */
export function tableOf(part: EffectPart): QualifiedName | undefined {
  return part.relations.table?.[0];
}

/** Joins SQL statements into a fix block. */
export function sqlBlock(...statements: (string | false | undefined)[]): string {
  return statements.filter(Boolean).join('\n');
}

/**
 * How a fix sets a timeout before `stmt`: `SET LOCAL` inside a transaction block (it ends with it); a
 * plain `SET` otherwise; and for a statement that cannot run in a transaction block at all (VACUUM
 * FULL, REINDEX … CONCURRENTLY, …) a session `SET` before it and `RESET` after it, because there
 * `SET LOCAL` would do nothing (Postgres only warns) and a session setting outlives the statement.
 */
export function timeoutAround(
  ctx: Pick<RuleContext, 'tx' | 'effect'>,
  stmt: Statement,
  setting: 'lock_timeout' | 'statement_timeout',
  value: string,
  comment = '',
): { why: string; lines: string[] } {
  const set = (local: boolean) => `SET ${local ? 'LOCAL ' : ''}${setting} = '${value}';${comment ? `  -- ${comment}` : ''}`;
  if (!ctx.effect.transactional)
    return {
      why: ` (a session SET, reset after it: ${statementLabel(stmt)} cannot run in a transaction block, where SET LOCAL would do nothing)`,
      lines: [set(false), `${stmt.text};`, `RESET ${setting};`],
    };
  if (ctx.tx.open) return { why: ' (SET LOCAL: it ends with the transaction)', lines: [set(true), `${stmt.text};`] };
  return { why: '', lines: [set(false), `${stmt.text};`] };
}

/** The statement's own text with `CONCURRENTLY` inserted after the given keyword sequence. */
export function insertAfter(text: string, pattern: RegExp, insert: string): string {
  const m = pattern.exec(text);
  if (!m) return text;
  const at = m.index + m[0].length;
  return `${text.slice(0, at)} ${insert}${text.slice(at)}`;
}

/** How the runner's transaction is described in messages. */
export function runnerTransaction(ctx: { migration: { layout: string; transaction: string; transactionSource: string } }): string {
  return ctx.migration.transaction === 'multi-statement'
    ? `${ctx.migration.layout} sends the file as one multi-statement query, which Postgres runs as one transaction`
    : `${ctx.migration.layout} runs each migration inside a transaction (${ctx.migration.transactionSource})`;
}

/** How to run a statement outside the runner's transaction, per layout. */
export function outsideTransactionAdvice(ctx: { migration: { layout: string; transaction: string; id: string } }): string {
  switch (ctx.migration.layout) {
    case 'dbmate':
      return 'Put it in its own migration whose up section starts with `-- migrate:up transaction:false`.';
    case 'diesel':
      return 'Put it in its own migration with `run_in_transaction = false` in its metadata.toml.';
    case 'flyway':
      return 'Put it in its own migration with `executeInTransaction=false` in a `<file>.sql.conf` next to it.';
    case 'golang-migrate':
      return 'Put it alone in its own migration file: a file with one statement is not run as a transaction block.';
    case 'node-pg-migrate':
      return 'Put it in its own migration written in JS/TS that calls `pgm.noTransaction()`.';
    case 'prisma':
      return 'Prisma runs each migration.sql in a transaction; create it in its own migration and apply that one outside Prisma (psql), then mark it applied with `prisma migrate resolve --applied <name>`.';
    case 'drizzle':
      return 'drizzle-kit migrate runs migrations in one transaction; run this statement outside it (psql or a custom script) in a separate step.';
    default:
      return 'Run it outside any transaction block, as a statement of its own.';
  }
}

// ── transactions and timeouts ──────────────────────────────────────────────────────────────────

/** Statement kinds the classifier gives table locks to (rules about lock waits look only at these). */
export const LOCKING_KINDS = [
  'AlterTableStmt',
  'RenameStmt',
  'AlterObjectSchemaStmt',
  'IndexStmt',
  'DropStmt',
  'ReindexStmt',
  'AlterDomainStmt',
  'CreateStmt',
  'CreateTrigStmt',
  'TruncateStmt',
  'VacuumStmt',
  'ClusterStmt',
  'RefreshMatViewStmt',
  'LockStmt',
  'UpdateStmt',
  'DeleteStmt',
] as const;

/** A statement's text on one line, cut at `max` characters: for naming an earlier statement in a message. */
export function quoteStatement(stmt: { text: string }, max = 60): string {
  const t = stmt.text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
}

/** How a statement is named in messages: its words up to the table (`ALTER TABLE orders`), else its quoted start. */
export function statementLabel(stmt: { text: string; span: { start: number }; ast: any; at(location: number | undefined): number }): string {
  const rel = stmt.ast?.relation;
  if (rel?.relname && typeof rel.location === 'number') {
    const head = stmt.text.slice(0, stmt.at(rel.location) - stmt.span.start).replace(/\s+/g, ' ').trim();
    const name = sqlName(rel.schemaname ? { schema: rel.schemaname, name: rel.relname } : { name: rel.relname });
    if (head.length + name.length <= 60) return `${head} ${name}`;
  }
  return quoteStatement(stmt);
}

/** The strongest of some locks, and the tables it is taken on (`orders, customers`). */
export function strongestLock(locks: readonly { relation: QualifiedName; mode: LockMode }[]): { mode: LockMode; tables: QualifiedName[] } | undefined {
  let mode: LockMode | undefined;
  for (const l of locks) if (!mode || strongestMode(mode, l.mode) !== mode) mode = l.mode;
  if (!mode) return undefined;
  return { mode, tables: locks.filter((l) => l.mode === mode).map((l) => l.relation) };
}

/** Who queues behind a waiting lock request of this mode: `every later query on orders, even a plain SELECT`. */
export function queuedBehind(mode: LockMode, tables: readonly QualifiedName[]): string {
  const names = tables.map(sqlName).join(', ');
  return blocksTraffic(mode) && describeBlocks(mode) === 'reads and writes' ? `every later query on ${names}, even a plain SELECT,` : `every later write to ${names}`;
}

// ── destructive, maintenance, partitions, renames ──────────────────────────────────────────────
import type { RelRole as EffectRole } from '../../dialects/postgres/effects.js';

/** The statement runs inside a transaction block: the runner's, or an explicit BEGIN. */
export function inTransactionBlock(ctx: Pick<RuleContext, 'migration' | 'tx'>): boolean {
  return ctx.migration.transaction !== 'none' || ctx.tx.open;
}

/** `a`, `a and b`, `a, b and c`. */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * What a part's claim locks, mode by mode, strongest first:
 * `ACCESS EXCLUSIVE (blocks reads and writes) on orders and customers`. Relations for which `keep`
 * returns false are left out; roles with no known relation are left out too.
 */
export function partLocks(part: EffectPart, keep: (rel: QualifiedName, role: EffectRole) => boolean = () => true): string {
  const byMode = new Map<LockMode, string[]>();
  for (const l of part.claim?.locks ?? []) {
    for (const rel of part.relations[l.on] ?? []) {
      if (!keep(rel, l.on)) continue;
      const names = byMode.get(l.mode) ?? [];
      const n = sqlName(rel);
      if (!names.includes(n)) names.push(n);
      byMode.set(l.mode, names);
    }
  }
  const order: LockMode[] = ['AccessExclusive', 'Exclusive', 'ShareRowExclusive', 'Share', 'ShareUpdateExclusive', 'RowExclusive', 'RowShare', 'AccessShare'];
  return [...byMode]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([mode, names]) => `${lockPhrase(mode)} on ${andList(names)}`)
    .join(' and ');
}

/** A name made from another one plus a suffix, cut to Postgres' 63-byte identifier limit (unquoted). */
export function suffixedName(base: string, suffix: string): string {
  let head = base;
  while (Buffer.byteLength(head + suffix) > 63 && head.length) head = head.slice(0, -1);
  return head + suffix;
}

/** A word for a POSIX shell: single-quoted unless it is plain. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_.=\/:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `pg_repack --table=orders <options> <database>`: rebuilds tables online (brief ACCESS EXCLUSIVE at the start and the end). */
export function pgRepackCommand(tables: readonly QualifiedName[], ...options: string[]): string {
  return ['pg_repack', ...tables.map((t) => shellWord(`--table=${sqlName(t)}`)), ...options.map(shellWord), '<database>'].join(' ');
}

/** For statements with no non-blocking form: `SET lock_timeout` (unless one is in effect), the statement, and the retry advice. */
export function lockTimeoutRetry(ctx: Pick<RuleContext, 'timeouts'>, statement: string): string[] {
  const lt = ctx.timeouts.lock;
  return lt.ms > 0
    ? [`lock_timeout is already ${lt.ms % 1000 === 0 ? `${lt.ms / 1000}s` : `${lt.ms} ms`} (${lt.source}): when the statement times out, retry it.`, statement]
    : ["SET lock_timeout = '2s';", statement, '-- on "canceling statement due to lock timeout": wait a moment and run it again'];
}

// ───────────── column types in DDL, SQL text slices, literals, identifier truncation ─────────────
import type { Statement } from '../../dialects/postgres/parser.js';
import type { Catalog } from '../../dialects/postgres/catalog.js';
import { fromNameList as qnFromNameList, fromRangeVar as qnFromRangeVar, fromTypeName as typeFromTypeName, strings as nameStrings, type TypeRef } from '../../dialects/postgres/names.js';

/** One column type a DDL statement declares: CREATE TABLE column, ADD COLUMN, or ALTER COLUMN … TYPE. */
export interface ColumnTypeUse {
  table: QualifiedName;
  column: string;
  /** The parser's TypeName node. */
  typeName: any;
  type: TypeRef;
  /** The type's last name part as the parser gives it: `bpchar` for char(n), `char` only for the quoted internal `"char"`, `serial`, … */
  raw: string;
  where: 'create' | 'add' | 'alter-type';
  /** The ColumnDef node. */
  def: any;
  /** The AlterTableCmd, for ADD COLUMN / ALTER COLUMN … TYPE. */
  cmd?: any;
  /** File offset of the type. */
  at: number;
}

const columnTypeUseCache = new WeakMap<Statement, ColumnTypeUse[]>();

/** Every column type `stmt` declares (CREATE [FOREIGN] TABLE, ALTER TABLE … ADD COLUMN / ALTER COLUMN … TYPE). */
export function columnTypeUses(stmt: Statement): ColumnTypeUse[] {
  const cached = columnTypeUseCache.get(stmt);
  if (cached) return cached;
  const out: ColumnTypeUse[] = [];
  const push = (table: QualifiedName, column: string, def: any, where: ColumnTypeUse['where'], cmd?: any) => {
    const tn = def?.typeName;
    if (!tn?.names) return;
    const parts = nameStrings(tn.names);
    out.push({ table, column, typeName: tn, type: typeFromTypeName(tn), raw: parts[parts.length - 1] ?? '', where, def, ...(cmd ? { cmd } : {}), at: stmt.at(tn.location ?? def.location) });
  };
  const a = stmt.kind === 'CreateForeignTableStmt' ? stmt.ast.base : stmt.ast;
  if (stmt.kind === 'CreateStmt' || stmt.kind === 'CreateForeignTableStmt') {
    const table = qnFromRangeVar(a?.relation);
    for (const elt of a?.tableElts ?? []) if (elt.ColumnDef) push(table, elt.ColumnDef.colname, elt.ColumnDef, 'create');
  } else if (stmt.kind === 'AlterTableStmt' && (a.objtype === 'OBJECT_TABLE' || a.objtype === 'OBJECT_FOREIGN_TABLE' || a.objtype === undefined)) {
    const table = qnFromRangeVar(a.relation);
    for (const raw of a.cmds ?? []) {
      const cmd = raw.AlterTableCmd;
      if (cmd?.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) push(table, cmd.def.ColumnDef.colname, cmd.def.ColumnDef, 'add', cmd);
      else if (cmd?.subtype === 'AT_AlterColumnType' && cmd.def?.ColumnDef) push(table, cmd.name, cmd.def.ColumnDef, 'alter-type', cmd);
    }
  }
  columnTypeUseCache.set(stmt, out);
  return out;
}

/** Skips a quoted literal/identifier, comment or dollar-quoted string starting at `i`; returns the index after it, or -1 when `text[i]` starts none of them. */
const skipSqlQuoted = skipQuoted;

/**
 * The end of one list item starting at `from` (a column definition, an ALTER TABLE subcommand): the
 * offset just after its last token before a top-level `,` or an unmatched `)`, comments excluded.
 */
export function listItemEnd(text: string, from: number): number {
  let depth = 0;
  let last = from;
  let i = from;
  while (i < text.length) {
    const ch = text[i]!;
    const q = skipSqlQuoted(text, i);
    if (q >= 0) {
      if (ch !== '-' && ch !== '/') last = q;
      i = q;
      continue;
    }
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') {
      if (depth === 0) break;
      depth--;
    } else if (ch === ',' && depth === 0) break;
    if (!/\s/.test(ch)) last = i + 1;
    i++;
  }
  return last;
}

const typeContinuationWords = new Set(['varying', 'with', 'without', 'time', 'zone', 'precision', 'array', 'character', 'char']);

/** The end of a type name written at `from`: `pg_catalog.varchar(20)[]`, `timestamp(3) without time zone`, `int ARRAY[4]`. */
export function typeTextEnd(text: string, from: number): number {
  let i = from;
  const word = (at: number) => /^(?:"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/.exec(text.slice(at, at + 200))?.[0];
  const skipSpace = (at: number) => {
    for (;;) {
      while (at < text.length && /\s/.test(text[at]!)) at++;
      if ((text[at] === '-' && text[at + 1] === '-') || (text[at] === '/' && text[at + 1] === '*')) at = skipSqlQuoted(text, at);
      else return at;
    }
  };
  const first = word(i);
  if (!first) return from;
  i += first.length;
  for (;;) {
    const j = skipSpace(i);
    if (text[j] === '.') {
      const k = skipSpace(j + 1);
      const w = word(k);
      if (!w) break;
      i = k + w.length;
      continue;
    }
    if (text[j] === '(' || text[j] === '[') {
      let depth = 0;
      let k = j;
      while (k < text.length) {
        const q = skipSqlQuoted(text, k);
        if (q >= 0) {
          k = q;
          continue;
        }
        if (text[k] === '(' || text[k] === '[') depth++;
        else if (text[k] === ')' || text[k] === ']') {
          depth--;
          if (depth === 0) {
            k++;
            break;
          }
        }
        k++;
      }
      i = k;
      continue;
    }
    const w = word(j);
    if (w && typeContinuationWords.has(w.toLowerCase())) {
      i = j + w.length;
      continue;
    }
    break;
  }
  return i;
}

/** Collapses the line breaks of a multi-line fragment into single spaces. */
function collapseLines(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The column's definition as the user wrote it, with its type replaced and `append` added at the end:
 * `payload jsonb NOT NULL DEFAULT '{}'` (CREATE TABLE / ADD COLUMN) or `payload TYPE jsonb USING …` (ALTER COLUMN … TYPE).
 */
export function definitionWithType(stmt: Statement, use: ColumnTypeUse, newType: string, append?: string): string {
  const text = stmt.text;
  const tail = append ? ` ${append}` : '';
  const start = use.def.location !== undefined ? stmt.at(use.def.location) - stmt.span.start : -1;
  const typeStart = use.at - stmt.span.start;
  if (start < 0 || typeStart < start || typeStart > text.length) {
    return use.where === 'alter-type' ? `${quoteIdent(use.column)} TYPE ${newType}${tail}` : `${quoteIdent(use.column)} ${newType}${tail}`;
  }
  const end = listItemEnd(text, start);
  const typeEnd = Math.min(typeTextEnd(text, typeStart), end);
  return collapseLines(`${text.slice(start, typeStart)}${newType}${text.slice(typeEnd, end)}${tail}`);
}

/** `ALTER TABLE [IF EXISTS] [ONLY] <table>` as the statement wrote it. */
export function alterTableHead(stmt: Statement): string {
  const a = stmt.ast;
  return `ALTER TABLE ${a.missing_ok ? 'IF EXISTS ' : ''}${a.relation && !a.relation.inh ? 'ONLY ' : ''}${sqlName(qnFromRangeVar(a.relation))}`;
}

/**
 * SQL declaring the column with `newType`: the column definition for CREATE TABLE, the whole
 * `ALTER TABLE … ADD COLUMN …;` / `ALTER TABLE … ALTER COLUMN … TYPE …;` otherwise.
 */
export function columnFixSql(stmt: Statement, use: ColumnTypeUse, newType: string, append?: string): string {
  const def = definitionWithType(stmt, use, newType, append);
  if (use.where === 'create') return def;
  if (use.where === 'add') return `${alterTableHead(stmt)} ADD COLUMN ${use.cmd?.missing_ok ? 'IF NOT EXISTS ' : ''}${def};`;
  return `${alterTableHead(stmt)} ALTER COLUMN ${def};`;
}

/** Where the column is, for messages: `orders.payload` (the table as the user wrote it). */
export function columnLabel(use: { table: QualifiedName; column: string }): string {
  return `${sqlName(use.table)}.${quoteIdent(use.column)}`;
}

/** A SQL string literal: `'it''s'`. */
export { quoteLiteral } from '../../dialects/postgres/names.js';

/** The longest identifier Postgres keeps, in bytes (NAMEDATALEN - 1). */
export const MAX_IDENTIFIER_BYTES = 63;

/** What Postgres makes of a long identifier: cut to 63 bytes of UTF-8, on a character boundary. */
export function truncateIdentifier(name: string): string {
  const buf = Buffer.from(name, 'utf8');
  if (buf.length <= MAX_IDENTIFIER_BYTES) return name;
  let cut = MAX_IDENTIFIER_BYTES;
  while (cut > 0 && (buf[cut]! & 0xc0) === 0x80) cut--;
  return buf.subarray(0, cut).toString('utf8');
}


/** `[]` when the column type is an array, so a replacement type keeps it. */
export function arraySuffix(use: { type: TypeRef }): string {
  return use.type.array ? '[]' : '';
}

/** The offset just after the `)` matching the `(` at `open` (quotes and comments skipped). */
export function matchParen(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const q = skipSqlQuoted(text, i);
    if (q >= 0) {
      i = q;
      continue;
    }
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

/** The condition of a CHECK constraint as written (`VALUE > 0`), from the statement's text. */
export function checkConditionText(stmt: Statement, con: any): string | undefined {
  const from = con?.location !== undefined ? stmt.at(con.location) - stmt.span.start : 0;
  const m = /\bcheck\s*\(/gi;
  m.lastIndex = Math.max(0, from);
  const hit = m.exec(stmt.text);
  if (!hit) return undefined;
  const open = hit.index + hit[0].length - 1;
  return stmt.text.slice(open + 1, matchParen(stmt.text, open) - 1).replace(/\s*\n\s*/g, ' ').trim();
}

/** A domain CHECK condition rewritten for a table column: every `VALUE` becomes the column. */
export function valueToColumn(condition: string, column: string): string {
  let out = '';
  let i = 0;
  while (i < condition.length) {
    const q = skipSqlQuoted(condition, i);
    if (q >= 0) {
      out += condition.slice(i, q);
      i = q;
      continue;
    }
    const w = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(condition.slice(i, i + 200))?.[0];
    if (w) {
      out += w.toLowerCase() === 'value' && condition[i - 1] !== '.' ? column : w;
      i += w.length;
      continue;
    }
    out += condition[i];
    i++;
  }
  return out;
}

/** Identifier tokens of a SQL text (strings, comments and dollar-quoted bodies skipped), with the name Postgres reads. */
export function identifierTokens(text: string): { start: number; end: number; name: string; quoted: boolean }[] {
  const out: { start: number; end: number; name: string; quoted: boolean }[] = [];
  for (const t of lex(text, { comments: false })) {
    if (t.kind === 'word') out.push({ start: t.start, end: t.end, name: foldName(text.slice(t.start, t.end)), quoted: false });
    else if (t.kind === 'quoted') {
      const name = quotedName(text, t); // U&"…": escapes not decoded, left out
      if (name !== undefined) out.push({ start: t.start, end: t.end, name, quoted: true });
    }
  }
  return out;
}

/** A primary key, a foreign key, or a column named like one (`id`, `customer_id`). */
export function isKeyColumn(use: ColumnTypeUse): boolean {
  if (use.column === 'id' || /_id$/i.test(use.column) || use.type.serial) return true;
  return (use.def?.constraints ?? []).some((c: any) => c.Constraint?.contype === 'CONSTR_PRIMARY' || c.Constraint?.contype === 'CONSTR_FOREIGN');
}

/** Columns whose type is the domain (or enum) `type`, in the tables the catalog knows. */
export function columnsOfType(catalog: Catalog, type: QualifiedName): { table: QualifiedName; column: string }[] {
  const k = typeMapKey(type);
  const out: { table: QualifiedName; column: string }[] = [];
  for (const t of catalog.tables.values()) for (const c of t.columns.values()) if (typeMapKey({ ...(c.type.schema ? { schema: c.type.schema } : {}), name: c.type.name }) === k) out.push({ table: t.name, column: c.name });
  return out;
}

function typeMapKey(n: QualifiedName): string {
  return `${n.schema ?? 'public'}.${n.name}`;
}

/** The statement created `name` (a type or domain) earlier in `statements`. */
export function createdTypeIn(statements: readonly Statement[], name: QualifiedName): Statement | undefined {
  const k = typeMapKey(name);
  return statements.find((s) => {
    if (s.kind === 'CreateDomainStmt') return typeMapKey(qnFromNameList(s.ast.domainname)) === k;
    if (s.kind === 'CreateEnumStmt') return typeMapKey(qnFromNameList(s.ast.typeName)) === k;
    return false;
  });
}

/** The table of `tables` with the most bytes (or rows) the catalog knows of; the first one otherwise. */
export function biggestTable(tables: QualifiedName[], size: (t: QualifiedName) => { rows?: number; bytes?: number }): QualifiedName | undefined {
  let best: QualifiedName | undefined;
  let bestSize = -1;
  for (const t of tables) {
    const s = size(t);
    const v = s.bytes ?? (s.rows !== undefined ? s.rows : -1);
    if (best === undefined || v > bestSize) {
      best = t;
      bestSize = v;
    }
  }
  return best;
}

/** The type as written in the statement (`national character(4)`), one line. */
export function typeTextOf(stmt: Statement, use: ColumnTypeUse): string {
  const start = use.at - stmt.span.start;
  return stmt.text.slice(start, typeTextEnd(stmt.text, start)).replace(/\s+/g, ' ');
}

// ── columns and constraints: shared by the ADD COLUMN, NOT NULL and constraint rules ───────────────

/** A token of a statement's text, with file offsets; `up` is the upper-cased text. */
export interface SqlToken {
  start: number;
  end: number;
  text: string;
  up: string;
}

const sqlTokenCache = new WeakMap<object, SqlToken[]>();

/** The statement's tokens (comments and whitespace skipped): words, quoted names, strings, numbers, operators, single characters. */
export function tokensOf(stmt: import('../../dialects/postgres/parser.js').Statement): SqlToken[] {
  const cached = sqlTokenCache.get(stmt);
  if (cached) return cached;
  const s = stmt.text;
  const base = stmt.span.start;
  const out: SqlToken[] = [];
  for (const t of lex(s, { comments: false })) {
    const text = s.slice(t.start, t.end);
    out.push({ start: base + t.start, end: base + t.end, text, up: text.toUpperCase() });
  }
  sqlTokenCache.set(stmt, out);
  return out;
}

/** The statement's text between two file offsets. */
export function sliceOf(stmt: import('../../dialects/postgres/parser.js').Statement, from: number, to: number): string {
  return stmt.text.slice(from - stmt.span.start, to - stmt.span.start).trim();
}

/**
 * Where the clause starting at `from` ends: before the first comma or unmatched `)` outside parentheses,
 * or before a keyword of `stops` (after at least one token), or at the statement's end.
 */
export function clauseEnd(stmt: import('../../dialects/postgres/parser.js').Statement, from: number, stops: readonly string[] = []): number {
  let depth = 0;
  let end = from;
  let n = 0;
  for (const t of tokensOf(stmt)) {
    if (t.start < from) continue;
    if (depth === 0 && (t.text === ',' || t.text === ')' || t.text === ';')) break;
    if (depth === 0 && n > 0 && stops.includes(t.up)) break;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    end = t.end;
    n++;
  }
  return end;
}

/** The text inside the first parenthesized group at or after `from` (without the parentheses); `start` is its first token. */
export function parenGroup(stmt: import('../../dialects/postgres/parser.js').Statement, from: number): { inner: string; start: number; end: number } | undefined {
  let depth = 0;
  let open = -1;
  for (const t of tokensOf(stmt)) {
    if (t.start < from) continue;
    if (open === -2) open = t.start;
    if (t.text === '(') {
      if (depth++ === 0) open = -2;
    } else if (t.text === ')' && depth > 0 && --depth === 0) return { inner: sliceOf(stmt, open, t.start), start: open, end: t.start };
  }
  return undefined;
}

/** `'text'` as an SQL string literal (names.ts quoteLiteral, under the name the rules use). */
export const sqlString = (s: string): string => quoteLiteral(s);

/** The primary key columns lockstep knows for a table. */
export function primaryKeyOf(catalog: import('../../dialects/postgres/catalog.js').Catalog, table: QualifiedName): string[] | undefined {
  for (const c of catalog.table(table)?.constraints.values() ?? []) if (c.kind === 'primary-key' && c.columns.length) return c.columns;
  return undefined;
}

/**
 * A batched backfill of `column` with `expr`, as the one rendering of dialects/postgres/backfill.ts gives it:
 * the PL/pgSQL block `plan --format sql` shows, with the batch UPDATE `apply` runs (key ranges of the primary
 * key among the keys that existed when it began), so the SQL lint suggests is the SQL plan shows and apply
 * runs. A value that is NULL for some rows leaves them NULL and the walk goes on: it always ends.
 */
export function backfillSteps(ctx: RuleContext, table: QualifiedName, column: string, expr: string): string[] {
  const pk = primaryKeyOf(ctx.catalog, table);
  const steps = [backfillDoBlock({ table, column, expression: expr, key: pk ?? ['id'] })];
  if (!pk) steps.unshift(`-- id stands for the primary key of ${sqlName(table)}:`);
  return steps;
}

/** The name of the constraint the NOT NULL recipes add: `<table>_<column>_not_null`, as Postgres 18 names it. */
export function notNullConstraintName(table: QualifiedName, column: string): string {
  return objectName(table.name, column, 'not_null');
}

/**
 * The version's way to make `column` NOT NULL without holding ACCESS EXCLUSIVE for a scan:
 * 18: NOT NULL … NOT VALID + VALIDATE; 12–17: CHECK (… IS NOT NULL) NOT VALID + VALIDATE + SET NOT NULL + DROP;
 * 11: none (the bare SET NOT NULL, and `note` says so). `existing`: a NOT VALID proof already on the table.
 */
export function notNullSteps(version: number, table: QualifiedName, column: string, existing?: { name: string; kind: string }): { steps: string[]; note?: string } {
  const t = sqlName(table);
  const c = quoteIdent(column);
  const name = quoteIdent(existing?.name ?? notNullConstraintName(table, column));
  if (version >= 18 && (!existing || existing.kind === 'not-null'))
    return {
      steps: [...(existing ? [] : [`ALTER TABLE ${t} ADD CONSTRAINT ${name} NOT NULL ${c} NOT VALID;`]), `ALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`],
    };
  if (version >= 12)
    return {
      steps: [
        ...(existing ? [] : [`ALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${c} IS NOT NULL) NOT VALID;`]),
        `ALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`,
        `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`,
        `ALTER TABLE ${t} DROP CONSTRAINT ${name};`,
      ],
    };
  return {
    steps: [`SET lock_timeout = '2s';`, `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`],
    note: `Postgres 11 cannot skip the scan of SET NOT NULL (it does not use a CHECK constraint to prove the column has no NULLs), so it holds ACCESS EXCLUSIVE while it reads all of ${t}: run it when the table is quiet, with a short lock_timeout so that it gives up instead of making traffic queue behind it.`,
  };
}

/** A NOT VALID constraint that would prove `column` non-null once validated (`CHECK (col IS NOT NULL)` or, on 18, NOT NULL). */
export function pendingNotNullProof(catalog: import('../../dialects/postgres/catalog.js').Catalog, table: QualifiedName, column: string): { name: string; kind: string } | undefined {
  for (const c of catalog.table(table)?.constraints.values() ?? []) if (!c.valid && c.notNullColumn === column) return { name: c.name, kind: c.kind };
  return undefined;
}

/** File offset of the ALTER [COLUMN] <column> … subcommand that `words` (e.g. SET NOT NULL) follow, or undefined. */
export function alterColumnAt(stmt: import('../../dialects/postgres/parser.js').Statement, column: string, words: string[]): number | undefined {
  const toks = tokensOf(stmt);
  const col = quoteIdent(column).toUpperCase();
  for (let i = 0; i < toks.length; i++) {
    if (toks[i]!.up !== 'ALTER') continue;
    let j = i + 1;
    if (toks[j]?.up === 'COLUMN') j++;
    if (toks[j]?.up !== col && toks[j]?.text !== column) continue;
    if (words.every((w, k) => toks[j + 1 + k]?.up === w)) return toks[i]!.start;
  }
  return undefined;
}

/** A clause of a column definition: a constraint (DEFAULT, NOT NULL, CHECK, …) or COLLATE. */
export interface ColumnClause {
  /** `CONSTR_DEFAULT`, `CONSTR_NOTNULL`, …, or `COLLATE`. */
  kind: string;
  node: any;
  start: number;
  end: number;
  /** The clause as written. */
  text: string;
  /** The clause without its `CONSTRAINT name` prefix. */
  body: string;
}

/** An ADD COLUMN subcommand taken apart, with the pieces as the user wrote them. */
export interface AddColumnParts {
  cmd: any;
  def: any;
  column: string;
  ifNotExists: boolean;
  /** The type as written (`timestamp with time zone`, `numeric(10, 2)`). */
  type: string;
  /** Text between the type and the first clause (COMPRESSION, STORAGE). */
  extra: string;
  clauses: ColumnClause[];
  /** The DEFAULT expression as written. */
  defaultExpr?: string;
}

const typeStops = ['COLLATE', 'COMPRESSION', 'STORAGE', 'CONSTRAINT', 'DEFAULT', 'NOT', 'NULL', 'CHECK', 'REFERENCES', 'UNIQUE', 'PRIMARY', 'GENERATED', 'USING'];

/** The type of a TypeName node as written in the statement. */
export function typeText(stmt: import('../../dialects/postgres/parser.js').Statement, typeName: any): string {
  const start = stmt.at(typeName?.location);
  return sliceOf(stmt, start, clauseEnd(stmt, start, typeStops));
}

/** Takes an ADD COLUMN's column definition apart. */
export function addColumnParts(stmt: import('../../dialects/postgres/parser.js').Statement, def: any): AddColumnParts {
  const cmd = (stmt.ast.cmds ?? []).map((c: any) => c.AlterTableCmd).find((c: any) => c?.def?.ColumnDef === def) ?? {};
  const colStart = stmt.at(def.location);
  const colEnd = clauseEnd(stmt, colStart);
  const typeStart = stmt.at(def.typeName?.location);
  const typeEnd = clauseEnd(stmt, typeStart, typeStops);
  const raw: { kind: string; node: any; start: number }[] = (def.constraints ?? [])
    .map((c: any) => c.Constraint)
    .filter(Boolean)
    .map((c: any) => ({ kind: c.contype as string, node: c, start: stmt.at(c.location) }));
  if (def.collClause) raw.push({ kind: 'COLLATE', node: def.collClause, start: stmt.at(def.collClause.location) });
  raw.sort((a, b) => a.start - b.start);
  const clauses: ColumnClause[] = raw.map((r, i) => {
    const end = i + 1 < raw.length ? raw[i + 1]!.start : colEnd;
    const text = sliceOf(stmt, r.start, end);
    let body = text;
    if (r.node?.conname) {
      const toks = tokensOf(stmt).filter((t) => t.start >= r.start && t.start < end);
      if (toks[0]?.up === 'CONSTRAINT' && toks[2]) body = sliceOf(stmt, toks[2].start, end);
    }
    return { kind: r.kind, node: r.node, start: r.start, end, text, body };
  });
  const dflt = clauses.find((c) => c.kind === 'CONSTR_DEFAULT');
  return {
    cmd,
    def,
    column: def.colname,
    ifNotExists: !!cmd.missing_ok,
    type: sliceOf(stmt, typeStart, typeEnd),
    extra: sliceOf(stmt, typeEnd, raw[0]?.start ?? colEnd),
    clauses,
    ...(dflt ? { defaultExpr: dflt.body.replace(/^default\s+/i, '') } : {}),
  };
}

/** The statement's text of an expression node with its column references prefixed (`NEW.price * NEW.quantity`). */
export function exprText(stmt: import('../../dialects/postgres/parser.js').Statement, text: string, start: number, node: any, rewrite: (column: string) => string): string {
  const refs: { at: number; len: number; name: string }[] = [];
  const visit = (n: any): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!n || typeof n !== 'object') return;
    const ref = n.ColumnRef;
    if (ref && ref.fields?.length === 1 && ref.fields[0]?.String) {
      const at = stmt.at(ref.location);
      const tok = tokensOf(stmt).find((t) => t.start === at);
      if (tok) refs.push({ at: at - start, len: tok.text.length, name: ref.fields[0].String.sval });
    }
    for (const v of Object.values(n)) if (v && typeof v === 'object') visit(v);
  };
  visit(node);
  let out = text;
  for (const r of refs.sort((a, b) => b.at - a.at)) if (r.at >= 0 && r.at + r.len <= out.length) out = out.slice(0, r.at) + rewrite(r.name) + out.slice(r.at + r.len);
  return out;
}

export interface ColumnRecipe {
  /** Type to add the column with, instead of the one written (serial → bigint, a domain → its base type). */
  type?: string;
  /** Keep the written (non-volatile) DEFAULT in the ADD COLUMN. */
  keepDefault?: boolean;
  /** For new rows, after the column exists: `ALTER COLUMN … SET DEFAULT expr`. */
  setDefault?: string;
  /** Fill existing rows with this expression, in batches. */
  backfill?: string;
  /** The backfill's value may be NULL (computed from other columns). */
  computed?: boolean;
  /** Steps right after the column is added (sequences, triggers). */
  afterAdd?: string[];
  /** CHECK conditions to add NOT VALID + VALIDATE, besides the column's own. */
  checks?: { name: string; condition: string }[];
  /** Make it NOT NULL even if the definition does not say so. */
  notNull?: boolean;
  /** Steps after NOT NULL is in place (identity). */
  afterNotNull?: string[];
}

/**
 * The safe sequence for an ADD COLUMN: the plain column (nullable, no volatile default, no index), its default for
 * new rows, the backfill, then its CHECKs (NOT VALID + VALIDATE), NOT NULL (the version's recipe) and UNIQUE /
 * PRIMARY KEY (a concurrent index attached with USING INDEX).
 */
export function addColumnRecipe(ctx: RuleContext, table: QualifiedName, p: AddColumnParts, r: ColumnRecipe): string[] {
  const t = sqlName(table);
  const c = quoteIdent(p.column);
  const has = (k: string) => p.clauses.some((x) => x.kind === k);
  const keep: string[] = [];
  const checks = [...(r.checks ?? [])];
  let fk: { name: string; body: string } | undefined;
  for (const cl of p.clauses) {
    if (cl.kind === 'COLLATE' || cl.kind === 'CONSTR_NULL' || cl.kind === 'CONSTR_ATTR_DEFERRABLE' || cl.kind === 'CONSTR_ATTR_NOT_DEFERRABLE' || cl.kind === 'CONSTR_ATTR_DEFERRED' || cl.kind === 'CONSTR_ATTR_IMMEDIATE') keep.push(cl.text);
    else if (cl.kind === 'CONSTR_DEFAULT' && r.keepDefault) keep.push(cl.text);
    else if (cl.kind === 'CONSTR_CHECK') checks.push({ name: cl.node.conname ?? checkConstraintName(table, cl.node.raw_expr), condition: cl.body.replace(/^check\s*/i, '') });
    else if (cl.kind === 'CONSTR_FOREIGN') {
      // With no default the new column is NULL everywhere and the inline REFERENCES checks nothing.
      if (r.keepDefault && p.defaultExpr && !/^null$/i.test(p.defaultExpr.trim())) fk = { name: quoteIdent(cl.node.conname ?? objectName(table.name, p.column, 'fkey')), body: cl.body };
      else keep.push(cl.text);
    }
  }
  const pk = p.clauses.find((x) => x.kind === 'CONSTR_PRIMARY');
  const wantsNotNull = !!(r.notNull || has('CONSTR_NOTNULL') || pk);
  // NOT NULL with a non-null constant default fills every row from the catalog: nothing to scan.
  const inlineNotNull = wantsNotNull && r.keepDefault && p.defaultExpr !== undefined && !/^null$/i.test(p.defaultExpr.trim());
  if (inlineNotNull) keep.push('NOT NULL');
  const steps = [`ALTER TABLE ${t} ADD COLUMN ${p.ifNotExists ? 'IF NOT EXISTS ' : ''}${[c, r.type ?? p.type, p.extra, ...keep].filter(Boolean).join(' ')};`];
  steps.push(...(r.afterAdd ?? []));
  if (r.setDefault) steps.push(`ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${r.setDefault};`);
  if (r.backfill) steps.push(...backfillSteps(ctx, table, p.column, r.backfill));
  if (fk) steps.push(`ALTER TABLE ${t} ADD CONSTRAINT ${fk.name} FOREIGN KEY (${c}) ${fk.body} NOT VALID;`, `ALTER TABLE ${t} VALIDATE CONSTRAINT ${fk.name};`);
  for (const ck of checks) steps.push(`ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(ck.name)} CHECK ${ck.condition.startsWith('(') ? ck.condition : `(${ck.condition})`} NOT VALID;`, `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(ck.name)};`);
  if (wantsNotNull && !inlineNotNull) {
    const nn = notNullSteps(ctx.version, table, p.column);
    if (nn.note) steps.push(`-- Postgres 11 cannot skip the scan of SET NOT NULL: it reads all of ${t} under ACCESS EXCLUSIVE; run it when the table is quiet, under a short lock_timeout`);
    steps.push(...nn.steps.filter((s) => !s.startsWith('SET lock_timeout')));
  }
  steps.push(...(r.afterNotNull ?? []));
  for (const u of p.clauses.filter((x) => x.kind === 'CONSTR_UNIQUE' || x.kind === 'CONSTR_PRIMARY')) {
    const primary = u.kind === 'CONSTR_PRIMARY';
    const name = quoteIdent(u.node.conname ?? (primary ? objectName(table.name, undefined, 'pkey') : objectName(table.name, p.column, 'key')));
    steps.push(`CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${t} (${c});`, `ALTER TABLE ${t} ADD CONSTRAINT ${name} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${name};`);
  }
  return steps;
}

/** When `steps` build an index CONCURRENTLY and the statement runs in a transaction block: how to get out of it. */
export function concurrentlyAdvice(ctx: Pick<RuleContext, 'migration' | 'tx'>, steps: readonly string[]): string | undefined {
  return steps.some((s) => s.includes('INDEX CONCURRENTLY')) && inTransactionBlock(ctx) ? `CREATE INDEX CONCURRENTLY cannot run in a transaction block. ${outsideTransactionAdvice(ctx)}` : undefined;
}

/** Shortens SQL for a message: whitespace collapsed, at most `max` characters. */
export function abbreviate(sql: string, max = 60): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}\u2026`;
}

import type { Statement as EarlierStatement } from '../../dialects/postgres/parser.js';
import { fromRangeVar as earlierRangeVar, fromNameList as earlierNameList, key as earlierKey } from '../../dialects/postgres/names.js';

/** What the statements before this one in the section did, for rules that look back (gathered once per section, incrementally). */
export interface EarlierFacts {
  /** `schema.table.column` of columns added with ADD COLUMN. */
  addedColumns: Set<string>;
  /** `schema.table.column` of columns that got their name from RENAME COLUMN. */
  renamedColumns: Set<string>;
  /** `schema.table` of tables that got their name from RENAME TO. */
  renamedTables: Set<string>;
  /** `schema.table` of tables with a CREATE POLICY. */
  policies: Set<string>;
  /** CHECK constraints added per `schema.table`: name → valid now (added without NOT VALID, or validated since). */
  checks: Map<string, Map<string, boolean>>;
  /** Functions and procedures created, by name. */
  functions: Map<string, EarlierStatement>;
  /** Prepared statements, by name. */
  prepared: Map<string, EarlierStatement>;
}

const earlierCache = new WeakMap<readonly EarlierStatement[], { seen: number; facts: EarlierFacts }>();

export function earlierFacts(previous: readonly EarlierStatement[]): EarlierFacts {
  let c = earlierCache.get(previous);
  if (!c) {
    c = { seen: 0, facts: { addedColumns: new Set(), renamedColumns: new Set(), renamedTables: new Set(), policies: new Set(), checks: new Map(), functions: new Map(), prepared: new Map() } };
    earlierCache.set(previous, c);
  }
  const f = c.facts;
  for (; c.seen < previous.length; c.seen++) {
    const s = previous[c.seen]!;
    const a = s.ast;
    switch (s.kind) {
      case 'AlterTableStmt': {
        if (!a.relation) break;
        const t = earlierKey(earlierRangeVar(a.relation));
        for (const raw of a.cmds ?? []) {
          const cmd = raw.AlterTableCmd;
          const con = cmd?.def?.Constraint;
          if (cmd?.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef?.colname) f.addedColumns.add(`${t}.${cmd.def.ColumnDef.colname}`);
          else if (cmd?.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_CHECK') {
            const m = f.checks.get(t) ?? new Map<string, boolean>();
            m.set(con.conname ?? `#${m.size}`, !con.skip_validation);
            f.checks.set(t, m);
          } else if (cmd?.subtype === 'AT_ValidateConstraint' && f.checks.get(t)?.has(cmd.name)) f.checks.get(t)!.set(cmd.name, true);
          else if (cmd?.subtype === 'AT_DropConstraint') f.checks.get(t)?.delete(cmd.name);
        }
        break;
      }
      case 'RenameStmt': {
        if (!a.relation) break;
        const r = earlierRangeVar(a.relation);
        if (a.renameType === 'OBJECT_COLUMN') f.renamedColumns.add(`${earlierKey(r)}.${a.newname}`);
        else if (a.renameType === 'OBJECT_TABLE') f.renamedTables.add(earlierKey({ ...(r.schema ? { schema: r.schema } : {}), name: a.newname }));
        break;
      }
      case 'CreatePolicyStmt':
        if (a.table) f.policies.add(earlierKey(earlierRangeVar(a.table)));
        break;
      case 'CreateFunctionStmt':
        f.functions.set(earlierNameList(a.funcname).name, s);
        break;
      case 'PrepareStmt':
        f.prepared.set(a.name, s);
        break;
    }
  }
  return f;
}

// ── remaining peer checks ───────────────────────────────────────────────────────────────────────

/**
 * Namespaces in which CREATE, DROP, RENAME and SET SCHEMA name objects: relations (tables, views,
 * materialized views, sequences) share one, types and domains another; triggers, policies and rules
 * are named per table.
 */
export type ObjectFamily = 'relation' | 'type' | 'function' | 'schema' | 'extension' | 'trigger' | 'policy' | 'rule';

/** `family:schema.name`, or `family:schema.table.name` for an object of a table, or `family:name` for schemas and extensions. */
export function objectKey(family: ObjectFamily, name: QualifiedName | string, table?: QualifiedName): string {
  const n = typeof name === 'string' ? name : earlierKey(name);
  return table ? `${family}:${earlierKey(table)}.${n}` : `${family}:${n}`;
}

/** The objectKey()s of what one statement creates (CREATE TABLE/VIEW/SEQUENCE/TYPE/DOMAIN/FUNCTION/SCHEMA/EXTENSION/TRIGGER/POLICY/RULE). */
export function objectsCreatedBy(s: EarlierStatement): string[] {
  const a = s.ast;
  switch (s.kind) {
    case 'CreateStmt':
    case 'CreateForeignTableStmt': {
      const rel = (s.kind === 'CreateForeignTableStmt' ? a.base : a)?.relation;
      return rel ? [objectKey('relation', earlierRangeVar(rel))] : [];
    }
    case 'CreateTableAsStmt':
      return a.into?.rel ? [objectKey('relation', earlierRangeVar(a.into.rel))] : [];
    case 'ViewStmt':
      return [objectKey('relation', earlierRangeVar(a.view))];
    case 'CreateSeqStmt':
      return [objectKey('relation', earlierRangeVar(a.sequence))];
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      return [objectKey('type', earlierNameList(a.typeName))];
    case 'CompositeTypeStmt':
      return [objectKey('type', earlierRangeVar(a.typevar))];
    case 'CreateDomainStmt':
      return [objectKey('type', earlierNameList(a.domainname))];
    case 'DefineStmt':
      if (a.kind === 'OBJECT_TYPE') return [objectKey('type', earlierNameList(a.defnames))];
      if (a.kind === 'OBJECT_AGGREGATE') return [objectKey('function', earlierNameList(a.defnames))];
      return [];
    case 'CreateFunctionStmt':
      return [objectKey('function', earlierNameList(a.funcname))];
    case 'CreateSchemaStmt': {
      const name = a.schemaname ?? a.authrole?.rolename;
      return name ? [objectKey('schema', name)] : [];
    }
    case 'CreateExtensionStmt':
      return [objectKey('extension', a.extname)];
    case 'CreateTrigStmt':
      return a.relation ? [objectKey('trigger', a.trigname, earlierRangeVar(a.relation))] : [];
    case 'CreatePolicyStmt':
      return a.table ? [objectKey('policy', a.policy_name, earlierRangeVar(a.table))] : [];
    case 'RuleStmt':
      return a.relation ? [objectKey('rule', a.rulename, earlierRangeVar(a.relation))] : [];
  }
  return [];
}

const createdCache = new WeakMap<readonly EarlierStatement[], { seen: number; keys: Set<string> }>();

/** The objectKey()s of everything `statements` created (gathered once per list, incrementally as it grows). */
export function createdObjects(statements: readonly EarlierStatement[]): Set<string> {
  let c = createdCache.get(statements);
  if (!c) createdCache.set(statements, (c = { seen: 0, keys: new Set() }));
  for (; c.seen < statements.length; c.seen++) for (const k of objectsCreatedBy(statements[c.seen]!)) c.keys.add(k);
  return c.keys;
}

/** A function's argument list as written after its name in DROP/ALTER FUNCTION (`(numeric, text)`), `()` for none, '' when left out. */
export function functionArgsText(stmt: EarlierStatement, owa: any): string {
  if (owa?.args_unspecified) return '';
  const first = owa?.objargs?.[0]?.TypeName ?? owa?.objfuncargs?.[0]?.FunctionParameter?.argType;
  if (!first || typeof first.location !== 'number') return '()';
  const at = stmt.at(first.location);
  let open: number | undefined;
  for (const t of tokensOf(stmt)) {
    if (t.start >= at) break;
    if (t.text === '(') open = t.start;
  }
  const g = open !== undefined ? parenGroup(stmt, open) : undefined;
  return g ? `(${g.inner.replace(/\s+/g, ' ')})` : '(\u2026)';
}

/** In a down section: the statements of the up section it undoes (the engine passes them per lint run). */
export function upSectionOf(ctx: { migration: { section: 'up' | 'down' }; upSection?: readonly EarlierStatement[] }): readonly EarlierStatement[] | undefined {
  return ctx.migration.section === 'down' ? ctx.upSection : undefined;
}

/** `2 s`, `5 min`, `1 h`, `250 ms` for a timeout in milliseconds. */
export function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * The part of the statement that reads every row of an existing table (a rewrite or a scan), and the
 * strongest traffic-blocking lock held meanwhile: the statement's own, or one its transaction already
 * holds on an existing table. Undefined when the statement does not read a whole table under such a lock.
 */
export function heavyUnderLock(ctx: RuleContext): { heavy: EffectPart; scanned: QualifiedName; lock: { mode: LockMode; tables: QualifiedName[] }; own: boolean } | undefined {
  const heavy = onExisting(ctx).find((p) => p.claim?.rewrite || p.claim?.scan);
  const scanned = heavy && tableOf(heavy);
  if (!heavy || !scanned) return undefined;
  const own = trafficLocks(ctx);
  const held = [...ctx.tx.held.values()].filter((h) => blocksTraffic(h.mode) && !ctx.isNew(h.relation) && !own.some((l) => sameName(l.relation, h.relation)));
  const lock = strongestLock([...own, ...held]);
  return lock ? { heavy, scanned, lock, own: own.length > 0 } : undefined;
}
