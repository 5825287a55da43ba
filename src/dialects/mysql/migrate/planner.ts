/**
 * Change → Plan on MySQL/MariaDB. Each operation becomes ALTER TABLE clauses; each clause is classified
 * against the schema as the plan goes (classify.ts, backed by the effects table) for this flavor and
 * version, and written the way the server is told to run it:
 *
 * - INSTANT where the effects table says the server can: `…, ALGORITHM=INSTANT`, so a wrong prediction
 *   makes the server refuse instead of silently copying the table;
 * - INPLACE (MariaDB NOCOPY) with `LOCK=NONE` where the server allows it and the replicas' replay of it
 *   (they run the ALTER serially, after the primary finished it) fits the replica-lag budget;
 * - else an online copy: a shadow table with the change, kept in step by triggers, swapped in with one
 *   RENAME (copy-engine.ts); the step carries the CopyJob and the engine.
 *
 * The new column: added instantly (nullable, without constraints), backfilled in batches by primary key,
 * then NOT NULL, CHECK, FOREIGN KEY, UNIQUE and the index online. Every step has its down; a step whose
 * down cannot bring everything back says what is lost.
 */
import { LockstepError, type Problem } from '../../../core/errors.js';
import type { QualifiedName } from '../../../core/types.js';
import { describeVersion, type ServerVersion } from '../../../core/version.js';
import { objectName } from '../../postgres/names.js';
import type { Backfill, OnlineCopy, PhaseName, Presence } from '../../../plan/types.js';
import { phaseNames } from '../../../plan/types.js';
import type { AddColumn, Change, FkAction } from '../../../operations/types.js';
import { parseMysql } from '../parser.js';
import { lex } from '../lexer.js';
import { classifyMysql } from '../classify.js';
import { applyStatement } from '../catalog-apply.js';
import { MysqlCatalog, type MyTable } from '../catalog.js';
import type { AlterTable } from '../ast.js';
import type { MyEffectId, MyStatementEffect } from '../effect.js';
import { quoteIdent, quoteLiteral, sqlName } from '../names.js';
import type { ChangeColumnType, MyOperation, MyPhase, MyPlan, MyStep } from './types.js';
import { backfillBatchSql } from './backfill-sql.js';

export interface MyPlanOptions {
  server: ServerVersion;
  /** The schema and sizes from --db; without it the plan is made offline. */
  catalog?: MysqlCatalog;
  /** Column definitions as SHOW CREATE TABLE prints them (`decimal(10,2) DEFAULT NULL`), by table then lower-case column (from --db). */
  definitions?: Map<string, Map<string, string>>;
  /** Replicas seen from the primary (SHOW SLAVE HOSTS / SHOW REPLICAS), from --db. */
  replicas?: number;
  /** Longest replica lag an in-place ALTER may cause (replicas replay it after it finished), seconds (default 10). */
  replicaLagBudgetSeconds?: number;
  /** The engine copy steps name (default lockstep). */
  engine?: string;
}

export const MY_RATES = {
  /** In-place rebuild or index build. */
  inplaceBytesPerSecond: 60 * 1024 * 1024,
  /** Trigger-based online copy (chunked, throttled). */
  copyBytesPerSecond: 25 * 1024 * 1024,
  backfillRowsPerSecond: 20_000,
};

interface Draft {
  name: string;
  phase: PhaseName;
  title: string;
  table: QualifiedName;
  /** The ALTER TABLE clauses (quoted), without ALGORITHM/LOCK. */
  clause?: string;
  /** Its down's clauses. */
  downClause?: string;
  backfill?: Backfill;
  notes?: string[];
  loses?: string;
  present?: Presence;
  downPresent?: Presence;
  foreignKeyChecks?: boolean;
  precheck?: { sql: string; message: string };
}

export const LITERAL = /^(NULL|TRUE|FALSE|[-+]?\d+(\.\d+)?([eE][-+]?\d+)?|'(?:[^'\\]|''|\\.)*'|[xX]'[0-9a-fA-F]*'|[bB]'[01]*')$/;
const CURRENT = /^(CURRENT_TIMESTAMP|NOW|LOCALTIME|LOCALTIMESTAMP)(\s*\(\s*\d*\s*\))?$/i;

