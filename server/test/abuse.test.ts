import request from 'supertest';
import { errorEnvelopeSchema } from '@cityhub/shared';
import { DEFAULT_RATE_LIMITS } from '../src/infra/rate-limits';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from './support/app';
import { bindAccount, loginResident, payAtCashier, type Resident } from './support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from './support/sandbox';
import { eventually } from './support/wait';

/**
 * Issue 9, as an outside tester would try it: a harvester looping over
 * account numbers, many residents sharing the probe, a plate seen on the
 * street, guesses at a second factor — against the default limits, which a
 * real resident binding a few accounts and paying never meets.
 */
const HUB = { rateLimits: DEFAULT_RATE_LIMITS };

/** Load accounts the grid simulator knows: 4199000000 + n, each owing one bill. */
const consNo = (n: number) => String(4199000000 + n);

function expectRateLimited(res: request.Response): void {
  expect(res.status).toBe(429);
  expect(errorEnvelopeSchema.parse(res.body).error.code).toBe('RATE_LIMITED');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('a harvester meets a limit within seconds', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox?.close());

  async function hubWithAdapters(): Promise<TestHub> {
    const hub = await createTestHub(HUB);
    await seedDemoAdapters(hub, sandbox);
    return hub;
  }

  it('one resident looping over 200 account numbers is refused within the first 20', async () => {
    const hub = await hubWithAdapters();
    try {
      const harvester = await loginResident(hub, 'harvester');
      let refusedAt = 0;
      for (let i = 1; i <= 200 && !refusedAt; i++) {
        const res = await request(hub.url).post('/api/v1/accounts').set(harvester.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: consNo(i) } });
        if (res.status === 429) {
          expectRateLimited(res);
          refusedAt = i;
        } else expect(res.status).toBe(201);
      }
      expect(refusedAt).toBeGreaterThan(0);
      expect(refusedAt).toBeLessThanOrEqual(20);
      expect(refusedAt).toBe(DEFAULT_RATE_LIMITS.bindPerResident.points + 1);
      // Refusals are counted where the engineer on call looks.
      const metrics = await request(hub.url).get('/metrics').set('Authorization', `Bearer ${TEST_OPERATOR_TOKEN}`).expect(200);
      expect(metrics.text).toMatch(/cityhub_rate_limited_total\{limit="bindPerResident"\} [1-9]/);
    } finally {
      await hub.close();
    }
  });

  it('20 residents sharing the probe are refused within the first 100 across them', async () => {
    const hub = await hubWithAdapters();
    try {
      const gang: Resident[] = [];
      for (let r = 0; r < 20; r++) gang.push(await loginResident(hub, `gang-${r}`));
      let attempts = 0;
      let refusedAt = 0;
      for (let i = 1; i <= 200 && !refusedAt; i++) {
        const member = gang[i % gang.length];
        attempts++;
        const res = await request(hub.url).post('/api/v1/accounts').set(member.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: consNo(1000 + i) } });
        if (res.status === 429) {
          expectRateLimited(res);
          refusedAt = attempts;
        }
      }
      expect(refusedAt).toBeGreaterThan(0);
      expect(refusedAt).toBeLessThanOrEqual(100);
      expect(refusedAt).toBe(DEFAULT_RATE_LIMITS.bindPerIp.points + 1);
    } finally {
      await hub.close();
    }
  });

  it('many residents probing one account number are refused for it', async () => {
    const hub = await hubWithAdapters();
    try {
      let refusedAt = 0;
      for (let r = 1; r <= 30 && !refusedAt; r++) {
        const prober = await loginResident(hub, `prober-${r}`);
        const res = await request(hub.url).post('/api/v1/accounts').set(prober.auth).send({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000002' } });
        if (res.status === 429) {
          expectRateLimited(res);
          refusedAt = r;
        }
      }
      expect(refusedAt).toBe(DEFAULT_RATE_LIMITS.bindPerTarget.points + 1);
    } finally {
      await hub.close();
    }
  });

  it('150 bad login codes from one address are refused long before the end', async () => {
    const hub = await createTestHub(HUB);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 150 && !statuses.includes(429); i++) {
        statuses.push((await request(hub.url).post('/api/v1/auth/login').send({ code: `bad-code-${i}` })).status);
      }
      expect(statuses.indexOf(429) + 1).toBe(DEFAULT_RATE_LIMITS.loginPerIp.points + 1);
      expect(new Set(statuses.slice(0, -1))).toEqual(new Set([401]));
    } finally {
      await hub.close();
    }
  });
});

