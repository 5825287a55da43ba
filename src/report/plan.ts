/** Plan renderers: text for people, json (versioned), sql (one migration file per step, up and down). */
import { sqlLockName, type LockMode } from '../dialects/postgres/locks.js';
import { sqlName } from '../dialects/postgres/names.js';
import { backfillDoBlock } from '../dialects/postgres/backfill.js';
import { operations } from '../operations/registry.js';
import type { Operation } from '../operations/types.js';
import type { AnyPlan, AnyStep, Plan, Step } from '../plan/types.js';
import type { QualifiedName } from '../core/types.js';
import { versionText, type DialectId } from '../core/version.js';
import { toolName, toolVersion } from './version.js';
import { safeQueryText } from '../core/redact.js';

export const planFormats = ['text', 'json', 'sql'] as const;
export type PlanFormat = (typeof planFormats)[number];
export const PLAN_JSON_VERSION = 1;

export function describeOperation(op: Operation): string {
  return (operations[op.kind] as { describe(o: Operation): string }).describe(op);
}

export function duration(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `~${Math.round(seconds)} s`;
  if (seconds < 5400) return `~${Math.round(seconds / 60)} min`;
  return `~${(seconds / 3600).toFixed(1)} h`;
}

const lockText = (s: Step) =>
  s.locks.length ? s.locks.map((l) => `${sqlLockName(l.mode)} on ${sqlName(l.relation)}`).join(', ') + (s.blocks === 'nothing' ? ' (blocks no reads or writes)' : ` (blocks ${s.blocks})`) : 'no table lock';

export function renderPlanText(plan: Plan, opts: { color: boolean }): string {
  const paint = (s: string, code: number) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(paint(`Plan for ${plan.change.name} (PostgreSQL ${plan.version}, ${plan.facts === 'database' ? 'schema and sizes from the database' : 'planned offline'})`, 1));
  for (const op of plan.change.operations) out.push(`  ${describeOperation(op)}`);
  for (const n of plan.notes) out.push(paint(`  note: ${n}`, 2));
  if (plan.live) {
    const r = plan.live.replicas;
    const lags = r.map((x) => x.replayLagSeconds ?? 0);
    out.push(`  replicas: ${r.length ? `${r.length} (${r.map((x) => `${x.name} ${x.state}, replay lag ${x.replayLagSeconds === null ? 'none' : `${x.replayLagSeconds.toFixed(1)} s`}`).join('; ')})` : 'none'}${r.length && Math.max(...lags) > 2 ? paint(' — lagging: the backfill will pause until they catch up', 33) : ''}`);
    for (const b of plan.live.blockers)
      out.push(paint(`  waiting risk: pid ${b.pid} (${b.state}) has held ${b.mode} on ${b.table} in a transaction for ${duration(b.transactionSeconds)}: the first lock on ${b.table} queues behind it — ${safeQueryText(b.query)}`, 33));
  }
  let total = 0;
  let unknown = false;
  for (const phase of plan.phases) {
    out.push('', paint(phase.name, 1));
    for (const s of phase.steps) {
      out.push(`  ${paint(s.id, 36)}  ${s.title}`);
      const facts = [lockText(s), s.rewrite ? 'rewrites the table' : s.scan ? 'reads every row' : '', s.transactional ? 'in a transaction' : 'outside a transaction', `${duration(s.estimate.seconds)} (${s.estimate.basis})`].filter(Boolean);
      out.push(`      ${paint(facts.join(' · '), 2)}`);
      out.push(`      up:   ${s.up};`);
      out.push(`      down: ${s.down ? `${s.down};` : '(nothing to undo)'}`);
      for (const n of s.notes) out.push(`      ${paint(`note: ${n}`, 33)}`);
      if (s.estimate.seconds === null) unknown = true;
      else total += s.estimate.seconds;
    }
  }
  const blocking = plan.phases.flatMap((p) => p.steps).filter((s) => s.blocks !== 'nothing');
  const heavyBlocking = blocking.filter((s) => s.rewrite || s.scan);
  out.push(
    '',
    `${plan.phases.reduce((n, p) => n + p.steps.length, 0)} steps, ${unknown ? 'duration unknown without --db' : `${duration(total)} in all`}; ` +
      `${blocking.length} take a lock that makes traffic wait (briefly, with a lock_timeout)` +
      (heavyBlocking.length ? `, ${paint(`${heavyBlocking.length} of them while reading the whole table: ${heavyBlocking.map((s) => s.id).join(', ')}`, 31)}` : ', none of them while reading or rewriting the table'),
  );
  return out.join('\n') + '\n';
}

/**
 * What a dialect adds to the one plan JSON (docs/schema/plan.v1.json): the same document for every
 * dialect, with `dialect` and `server` saying which, and a few step fields only one dialect has.
 */
