import request from 'supertest';
import { createTestHub, type TestHub } from '../../test/support/app';
import { bindAccount, loginResident, type Resident } from '../../test/support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from '../../test/support/sandbox';

/**
 * The bill query reads accounts from a short in-process cache (issue 8); these
 * are the promises that cache must keep: ownership checked on every request,
 * an unbind seen at once, masking untouched.
 */
describe(`GET /api/v1/accounts/:id/bills with the opened-account cache (${process.env.DATABASE_URL ? 'MySQL' : 'SQLite'})`, () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let owner: Resident;
  let stranger: Resident;

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: false });
    await seedDemoAdapters(hub, sandbox);
    owner = await loginResident(hub, 'cache-owner');
    stranger = await loginResident(hub, 'cache-stranger');
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  const api = () => request(hub.url);
  const bind = (resident: Resident, consNo: string) => bindAccount(hub, resident, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo } });

  it("never shows one resident another's bills, even right after the owner read them", async () => {
    const accountId = await bind(owner, '4101000001');
    await api().get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(200);
    const res = await api().get(`/api/v1/accounts/${accountId}/bills`).set(stranger.auth).expect(404);
    expect(res.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    await api().get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(200);
  });

  it('forgets an unbound account at once', async () => {
    const accountId = await bind(owner, '4101000002');
    await api().get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(200);
    await api().delete(`/api/v1/accounts/${accountId}`).set(owner.auth).expect(204);
    const res = await api().get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(404);
    expect(res.body.error.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('still asks for a session on every request', async () => {
    const accountId = await bind(owner, '4101000003');
    await api().get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(200);
    await api().get(`/api/v1/accounts/${accountId}/bills`).expect(401);
    await api().post('/api/v1/auth/logout').set(owner.auth).expect(204);
    await api().get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(401);
    owner = await loginResident(hub, 'cache-owner');
  });

  it('keeps the account number masked and the fields out of what it shows', async () => {
    const list = await api().get('/api/v1/accounts').set(owner.auth).expect(200);
    expect(JSON.stringify(list.body)).not.toMatch(/4101000001|4101000003/);
    const res = await api().get(`/api/v1/accounts/${list.body.accounts[0].id}/bills`).set(owner.auth).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['account', 'accountId', 'bills', 'fetchedAt', 'maxBills', 'totalFen']);
    // The header names the account only masked.
    expect(JSON.stringify(res.body.account)).not.toMatch(/4101000001|4101000003|花园路|中州路/);
  });
});