describe('a real resident never meets a limit', () => {
  let sandbox: Sandbox;
  let hub: TestHub;
  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ ...HUB, workers: true });
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  it('binds 3 accounts, checks them, pays one, reads the receipt: no 429 anywhere', async () => {
    const statuses: number[] = [];
    const track = (res: request.Response) => {
      statuses.push(res.status);
      return res;
    };
    const me = await loginResident(hub, 'real-resident');
    const api = () => request(hub.url);
    const bound = [
      await bindAccount(hub, me, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4101000001' } }),
      await bindAccount(hub, me, { serviceId: 'city-water', cityCode: '410100', fields: { customerNo: '41010001' } }),
      await bindAccount(hub, me, { serviceId: 'highway-etc', cityCode: '410100', fields: { plate: '豫A12345', cardOrVinTail: '183472' } }),
    ];
    // A resident opening the app a few times: home, each account, back again.
    for (let visit = 0; visit < 5; visit++) {
      track(await api().get('/api/v1/cities/410100').set(me.auth));
      track(await api().get('/api/v1/accounts').set(me.auth));
      for (const id of bound) track(await api().get(`/api/v1/accounts/${id}/bills`).set(me.auth));
    }
    const owed = track(await api().get(`/api/v1/accounts/${bound[0]}/bills`).set(me.auth)).body as { bills: Array<{ ref: string }> };
    const created = track(await api().post('/api/v1/orders').set(me.auth).set('Idempotency-Key', 'real-resident-1').send({ accountId: bound[0], billRefs: owed.bills.map((b) => b.ref) }));
    expect(created.status).toBe(201);
    await payAtCashier(hub, created.body.payment);
    await eventually(async () => {
      const res = track(await api().get(`/api/v1/orders/${created.body.order.id}`).set(me.auth));
      return res.body.order?.status === 'COMPLETED' ? true : undefined;
      // As the result page polls (it reads once a second); faster polling would itself spend the read limit.
    }, 15_000, 100);
    track(await api().get('/api/v1/orders').set(me.auth));
    expect(statuses.filter((s) => s === 429)).toEqual([]);
  });
});

describe('a plate alone opens nothing', () => {
  let sandbox: Sandbox;
  let hub: TestHub;
  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub(HUB);
    await seedDemoAdapters(hub, sandbox);
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  const bind = (resident: Resident, fields: Record<string, string>, serviceId = 'highway-etc') =>
    request(hub.url).post('/api/v1/accounts').set(resident.auth).send({ serviceId, cityCode: '410100', fields });

  it('a plate without the second factor is refused before the provider is asked', async () => {
    const stranger = await loginResident(hub, 'plate-spotter');
    const res = await bind(stranger, { plate: '豫A00009' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('body.fields.cardOrVinTail');
    expect(JSON.stringify(res.body)).not.toMatch(/郑州站|新乡站|赵/);
  });

  it('a wrong second factor answers exactly as a plate nobody owns', async () => {
    const stranger = await loginResident(hub, 'plate-guesser');
    const wrong = await bind(stranger, { plate: '豫A00009', cardOrVinTail: '123456' });
    const nobody = await bind(stranger, { plate: '豫B99999', cardOrVinTail: '123456' });
    expect(wrong.status).toBe(422);
    expect(nobody.status).toBe(422);
    expect(wrong.body.error.code).toBe(nobody.body.error.code);
    expect(wrong.body.error.message).toBe(nobody.body.error.message);
  });

  it('5 wrong second factors lock the plate for that resident, and only for them', async () => {
    const guesser = await loginResident(hub, 'toll-guesser');
    for (let i = 0; i < DEFAULT_RATE_LIMITS.secondFactorFailuresPerResident.points; i++) {
      expect((await bind(guesser, { plate: '浙A8B888', cardOrVinTail: `00000${i}` })).status).toBe(422);
    }
    // Even the right digits are refused now: the guesser cannot tell a hit from the lock.
    expectRateLimited(await bind(guesser, { plate: '浙A8B888', cardOrVinTail: '218805' }));
    const owner = await loginResident(hub, 'toll-owner');
    const res = await bind(owner, { plate: '浙A8B888', cardOrVinTail: '218805' });
    expect(res.status).toBe(201);
    expect(res.body.account.fieldsMasked).toEqual({ plate: '浙A***88', cardOrVinTail: '******' });
  });

  it('traffic fines: 5 wrong engine-number digits lock the plate for that resident', async () => {
    const guesser = await loginResident(hub, 'engine-guesser');
    for (let i = 0; i < 5; i++) {
      expect((await bind(guesser, { plate: '豫A12345', engineTail: `99999${i}` }, 'traffic-police')).status).toBe(422);
    }
    expectRateLimited(await bind(guesser, { plate: '豫A12345', engineTail: '123456' }, 'traffic-police'));
  });

  it('a plate probed by many residents is locked for everyone for a while', async () => {
    const limit = DEFAULT_RATE_LIMITS.secondFactorFailuresPerTarget.points;
    let failures = 0;
    for (let r = 0; failures < limit; r++) {
      const prober = await loginResident(hub, `police-prober-${r}`);
      for (let i = 0; i < 4 && failures < limit; i++, failures++) {
        expect((await bind(prober, { plate: '豫A54321', engineTail: `8${r}${i}`.padEnd(6, '7') }, 'traffic-police')).status).toBe(422);
      }
    }
    const owner = await loginResident(hub, 'police-owner');
    expectRateLimited(await bind(owner, { plate: '豫A54321', engineTail: '654321' }, 'traffic-police'));
  });
});
