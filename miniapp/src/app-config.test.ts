/**
 * The page configs as WeChat reads them: every page that listens for pull-down
 * refresh enables the gesture (without it usePullDownRefresh never fires in
 * WeChat), and every page has a title (the h5 navigation bar shows it).
 */
import fs from 'node:fs';
import path from 'node:path';

type PageConfig = { navigationBarTitleText?: string; enablePullDownRefresh?: boolean };
const g = globalThis as unknown as { defineAppConfig: (c: unknown) => unknown; definePageConfig: (c: unknown) => unknown };
g.defineAppConfig = (c) => c;
g.definePageConfig = (c) => c;

const src = __dirname;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const app = (require('./app.config') as { default: { pages: string[]; subPackages?: Array<{ root: string; pages: string[] }>; window: { navigationStyle?: string } } }).default;
const pages = [...app.pages, ...(app.subPackages ?? []).flatMap((p) => p.pages.map((page) => `${p.root}/${page}`))];

function pageSource(page: string): string {
  const file = ['.tsx', '.ts'].map((ext) => path.join(src, page + ext)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no source for page ${page}`);
  return fs.readFileSync(file, 'utf8');
}

function pageConfig(page: string): PageConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(src, `${page}.config`)) as { default: PageConfig }).default;
}

describe('page configs', () => {
  it('list pages that exist', () => {
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) expect(() => pageSource(page)).not.toThrow();
  });

  it.each(pages)('%s enables pull-down refresh if it uses usePullDownRefresh', (page) => {
    if (/usePullDownRefresh\(/.test(pageSource(page))) expect(pageConfig(page).enablePullDownRefresh).toBe(true);
  });

  it('include the home page among those that refresh on pull-down', () => {
    expect(pageConfig('pages/index/index').enablePullDownRefresh).toBe(true);
  });

  it.each(pages)('%s has a title for the navigation bar', (page) => {
    expect(pageConfig(page).navigationBarTitleText).toMatch(/\S/);
  });

  it('draw the navigation bar (title and back) in h5', () => {
    expect(app.window.navigationStyle).toBe('default');
  });
});
