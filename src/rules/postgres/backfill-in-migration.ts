import { defineRule, type RuleContext } from './rule.js';
import type { QualifiedName } from '../../core/types.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import type { Catalog } from '../../dialects/postgres/catalog.js';
import { blocksTraffic } from '../../dialects/postgres/locks.js';
import { fromRangeVar } from '../../dialects/postgres/names.js';
import { lockPhrase, quoteIdent, runnerTransaction, sqlBlock, sqlName, strongestLock, tokensOf } from './helpers.js';

const BATCH = 10_000;
const BATCH_TEXT = '10,000';

/** Schema changes: what makes an UPDATE next to it a backfill rather than a data migration of its own. */
const ddlKinds = new Set(['IndexStmt', 'RenameStmt', 'ViewStmt', 'DefineStmt', 'CompositeTypeStmt', 'RuleStmt']);
const isDdl = (kind: string) => ddlKinds.has(kind) || /^(Create|Alter|Drop)/.test(kind);

interface Candidate {
  stmt: Statement;
  table: QualifiedName;
  isUpdate: boolean;
  where: boolean;
  /** What the transaction holds while it runs (a phrase for the message), when it matters. */
  inTx: string;
  catalog: Catalog;
}

/** UPDATE/DELETE … WHERE waiting for the end of their section: flagged only if DDL follows them. */
const pending = new WeakMap<object, Candidate[]>();

/** How far each section's earlier statements have been searched for DDL (keyed by `ctx.previous`, one array per section). */
const ddlSeen = new WeakMap<object, { upTo: number; found: boolean }>();

function ddlBefore(previous: readonly Statement[]): boolean {
  let s = ddlSeen.get(previous);
  if (!s) ddlSeen.set(previous, (s = { upTo: 0, found: false }));
  for (; !s.found && s.upTo < previous.length; s.upTo++) s.found = isDdl(previous[s.upTo]!.kind);
  return s.found;
}

export default defineRule({
  id: 'backfill-in-migration',
  title: 'Backfill data in batches, outside the schema migration',
  category: 'locking',
  severity: 'warning',
  sizeSensitive: true,
  kinds: ['UpdateStmt', 'DeleteStmt'],
  why:
    'One UPDATE (or DELETE) over a large part of a table is one transaction: every row it touches stays locked until it commits, so application writes to those rows wait; every updated row leaves a dead version behind (the table and its indexes grow, until VACUUM catches up); and the WAL for all of it is written at once, which replicas must replay before they catch up. Inside a schema migration it is worse: a runner transaction keeps the DDL\u2019s locks — often ACCESS EXCLUSIVE — for the whole backfill, and a failure rolls the schema change back with it.\n\n' +
    'Run backfills separately, in short batches by primary key that each commit on their own (optionally pausing between them), after the schema change is committed. An UPDATE or DELETE with a WHERE in a migration without schema changes is treated as a deliberate data migration and left alone; DELETE without WHERE is another rule\u2019s.',
  examples: {
    bad: "ALTER TABLE orders ADD COLUMN status_code smallint;\nUPDATE orders SET status_code = 1 WHERE status = 'shipped';",
    good:
      "ALTER TABLE orders ADD COLUMN status_code smallint;\n\n-- a table created in the same migration is empty:\nCREATE TABLE refunds (id bigint PRIMARY KEY, state text);\nUPDATE refunds SET state = 'new';",
  },
  peers: ['pgfence: update-in-migration', 'strong_migrations: backfilling data'],
  check(stmt, ctx) {
    const a = stmt.ast;
    if (!a.relation) return;
    const table = fromRangeVar(a.relation);
    if (ctx.isNew(table)) return;
    const isUpdate = stmt.kind === 'UpdateStmt';
    const where = !!a.whereClause;
    if (!isUpdate && !where) return; // DELETE without WHERE belongs to another rule
    const ddl = ddlBefore(ctx.previous);
    const c: Candidate = { stmt, table, isUpdate, where, inTx: holding(ctx), catalog: ctx.catalog };
    if (!where || ddl) {
      ctx.report(describe(c, ddl || where));
      return;
    }
    const list = pending.get(ctx.migration) ?? [];
    list.push(c);
    pending.set(ctx.migration, list);
  },
  end(ctx) {
    const list = pending.get(ctx.migration);
    if (!list) return;
    pending.delete(ctx.migration);
    let lastDdl = -1;
    for (const s of ctx.statements) if (isDdl(s.kind)) lastDdl = s.span.start;
    for (const c of list) if (lastDdl > c.stmt.span.start) ctx.report(describe(c, true));
  },
});

/** `; inside this transaction it also keeps ACCESS EXCLUSIVE … on orders for as long as it runs`, or nothing. */
function holding(ctx: RuleContext): string {
  if (!ctx.tx.open || !ctx.tx.held.size) return '';
  const held = strongestLock([...ctx.tx.held.values()].filter((h) => blocksTraffic(h.mode) && !ctx.isNew(h.relation)));
  if (!held) return '';
  return `; inside ${ctx.tx.begin ? 'this transaction' : `the runner's transaction (${runnerTransaction(ctx)})`} it also keeps ${lockPhrase(held.mode)} on ${held.tables.map(sqlName).join(', ')} for as long as it runs`;
}

