import { defineRule, type RuleContext } from './rule.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import { fromNameList, fromRangeVar, key, quoteIdentAlways } from '../../dialects/postgres/names.js';
import { insertAfter, quoteIdent, quoteStatement, runnerTransaction, sqlBlock, sqlName } from './helpers.js';

/** The words before the object name in `DROP <type> …`, per object type (other DROPs are left alone). */
const dropWords: Record<string, RegExp> = {
  OBJECT_TABLE: /^\s*drop\s+table/i,
  OBJECT_INDEX: /^\s*drop\s+index(\s+concurrently)?/i,
  OBJECT_VIEW: /^\s*drop\s+view/i,
  OBJECT_MATVIEW: /^\s*drop\s+materialized\s+view/i,
  OBJECT_FOREIGN_TABLE: /^\s*drop\s+foreign\s+table/i,
  OBJECT_SEQUENCE: /^\s*drop\s+sequence/i,
  OBJECT_TYPE: /^\s*drop\s+type/i,
  OBJECT_DOMAIN: /^\s*drop\s+domain/i,
  OBJECT_SCHEMA: /^\s*drop\s+schema/i,
  OBJECT_EXTENSION: /^\s*drop\s+extension/i,
  OBJECT_FUNCTION: /^\s*drop\s+function/i,
  OBJECT_PROCEDURE: /^\s*drop\s+procedure/i,
  OBJECT_TRIGGER: /^\s*drop\s+trigger/i,
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for a name as it may be written: quoted exactly, or unquoted in any case. */
function namePattern(name: string): string {
  const quoted = quoteIdentAlways(name);
  return quoteIdent(name) === name ? `(?:${escape(quoted)}|${escape(name)}(?![\\w$]))` : escape(quoted);
}

/** Runs statement by statement, outside any transaction block: a failure leaves it half applied. */
function autocommit(ctx: RuleContext): boolean {
  return !ctx.tx.open && ctx.migration.transaction !== 'wrapped';
}

export default defineRule({
  id: 'prefer-robust-stmts',
  title: 'Make migrations that run outside a transaction safe to rerun',
  category: 'transactions',
  severity: 'warning',
  kinds: ['IndexStmt', 'CreateStmt', 'AlterTableStmt', 'DropStmt'],
  why:
    'A migration that runs outside a transaction block (needed for `CREATE INDEX CONCURRENTLY`) is not undone when it fails: the statements before the failure stay applied. `CREATE INDEX CONCURRENTLY` itself is the worst case: when it fails part way — a deadlock, a lock or statement timeout, a duplicate key for a UNIQUE index — it leaves an INVALID index behind, which queries never use but every write still maintains. Rerunning the migration then fails ("relation already exists"), or, with `IF NOT EXISTS`, silently keeps the invalid index.\n\n' +
    'Drop a leftover index right before building it (`DROP INDEX CONCURRENTLY IF EXISTS`), and write the other statements of such a migration with `IF [NOT] EXISTS`, so that the whole file can simply be run again. `ADD CONSTRAINT` has no `IF NOT EXISTS`: drop the constraint with `DROP CONSTRAINT IF EXISTS` right before adding it (one guarded drop covers one ADD; a second ADD of the same name fails even on the first run). A constraint added without a name is added a second time by a rerun. `ENABLE`/`DISABLE ROW LEVEL SECURITY` is harmless to rerun, but in such a migration it commits on its own: until the statements after it have run (for good, if one fails) the table is closed to every role but the owner, or open to all; run it in a transaction with what belongs to it. Migrations that run in one transaction roll back as a whole and are left alone.',
  examples: {
    bad: 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);',
    good:
      'DROP INDEX CONCURRENTLY IF EXISTS orders_created_at_idx;\nCREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);\n\n-- inside a transaction a failure rolls everything back:\nBEGIN;\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN refund_id bigint;\nCOMMIT;',
  },
  peers: ['squawk: prefer-robust-stmts', 'pgfence: prefer-robust-create-index', 'pgfence: prefer-robust-create-table', 'pgfence: prefer-robust-drop-index', 'pgfence: prefer-robust-drop-table'],
  check(stmt, ctx) {
    if (!autocommit(ctx)) return;
    const a = stmt.ast;
    if (stmt.kind === 'IndexStmt' && a.concurrent) return concurrentIndex(stmt, ctx);
    // A statement that fails is not applied; only what runs before a later failure gets in the rerun's way.
    // (The last statement is still checked for an ADD CONSTRAINT repeated after a guarded drop: that one fails on the first run.)
    const last = ctx.previous.length + 1 >= ctx.migration.statementCount;
    if (last && stmt.kind !== 'AlterTableStmt') return;
    const rerun = 'in a migration that runs statement by statement: when a later statement fails, rerunning the migration stops here';
    const info = (message: string, fixed: string | undefined, at = stmt.span.start) =>
      ctx.report({ at, severity: 'info', message, ...(fixed ? { fix: sqlBlock('Write it so that a rerun skips it:', `${fixed};`) } : {}) });
    switch (stmt.kind) {
      case 'CreateStmt': {
        if (a.if_not_exists) return;
        const table = sqlName(fromRangeVar(a.relation));
        info(
          `CREATE TABLE ${table} without IF NOT EXISTS ${rerun}, because ${table} already exists`,
          insertAfter(stmt.text, /^\s*create\s+(?:(?:global|local)\s+)?(?:(?:temp|temporary|unlogged)\s+)?table/i, 'IF NOT EXISTS'),
        );
        return;
      }
      case 'IndexStmt': {
        if (a.if_not_exists) return;
        const table = sqlName(fromRangeVar(a.relation));
        if (!a.idxname) {
          info(`CREATE INDEX on ${table} without a name or IF NOT EXISTS ${rerun}: the rerun builds a second, duplicate index`, undefined);
          return;
        }
        info(
          `CREATE INDEX ${quoteIdent(a.idxname)} without IF NOT EXISTS ${rerun}, because the index already exists`,
          insertAfter(stmt.text, /^\s*create\s+(?:unique\s+)?index/i, 'IF NOT EXISTS'),
        );
        return;
      }
      case 'AlterTableStmt': {
        const rel = fromRangeVar(a.relation);
        const table = sqlName(rel);
        const found: string[] = [];
        const edits: { at: number; text: string }[] = [];
        const guards = new Map(constraintGuards(ctx.previous));
        for (const raw of a.cmds ?? []) {
          const cmd = raw.AlterTableCmd;
          if (!cmd) continue;
          if (cmd.subtype === 'AT_DropConstraint' && cmd.name && cmd.missing_ok) guards.set(`${key(rel)}.${cmd.name}`, { state: 'dropped', stmt });
          if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) addConstraint(stmt, ctx, rel, cmd, guards, rerun, last);
          else if (rlsToggles[cmd.subtype] && !ctx.isNew(rel) && !last) rlsToggle(stmt, ctx, rel, cmd.subtype);
          if (cmd.missing_ok || last) continue;
          if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) {
            found.push(`ADD COLUMN ${quoteIdent(cmd.def.ColumnDef.colname)}`);
            edits.push({ at: stmt.at(cmd.def.ColumnDef.location) - stmt.span.start, text: 'IF NOT EXISTS ' });
          } else if ((cmd.subtype === 'AT_DropColumn' || cmd.subtype === 'AT_DropConstraint') && cmd.name) {
            const column = cmd.subtype === 'AT_DropColumn';
            found.push(`DROP ${column ? 'COLUMN' : 'CONSTRAINT'} ${quoteIdent(cmd.name)}`);
            const m = new RegExp(`\\bdrop\\s+${column ? '(?:column\\s+)?' : 'constraint\\s+'}(?=${namePattern(cmd.name)})`, 'i').exec(stmt.text);
            if (m) edits.push({ at: m.index + m[0].length, text: 'IF EXISTS ' });
          }
        }
        if (!found.length) return;
        let fixed: string | undefined = stmt.text;
        if (edits.length === found.length) for (const e of edits.sort((x, y) => y.at - x.at)) fixed = fixed.slice(0, e.at) + e.text + fixed.slice(e.at);
        else fixed = undefined;
        const adds = found.filter((f) => f.startsWith('ADD')).length;
        const clause = adds === found.length ? 'IF NOT EXISTS' : adds ? 'IF [NOT] EXISTS' : 'IF EXISTS';
        info(`ALTER TABLE ${table} ${found.join(', ')} without ${clause} ${rerun}`, fixed);
        return;
      }
      case 'DropStmt': {
        if (a.missing_ok) return;
        const words = dropWords[a.removeType];
        if (!words) return;
        info(`${quoteStatement(stmt)} without IF EXISTS ${rerun}, because it is already gone`, insertAfter(stmt.text, words, 'IF EXISTS'));
        return;
      }
    }
  },
});

