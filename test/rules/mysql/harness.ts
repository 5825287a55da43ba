/**
 * Runs the MySQL rules through the real lint engine on statements and effects built here, in the shapes
 * ast.ts and effect.ts define. This tests each rule's logic (what it reports for a given statement,
 * effect, catalog and session) independently of the parser and the effects table, which have tests of
 * their own; end-to-end tests of the same rules on SQL text live in lint-sql.test.ts.
 */
import type { QualifiedName } from '../../../src/core/types.js';
import { parseVersionText, type ServerVersion } from '../../../src/core/version.js';
import type { AlterAction, MyStatement } from '../../../src/dialects/mysql/ast.js';
import { MysqlCatalog, type MyTable } from '../../../src/dialects/mysql/catalog.js';
import type { Alg, Lock, MyEffectPart, MyStatementEffect } from '../../../src/dialects/mysql/effect.js';
import { mysqlLintKit, lintCatalog } from '../../../src/dialects/mysql/lint.js';
import { runRules } from '../../../src/lint/engine.js';
import { mysqlRules } from '../../../src/rules/mysql/registry.js';
import { LineIndex } from '../../../src/report/lines.js';
import type { TransactionMode } from '../../../src/parse/migrations.js';
import { parseColumnType } from '../../../src/dialects/mysql/types.js';

/** One statement to lint, with the effect the classifier would give it. */
export interface Case {
  stmt: Omit<MyStatement, 'span'> & Record<string, unknown>;
  effect?: Partial<Omit<MyStatementEffect, 'parts'>> & { parts?: Partial<MyEffectPart>[] };
}

const algRank = ['instant', 'nocopy', 'inplace', 'copy'];
const lockRank = ['none', 'shared', 'exclusive'];

/** An effect from its parts, the way classify combines them: the weakest algorithm, the strongest lock. */
function effectOf(c: Case, span: { start: number; end: number }): MyStatementEffect {
  const defaults = { entry: 'add-column-last', algorithm: 'instant', lock: 'none', rebuild: false, proven: true, span } as MyEffectPart;
  const parts: MyEffectPart[] = (c.effect?.parts ?? []).map((p) => Object.assign({}, defaults, p));
  const algorithm = (parts.map((p) => p.algorithm).sort((a, b) => algRank.indexOf(b) - algRank.indexOf(a))[0] ?? 'instant') as Alg;
  const lock = (parts.map((p) => p.lock).sort((a, b) => lockRank.indexOf(b) - lockRank.indexOf(a))[0] ?? 'none') as Lock;
  const ddl = parts.length > 0;
  const rebuild = parts.some((p) => p.rebuild) || algorithm === 'copy';
  const base: MyStatementEffect = {
    parts,
    algorithm,
    lock,
    effective: { algorithm, lock },
    rebuild,
    scan: rebuild,
    blocksReads: lock === 'exclusive',
    blocksWrites: lock !== 'none',
    metadataLock: ddl,
    implicitCommit: ddl,
    proven: parts.every((p) => p.proven),
  };
  return { ...base, ...c.effect, parts } as MyStatementEffect;
}

export interface RunOpts {
  server?: string;
  flavor?: 'mysql' | 'mariadb';
  transaction?: TransactionMode;
  /** Tables as they were before the migration (as --db would give them). */
  tables?: MyTable[];
  rules?: string[];
}