/** A DEFAULT as MySQL wants it: a literal or CURRENT_TIMESTAMP as is, any other expression in parentheses (8.0.13+ / MariaDB 10.2+). */
export function defaultSql(expr: string): string {
  const e = expr.trim();
  return LITERAL.test(e) || CURRENT.test(e) ? e : `(${e})`;
}

/** A spec's column name (`created_at`, `"Created At"`) → the name itself. */
function specName(text: string): string | undefined {
  const t = text.trim();
  const q = /^"((?:[^"]|"")+)"$/.exec(t);
  if (q) return q[1]!.replace(/""/g, '"');
  return /^[\p{L}_][\p{L}\p{N}_$]*$/u.test(t) ? t : undefined;
}

const fk = (a: FkAction | undefined) => (a ? a.toUpperCase() : undefined);

export async function planMysql(change: Change, o: MyPlanOptions): Promise<MyPlan> {
  const server = o.server;
  const flavor = server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
  const catalog = o.catalog?.clone() ?? new MysqlCatalog();
  const problems: Problem[] = [];
  const drafts: { d: Draft; index: number }[] = [];
  const ops = change.operations as MyOperation[];
  ops.forEach((op, i) => {
    const where = `operations[${i}].${op.kind}`;
    const problem = (p: Problem) => problems.push(p);
    for (const d of draftsFor(op, { catalog, where, problem, definitions: o.definitions, flavor })) drafts.push({ d, index: i + 1 });
  });
  if (problems.length) throw new LockstepError('E_INPUT', problems);
  // An index on a column this change adds is built after the backfill (not maintained through it).
  const added = new Set(ops.filter((x): x is AddColumn => x.kind === 'addColumn').map((x) => `${x.table.name}.${x.name.toLowerCase()}`));
  for (const x of drafts) {
    const op = ops[x.index - 1]!;
    if (x.d.phase !== 'expand' || (op.kind !== 'addIndex' && op.kind !== 'addUnique')) continue;
    if (op.columns.some((c) => added.has(`${op.table.name}.${(specName(c) ?? c).toLowerCase()}`))) x.d.phase = 'contract';
  }
  const ordered = phaseNames.flatMap((ph) => drafts.filter((x) => x.d.phase === ph));
  const phases: MyPhase[] = phaseNames.map((name) => ({ name, steps: [] }));
  for (const { d, index } of ordered) {
    const id = `${index}.${d.name}`;
    phases.find((p) => p.name === d.phase)!.steps.push(describe(d, id, change.name, catalog, o, problems));
  }
  if (problems.length) throw new LockstepError('E_INPUT', problems);
  const notes: string[] = [];
  if (!o.catalog) notes.push('Planned offline: pass --db to check the change against the schema, use the primary key for the backfill, plan the downs of column changes, and estimate from the table sizes.');
  notes.push(
    `Every DDL step waits for its metadata lock at most a short lock_wait_timeout${flavor === 'mariadb' ? ' (MariaDB: NOWAIT first, then an INSTANT statement waits at most --lock-timeout through max_statement_time, others WAIT n)' : ''}, after checking for long transactions and metadata-lock holders on the table; it steps out of the queue and retries with backoff, naming the blocker.`,
  );
  if (o.replicas) notes.push(`${o.replicas} replica(s) connected: an in-place ALTER replays on them after the primary finished it; over ${o.replicaLagBudgetSeconds ?? 10} s estimated it becomes an online copy.`);
  return {
    change,
    version: server.major,
    dialect: 'mysql',
    server,
    facts: o.catalog ? 'database' : 'offline',
    phases: phases.filter((p) => p.steps.length),
    notes,
  };
}

interface Ctx {
  catalog: MysqlCatalog;
  where: string;
  problem(p: Problem): void;
  definitions?: Map<string, Map<string, string>> | undefined;
  flavor: 'mysql' | 'mariadb';
}

function tableOf(ctx: Ctx, t: QualifiedName, where: string): MyTable | undefined {
  const table = ctx.catalog.table(t);
  if (ctx.catalog.complete && !table) ctx.problem({ where: `${where}.table`, message: `table ${sqlName(t)} does not exist` });
  return table;
}

