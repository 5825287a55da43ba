/**
 * The pieces every lockstep HTML report is built from (the rehearsal report and the verify report):
 * escaping, number formatting, the page shell with its Content-Security-Policy, the header with the
 * verdict, summary tiles, callouts, cards, a status list, a before → after bar chart, tables of the
 * numbers and the shared stylesheet.
 *
 * A page is self-contained: inline CSS and SVG drawn here, no script, no fonts, no network. The CSP
 * forbids all of it, so a report opens the same from a CI artefact, a mail attachment or a laptop
 * without network. Every string from a report goes through `esc`; every plotted value is also text
 * (a <title> on its SVG element, data-* attributes, visible labels, tables at the end).
 */

// ───────────────────────────── formatting ─────────────────────────────

const trimZeros = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

/** A duration in ms as people read it: "0.042 ms", "3.8 ms", "215 ms", "3.91 s", "2 min 5 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 0.001) return `${sign}<0.001 ms`;
  if (a < 1) return `${sign}${trimZeros(a.toPrecision(2))} ms`;
  if (a < 10) return `${sign}${trimZeros(a.toFixed(2))} ms`;
  if (a < 100) return `${sign}${trimZeros(a.toFixed(1))} ms`;
  if (a < 999.5) return `${sign}${Math.round(a)} ms`;
  const s = a / 1000;
  if (s < 9.995) return `${sign}${trimZeros(s.toFixed(2))} s`;
  if (s < 59.95) return `${sign}${trimZeros(s.toFixed(1))} s`;
  const whole = Math.round(s);
  return `${sign}${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** A change in percent with its sign: "+35%", "−4.2%", "±0%"; "n/a" when it is not a number. */
export function formatPct(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  const a = Math.abs(p);
  const body = a < 9.95 ? trimZeros(a.toFixed(1)) : String(Math.round(a));
  if (body === '0') return '±0%';
  return `${p > 0 ? '+' : '−'}${body}%`;
}

/** A whole count with thousands separators: "1,234"; "–" when it is not a number. */
export const formatCount = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');

/** Events per second: "0/s", "<0.01/s", "0.42/s", "12.3/s", "1,234/s"; "–" when not a number. */
export function formatRate(perS: number): string {
  if (!Number.isFinite(perS)) return '–';
  const a = Math.abs(perS);
  const sign = perS < 0 ? '−' : '';
  if (a === 0) return '0/s';
  if (a < 0.01) return `${sign}<0.01/s`;
  if (a < 10) return `${sign}${trimZeros(a.toFixed(2))}/s`;
  if (a < 100) return `${sign}${trimZeros(a.toFixed(1))}/s`;
  return `${sign}${Math.round(a).toLocaleString('en-US')}/s`;
}

