import request from 'supertest';
import { AuditEntity } from '../admin/entities';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from '../../test/support/app';
import { fakeWaterManifest, scriptFakeWater, startFakeProvider } from '../../test/support/fake-provider';

type Fake = Awaited<ReturnType<typeof startFakeProvider>>;
const op = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const testAccounts = { existing: { customerNo: '12345678' }, missing: { customerNo: '87654321' }, payable: { customerNo: '12345678' } };

describe(`operators register, verify and activate adapters (${process.env.DATABASE_URL ? 'MySQL + Redis' : 'SQLite + memory'})`, () => {
  let hub: TestHub;
  let fake: Fake;
  let server: ReturnType<TestHub['app']['callback']>;
  let resident: { Authorization: string };

  beforeEach(async () => {
    hub = await createTestHub();
    fake = await startFakeProvider();
    scriptFakeWater(fake);
    server = hub.app.callback();
    const residentRow = await hub.services.residents.findOrCreate('openid-a');
    resident = { Authorization: `Bearer ${(await hub.services.sessions.create(residentRow.id)).token}` };
  });
  afterEach(async () => {
    await hub.close();
    await fake.close();
  });

  it('refuses operator routes without a valid operator token', async () => {
    await request(server).get('/api/v1/admin/adapters').expect(401);
    const res = await request(server).get('/api/v1/admin/adapters').set('Authorization', 'Bearer wrong-token').expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers an invalid manifest with 422 listing every invalid path', async () => {
    const bad = fakeWaterManifest(fake.url, {
      id: 'Bad Id',
      category: 'internet',
      amountUnit: 'jiao',
      coverage: {},
      paymentRules: { mode: 'exact', minFen: 10, maxFen: 1 },
    });
    const res = await request(server).post('/api/v1/admin/adapters').set(op).send(bad).expect(422);
    expect(res.body.error.code).toBe('INVALID_MANIFEST');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'category', 'amountUnit', 'coverage', 'paymentRules.minFen']));
  });

  it('refuses unknown keys anywhere in a manifest, naming each at its path', async () => {
    const bad = fakeWaterManifest(fake.url, { priority: 1 }) as ReturnType<typeof fakeWaterManifest> & Record<string, unknown>;
    Object.assign(bad.paymentRules, { billsPerOrder: 1 });
    Object.assign(bad.operations.writeOff, { perBill: true });
    const res = await request(server).post('/api/v1/admin/adapters').set(op).send(bad).expect(422);
    expect(res.body.error.code).toBe('INVALID_MANIFEST');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['priority', 'paymentRules.billsPerOrder', 'operations.writeOff.perBill']));
    await request(server).get('/api/v1/admin/adapters/fake-water').set(op).expect(404);
  });

  it('deletes a draft that never served, and refuses to delete one that did', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    await request(server).delete('/api/v1/admin/adapters/fake-water').set(op).expect(204);
    await request(server).get('/api/v1/admin/adapters/fake-water').set(op).expect(404);
    await request(server).delete('/api/v1/admin/adapters/fake-water').set(op).expect(404);

    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
    await request(server).post('/api/v1/admin/adapters/fake-water/disable').set(op).expect(200);
    const refused = await request(server).delete('/api/v1/admin/adapters/fake-water').set(op).expect(409);
    expect(refused.body.error.message).toContain('disable');
    await request(server).get('/api/v1/admin/adapters/fake-water').set(op).expect(200);
  });

  it('names a JSONata expression that does not parse', async () => {
    const bad = fakeWaterManifest(fake.url);
    bad.operations.queryBills.response.map = 'body.bills.{';
    const res = await request(server).post('/api/v1/admin/adapters').set(op).send(bad).expect(422);
    expect(res.body.error.details.issues[0].path).toBe('operations.queryBills.response.map');
  });

  it('takes a manifest from draft to serving residents, auditing every call', async () => {
    const created = await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    expect(created.body.adapter).toMatchObject({ id: 'fake-water', status: 'draft', activeVersion: null });

    // A draft does not serve, and cannot be activated before it passes verification.
    let city = await request(server).get('/api/v1/cities/330100').expect(200);
    expect(city.body.serviceGroups).toEqual([]);
    const early = await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({}).expect(409);
    expect(early.body.error.code).toBe('VERIFICATION_REQUIRED');

    const verified = await request(server).post('/api/v1/admin/adapters/fake-water/verify').set(op).send({ testAccounts }).expect(200);
    expect(verified.body.report.checks.map((c: { name: string; passed: boolean }) => [c.name, c.passed])).toEqual([
      ['account found', true],
      ['account not found', true],
      ['bills mapped to valid amounts', true],
      ['write-off idempotent', true],
      ['write-off status of an unknown order', true],
      ['timeout handled', true],
    ]);
    expect(verified.body.report.passed).toBe(true);

    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({}).expect(200);
    city = await request(server).get('/api/v1/cities/330100').expect(200);
    expect(city.body.serviceGroups).toEqual([
      expect.objectContaining({ category: 'water', label: '水费', services: [expect.objectContaining({ serviceId: 'fake-water', status: 'available' })] }),
    ]);
    expect(city.body.serviceGroups[0].services[0].accountFields[0]).toMatchObject({ name: 'customerNo', label: '户号' });

    const bound = await request(server)
      .post('/api/v1/accounts')
      .set(resident)
      .send({ serviceId: 'fake-water', cityCode: '330100', fields: { customerNo: '12345678' }, alias: '家' })
      .expect(201);
    expect(bound.body.account).toMatchObject({ holderNameMasked: '李*', fieldsMasked: { customerNo: '12**5678' }, alias: '家' });

    const bills = await request(server).get(`/api/v1/accounts/${bound.body.account.id}/bills`).set(resident).expect(200);
    // The verification wrote off the first bill in the sandbox; one remains.
    expect(bills.body.bills).toEqual([expect.objectContaining({ ref: 'W-202610', amountFen: 2870, totalFen: 2870 })]);
    expect(bills.body.totalFen).toBe(2870);

    const audit = await hub.stores.dataSource.getRepository(AuditEntity).find({ order: { id: 'ASC' } });
    expect(audit.map((a) => `${a.actor} ${a.action} ${a.outcome}`)).toEqual([
      'tester POST /adapters ok',
      'tester POST /adapters/fake-water/activate error',
      'tester POST /adapters/fake-water/verify ok',
      'tester POST /adapters/fake-water/activate ok',
    ]);
  });

  it('reports a failing check instead of passing a broken mapping', async () => {
    const broken = fakeWaterManifest(fake.url, { amountUnit: 'yuan' });
    await request(server).post('/api/v1/admin/adapters').set(op).send(broken).expect(201);
    const res = await request(server).post('/api/v1/admin/adapters/fake-water/verify').set(op).send({ testAccounts }).expect(200);
    expect(res.body.report.passed).toBe(false);
    const check = res.body.report.checks.find((c: { name: string }) => c.name === 'bills mapped to valid amounts');
    expect(check).toMatchObject({ passed: false, detail: expect.stringContaining('PROVIDER_BAD_RESPONSE') });
  });

  it('never lets a version whose write-off mapping went untested activate unforced; a replayed paid write-off tests it without spending a bill', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    const { existing, missing } = testAccounts;
    const untested = await request(server).post('/api/v1/admin/adapters/fake-water/verify').set(op).send({ testAccounts: { existing, missing } }).expect(200);
    expect(untested.body.report).toMatchObject({ passed: true, writeOffExercised: false });
    expect(untested.body.report.checks.find((c: { name: string }) => c.name === 'write-off idempotent')).toMatchObject({ outcome: 'skipped', passed: true });
    const refused = await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({}).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'VERIFICATION_REQUIRED', message: expect.stringContaining('never exercised the write-off') });

    // A payment the provider took earlier (say, from the operator's own test): replayed, it must answer the same.
    await fetch(`${fake.url}/pay`, { method: 'POST', body: JSON.stringify({ trade: 'EARLIER0001', refs: ['W-202609'], fen: 3150 }) });
    const paidBefore = fake.requests.filter((r) => r.url === '/pay').length;
    const paidWriteOff = { fields: existing, orderNo: 'EARLIER0001', billRefs: ['W-202609'], amountFen: 3150 };
    const replayed = await request(server).post('/api/v1/admin/adapters/fake-water/verify').set(op).send({ testAccounts: { existing, missing, paidWriteOff } }).expect(200);
    expect(replayed.body.report).toMatchObject({ passed: true, writeOffExercised: true });
    // One write-off call, of the known number only: no new payment number reached the provider.
    const payCalls = fake.requests.filter((r) => r.url === '/pay').slice(paidBefore);
    expect(payCalls.map((r) => JSON.parse(r.body).trade)).toEqual(['EARLIER0001']);
    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({}).expect(200);
  });

  it('records a forced activation in the audit log with its reason', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
    const forced = await hub.stores.dataSource.getRepository(AuditEntity).findBy({ action: 'adapter.force-activate' });
    expect(forced).toHaveLength(1);
    expect(JSON.parse(forced[0].details ?? '{}')).toEqual({ reason: 'never verified' });
  });

  it('replaces v1 with v2 on activation, keeping v1 reachable for orders in flight', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url, { version: '1.1.0', name: '测试水费二代' })).expect(201);
    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ version: '1.1.0', force: true }).expect(200);

    const city = await request(server).get('/api/v1/cities/330100').expect(200);
    expect(city.body.serviceGroups[0].services[0]).toMatchObject({ version: '1.1.0', name: '测试水费二代' });
    const v1 = await hub.services.registry.version('fake-water', '1.0.0');
    expect(v1.describe().version).toBe('1.0.0');
    const list = await request(server).get('/api/v1/admin/adapters').set(op).expect(200);
    expect(list.body.adapters[0].versions.map((v: { version: string; status: string }) => `${v.version}:${v.status}`)).toEqual(['1.1.0:active', '1.0.0:retired']);
  });

  it('refuses to re-register a version with a different manifest', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    const res = await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url, { name: 'other' })).expect(409);
    expect(res.body.error.message).toContain('new version');
  });

  it('takes a disabled adapter off the city at once', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
    await request(server).post('/api/v1/admin/adapters/fake-water/disable').set(op).expect(200);
    const city = await request(server).get('/api/v1/cities/330100').expect(200);
    expect(city.body.serviceGroups).toEqual([]);
  });

  it('never returns a stored secret', async () => {
    await request(server).put('/api/v1/admin/secrets/water-token').set(op).send({ value: 'super-secret-value' }).expect(204);
    const list = await request(server).get('/api/v1/admin/adapters').set(op).expect(200);
    expect(JSON.stringify(list.body)).not.toContain('super-secret-value');
    const raw = await hub.stores.dataSource.query('SELECT sealed FROM secrets');
    expect(JSON.stringify(raw)).not.toContain('super-secret-value');
    expect(await hub.services.secrets.reveal('water-token')).toBe('super-secret-value');
  });

  describe('residents binding accounts', () => {
    beforeEach(async () => {
      await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url)).expect(201);
      await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
    });

    it('need a session', async () => {
      await request(server).get('/api/v1/accounts').expect(401);
    });

    it("are told which field breaks the adapter's rules, and nothing is stored", async () => {
      const res = await request(server)
        .post('/api/v1/accounts')
        .set(resident)
        .send({ serviceId: 'fake-water', cityCode: '330100', fields: { customerNo: '12ab' } })
        .expect(400);
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain('body.fields.customerNo');
      expect((await request(server).get('/api/v1/accounts').set(resident)).body.accounts).toEqual([]);
    });

    it('are told when the provider does not know the account', async () => {
      const res = await request(server)
        .post('/api/v1/accounts')
        .set(resident)
        .send({ serviceId: 'fake-water', cityCode: '330100', fields: { customerNo: '87654321' } })
        .expect(422);
      expect(res.body.error.code).toBe('PROVIDER_ACCOUNT_NOT_FOUND');
    });

    it('cannot bind a service in a city it does not serve', async () => {
      const res = await request(server)
        .post('/api/v1/accounts')
        .set(resident)
        .send({ serviceId: 'fake-water', cityCode: '410100', fields: { customerNo: '12345678' } })
        .expect(400);
      expect(res.body.error.message).toContain('does not serve');
    });

    it("cannot see another resident's account or its bills", async () => {
      const bound = await request(server)
        .post('/api/v1/accounts')
        .set(resident)
        .send({ serviceId: 'fake-water', cityCode: '330100', fields: { customerNo: '12345678' } })
        .expect(201);
      const other = await hub.services.residents.findOrCreate('openid-b');
      const b = { Authorization: `Bearer ${(await hub.services.sessions.create(other.id)).token}` };
      expect((await request(server).get('/api/v1/accounts').set(b)).body.accounts).toEqual([]);
      await request(server).get(`/api/v1/accounts/${bound.body.account.id}/bills`).set(b).expect(404);
      await request(server).delete(`/api/v1/accounts/${bound.body.account.id}`).set(b).expect(404);
      await request(server).delete(`/api/v1/accounts/${bound.body.account.id}`).set(resident).expect(204);
    });

    it('store account numbers sealed, never in the clear', async () => {
      await request(server)
        .post('/api/v1/accounts')
        .set(resident)
        .send({ serviceId: 'fake-water', cityCode: '330100', fields: { customerNo: '12345678' } })
        .expect(201);
      const rows = await hub.stores.dataSource.query('SELECT * FROM accounts');
      expect(JSON.stringify(rows)).not.toContain('12345678');
      expect(JSON.stringify(hub.logLines)).not.toContain('12345678');
    });

    it('cannot bind the same account twice', async () => {
      const body = { serviceId: 'fake-water', cityCode: '330100', fields: { customerNo: '12345678' } };
      const first = await request(server).post('/api/v1/accounts').set(resident).send(body).expect(201);
      const res = await request(server).post('/api/v1/accounts').set(resident).send(body).expect(409);
      expect(res.body.error.code).toBe('ACCOUNT_ALREADY_BOUND');
      // The answer names the account already bound, so a retried bind can carry on with it.
      expect(res.body.error.details).toEqual({ accountId: first.body.account.id });
    });
  });
});