function primaryKey(table: MyTable | undefined): string[] | undefined {
  const pk = table?.indexes.find((i) => i.kind === 'primary');
  return pk?.columns.length ? pk.columns : undefined;
}

function nameOk(ctx: Ctx, where: string, name: string): string {
  if ([...name].length > 64) ctx.problem({ where, message: `${quoteIdent(name)} is longer than 64 characters, the MySQL/MariaDB limit for names` });
  return name;
}

function indexColumns(ctx: Ctx, where: string, cols: string[]): string[] {
  return cols.map((c, i) => {
    const n = specName(c);
    if (n === undefined) ctx.problem({ where: `${where}[${i}]`, message: `${c} is not a column name: expression indexes are not planned on MySQL/MariaDB yet` });
    return n ?? c;
  });
}

/** The column's definition as SHOW CREATE TABLE prints it, from --db. */
function definition(ctx: Ctx, t: QualifiedName, column: string): string | undefined {
  return ctx.definitions?.get(t.name)?.get(column.toLowerCase());
}

/**
 * `decimal(10,2) DEFAULT NULL` → `decimal(10,2) NOT NULL`: NOT NULL after the type, its character set
 * and collation; `NULL` and `DEFAULT NULL` dropped. Read with the MySQL parser and lexer, so a type
 * with spaces inside (`DECIMAL(12, 2)`, `ENUM('a b','c')`) and NULL inside a string or a parenthesis
 * are left as they are.
 */
export function withNotNull(def: string): string {
  const d = def.trim();
  const parsed = parseMysql(`CREATE TABLE x (c ${d}\n)`);
  const st = parsed.statements[0];
  const col = parsed.statements.length === 1 && st?.kind === 'create-table' && st.columns.length === 1 ? st.columns[0] : undefined;
  if (!col) return `${d} NOT NULL`;
  if (col.nullable === false) return d;
  const toks = lex(d).tokens;
  // The type's text starts the definition; after it, its CHARACTER SET / CHARSET / COLLATE / BINARY.
  let i = toks.findIndex((t) => t.start >= col.type.text.length);
  if (i < 0) i = toks.length;
  for (;;) {
    const t = toks[i];
    if (t?.kind !== 'word') break;
    const valued = t.v === 'CHARSET' || t.v === 'COLLATE' ? 1 : t.v === 'CHARACTER' && toks[i + 1]?.v === 'SET' ? 2 : 0;
    if (valued) {
      i += valued;
      if (toks[i]?.kind === 'op' && toks[i]!.v === '=') i++;
      i++;
    } else if (['BINARY', 'ASCII', 'UNICODE', 'BYTE'].includes(t.v)) i++;
    else break;
  }
  const at = i < toks.length ? toks[i - 1]?.end ?? 0 : d.length;
  // NULL and DEFAULT NULL at the top level of the attributes (not in a string or a parenthesis).
  const cuts: [number, number][] = [];
  let depth = 0;
  for (let k = i; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === 'op' && t.v === '(') depth++;
    else if (t.kind === 'op' && t.v === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && t.v === 'NULL' && toks[k - 1]?.v !== 'NOT') cuts.push([toks[k - 1]?.v === 'DEFAULT' ? toks[k - 1]!.start : t.start, t.end]);
  }
  let out = `${d.slice(0, at)} NOT NULL`;
  let from = at;
  for (const [a, b] of cuts) {
    out += d.slice(from, a).replace(/\s+$/, '');
    from = b;
  }
  return out + d.slice(from);
}