/** An ISO timestamp as "2026-11-27 14:03:12 UTC"; anything else unchanged. */
export function isoWhen(s: string): string {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

// ───────────────────────────── escaping and small helpers ─────────────────────────────

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML-safe. Control characters (invalid in HTML) become U+FFFD. */
export function esc(v: unknown): string {
  return String(v)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A number, or 0 when it is NaN or infinite (for coordinates). */
export const fin = (v: number): number => (Number.isFinite(v) ? v : 0);
/** SVG coordinate: one decimal is plenty. */
export const n = (v: number): string => String(Math.round(fin(v) * 10) / 10);
export const plural = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;

/** Cut to `max` characters with an ellipsis in the middle (keeps the distinguishing tail of ids). */
export function cutMiddle(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.ceil((max - 1) * 0.55);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}
/** Whitespace folded to one space, cut to `max` characters with an ellipsis at the end. */
export function cutEnd(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
/** Rough text width in SVG user units (DejaVu/Liberation-like metrics). */
export const textW = (s: string, size: number, kind: 'sans' | 'bold' | 'mono' = 'sans'): number => s.length * size * (kind === 'bold' ? 0.64 : kind === 'mono' ? 0.61 : 0.58);

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}
/** Axis ticks from 0 to at least `max`, about `target` of them, at 1/2/2.5/5 × 10ⁿ. */
export function ticks(max: number, target: number): number[] {
  const m = max > 0 && Number.isFinite(max) ? max : 1;
  const step = niceStep(m / target);
  const count = Math.max(1, Math.ceil(m / step - 1e-9));
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}
/** A time axis tick's label: "0", then formatted durations. */
export const axisLabel = (v: number): string => (v === 0 ? '0' : formatMs(v));

// ───────────────────────────── page, header, tiles, callouts, cards ─────────────────────────────

/** The page: a CSP that allows inline styles and nothing else, the stylesheet, and `body` in <main>. */
export function htmlPage(o: { title: string; css: string; mainAttrs: string; body: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="generator" content="lockstep">
<title>${esc(o.title)}</title>
<style>${o.css}</style>
</head>
<body>
<main class="page"${o.mainAttrs}>
${o.body}
</main>
</body>
</html>
`;
}

/** One `<dt>/<dd>` pair of the header; `html` is already escaped. */
export const metaItem = (label: string, html: string): string => `<div><dt>${esc(label)}</dt><dd>${html}</dd></div>`;

/** The header: what the report is about, facts about it, and the verdict tile on the right. */
export function hero(o: { ok: boolean; eyebrow: string; subject: string; meta: string[]; verdict: string; verdictLine: string }): string {
  return `<header class="hero ${o.ok ? 'ok' : 'bad'}">
  <div class="hero-main">
    <div class="eyebrow">${esc(o.eyebrow)}</div>
    <h1 class="subject">${esc(o.subject)}</h1>
    <dl class="meta">
      ${o.meta.join('\n      ')}
    </dl>
  </div>
  <div class="verdict ${o.ok ? 'pass' : 'fail'}" role="status" aria-label="Verdict: ${esc(o.verdict)}">
    <div class="verdict-icon" aria-hidden="true">${o.ok ? '✓' : '✕'}</div>
    <div class="verdict-word">${esc(o.verdict)}</div>
    <div class="verdict-line">${esc(o.verdictLine)}</div>
  </div>
</header>`;
}

export type Tone = 'good' | 'bad' | 'warn' | '';

/** A summary tile: a label, a big value and a line under it. */
export function tile(label: string, value: string, sub: string, tone: Tone): string {
  return `<div class="tile ${tone}"><div class="tile-label">${esc(label)}</div><div class="tile-value">${esc(value)}</div><div class="tile-sub" title="${esc(sub)}">${esc(sub)}</div></div>`;
}
export const tiles = (items: string[]): string => `<section class="tiles" aria-label="Summary">${items.join('')}</section>`;

/** A note above the cards: `warn` (amber, "!") or `info` (blue, "i"); `html` is already escaped. */
export function callout(kind: 'warn' | 'info', id: string, html: string): string {
  return `<aside class="callout ${kind}" role="note" id="${esc(id)}"><div class="callout-icon" aria-hidden="true">${kind === 'warn' ? '!' : 'i'}</div><div>${html}</div></aside>`;
}

/** A section card with a heading (and a muted note beside it); `parts` are already HTML. */
export function card(o: { id: string; title: string; count?: string; cls?: string; parts: string[] }): string {
  return `<section class="card${o.cls ? ` ${o.cls}` : ''}" id="${esc(o.id)}" aria-labelledby="${esc(o.id)}-h">
  <h2 id="${esc(o.id)}-h">${esc(o.title)}${o.count !== undefined ? ` <span class="count">${esc(o.count)}</span>` : ''}</h2>
  ${o.parts.join('\n  ')}
</section>`;
}

// ───────────────────────────── status list ─────────────────────────────

export interface StatusItem {
  /** pass: green ✓; fail: red ✕; info: blue i. */
  state: 'pass' | 'fail' | 'info';
  name: string;
  status: string;
  detail: string;
  /** Attributes on the <li> (already escaped, each with a leading space). */
  attrs: string;
  /** More HTML under the detail (already escaped). */
  extra?: string;
  /** Another class on the <li>. */
  cls?: string;
}

const STATE_ICON = { pass: '✓', fail: '✕', info: 'i' } as const;

/** A list of named results with an icon, a status badge and a detail line (checks, findings). */
export function statusList(items: StatusItem[], empty: string): string {
  if (!items.length) return `<p class="empty">${esc(empty)}</p>`;
  return `<ul class="checks">${items
    .map(
      (c) => `<li class="check${c.cls ? ` ${c.cls}` : ''} ${c.state}"${c.attrs}>
  <span class="check-icon" aria-label="${esc(c.status)}">${STATE_ICON[c.state]}</span>
  <div class="check-body"><div><span class="check-name">${esc(c.name)}</span> <span class="check-status">${esc(c.status)}</span></div>
  <div class="check-detail">${esc(c.detail)}</div>${c.extra ?? ''}</div>
</li>`,
    )
    .join('\n')}</ul>`;
}

// ───────────────────────────── before → after bars ─────────────────────────────

/** Layout of a before → after chart: names on the left, two bars on the group's own scale, a pill. */
export const CMP = { W: 1000, nameX: 0, tagR: 302, L: 310, scaleW: 400, pillX: 880, groupH: 62 };
/** Bar colours: before, after, after when it got worse. */
export const BAR = { before: '#94a3b8', after: '#3b82f6', worse: '#dc2626' };

export interface CompareSide {
  /** Its name: the class (`lat <which>`), data-which and the tag left of the bar unless `tag` is set. */
  which: string;
  tag?: string;
  /** The bar's length on the group's scale; null when there is no value (then `absent` is shown). */
  value: number | null;
  /** The value as shown, right of the bar. */
  text: string;
  /** Classes of the bar (<rect>) and of the value's <tspan>. */
  barClass: string;
  textClass: string;
  fill: string;
  title: string;
  /** Attributes on the side's <g> (already escaped, each with a leading space). */
  attrs?: string;
  /** A whisker from the bar's end to this value (a p95 beside a p50). */
  whisker?: { value: number; text: string; className: string };
  /** Muted text after the value. */
  extra?: { text: string; className: string };
  /** Shown instead of a bar when `value` is null. */
  absent?: string;
}

export interface ComparePill {
  text: string;
  tone: 'worse' | 'better' | 'same';
  title: string;
  caption: string;
}

export interface CompareRow {
  /** Classes and attributes of the row's <g> (attributes already escaped, each with a leading space). */
  cls: string;
  attrs: string;
  title: string;
  name: string;
  /** A second line (SQL, a table), in monospace. */
  sub: string;
  /** A third line; already escaped (it may hold a <tspan>). */
  metaHtml: string;
  before: CompareSide;
  after: CompareSide;
  pill?: ComparePill;
}

function compareBar(s: CompareSide, by: number, X: (v: number) => number): string {
  const cy = by + 6.5;
  const tag = `<text x="${CMP.tagR}" y="${n(cy + 3.5)}" text-anchor="end" class="lat-tag">${esc(s.tag ?? s.which)}</text>`;
  const head = `<g class="lat ${esc(s.which)}${s.value === null ? ' absent' : ''}" data-which="${esc(s.which)}"${s.attrs ?? ''}><title>${esc(s.title)}</title>`;
  if (s.value === null)
    return `${head}${tag}<rect x="${CMP.L}" y="${n(by + 1.5)}" width="18" height="10" rx="2" class="nm-box"/><text x="${CMP.L + 26}" y="${n(cy + 4)}" class="nm-text">${esc(s.absent ?? 'none')}</text></g>`;
  const x1 = X(s.value);
  let parts = `<rect class="${esc(s.barClass)}" x="${CMP.L}" y="${n(by)}" width="${n(Math.max(2, x1 - CMP.L))}" height="13" rx="2" fill="${s.fill}" data-value="${esc(s.text)}"/>`;
  let end = x1;
  if (s.whisker) {
    const x2 = X(s.whisker.value);
    end = Math.max(x1, x2);
    parts +=
      `<line class="${esc(s.whisker.className)}" x1="${n(Math.min(x1, x2))}" x2="${n(end)}" y1="${n(cy)}" y2="${n(cy)}" stroke="#334155" stroke-width="1.3" data-value="${esc(s.whisker.text)}"/>` +
      `<line x1="${n(x2)}" x2="${n(x2)}" y1="${n(cy - 4)}" y2="${n(cy + 4)}" stroke="#334155" stroke-width="1.3"/>`;
  }
  const extra = s.extra ? `<tspan class="${esc(s.extra.className)}" dx="6">${esc(s.extra.text)}</tspan>` : '';
  return `${head}${tag}${parts}<text x="${n(end + 7)}" y="${n(cy + 4)}" class="lat-val"><tspan class="${esc(s.textClass)}">${esc(s.text)}</tspan>${extra}</text></g>`;
}

function comparePill(p: ComparePill, y: number): string {
  const pillW = Math.max(58, textW(p.text, 13, 'bold') + 22);
  return (
    `<g class="change ${p.tone}" data-value="${esc(p.text)}"><title>${esc(p.title)}</title>` +
    `<rect x="${n(CMP.pillX)}" y="${n(y + 10)}" width="${n(pillW)}" height="24" rx="12" class="pill-${p.tone}"/>` +
    `<text x="${n(CMP.pillX + pillW / 2)}" y="${n(y + 26.5)}" text-anchor="middle" class="pill-text pill-text-${p.tone}">${esc(p.text)}</text>` +
    `<text x="${n(CMP.pillX + pillW / 2)}" y="${n(y + 48)}" text-anchor="middle" class="pill-caption">${esc(p.caption)}</text></g>`
  );
}

/** One row of a before → after chart at height `y`: its name, two bars on its own scale, a pill. */
export function compareRow(r: CompareRow, y: number): string {
  const sideMax = (s: CompareSide) => Math.max(s.value === null ? 0 : fin(s.value), s.whisker ? fin(s.whisker.value) : 0);
  const max = Math.max(sideMax(r.before), sideMax(r.after));
  const X = (v: number) => CMP.L + (max > 0 ? (Math.max(0, fin(v)) / max) * CMP.scaleW : 0);
  return (
    `<g class="${r.cls}"${r.attrs}><title>${esc(r.title)}</title>` +
    (y > 10 ? `<line x1="0" x2="${CMP.W}" y1="${n(y - 4)}" y2="${n(y - 4)}" class="sep"/>` : '') +
    `<text x="${CMP.nameX}" y="${n(y + 18)}" class="q-name">${esc(cutEnd(r.name, 36))}</text>` +
    `<text x="${CMP.nameX}" y="${n(y + 34)}" class="q-sql">${esc(cutEnd(r.sub, 38))}</text>` +
    `<text x="${CMP.nameX}" y="${n(y + 49)}" class="q-meta">${r.metaHtml}</text>` +
    compareBar(r.before, y + 8, X) +
    compareBar(r.after, y + 27, X) +
    (r.pill ? comparePill(r.pill, y) : '') +
    `</g>`
  );
}

/** A colour swatch for a chart note: before, after or worse. */
export const swatch = (kind: 'before' | 'after' | 'worse'): string => `<span class="sw ${kind}"></span>`;

/** The chart: a note (already HTML) above one SVG holding every row. */
export function compareChart(o: { svgClass: string; titleId: string; title: string; note: string; rows: CompareRow[] }): string {
  const H = o.rows.length * CMP.groupH + 6;
  const groups = o.rows.map((r, i) => compareRow(r, i * CMP.groupH + 4)).join('\n');
  return `<p class="chart-note">${o.note}</p>
<figure class="chart"><svg class="${esc(o.svgClass)}" viewBox="0 0 ${CMP.W} ${H}" width="100%" role="group" aria-labelledby="${esc(o.titleId)}">
<title id="${esc(o.titleId)}">${esc(o.title)}</title>
${groups}
</svg></figure>`;
}

// ───────────────────────────── tables of numbers ─────────────────────────────

/** A collapsed table: `head` is the <th> cells, `rows` the <tr> elements (already HTML). */
export function dataTable(o: { summary: string; cls: string; head: string; rows: string[] }): string {
  if (!o.rows.length) return '';
  return `<details class="table-wrap"><summary>${esc(o.summary)}</summary><div class="scroll"><table class="${esc(o.cls)}"><thead><tr>${o.head}</tr></thead><tbody>
${o.rows.join('\n')}
</tbody></table></div></details>`;
}

// ───────────────────────────── style ─────────────────────────────

/** The stylesheet every report starts from; a report appends its own rules. */
export const BASE_CSS = `
:root{--ink:#111827;--ink2:#374151;--muted:#6b7280;--line:#e5e7eb;--bg:#f3f4f6;--card:#fff;--good:#15803d;--good-bg:#dcfce7;--bad:#b91c1c;--bad-bg:#fee2e2;--warn:#92400e;--warn-bg:#fef3c7;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Liberation Sans","DejaVu Sans",Arial,sans-serif;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--ink);font:14px/1.5 var(--sans);-webkit-text-size-adjust:100%}
body{margin:0}
.page{max-width:1120px;margin:0 auto;padding:28px 24px 40px}
.mono,code,pre{font-family:var(--mono)}
.muted{color:var(--muted)}
.small{font-size:12px}
h2{font-size:17px;margin:0 0 14px;letter-spacing:-.01em}
h2 .count{font-size:13px;font-weight:400;color:var(--muted);margin-left:8px}
h3{font-size:14px;margin:18px 0 8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 22px;margin:0 0 18px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.hero{display:flex;gap:24px;align-items:stretch;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:22px;margin-bottom:18px;box-shadow:0 1px 2px rgba(16,24,40,.04);border-top:5px solid var(--good)}
.hero.bad{border-top-color:#dc2626}
.hero-main{flex:1;min-width:0}
.eyebrow{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-weight:600}
.subject{font:600 22px/1.3 var(--mono);margin:4px 0 16px;overflow-wrap:anywhere;letter-spacing:-.01em}
.meta{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:10px 28px;margin:0}
.meta>div{min-width:0}
.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.meta dd{margin:1px 0 0;overflow-wrap:anywhere}
.verdict{flex:0 0 190px;border-radius:10px;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;padding:18px 14px}
.verdict.pass{background:var(--good-bg);color:var(--good)}
.verdict.fail{background:var(--bad-bg);color:var(--bad)}
.verdict-icon{width:46px;height:46px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-size:26px;font-weight:700;color:#fff;background:currentColor}
.verdict.pass .verdict-icon{background:#16a34a}.verdict.fail .verdict-icon{background:#dc2626}
.verdict-word{font-size:40px;font-weight:800;letter-spacing:.04em;line-height:1.1;margin-top:8px}
.verdict-line{font-size:13px;font-weight:600;margin-top:4px}
.callout{display:flex;gap:14px;border-radius:12px;padding:14px 18px;margin:0 0 18px;border:1px solid}
.callout ul{margin:6px 0 0;padding-left:20px}.callout li{margin:3px 0}.callout p{margin:4px 0 0}
.callout.warn{background:var(--warn-bg);border-color:#fcd34d;color:#78350f}
.callout.info{background:#eff6ff;border-color:#bfdbfe;color:#1e3a8a}
.callout-icon{flex:0 0 26px;height:26px;border-radius:50%;background:#f59e0b;color:#fff;font-weight:800;display:flex;align-items:center;justify-content:center}
.callout.info .callout-icon{background:#3b82f6}
.tiles{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:12px;margin:0 0 18px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 14px;min-width:0;border-left:4px solid #cbd5e1}
.tile.good{border-left-color:#22c55e}.tile.bad{border-left-color:#ef4444}.tile.warn{border-left-color:#f59e0b}
.tile-label{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tile-value{font-size:24px;font-weight:700;margin:2px 0;font-variant-numeric:tabular-nums}
.tile.bad .tile-value{color:var(--bad)}
.tile-sub{font-size:12px;line-height:1.35;color:var(--muted);overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow-wrap:anywhere}
ul.checks{list-style:none;margin:0;padding:0}
.check{display:flex;gap:12px;padding:10px 0;border-top:1px solid var(--line)}
.check:first-child{border-top:0;padding-top:0}
.check-icon{flex:0 0 22px;height:22px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-size:13px;font-weight:800;color:#fff;margin-top:1px}
.check.pass .check-icon{background:#16a34a}.check.fail .check-icon{background:#dc2626}.check.info .check-icon{background:#3b82f6}
.check-body{min-width:0;flex:1}
.check-name{font:600 13.5px var(--mono)}
.check-status{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;padding:1px 7px;border-radius:9px;margin-left:4px}
.check.pass .check-status{background:var(--good-bg);color:var(--good)}.check.fail .check-status{background:var(--bad-bg);color:var(--bad)}.check.info .check-status{background:#dbeafe;color:#1e40af}
.check-detail{color:var(--ink2);overflow-wrap:anywhere}
pre{margin:8px 0 0;overflow-x:auto}
figure.chart{margin:0}
svg{display:block;font-family:var(--sans);overflow:visible}
svg text{font-size:11px;fill:var(--ink2)}
svg .tick{font-size:10.5px;fill:var(--muted);font-variant-numeric:tabular-nums}
svg .grid{stroke:#e8ebef;stroke-width:1}
svg .axis-caption{font-size:11px;fill:var(--muted);font-style:italic}
svg .dur{font-size:11px;font-weight:700;fill:var(--ink);font-variant-numeric:tabular-nums}
svg .sep{stroke:#eef0f3}
svg .q-name{font-size:12.5px;font-weight:700;fill:var(--ink)}
svg .q-sql{font-size:10.5px;font-family:var(--mono);fill:var(--muted)}
svg .q-meta{font-size:10.5px;fill:var(--muted)}
svg .lat-tag{font-size:10.5px;fill:var(--muted)}
svg .lat-val{font-size:11px;font-variant-numeric:tabular-nums}
svg .lat-val tspan:first-child{font-weight:700;fill:var(--ink)}
svg .p95-text{fill:var(--muted)}
svg .pill-worse{fill:#fee2e2}svg .pill-better{fill:#dcfce7}svg .pill-same{fill:#f3f4f6}
svg .pill-text{font-size:13px;font-weight:800;font-variant-numeric:tabular-nums}
svg .pill-text-worse{fill:#b91c1c}svg .pill-text-better{fill:#15803d}svg .pill-text-same{fill:#374151}
svg .pill-caption{font-size:10px;fill:var(--muted)}
svg .nm-box{fill:none;stroke:#cbd5e1;stroke-dasharray:3 2}
svg .nm-text{font-size:11px;fill:var(--muted);font-style:italic}
.chart-note{font-size:12px;color:var(--muted);margin:-6px 0 10px}
.sw{display:inline-block;width:12px;height:10px;border-radius:2px;vertical-align:-1px;margin:0 4px 0 10px}
.sw:first-child{margin-left:0}
.sw.before{background:#94a3b8}.sw.after{background:#3b82f6}.sw.worse{background:#dc2626}
.pct{font-weight:700;font-size:12px;padding:1px 8px;border-radius:9px;background:#f3f4f6;margin-left:4px}
.pct.worse{background:var(--bad-bg);color:var(--bad)}
details.table-wrap{border-top:1px solid var(--line);padding:10px 0 0;margin-top:10px}
details.table-wrap:first-of-type{border-top:0;margin-top:0;padding-top:0}
summary{cursor:pointer;font-weight:600}
.scroll{overflow-x:auto;margin-top:8px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code.sql{font-size:11.5px;white-space:pre-wrap;overflow-wrap:anywhere;color:#334155}
.ok-text{color:var(--good);font-weight:600}.bad-text{color:var(--bad);font-weight:600}
.empty{color:var(--muted);font-style:italic;margin:0}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:8px}
@media (max-width:860px){.hero{flex-direction:column}.verdict{flex-basis:auto}.tiles{grid-template-columns:repeat(2,minmax(0,1fr))}.meta{grid-template-columns:1fr}}
@media print{html{background:#fff;font-size:12px}.page{max-width:none;padding:0}.card,.hero,.tile{box-shadow:none;break-inside:avoid}.card{border-color:#d1d5db}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}details.table-wrap{display:none}}
`;
