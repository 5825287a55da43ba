/** MySQL/MariaDB plan renderers: text for people, json (versioned, same shape as Postgres plus `dialect`/`server`), sql (one file per step and direction). */
import { describeVersion, versionText } from '../../../core/version.js';
import { duration, renderPlanJsonFor } from '../../../report/plan.js';
import type { AnyPlan, AnyStep } from '../../../plan/types.js';
import { sqlName } from '../names.js';

const how = (s: AnyStep): string => {
  const o = s.online;
  if (s.backfill) return 'row locks of one short batch at a time';
  if (!o) return '';
  if (o.copy) return `online copy (engine ${o.copy.engine}): brief metadata locks at the triggers and the swap`;
  return `ALGORITHM=${o.algorithm.toUpperCase()}${o.lock !== 'default' ? `, LOCK=${o.lock.toUpperCase()}` : ''}: ${s.blocks === 'nothing' ? 'reads and writes go on' : `blocks ${s.blocks}`}; a brief exclusive metadata lock, guarded`;
};

function downText(s: AnyStep): string {
  if (s.backfill) return '(nothing to undo: the values go with the column)';
  if (!s.down) return `(none: ${s.loses ?? 'nothing to undo'})`;
  const d = s.online?.down;
  return `${d?.copy ? `online copy of: ${s.down}` : `${s.down};`}`;
}

export function renderMysqlText(plan: AnyPlan, o: { color: boolean }): string {
  const paint = (x: string, code: number) => (o.color ? `\x1b[${code}m${x}\x1b[0m` : x);
  const out: string[] = [];
  out.push(paint(`Plan for ${plan.change.name} (${plan.server ? describeVersion(plan.server) : `MySQL ${plan.version}`}, ${plan.facts === 'database' ? 'schema and sizes from the database' : 'planned offline'})`, 1));
  for (const n of plan.notes) out.push(paint(`  note: ${n}`, 2));
  let total = 0;
  let unknown = false;
  for (const phase of plan.phases) {
    out.push('', paint(phase.name, 1));
    for (const s of phase.steps) {
      out.push(`  ${paint(s.id, 36)}  ${s.title}`);
      const facts = [how(s), s.online?.copy ? 'copies the table' : s.rewrite ? 'rebuilds the table in place' : s.scan ? 'reads every row' : '', `${duration(s.estimate.seconds)} (${s.estimate.basis})`].filter(Boolean);
      out.push(`      ${paint(facts.join(' · '), 2)}`);
      out.push(`      up:   ${s.online?.copy ? `online copy of: ${s.up}` : `${s.up};`}`);
      out.push(`      down: ${downText(s)}`);
      if (s.loses && s.down) out.push(`      ${paint(`undo loses: ${s.loses}`, 33)}`);
      for (const n of s.notes) out.push(`      ${paint(`note: ${n}`, 33)}`);
      if (s.estimate.seconds === null) unknown = true;
      else total += s.estimate.seconds;
    }
  }
  const steps = plan.phases.flatMap((p) => p.steps);
  const copies = steps.filter((s) => s.online?.copy);
  out.push(
    '',
    `${steps.length} steps, ${unknown ? 'duration unknown without --db' : `${duration(total)} in all`}; ${steps.filter((s) => s.online?.algorithm === 'instant').length} instant, ` +
      `${steps.filter((s) => s.online && s.online.algorithm !== 'instant' && !s.online.copy).length} in place with LOCK=NONE, ${copies.length} online cop${copies.length === 1 ? 'y' : 'ies'}${copies.length ? ` (${copies.map((s) => s.id).join(', ')})` : ''}`,
  );
  return out.join('\n') + '\n';
}

export function renderMysqlJson(plan: AnyPlan): string {
  return renderPlanJsonFor(plan, {
    dialect: 'mysql',
    server: plan.server ? { flavor: plan.server.flavor, version: versionText(plan.server) } : null,
    lockName: (m) => m,
    qualified: sqlName,
    operation: (op) => ({ ...op }),
    top: {},
    step: (s) => ({ algorithm: s.online?.algorithm ?? null, lock: s.online?.lock ?? null, copy: s.online?.copy ?? null }),
  });
}

/** One file per step and direction, in execution order; steps a plain runner cannot do say how to run them. */
export function renderMysqlSqlFiles(plan: AnyPlan): { name: string; text: string }[] {
  const files: { name: string; text: string }[] = [];
  let n = 0;
  const server = plan.server ? describeVersion(plan.server) : `MySQL ${plan.version}`;
  for (const phase of plan.phases) {
    for (const s of phase.steps) {
      n++;
      const base = `${String(n).padStart(2, '0')}-${phase.name}-${s.id}`;
      const head = [`-- lockstep plan for ${plan.change.name}, step ${s.id} (${phase.name} phase), ${server}`, `-- ${s.title}`, `-- ${how(s)}`, ...s.notes.map((x) => `-- note: ${x}`)];
      let body: string;
      if (s.backfill) body = `-- Run by lockstep apply in batches by primary key (each batch its own transaction with its checkpoint):\n-- ${s.up};`;
      else if (s.online?.copy) body = `-- Needs an online copy (lockstep apply, or pt-online-schema-change --alter "${s.online.copy.job.alter.replace(/"/g, '\\"')}" D=…,t=${s.online.copy.job.table}); as one statement it would block writes:\n-- ${s.up};`;
      else body = [`SET SESSION lock_wait_timeout = 2;  -- retry this migration if it times out`, ...(s.online?.session ?? []).map((x) => `${x};`), `${s.up};`].join('\n');
      files.push({ name: `${base}.up.sql`, text: [...head, '', body, ''].join('\n') });
      const down = s.down ? (s.online?.down?.copy ? `-- Needs an online copy:\n-- ${s.down};` : `SET SESSION lock_wait_timeout = 2;\n${s.down};`) : `-- nothing to undo${s.loses ? ` (${s.loses})` : ''}`;
      files.push({ name: `${base}.down.sql`, text: [`-- undoes step ${s.id} of ${plan.change.name}${s.loses && s.down ? `; loses ${s.loses}` : ''}`, '', down, ''].join('\n') });
    }
  }
  return files;
}
