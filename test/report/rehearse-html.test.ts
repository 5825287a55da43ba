/**
 * The HTML rehearsal report, opened in a real Chromium from a file:// URL: it renders, makes no
 * request, every plotted value is readable from the DOM, and hostile strings stay text.
 *
 * Needs /usr/bin/chromium (Debian's `chromium` package). Without it the tests are skipped with a
 * loud notice on a workstation and fail in CI.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inflateSync } from 'node:zlib';
import { CHROMIUM, expectClean, haveChromium, launch, warnIfNoChromium, type BrowserHarness, type Opened } from './browser.js';
import { formatMs, formatPct, renderRehearsalHtml, stallNotMeasured } from '../../src/report/rehearse-html.js';
import type { RehearsalReport } from '../../src/rehearse/types.js';
import { samplePassingRehearsalReport, sampleRehearsalReport } from '../fixtures/rehearsal-report.js';

const SCREENSHOT = '/tmp/lockstep-rehearsal-report.png';
const SCREENSHOT_PASS = '/tmp/lockstep-rehearsal-report-pass.png';

warnIfNoChromium('test/report/rehearse-html.test.ts');

test.runIf(!haveChromium && !!process.env.CI)('Chromium is installed for the HTML report tests', () => {
  throw new Error(`${CHROMIUM} is missing in CI: install Debian's chromium package (.ci/run does this)`);
});

describe.skipIf(!haveChromium)('rehearsal report in Chromium', () => {
  let harness: BrowserHarness;
  beforeAll(async () => {
    harness = await launch();
  });
  afterAll(async () => {
    await harness?.close();
  });
  const open = (html: string): Promise<Opened> => harness.open(html);
  const clean = expectClean;

  test('the request recorder sees what a page fetches (control for "no requests")', async () => {
    const o = await open('<!doctype html><title>control</title><img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="https://fonts.example.invalid/a.css">');
    const others = [...o.requests, ...o.routed].filter((u) => u !== o.url);
    expect(others).toContain('http://127.0.0.1:9/x.png');
    await o.page.context().close();
  });

  test('the failing sample: verdict, header, version warning, no errors, no network, screenshot not blank', async () => {
    const r = sampleRehearsalReport();
    const o = await open(renderRehearsalHtml(r));
    const { page } = o;
    clean(o);
    expect(await page.title()).toContain('FAIL');
    expect(await page.title()).toContain(r.subject);
    expect((await page.locator('.verdict-word').textContent())?.trim()).toBe('FAIL');
    expect(await page.locator('.verdict').isVisible()).toBe(true);
    expect(await page.locator('h1.subject').textContent()).toBe(r.subject);
    const header = await page.locator('header.hero').innerText();
    expect(header).toContain(r.sandbox.description);
    expect(header).toContain('100,000');
    expect(header).toContain('orders');
    expect(header).toContain('2026-11-27 14:03:12 UTC');
    expect(header).toContain(formatMs(r.seconds * 1000));
    // PGlite 18 against a PostgreSQL 16 target: a visible warning with every version note.
    const warning = page.locator('#version-warning');
    expect(await warning.isVisible()).toBe(true);
    const wText = await warning.innerText();
    expect(wText).toContain('PostgreSQL 18');
    expect(wText).toContain('PostgreSQL 16');
    for (const note of r.versionNotes) expect(wText).toContain(note);
    // Every check with its status and detail.
    const checks = page.locator('li.check');
    expect(await checks.count()).toBe(r.checks.length);
    for (const [i, c] of r.checks.entries()) {
      expect(await checks.nth(i).getAttribute('data-check')).toBe(c.name);
      expect(await checks.nth(i).getAttribute('data-ok')).toBe(String(c.ok));
      expect(await checks.nth(i).locator('.check-detail').textContent()).toBe(c.detail);
    }
    const s = pngStats(await page.screenshot({ path: SCREENSHOT, fullPage: true }));
    expect(s.width).toBe(1200);
    expect(s.height).toBeGreaterThan(1500);
    expect(s.colors).toBeGreaterThan(100);
    expect(s.nonBackground).toBeGreaterThan(0.1);
    await page.context().close();
  });

  test("the failing check's diff: every line, - red and + green", async () => {
    const r = sampleRehearsalReport();
    const failing = r.checks.find((c) => !c.ok && c.diff);
    expect(failing).toBeDefined();
    const o = await open(renderRehearsalHtml(r));
    const lines = o.page.locator(`li.check[data-check="${failing!.name}"] pre.diff .dl`);
    expect(await lines.allTextContents()).toEqual(failing!.diff);
    const color = (sel: string) => o.page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(sel)})).color`);
    const bg = (sel: string) => o.page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(sel)})).backgroundColor`);
    const rgb = (s: string) => (s.match(/\d+/g) ?? []).slice(0, 3).map(Number) as [number, number, number];
    const [dr, dg] = rgb(await color('.check.fail .dl.del'));
    const [ar, ag] = rgb(await color('.check.fail .dl.add'));
    expect(dr).toBeGreaterThan(dg);
    expect(ag).toBeGreaterThan(ar);
    const [br, bgG] = rgb(await bg('.check.fail .dl.del'));
    expect(br).toBeGreaterThan(bgG);
    expect(await o.page.locator('.check.fail .dl.del').count()).toBe(failing!.diff!.filter((l) => l.startsWith('-')).length);
    expect(await o.page.locator('.check.fail .dl.add').count()).toBe(failing!.diff!.filter((l) => l.startsWith('+')).length);
    await o.page.context().close();
  });

  test('the timeline has one bar per step, its duration readable, locks, the rewrite and the error marked', async () => {
    const r = sampleRehearsalReport();
    const o = await open(renderRehearsalHtml(r));
    const steps = o.page.locator('svg.timeline g.step');
    expect(await steps.count()).toBe(r.steps.length);
    expect(await o.page.locator('svg.timeline g.step rect.bar').count()).toBe(r.steps.length);
    const seen = new Map<string, { dur: string; title: string; locks: number }>();
    for (let i = 0; i < r.steps.length; i++) {
      const g = steps.nth(i);
      const key = `${await g.getAttribute('data-pass')}|${await g.getAttribute('data-step')}`;
      seen.set(key, {
        dur: (await g.locator('.dur').textContent()) ?? '',
        title: (await g.locator(':scope > title').textContent()) ?? '',
        locks: await g.locator('rect.lock').count(),
      });
    }
    for (const s of r.steps) {
      const got = seen.get(`${s.pass}|${s.id}`);
      expect(got, `${s.pass} ${s.id}`).toBeDefined();
      expect(got!.dur).toBe(formatMs(s.durationMs));
      expect(got!.title).toContain(`takes ${formatMs(s.durationMs)}`);
      expect(got!.locks).toBe(s.locks.length);
      for (const l of s.locks) expect(got!.title).toContain(`on ${l.relation}, held ${formatMs(l.heldMs)}`);
    }
    // Passes are grouped in order: up, down, up-again.
    expect(await o.page.locator('svg.timeline g.pass').evaluateAll((els) => els.map((e) => e.getAttribute('data-pass')))).toEqual(['up', 'down', 'up-again']);
    // ACCESS EXCLUSIVE is the darkest red; ROW EXCLUSIVE lighter.
    const fillOf = (mode: string) => o.page.locator(`svg.timeline rect.lock[data-mode="${mode}"]`).first().getAttribute('fill');
    expect(await fillOf('ACCESS EXCLUSIVE')).toBe('#800026');
    expect(await fillOf('ROW EXCLUSIVE')).toBe('#feb24c');
    // One rewrite and one error, marked.
    expect(await o.page.locator('svg.timeline g.step.has-rewrite').count()).toBe(r.steps.filter((s) => s.rewrites.length).length);
    expect(await o.page.locator('svg.timeline g.step.has-rewrite .rewrite-mark').count()).toBe(r.steps.filter((s) => s.rewrites.length).length);
    expect(r.steps.filter((s) => s.pass === 'up' && s.rewrites.length).length).toBe(1);
    const errored = r.steps.filter((s) => s.error);
    expect(errored.length).toBe(1);
    expect(await o.page.locator('svg.timeline g.step.has-error .error-mark').count()).toBe(1);
    expect(await o.page.locator('svg.timeline g.step.has-error').getAttribute('data-step')).toBe(errored[0]!.id);
    expect(await o.page.locator('.step-error .step-error-msg').textContent()).toBe(errored[0]!.error!.message);
    // Tick labels are formatted times, not raw numbers.
    const ticks = await o.page.locator('svg.timeline .tick').allTextContents();
    expect(ticks).toContain('0');
    expect(ticks.some((t) => / s$/.test(t))).toBe(true);
    await o.page.context().close();
  });

  test("the latency chart has each query's p50 before and after, the change, and the plan change", async () => {
    const r = sampleRehearsalReport();
    const o = await open(renderRehearsalHtml(r));
    const groups = o.page.locator('svg.latency g.query');
    expect(await groups.count()).toBe(r.queries.length);
    for (const [i, q] of r.queries.entries()) {
      const g = groups.nth(i);
      expect(await g.getAttribute('data-query')).toBe(q.name);
      expect(await g.locator('.p50-before').textContent()).toBe(formatMs(q.before.p50));
      expect(await g.locator('.p50-after').textContent()).toBe(formatMs(q.after.p50));
      expect(await g.locator('g.before .p95-whisker').getAttribute('data-value')).toBe(formatMs(q.before.p95));
      expect(await g.locator('g.after .p95-whisker').getAttribute('data-value')).toBe(formatMs(q.after.p95));
      expect(await g.locator('g.change').getAttribute('data-value')).toBe(formatPct(q.changePct));
      expect(await g.locator('g.change text').first().textContent()).toBe(formatPct(q.changePct));
      const title = (await g.locator(':scope > title').textContent()) ?? '';
      expect(title).toContain(`before: p50 ${formatMs(q.before.p50)}`);
      expect(title).toContain(`after: p50 ${formatMs(q.after.p50)}`);
      const regression = q.changePct > 20;
      expect(await g.getAttribute('class')).toBe(regression ? 'query regression' : 'query');
      expect(await g.locator('g.after rect.p50-bar').getAttribute('fill')).toBe(regression ? '#dc2626' : '#3b82f6');
    }
    const slow = r.queries.filter((q) => q.changePct > 20);
    expect(slow.map((q) => formatPct(q.changePct))).toEqual(['+35%']);
    // The plan change, listed under the chart as a diff.
    const plans = o.page.locator('.plans .plan');
    expect(await plans.count()).toBe(1);
    expect(await plans.getAttribute('data-query')).toBe(slow[0]!.name);
    const planLines = await plans.locator('.dl').allTextContents();
    expect(planLines).toContain('- ' + slow[0]!.planBefore![1]);
    expect(planLines).toContain('+ ' + slow[0]!.planAfter![1]);
    expect(planLines).toContain('  Aggregate');
    await o.page.context().close();
  });

  test('stall: "not measured" on PGlite; bars with values on a server sandbox', async () => {
    const lite = sampleRehearsalReport();
    const o1 = await open(renderRehearsalHtml(lite));
    const nm = o1.page.locator('svg.stalls g.stall.not-measured');
    expect(await nm.count()).toBe(lite.steps.length);
    expect(new Set(await nm.locator('.nm-text').allTextContents())).toEqual(new Set(['not measured (PGlite is single-connection)']));
    expect(stallNotMeasured('pglite')).toBe('not measured (PGlite is single-connection)');
    await o1.page.context().close();

    const server = sampleRehearsalReport({ sandbox: 'server' });
    const o2 = await open(renderRehearsalHtml(server));
    clean(o2);
    const bars = o2.page.locator('svg.stalls g.stall');
    expect(await bars.count()).toBe(server.steps.length);
    expect(await o2.page.locator('svg.stalls g.stall.not-measured').count()).toBe(0);
    const got = new Map<string, string>();
    for (let i = 0; i < server.steps.length; i++) {
      const g = bars.nth(i);
      got.set(`${await g.getAttribute('data-pass')}|${await g.getAttribute('data-step')}`, (await g.locator('.dur').textContent()) ?? '');
    }
    for (const s of server.steps) expect(got.get(`${s.pass}|${s.id}`)).toBe(formatMs(s.stallMs!));
    // Same majors: no warning.
    expect(await o2.page.locator('#version-warning').count()).toBe(0);
    await o2.page.context().close();
  });

  test('the passing sample: PASS, no warning, screenshot is not blank', async () => {
    const r = samplePassingRehearsalReport();
    expect(r.ok).toBe(true);
    const o = await open(renderRehearsalHtml(r));
    clean(o);
    expect((await o.page.locator('.verdict-word').textContent())?.trim()).toBe('PASS');
    expect(await o.page.title()).toContain('PASS');
    expect(await o.page.locator('#version-warning').count()).toBe(0);
    expect(await o.page.locator('li.check.fail').count()).toBe(0);
    expect(await o.page.locator('svg.timeline g.step').count()).toBe(r.steps.length);
    const png = await o.page.screenshot({ path: SCREENSHOT_PASS, fullPage: true });
    const s = pngStats(png);
    expect(s.height).toBeGreaterThan(1500);
    expect(s.colors).toBeGreaterThan(100);
    expect(s.nonBackground).toBeGreaterThan(0.1);
    await o.page.context().close();
  });

  test('hostile strings are shown as text and never run', async () => {
    const evil = '</script><img src=x onerror=alert(1)>';
    const evil2 = `"'><svg onload=alert(2)><script>alert(3)</script>`;
    const evil3 = `&amp; <b class="injected">bold</b> ]]> <!-- x`;
    const r = sampleRehearsalReport();
    const h: RehearsalReport = {
      ...r,
      subject: `migrations/${evil}.sql`,
      startedAt: `not a date ${evil}`,
      sandbox: { ...r.sandbox, description: `PGlite ${evil2}` },
      source: { url: `postgres://u:***@h/${evil}`, major: 16 },
      data: [{ table: `orders${evil3}`, rows: 5, how: 'fixture' }],
      versionNotes: [`note ${evil}`, evil2],
      checks: [{ name: `check-${evil2}`, ok: false, detail: `detail ${evil}`, diff: [`- ${evil}`, `+ ${evil2}`, `  ${evil3}`] }],
      steps: r.steps.map((s, i) => ({
        ...s,
        id: `${s.id}${i === 0 ? evil : ''}`,
        group: evil3,
        sql: `SELECT '${evil}' /* ${evil2} */`,
        locks: s.locks.map((l) => ({ ...l, relation: `t${evil}`, mode: i === 1 ? `Weird${evil2}` : l.mode })),
        rewrites: s.rewrites.map(() => `r${evil}`),
        claim: { locks: [], rewrite: false, agrees: false, disagreement: `claim ${evil}` },
        ...(i === 2 ? { error: { message: `boom ${evil}`, codeFrame: `> 1 | ${evil2}` } } : {}),
      })),
      queries: r.queries.map((q) => ({ ...q, name: `${q.name} ${evil}`, sql: `${q.sql} -- ${evil2}`, planBefore: [evil], planAfter: [evil2] })),
    };
    const o = await open(renderRehearsalHtml(h));
    clean(o);
    const { page } = o;
    expect(await page.locator('img, script, iframe, object, embed, .injected').count()).toBe(0);
    expect(await page.locator('[onerror], [onload]').count()).toBe(0);
    // Only the renderer's own SVGs: three charts and the three legend swatches.
    expect(await page.locator('svg').count()).toBe(6);
    expect(await page.locator('h1.subject').textContent()).toBe(h.subject);
    expect(await page.title()).toContain(h.subject);
    expect(await page.locator('li.check .check-detail').textContent()).toBe(`detail ${evil}`);
    expect(await page.locator('li.check .dl').allTextContents()).toEqual(h.checks[0]!.diff);
    expect(await page.locator('li.check').getAttribute('data-check')).toBe(h.checks[0]!.name);
    expect(await page.locator('svg.timeline g.step').first().getAttribute('data-step')).toBe(h.steps[0]!.id);
    expect(await page.locator('.step-error-msg').allTextContents()).toContain(`boom ${evil}`);
    expect(await page.locator('svg.latency g.query').first().getAttribute('data-query')).toBe(h.queries[0]!.name);
    expect(await page.locator('#version-warning').innerText()).toContain(`note ${evil}`);
    expect(await page.locator('header.hero').innerText()).toContain(`not a date ${evil}`);
    await page.context().close();
  });

  test('an empty report and odd numbers still render cleanly', async () => {
    const r = sampleRehearsalReport();
    const empty: RehearsalReport = { ...r, ok: false, checks: [], steps: [], queries: [], data: [], versionNotes: [], source: undefined, sandbox: { kind: 'pglite', major: 18, description: 'PGlite' } };
    const o = await open(renderRehearsalHtml(empty));
    clean(o);
    expect((await o.page.locator('.verdict-word').textContent())?.trim()).toBe('FAIL');
    expect(await o.page.locator('.empty').count()).toBeGreaterThanOrEqual(3);
    await o.page.context().close();

    const odd: RehearsalReport = {
      ...r,
      steps: r.steps.slice(0, 2).map((s, i) => ({ ...s, durationMs: i ? Number.NaN : 0, startMs: -5, stallMs: Number.POSITIVE_INFINITY })),
      queries: [{ ...r.queries[0]!, before: { p50: 0, p95: 0, mean: 0 }, after: { p50: 0.2, p95: 0.1, mean: 0.1 }, changePct: Number.POSITIVE_INFINITY }],
    };
    const html = renderRehearsalHtml(odd);
    expect(html).not.toMatch(/NaN|Infinity/);
    const o2 = await open(html);
    clean(o2);
    expect(await o2.page.locator('svg.latency g.change').getAttribute('data-value')).toBe('n/a');
    await o2.page.context().close();
  });
});

describe('formatting', () => {
  test('formatMs', () => {
    expect([0, 0.0004, 0.041, 0.0977, 0.42, 3.8, 48.6, 214.5, 999.6, 3912, 12_345, 125_000].map(formatMs)).toEqual([
      '0 ms',
      '<0.001 ms',
      '0.041 ms',
      '0.098 ms',
      '0.42 ms',
      '3.8 ms',
      '48.6 ms',
      '215 ms',
      '1 s',
      '3.91 s',
      '12.3 s',
      '2 min 5 s',
    ]);
    expect(formatMs(Number.NaN)).toBe('–');
  });
  test('formatPct', () => {
    expect([35, 4.878, -2.1, 0.01, -50, Number.NaN].map(formatPct)).toEqual(['+35%', '+4.9%', '−2.1%', '±0%', '−50%', 'n/a']);
  });
});

/** Image size, distinct colours (sampled) and the share of pixels unlike the most common one. */
function pngStats(png: Buffer): { width: number; height: number; colors: number; nonBackground: number } {
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9]!;
      if (data[8] !== 8) throw new Error(`unexpected PNG bit depth ${data[8]}`);
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : colorType === 4 ? 2 : 1;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp]! : 0;
      const b = y ? px[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y ? px[(y - 1) * stride + x - bpp]! : 0;
      const v = raw[src + x]!;
      let out: number;
      if (f === 0) out = v;
      else if (f === 1) out = v + a;
      else if (f === 2) out = v + b;
      else if (f === 3) out = v + ((a + b) >> 1);
      else {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        out = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      px[y * stride + x] = out & 0xff;
    }
  }
  const counts = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < px.length; i += bpp * 3) {
    const k = bpp >= 3 ? (px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]! : px[i]!;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    total++;
  }
  const top = Math.max(...counts.values());
  return { width, height, colors: counts.size, nonBackground: 1 - top / total };
}

describe('what the terminal says, the page says too', () => {
  test('where the workload came from, and a step whose locks were not observed', () => {
    const r = sampleRehearsalReport();
    r.workload = 'the 3 most expensive queries on orders <from pg_stat_statements>';
    const step = r.steps.find((s) => !s.locks.length) ?? r.steps[0]!;
    step.locks = [];
    step.observed = 'none';
    const html = renderRehearsalHtml(r);
    expect(html).toContain('workload: the 3 most expensive queries on orders &lt;from pg_stat_statements&gt;');
    expect(html).toContain('<span class="muted">not observed</span>');
  });
});