function draftsFor(op: MyOperation, ctx: Ctx): Draft[] {
  switch (op.kind) {
    case 'addColumn':
      return addColumn(op, ctx);
    case 'addIndex': {
      tableOf(ctx, op.table, ctx.where);
      if (op.method && (specName(op.method) ?? op.method).toLowerCase() !== 'btree') ctx.problem({ where: `${ctx.where}.method`, message: `${op.method}: MySQL/MariaDB indexes here are BTREE (FULLTEXT/SPATIAL are not planned yet)` });
      if (op.where) ctx.problem({ where: `${ctx.where}.where`, message: 'MySQL/MariaDB have no partial indexes' });
      if (op.include?.length) ctx.problem({ where: `${ctx.where}.include`, message: 'MySQL/MariaDB have no INCLUDE columns' });
      const cols = indexColumns(ctx, `${ctx.where}.columns`, op.columns);
      const name = nameOk(ctx, `${ctx.where}.name`, op.name ?? objectName(op.table.name, cols.join('_'), op.unique ? 'key' : 'idx'));
      return [indexDraft(op.table, name, cols, !!op.unique, 'expand')];
    }
    case 'addUnique': {
      tableOf(ctx, op.table, ctx.where);
      const cols = indexColumns(ctx, `${ctx.where}.columns`, op.columns);
      const name = nameOk(ctx, `${ctx.where}.name`, op.name ?? objectName(op.table.name, cols.join('_'), 'key'));
      return [indexDraft(op.table, name, cols, true, 'expand')];
    }
    case 'addCheck': {
      tableOf(ctx, op.table, ctx.where);
      const name = nameOk(ctx, `${ctx.where}.name`, op.name ?? objectName(op.table.name, undefined, 'check'));
      return [checkDraft(op.table, name, op.expression, 'expand')];
    }
    case 'addForeignKey': {
      tableOf(ctx, op.table, ctx.where);
      const cols = indexColumns(ctx, `${ctx.where}.columns`, op.columns);
      const refCols = indexColumns(ctx, `${ctx.where}.references.columns`, op.references.columns);
      const name = nameOk(ctx, `${ctx.where}.name`, op.name ?? objectName(op.table.name, cols.join('_'), 'fkey'));
      return [foreignKeyDraft(op.table, name, cols, op.references.table, refCols, fk(op.onDelete), fk(op.onUpdate), 'expand')];
    }
    case 'setNotNull': {
      const table = tableOf(ctx, op.table, ctx.where);
      const def = definition(ctx, op.table, op.column);
      if (!def) {
        ctx.problem({ where: ctx.where, message: `MODIFY … NOT NULL restates the whole column: pass --db so lockstep reads the definition of ${sqlName(op.table)}.${quoteIdent(op.column)}` });
        return [];
      }
      if (table && !table.columns.some((c) => c.name.toLowerCase() === op.column.toLowerCase())) ctx.problem({ where: `${ctx.where}.column`, message: `column ${quoteIdent(op.column)} does not exist` });
      const c = quoteIdent(op.column);
      return [
        {
          name: 'set-not-null',
          phase: 'contract',
          title: `Make ${sqlName(op.table)}.${c} NOT NULL (every row is checked; fails if one holds NULL)`,
          table: op.table,
          clause: `MODIFY COLUMN ${c} ${withNotNull(def)}`,
          downClause: `MODIFY COLUMN ${c} ${def}`,
          present: { kind: 'not-null', table: op.table.name, name: op.column },
          downPresent: { kind: 'nullable', table: op.table.name, name: op.column },
        },
      ];
    }
    case 'changeColumnType':
      return changeColumnType(op, ctx);
  }
}

function indexDraft(t: QualifiedName, name: string, cols: string[], unique: boolean, phase: PhaseName): Draft {
  const list = cols.map(quoteIdent).join(', ');
  return {
    name: unique ? 'add-unique' : 'add-index',
    phase,
    title: `${unique ? 'Unique index' : 'Index'} ${quoteIdent(name)} on ${sqlName(t)} (${list}), built online${unique ? ' (fails if duplicates exist)' : ''}`,
    table: t,
    clause: `ADD ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} (${list})`,
    downClause: `DROP INDEX ${quoteIdent(name)}`,
    present: { kind: 'index', table: t.name, name },
    downPresent: { kind: 'no-index', table: t.name, name },
  };
}

function checkDraft(t: QualifiedName, name: string, expr: string, phase: PhaseName): Draft {
  return {
    name: 'add-check',
    phase,
    title: `CHECK (${expr}) on ${sqlName(t)}, validated against every row`,
    table: t,
    clause: `ADD CONSTRAINT ${quoteIdent(name)} CHECK (${expr})`,
    downClause: `DROP CONSTRAINT ${quoteIdent(name)}`,
    present: { kind: 'constraint', table: t.name, name },
    downPresent: { kind: 'no-constraint', table: t.name, name },
  };
}

