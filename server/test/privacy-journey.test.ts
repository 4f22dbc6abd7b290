import request from 'supertest';
import { createTestHub, type TestHub } from './support/app';
import { loginResident, payAtCashier, type Resident } from './support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from './support/sandbox';
import { eventually } from './support/wait';

/**
 * Issue 9, data minimisation: a full resident journey over every demo
 * service — sign in, find the city, bind electricity, water, gas, toll and
 * traffic fines, read bills, pay, read the receipt, rename, unbind — and a
 * scan of every answer: no street address, no full account number, plate,
 * card or second factor comes back, only masked forms and the district.
 */
describe('no answer of a full journey holds a street address or a full identifier', () => {
  let sandbox: Sandbox;
  let hub: TestHub;
  const answers: Array<{ what: string; text: string }> = [];
  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: true });
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  /** Every call of the journey goes through here, so its answer is scanned. */
  async function call(what: string, send: (api: request.Agent) => request.Test, me?: Resident): Promise<request.Response> {
    const agent = request.agent(hub.url);
    const res = await send(me ? agent.set(me.auth) : agent);
    answers.push({ what, text: `${JSON.stringify(res.headers)}\n${res.text}` });
    return res;
  }

  /** What the resident typed in, none of which may come back whole. */
  const SECRETS = ['4101000001', '41010001', 'RQ41010001', '浙A8B888', '218805', '888888', '33012026000047218805', 'LFV3A23C7L3047766'];
  /** A street with a house number, as the simulators' addresses have (花园路 8 号). */
  const STREET_ADDRESS = /[\u4e00-\u9fa5]{1,12}(路|街|道|巷|里|弄)\s*\d+\s*号/u;

  it('walks the journey and scans every answer', async () => {
    const me = await loginResident(hub, 'privacy-walker');
    await call('search', (api) => api.get('/api/v1/cities').query({ q: 'zhengzhou' }), me);
    await call('city', (api) => api.get('/api/v1/cities/410100'), me);
    const binds: Array<[string, Record<string, string>]> = [
      ['state-grid', { consNo: '4101000001' }],
      ['city-water', { customerNo: '41010001' }],
      ['city-gas', { userCode: 'RQ41010001' }],
      // 浙A8B888 rather than 豫A12345, which the plate fields' placeholder shows as an example.
      ['highway-etc', { plate: '浙A8B888', cardOrVinTail: '218805' }],
      ['traffic-police', { plate: '浙A8B888', engineTail: '888888' }],
    ];
    const ids: string[] = [];
    for (const [serviceId, fields] of binds) {
      const res = await call(`bind ${serviceId}`, (api) => api.post('/api/v1/accounts').send({ serviceId, cityCode: '410100', fields }), me);
      expect(res.status).toBe(201);
      ids.push(res.body.account.id);
    }
    const accounts = await call('accounts', (api) => api.get('/api/v1/accounts'), me);
    expect(accounts.body.accounts.find((a: { serviceId: string }) => a.serviceId === 'state-grid').addressHint).toBe('郑州市金水区****');
    for (const id of ids) await call('bills', (api) => api.get(`/api/v1/accounts/${id}/bills`), me);

    const owed = (await call('bills again', (api) => api.get(`/api/v1/accounts/${ids[0]}/bills`), me)).body as { bills: Array<{ ref: string }> };
    const created = await call('order', (api) => api.post('/api/v1/orders').set('Idempotency-Key', 'privacy-walk-1').send({ accountId: ids[0], billRefs: owed.bills.map((b) => b.ref) }), me);
    expect(created.status).toBe(201);
    await payAtCashier(hub, created.body.payment);
    await eventually(async () => ((await call('order detail', (api) => api.get(`/api/v1/orders/${created.body.order.id}`), me)).body.order?.status === 'COMPLETED' ? true : undefined), 15_000, 100);
    await call('orders', (api) => api.get('/api/v1/orders'), me);
    await call('rename', (api) => api.patch(`/api/v1/accounts/${ids[1]}`).send({ alias: '家里' }), me);
    await call('reminder', (api) => api.post(`/api/v1/accounts/${ids[1]}/reminders`), me);
    await call('unbind', (api) => api.delete(`/api/v1/accounts/${ids[2]}`), me);
    await call('duplicate bind', (api) => api.post('/api/v1/accounts').send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000001' } }), me);

    expect(answers.length).toBeGreaterThan(15);
    const leaks = answers.flatMap(({ what, text }) => [
      ...(STREET_ADDRESS.test(text) ? [`${what}: street address ${STREET_ADDRESS.exec(text)?.[0]}`] : []),
      ...SECRETS.filter((s) => text.includes(s)).map((s) => `${what}: ${s}`),
    ]);
    expect(leaks).toEqual([]);
  });
});
