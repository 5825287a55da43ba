/**
 * Change → Plan. Operations say what steps they need (src/operations); the planner orders them by
 * phase, asks the effects table what each step's SQL locks, rewrites and scans (by parsing and
 * classifying it against the schema as the plan goes), estimates durations from the table's size,
 * and refuses, before anything runs, a change that conflicts with the schema.
 */
import type { QualifiedName } from '../core/types.js';
import { LockstepError, type Problem } from '../core/errors.js';
import { blocks, strongest, type LockMode } from '../dialects/postgres/locks.js';
import { loadParser, parsePostgres } from '../dialects/postgres/parser.js';
import { Catalog } from '../dialects/postgres/catalog.js';
import { classify } from '../dialects/postgres/classify.js';
import { expressionVolatility } from '../dialects/postgres/volatility.js';
import { key } from '../dialects/postgres/names.js';
import { operations } from '../operations/registry.js';
import { assertValidChange } from '../spec/check-change.js';
import type { OperationContext, StepDraft } from '../operations/operation.js';
import type { Change, Operation } from '../operations/types.js';
import { phaseNames, type Phase, type Plan, type Step, type StepLock } from './types.js';

export interface PlanOptions {
  /** Target Postgres major (with --db: the server's). */
  version: number;
  /** The target's schema and sizes, from --db (read-only). Without it the plan is made offline. */
  catalog?: Catalog;
  /** Replicas and blocking sessions, from --db. */
  live?: import('../dialects/postgres/introspect.js').LiveFacts;
}

/** Throughput assumptions for estimates (documented in the plan output as the basis). */
export const RATES = {
  scanBytesPerSecond: 200 * 1024 * 1024,
  rewriteBytesPerSecond: 60 * 1024 * 1024,
  indexBytesPerSecond: 80 * 1024 * 1024,
  backfillRowsPerSecond: 20_000,
};

export async function plan(change: Change, opts: PlanOptions): Promise<Plan> {
  await loadParser();
  // A Change built by hand (not read from a spec) meets the same checks before any of it reaches SQL.
  assertValidChange(change);
  const catalog = opts.catalog?.clone() ?? new Catalog();
  const problems: Problem[] = [];
  const drafts: { draft: StepDraft; op: Operation; index: number }[] = [];
  change.operations.forEach((op, i) => {
    const ctx: OperationContext = {
      version: opts.version,
      catalog,
      volatility: (expr) => expressionVolatility(parseExpression(expr), catalog),
      primaryKey: (t) => primaryKey(catalog, t),
      problem: (p) => problems.push(p),
      where: `operations[${i}].${op.kind}`,
    };
    const planner = operations[op.kind] as { steps(op: Operation, ctx: OperationContext): StepDraft[] };
    for (const draft of planner.steps(op, ctx)) drafts.push({ draft, op, index: i + 1 });
  });
  if (problems.length) throw new LockstepError('E_INPUT', problems);
  // An index on a column this change adds is built after the backfill (not maintained through it).
  const added = new Set(change.operations.filter((o) => o.kind === 'addColumn').map((o) => `${key(o.table)}.${o.name}`));
  for (const d of drafts) {
    if (d.op.kind !== 'addIndex' || d.draft.phase !== 'expand') continue;
    const op = d.op;
    if (op.columns.some((c) => added.has(`${key(op.table)}.${c.replace(/^"|"$/g, '').replace(/""/g, '"')}`))) d.draft.phase = 'contract';
  }

  // Execution order: every expand step, then every backfill, then every contract step (stable within a phase).
  const ordered = phaseNames.flatMap((ph) => drafts.filter((d) => d.draft.phase === ph));
  const phases: Phase[] = phaseNames.map((name) => ({ name, steps: [] }));
  for (const { draft, index } of ordered) {
    const step = describeStep(draft, index, catalog, opts.version);
    phases.find((p) => p.name === draft.phase)!.steps.push(step);
  }
  const notes: string[] = [];
  if (!opts.catalog) notes.push('Planned offline: pass --db to check the change against the schema, use the primary key for the backfill, and estimate from the table sizes.');
  return { change, version: opts.version, facts: opts.catalog ? 'database' : 'offline', phases: phases.filter((p) => p.steps.length), notes, ...(opts.live ? { live: opts.live } : {}) };
}

