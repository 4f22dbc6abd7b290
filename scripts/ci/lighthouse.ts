/**
 * Lighthouse (mobile, its default simulated throttling) on the resident's
 * home, bills and 我的 pages of the h5 build, served by a real hub with the
 * sandbox providers; then the first screen under DevTools' Fast 3G profile in
 * Playwright. Prints the figures and writes .test-results/lighthouse.json.
 *
 * Reports, does not judge: scores under the goals (performance >= 90,
 * accessibility >= 95, first screen <= 1.5 s) do not fail CI; Lighthouse
 * failing to run does. Needs `npm run build:h5` first; uses port 4100 (the
 * mock WeChat the h5 build logs in through), so it runs under the heavy-work lock.
 *
 * Lighthouse drives a Chromium of its own (chrome-launcher): under Playwright,
 * which attaches to every new tab, its trace misses the navigation (NO_NAVSTART).
 *
 *   npx tsx scripts/ci/lighthouse.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { bindAccount, loginResident } from '../../server/test/support/resident';
import { CHROMIUM_FLAGS, startResidentStack, type ResidentStack } from '../../miniapp/e2e/support/browser';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.test-results', 'lighthouse.json');
const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** Chrome DevTools' "Fast 3G" preset (network only). */
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1000 * 1000 * 0.9) / 8, uploadThroughput: (750 * 1000 * 0.9) / 8 };

const GOALS = { performance: 90, accessibility: 95, firstScreenMs: 1500 };

interface PageResult {
  name: string;
  url: string;
  performance: number;
  accessibility: number;
  lcpMs: number;
  tbtMs: number;
  /** Bytes of JavaScript the page fetched, as sent (compressed). */
  jsTransferBytes: number;
  /** Accessibility audits that failed, by id, with (up to three of) the elements that fail them. */
  accessibilityFailures: string[];
  accessibilityNodes: Record<string, string[]>;
}

interface LhAudit {
  score: number | null;
  numericValue?: number;
  details?: { items?: Array<{ resourceType?: string; transferSize?: number; node?: { snippet?: string } }> };
}
interface LhResult {
  categories: Record<'performance' | 'accessibility', { score: number | null; auditRefs: Array<{ id: string; weight: number }> }>;
  audits: Record<string, LhAudit | undefined>;
  runtimeError?: { code: string; message: string };
}
type Lighthouse = (url: string, flags: Record<string, unknown>) => Promise<{ lhr: LhResult } | undefined>;
type ChromeLauncher = { launch(options: { chromePath: string; chromeFlags: string[]; userDataDir: string }): Promise<{ port: number; kill(): void }> };