function concurrentIndex(stmt: Statement, ctx: RuleContext): void {
  const a = stmt.ast;
  const table = fromRangeVar(a.relation);
  const multi = ctx.migration.transaction === 'multi-statement';
  if (!a.idxname) {
    const col = a.indexParams?.[0]?.IndexElem?.name as string | undefined;
    const name = quoteIdent(`${table.name}_${col ?? 'expr'}_idx`.slice(0, 63));
    ctx.report({
      at: stmt.span.start,
      message: `CREATE INDEX CONCURRENTLY on ${sqlName(table)} has no name: if it fails part way it leaves an INVALID index with a generated name behind, and a rerun builds another one next to it`,
      fix: sqlBlock(
        'Name the index, and drop a leftover invalid one before building it, so the migration can simply be rerun:',
        multi ? undefined : `DROP INDEX CONCURRENTLY IF EXISTS ${a.relation.schemaname ? `${quoteIdent(a.relation.schemaname)}.` : ''}${name};`,
        `${insertAfter(stmt.text, /^\s*create\s+(?:unique\s+)?index\s+concurrently(?:\s+if\s+not\s+exists)?/i, name)};`,
      ),
    });
    return;
  }
  // Already preceded by a DROP INDEX CONCURRENTLY IF EXISTS of the same index.
  const index = key({ ...(a.relation.schemaname ? { schema: a.relation.schemaname } : {}), name: a.idxname });
  if (droppedIfExists(ctx.previous).has(index)) return;
  const name = `${a.relation.schemaname ? `${quoteIdent(a.relation.schemaname)}.` : ''}${quoteIdent(a.idxname)}`;
  const rerun = a.if_not_exists
    ? 'a rerun with IF NOT EXISTS silently keeps that invalid index (never used by queries, still maintained on every write)'
    : 'a rerun fails because the index already exists';
  ctx.report({
    at: stmt.span.start,
    message: `CREATE INDEX CONCURRENTLY ${quoteIdent(a.idxname)} leaves an INVALID index behind if it fails part way (deadlock, lock timeout${a.unique ? ', a duplicate key' : ''}), and ${rerun}`,
    fix: multi
      ? sqlBlock(
          `The DROP cannot go into this file: ${runnerTransaction(ctx)} as soon as it holds two statements, and CONCURRENTLY fails there. If the build fails, drop the invalid index by hand before marking the migration clean and rerunning it:`,
          `DROP INDEX CONCURRENTLY IF EXISTS ${name};`,
        )
      : sqlBlock('Drop a leftover invalid index right before building it, so the migration can simply be rerun:', `DROP INDEX CONCURRENTLY IF EXISTS ${name};`, `${stmt.text};`),
  });
}