/** Asks the effects table about the step's SQL, then learns what it did to the schema. */
function describeStep(draft: StepDraft, index: number, catalog: Catalog, version: number): Step {
  const stmts = parsePostgres(draft.up).statements;
  const locks = new Map<string, StepLock>();
  let rewrite = false;
  let scan = false;
  let transactional = true;
  const effects: Step['effects'] = [];
  let scannedTable: QualifiedName | undefined;
  for (const s of stmts) {
    const e = classify(s, { version, catalog });
    for (const p of e.parts) effects.push(p.entry);
    for (const l of e.locks) {
      const k = key(l.relation);
      const prev = locks.get(k);
      locks.set(k, { relation: l.relation, mode: prev ? strongest(prev.mode, l.mode) : l.mode });
    }
    rewrite ||= e.rewrite;
    scan ||= e.scan;
    transactional &&= e.transactional;
    scannedTable ??= e.parts.find((p) => p.claim?.scan || p.claim?.rewrite)?.relations.table?.[0];
    catalog.apply(s, 'plan');
  }
  const strongestMode = [...locks.values()].reduce<LockMode | undefined>((m, l) => (m ? strongest(m, l.mode) : l.mode), undefined);
  const b = strongestMode ? blocks(strongestMode) : undefined;
  const isIndex = effects.some((e) => e.startsWith('create-index') || e === 'add-unique' || e === 'add-column-unique');
  return {
    id: `${index}.${draft.name}`,
    phase: draft.phase,
    title: draft.title,
    up: draft.up,
    ...(draft.down !== undefined ? { down: draft.down } : {}),
    transactional,
    effects,
    locks: [...locks.values()],
    blocks: b?.reads ? 'reads and writes' : b?.writes ? 'writes' : 'nothing',
    rewrite,
    scan,
    estimate: estimate(draft, catalog, scannedTable, { rewrite, scan, isIndex }),
    ...(draft.backfill ? { backfill: draft.backfill } : {}),
    notes: draft.notes ?? [],
  };
}

function estimate(draft: StepDraft, catalog: Catalog, scanned: QualifiedName | undefined, how: { rewrite: boolean; scan: boolean; isIndex: boolean }): Step['estimate'] {
  if (draft.backfill) {
    const rows = catalog.table(draft.backfill.table)?.rows;
    if (rows === undefined) return { seconds: null, basis: 'table size unknown (pass --db)' };
    return { seconds: rows / RATES.backfillRowsPerSecond, basis: `~${Math.round(rows).toLocaleString('en-US')} rows at ~${RATES.backfillRowsPerSecond.toLocaleString('en-US')} rows/s, in batches` };
  }
  if (!how.rewrite && !how.scan) return { seconds: 0, basis: 'catalog only, plus the wait for its lock' };
  const bytes = scanned ? catalog.table(scanned)?.bytes : undefined;
  if (bytes === undefined) return { seconds: null, basis: 'table size unknown (pass --db)' };
  const rate = how.rewrite ? RATES.rewriteBytesPerSecond : how.isIndex ? RATES.indexBytesPerSecond : RATES.scanBytesPerSecond;
  const what = how.rewrite ? 'rewrite' : how.isIndex ? 'index build' : 'full scan';
  return { seconds: bytes / rate, basis: `${what} of ~${mb(bytes)} at ~${mb(rate)}/s` };
}

function mb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1024 ** 2))} MB`;
}

/** The parse tree of an SQL expression (as `SELECT <expr>`). */
export function parseExpression(expr: string): unknown {
  const r = parsePostgres(`SELECT (${expr})`);
  return r.statements[0]?.ast?.targetList?.[0]?.ResTarget?.val;
}

function primaryKey(catalog: Catalog, t: QualifiedName): string[] | undefined {
  const pk = [...(catalog.table(t)?.constraints.values() ?? [])].find((c) => c.kind === 'primary-key');
  return pk?.columns.length ? pk.columns : undefined;
}
