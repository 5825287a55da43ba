/**
 * The rehearsal as one self-contained HTML page: a verdict, the checks, a timeline of steps and
 * the locks they held, query latency before/after and stalls per step. Inline CSS and SVG drawn
 * here, no script, no fonts, no network: a Content-Security-Policy forbids all of it, so the file
 * opens the same from a CI artefact, a mail attachment or a laptop without network.
 *
 * Every string from the report goes through `esc` (SQL, names and server messages contain <, &
 * and quotes). Every plotted value is also text: a <title> on its SVG element (a tooltip for
 * people, a name for screen readers), data-* attributes, visible labels, and tables at the end.
 */
import { blocksTraffic, lockModes, sqlLockName, type LockMode } from '../dialects/postgres/locks.js';
import {
  axisLabel,
  BAR,
  BASE_CSS,
  callout,
  card,
  compareChart,
  cutEnd,
  cutMiddle,
  dataTable,
  esc,
  fin,
  formatCount,
  formatMs,
  formatPct,
  hero,
  htmlPage,
  isoWhen,
  metaItem,
  n,
  plural,
  statusList,
  swatch,
  textW,
  ticks,
  tile,
  tiles,
  type CompareRow,
  type CompareSide,
} from './html.js';
import type { Check, DataLoad, Pass, QueryTiming, RehearsalReport, StepTrace } from '../rehearse/types.js';

// ───────────────────────────── formatting (exported: tests compare with these) ─────────────────

export { esc, formatMs, formatPct } from './html.js';

/** The text shown for a step whose stall was not measured. */
export function stallNotMeasured(sandboxKind: RehearsalReport['sandbox']['kind']): string {
  return sandboxKind === 'pglite' ? 'not measured (PGlite is single-connection)' : 'not measured';
}

/** A query is drawn as a regression when its p50 got slower by more than this many percent. */
export const REGRESSION_PCT = 20;

const rows = formatCount;

// ───────────────────────────── locks and passes ─────────────────────────────

/** `AccessExclusiveLock`, `ACCESS EXCLUSIVE`, `AccessExclusive` → the mode; undefined when unknown. */
function lockMode(mode: string): LockMode | undefined {
  const key = mode.trim().replace(/lock$/i, '').replace(/[\s_-]/g, '').toLowerCase();
  return lockModes.find((m) => m.toLowerCase() === key);
}

/** Weakest → strongest: pale yellow … dark red (ColorBrewer YlOrRd). */
const LOCK_COLORS: Record<LockMode, { fill: string; ink: string; abbr: string }> = {
  AccessShare: { fill: '#ffeda0', ink: '#5b4500', abbr: 'AS' },
  RowShare: { fill: '#fed976', ink: '#5b4500', abbr: 'RS' },
  RowExclusive: { fill: '#feb24c', ink: '#4a2a00', abbr: 'RE' },
  ShareUpdateExclusive: { fill: '#fd8d3c', ink: '#3d1800', abbr: 'SUE' },
  Share: { fill: '#fc4e2a', ink: '#ffffff', abbr: 'S' },
  ShareRowExclusive: { fill: '#e31a1c', ink: '#ffffff', abbr: 'SRE' },
  Exclusive: { fill: '#bd0026', ink: '#ffffff', abbr: 'E' },
  AccessExclusive: { fill: '#800026', ink: '#ffffff', abbr: 'AE' },
};
const UNKNOWN_LOCK = { fill: '#9ca3af', ink: '#111827', abbr: '?' };

function lockStyle(mode: string): { fill: string; ink: string; abbr: string; name: string; mode?: LockMode } {
  const m = lockMode(mode);
  return m ? { ...LOCK_COLORS[m], name: sqlLockName(m), mode: m } : { ...UNKNOWN_LOCK, name: mode };
}

interface PassStyle {
  label: string;
  ink: string;
  bar: string;
  tint: string;
}
const PASS_STYLES: Record<Pass, PassStyle> = {
  up: { label: 'up', ink: '#1d4ed8', bar: '#60a5fa', tint: '#eff6ff' },
  down: { label: 'down', ink: '#6d28d9', bar: '#a78bfa', tint: '#f5f3ff' },
  'up-again': { label: 'up again', ink: '#0f766e', bar: '#2dd4bf', tint: '#f0fdfa' },
};
const passStyle = (p: string): PassStyle => PASS_STYLES[p as Pass] ?? { label: p, ink: '#374151', bar: '#9ca3af', tint: '#f9fafb' };

/** Steps grouped by pass (up, down, up-again, then anything else), each group in start order. */
function byPass(steps: StepTrace[]): { pass: string; steps: StepTrace[] }[] {
  const order: string[] = ['up', 'down', 'up-again'];
  for (const s of steps) if (!order.includes(s.pass)) order.push(s.pass);
  return order
    .map((pass) => ({ pass, steps: steps.filter((s) => s.pass === pass).sort((a, b) => fin(a.startMs) - fin(b.startMs)) }))
    .filter((g) => g.steps.length > 0);
}

// ───────────────────────────── page ─────────────────────────────

