/**
 * `lockstep verify --format html`: what a change did to the database, as one self-contained page
 * built from the same pieces as the rehearsal report (./html.ts): a verdict (how many regressions),
 * the findings with their advice, each query's mean time before → after, each index's scans in the
 * first and second snapshot, each table's sequential and index scans between them, and the snapshots
 * compared. A statistics reset between the snapshots is shown as such, never as a drop.
 */
import type { VerifyFinding, VerifyResult, VerifySide, VerifyThresholds } from '../verify/verify.js';
import {
  BAR,
  BASE_CSS,
  callout,
  card,
  compareChart,
  dataTable,
  esc,
  fin,
  formatCount,
  formatMs,
  formatPct,
  formatRate,
  hero,
  htmlPage,
  isoWhen,
  metaItem,
  plural,
  statusList,
  swatch,
  tile,
  tiles,
  type CompareRow,
  type ComparePill,
} from './html.js';

/** At most this many queries and indexes are drawn (every regression is); the tables list them all. */
export const CHART_LIMIT = 20;

type QueryRate = VerifyResult['rates']['queries'][number];
type IndexRate = VerifyResult['rates']['indexes'][number];
type TableRate = VerifyResult['rates']['tables'][number];

/** A snapshot as the report names it: `snapshot 3 "before apply"` or `file`. */
export function sideName(x: VerifySide): string {
  return `${x.id !== undefined ? `snapshot ${x.id}` : 'snapshot file'}${x.label ? ` "${x.label}"` : ''}`;
}

/** The mean time's change in percent, or NaN when one side is missing. */
export function queryChangePct(q: QueryRate): number {
  return q.meanMsBefore !== null && q.meanMsAfter !== null && q.meanMsBefore > 0 ? (q.meanMsAfter / q.meanMsBefore - 1) * 100 : Number.NaN;
}

const regressionsOf = (r: VerifyResult): VerifyFinding[] => r.findings.filter((f) => f.severity === 'regression');

export function renderVerifyHtml(r: VerifyResult): string {
  const regressions = regressionsOf(r);
  const verdict = regressions.length ? plural(regressions.length, 'regression') : 'no regression';
  const subject = r.before.change ?? r.database;
  const queriesShown = pick(r.rates.queries, (q) => q.regression);
  const indexesShown = pick(r.rates.indexes, (i) => i.unused);
  const body = [
    header(r, subject, regressions.length),
    resetNote(r),
    activityNoteOf(r),
    summary(r),
    card({ id: 'findings', title: 'Findings', count: `${verdict}${r.findings.length > regressions.length ? `, ${r.findings.length - regressions.length} to know` : ''}`, parts: [findingsList(r.findings)] }),
    card({
      id: 'queries',
      title: 'Query mean time',
      count: `before → after · ${r.rates.queries.length > queriesShown.length ? `${queriesShown.length} of ${r.rates.queries.length} queries, the most called` : plural(r.rates.queries.length, 'query', 'queries')}`,
      parts: [queriesChart(r, queriesShown)],
    }),
    card({
      id: 'indexes',
      title: 'Index scans',
      count: `${words(r).idx} in the first → second snapshot · ${r.rates.indexes.length > indexesShown.length ? `${indexesShown.length} of ${r.rates.indexes.length} indexes` : plural(r.rates.indexes.length, 'index', 'indexes')}`,
      parts: [indexesChart(r, indexesShown)],
    }),
    card({ id: 'tables', title: 'Table scans', count: `${words(r).tableScans} between the snapshots · ${plural(r.rates.tables.length, 'table')}`, parts: [tablesChart(r)] }),
    card({ id: 'data', cls: 'tables', title: 'The numbers', parts: [queriesTable(r.rates.queries), indexesTable(r.rates.indexes), tablesTable(r), thresholdsTable(r.thresholds)] }),
    `<footer>lockstep verify report · format version ${esc(r.version)} · ${esc(isoWhen(r.before.takenAt))} → ${esc(isoWhen(r.after.takenAt))}</footer>`,
  ];
  return htmlPage({
    title: `${regressions.length ? verdict.toUpperCase() : 'OK'} · ${subject} · lockstep verify`,
    css: BASE_CSS + CSS,
    mainAttrs: ` data-report-version="${esc(r.version)}" data-regressions="${regressions.length}" data-stats-reset="${r.statsReset}"`,
    body: body.join('\n'),
  });
}