/** ALTER TABLE subcommands that turn row-level security on or off: what each one does to every other role until the rest of the migration has run. */
const rlsToggles: Record<string, { words: string; meanwhile: string }> = {
  AT_EnableRowSecurity: { words: 'ENABLE ROW LEVEL SECURITY', meanwhile: 'every role but the owner sees no rows of it and cannot write any (unless its policies already exist)' },
  AT_ForceRowSecurity: { words: 'FORCE ROW LEVEL SECURITY', meanwhile: 'the policies apply to its owner too (often the application\u2019s role)' },
  AT_DisableRowSecurity: { words: 'DISABLE ROW LEVEL SECURITY', meanwhile: 'every role with privileges on it sees and changes every row, whatever the policies say' },
  AT_NoForceRowSecurity: { words: 'NO FORCE ROW LEVEL SECURITY', meanwhile: 'its owner bypasses the policies again' },
};

/** A row-level security switch in a migration that runs statement by statement: harmless to rerun, but it is live on its own until the statements after it have run. */
function rlsToggle(stmt: Statement, ctx: RuleContext, table: ReturnType<typeof fromRangeVar>, subtype: string): void {
  const t = rlsToggles[subtype]!;
  ctx.report({
    at: stmt.span.start,
    severity: 'info',
    table,
    message: `ALTER TABLE ${sqlName(table)} ${t.words} commits on its own in a migration that runs statement by statement: rerunning it is harmless, but until the statements after it have run \u2014 for good, if one of them fails \u2014 ${t.meanwhile}`,
    fix: sqlBlock(
      'Run the migration as one transaction, so the switch commits together with what belongs to it (policies, the data change it was turned off for); if the migration also holds statements that cannot run in a transaction (CONCURRENTLY), move this one and what belongs to it into a migration of their own:',
      'BEGIN;',
      '-- \u2026 the policies or changes that go with it',
      `${stmt.text};`,
      'COMMIT;',
    ),
  });
}

type Guard = { state: 'dropped' | 'added'; stmt: Statement };

/**
 * ADD CONSTRAINT has no IF NOT EXISTS: it is rerunnable only right after a DROP CONSTRAINT IF EXISTS of the
 * same name on the same table. One guarded drop covers one ADD; a second ADD of that name is not covered.
 */
