import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import type { TestHub } from '../../server/test/support/app';
import { bindAccount } from '../../server/test/support/resident';
import type { Sandbox } from '../../server/test/support/sandbox';
import { launchChromium, screenshot, sessionOf, startResidentStack, type ResidentStack } from './support/browser';
import { englishWords, expectNoEnglish } from './support/no-english';

/**
 * Payments a resident can always finish (issue 11), in headless Chromium on a
 * 375×812 phone against the h5 build: leaving the cashier and paying again
 * resumes the same order, a cancelled payment continues with 继续支付, a
 * refused write-off explains its refund in Chinese; no English on any page.
 * The device is set to UTC: every time shown must still be Beijing time.
 * Needs `npm run build:h5` first.
 */
jest.setTimeout(90_000);

describe('paying in a browser, whatever the resident does on the way', () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let stack: ResidentStack | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startResidentStack();
    ({ hub, sandbox } = stack);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  // Each journey is a new resident on a new phone (the mock WeChat user lives in the page's storage).
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', timezoneId: 'UTC' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(async () => {
    await context?.close();
  });

  /**
   * Opens the app (which logs the resident in), binds an account for them
   * over the API (the account form has its own browser tests) and opens its
   * bills page, as the 我的 list would.
   */
  async function openBills(body: { serviceId: string; cityCode: string; fields: Record<string, string> }): Promise<{ accountId: string; auth: { Authorization: string } }> {
    await page.goto(`${hub.url}/`);
    await page.locator('#tile-state-grid:visible').waitFor();
    await expectNoEnglish(page, 'home');
    const token = await sessionOf(page);
    const auth = { Authorization: `Bearer ${token}` };
    const accountId = await bindAccount(hub, { token, auth }, body);
    await page.goto(`${hub.url}/#/packages/bills/index?accountId=${accountId}`);
    await page.locator('#pay-button:visible').waitFor();
    await expectNoEnglish(page, 'bills');
    return { accountId, auth };
  }

  // After Taro's page transition has finished sliding in.
  const shot = (name: string) => screenshot(page, name);

  /** The order the cashier is showing, from its address. */
  const cashierOrderId = () => new URL(page.url().replace('/#/', '/')).searchParams.get('orderId');

  async function atCashier(): Promise<string> {
    await page.locator('#cashier-confirm:visible').waitFor();
    await expectNoEnglish(page, 'cashier');
    return cashierOrderId()!;
  }

  async function confirmAndComplete(): Promise<void> {
    await page.locator('#cashier-confirm:visible').click();
    await page.locator('#result-status[data-status="COMPLETED"]').waitFor({ timeout: 15_000 });
    await expectNoEnglish(page, 'result');
  }

  async function ordersOf(auth: { Authorization: string }, accountId: string): Promise<Array<{ id: string; status: string }>> {
    const list = await request(hub.url).get('/api/v1/orders').set(auth).expect(200);
    return (list.body.orders as Array<{ id: string; status: string; accountId: string }>).filter((o) => o.accountId === accountId);
  }

  it('leaving at the cashier (back, or a reload) then paying the same bills again resumes the same order, which completes', async () => {
    const { accountId, auth } = await openBills({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000005' } });
    await page.locator('#pay-button:visible').click();
    const first = await atCashier();

    // Back gesture: the bills page offers the unfinished order, and 立即缴费 finds the same one.
    await page.goBack();
    await page.locator('#pay-continue:visible').waitFor();
    await expectNoEnglish(page, 'bills with an unfinished payment');
    await page.locator('#pay-button:visible').click();
    expect(await atCashier()).toBe(first);

    // A reload at the cashier loses the page's memory, not the payment: the same order's sheet again.
    await page.reload();
    expect(await atCashier()).toBe(first);
    await confirmAndComplete();

    const orders = await ordersOf(auth, accountId);
    expect(orders).toEqual([expect.objectContaining({ id: first, status: 'COMPLETED' })]);
    expect((await sandbox.writeOffs('grid')).length).toBe(1);
  });

  it('a cancelled payment leaves 继续支付 and 取消; 继续支付 completes it, and its receipt shows Beijing time on a UTC phone', async () => {
    const { accountId, auth } = await openBills({ serviceId: 'city-water', cityCode: '410100', fields: { customerNo: '41010001' } });
    await page.locator('#pay-button:visible').click();
    const first = await atCashier();
    await page.locator('#cashier-cancel:visible').click();

    await page.locator('#pay-continue:visible').waitFor();
    await page.locator('#pay-cancel:visible').waitFor();
    expect(await page.locator('#pay-unfinished:visible').textContent()).toContain('¥45.90');
    await expectNoEnglish(page, 'bills after a cancelled payment');
    await shot('unfinished');
    // Nothing locked: the order is still open, and its bills are the resident's to pay.
    expect(await ordersOf(auth, accountId)).toEqual([expect.objectContaining({ id: first, status: 'CREATED' })]);

    await page.locator('#pay-continue:visible').click();
    expect(await atCashier()).toBe(first);
    await confirmAndComplete();

    await page.locator('#result-detail:visible').click();
    await page.locator('#order-receipt:visible').waitFor();
    await expectNoEnglish(page, 'receipt');
    const { order } = (await request(hub.url).get(`/api/v1/orders/${first}`).set(auth).expect(200)).body;
    const paidAt = new Date(order.receipt.paidAt);
    const beijing = new Date(paidAt.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect((await page.locator('#receipt-paid-at:visible').textContent())!.trim()).toBe(beijing);
  });

  it('取消 on the order page closes it at the gateway; the bills can be paid afresh', async () => {
    const { accountId, auth } = await openBills({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000003' } });
    await page.locator('#pay-button:visible').click();
    const first = await atCashier();
    await page.locator('#cashier-cancel:visible').click();
    await page.locator('#pay-continue:visible').waitFor();

    await page.goto(`${hub.url}/#/packages/order/index?id=${first}`);
    await page.locator('#order-continue:visible').waitFor();
    await expectNoEnglish(page, 'unpaid order');
    await page.locator('#order-cancel:visible').click();
    await page.locator('#order-status[class*="closed"]:visible').waitFor();
    const closed = (await request(hub.url).get(`/api/v1/orders/${first}`).set(auth).expect(200)).body.order;
    expect(closed.status).toBe('CLOSED');
    expect(hub.wechat.state.trades.get(closed.orderNo)!.state).toBe('CLOSED');
    await expectNoEnglish(page, 'cancelled order');

    await page.goto(`${hub.url}/#/packages/bills/index?accountId=${accountId}`);
    await page.locator('#pay-button:visible').click();
    const second = await atCashier();
    expect(second).not.toBe(first);
    await confirmAndComplete();
  });

  it('a refused write-off shows the refund in Chinese: the reason, the refund number and when it arrives', async () => {
    const { auth } = await openBills({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000009' } });
    await page.locator('#pay-button:visible').click();
    const id = await atCashier();
    await page.locator('#cashier-confirm:visible').click();
    await page.locator('#result-status[data-status="REFUNDED"]').waitFor({ timeout: 20_000 });
    const note = page.locator('#refund-note:visible');
    expect(await note.textContent()).toContain('缴费单位未能销账，款项已原路退回');
    expect(await note.textContent()).toContain('1–3 个工作日到账');
    const { order } = (await request(hub.url).get(`/api/v1/orders/${id}`).set(auth).expect(200)).body;
    expect((await page.locator('#refund-no:visible').textContent())!.trim()).toBe(order.refund.refundNo);
    await expectNoEnglish(page, 'refunded result');
    await shot('refunded');

    await page.locator('#result-detail:visible').click();
    await page.locator('#order-status:visible').waitFor();
    expect(await page.locator('#order-status:visible').getAttribute('class')).toContain('order__status--refunded');
    // 已退款 is not painted as a success (WeChat green).
    expect(await page.locator('#order-status:visible').evaluate((el) => getComputedStyle(el).color)).not.toBe('rgb(7, 193, 96)');
    expect((await page.locator('#refund-no:visible').textContent())!.trim()).toBe(order.refund.refundNo);
    await expectNoEnglish(page, 'refunded order');
  });
});

describe('expectNoEnglish', () => {
  it('finds English words, and lets product terms and identifiers through', () => {
    expect(englishWords('the provider has no account with these details')).toEqual(['the', 'provider', 'has', 'account', 'with', 'these', 'details']);
    expect(englishWords('豫A12345 ETC 卡 · 订单号 CH2026112300001 · 凭证 GW12345678 · ¥421.80')).toEqual([]);
    expect(englishWords('服务暂时不可用（503 Service Unavailable）')).toEqual(['Service', 'Unavailable']);
  });
});