/** The first CHART_LIMIT, plus every flagged one past them, in their order. */
function pick<T>(all: T[], flagged: (x: T) => boolean): T[] {
  return all.filter((x, i) => i < CHART_LIMIT || flagged(x));
}

function header(r: VerifyResult, subject: string, regressions: number): string {
  const side = (x: VerifySide) => `${esc(sideName(x))} <span class="muted">· ${esc(isoWhen(x.takenAt))}</span>`;
  return hero({
    ok: regressions === 0,
    eyebrow: 'lockstep · verify',
    subject,
    meta: [
      metaItem('Database', `<span class="mono">${esc(r.database)}</span>`),
      metaItem('Interval', `${esc(formatMs(fin(r.seconds) * 1000))}${r.statsReset ? ' <span class="bad-text">· statistics reset in between</span>' : ''}`),
      metaItem('Before', side(r.before)),
      metaItem('After', side(r.after)),
      metaItem('Changed tables', r.changedTables ? (r.changedTables.length ? r.changedTables.map((t) => `<span class="mono">${esc(t)}</span>`).join(', ') : '<span class="muted">none</span>') : '<span class="muted">not known: every table is looked at</span>'),
      metaItem('Thresholds', thresholdsLine(r.thresholds)),
    ],
    verdict: regressions ? String(regressions) : 'OK',
    verdictLine: regressions ? `${regressions === 1 ? 'regression' : 'regressions'} found` : r.statsReset ? 'No regression found; statistics were reset in between' : 'No regression found',
  });
}

function thresholdsLine(t: VerifyThresholds): string {
  return esc(
    `query +${t.queryRegressionPct} % over ${t.queryMinCalls} calls · unused index after ${t.unusedIndexAfterScans} scans · cache hit −${t.cacheHitDropPoints} points · dead tuples ${Math.round(t.deadTupleRatio * 1000) / 10} % · replica lag ${t.replicationLagSeconds} s`,
  );
}

function resetNote(r: VerifyResult): string {
  const resets = r.findings.filter((f) => f.kind === 'stats-reset');
  if (!resets.length) return '';
  return callout('warn', 'stats-reset', `<b>Statistics were reset between the snapshots.</b> The counters started again, so what they cover is not compared (no rates, no drops):<ul>${resets.map((f) => `<li>${esc(f.message)}</li>`).join('')}</ul>`);
}

/** Which statistics were reset between the snapshots (their figures are not compared). */
function resets(r: VerifyResult): { database: boolean; statements: boolean } {
  const reset = r.findings.filter((f) => f.kind === 'stats-reset');
  return { database: reset.some((f) => f.subject === 'database'), statements: reset.some((f) => f.subject === words(r).source) };
}

/**
 * The result's own words: where query figures come from, and what the scan figures count (scans on
 * PostgreSQL; rows read through each access path where performance_schema counts them, MySQL/MariaDB).
 */
function words(r: VerifyResult): { source: string; idx: string; tableScans: string } {
  const rows = r.scanUnit === 'rows';
  return {
    source: r.statementsSource ?? 'pg_stat_statements',
    idx: rows ? 'rows read through the index' : 'idx_scan',
    tableScans: rows ? 'rows read by full scans (sequential) and through indexes' : 'sequential and index scans',
  };
}

/** Table and index activity not read on a side (performance_schema OFF): said once, with how to turn it on. */
function activityNoteOf(r: VerifyResult): string {
  if (r.activityCompared !== false) return '';
  return callout('warn', 'activity', `<b>Table and index activity is not compared.</b> ${esc(r.activityNote ?? 'It was not read in one of the snapshots.')}`);
}