function foreignKeyDraft(t: QualifiedName, name: string, cols: string[], ref: QualifiedName, refCols: string[], onDelete: string | undefined, onUpdate: string | undefined, phase: PhaseName): Draft {
  const c = cols.map(quoteIdent);
  const r = refCols.map(quoteIdent);
  const orphan = c.map((x, i) => `c.${x} IS NOT NULL`).join(' AND ');
  const join = c.map((x, i) => `p.${r[i]} = c.${x}`).join(' AND ');
  return {
    name: 'add-foreign-key',
    phase,
    title: `Foreign key ${quoteIdent(name)}: ${sqlName(t)} (${c.join(', ')}) → ${sqlName(ref)} (${r.join(', ')}), checked first by a query, then added in place without a copy`,
    table: t,
    clause: `ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${c.join(', ')}) REFERENCES ${sqlName(ref)} (${r.join(', ')})${onDelete ? ` ON DELETE ${onDelete}` : ''}${onUpdate ? ` ON UPDATE ${onUpdate}` : ''}`,
    downClause: `DROP FOREIGN KEY ${quoteIdent(name)}`,
    foreignKeyChecks: false,
    precheck: {
      sql: `SELECT 1 FROM ${sqlName(t)} c WHERE ${orphan} AND NOT EXISTS (SELECT 1 FROM ${sqlName(ref)} p WHERE ${join}) LIMIT 1`,
      message: `rows of ${sqlName(t)} reference no row of ${sqlName(ref)}: fix them, then apply again`,
    },
    notes: [
      'With foreign_key_checks = 1 the server copies the table to add a foreign key; lockstep checks the existing rows with a query, then adds it with foreign_key_checks = 0 (in place, LOCK=NONE). A row written between the check and the ALTER is not checked.',
    ],
    present: { kind: 'constraint', table: t.name, name },
    downPresent: { kind: 'no-constraint', table: t.name, name },
  };
}