function describe(c: Candidate, withDdl: boolean) {
  const { stmt, table, isUpdate, where } = c;
  const name = sqlName(table);
  const what = `${isUpdate ? 'UPDATE' : 'DELETE FROM'} ${name}${where ? '' : ' without WHERE'}`;
  const rows = where ? 'every matching row' : 'every row';
  const effects = isUpdate
    ? `${rows} in one transaction: those rows stay locked until it commits (application writes to them wait), each one leaves a dead version behind (bloat) and their WAL reaches the replicas all at once`
    : `${rows} in one transaction: those rows stay locked until it commits, and the dead rows and their WAL arrive all at once`;
  return {
    at: stmt.at(stmt.ast.relation.location),
    table,
    message: `${what}${withDdl ? ' in a migration that also changes the schema' : ''} ${isUpdate ? 'rewrites' : 'deletes'} ${effects}${c.inTx}`,
    fix: batchedFix(stmt, c.catalog, table, isUpdate),
  };
}

/** The user's statement as a loop of short batches by primary key. */
function batchedFix(stmt: Statement, catalog: Catalog, table: QualifiedName, isUpdate: boolean): string {
  const intro = (assume = '') =>
    `Run the ${isUpdate ? 'backfill' : 'delete'} outside the schema migration, after it has committed, in batches of ${BATCH_TEXT} rows by primary key${assume}, each committed on its own, pausing between batches when replicas fall behind:`;
  const c = clauses(stmt, isUpdate);
  if (!c) return intro();
  const info = catalog.table(table);
  const pk = [...(info?.constraints.values() ?? [])].find((k) => k.kind === 'primary-key' && k.columns.length === 1)?.columns[0];
  const keyName = pk ?? 'id';
  const alias = stmt.ast.relation.alias?.aliasname as string | undefined;
  const qualify = c.extra ? `${quoteIdent(alias ?? table.name)}.` : '';
  const k = `${qualify}${quoteIdent(keyName)}`;
  const type = pk ? info?.columns.get(pk)?.type.name : undefined;
  const integer = type === undefined || ['int2', 'int4', 'int8', 'numeric'].includes(type);
  const filter = c.where ? ` AND (${c.where})` : '';
  const head = isUpdate ? `${c.prefix}UPDATE ${c.target} SET ${c.set}${c.extra ? `\n${c.extra}` : ''}` : `${c.prefix}DELETE FROM ${c.target}${c.extra ? `\n${c.extra}` : ''}`;
  const assume = pk ? '' : ` (lockstep does not know the primary key of ${sqlName(table)} and assumes \`${keyName}\`)`;
  if (integer) {
    return sqlBlock(
      intro(assume),
      head,
      `WHERE ${k} > 0 AND ${k} <= ${BATCH}${filter};`,
      `-- then ${k} > ${BATCH} AND ${k} <= ${2 * BATCH}, and so on up to (SELECT max(${quoteIdent(keyName)}) FROM ${sqlName(table)}), one transaction per batch`,
    );
  }
  return sqlBlock(
    intro(assume),
    head,
    `WHERE ${k} IN (SELECT ${quoteIdent(keyName)} FROM ${sqlName(table)} WHERE ${quoteIdent(keyName)} > :last_key ORDER BY ${quoteIdent(keyName)} LIMIT ${BATCH})${filter};`,
    `-- start with :last_key below the smallest ${quoteIdent(keyName)}, then use the largest key of the previous batch; stop when the subquery returns no rows`,
  );
}

interface Clauses {
  /** WITH … before the statement, with its trailing space. */
  prefix: string;
  /** The target as written (`orders o`, `ONLY public.orders`). */
  target: string;
  set: string;
  /** FROM … (UPDATE) or USING … (DELETE). */
  extra: string;
  where: string;
}

/** Splits UPDATE/DELETE text at its top-level clause keywords (quoted names and strings are single tokens). */
function clauses(stmt: Statement, isUpdate: boolean): Clauses | undefined {
  const text = stmt.text;
  const base = stmt.span.start;
  const tokens = tokensOf(stmt).map((t) => ({ start: t.start - base, end: t.end - base, text: t.text, up: t.up }));
  const slice = (from: number, to: number) => text.slice(from, to).replace(/\s+/g, ' ').trim();
  const marks = new Map<string, { start: number; end: number }>();
  let depth = 0;
  const wanted = isUpdate ? ['UPDATE', 'SET', 'FROM', 'WHERE', 'RETURNING'] : ['DELETE', 'FROM', 'USING', 'WHERE', 'RETURNING'];
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (depth === 0) {
      const w = t.up;
      // The first FROM of a DELETE names its target; in an UPDATE, FROM comes after SET.
      if (wanted.includes(w) && !marks.has(w) && (marks.has(wanted[0]!) || w === wanted[0])) marks.set(w, t);
    }
  }
  const end = text.length;
  const at = (w: string) => marks.get(w);
  const next = (after: string[], fallback = end) => {
    for (const w of after) {
      const m = at(w);
      if (m) return m.start;
    }
    return fallback;
  };
  const verb = at(wanted[0]!);
  if (!verb) return undefined;
  const prefix = verb.start > 0 ? `${slice(0, verb.start)} ` : '';
  if (isUpdate) {
    const set = at('SET');
    if (!set) return undefined;
    const from = at('FROM');
    const where = at('WHERE');
    return {
      prefix,
      target: slice(verb.end, set.start),
      set: slice(set.end, next(['FROM', 'WHERE', 'RETURNING'])),
      extra: from ? slice(from.start, next(['WHERE', 'RETURNING'])) : '',
      where: where ? slice(where.end, next(['RETURNING'])) : '',
    };
  }
  const from = at('FROM');
  if (!from) return undefined;
  const using = at('USING');
  const where = at('WHERE');
  return {
    prefix,
    target: slice(from.end, next(['USING', 'WHERE', 'RETURNING'])),
    set: '',
    extra: using ? slice(using.start, next(['WHERE', 'RETURNING'])) : '',
    where: where ? slice(where.end, next(['RETURNING'])) : '',
  };
}
