import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import type { TestHub } from '../../server/test/support/app';
import { loginResident } from '../../server/test/support/resident';
import type { Sandbox } from '../../server/test/support/sandbox';
import { launchChromium, screenshot, startResidentStack, type ResidentStack } from './support/browser';
import { expectNoEnglish } from './support/no-english';

/**
 * The resident's journeys in headless Chromium against the h5 build, served
 * by a real hub paying through the mock WeChat and the provider simulators.
 * Needs `npm run build:h5` first (CI builds it before the tests).
 */
jest.setTimeout(90_000);

describe('resident journeys in a browser', () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let stack: ResidentStack | undefined;
  let browser: Browser;
  let page: Page;
  let firstScreenMs = 0;

  beforeAll(async () => {
    stack = await startResidentStack();
    ({ hub, sandbox } = stack);
    browser = await launchChromium();
    // First screen of a resident's fresh visit (new profile, empty cache), timed in the page's own
    // clock from navigation start to the service grid, after one visit has warmed the browser and hub.
    for (const measured of [false, true]) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const visit = await context.newPage();
      await visit.goto(`${hub.url}/`);
      const handle = await visit.waitForFunction(() => (document.querySelector('#tile-state-grid') ? performance.now() : 0), undefined, { polling: 'raf', timeout: 10_000 });
      if (measured) firstScreenMs = Math.round(Number(await handle.jsonValue()));
      await context.close();
    }
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (firstScreenMs) console.log(`h5 first screen (fresh visit, navigation start → service grid) on localhost: ${firstScreenMs} ms`);
    if (largest.nodes) console.log(`largest page: ${largest.nodes} nodes (${largest.where}); deepest ${largest.depth}; most children ${largest.children}`);
  });

  // After Taro's page transition has finished sliding in.
  const shot = (name: string) => screenshot(page, name);

  // Taro's h5 router keeps earlier pages in the DOM, hidden: locators target what is visible.
  async function payThroughCashier(): Promise<void> {
    await page.locator('#pay-button:visible').click();
    await page.locator('#cashier-confirm:visible').waitFor();
    await shot('cashier');
    await expectNoEnglish(page, 'cashier');
    await page.locator('#cashier-confirm:visible').click();
    await page.locator('#result-status[data-status="COMPLETED"]').waitFor({ timeout: 15_000 });
    await expectNoEnglish(page, 'result');
  }

  it('pick nothing (郑州 by default), bind the demo electricity account, pay, see done and the receipt in history', async () => {
    await page.goto(`${hub.url}/`);
    await page.locator('#tile-state-grid:visible').waitFor();
    await page.getByText('郑州市').first().waitFor();
    await shot('home');
    await expectNoEnglish(page, 'home');

    await page.locator('#tile-state-grid:visible').click();
    await page.locator('#field-consNo input').fill('4101000001');
    await page.locator('#bind-submit:visible').click();
    // The provider's masked holder name first (issue 11), then 确认绑定.
    await page.locator('#bind-confirm:visible').click();
    await page.locator('#bind-confirmation:visible').getByText('王**').waitFor();
    await shot('service');
    await expectNoEnglish(page, 'service');
    await page.locator('.service__account:visible').first().click();
    await page.locator('#bills-total:visible').getByText('¥421.80').waitFor();
    await shot('bills');
    await expectNoEnglish(page, 'bills');
    await payThroughCashier();
    await page.getByText('缴费成功').first().waitFor();
    await shot('result');

    await page.locator('#result-detail:visible').click();
    await page.locator('#order-receipt:visible').waitFor();
    const writeOff = (await page.locator('#receipt-writeoff:visible').textContent())!.trim();
    expect(writeOff).toMatch(/^GW\d{8}$/);
    await shot('receipt');
    await expectNoEnglish(page, 'receipt');

    await page.goto(`${hub.url}/#/packages/orders/index`);
    await page.locator('[id^="order-CH"]').first().waitFor();
    await shot('orders');
    await expectNoEnglish(page, 'orders');
    expect(await page.locator('[id^="order-CH"]').first().textContent()).toContain('缴费成功');
    expect((await sandbox.writeOffs('grid')).map((w) => w.reference)).toContain(writeOff);
  });

  it('switch to 杭州 with the picker and pay a highway toll bill', async () => {
    await page.goto(`${hub.url}/`);
    await page.locator('#current-city:visible').click();
    await page.locator('#city-search input').fill('hz');
    await page.locator('#city-330100').click();
    await page.locator('.home__city-name').getByText('杭州市').waitFor();
    await shot('city-picked');
    await expectNoEnglish(page, 'home in 杭州');
    await page.locator('#tile-highway-etc:visible').click();
    await page.locator('#field-plate input').fill('浙A8B888');
    // The plate alone opens nothing: the last six of the ETC card number (or of the VIN) prove the car is ours.
    await page.locator('#field-cardOrVinTail input').fill('218805');
    await page.locator('#bind-submit:visible').click();
    // The provider's masked holder name first (issue 11), then 确认绑定.
    await page.locator('#bind-confirm:visible').click();
    await page.locator('#bind-confirmation:visible').waitFor();
    await page.locator('.service__account:visible').first().click();
    await page.getByText('杭州北站 → 湖州站').first().waitFor();
    await expectNoEnglish(page, 'toll bills');
    await payThroughCashier();
    expect((await sandbox.writeOffs('toll')).length).toBe(1);
  });

  it('a payment cancelled at the cashier leaves the bill payable', async () => {
    await page.goto(`${hub.url}/`);
    await page.locator('#current-city:visible').click();
    await page.locator('#city-search input').fill('zhengzhou');
    await page.locator('#city-410100').click();
    await page.locator('#tile-city-water:visible').click();
    await page.locator('#field-customerNo input').fill('41010001');
    await page.locator('#bind-submit:visible').click();
    // The provider's masked holder name first (issue 11), then 确认绑定.
    await page.locator('#bind-confirm:visible').click();
    await page.locator('.service__account:visible').first().click();
    await page.locator('#pay-button:visible').click();
    await page.locator('#cashier-cancel:visible').click();
    // Back on the bills, nothing paid, the bill still there and payable.
    await page.locator('#pay-button:visible').waitFor();
    expect(await page.locator('[id^="bill-"]:visible').count()).toBe(1);
    await expectNoEnglish(page, 'bills after a cancelled payment');
    await payThroughCashier();
    expect((await sandbox.writeOffs('water')).length).toBe(1);
  });

  it('turn on a bill reminder on 我的, and get the WeChat message when the bill is due', async () => {
    await page.goto(`${hub.url}/`);
    await page.locator('#tile-state-grid:visible').click();
    await page.locator('#field-consNo input').fill('4101000003');
    await page.locator('#bind-submit:visible').click();
    // The provider's masked holder name first (issue 11), then 确认绑定.
    await page.locator('#bind-confirm:visible').click();
    await page.locator('#bind-confirmation:visible').getByText('张*').waitFor();

    await page.goto(`${hub.url}/#/packages/me/index`);
    const row = page.locator('[id^="me-account-"]:visible').filter({ hasText: '张*' });
    await row.waitFor();
    const accountId = (await row.getAttribute('id'))!.replace('me-account-', '');
    await row.locator('[id^="me-remind-"]').click();
    await page.locator(`#me-reminders-${accountId}:visible`).getByText('还可提醒 1 次').waitFor();
    await shot('me');
    await expectNoEnglish(page, 'me');

    // 10:00 in Beijing, the bill overdue: the reminder job sends through WeChat's server API.
    expect(await hub.services.reminders.runDue(new Date('2026-11-23T02:00:00Z'))).toMatchObject({ sent: 1 });
    const { messages } = (await (await fetch(`${hub.wechatUrl}/sandbox/messages`)).json()) as { messages: Array<{ page: string; data: Record<string, string> }> };
    expect(messages).toEqual([expect.objectContaining({ page: `packages/bills/index?accountId=${accountId}`, data: expect.objectContaining({ amount2: '98.70元' }) })]);
  });

  it("a provider that is down shows its tile greyed with the reason, others unaffected", async () => {
    // Trip the gas adapter's breaker the way residents would: its provider failing every call.
    await fetch(`${sandbox.providers.gas.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }) });
    const someone = await loginResident(hub, 'gas-tripper');
    for (let i = 0; i < 8; i++) await request(hub.url).post('/api/v1/accounts').set(someone.auth).send({ serviceId: 'city-gas', cityCode: '410100', fields: { userCode: 'RQ41010001' } });
    await page.goto(`${hub.url}/`);
    await page.locator('#tile-city-gas[data-status="down"]').waitFor();
    expect(await page.locator('#tile-city-gas:visible').textContent()).toContain('暂停服务');
    expect(await page.locator('#tile-state-grid:visible').getAttribute('data-status')).toBe('available');
    await shot('provider-down');
    await expectNoEnglish(page, 'home with a provider down');
  });

  /**
   * WeChat's audit counts a page's WXML nodes (fewer than 1,000), tree depth
   * (under 30) and children of one node (at most 60). Taro's h5 output is a
   * close, slightly larger image of the WXML tree, so the page the resident
   * sees is measured here: visible elements only (Taro keeps earlier pages
   * in the DOM, hidden).
   */
  async function pageTree(): Promise<{ nodes: number; depth: number; children: number }> {
    return page.evaluate(() => {
      type Checkable = Element & { checkVisibility(): boolean };
      let nodes = 0;
      let depth = 0;
      let children = 0;
      const walk = (el: Element, d: number) => {
        nodes++;
        depth = Math.max(depth, d);
        const kids = [...el.children].filter((c) => (c as Checkable).checkVisibility());
        children = Math.max(children, kids.length);
        for (const kid of kids) walk(kid, d + 1);
      };
      walk(document.body, 0);
      return { nodes, depth, children };
    });
  }
  const largest = { nodes: 0, depth: 0, children: 0, where: '' };
  const withinAudit = (tree: { nodes: number; depth: number; children: number }, where: string) => {
    if (tree.nodes > largest.nodes) Object.assign(largest, { nodes: tree.nodes, where });
    largest.depth = Math.max(largest.depth, tree.depth);
    largest.children = Math.max(largest.children, tree.children);
    expect({ where, ...tree, fits: tree.nodes < 1000 && tree.depth < 30 && tree.children <= 60 }).toEqual({ where, ...tree, fits: true });
  };

  it("keeps every page within WeChat's audit limits on nodes, depth and children", async () => {
    await page.goto(`${hub.url}/`);
    await page.locator('#tile-state-grid:visible').waitFor();
    withinAudit(await pageTree(), 'home');

    // The city picker with all 369 cities: every province, then every letter, opened in turn.
    await page.locator('#current-city:visible').click();
    for (const tab of ['按省份', '按字母']) {
      await page.getByText(tab, { exact: true }).click();
      const groups = await page.locator('[id^="group-"]:visible').evaluateAll((els) => els.map((e) => e.id));
      expect(groups.length).toBeGreaterThan(20);
      for (const id of groups) {
        await page.locator(`#${id}`).click();
        withinAudit(await pageTree(), `picker ${tab} ${id}`);
        await page.locator(`#${id}`).click();
      }
    }
    // Searches that match the most cities.
    for (const q of ['s', 'h', 'z', 'j']) {
      await page.locator('#city-search input').fill(q);
      await page.locator('.picker__city:visible').first().waitFor();
      withinAudit(await pageTree(), `picker search ${q}`);
    }

    for (const route of ['packages/orders/index', 'packages/me/index']) {
      await page.goto(`${hub.url}/#/${route}`);
      await page.locator(route.includes('orders') ? '[id^="order-CH"]' : '[id^="me-account-"]').first().waitFor();
      withinAudit(await pageTree(), route);
    }
  });
});
