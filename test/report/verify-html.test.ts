/**
 * The HTML verify report (`lockstep verify --format html`): the string itself (self-contained, built
 * on the shared report pieces, everything escaped, a reset said as such), then the page in a real
 * Chromium from a file:// URL: it renders, makes no request, logs no error, and the findings and every
 * bar's value are readable from the DOM.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BASE_CSS, formatCount, formatMs, formatPct, formatRate } from '../../src/report/html.js';
import { renderRehearsalHtml } from '../../src/report/rehearse-html.js';
import { CHART_LIMIT, queryChangePct, renderVerifyHtml } from '../../src/report/verify-html.js';
import { verify, type VerifyResult } from '../../src/verify/verify.js';
import { sampleRehearsalReport } from '../fixtures/rehearsal-report.js';
import { expectClean, haveChromium, launch, warnIfNoChromium, type BrowserHarness } from './browser.js';
import { SQL, sampleSnapshots, sampleVerifyResult } from './verify-sample.js';

warnIfNoChromium('test/report/verify-html.test.ts');

test.runIf(!haveChromium && !!process.env.CI)('Chromium is installed for the verify HTML report tests', () => {
  throw new Error('/usr/bin/chromium is missing in CI: install Debian\'s chromium package (.ci/run does this)');
});

const evil = '</script><img src=x onerror=alert(1)>';
const evil2 = `"'><svg onload=alert(2)><script>alert(3)</script>`;

/** The sample with hostile strings in every name that reaches the page. */
function hostile(): VerifyResult {
  const { before, after } = sampleSnapshots();
  const rename = (s: string) => `${s}${evil}`;
  for (const snap of [before, after]) {
    snap.database = { ...snap.database, name: `shop${evil2}` };
    snap.statements = snap.statements!.map((q) => ({ ...q, query: `${q.query} /* ${evil} */` }));
    snap.tables = snap.tables.map((t) => ({ ...t, table: rename(t.table) }));
    snap.indexes = snap.indexes.map((i) => ({ ...i, index: rename(i.index), table: rename(i.table) }));
  }
  before.label = `before ${evil2}`;
  before.change = `orders${evil}`;
  return verify(before, after, { changedTables: [rename('public.orders')] });
}