function addColumn(op: AddColumn, ctx: Ctx): Draft[] {
  const table = tableOf(ctx, op.table, ctx.where);
  const t = sqlName(op.table);
  const c = quoteIdent(op.name);
  nameOk(ctx, `${ctx.where}.name`, op.name);
  if (table?.columns.some((x) => x.name.toLowerCase() === op.name.toLowerCase())) ctx.problem({ where: `${ctx.where}.name`, message: `column ${t}.${c} already exists` });
  const out: Draft[] = [];
  const literal = op.default !== undefined && LITERAL.test(op.default.trim()) && op.default.trim().toUpperCase() !== 'NULL';
  const backfill = op.backfill ?? op.default;
  const comment = op.comment !== undefined ? ` COMMENT ${quoteLiteral(op.comment)}` : '';
  const present: Presence = { kind: 'column', table: op.table.name, name: op.name };
  const downPresent: Presence = { kind: 'no-column', table: op.table.name, name: op.name };
  const loses = `the values of ${t}.${c}`;
  // A constant default: every row reads it from the table's metadata, nothing is written (INSTANT, NOT NULL or not).
  const oneStep = literal && (op.backfill === undefined || op.backfill === op.default);
  if (oneStep) {
    out.push({
      name: 'add-column',
      phase: 'expand',
      title: `Add ${t}.${c} with its default${op.nullable ? '' : ' and NOT NULL'}: existing rows read the default`,
      table: op.table,
      clause: `ADD COLUMN ${c} ${op.type}${op.nullable ? ' NULL' : ' NOT NULL'} DEFAULT ${op.default!.trim()}${comment}`,
      downClause: `DROP COLUMN ${c}`,
      present,
      downPresent,
      loses,
    });
  } else {
    out.push({ name: 'add-column', phase: 'expand', title: `Add ${t}.${c}, nullable, without a default or constraints`, table: op.table, clause: `ADD COLUMN ${c} ${op.type} NULL${comment}`, downClause: `DROP COLUMN ${c}`, present, downPresent, loses });
    if (op.default !== undefined)
      out.push({
        name: 'set-default',
        phase: 'expand',
        title: `Default for new rows: ${op.default}`,
        table: op.table,
        clause: `ALTER COLUMN ${c} SET DEFAULT ${defaultSql(op.default)}`,
        downClause: `ALTER COLUMN ${c} DROP DEFAULT`,
      });
    if (backfill !== undefined) {
      const key = primaryKey(table);
      if (!key && ctx.catalog.complete) ctx.problem({ where: `${ctx.where}.backfill`, message: `table ${t} has no primary key: lockstep backfills in batches by primary key` });
      const spec: Backfill = { table: op.table, column: op.name, expression: backfill, key: key ?? ['id'] };
      out.push({
        name: 'backfill',
        phase: 'backfill',
        title: `Fill ${t}.${c} for existing rows with ${backfill}, in short batches by primary key`,
        table: op.table,
        backfill: spec,
        notes: [
          'One batch: the keys from the first ? to the second, both included, sized by time; each commits with its checkpoint in lockstep_backfill, so a rerun continues after the last batch done. Pauses while Threads_running is high.',
          ...(key ? [] : [`Planned without the schema: assumes the primary key of ${t} is id (pass --db to use the real one).`]),
        ],
      });
    } else if (!op.nullable) ctx.problem({ where: ctx.where, message: `${t}.${c} is NOT NULL but has neither "default" nor "backfill": existing rows would have no value` });
    if (!op.nullable) {
      const def = `${op.type}${op.default !== undefined ? ` DEFAULT ${defaultSql(op.default)}` : ''}${comment}`;
      out.push({
        name: 'set-not-null',
        phase: 'contract',
        title: `Make ${t}.${c} NOT NULL (every row is checked; fails if one is still NULL)`,
        table: op.table,
        clause: `MODIFY COLUMN ${c} ${withNotNull(def)}`,
        downClause: `MODIFY COLUMN ${c} ${op.type} NULL${op.default !== undefined ? ` DEFAULT ${defaultSql(op.default)}` : ''}${comment}`,
        present: { kind: 'not-null', table: op.table.name, name: op.name },
        downPresent: { kind: 'nullable', table: op.table.name, name: op.name },
      });
    }
  }
  if (op.check !== undefined) out.push(checkDraft(op.table, nameOk(ctx, `${ctx.where}.check`, objectName(op.table.name, op.name, 'check')), op.check, 'contract'));
  if (op.references) {
    const r = op.references;
    out.push(foreignKeyDraft(op.table, nameOk(ctx, `${ctx.where}.references.name`, r.name ?? objectName(op.table.name, op.name, 'fkey')), [op.name], r.table, [r.column ?? 'id'], fk(r.onDelete), fk(r.onUpdate), 'contract'));
  }
  if (op.unique) out.push(indexDraft(op.table, nameOk(ctx, `${ctx.where}.unique`, (typeof op.unique === 'object' && op.unique.name) || objectName(op.table.name, op.name, 'key')), [op.name], true, 'contract'));
  if (op.index) {
    const o = typeof op.index === 'object' ? op.index : {};
    if (o.where) ctx.problem({ where: `${ctx.where}.index.where`, message: 'MySQL/MariaDB have no partial indexes' });
    if (o.method && (specName(o.method) ?? o.method).toLowerCase() !== 'btree') ctx.problem({ where: `${ctx.where}.index.method`, message: `${o.method}: only BTREE indexes are planned on MySQL/MariaDB` });
    const cols = o.columns ? indexColumns(ctx, `${ctx.where}.index.columns`, o.columns) : [op.name];
    out.push(indexDraft(op.table, nameOk(ctx, `${ctx.where}.index.name`, o.name ?? objectName(op.table.name, op.name, 'idx')), cols, false, 'contract'));
  }
  return out;
}

function changeColumnType(op: ChangeColumnType, ctx: Ctx): Draft[] {
  const table = tableOf(ctx, op.table, ctx.where);
  const c = quoteIdent(op.column);
  if (table && !table.columns.some((x) => x.name.toLowerCase() === op.column.toLowerCase())) ctx.problem({ where: `${ctx.where}.column`, message: `column ${quoteIdent(op.column)} does not exist` });
  const old = definition(ctx, op.table, op.column);
  const newType = /^\s*([a-z]+(?:\s*\([^)]*\))?(?:\s+(?:unsigned|signed|zerofill))*)/i.exec(op.definition)?.[1]?.replace(/\s+/g, ' ').toLowerCase();
  return [
    {
      name: 'modify-column',
      phase: 'expand',
      title: `${sqlName(op.table)}.${c} becomes ${op.definition}`,
      table: op.table,
      clause: `MODIFY COLUMN ${c} ${op.definition}`,
      ...(old ? { downClause: `MODIFY COLUMN ${c} ${old}` } : {}),
      ...(newType ? { present: { kind: 'column-type', table: op.table.name, name: op.column, type: newType } as Presence } : {}),
      loses: old
        ? `values the old definition (${old}) cannot hold, when going back: they are rounded, truncated or refused under strict sql_mode`
        : 'everything: planned offline, so the old definition is unknown (pass --db to plan its down)',
    },
  ];
}