export function renderRehearsalHtml(report: RehearsalReport): string {
  const failed = report.checks.filter((c) => !c.ok);
  const verdict = report.ok ? 'PASS' : 'FAIL';
  const body = [
    header(report, failed),
    versionWarning(report),
    shortfalls(report),
    summary(report),
    card({ id: 'checks', title: 'Checks', count: `${report.checks.length - failed.length} of ${report.checks.length} passed`, parts: [checksList(report.checks)] }),
    card({ id: 'timeline', title: 'Timeline', count: `${plural(report.steps.length, 'step')} · locks held · rewrites`, parts: [timelineLegend(), timeline(report), stepErrors(report.steps)] }),
    card({ id: 'latency', title: 'Query latency', count: 'before → after the change', parts: [latency(report.queries, report.workload), planChanges(report.queries)] }),
    card({ id: 'stall', title: 'Stall per step', count: 'longest wait a concurrent probe saw while the step ran', parts: [stalls(report)] }),
    card({ id: 'data', cls: 'tables', title: 'The numbers', parts: [stepsTable(report), queriesTable(report.queries)] }),
    `<footer>lockstep rehearsal report · format version ${esc(report.version)} · ${esc(isoWhen(report.startedAt))}</footer>`,
  ];
  return htmlPage({
    title: `${verdict} · ${report.subject} · lockstep rehearsal`,
    css: BASE_CSS + CSS,
    mainAttrs: ` data-report-version="${esc(report.version)}" data-ok="${report.ok}"`,
    body: body.join('\n'),
  });
}

function header(r: RehearsalReport, failed: Check[]): string {
  const verdictLine = r.ok
    ? `All ${plural(r.checks.length, 'check')} passed`
    : failed.length
      ? `${failed.length} of ${plural(r.checks.length, 'check')} failed`
      : 'The rehearsal failed';
  const dataItem = (d: DataLoad) =>
    `<li${d.shortfall !== undefined ? ' class="shortfall"' : ''}><span class="mono">${esc(d.table)}</span> <b>${rows(d.rows)}</b>${d.shortfall !== undefined && d.requested !== undefined ? ` of ${rows(d.requested)}` : ''} rows <span class="muted">· ${esc(HOW[d.how] ?? d.how)}</span></li>`;
  const total = r.data.reduce((a, d) => a + d.rows, 0);
  const data = !r.data.length
    ? '<span class="muted">none loaded</span>'
    : r.data.length <= 12
      ? `<ul class="data">${r.data.map(dataItem).join('')}</ul>`
      : `<details class="data"><summary>${esc(plural(r.data.length, 'table'))}, <b>${rows(total)}</b> rows</summary><ul class="data">${r.data.map(dataItem).join('')}</ul></details>`;
  const target = r.source?.product ? esc(r.source.product) : r.sandbox.targetMajor === undefined ? '<span class="muted">unknown</span>' : `PostgreSQL ${esc(r.sandbox.targetMajor)}`;
  return hero({
    ok: r.ok,
    eyebrow: 'lockstep · rehearsal',
    subject: r.subject,
    meta: [
      metaItem('Sandbox', `${esc(r.sandbox.description)} <span class="muted">(${esc(SANDBOX[r.sandbox.kind] ?? r.sandbox.kind)}, ${r.sandbox.product ? esc(r.sandbox.product) : `PostgreSQL ${esc(r.sandbox.major)}`})</span>`),
      metaItem('Target', target),
      r.source ? metaItem('Source', `<span class="mono">${esc(r.source.url)}</span> <span class="muted">(${r.source.product ? esc(r.source.product) : `PostgreSQL ${esc(r.source.major)}`})</span>`) : '',
      metaItem('Data', data),
      metaItem('Started', esc(isoWhen(r.startedAt))),
      metaItem('Took', esc(formatMs(fin(r.seconds) * 1000))),
    ],
    verdict: r.ok ? 'PASS' : 'FAIL',
    verdictLine,
  });
}

const HOW: Record<string, string> = {
  'synthetic-stats': 'synthesized from statistics',
  'synthetic-types': 'synthesized from column types',
  sample: 'sampled from the source',
  fixture: 'from a fixture',
};
const SANDBOX: Record<string, string> = { pglite: 'embedded WASM', embedded: 'embedded server', server: 'scratch server' };

function versionWarning(r: RehearsalReport): string {
  const t = r.sandbox.targetMajor;
  const notes = r.versionNotes.length ? `<ul>${r.versionNotes.map((v) => `<li>${esc(v)}</li>`).join('')}</ul>` : '';
  if (t !== undefined && t !== r.sandbox.major) {
    return callout(
      'warn',
      'version-warning',
      `<b>The sandbox runs PostgreSQL ${esc(r.sandbox.major)}, the target runs PostgreSQL ${esc(t)}.</b>
  ${notes ? `Behaviour that differs between them:${notes}` : '<p>No known difference applies to these steps, but timings and plans may still differ.</p>'}`,
    );
  }
  if (!notes) return '';
  return callout('info', 'version-notes', `<b>Version notes</b>${notes}`);
}

/** Tables that got fewer synthetic rows than asked for, and why: the rehearsal went on with them. */
function shortfalls(r: RehearsalReport): string {
  const short = r.data.filter((d) => d.shortfall !== undefined);
  if (!short.length) return '';
  const items = short
    .map(
      (d) =>
        `<li data-table="${esc(d.table)}" data-rows="${esc(d.rows)}"${d.requested !== undefined ? ` data-requested="${esc(d.requested)}"` : ''}><span class="mono">${esc(d.table)}</span>: <b>${rows(d.rows)}</b>${d.requested !== undefined ? ` of ${rows(d.requested)}` : ''} rows${d.after ? ` <span class="muted">(filled after ${esc(d.after)})</span>` : ''} — ${esc(d.shortfall)}</li>`,
    )
    .join('');
  return callout('warn', 'data-shortfall', `<b>Fewer rows than asked for in ${esc(plural(short.length, 'table'))}.</b> The rehearsal went on with the rows that could be made:<ul>${items}</ul>`);
}

