/**
 * Headless Chromium for the HTML report tests: a page opened from a file:// URL with every request
 * recorded (and anything but the page itself aborted), console errors, page errors and dialogs kept.
 *
 * Needs /usr/bin/chromium (Debian's `chromium` package). Without it a test file skips its browser
 * tests with a loud notice on a workstation, and fails in CI (`chromiumMissingInCi`).
 */
import { expect } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Says loudly, once per file, that the browser tests of `file` do not run here. */
export function warnIfNoChromium(file: string): void {
  if (!haveChromium && !process.env.CI)
    console.warn(
      `\n${'*'.repeat(100)}\n*** SKIPPING the browser tests of ${file}: ${CHROMIUM} is missing (apt-get install chromium). ***\n*** That HTML report is NOT being tested in a browser on this machine. ***\n${'*'.repeat(100)}\n`,
    );
}

export interface Opened {
  page: Page;
  url: string;
  /** Every request the page made, as seen by the request event and by the router. */
  requests: string[];
  routed: string[];
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  close(): Promise<void>;
}

export interface BrowserHarness {
  open(html: string): Promise<Opened>;
  close(): Promise<void>;
}

export async function launch(): Promise<BrowserHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-html-'));
  let files = 0;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    async open(html: string): Promise<Opened> {
      const file = join(dir, `report-${++files}.html`);
      writeFileSync(file, html);
      const url = pathToFileURL(file).href;
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
      const o: Opened = { page: await context.newPage(), url, requests: [], routed: [], consoleErrors: [], pageErrors: [], dialogs: [], close: () => context.close() };
      await context.route('**/*', (route) => {
        const u = route.request().url();
        o.routed.push(u);
        return u === url ? route.continue() : route.abort();
      });
      o.page.on('request', (r) => o.requests.push(r.url()));
      o.page.on('console', (m) => {
        if (m.type() === 'error') o.consoleErrors.push(m.text());
      });
      o.page.on('pageerror', (e) => o.pageErrors.push(String(e)));
      o.page.on('dialog', (d) => {
        o.dialogs.push(d.message());
        void d.dismiss();
      });
      await o.page.goto(url, { waitUntil: 'load' });
      await o.page.waitForTimeout(150); // let anything deferred (it should not exist) try its luck
      return o;
    },
    async close() {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** No console error, no page error, no dialog, no request but the page itself. */
export function expectClean(o: Opened): void {
  expect(o.consoleErrors).toEqual([]);
  expect(o.pageErrors).toEqual([]);
  expect(o.dialogs).toEqual([]);
  expect(o.requests.filter((u) => u !== o.url)).toEqual([]);
  expect(o.routed.filter((u) => u !== o.url)).toEqual([]);
}
