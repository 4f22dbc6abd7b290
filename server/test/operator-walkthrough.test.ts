import path from 'node:path';
import request from 'supertest';
import { createTestHub, type TestHub } from './support/app';
import { cli as runCli, startExample, type RunningExample } from './support/examples';
import { bindAccount, loginResident } from './support/resident';

/**
 * docs/adapters.md, followed as an operator would: a provider of one's own
 * (docs/examples/wuhan-water, not part of the sandbox) registered, verified
 * and activated with the cityhub CLI against a running hub, then a resident
 * of 武汉 binds an account and sees the bill through it.
 */
describe('the operator walkthrough of docs/adapters.md', () => {
  let hub: TestHub;
  let example: RunningExample;

  beforeAll(async () => {
    hub = await createTestHub();
    example = await startExample('wuhan-water', 'http://127.0.0.1:4201');
  });
  afterAll(async () => {
    await example?.close();
    await hub?.close();
  });

  const cli = (args: string[], input?: string) => runCli(hub, args, input);

  it('registers, verifies and activates a new provider live, and a resident of 武汉 pays through it', async () => {
    let step = await cli(['secrets', 'put', 'wuhan-water-token'], 'wuhan-demo-token\n');
    expect(step).toMatchObject({ status: 0, out: expect.stringContaining('secret wuhan-water-token stored') });

    step = await cli(['adapters', 'add', example.manifestFile]);
    expect(step).toMatchObject({ status: 0, out: expect.stringContaining('registered wuhan-water') });

    // Not serving until activated.
    const before = await request(hub.url).get('/api/v1/cities/420100').expect(200);
    expect(JSON.stringify(before.body)).not.toContain('wuhan-water');
    step = await cli(['adapters', 'activate', 'wuhan-water']);
    expect(step.status).not.toBe(0);
    expect(step.out).toContain('VERIFICATION_REQUIRED');

    step = await cli(['adapters', 'verify', 'wuhan-water', '--accounts', path.join(example.dir, 'accounts.json')]);
    expect(step.out).toContain('PASSED');
    expect(step.status).toBe(0);

    step = await cli(['adapters', 'activate', 'wuhan-water']);
    expect(step).toMatchObject({ status: 0, out: expect.stringContaining('wuhan-water now serves version 1.0.0') });
    expect((await cli(['adapters', 'list'])).out).toMatch(/wuhan-water\s+water\s+active\s+1\.0\.0/);

    const city = await request(hub.url).get('/api/v1/cities/420100').expect(200);
    const water = city.body.serviceGroups.find((g: { category: string }) => g.category === 'water');
    expect(water.services.map((s: { serviceId: string }) => s.serviceId)).toEqual(['wuhan-water']);

    const resident = await loginResident(hub, 'wuhan-resident');
    const invalid = await request(hub.url).post('/api/v1/accounts').set(resident.auth).send({ serviceId: 'wuhan-water', cityCode: '420100', fields: { hh: '12345' } });
    expect(invalid.status).toBe(400);
    const accountId = await bindAccount(hub, resident, { serviceId: 'wuhan-water', cityCode: '420100', fields: { hh: 'WH00000001' } });
    const owed = await request(hub.url).get(`/api/v1/accounts/${accountId}/bills`).set(resident.auth).expect(200);
    // verify wrote off the September bill of the payable test account; October is still owed.
    expect(owed.body.bills).toEqual([expect.objectContaining({ ref: 'WH-2610-0001', period: '202610', amountFen: 4120, totalFen: 4120 })]);

    step = await cli(['adapters', 'health', 'wuhan-water']);
    expect(step).toMatchObject({ status: 0, out: expect.stringContaining('breaker   closed') });
  });
});