function summary(r: RehearsalReport): string {
  const items: string[] = [];
  const failed = r.checks.filter((c) => !c.ok).length;
  items.push(tile('Checks', `${r.checks.length - failed}/${r.checks.length}`, failed ? `${failed} failed` : 'all passed', failed ? 'bad' : 'good'));
  let worst: { ms: number; name: string; rel: string; step: StepTrace } | undefined;
  for (const s of r.steps)
    for (const l of s.locks) {
      const m = lockMode(l.mode);
      if (m && blocksTraffic(m) && (!worst || fin(l.heldMs) > worst.ms)) worst = { ms: fin(l.heldMs), name: sqlLockName(m), rel: l.relation, step: s };
    }
  items.push(
    worst
      ? tile('Max blocking lock', formatMs(worst.ms), `${worst.name} on ${worst.rel} · ${worst.step.id} (${passStyle(worst.step.pass).label})`, worst.ms > 1000 ? 'bad' : '')
      : tile('Max blocking lock', 'none', 'no step blocked reads or writes', 'good'),
  );
  const rewriting = r.steps.filter((s) => s.rewrites.length);
  items.push(
    tile(
      'Rewrites',
      String(rewriting.length),
      rewriting.length ? rewriteSummary(rewriting) : 'no table storage was rewritten',
      rewriting.length ? 'warn' : 'good',
    ),
  );
  const slowest = [...r.queries].filter((q) => Number.isFinite(q.changePct)).sort((a, b) => b.changePct - a.changePct)[0];
  items.push(
    slowest
      ? tile('Largest query change', formatPct(slowest.changePct), `${slowest.name} (p50)`, slowest.changePct > REGRESSION_PCT ? 'bad' : 'good')
      : tile('Largest query change', '–', 'no queries timed', ''),
  );
  const errors = r.steps.filter((s) => s.error).length;
  items.push(tile('Step errors', String(errors), errors ? `in ${[...new Set(r.steps.filter((s) => s.error).map((s) => passStyle(s.pass).label))].join(', ')}` : 'every step ran', errors ? 'bad' : 'good'));
  return tiles(items);
}

/** "orders by 1.add-column (up, up again)" — one entry per step id. */
function rewriteSummary(steps: StepTrace[]): string {
  const by = new Map<string, string[]>();
  for (const s of steps) {
    const k = `${s.rewrites.join(', ')} by ${s.id}`;
    by.set(k, [...(by.get(k) ?? []), passStyle(s.pass).label]);
  }
  return [...by].map(([k, passes]) => `${k} (${passes.join(', ')})`).join('; ');
}

// ───────────────────────────── checks ─────────────────────────────

function checksList(checks: Check[]): string {
  return statusList(
    checks.map((c) => ({
      state: c.ok ? 'pass' : 'fail',
      name: c.name,
      status: c.ok ? 'passed' : 'failed',
      detail: c.detail,
      attrs: ` data-check="${esc(c.name)}" data-ok="${c.ok}"`,
      extra: c.diff?.length ? diffBlock(c.diff) : '',
    })),
    'No checks ran.',
  );
}

function diffBlock(lines: string[]): string {
  const cls = (l: string) => (l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : 'ctx');
  return `<pre class="diff" aria-label="diff"><code>${lines.map((l) => `<span class="dl ${cls(l)}">${esc(l)}</span>`).join('')}</code></pre>`;
}

// ───────────────────────────── timeline ─────────────────────────────

const TL = { W: 1000, labelR: 196, L: 208, R: 976, axis: 26, header: 26, barH: 12, strip: 4, stripGap: 2, padTop: 6, padBottom: 9 };

function timelineLegend(): string {
  const locks = lockModes
    .map((m) => {
      const c = LOCK_COLORS[m];
      return `<li><span class="chip" style="background:${c.fill};color:${c.ink}">${c.abbr}</span>${esc(sqlLockName(m))}</li>`;
    })
    .join('');
  return `<div class="legend" aria-label="Legend">
  <div class="legend-row"><span class="legend-title">Lock held</span><div class="legend-body"><ul class="locks-legend">${locks}</ul><span class="legend-hint">weakest → strongest</span></div></div>
  <div class="legend-row"><span class="legend-title">Marks</span><div class="legend-body">
    <span class="legend-item"><svg width="28" height="12" aria-hidden="true"><rect x="0" y="1" width="28" height="7" rx="2" fill="#60a5fa"/><rect x="0" y="9" width="16" height="3" fill="#800026"/></svg> step duration, lock held under it</span>
    <span class="legend-item"><svg width="12" height="12" aria-hidden="true"><path d="M6 0 L12 6 L6 12 L0 6 Z" fill="#be185d"/></svg> table rewritten</span>
    <span class="legend-item"><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="6" fill="#dc2626"/><path d="M3.5 3.5 L8.5 8.5 M8.5 3.5 L3.5 8.5" stroke="#fff" stroke-width="1.6"/></svg> step failed</span>
  </div></div>
</div>`;
}