function summary(r: VerifyResult): string {
  const reset = resets(r);
  const notCompared = (label: string, what: string) => tile(label, '–', `not compared: ${what} reset`, 'warn');
  const regressions = regressionsOf(r);
  const kinds = [...new Set(regressions.map((f) => f.kind))];
  const items: string[] = [tile('Regressions', String(regressions.length), regressions.length ? kinds.join(', ') : r.statsReset ? 'none among what could be compared' : 'nothing crossed a threshold', regressions.length ? 'bad' : r.statsReset ? 'warn' : 'good')];
  const compared = r.rates.queries.filter((q) => Number.isFinite(queryChangePct(q)));
  const worst = [...compared].sort((a, b) => Number(b.regression) - Number(a.regression) || queryChangePct(b) - queryChangePct(a))[0];
  items.push(
    reset.statements
      ? notCompared('Largest query change', words(r).source)
      : worst
        ? tile(worst.regression ? 'Query regression' : 'Largest query change', formatPct(queryChangePct(worst)), `mean time: ${worst.query}`, worst.regression ? 'bad' : '')
        : tile('Largest query change', '–', r.rates.queries.length ? 'no query ran on both sides' : 'no query statistics', ''),
  );
  if (reset.database) {
    items.push(notCompared('New indexes', 'statistics'), notCompared('Seq scans', 'statistics'));
  } else if (r.activityCompared === false) {
    items.push(tile('New indexes', '–', 'not compared: activity not read', 'warn'), tile('Seq scans', '–', 'not compared: activity not read', 'warn'));
  } else {
    const fresh = r.rates.indexes.filter((i) => i.isNew);
    const unused = fresh.filter((i) => i.unused).length;
    items.push(tile('New indexes', String(fresh.length), fresh.length ? (unused ? `${unused} unused` : `scanned ${formatCount(fresh.reduce((a, i) => a + i.scans, 0))} times`) : 'none since the first snapshot', unused ? 'bad' : fresh.length ? 'good' : ''));
    const changed = r.changedTables ? new Set(r.changedTables) : undefined;
    const seq = r.rates.tables.filter((t) => !changed || changed.has(t.table)).reduce((a, t) => a + t.seqScans, 0);
    const seqFinding = r.findings.some((f) => f.kind === 'new-seq-scans');
    items.push(tile('Seq scans', formatCount(seq), `${changed ? 'of the changed tables, ' : ''}${formatRate(seq / (r.seconds || 1))}`, seqFinding ? 'bad' : seq ? '' : 'good'));
  }
  const dead = r.findings.filter((f) => f.kind === 'dead-tuples');
  items.push(
    reset.database && !dead.length
      ? notCompared('Dead tuples', 'statistics')
      : tile('Dead tuples', dead.length ? plural(dead.length, 'table') : 'fine', dead.length ? dead.map((f) => f.subject).join(', ') : `under ${Math.round(r.thresholds.deadTupleRatio * 100)} % of live rows`, dead.length ? 'bad' : 'good'),
  );
  return tiles(items);
}

function findingsList(findings: VerifyFinding[]): string {
  return statusList(
    findings.map((f) => ({
      state: f.severity === 'regression' ? 'fail' : 'info',
      name: f.kind,
      status: f.severity,
      detail: f.message,
      cls: 'finding',
      attrs: ` data-kind="${esc(f.kind)}" data-severity="${esc(f.severity)}" data-subject="${esc(f.subject)}"`,
      extra: f.advice ? `<div class="advice"><span class="advice-label">What to do</span> ${esc(f.advice)}</div>` : '',
    })),
    'No findings: nothing crossed a threshold.',
  );
}

// ───────────────────────────── charts ─────────────────────────────

function queriesChart(r: VerifyResult, shown: QueryRate[]): string {
  if (!shown.length) {
    const why = resets(r).statements
      ? `${words(r).source} was reset between the snapshots: query times are not compared.`
      : r.queriesCompared === false
        ? `Queries are not compared: ${r.statementsNote ?? `${words(r).source} was not read in one of the snapshots`}.`
        : 'No query ran between the snapshots.';
    return `<p class="empty">${esc(why)}</p>`;
  }
  const pct = r.thresholds.queryRegressionPct;
  return compareChart({
    svgClass: 'queries',
    titleId: 'queries-title',
    title: `Mean time per call of ${plural(shown.length, 'query', 'queries')}: up to the first snapshot, and between the snapshots`,
    note: `${swatch('before')}before: mean up to the first snapshot ${swatch('after')}after: mean of the calls between the snapshots ${swatch('worse')}a regression (more than ${esc(pct)}% slower, ${esc(r.thresholds.queryMinCalls)}+ calls each side) · each query on its own scale`,
    rows: shown.map((q, i) => queryRow(q, i, r.thresholds)),
  });
}

