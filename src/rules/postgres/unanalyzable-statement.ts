import { defineRule } from './rule.js';
import type { Statement } from '../../dialects/postgres/parser.js';
import { fromNameList } from '../../dialects/postgres/names.js';
import { walk } from '../../dialects/postgres/volatility.js';
import { andList, earlierFacts, quoteIdent, quoteStatement, sqlName } from './helpers.js';

/** What a PL/pgSQL or SQL body runs that lockstep would check if it were a plain statement. `ddl`: a schema change. */
const patterns: { re: RegExp; label: (m: RegExpExecArray) => string; ddl: boolean }[] = [
  { re: /\balter\s+table\b/i, label: () => 'ALTER TABLE', ddl: true },
  { re: /\bcreate\s+(?:or\s+replace\s+)?(unique\s+)?(index|table|type|view|materialized\s+view|trigger|sequence|extension|schema|policy|domain)\b/i, label: (m) => `CREATE ${m[1] ? 'UNIQUE ' : ''}${m[2]!.toUpperCase().replace(/\s+/g, ' ')}`, ddl: true },
  { re: /\bdrop\s+(table|index|column|constraint|view|materialized\s+view|schema|type|trigger|sequence|extension|policy|domain)\b/i, label: (m) => `DROP ${m[1]!.toUpperCase().replace(/\s+/g, ' ')}`, ddl: true },
  { re: /\btruncate\b/i, label: () => 'TRUNCATE', ddl: true },
  { re: /\breindex\b/i, label: () => 'REINDEX', ddl: true },
  { re: /\bcluster\b/i, label: () => 'CLUSTER', ddl: true },
  { re: /\bvacuum\b/i, label: () => 'VACUUM', ddl: true },
  { re: /\brefresh\s+materialized\s+view\b/i, label: () => 'REFRESH MATERIALIZED VIEW', ddl: true },
  { re: /\block\s+table\b/i, label: () => 'LOCK TABLE', ddl: true },
  { re: /(?<!\b(?:for|on|before|after|or|of)\s+)\bupdate\s+(?!of\b)(?:only\s+)?["\w]/i, label: () => 'UPDATE', ddl: false },
  { re: /(?<!\b(?:on|before|after|or)\s+)\bdelete\s+from\b/i, label: () => 'DELETE', ddl: false },
  { re: /\binsert\s+into\b/i, label: () => 'INSERT', ddl: false },
  { re: /\bexecute\b(?!\s+(?:function|procedure)\b)/i, label: () => 'dynamic SQL (EXECUTE)', ddl: true },
];

interface BodyInfo {
  found: string[];
  ddl: boolean;
}

function scanBody(body: string): BodyInfo {
  const text = body.replace(/--[^\n]*/g, ' ');
  const found: string[] = [];
  let ddl = false;
  for (const p of patterns) {
    const m = p.re.exec(text);
    if (!m) continue;
    const l = p.label(m);
    if (!found.includes(l)) found.push(l);
    ddl ||= p.ddl;
  }
  return { found, ddl };
}

/** The body of a CREATE FUNCTION / PROCEDURE (a string for PL/pgSQL and SQL, or the statement for BEGIN ATOMIC / RETURN). */
function functionBody(stmt: Statement): string {
  const as = (stmt.ast.options ?? []).find((o: any) => o.DefElem?.defname === 'as')?.DefElem?.arg;
  const s = as?.List?.items?.[0]?.String?.sval ?? as?.String?.sval;
  return typeof s === 'string' ? s : stmt.ast.sql_body ? stmt.text : '';
}

const runs = (b: BodyInfo) => (b.found.length ? ` (it runs ${andList(b.found)})` : '');

const FIX = 'Write the schema changes and data changes it makes as plain statements in the migration, so that lockstep (and reviewers) can check them; keep procedural code for what has no plain-SQL form.';

export default defineRule({
  id: 'unanalyzable-statement',
  title: 'Write schema changes as plain statements lockstep can check',
  category: 'meta',
  severity: 'info',
  why:
    'lockstep checks statements it can read. A `DO` block, a `CALL` of a procedure, an `EXECUTE` of a prepared statement, or a function created in the migration and then called from a `SELECT` runs statements that lockstep cannot see, so their locks, rewrites and data changes go unchecked. A function whose body changes the schema is reported where it is created when the migration does not call it.\n\n' +
    'This is informational: many DO blocks only guard an idempotent `CREATE TYPE` (Rails and Prisma dumps have them). When the block changes tables, write those changes as plain statements instead.',
  examples: {
    bad: "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'note') THEN\n    ALTER TABLE orders ADD COLUMN note text;\n  END IF;\nEND $$;",
    good:
      "ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;\n\n-- a trigger function only runs when rows change, not during the migration:\nCREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;",
  },
  peers: ['strong_migrations: execute', 'pgfence: DO blocks and function bodies reported as unanalyzable'],
  kinds: ['DoStmt', 'CallStmt', 'ExecuteStmt', 'SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt'],
  check(stmt, ctx) {
    const a = stmt.ast;
    switch (stmt.kind) {
      case 'DoStmt': {
        const as = (a.args ?? []).find((x: any) => x.DefElem?.defname === 'as')?.DefElem?.arg?.String?.sval ?? '';
        ctx.report({ at: stmt.span.start, message: `DO block: lockstep cannot see the statements it runs${runs(scanBody(as))}`, fix: FIX });
        return;
      }
      case 'CallStmt': {
        const name = fromNameList(a.funccall?.funcname);
        const fn = earlierFacts(ctx.previous).functions.get(name.name);
        ctx.report({
          at: stmt.span.start,
          message: `CALL ${sqlName(name)}(\u2026) runs a procedure whose statements lockstep cannot see${fn ? `${runs(bodyOf(fn))}; it was created at ${ctx.where(fn.span.start)}` : ''}`,
          fix: FIX,
        });
        return;
      }
      case 'ExecuteStmt': {
        const p = earlierFacts(ctx.previous).prepared.get(a.name);
        ctx.report({
          at: stmt.span.start,
          message: `EXECUTE ${quoteIdent(a.name)} runs a prepared statement that lockstep does not check${p ? `: ${quoteStatement({ text: p.text.replace(/^\s*prepare\s+\S+(\s*\([^)]*\))?\s+as\s+/i, '') })}` : ''}`,
          fix: 'Write the statement itself in the migration instead of PREPARE and EXECUTE.',
        });
        return;
      }
      default: {
        // A function created in this migration, called here: its body runs now, unseen.
        const fns = earlierFacts(ctx.previous).functions;
        if (!fns.size) return;
        const unseen = calledIn(a, fns).filter((c) => bodyOf(fns.get(c)!).found.length);
        if (!unseen.length) return;
        ctx.report({
          at: stmt.span.start,
          message: `${quoteStatement(stmt, 40)} calls ${andList(unseen.map((c) => `${quoteIdent(c)}()`))}, created earlier in this migration: lockstep cannot see what ${unseen.length > 1 ? 'they run' : 'it runs'} (${andList([...new Set(unseen.flatMap((c) => bodyOf(fns.get(c)!).found))])})`,
          fix: FIX,
        });
      }
    }
  },
  // Functions that change the schema but are not called in the section run later, whenever someone calls them.
  end(ctx) {
    const ddl = new Map<string, Statement>();
    for (const stmt of ctx.statements) if (stmt.kind === 'CreateFunctionStmt' && bodyOf(stmt).ddl) ddl.set(fromNameList(stmt.ast.funcname).name, stmt);
    if (!ddl.size) return;
    for (const stmt of ctx.statements) {
      if (stmt.kind === 'CallStmt') ddl.delete(fromNameList(stmt.ast.funccall?.funcname).name);
      else if (callers.has(stmt.kind)) for (const c of calledIn(stmt.ast, ddl)) ddl.delete(c);
    }
    for (const [name, stmt] of ddl) {
      ctx.report({
        at: stmt.span.start,
        message: `The body of ${stmt.ast.is_procedure ? 'procedure' : 'function'} ${quoteIdent(name)}() runs ${andList(bodyOf(stmt).found)} whenever it is called; lockstep does not check it`,
        fix: FIX,
      });
    }
  },
});

const callers = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);

/** Names of the given functions that the statement calls. */
function calledIn(ast: any, fns: Map<string, unknown>): string[] {
  const calls: string[] = [];
  walk(ast, (n) => {
    const name = n.FuncCall ? fromNameList(n.FuncCall.funcname).name : undefined;
    if (name && fns.has(name) && !calls.includes(name)) calls.push(name);
  });
  return calls;
}

const bodies = new WeakMap<Statement, BodyInfo>();
function bodyOf(stmt: Statement): BodyInfo {
  let b = bodies.get(stmt);
  if (!b) bodies.set(stmt, (b = scanBody(functionBody(stmt))));
  return b;
}