function timeline(r: RehearsalReport): string {
  if (!r.steps.length) return '<p class="empty">No steps ran.</p>';
  const groups = byPass(r.steps);
  let maxT = 0;
  for (const s of r.steps) {
    maxT = Math.max(maxT, fin(s.startMs) + Math.max(0, fin(s.durationMs)));
    for (const l of s.locks) maxT = Math.max(maxT, fin(s.startMs) + Math.max(0, fin(l.heldMs)));
  }
  const dom = maxT > 0 ? maxT * 1.015 : 1;
  const tk = ticks(maxT, 8).filter((t) => t <= dom);
  const X = (t: number) => TL.L + (Math.min(Math.max(fin(t), 0), dom) / dom) * (TL.R - TL.L);

  const body: string[] = [];
  let y = TL.axis;
  for (const g of groups) {
    const ps = passStyle(g.pass);
    const first = fin(g.steps[0]?.startMs ?? 0);
    const last = Math.max(...g.steps.map((s) => fin(s.startMs) + Math.max(0, fin(s.durationMs))));
    const rowsH = g.steps.reduce((h, s) => h + rowHeight(s), 0);
    body.push(
      `<g class="pass" data-pass="${esc(g.pass)}"><title>${esc(`${ps.label}: ${plural(g.steps.length, 'step')}, ${formatMs(first)} → ${formatMs(last)} (${formatMs(last - first)})`)}</title>` +
        `<rect x="0" y="${n(y)}" width="${TL.W}" height="${n(TL.header + rowsH)}" fill="${ps.tint}" opacity="0.55"/>` +
        `<rect x="0" y="${n(y)}" width="4" height="${n(TL.header + rowsH)}" fill="${ps.ink}"/>` +
        `<text x="14" y="${n(y + 17)}" class="pass-name" style="fill:${ps.ink}">${esc(ps.label.toUpperCase())}</text>` +
        `<text x="104" y="${n(y + 17)}" class="pass-meta">${esc(`${plural(g.steps.length, 'step')} · ${formatMs(last - first)}`)}</text>` +
        `<rect x="${n(X(first))}" y="${n(y + 19)}" width="${n(Math.max(2, X(last) - X(first)))}" height="3" rx="1.5" fill="${ps.ink}" opacity="0.28"><title>${esc(`${ps.label} pass: ${formatMs(first)} → ${formatMs(last)}`)}</title></rect>` +
        `</g>`,
    );
    y += TL.header;
    for (const s of g.steps) {
      body.push(stepRow(s, y, X, ps));
      y += rowHeight(s);
    }
    y += 8;
  }
  const plotBottom = y;
  const H = plotBottom + TL.axis + 18;
  const grid = tk
    .map((t) => {
      const x = n(X(t));
      return `<line x1="${x}" x2="${x}" y1="${TL.axis - 4}" y2="${n(plotBottom)}" class="grid"/>` +
        `<text x="${x}" y="${TL.axis - 9}" class="tick" text-anchor="middle">${esc(axisLabel(t))}</text>` +
        `<text x="${x}" y="${n(plotBottom + 16)}" class="tick" text-anchor="middle">${esc(axisLabel(t))}</text>`;
    })
    .join('');
  return `<figure class="chart"><svg class="timeline" viewBox="0 0 ${TL.W} ${n(H)}" width="100%" role="group" aria-labelledby="tl-title" preserveAspectRatio="xMinYMin meet">
<title id="tl-title">${esc(`Timeline of ${plural(r.steps.length, 'step')}: x is time since the up pass started (0 to ${formatMs(dom)})`)}</title>
<defs><pattern id="hatch-error" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fecaca"/><rect width="3" height="6" fill="#dc2626"/></pattern></defs>
<g class="axis">${grid}</g>
${body.join('\n')}
<text x="${n((TL.L + TL.R) / 2)}" y="${n(H - 4)}" class="axis-caption" text-anchor="middle">time since the up pass started</text>
</svg></figure>`;
}

function rowHeight(s: StepTrace): number {
  const strips = s.locks.length ? TL.stripGap + s.locks.length * (TL.strip + 1) : 0;
  return Math.max(26, TL.padTop + TL.barH + strips + TL.padBottom);
}