const LOCK_TEXT: Record<string, string> = { none: 'LOCK=NONE', shared: 'LOCK=SHARED', exclusive: 'LOCK=EXCLUSIVE', default: 'no LOCK clause' };

function classifyClause(table: QualifiedName, clause: string, catalog: MysqlCatalog, server: ServerVersion, foreignKeyChecks: boolean): { stmt: AlterTable; effect: MyStatementEffect } | { error: string } {
  const sql = `ALTER TABLE ${sqlName(table)} ${clause}`;
  const parsed = parseMysql(sql, 0, { server });
  const stmt = parsed.statements[0];
  if (parsed.syntaxErrors.length || parsed.statements.length !== 1 || stmt?.kind !== 'alter-table')
    return { error: `${sql}: ${parsed.syntaxErrors[0]?.message ?? 'is not one ALTER TABLE statement'}` };
  const effect = classifyMysql(stmt, { server, catalog, session: { foreignKeyChecks, sqlModeStrict: catalog.server.sqlModeStrict ?? true } });
  return { stmt, effect };
}

interface Run {
  up: string;
  algorithm: string;
  lock: string;
  copy?: OnlineCopy;
  effect: MyStatementEffect;
  stmt: AlterTable;
  seconds: number | null;
  basis: string;
}

/** How one ALTER runs: INSTANT, INPLACE/NOCOPY with LOCK=NONE, or an online copy. */
function decide(table: QualifiedName, clause: string, catalog: MysqlCatalog, o: MyPlanOptions, fkc: boolean, job: { change: string; step: string }): Run | { error: string } {
  const c = classifyClause(table, clause, catalog, o.server, fkc);
  if ('error' in c) return c;
  const e = c.effect;
  const sql = `ALTER TABLE ${sqlName(table)} ${clause}`;
  const bytes = catalog.table(table)?.bytes;
  const est = (rate: number, what: string) =>
    bytes === undefined ? { seconds: null, basis: 'table size unknown (pass --db)' } : { seconds: bytes / rate, basis: `${what} of ~${mb(bytes)} at ~${mb(rate)}/s` };
  if (e.algorithm === 'instant') return { up: `${sql}, ALGORITHM=INSTANT`, algorithm: 'instant', lock: 'default', effect: e, stmt: c.stmt, seconds: 0, basis: 'metadata only, plus the wait for its metadata lock' };
  if ((e.algorithm === 'inplace' || e.algorithm === 'nocopy') && e.lock === 'none') {
    const x = e.rebuild || e.scan ? est(MY_RATES.inplaceBytesPerSecond, e.rebuild ? 'in-place rebuild' : 'in-place build') : { seconds: 0, basis: 'metadata only, plus the wait for its metadata lock' };
    const overBudget = !!o.replicas && (x.seconds === null || x.seconds > (o.replicaLagBudgetSeconds ?? 10));
    if (!overBudget) return { up: `${sql}, ALGORITHM=${e.algorithm.toUpperCase()}, LOCK=NONE`, algorithm: e.algorithm, lock: 'none', effect: e, stmt: c.stmt, ...x };
  }
  const x = est(MY_RATES.copyBytesPerSecond, 'online copy');
  return {
    up: sql,
    algorithm: 'copy',
    lock: 'none',
    copy: { engine: o.engine ?? 'lockstep', job: { ...(table.schema ? { schema: table.schema } : {}), table: table.name, alter: clause, change: job.change, step: job.step } },
    effect: e,
    stmt: c.stmt,
    ...x,
  };
}