function queryRow(q: QueryRate, i: number, t: VerifyThresholds): CompareRow {
  const change = queryChangePct(q);
  const pctText = formatPct(change);
  const before = q.meanMsBefore === null ? null : formatMs(q.meanMsBefore);
  const after = q.meanMsAfter === null ? null : formatMs(q.meanMsAfter);
  const slower = Number.isFinite(change) && change > t.queryRegressionPct;
  const faster = Number.isFinite(change) && change < -t.queryRegressionPct;
  const pill: ComparePill = {
    text: pctText,
    tone: q.regression ? 'worse' : faster ? 'better' : 'same',
    title: `mean time change: ${pctText}${q.regression ? ` (a regression: more than ${t.queryRegressionPct}% slower)` : slower ? ` (too few calls to call it a regression: ${t.queryMinCalls} needed on each side)` : ''}`,
    caption: q.regression ? 'slower' : slower ? 'few calls' : faster ? 'faster' : Number.isFinite(change) ? 'mean change' : 'new query',
  };
  return {
    cls: `query${q.regression ? ' regression' : ''}`,
    attrs: ` data-query="${esc(q.query)}" data-change-pct="${esc(Number.isFinite(change) ? Math.round(change * 10) / 10 : '')}"`,
    title: `${q.query}\n\nbefore: mean ${before ?? 'not called before the first snapshot'}\nafter: mean ${after ?? '–'} over ${formatCount(q.calls)} calls (${formatRate(q.callsPerS)})\nchange: ${pctText}`,
    name: `#${i + 1} · ${formatCount(q.calls)} calls`,
    sub: q.query,
    metaHtml: `${esc(`${formatRate(q.callsPerS)} between the snapshots`)}${q.regression ? ' · <tspan class="flag">regression</tspan>' : ''}`,
    before: {
      which: 'before',
      value: q.meanMsBefore,
      text: before ?? '',
      barClass: 'mean-bar',
      textClass: 'mean-before',
      fill: BAR.before,
      title: `before: mean ${before ?? 'none (not called before the first snapshot)'}`,
      absent: 'not called before the first snapshot',
    },
    after: {
      which: 'after',
      value: q.meanMsAfter,
      text: after ?? '',
      barClass: 'mean-bar',
      textClass: 'mean-after',
      fill: q.regression ? BAR.worse : BAR.after,
      title: `after: mean ${after ?? '–'} over ${formatCount(q.calls)} calls`,
      extra: { text: `${formatCount(q.calls)} calls`, className: 'calls-text' },
      absent: 'no calls',
    },
    pill,
  };
}

function indexesChart(r: VerifyResult, shown: IndexRate[]): string {
  if (!shown.length)
    return `<p class="empty">${resets(r).database ? 'Statistics were reset between the snapshots: index scans are not compared.' : r.activityCompared === false ? 'Index activity is not compared (see the note above).' : 'No index was new, scanned, or on a table in use between the snapshots.'}</p>`;
  return compareChart({
    svgClass: 'indexes',
    titleId: 'indexes-title',
    title: `Scans of ${plural(shown.length, 'index', 'indexes')}: idx_scan in the first and in the second snapshot`,
    note: `${swatch('before')}idx_scan in the first snapshot ${swatch('after')}in the second ${swatch('worse')}a new index never used (its table scanned ${esc(r.thresholds.unusedIndexAfterScans)}+ times) · the pill: scans between the snapshots · each index on its own scale`,
    rows: shown.map(indexRow),
  });
}