function stepRow(s: StepTrace, y: number, X: (t: number) => number, ps: PassStyle): string {
  const start = fin(s.startMs);
  const dur = Math.max(0, fin(s.durationMs));
  const x0 = X(start);
  const w = Math.max(3, X(start + dur) - x0);
  const by = y + TL.padTop;
  const cy = by + TL.barH / 2;
  const err = !!s.error;
  const parts: string[] = [];

  const tip = [
    `${s.id} — ${passStyle(s.pass).label}${s.group ? `, ${s.group}` : ''}`,
    `starts at ${formatMs(start)}, takes ${formatMs(dur)}`,
    ...s.locks.map((l) => `${lockStyle(l.mode).name} on ${l.relation}, held ${formatMs(fin(l.heldMs))}`),
    ...(s.locks.length ? [] : ['no table lock seen']),
    ...(s.rewrites.length ? [`rewrote ${s.rewrites.join(', ')} (relfilenode changed)`] : []),
    ...(s.claim && !s.claim.agrees ? [`claim disagrees: ${s.claim.disagreement ?? 'observed effects differ from the effects table'}`] : []),
    ...(s.error ? [`ERROR: ${s.error.message}`] : []),
    '',
    s.sql,
  ].join('\n');

  // Left label: the step id.
  const maxChars = Math.floor((TL.labelR - 14) / (11 * 0.61));
  parts.push(`<text x="${TL.labelR}" y="${n(cy + 4)}" text-anchor="end" class="step-id${err ? ' err' : ''}">${esc(cutMiddle(s.id, maxChars))}</text>`);
  // The bar.
  parts.push(
    `<rect class="bar" x="${n(x0)}" y="${n(by)}" width="${n(w)}" height="${TL.barH}" rx="2" fill="${err ? 'url(#hatch-error)' : ps.bar}"${err ? ' stroke="#b91c1c" stroke-width="1"' : ''} data-value="${esc(formatMs(dur))}"/>`,
  );
  // Lock strips under it, as long as each lock was held.
  s.locks.forEach((l, i) => {
    const st = lockStyle(l.mode);
    const sy = by + TL.barH + TL.stripGap + i * (TL.strip + 1);
    const sw = Math.max(3, X(start + Math.max(0, fin(l.heldMs))) - x0);
    parts.push(
      `<rect class="lock" x="${n(x0)}" y="${n(sy)}" width="${n(sw)}" height="${TL.strip}" fill="${st.fill}"${st.mode === 'AccessShare' || st.mode === 'RowShare' ? ' stroke="#c9a227" stroke-width="0.5"' : ''} data-mode="${esc(st.name)}" data-relation="${esc(l.relation)}" data-value="${esc(formatMs(fin(l.heldMs)))}"><title>${esc(`${st.name} on ${l.relation}: held ${formatMs(fin(l.heldMs))}`)}</title></rect>`,
    );
  });

  // Markers at the bar's end.
  let mx = x0 + w + 3;
  const marks: string[] = [];
  if (s.rewrites.length) {
    marks.push(`<path class="rewrite-mark" d="M${n(mx + 6)} ${n(cy - 6)} L${n(mx + 12)} ${n(cy)} L${n(mx + 6)} ${n(cy + 6)} L${n(mx)} ${n(cy)} Z" fill="#be185d"><title>${esc(`rewrote ${s.rewrites.join(', ')}`)}</title></path>`);
    mx += 15;
  }
  if (err) {
    marks.push(
      `<g class="error-mark"><title>${esc(`error: ${s.error?.message ?? ''}`)}</title><circle cx="${n(mx + 6)}" cy="${n(cy)}" r="6" fill="#dc2626"/><path d="M${n(mx + 3.5)} ${n(cy - 2.5)} L${n(mx + 8.5)} ${n(cy + 2.5)} M${n(mx + 8.5)} ${n(cy - 2.5)} L${n(mx + 3.5)} ${n(cy + 2.5)}" stroke="#fff" stroke-width="1.6"/></g>`,
    );
    mx += 15;
  }
  parts.push(...marks);

  // The text label: duration, lock chips, rewrite, error — right of the bar, or left when it does not fit.
  const dText = formatMs(dur);
  const pieces: { w: number; draw: (x: number) => string }[] = [];
  pieces.push({ w: textW(dText, 11, 'bold') + 8, draw: (x) => `<text x="${n(x)}" y="${n(cy + 4)}" class="dur">${esc(dText)}</text>` });
  for (const l of s.locks) {
    const st = lockStyle(l.mode);
    const rel = cutEnd(l.relation, 28);
    const cw = textW(st.abbr, 9, 'bold') + 8;
    pieces.push({
      w: cw + 4 + textW(rel, 10.5) + 8,
      draw: (x) =>
        `<g class="lock-chip"><title>${esc(`${st.name} on ${l.relation}: held ${formatMs(fin(l.heldMs))}`)}</title><rect x="${n(x)}" y="${n(cy - 6.5)}" width="${n(cw)}" height="13" rx="3" fill="${st.fill}"/><text x="${n(x + cw / 2)}" y="${n(cy + 3.2)}" text-anchor="middle" class="chip-text" style="fill:${st.ink}">${esc(st.abbr)}</text><text x="${n(x + cw + 4)}" y="${n(cy + 4)}" class="rel">${esc(rel)}</text></g>`,
    });
  }
  if (s.rewrites.length) {
    const t = `rewrites ${cutEnd(s.rewrites.join(', '), 30)}`;
    pieces.push({ w: textW(t, 10.5, 'bold') + 8, draw: (x) => `<text x="${n(x)}" y="${n(cy + 4)}" class="rewrite-text">${esc(t)}</text>` });
  }
  const fixedW = pieces.reduce((a, p) => a + p.w, 0);
  const errorPiece = (chars: number) => {
    const t = `error: ${cutEnd(s.error?.message ?? '', chars)}`;
    return { w: textW(t, 10.5, 'bold') + 8, draw: (x: number) => `<text x="${n(x)}" y="${n(cy + 4)}" class="err-text">${esc(t)}</text>` };
  };
  const right = TL.W - 4 - (mx + 4);
  const left = x0 - 8 - TL.L;
  let chars = 64;
  if (s.error) {
    const need = fixedW + errorPiece(chars).w;
    if (need > right && need > left) {
      // Neither side holds the whole message: shorten it on the roomier side (it is printed in full below the chart).
      chars = Math.floor((Math.max(right, left) - fixedW - 8) / (10.5 * 0.64)) - 7;
    }
    if (chars >= 12) pieces.push(errorPiece(chars));
  }
  const total = pieces.reduce((a, p) => a + p.w, 0);
  let lx: number;
  if (total <= right) lx = mx + 4;
  else if (total <= left) lx = x0 - 8 - total;
  else lx = right >= left ? mx + 4 : Math.max(TL.L, x0 - 8 - total);
  const label: string[] = [];
  for (const p of pieces) {
    label.push(p.draw(lx));
    lx += p.w;
  }
  parts.push(`<g class="step-label">${label.join('')}</g>`);

  return `<g class="step${err ? ' has-error' : ''}${s.rewrites.length ? ' has-rewrite' : ''}" data-step="${esc(s.id)}" data-pass="${esc(s.pass)}" data-start-ms="${esc(start)}" data-duration-ms="${esc(dur)}" data-value="${esc(dText)}"><title>${esc(tip)}</title>${parts.join('')}</g>`;
}

function stepErrors(steps: StepTrace[]): string {
  const errs = steps.filter((s) => s.error);
  if (!errs.length) return '';
  return `<div class="errors">${errs
    .map(
      (s) => `<div class="step-error" data-step="${esc(s.id)}">
  <div class="step-error-head"><span class="pass-tag" style="color:${passStyle(s.pass).ink}">${esc(passStyle(s.pass).label)}</span> <span class="mono">${esc(s.id)}</span> failed${s.error?.position !== undefined ? ` <span class="muted">at character ${esc(s.error.position)}</span>` : ''}</div>
  <div class="step-error-msg">${esc(s.error?.message ?? '')}</div>
  <pre class="code">${esc(s.error?.codeFrame ?? s.sql)}</pre>
</div>`,
    )
    .join('')}</div>`;
}

