import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestHub, type TestHub, type TestHubOptions } from '../../../server/test/support/app';
import { seedDemoAdapters, startSandbox, type Sandbox } from '../../../server/test/support/sandbox';

/** What every browser test (and the Lighthouse run in CI) sets up the same way. */

const root = path.resolve(__dirname, '..', '..', '..');

/** The h5 build the resident tests load (`npm run build:h5`). */
export const h5Dir = path.join(root, 'miniapp', 'dist', 'h5');

/** Screenshots of each step; SCREENSHOT_DIR=docs/screenshots refreshes the ones the README and docs show. */
export const screenshotDir = path.resolve(root, process.env.SCREENSHOT_DIR ?? '.test-results/screenshots');

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Playwright gives each launch a fresh profile; these keep Chromium off the machine's closed network. */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_FLAGS });
}

export interface ResidentStack {
  hub: TestHub;
  sandbox: Sandbox;
  close(): Promise<void>;
}

/**
 * A hub serving the h5 build, with the provider simulators and the demo adapters, as a
 * resident meets it. The build talks to the hub on its own origin and to the mock WeChat on 4100.
 */
export async function startResidentStack(options: Omit<TestHubOptions, 'h5Dir' | 'wechatPort'> = {}): Promise<ResidentStack> {
  if (!fs.existsSync(path.join(h5Dir, 'index.html'))) throw new Error('no h5 build: run `npm run build:h5` first');
  const sandbox = await startSandbox();
  let hub: TestHub | undefined;
  const close = async () => {
    await hub?.close();
    await sandbox.close();
  };
  try {
    hub = await createTestHub({ workers: true, ...options, h5Dir, wechatPort: 4100 });
    await seedDemoAdapters(hub, sandbox);
    fs.mkdirSync(screenshotDir, { recursive: true });
    return { hub, sandbox, close };
  } catch (err) {
    // The callers' afterAll only knows a stack that started: nothing may stay on port 4100.
    await close();
    throw err;
  }
}

/** A screenshot of the page once its transitions have settled, into the screenshot folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** The resident's session token, as the h5 build keeps it (Taro wraps storage values as { data }). */
export async function sessionOf(page: Page): Promise<string> {
  // Typed without the DOM library: the Lighthouse script (scripts/, Node types only) imports this module.
  const raw = await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('cityhub.session'));
  if (!raw) throw new Error('the page has not logged in');
  return (JSON.parse(raw) as { data: string }).data;
}