async function audit(lighthouse: Lighthouse, port: number, name: string, url: string): Promise<PageResult> {
  const run = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'] });
  if (!run) throw new Error(`Lighthouse gave no result for ${name}`);
  const { lhr } = run;
  if (lhr.runtimeError) throw new Error(`Lighthouse could not audit ${name}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const score = (category: 'performance' | 'accessibility') => Math.round((lhr.categories[category].score ?? 0) * 100);
  const a11y = lhr.categories.accessibility.auditRefs.filter((ref) => ref.weight > 0 && lhr.audits[ref.id]?.score === 0).map((ref) => ref.id);
  const js = (lhr.audits['network-requests']?.details?.items ?? []).filter((i) => i.resourceType === 'Script').reduce((n, i) => n + (i.transferSize ?? 0), 0);
  return {
    name,
    url,
    performance: score('performance'),
    accessibility: score('accessibility'),
    lcpMs: Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? 0),
    tbtMs: Math.round(lhr.audits['total-blocking-time']?.numericValue ?? 0),
    jsTransferBytes: js,
    accessibilityFailures: a11y,
    accessibilityNodes: Object.fromEntries(a11y.map((id) => [id, (lhr.audits[id]?.details?.items ?? []).slice(0, 3).map((i) => i.node?.snippet ?? '')])),
  };
}

/** A fresh visit (empty cache) to the home page under Fast 3G: navigation start to the service grid, in the page's clock. */
async function fast3gFirstScreen(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', FAST_3G);
    await page.goto(url, { timeout: 60_000 });
    // Runs in the page; a function, not a string, which the page's CSP would refuse to evaluate.
    // (This script compiles without the DOM library, hence the narrow type for document.)
    const handle = await page.waitForFunction(
      () => ((globalThis as unknown as { document: { querySelector(selector: string): unknown } }).document.querySelector('#tile-state-grid') ? performance.now() : 0),
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    return Math.round(Number(await handle.jsonValue()));
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const { default: lighthouse } = (await import('lighthouse')) as unknown as { default: Lighthouse };
  const launcher = (await import('chrome-launcher')) as unknown as ChromeLauncher;
  let stack: ResidentStack | undefined;
  let chrome: { port: number; kill(): void } | undefined;
  let browser: Browser | undefined;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-lighthouse-'));
  try {
    stack = await startResidentStack();
    const { hub } = stack;
    // A resident with the demo electricity account bound, as the browser tests seed one.
    const resident = await loginResident(hub, 'lighthouse-resident');
    const accountId = await bindAccount(hub, resident, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000001' } });

    chrome = await launcher.launch({ chromePath: CHROME_PATH, chromeFlags: ['--headless', ...CHROMIUM_FLAGS], userDataDir: profile });
    // Playwright puts the session in that Chromium's localStorage, then lets go before Lighthouse starts.
    const driver = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
    const setup = await (driver.contexts()[0] ?? (await driver.newContext())).newPage();
    await setup.goto(`${hub.url}/favicon.svg`);
    // Taro's h5 storage keeps { data } under the key; Lighthouse clears the cache, not localStorage.
    await setup.evaluate((value) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('cityhub.session', value), JSON.stringify({ data: resident.token }));
    await setup.close();
    await driver.close();

    const pages: PageResult[] = [];
    for (const [name, route] of [
      ['home', '/#/pages/index/index'],
      ['bills', `/#/packages/bills/index?accountId=${accountId}`],
      ['me', '/#/packages/me/index'],
    ] as const) {
      pages.push(await audit(lighthouse, chrome.port, name, `${hub.url}${route}`));
    }
    chrome.kill();
    chrome = undefined;
    browser = await chromium.launch({ executablePath: CHROME_PATH, headless: true, args: CHROMIUM_FLAGS });
    const firstScreenMs = await fast3gFirstScreen(browser, `${hub.url}/`);

    const report = { measuredAt: new Date().toISOString(), goals: GOALS, fast3g: { ...FAST_3G, firstScreenMs }, pages };
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);

    const mark = (ok: boolean) => (ok ? 'met' : 'under goal');
    console.log('Lighthouse (mobile, default throttling) on the h5 build');
    for (const p of pages) {
      console.log(
        `  ${p.name.padEnd(6)} performance ${p.performance} (${mark(p.performance >= GOALS.performance)}), accessibility ${p.accessibility} (${mark(p.accessibility >= GOALS.accessibility)}), LCP ${p.lcpMs} ms, TBT ${p.tbtMs} ms, JS ${(p.jsTransferBytes / 1024).toFixed(1)} KB sent` +
          (p.accessibilityFailures.length ? `; failing: ${p.accessibilityFailures.join(', ')}` : ''),
      );
    }
    for (const p of pages) for (const [id, nodes] of Object.entries(p.accessibilityNodes)) console.log(`    ${p.name} ${id}: ${nodes.join(' | ')}`);
    console.log(`  first screen under Fast 3G (fresh visit, navigation start -> service grid): ${firstScreenMs} ms (goal ${GOALS.firstScreenMs} ms: ${firstScreenMs <= GOALS.firstScreenMs ? 'met' : 'over'})`);
    console.log(`  written to ${path.relative(ROOT, OUT)}`);
  } finally {
    chrome?.kill();
    await browser?.close();
    await stack?.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('lighthouse run failed:', err);
    process.exit(1);
  },
);