// ───────────────────────────── latency ─────────────────────────────

function latency(queries: QueryTiming[], workload?: string): string {
  // Where the queries came from (a workload file, the source's pg_stat_statements, derived), as the terminal says it.
  const origin = workload ? `<p class="muted small workload">workload: ${esc(workload)}</p>` : '';
  if (!queries.length) return `${origin}<p class="empty">No queries were timed.</p>`;
  return origin + compareChart({
    svgClass: 'latency',
    titleId: 'lat-title',
    title: `Latency of ${plural(queries.length, 'query', 'queries')} before and after the change (p50 bars, p95 whiskers)`,
    note: `${swatch('before')}before ${swatch('after')}after ${swatch('worse')}after, more than ${REGRESSION_PCT}% slower · bar = p50, whisker = p95 · each query on its own scale`,
    rows: queries.map(queryRow),
  });
}

function queryRow(q: QueryTiming): CompareRow {
  const worse = fin(q.changePct) > REGRESSION_PCT;
  const better = fin(q.changePct) < -REGRESSION_PCT;
  const side = (which: 'before' | 'after', l: QueryTiming['before'], fill: string): CompareSide => {
    const p50 = formatMs(fin(l.p50));
    const p95 = formatMs(fin(l.p95));
    return {
      which,
      value: l.p50,
      text: p50,
      barClass: 'p50-bar',
      textClass: `p50-${which}`,
      fill,
      title: `${which}: p50 ${p50}, p95 ${p95}, mean ${formatMs(fin(l.mean))}`,
      attrs: ` data-p50="${esc(fin(l.p50))}" data-p95="${esc(fin(l.p95))}"`,
      whisker: { value: l.p95, text: p95, className: 'p95-whisker' },
      extra: { text: `p95 ${p95}`, className: 'p95-text' },
    };
  };
  const pct = formatPct(q.changePct);
  const tip = `${q.name}\n${ORIGIN[q.origin] ?? q.origin}, ${plural(q.runs, 'run')}\nbefore: p50 ${formatMs(fin(q.before.p50))}, p95 ${formatMs(fin(q.before.p95))}, mean ${formatMs(fin(q.before.mean))}\nafter: p50 ${formatMs(fin(q.after.p50))}, p95 ${formatMs(fin(q.after.p95))}, mean ${formatMs(fin(q.after.mean))}\nchange (p50): ${pct}${q.change ? `, 95 % interval ${formatPct((q.change.low - 1) * 100)} … ${formatPct((q.change.high - 1) * 100)}, ${q.change.significant ? 'beyond' : 'within'} the measurement noise (p = ${q.change.pValue.toPrecision(2)})` : ''}\n\n${q.sql}`;
  return {
    cls: `query${worse ? ' regression' : ''}`,
    attrs: ` data-query="${esc(q.name)}" data-change-pct="${esc(fin(q.changePct))}"`,
    title: tip,
    name: q.name,
    sub: q.sql,
    metaHtml: `${esc(`${ORIGIN[q.origin] ?? q.origin} · ${plural(q.runs, 'run')}`)}${q.planBefore && q.planAfter && !sameLines(q.planBefore, q.planAfter) ? ' · <tspan class="q-plan">plan changed</tspan>' : ''}`,
    before: side('before', q.before, BAR.before),
    after: side('after', q.after, worse ? BAR.worse : BAR.after),
    pill: {
      text: pct,
      tone: worse ? 'worse' : better ? 'better' : 'same',
      title: `p50 change: ${pct}${worse ? ` (slower by more than ${REGRESSION_PCT}%)` : ''}`,
      caption: worse ? 'slower' : better ? 'faster' : 'p50 change',
    },
  };
}

const ORIGIN: Record<string, string> = { 'workload-file': 'workload file', pg_stat_statements: 'pg_stat_statements', performance_schema: 'performance_schema digests', derived: 'derived from the change' };
const sameLines = (a: string[], b: string[]): boolean => a.length === b.length && a.every((l, i) => l === b[i]);

function planChanges(queries: QueryTiming[]): string {
  const changed = queries.filter((q) => (q.planBefore || q.planAfter) && !sameLines(q.planBefore ?? [], q.planAfter ?? []));
  if (!changed.length) return queries.length ? '<p class="muted plans-none">No EXPLAIN plan shape changed.</p>' : '';
  return `<div class="plans"><h3>Plan shape changes</h3>${changed
    .map((q) => {
      const worse = fin(q.changePct) > REGRESSION_PCT;
      return `<div class="plan" data-query="${esc(q.name)}"><div class="plan-head"><b>${esc(q.name)}</b> <span class="pct ${worse ? 'worse' : ''}">${esc(formatPct(q.changePct))}</span></div>${diffBlock(lineDiff(q.planBefore ?? [], q.planAfter ?? []))}</div>`;
    })
    .join('')}</div>`;
}

