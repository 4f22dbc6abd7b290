import request from 'supertest';
import { createTestHub, type TestHub } from './support/app';
import { bindAccount, loginResident, type Resident } from './support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from './support/sandbox';

/** 10:00 and 23:00 in Beijing on the day the demo electricity bills are overdue. */
const MORNING = new Date('2026-11-23T02:00:00Z');
const NIGHT = new Date('2026-11-23T15:00:00Z');
const TEMPLATE = 'cityhub-bill-due';

/**
 * Bill reminders over the real path: the resident accepts WeChat's one-time
 * subscription (the mock client), tells the hub, and the reminder job sends a
 * subscribe message through the mock WeChat server API.
 */
describe('bill reminders', () => {
  let hub: TestHub;
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub();
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  const api = () => request(hub.url);

  async function acceptAtWechat(userKey: string) {
    const res = await fetch(`${hub.wechatUrl}/sandbox/client/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userKey, tmplIds: [TEMPLATE] }),
    });
    expect(await res.json()).toMatchObject({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: 'accept' });
  }
  async function messagesTo(userKey: string) {
    const res = await fetch(`${hub.wechatUrl}/sandbox/messages?userKey=${userKey}`);
    return ((await res.json()) as { messages: Array<{ templateId: string; page: string; data: Record<string, string> }> }).messages;
  }
  const grant = (resident: Resident, accountId: string) => api().post(`/api/v1/accounts/${accountId}/reminders`).set(resident.auth);
  const remindersLeft = async (resident: Resident, accountId: string) =>
    ((await api().get('/api/v1/accounts').set(resident.auth)).body.accounts as Array<{ id: string; remindersLeft: number }>).find((a) => a.id === accountId)!.remindersLeft;

  it('sends one reminder per granted subscription, once per bill, and never at night', async () => {
    const carol = await loginResident(hub, 'carol');
    const accountId = await bindAccount(hub, carol, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000001' } });
    expect(await remindersLeft(carol, accountId)).toBe(0);

    await acceptAtWechat('carol');
    const granted = await grant(carol, accountId).expect(200);
    expect(granted.body.account.remindersLeft).toBe(1);

    expect(await hub.services.reminders.runDue(NIGHT)).toBeNull();
    expect(await messagesTo('carol')).toHaveLength(0);

    expect(await hub.services.reminders.runDue(MORNING)).toEqual({ checked: 1, sent: 1 });
    const [message, ...more] = await messagesTo('carol');
    expect(more).toHaveLength(0);
    expect(message.templateId).toBe(TEMPLATE);
    expect(message.page).toBe(`packages/bills/index?accountId=${accountId}`);
    // Both demo bills: 186.50 + 1.20 late fee + 234.10, from integer fen.
    expect(message.data.amount2).toBe('421.80元');
    expect(message.data.date3).toBe('2026-10-15');
    expect(message.data.thing4).toContain('逾期');
    expect(await remindersLeft(carol, accountId)).toBe(0);

    // A new subscription does not repeat a reminder for the same bills.
    await acceptAtWechat('carol');
    await grant(carol, accountId).expect(200);
    expect(await hub.services.reminders.runDue(MORNING)).toEqual({ checked: 1, sent: 0 });
    expect(await messagesTo('carol')).toHaveLength(1);
    expect(await remindersLeft(carol, accountId)).toBe(1);
  });

  it('stops counting a subscription WeChat does not hold, and sends nothing', async () => {
    const dave = await loginResident(hub, 'dave');
    const accountId = await bindAccount(hub, dave, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000003' } });
    // The hub is told of a grant, but the resident never accepted at WeChat.
    await grant(dave, accountId).expect(200);
    await hub.services.reminders.runDue(MORNING);
    expect(await messagesTo('dave')).toHaveLength(0);
    expect(await remindersLeft(dave, accountId)).toBe(0);
  });

  it('gets a new access token when WeChat no longer honours the cached one', async () => {
    const erin = await loginResident(hub, 'erin');
    const accountId = await bindAccount(hub, erin, { serviceId: 'state-grid', cityCode: '330100', fields: { consNo: '3301000001' } });
    await acceptAtWechat('erin');
    await grant(erin, accountId).expect(200);
    hub.wechat.state.accessToken = null; // revoked at WeChat; the hub's cached copy is now stale
    expect(await hub.services.reminders.runDue(MORNING)).toMatchObject({ sent: 1 });
    expect(await messagesTo('erin')).toHaveLength(1);
  });

  it("keeps reminders to one's own accounts and caps how many are held", async () => {
    const frank = await loginResident(hub, 'frank');
    const grace = await loginResident(hub, 'grace');
    const accountId = await bindAccount(hub, frank, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000002' } });
    const theirs = await grant(grace, accountId);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    expect((await grant(frank, 'not-an-id')).status).toBe(400);
    for (let i = 0; i < 7; i++) await grant(frank, accountId).expect(200);
    expect(await remindersLeft(frank, accountId)).toBe(5);
  });
});

describe('the mock WeChat subscribe/send', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await createTestHub();
  });
  afterAll(() => hub?.close());

  it('refuses a thing value over 20 characters, as WeChat does', async () => {
    const token = await fetch(`${hub.wechatUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: hub.keys.appid, secret: hub.keys.appSecret }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const res = await fetch(`${hub.wechatUrl}/cgi-bin/message/subscribe/send?access_token=${token.access_token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ touser: 'o1', template_id: TEMPLATE, data: { thing1: { value: '这是一个超过二十个字符的提醒内容，应该被拒绝发送' } } }),
    });
    expect(await res.json()).toMatchObject({ errcode: 47003 });
  });
});