function addConstraint(stmt: Statement, ctx: RuleContext, table: ReturnType<typeof fromRangeVar>, cmd: any, guards: Map<string, Guard>, rerun: string, last: boolean): void {
  const con = cmd.def.Constraint;
  const T = sqlName(table);
  const at = typeof con.location === 'number' ? stmt.at(con.location) : stmt.span.start;
  if (!con.conname) {
    if (last) return;
    const primary = con.contype === 'CONSTR_PRIMARY';
    ctx.report({
      at,
      severity: 'info',
      table,
      message: primary
        ? `ALTER TABLE ${T} ADD PRIMARY KEY ${rerun}, because the table already has a primary key`
        : `ALTER TABLE ${T} ADD ${constraintKind(con)} without a name in a migration that runs statement by statement: when a later statement fails and the migration is rerun, it adds a second, identical constraint under a generated name`,
      fix: `Name the constraint, and drop it if it exists right before adding it (ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS <name>;), so a rerun replaces it instead.`,
    });
    return;
  }
  const k = `${key(table)}.${con.conname}`;
  const g = guards.get(k);
  if (g?.state === 'dropped') {
    guards.set(k, { state: 'added', stmt });
    return;
  }
  const name = quoteIdent(con.conname);
  const again = g?.state === 'added';
  if (last && !again) return;
  ctx.report({
    at,
    severity: again ? 'error' : 'info',
    table,
    message: again
      ? `ALTER TABLE ${T} ADD CONSTRAINT ${name} again: the DROP CONSTRAINT IF EXISTS before the first ADD (${ctx.where(g.stmt.span.start)}) guards that one only, so this one fails even on the first run (constraint "${con.conname}" for relation "${table.name}" already exists)`
      : `ALTER TABLE ${T} ADD CONSTRAINT ${name} ${rerun}, because the constraint already exists (ADD CONSTRAINT has no IF NOT EXISTS)`,
    fix: again
      ? `Keep one ADD CONSTRAINT ${name}, or drop it again right before this one:\nALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${name};`
      : sqlBlock('Drop it if it exists right before adding it, so a rerun replaces it:', `ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${name};`, `${stmt.text};`),
  });
}

function constraintKind(con: any): string {
  switch (con.contype) {
    case 'CONSTR_CHECK':
      return 'CHECK';
    case 'CONSTR_FOREIGN':
      return 'FOREIGN KEY';
    case 'CONSTR_UNIQUE':
      return 'UNIQUE';
    case 'CONSTR_PRIMARY':
      return 'PRIMARY KEY';
    case 'CONSTR_EXCLUSION':
      return 'EXCLUDE';
    case 'CONSTR_NOTNULL':
      return 'NOT NULL';
    default:
      return 'a constraint';
  }
}

/** `schema.table.constraint` → dropped with IF EXISTS (and not re-added since) or re-added after such a drop, from the statements before this one. */
const guardCache = new WeakMap<readonly Statement[], { seen: number; guards: Map<string, Guard> }>();
function constraintGuards(previous: readonly Statement[]): Map<string, Guard> {
  let c = guardCache.get(previous);
  if (!c) guardCache.set(previous, (c = { seen: 0, guards: new Map() }));
  for (; c.seen < previous.length; c.seen++) {
    const s = previous[c.seen]!;
    if (s.kind !== 'AlterTableStmt' || !s.ast.relation) continue;
    const t = key(fromRangeVar(s.ast.relation));
    for (const raw of s.ast.cmds ?? []) {
      const cmd = raw.AlterTableCmd;
      if (cmd?.subtype === 'AT_DropConstraint' && cmd.name && cmd.missing_ok) c.guards.set(`${t}.${cmd.name}`, { state: 'dropped', stmt: s });
      else if (cmd?.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.conname) {
        const k = `${t}.${cmd.def.Constraint.conname}`;
        if (c.guards.get(k)?.state === 'dropped') c.guards.set(k, { state: 'added', stmt: s });
      }
    }
  }
  return c.guards;
}

/** Indexes dropped with DROP INDEX … IF EXISTS earlier in the section, kept up to date incrementally (no rescans). */
const droppedCache = new WeakMap<readonly Statement[], { seen: number; keys: Set<string> }>();
function droppedIfExists(previous: readonly Statement[]): Set<string> {
  let c = droppedCache.get(previous);
  if (!c) droppedCache.set(previous, (c = { seen: 0, keys: new Set() }));
  for (; c.seen < previous.length; c.seen++) {
    const s = previous[c.seen]!;
    if (s.kind === 'DropStmt' && s.ast.removeType === 'OBJECT_INDEX' && s.ast.missing_ok)
      for (const o of s.ast.objects ?? []) c.keys.add(key(fromNameList(o.List?.items ?? [])));
  }
  return c.keys;
}