/** A unified line diff (LCS): "  same", "- only before", "+ only after". */
function lineDiff(a: string[], b: string[]): string[] {
  const m = a.length;
  const k = b.length;
  const L: number[][] = Array.from({ length: m + 1 }, () => new Array<number>(k + 1).fill(0));
  for (let i = m - 1; i >= 0; i--)
    for (let j = k - 1; j >= 0; j--) L[i]![j] = a[i] === b[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < m && j < k) {
    if (a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (L[i + 1]![j]! >= L[i]![j + 1]!) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  while (i < m) out.push(`- ${a[i++]}`);
  while (j < k) out.push(`+ ${b[j++]}`);
  return out;
}

// ───────────────────────────── stall ─────────────────────────────

function stalls(r: RehearsalReport): string {
  if (!r.steps.length) return '<p class="empty">No steps ran.</p>';
  const none = stallNotMeasured(r.sandbox.kind);
  const measured = r.steps.filter((s) => s.stallMs !== null && Number.isFinite(s.stallMs));
  const note = measured.length
    ? ''
    : `<p class="chart-note">${r.sandbox.kind === 'pglite' ? 'PGlite runs in this process with a single connection, so no probe can run beside a step. Rehearse on a server sandbox to measure stalls.' : 'No stall was measured for any step.'}</p>`;
  const groups = byPass(r.steps);
  const rowH = measured.length ? 22 : 19;
  const max = Math.max(0, ...measured.map((s) => s.stallMs ?? 0));
  const dom = max > 0 ? max * 1.08 : 1;
  const tk = measured.length ? ticks(max, 6).filter((t) => t <= dom) : [];
  const X = (v: number) => TL.L + (Math.max(0, fin(v)) / dom) * (TL.R - TL.L - 80);
  const top = measured.length ? 22 : 4;
  const body: string[] = [];
  let y = top;
  for (const g of groups) {
    const ps = passStyle(g.pass);
    body.push(`<text x="14" y="${n(y + 13)}" class="pass-name small" style="fill:${ps.ink}">${esc(ps.label.toUpperCase())}</text>`);
    y += 18;
    for (const s of g.steps) {
      const cy = y + rowH / 2;
      const maxChars = Math.floor((TL.labelR - 14) / (11 * 0.61));
      const label = `<text x="${TL.labelR}" y="${n(cy + 4)}" text-anchor="end" class="step-id">${esc(cutMiddle(s.id, maxChars))}</text>`;
      if (s.stallMs === null || !Number.isFinite(s.stallMs)) {
        body.push(
          `<g class="stall not-measured" data-step="${esc(s.id)}" data-pass="${esc(s.pass)}" data-value="${esc(none)}"><title>${esc(`${s.id} (${ps.label}): stall ${none}`)}</title>${label}` +
            `<rect x="${TL.L}" y="${n(cy - 5)}" width="18" height="10" rx="2" class="nm-box"/><text x="${TL.L + 26}" y="${n(cy + 4)}" class="nm-text">${esc(none)}</text></g>`,
        );
      } else {
        const v = s.stallMs;
        const t = formatMs(v);
        const w = Math.max(2, X(v) - TL.L);
        body.push(
          `<g class="stall" data-step="${esc(s.id)}" data-pass="${esc(s.pass)}" data-stall-ms="${esc(v)}" data-value="${esc(t)}"><title>${esc(`${s.id} (${ps.label}): longest stall ${t}`)}</title>${label}` +
            `<rect x="${TL.L}" y="${n(cy - 6)}" width="${n(w)}" height="12" rx="2" fill="${ps.bar}"/><text x="${n(TL.L + w + 6)}" y="${n(cy + 4)}" class="dur">${esc(t)}</text></g>`,
        );
      }
      y += rowH;
    }
    y += 6;
  }
  const grid = tk
    .map((t) => `<line x1="${n(X(t))}" x2="${n(X(t))}" y1="${top - 4}" y2="${n(y)}" class="grid"/><text x="${n(X(t))}" y="${top - 8}" text-anchor="middle" class="tick">${esc(axisLabel(t))}</text>`)
    .join('');
  return `${note}<figure class="chart"><svg class="stalls" viewBox="0 0 ${TL.W} ${n(y + 4)}" width="100%" role="group" aria-labelledby="stall-title">
<title id="stall-title">${esc(measured.length ? `Longest stall per step (0 to ${formatMs(dom)})` : `Stall per step: ${none}`)}</title>
<g class="axis">${grid}</g>
${body.join('\n')}
</svg></figure>`;
}

// ───────────────────────────── tables ─────────────────────────────

function stepsTable(r: RehearsalReport): string {
  if (!r.steps.length) return '';
  const none = stallNotMeasured(r.sandbox.kind);
  const rowsHtml = byPass(r.steps)
    .flatMap((g) => g.steps)
    .map((s) => {
      const ps = passStyle(s.pass);
      const locks = s.locks.length
        ? s.locks
            .map((l) => {
              const st = lockStyle(l.mode);
              return `<span class="chip" style="background:${st.fill};color:${st.ink}" title="${esc(st.name)}">${esc(st.abbr)}</span> ${esc(l.relation)} <span class="muted">${esc(formatMs(fin(l.heldMs)))}</span>`;
            })
            .join('<br>')
        : `<span class="muted">${s.observed === 'none' ? 'not observed' : 'none'}</span>`;
      const claim = s.claim
        ? s.claim.agrees
          ? '<span class="ok-text">agrees</span>'
          : `<span class="bad-text">disagrees</span>${s.claim.disagreement ? `: ${esc(s.claim.disagreement)}` : ''}`
        : '<span class="muted">–</span>';
      return `<tr${s.error ? ' class="row-error"' : ''}><td><span class="pass-tag" style="color:${ps.ink}">${esc(ps.label)}</span></td><td class="mono">${esc(s.id)}<div class="muted small">${esc(s.group)}</div></td><td class="num">${esc(formatMs(fin(s.startMs)))}</td><td class="num">${esc(formatMs(fin(s.durationMs)))}</td><td>${locks}</td><td>${s.rewrites.length ? esc(s.rewrites.join(', ')) : '<span class="muted">no</span>'}</td><td class="num">${s.stallMs === null ? `<span class="muted">${esc(none)}</span>` : esc(formatMs(s.stallMs))}</td><td>${claim}</td><td><code class="sql">${esc(s.sql)}</code>${s.error ? `<div class="bad-text small">${esc(s.error.message)}</div>` : ''}</td></tr>`;
    })
  return dataTable({
    summary: `Steps (${r.steps.length})`,
    cls: 'steps-table',
    head: '<th>Pass</th><th>Step</th><th class="num">Start</th><th class="num">Duration</th><th>Locks (held)</th><th>Rewrites</th><th class="num">Stall</th><th>Claim</th><th>SQL</th>',
    rows: rowsHtml,
  });
}

function queriesTable(queries: QueryTiming[]): string {
  if (!queries.length) return '';
  const rowsHtml = queries
    .map(
      (q) =>
        `<tr><td>${esc(q.name)}<div><code class="sql">${esc(q.sql)}</code></div></td><td>${esc(ORIGIN[q.origin] ?? q.origin)}</td><td class="num">${esc(rows(q.runs))}</td>` +
        `<td class="num">${esc(formatMs(fin(q.before.p50)))}</td><td class="num">${esc(formatMs(fin(q.after.p50)))}</td><td class="num">${esc(formatMs(fin(q.before.p95)))}</td><td class="num">${esc(formatMs(fin(q.after.p95)))}</td>` +
        `<td class="num">${esc(formatMs(fin(q.before.mean)))}</td><td class="num">${esc(formatMs(fin(q.after.mean)))}</td><td class="num ${fin(q.changePct) > REGRESSION_PCT && (q.change?.significant ?? true) ? 'bad-text' : ''}">${esc(formatPct(q.changePct))}</td>` +
        `<td class="num" data-low="${esc(q.change?.low ?? '')}" data-high="${esc(q.change?.high ?? '')}">${q.change ? esc(`${formatPct((q.change.low - 1) * 100)} … ${formatPct((q.change.high - 1) * 100)}`) : '–'}</td>` +
        `<td data-significant="${esc(q.change?.significant ?? '')}">${q.change ? esc(`${q.change.significant ? 'yes' : 'no'} (p = ${q.change.pValue.toPrecision(2)})`) : 'too few runs'}</td></tr>`,
    )
  return dataTable({
    summary: `Queries (${queries.length})`,
    cls: 'queries-table',
    head: '<th>Query</th><th>Origin</th><th class="num">Runs</th><th class="num">p50 before</th><th class="num">p50 after</th><th class="num">p95 before</th><th class="num">p95 after</th><th class="num">mean before</th><th class="num">mean after</th><th class="num">Change</th><th class="num">95 % interval</th><th title="the 95 % bootstrap interval of the ratio of medians excludes no change, and Mann-Whitney p &lt; 0.05">Beyond noise</th>',
    rows: rowsHtml,
  });
}

// ───────────────────────────── style ─────────────────────────────

/** The rehearsal report's own rules, after the shared ones (BASE_CSS). */
const CSS = `ul.data{list-style:none;margin:0;padding:0}
pre.diff{background:#f8fafc;border:1px solid var(--line);border-radius:8px;padding:8px 0;font-size:12.5px;line-height:1.55}
.dl{display:block;padding:0 12px;white-space:pre}
.dl.add{background:#e6ffec;color:#116329}.dl.del{background:#ffebe9;color:#a40e26}.dl.hunk{color:#0969da;background:#ddf4ff}.dl.ctx{color:#4b5563}
pre.code{background:#1f2937;color:#f9fafb;border-radius:8px;padding:10px 12px;font-size:12.5px;white-space:pre}
.legend{display:flex;flex-direction:column;gap:6px;margin:-4px 0 10px;font-size:12px;color:var(--ink2)}
.legend-row{display:grid;grid-template-columns:84px 1fr;align-items:baseline;gap:10px}
.legend-body{display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px}
.legend-title{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600;width:84px;white-space:nowrap}
ul.locks-legend{list-style:none;display:contents;margin:0;padding:0}
ul.locks-legend li{display:flex;align-items:center;gap:5px;white-space:nowrap}
.legend-hint{color:var(--muted);font-style:italic}
.legend-item{display:inline-flex;align-items:center;gap:6px}
.chip{display:inline-block;min-width:26px;text-align:center;font:700 10px/16px var(--sans);border-radius:4px;padding:0 4px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
svg .pass-name{font-size:11.5px;font-weight:700;letter-spacing:.08em}
svg .pass-name.small{font-size:10.5px}
svg .pass-meta{font-size:11px;fill:var(--muted)}
svg .step-id{font-family:var(--mono);font-size:11px;fill:var(--ink)}
svg .step-id.err{fill:#b91c1c;font-weight:700}
svg .chip-text{font-size:9px;font-weight:700}
svg .rel{font-size:10.5px;fill:var(--muted);font-family:var(--mono)}
svg .rewrite-text{font-size:10.5px;font-weight:700;fill:#be185d}
svg .err-text{font-size:10.5px;fill:#b91c1c;font-weight:600}
svg .q-plan{fill:#b45309;font-weight:700}
.plans h3{margin-top:16px}
.plan{margin:0 0 12px}
.plan-head{font-size:13px}
.plans-none{font-size:12.5px;margin:6px 0 0}
.errors{margin-top:14px}
.step-error{border:1px solid #fecaca;background:#fef2f2;border-radius:10px;padding:10px 14px;margin-top:8px}
.step-error-head{font-weight:600}
.step-error-msg{color:var(--bad);font-weight:600;margin-top:2px;overflow-wrap:anywhere}
.pass-tag{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.06em}
tr.row-error td{background:#fef2f2}`;