describe('the HTML string', () => {
  test('one self-contained page: the CSP, no script, no URL, the title says the regressions', () => {
    const r = sampleVerifyResult();
    const html = renderVerifyHtml(r);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|https?:\/\//i);
    expect(html).toContain('<title>4 REGRESSIONS · orders-created-at · lockstep verify</title>');
    expect(html).toContain('data-regressions="4"');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    for (const f of r.findings) expect(html).toContain(f.message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  test('the rehearsal and the verify report are built on the same pieces', () => {
    const verifyHtml = renderVerifyHtml(sampleVerifyResult());
    const rehearsalHtml = renderRehearsalHtml(sampleRehearsalReport());
    for (const html of [verifyHtml, rehearsalHtml]) {
      expect(html).toContain(BASE_CSS);
      expect(html).toContain('<header class="hero bad">');
      expect(html).toContain('<section class="tiles" aria-label="Summary">');
      expect(html).toContain('<details class="table-wrap">');
      expect(html).toContain('class="lat before" data-which="before"');
    }
    const head = (h: string) => h.slice(0, h.indexOf('<title>'));
    expect(head(verifyHtml)).toBe(head(rehearsalHtml));
  });

  test('every string from the database is escaped', () => {
    const html = renderVerifyHtml(hostile());
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('</script><');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script/i);
  });

  test('a statistics reset is said, and nothing is drawn across it', () => {
    const r = sampleVerifyResult({ reset: true });
    expect(r.statsReset).toBe(true);
    const html = renderVerifyHtml(r);
    expect(html).toContain('id="stats-reset"');
    expect(html).toContain('Statistics were reset between the snapshots.');
    expect(html).toContain('pg_stat_statements was reset between the snapshots: query times are not compared.');
    expect(html).toContain('Statistics were reset between the snapshots: index scans are not compared.');
    expect(html).toContain('not compared: statistics reset');
    expect(html).not.toContain('<svg class="queries"');
    expect(html).toContain('<title>OK · orders-created-at · lockstep verify</title>');
  });

  test('an empty result renders, with its empty states', () => {
    const { before } = sampleSnapshots();
    const quiet = { ...before, id: 9, takenAt: '2026-11-27T15:00:00.000Z', statements: null };
    const r = verify({ ...before, statements: null }, quiet);
    expect(r.findings).toEqual([]);
    const html = renderVerifyHtml(r);
    expect(html).toContain('No findings: nothing crossed a threshold.');
    expect(html).toContain('Queries are not compared: pg_stat_statements was not read in one of the snapshots.');
    expect(html).toContain('<title>OK · orders-created-at · lockstep verify</title>');
    expect(html).not.toMatch(/NaN|Infinity/);
  });

  test('many queries: the most called are drawn, every regression too, and the table lists them all', () => {
    const { before, after } = sampleSnapshots();
    const extra = (calls: number) => Array.from({ length: 30 }, (_, i) => ({ queryid: `x${i}`, query: `SELECT ${i} AS filler`, calls, totalMs: calls, meanMs: 1, rows: calls, sharedBlksHit: 0, sharedBlksRead: 0 }));
    before.statements = [...before.statements!, ...extra(100_000)];
    after.statements = [...after.statements!, ...extra(200_000)];
    const r = verify(before, after);
    const html = renderVerifyHtml(r);
    const drawn = html.match(/<g class="query[ "]/g) ?? [];
    expect(r.rates.queries.length).toBe(35);
    expect(drawn.length).toBe(CHART_LIMIT + 1); // the regression is not among the 20 most called
    expect(html).toContain(`data-query="${SQL.byCustomer}"`);
    expect(html).toContain('<summary>Queries (35)</summary>');
  });

  test('number formats', () => {
    expect([0, 0.004, 0.42, 1, 12.34, 166.67, 12_345].map(formatRate)).toEqual(['0/s', '<0.01/s', '0.42/s', '1/s', '12.3/s', '167/s', '12,345/s']);
    expect([0, 3600, 1_234_567.4, Number.NaN].map(formatCount)).toEqual(['0', '3,600', '1,234,567', '–']);
  });
});

describe.skipIf(!haveChromium)('the verify report in Chromium', () => {
  let b: BrowserHarness;
  beforeAll(async () => {
    b = await launch();
  });
  afterAll(async () => {
    await b?.close();
  });

  test('verdict, header, findings with their advice; no error, no request', async () => {
    const r = sampleVerifyResult();
    const o = await b.open(renderVerifyHtml(r));
    const { page } = o;
    expectClean(o);
    expect(await page.title()).toBe('4 REGRESSIONS · orders-created-at · lockstep verify');
    expect((await page.locator('.verdict-word').innerText()).trim()).toBe('4');
    expect((await page.locator('.verdict-line').innerText()).trim()).toBe('regressions found');
    expect(await page.locator('.verdict').isVisible()).toBe(true);
    const header = await page.locator('header.hero').innerText();
    expect(header).toContain('snapshot 3 "before apply" · 2026-11-27 14:00:00 UTC');
    expect(header).toContain('snapshot 4 "verify" · 2026-11-27 14:10:00 UTC');
    expect(header).toContain('10 min 0 s');
    expect(header).toContain('public.orders');
    expect(header).toContain('query +20 % over 50 calls');
    const items = page.locator('li.finding');
    expect(await items.count()).toBe(r.findings.length);
    for (const [i, f] of r.findings.entries()) {
      const li = items.nth(i);
      expect(await li.isVisible()).toBe(true);
      expect(await li.getAttribute('data-kind')).toBe(f.kind);
      expect(await li.getAttribute('class')).toBe(`check finding ${f.severity === 'regression' ? 'fail' : 'info'}`);
      expect(await li.locator('.check-name').innerText()).toBe(f.kind);
      expect(await li.locator('.check-detail').innerText()).toBe(f.message);
      if (f.advice) expect(await li.locator('.advice').innerText()).toMatch(new RegExp(`${f.advice.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      else expect(await li.locator('.advice').count()).toBe(0);
    }
    const tiles = await page.locator('.tiles').innerText();
    expect(tiles).toContain('+60%'); // the regressed query's change
    await o.close();
  });

  test("each query's mean time before and after, its change, the regression in red", async () => {
    const r = sampleVerifyResult();
    const o = await b.open(renderVerifyHtml(r));
    const groups = o.page.locator('svg.queries g.query');
    expect(await groups.count()).toBe(r.rates.queries.length);
    for (const [i, q] of r.rates.queries.entries()) {
      const g = groups.nth(i);
      expect(await g.getAttribute('data-query')).toBe(q.query);
      if (q.meanMsBefore === null) {
        expect(await g.locator('g.before.absent .nm-text').textContent()).toBe('not called before the first snapshot');
        expect(await g.locator('.mean-before').count()).toBe(0);
      } else expect(await g.locator('.mean-before').textContent()).toBe(formatMs(q.meanMsBefore));
      expect(await g.locator('.mean-after').textContent()).toBe(formatMs(q.meanMsAfter!));
      expect(await g.locator('g.after rect.mean-bar').getAttribute('data-value')).toBe(formatMs(q.meanMsAfter!));
      expect(await g.locator('g.change').getAttribute('data-value')).toBe(formatPct(queryChangePct(q)));
      expect(await g.locator('g.change text').first().textContent()).toBe(formatPct(queryChangePct(q)));
      expect(await g.getAttribute('class')).toBe(q.regression ? 'query regression' : 'query');
      expect(await g.locator('g.after rect.mean-bar').getAttribute('fill')).toBe(q.regression ? '#dc2626' : '#3b82f6');
      expect(await g.locator(':scope > title').textContent()).toContain(q.query);
    }
    const regressed = o.page.locator('svg.queries g.query.regression');
    expect(await regressed.count()).toBe(1);
    expect(await regressed.getAttribute('data-query')).toBe(SQL.byCustomer);
    expect(await regressed.locator('.mean-before').textContent()).toBe('1 ms');
    expect(await regressed.locator('.mean-after').textContent()).toBe('1.6 ms');
    expect(await regressed.locator('g.change text').first().textContent()).toBe('+60%');
    // 80 % slower over 10 calls: drawn, not a regression.
    const few = o.page.locator(`svg.queries g.query[data-query="${SQL.report}"]`);
    expect(await few.locator('.pill-caption').textContent()).toBe('few calls');
    // Each bar is as long as its value on the row's scale: the regressed query's "after" is the longer.
    const w = async (sel: string) => Number(await regressed.locator(sel).getAttribute('width'));
    expect(await w('g.after rect.mean-bar')).toBeCloseTo((await w('g.before rect.mean-bar')) * 1.6, 0);
    await o.close();
  });

  test("each index's scans in the first and second snapshot; the new unused one in red", async () => {
    const r = sampleVerifyResult();
    const o = await b.open(renderVerifyHtml(r));
    expectClean(o);
    const groups = o.page.locator('svg.indexes g.index');
    expect(await groups.count()).toBe(r.rates.indexes.length);
    for (const [i, x] of r.rates.indexes.entries()) {
      const g = groups.nth(i);
      expect(await g.getAttribute('data-index')).toBe(x.index);
      if (x.scansBefore === null) expect(await g.locator('g.before.absent .nm-text').textContent()).toBe('new: not in the first snapshot');
      else expect(await g.locator('.scans-before').textContent()).toBe(formatCount(x.scansBefore));
      expect(await g.locator('.scans-after').textContent()).toBe(formatCount(x.scansAfter));
      expect(await g.locator('g.change').getAttribute('data-value')).toBe(`+${formatCount(x.scans)}`);
    }
    const unused = o.page.locator('svg.indexes g.index.regression');
    expect(await unused.count()).toBe(1);
    expect(await unused.getAttribute('data-index')).toBe('public.orders_created_at_idx');
    expect(await unused.locator('.pill-caption').textContent()).toBe('never used');
    expect(await unused.locator('g.after rect.scan-bar').getAttribute('fill')).toBe('#dc2626');
    const pkey = o.page.locator('svg.indexes g.index[data-index="public.orders_pkey"]');
    expect(await pkey.locator('.scans-before').textContent()).toBe('50,000');
    expect(await pkey.locator('.scans-after').textContent()).toBe('56,000');
    expect(await pkey.locator('.pill-caption').textContent()).toBe('10/s');
    await o.close();
  });

  test("each table's sequential and index scans between the snapshots", async () => {
    const r = sampleVerifyResult();
    const o = await b.open(renderVerifyHtml(r));
    const groups = o.page.locator('svg.tables g.table');
    expect(await groups.count()).toBe(r.rates.tables.length);
    for (const [i, t] of r.rates.tables.entries()) {
      const g = groups.nth(i);
      expect(await g.getAttribute('data-table')).toBe(t.table);
      expect(await g.locator('.seq-scans').textContent()).toBe(formatCount(t.seqScans));
      expect(await g.locator('.idx-scans').textContent()).toBe(formatCount(t.idxScans));
      expect(await g.locator('g.seq .rate-text').textContent()).toBe(formatRate(t.seqScansPerS));
    }
    const orders = o.page.locator('svg.tables g.table[data-table="public.orders"]');
    expect(await orders.getAttribute('class')).toBe('table regression changed');
    expect(await orders.locator('g.seq rect.scan-bar').getAttribute('fill')).toBe('#dc2626');
    expect(await orders.locator('.seq-scans').textContent()).toBe('600');
    // The numbers, opened.
    await o.page.locator('details.table-wrap summary', { hasText: 'Indexes' }).click();
    expect(await o.page.locator('table.indexes-table').innerText()).toContain('new, never used');
    await o.close();
  });

  test('a statistics reset: a visible note, and the charts say what is not compared', async () => {
    const o = await b.open(renderVerifyHtml(sampleVerifyResult({ reset: true })));
    expectClean(o);
    const note = o.page.locator('#stats-reset');
    expect(await note.isVisible()).toBe(true);
    const text = await note.innerText();
    expect(text).toContain('Statistics were reset between the snapshots.');
    expect(text).toContain('pg_stat_statements was reset at 2026-11-27T14:05:00.000Z');
    expect((await o.page.locator('.verdict-word').innerText()).trim()).toBe('OK');
    expect(await o.page.locator('#queries .empty').innerText()).toBe('pg_stat_statements was reset between the snapshots: query times are not compared.');
    expect(await o.page.locator('#indexes .empty').innerText()).toBe('Statistics were reset between the snapshots: index scans are not compared.');
    expect(await o.page.locator('#tables .empty').innerText()).toBe('Statistics were reset between the snapshots: table scans are not compared.');
    expect(await o.page.locator('svg').count()).toBe(0);
    await o.close();
  });

  test('hostile strings are shown as text and never run', async () => {
    const r = hostile();
    const o = await b.open(renderVerifyHtml(r));
    expectClean(o);
    const { page } = o;
    expect(await page.locator('img, script, iframe, object, embed').count()).toBe(0);
    expect(await page.locator('[onerror], [onload]').count()).toBe(0);
    expect(await page.locator('svg').count()).toBe(3); // the three charts, nothing injected
    expect(await page.locator('h1.subject').textContent()).toBe(`orders${evil}`);
    expect(await page.locator('header.hero').innerText()).toContain(`before ${evil2}`);
    expect(await page.locator('svg.queries g.query').first().getAttribute('data-query')).toBe(r.rates.queries[0]!.query);
    expect(await page.locator('svg.indexes g.index').first().getAttribute('data-index')).toBe(r.rates.indexes[0]!.index);
    expect(await page.locator('li.finding .check-detail').allTextContents()).toEqual(r.findings.map((f) => f.message));
    await o.close();
  });
});