export interface PlanJsonDialect {
  dialect: DialectId;
  /** The server the plan is for; null when planned offline without a version. */
  server: { flavor: string; version: string } | null;
  /** A lock mode as the dialect's documentation names it. */
  lockName(mode: string): string;
  /** A qualified name, quoted as the dialect quotes it. */
  qualified(name: QualifiedName): string;
  /** An operation as the document lists it (Postgres adds its description). */
  operation(op: Operation): Record<string, unknown>;
  /** Top-level fields only this dialect has (Postgres: `pgVersion`, `live`). */
  top: Record<string, unknown>;
  /** Step fields only this dialect has (MySQL/MariaDB: `algorithm`, `lock`, `copy`). */
  step(s: AnyStep): Record<string, unknown>;
}

/** The plan as the versioned JSON document every dialect renders. */
export function renderPlanJsonFor(plan: AnyPlan, d: PlanJsonDialect): string {
  return (
    JSON.stringify(
      {
        version: PLAN_JSON_VERSION,
        tool: { name: toolName, version: toolVersion },
        dialect: d.dialect,
        server: d.server,
        ...d.top,
        change: { name: plan.change.name, operations: plan.change.operations.map((op) => d.operation(op)) },
        facts: plan.facts,
        notes: plan.notes,
        live: plan.live ?? null,
        phases: plan.phases.map((ph) => ({
          name: ph.name,
          steps: ph.steps.map((s) => ({
            id: s.id,
            title: s.title,
            up: s.up,
            down: s.down ?? null,
            transactional: s.transactional,
            locks: s.locks.map((l) => ({ relation: d.qualified(l.relation), mode: d.lockName(l.mode) })),
            blocks: s.blocks,
            rewrite: s.rewrite,
            scan: s.scan,
            effects: s.effects,
            estimate: s.estimate,
            backfill: s.backfill ? { ...s.backfill, table: d.qualified(s.backfill.table) } : null,
            loses: s.loses ?? null,
            notes: s.notes,
            ...d.step(s),
          })),
        })),
      },
      null,
      2,
    ) + '\n'
  );
}

export function renderPlanJson(plan: Plan): string {
  return renderPlanJsonFor(plan as AnyPlan, {
    dialect: 'postgres',
    server: { flavor: 'postgres', version: plan.server ? versionText(plan.server) : String(plan.version) },
    lockName: (m) => sqlLockName(m as LockMode),
    qualified: sqlName,
    operation: (op) => ({ ...op, description: describeOperation(op) }),
    top: { pgVersion: plan.version },
    step: () => ({}),
  });
}

export interface PlanFile {
  name: string;
  text: string;
}

/**
 * One migration per step, so each runs in its own transaction (or outside one, when it must): hand them
 * to the runner you use. File names sort in execution order: `01-expand-1.add-column.up.sql`.
 */
export function renderPlanSqlFiles(plan: Plan): PlanFile[] {
  const files: PlanFile[] = [];
  let n = 0;
  for (const phase of plan.phases) {
    for (const s of phase.steps) {
      n++;
      const base = `${String(n).padStart(2, '0')}-${phase.name}-${s.id}`;
      const head = [
        `-- lockstep plan for ${plan.change.name}, step ${s.id} (${phase.name} phase), PostgreSQL ${plan.version}`,
        `-- ${s.title}`,
        `-- lock: ${lockText(s)}${s.rewrite ? '; rewrites the table' : s.scan ? '; reads every row' : ''}`,
        ...(s.transactional ? [] : ['-- Must run OUTSIDE a transaction block: disable your runner\u2019s transaction for this migration.']),
        ...s.notes.map((x) => `-- note: ${x}`),
      ];
      // A statement that must run outside a transaction stays alone in its file: a runner that sends the
      // file as one query would otherwise make it a transaction block.
      const timeouts =
        s.transactional && !s.backfill
          ? ["SET LOCAL lock_timeout = '2s';  -- retry this migration if it times out", ...(s.scan || s.rewrite ? ["SET LOCAL statement_timeout = '60min';"] : [])]
          : [];
      if (!s.transactional) head.push('-- Set a short lock_timeout for the session running it (e.g. PGOPTIONS="-c lock_timeout=2s") and retry if it times out.');
      const body = s.backfill ? backfillDoBlock(s.backfill) : `${s.up};`;
      files.push({ name: `${base}.up.sql`, text: [...head, '', ...timeouts, body, ''].join('\n') });
      files.push({ name: `${base}.down.sql`, text: [`-- undoes step ${s.id} of ${plan.change.name}`, '', s.down ? `${s.down};` : '-- nothing to undo', ''].join('\n') });
    }
  }
  return files;
}

export function renderPlanSql(plan: Plan): string {
  return renderPlanSqlFiles(plan)
    .map((f) => `-- ===== ${f.name}\n${f.text}`)
    .join('\n');
}