function indexRow(i: IndexRate): CompareRow {
  const delta = `+${formatCount(i.scans)}`;
  return {
    cls: `index${i.isNew ? ' new' : ''}${i.unused ? ' regression' : ''}`,
    attrs: ` data-index="${esc(i.index)}" data-table="${esc(i.table)}" data-scans="${esc(i.scans)}"`,
    title: `${i.index} on ${i.table}\nidx_scan: ${i.scansBefore === null ? 'not in the first snapshot (new)' : formatCount(i.scansBefore)} → ${formatCount(i.scansAfter)}\nbetween the snapshots: ${formatCount(i.scans)} scans (${formatRate(i.scansPerS)})${i.unused ? '\nnew and never used' : ''}`,
    name: i.index,
    sub: `on ${i.table}`,
    metaHtml: `${esc(`${formatRate(i.scansPerS)} between the snapshots`)}${i.isNew ? ' · <tspan class="flag-new">new</tspan>' : ''}${i.unused ? ' · <tspan class="flag">never used</tspan>' : ''}`,
    before: {
      which: 'before',
      value: i.scansBefore,
      text: i.scansBefore === null ? '' : formatCount(i.scansBefore),
      barClass: 'scan-bar',
      textClass: 'scans-before',
      fill: BAR.before,
      title: `first snapshot: ${i.scansBefore === null ? 'the index did not exist' : `idx_scan ${formatCount(i.scansBefore)}`}`,
      absent: 'new: not in the first snapshot',
    },
    after: {
      which: 'after',
      value: i.scansAfter,
      text: formatCount(i.scansAfter),
      barClass: 'scan-bar',
      textClass: 'scans-after',
      fill: i.unused ? BAR.worse : BAR.after,
      title: `second snapshot: idx_scan ${formatCount(i.scansAfter)}`,
    },
    pill: {
      text: delta,
      tone: i.unused ? 'worse' : 'same',
      title: `${formatCount(i.scans)} scans between the snapshots, ${formatRate(i.scansPerS)}`,
      caption: i.unused ? 'never used' : formatRate(i.scansPerS),
    },
  };
}

function tablesChart(r: VerifyResult): string {
  if (!r.rates.tables.length)
    return `<p class="empty">${resets(r).database ? 'Statistics were reset between the snapshots: table scans are not compared.' : r.activityCompared === false ? 'Table activity is not compared (see the note above).' : 'No table was scanned or written between the snapshots.'}</p>`;
  const flagged = new Set(r.findings.filter((f) => f.kind === 'new-seq-scans').map((f) => f.subject));
  const changed = r.changedTables ? new Set(r.changedTables) : undefined;
  return compareChart({
    svgClass: 'tables',
    titleId: 'tables-title',
    title: `Sequential and index scans of ${plural(r.rates.tables.length, 'table')} between the snapshots`,
    note: `${swatch('before')}sequential scans ${swatch('after')}index scans ${swatch('worse')}sequential scans reported as a finding · each table on its own scale`,
    rows: r.rates.tables.map((t) => tableRow(t, flagged.has(t.table), !!changed?.has(t.table))),
  });
}

function tableRow(t: TableRate, flagged: boolean, changed: boolean): CompareRow {
  return {
    cls: `table${flagged ? ' regression' : ''}${changed ? ' changed' : ''}`,
    attrs: ` data-table="${esc(t.table)}" data-seq-scans="${esc(t.seqScans)}" data-idx-scans="${esc(t.idxScans)}"`,
    title: `${t.table}${changed ? ' (changed)' : ''}\nsequential scans: ${formatCount(t.seqScans)} (${formatRate(t.seqScansPerS)})\nindex scans: ${formatCount(t.idxScans)} (${formatRate(t.idxScansPerS)})\nrows written: ${formatRate(t.rowsWrittenPerS)}`,
    name: t.table,
    sub: changed ? 'a table the change touched' : '',
    metaHtml: `${esc(`rows written ${formatRate(t.rowsWrittenPerS)}`)}${flagged ? ' · <tspan class="flag">new sequential scans</tspan>' : ''}`,
    before: {
      which: 'seq',
      tag: 'seq scans',
      value: t.seqScans,
      text: formatCount(t.seqScans),
      barClass: 'scan-bar',
      textClass: 'seq-scans',
      fill: flagged ? BAR.worse : BAR.before,
      title: `sequential scans: ${formatCount(t.seqScans)} (${formatRate(t.seqScansPerS)})`,
      extra: { text: formatRate(t.seqScansPerS), className: 'rate-text' },
    },
    after: {
      which: 'idx',
      tag: 'index scans',
      value: t.idxScans,
      text: formatCount(t.idxScans),
      barClass: 'scan-bar',
      textClass: 'idx-scans',
      fill: BAR.after,
      title: `index scans: ${formatCount(t.idxScans)} (${formatRate(t.idxScansPerS)})`,
      extra: { text: formatRate(t.idxScansPerS), className: 'rate-text' },
    },
  };
}

