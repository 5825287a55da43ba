/** Rehearsal renderers: text for the terminal, json (versioned, documented in docs/rehearse.md). */
import type { RehearsalReport, StepTrace } from '../rehearse/types.js';

export const rehearseFormats = ['text', 'json'] as const;
export type RehearseFormat = (typeof rehearseFormats)[number];

export function renderRehearsalJson(r: RehearsalReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export function ms(v: number): string {
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 10) return `${v.toFixed(1)} ms`;
  if (v < 10_000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(1)} s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

const lockLine = (s: StepTrace) => (s.locks.length ? s.locks.map((l) => `${l.mode} on ${l.relation}`).join(', ') : s.observed === 'none' ? 'not observed' : 'none');

export function renderRehearsalText(r: RehearsalReport, o: { color: boolean }): string {
  const paint = (s: string, code: number) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(paint(`rehearsal of ${r.subject}`, 1) + ` on ${r.sandbox.description}`);
  if (r.sandbox.targetMajor && r.sandbox.targetMajor !== r.sandbox.major) {
    out.push(paint(`  the target is PostgreSQL ${r.sandbox.targetMajor}; behaviours that differ on ${r.sandbox.major}:`, 33));
    for (const n of r.versionNotes.slice(0, 12)) out.push(paint(`    ${n}`, 33));
    if (r.versionNotes.length > 12) out.push(paint(`    … and ${r.versionNotes.length - 12} more (--format json lists them all)`, 33));
  }
  if (r.data.length) {
    const n = (x: number) => x.toLocaleString('en-US');
    const short = r.data.filter((d) => d.shortfall !== undefined);
    if (r.data.length <= 8) out.push(`  data: ${r.data.map((d) => `${d.table} ${n(d.rows)}${d.shortfall !== undefined && d.requested !== undefined ? ` of ${n(d.requested)}` : ''} rows (${d.how})`).join(', ')}`);
    else {
      const hows = [...new Set(r.data.map((d) => d.how))].join(', ');
      out.push(`  data: ${r.data.length} tables, ${n(r.data.reduce((a, d) => a + d.rows, 0))} rows (${hows}; --format json lists every table)`);
    }
    if (short.length) {
      out.push(paint(`  fewer rows than asked for in ${short.length} table(s); the rehearsal went on with the rows that could be made:`, 33));
      for (const d of short) out.push(paint(`    ${d.table}: ${n(d.rows)}${d.requested !== undefined ? ` of ${n(d.requested)}` : ''} rows${d.after ? ` (after ${d.after})` : ''}: ${d.shortfall}`, 33));
    }
  }
  out.push('');
  out.push(paint('checks', 1));
  for (const c of r.checks) {
    out.push(`  ${c.ok ? paint('pass', 32) : paint('FAIL', 31)}  ${c.name}: ${c.detail}`);
    for (const d of c.diff ?? []) out.push(`        ${paint(d, d.startsWith('-') ? 31 : d.startsWith('+') ? 32 : 0)}`);
  }
  if (r.steps.length) {
    out.push('');
    out.push(paint('steps', 1));
    const rows: string[][] = [['pass', 'step', 'took', 'locks held', 'rewrite', 'stall', 'effects table']];
    for (const s of r.steps)
      rows.push([
        s.pass,
        s.id,
        ms(s.durationMs),
        lockLine(s),
        s.rewrites.length ? s.rewrites.join(', ') : '-',
        s.stallMs === null ? 'n/a' : ms(s.stallMs),
        s.error ? 'failed' : s.claim ? (s.claim.agrees ? 'agrees' : 'DISAGREES') : '-',
      ]);
    for (const line of table(rows)) out.push(`  ${line}`);
    for (const s of r.steps.filter((x) => x.error)) {
      out.push('');
      out.push(paint(`  ${s.id} failed: ${s.error!.message}`, 31));
      if (s.error!.codeFrame) for (const l of s.error!.codeFrame.split('\n')) out.push(`    ${l}`);
    }
    if (r.steps.every((s) => s.stallMs === null))
      out.push(paint(r.sandbox.kind === 'pglite' ? '  stall: not measured on this sandbox (single connection); use --sandbox embedded or a scratch server URL' : '  stall: not measured: no step ran on a table that had rows to probe', 2));
  }
  if (r.queries.length) {
    out.push('');
    out.push(paint('latency (p50, p95)', 1) + (r.workload ? `  workload: ${r.workload}` : '') + (r.latencyBudgetPct !== undefined ? `  budget: +${r.latencyBudgetPct} %` : ''));
    const rows: string[][] = [['query', 'before', 'after', 'change', '95 % interval', 'beyond noise']];
    for (const q of r.queries) {
      const pct = `${q.changePct >= 0 ? '+' : ''}${q.changePct.toFixed(0)} %`;
      const c = q.change;
      const rel = (x: number) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(0)} %`;
      const noise = !c ? 'too few runs' : c.significant ? `yes (p = ${c.pValue.toPrecision(2)})` : `no (p = ${c.pValue.toPrecision(2)})`;
      const slower = q.changePct > (r.latencyBudgetPct ?? 20) && (c?.significant ?? true);
      rows.push([q.name, `${ms(q.before.p50)}, ${ms(q.before.p95)}`, `${ms(q.after.p50)}, ${ms(q.after.p95)}`, slower ? paint(pct, 31) : pct, c ? `${rel(c.low)} … ${rel(c.high)}` : '-', noise]);
    }
    for (const line of table(rows)) out.push(`  ${line}`);
    out.push(paint('  beyond noise: the 95 % bootstrap interval of the ratio of medians excludes no change, and Mann-Whitney p < 0.05', 2));
    for (const q of r.queries.filter((x) => x.planAfter)) {
      out.push(`  plan of ${q.name} changed:`);
      out.push(...q.planBefore!.map((l) => `    - ${l}`), ...q.planAfter!.map((l) => `    + ${l}`));
    }
  }
  out.push('');
  const failed = r.checks.filter((c) => !c.ok);
  out.push(
    r.ok
      ? paint(`PASS  ${r.subject}: every check passed (${r.checks.length}) in ${r.seconds.toFixed(1)} s`, 32)
      : paint(`FAIL  ${r.subject}: ${failed.length} of ${r.checks.length} checks failed (${failed.map((c) => c.name).join(', ')})`, 31),
  );
  return out.join('\n') + '\n';
}