function mb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MB`;
}

function describe(d: Draft, id: string, change: string, catalog: MysqlCatalog, o: MyPlanOptions, problems: Problem[]): MyStep {
  const flavor = o.server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
  const rel = d.table;
  if (d.backfill) {
    const rows = catalog.table(d.backfill.table)?.rows;
    return {
      id,
      phase: d.phase,
      title: d.title,
      up: backfillBatchSql(d.backfill),
      transactional: true,
      effects: [],
      locks: [{ relation: rel, mode: 'row locks of one batch' }],
      blocks: 'nothing',
      rewrite: false,
      scan: false,
      estimate: rows === undefined ? { seconds: null, basis: 'table size unknown (pass --db)' } : { seconds: rows / MY_RATES.backfillRowsPerSecond, basis: `~${Math.round(rows).toLocaleString('en-US')} rows at ~${MY_RATES.backfillRowsPerSecond.toLocaleString('en-US')} rows/s, in batches` },
      backfill: d.backfill,
      notes: d.notes ?? [],
      loses: 'nothing on its own: the values go with the column when its add is undone',
    };
  }
  const fkc = d.foreignKeyChecks ?? true;
  const up = decide(rel, d.clause!, catalog, o, fkc, { change, step: id });
  if ('error' in up) {
    problems.push({ where: `step ${id}`, message: up.error });
    return { id, phase: d.phase, title: d.title, up: '', transactional: false, effects: [], locks: [], blocks: 'nothing', rewrite: false, scan: false, estimate: { seconds: null, basis: '' }, notes: [] };
  }
  const notes = [...(d.notes ?? [])];
  for (const p of up.effect.parts) {
    if (p.detail) notes.push(p.detail);
    if (!p.proven) notes.push(`${p.entry} on ${describeVersion(o.server)}: documented${p.source ? ` (${p.source})` : ''}, not proven by lockstep's tests on this server.`);
  }
  if (up.copy) notes.push(`The server can only do this as ${up.effect.algorithm.toUpperCase()} with LOCK=${up.effect.lock.toUpperCase()} (writes blocked while it copies): lockstep makes it an online copy — a shadow table with the change, kept in step by triggers, filled in chunks by primary key, checked and swapped in with one RENAME TABLE.`);
  // Learn the schema the step leaves, then plan the down against it.
  applyStatement(catalog, up.stmt, 'plan', { flavor });
  let down: MyStep['down'];
  let downRun: ReturnType<typeof decide> | undefined;
  if (d.downClause) {
    downRun = decide(rel, d.downClause, catalog, o, true, { change, step: `${id}.down` });
    if ('error' in downRun) problems.push({ where: `down of step ${id}`, message: downRun.error });
    else down = downRun.up;
  }
  const mdl = 'metadata exclusive (brief)';
  const e = up.effect;
  const blocks: MyStep['blocks'] = up.copy ? 'nothing' : e.blocksReads ? 'reads and writes' : e.blocksWrites ? 'writes' : 'nothing';
  return {
    id,
    phase: d.phase,
    title: d.title,
    up: up.up,
    ...(down ? { down } : {}),
    transactional: false,
    effects: e.parts.map((p) => p.entry as MyEffectId),
    locks: [{ relation: rel, mode: up.copy ? `${mdl} at the triggers and the RENAME; rows copied in chunks` : `${mdl}, ${LOCK_TEXT[up.lock] ?? up.lock}` }],
    blocks,
    rewrite: up.copy ? true : e.rebuild,
    scan: up.copy ? true : e.scan,
    estimate: { seconds: up.seconds, basis: up.basis },
    notes,
    ...(d.loses ? { loses: d.loses } : {}),
    online: {
      algorithm: up.algorithm,
      lock: up.lock,
      ...(up.copy ? { copy: up.copy } : {}),
      ...(d.present ? { present: d.present } : {}),
      ...(downRun && !('error' in downRun) ? { down: { algorithm: downRun.algorithm, lock: downRun.lock, ...(downRun.copy ? { copy: downRun.copy } : {}), ...(d.downPresent ? { present: d.downPresent } : {}) } } : {}),
      ...(fkc ? {} : { session: ['SET SESSION foreign_key_checks = 0'] }),
      ...(d.precheck ? { precheck: d.precheck } : {}),
    },
  };
}