// ───────────────────────────── tables ─────────────────────────────

const num = (s: string, cls = ''): string => `<td class="num${cls ? ` ${cls}` : ''}">${esc(s)}</td>`;

function queriesTable(queries: QueryRate[]): string {
  return dataTable({
    summary: `Queries (${queries.length})`,
    cls: 'queries-table',
    head: '<th>Query</th><th class="num">Calls</th><th class="num">Calls/s</th><th class="num">Mean before</th><th class="num">Mean after</th><th class="num">Change</th>',
    rows: queries.map(
      (q) =>
        `<tr${q.regression ? ' class="row-regression"' : ''}><td><code class="sql">${esc(q.query)}</code></td>${num(formatCount(q.calls))}${num(formatRate(q.callsPerS))}${num(q.meanMsBefore === null ? '–' : formatMs(q.meanMsBefore))}${num(q.meanMsAfter === null ? '–' : formatMs(q.meanMsAfter))}${num(formatPct(queryChangePct(q)), q.regression ? 'bad-text' : '')}</tr>`,
    ),
  });
}

function indexesTable(indexes: IndexRate[]): string {
  return dataTable({
    summary: `Indexes (${indexes.length})`,
    cls: 'indexes-table',
    head: '<th>Index</th><th>Table</th><th class="num">idx_scan before</th><th class="num">idx_scan after</th><th class="num">Scans between</th><th class="num">Scans/s</th><th>Note</th>',
    rows: indexes.map(
      (i) =>
        `<tr${i.unused ? ' class="row-regression"' : ''}><td class="mono">${esc(i.index)}</td><td class="mono">${esc(i.table)}</td>${num(i.scansBefore === null ? 'new' : formatCount(i.scansBefore))}${num(formatCount(i.scansAfter))}${num(formatCount(i.scans))}${num(formatRate(i.scansPerS))}<td>${i.unused ? '<span class="bad-text">new, never used</span>' : i.isNew ? 'new' : ''}</td></tr>`,
    ),
  });
}

function tablesTable(r: VerifyResult): string {
  const changed = r.changedTables ? new Set(r.changedTables) : undefined;
  return dataTable({
    summary: `Tables (${r.rates.tables.length})`,
    cls: 'tables-table',
    head: '<th>Table</th><th class="num">Seq scans</th><th class="num">Seq scans/s</th><th class="num">Index scans</th><th class="num">Index scans/s</th><th class="num">Rows written/s</th>',
    rows: r.rates.tables.map(
      (t) =>
        `<tr><td class="mono">${esc(t.table)}${changed?.has(t.table) ? ' <span class="muted small">changed</span>' : ''}</td>${num(formatCount(t.seqScans))}${num(formatRate(t.seqScansPerS))}${num(formatCount(t.idxScans))}${num(formatRate(t.idxScansPerS))}${num(formatRate(t.rowsWrittenPerS))}</tr>`,
    ),
  });
}

function thresholdsTable(t: VerifyThresholds): string {
  return dataTable({
    summary: 'Thresholds',
    cls: 'thresholds-table',
    head: '<th>Threshold</th><th class="num">Value</th>',
    rows: Object.entries(t).map(([k, v]) => `<tr><td class="mono">${esc(k)}</td>${num(String(v))}</tr>`),
  });
}

// ───────────────────────────── style ─────────────────────────────

/** The verify report's own rules, after the shared ones (BASE_CSS). */
const CSS = `
.advice{margin-top:4px;font-size:13px;color:var(--ink)}
.advice-label{font-size:10.5px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin-right:4px}
svg .flag{fill:#b91c1c;font-weight:700}
svg .flag-new{fill:#1d4ed8;font-weight:700}
svg .calls-text,svg .rate-text{fill:var(--muted)}
tr.row-regression td{background:#fef2f2}
`;