/** Lints the cases as one migration and returns `line:col severity message` (+ fix) per finding of `rule`. */
export function lintCases(rule: string, cases: Case[], o: RunOpts = {}): string[] {
  let text = '';
  const built: { stmt: MyStatement; effect: MyStatementEffect }[] = [];
  for (const c of cases) {
    const span = { start: text.length, end: text.length + String(c.stmt.text).length };
    // Clause spans given relative to the statement become file offsets.
    const stmt = { ...c.stmt, span } as MyStatement;
    if (stmt.kind === 'alter-table') stmt.actions = stmt.actions.map((a: AlterAction) => ({ ...a, span: { start: a.span.start + span.start, end: a.span.end + span.start } }));
    const effect = effectOf(c, span);
    const given = c.effect?.parts ?? [];
    effect.parts = effect.parts.map((p, i) => ({ ...p, span: given[i]?.span ? { start: given[i]!.span!.start + span.start, end: given[i]!.span!.end + span.start } : span }));
    built.push({ stmt, effect });
    text += `${c.stmt.text};\n`;
  }
  const flavor = o.flavor ?? 'mysql';
  const server: ServerVersion = { ...(parseVersionText(o.server ?? (flavor === 'mariadb' ? '10.11' : '8.0.40'), flavor) as ServerVersion) };
  const byStart = new Map(built.map((b) => [b.stmt.span.start, b]));
  const kit = mysqlLintKit({
    parse: (t, base) => ({ statements: built.filter((b) => b.stmt.span.start >= base && b.stmt.span.start < base + t.length).map((b) => b.stmt), syntaxErrors: [] }),
    comments: () => [],
    applyStatement: (cat, stmt) => {
      if (stmt.kind === 'create-table') cat.create({ name: stmt.table, columns: [], indexes: [], foreignKeys: [], checks: [] });
    },
    classify: (stmt) => byStart.get(stmt.span.start)!.effect,
  })(server);
  const cat = new MysqlCatalog();
  for (const t of o.tables ?? []) cat.create(t);
  const file = { path: 'migration.sql', text };
  const ids = o.rules ?? [rule];
  const r = runRules([{ id: 'migration', layout: 'plain', up: { file, parts: [{ start: 0, end: text.length }] }, transaction: o.transaction ?? 'none', transactionSource: 'test' }], {
    server,
    kit,
    rules: ids.map((id) => ({ rule: (mysqlRules as Record<string, any>)[id], severity: (mysqlRules as Record<string, any>)[id].severity })),
    catalog: lintCatalog(cat, () => {}),
  });
  const li = new LineIndex(text);
  return r.findings
    .filter((f) => f.rule === rule)
    .map((f) => {
      const p = li.position(f.span.start);
      return `${p.line}:${p.column} ${f.severity} ${f.message}${f.fix ? `\n${f.fix}` : ''}`;
    });
}

// ── builders ─────────────────────────────────────────────────────────────────────────────────────

const t = (name: string): QualifiedName => ({ name });

export const alter = (table: string, text: string, actions: AlterAction[] = [], extra: Record<string, unknown> = {}): Case['stmt'] => ({ kind: 'alter-table', text, table: t(table), actions, ...extra }) as any;

/** A clause of `text` found by its own text (span relative to the statement). */
export function clause(text: string, part: string, action: Record<string, unknown>): AlterAction {
  const start = text.indexOf(part);
  if (start < 0) throw new Error(`${part} not in ${text}`);
  return { ...action, span: { start, end: start + part.length } } as AlterAction;
}

export const set = (text: string, name: string, value: string, scope = 'session'): Case['stmt'] => ({ kind: 'set', text, assignments: [{ scope, name, value, ...(Number.isFinite(Number(value)) ? { literal: Number(value) } : {}) }] }) as any;

export const createTable = (name: string, text = `CREATE TABLE ${name} (id BIGINT PRIMARY KEY)`): Case['stmt'] => ({ kind: 'create-table', text, table: t(name), columns: [], indexes: [], foreignKeys: [], checks: [], options: {} }) as any;

export function table(name: string, columns: [string, string, boolean?][], extra: Partial<MyTable> = {}): MyTable {
  return {
    name: t(name),
    columns: columns.map(([n, type, nullable]) => ({ name: n, type: parseColumnType(type), nullable: nullable ?? true, default: 'none' })),
    indexes: [],
    foreignKeys: [],
    checks: [],
    charset: 'utf8mb4',
    ...extra,
  };
}

export const colType = parseColumnType;
