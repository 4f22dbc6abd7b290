import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestHub } from '../../server/test/support/app';
import { bindAccount } from '../../server/test/support/resident';
import type { Sandbox } from '../../server/test/support/sandbox';
import { launchChromium, screenshot, sessionOf, startResidentStack, type ResidentStack } from './support/browser';
import { expectNoEnglish } from './support/no-english';

/**
 * 缴费分组 in headless Chromium on a phone viewport against the h5 build: an
 * owner makes 我家 and invites; a second resident (their own browser, their
 * own WeChat login) opens the link, joins and pays the owner's bill; a third
 * opening the group's pages is refused. Needs `npm run build:h5` first.
 */
jest.setTimeout(90_000);

describe('a household group in a browser', () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let stack: ResidentStack | undefined;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    stack = await startResidentStack();
    ({ hub, sandbox } = stack);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await stack?.close();
  });

  /** A resident on their own phone: a fresh browser profile is a new WeChat user to the mock WeChat. */
  async function resident(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  }

  /** The hub session the page logged in with (Taro keeps storage as {"data": …}). */
  it('an owner makes 我家 and invites; a family member joins and pays the bill; a stranger is refused', async () => {
    // The owner: 我的 → 缴费分组 → 新建 我家.
    const owner = await resident();
    await owner.goto(`${hub.url}/#/packages/me/index`);
    await owner.locator('#me-households:visible').click();
    await owner.locator('#household-create:visible').waitFor();
    await owner.locator('#household-create:visible').click();
    await owner.locator('#household-problem:visible').getByText('请填写分组名称').waitFor();
    await expectNoEnglish(owner, 'households');
    await owner.locator('#household-name input').fill('我家');
    await owner.locator('#household-create:visible').click();
    await owner.locator('#household-title:visible').getByText('我家').waitFor();
    const groupId = new URL(owner.url().replace('#/', '')).searchParams.get('id')!;
    expect(groupId).toMatch(/^[0-9a-f-]{36}$/);

    // The owner's electricity account (bound as on the service page), put in the group.
    const ownerToken = await sessionOf(owner);
    const accountId = await bindAccount(hub, { token: ownerToken, auth: { Authorization: `Bearer ${ownerToken}` } }, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000005' } });
    await owner.reload();
    await owner.locator(`#household-add-${accountId}:visible`).click();
    await owner.locator(`#household-account-${accountId}:visible`).waitFor();
    await owner.locator('#household-invite:visible').click();
    const link = await owner.locator('#household-invite-link input').inputValue();
    expect(link).toMatch(/#\/packages\/household\/join\?token=[A-Za-z0-9_-]{32}$/);
    await screenshot(owner, 'household-owner');
    await expectNoEnglish(owner, 'household (owner, invitation ready)');

    // The family member opens the link on their own phone, confirms with a name, and joins.
    const member = await resident();
    await member.goto(link);
    await member.locator('#household-join:visible').getByText('邀请你加入「我家」').waitFor();
    await expectNoEnglish(member, 'join');
    await member.locator('#household-join-confirm:visible').click();
    await member.locator('#household-join-problem:visible').getByText('请填写你在分组中的称呼').waitFor();
    await member.locator('#household-display-name input').fill('妈妈');
    await screenshot(member, 'household-join');
    await member.locator('#household-join-confirm:visible').click();
    await member.locator(`#household-account-${accountId}:visible`).waitFor();
    await expectNoEnglish(member, 'household (member)');
    expect(await member.locator('#household-invite').count()).toBe(0);

    // … and pays the owner's bill: their own order, through the cashier.
    await member.locator(`#household-account-${accountId}:visible`).getByText('查看账单').click();
    await member.locator('#pay-button:visible').waitFor();
    await expectNoEnglish(member, 'bills (member)');
    await member.locator('#pay-button:visible').click();
    await member.locator('#cashier-confirm:visible').click();
    await member.locator('#result-status[data-status="COMPLETED"]').waitFor({ timeout: 15_000 });
    await expectNoEnglish(member, 'result (member)');
    expect((await sandbox.writeOffs('grid')).length).toBe(1);

    // The owner sees that it was paid, and by whom (masked).
    await owner.reload();
    const paid = owner.locator('[id^="household-order-"]:visible').first();
    await paid.getByText('妈* 发起').waitFor();
    await paid.getByText('缴费成功').waitFor();
    await screenshot(owner, 'household-paid');
    await expectNoEnglish(owner, 'household (owner, paid)');

    // A stranger with the group's and the account's addresses, and the used link, gets nowhere.
    const stranger = await resident();
    await stranger.goto(`${hub.url}/#/packages/household/group?id=${groupId}`);
    await stranger.locator('#page-error:visible').getByText('没有找到这个缴费分组').waitFor();
    expect(await stranger.locator('#household-title').count()).toBe(0);
    await expectNoEnglish(stranger, 'household (stranger)');
    await stranger.goto(`${hub.url}/#/packages/bills/index?accountId=${accountId}`);
    await stranger.locator('#page-error:visible').waitFor();
    expect(await stranger.locator('#pay-button:visible').count()).toBe(0);
    await expectNoEnglish(stranger, 'bills (stranger)');
    await stranger.goto(link);
    await stranger.locator('#page-error:visible').getByText('邀请已被使用').waitFor();
    await expectNoEnglish(stranger, 'join (stranger, used link)');

    // The owner removes the member, who is shut out at once.
    await owner.locator('[id^="household-member-"]:visible').getByText('移除').click();
    await owner.getByText('确定', { exact: true }).click();
    await owner.locator('[id^="household-member-"]:visible').first().waitFor({ state: 'detached' });
    await member.goto(`${hub.url}/#/packages/household/group?id=${groupId}`);
    await member.reload();
    await member.locator('#page-error:visible').getByText('没有找到这个缴费分组').waitFor();
    await expectNoEnglish(member, 'household (removed member)');
  });
});
