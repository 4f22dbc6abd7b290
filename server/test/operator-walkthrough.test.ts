import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from './support/app';
import { bindAccount, loginResident } from './support/resident';

/**
 * docs/adapters.md, followed as an operator would: a provider of one's own
 * (docs/examples/wuhan-water, not part of the sandbox) registered, verified
 * and activated with the cityhub CLI against a running hub, then a resident
 * of 武汉 binds an account and sees the bill through it.
 */
const root = path.resolve(__dirname, '..', '..');
const example = path.join(root, 'docs', 'examples', 'wuhan-water');

describe('the operator walkthrough of docs/adapters.md', () => {
  let hub: TestHub;
  let provider: ChildProcess;
  let providerUrl: string;
  let work: string;

  beforeAll(async () => {
    hub = await createTestHub();
    provider = spawn(process.execPath, [path.join(example, 'provider.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    providerUrl = await new Promise<string>((resolve, reject) => {
      provider.stdout!.on('data', (chunk: Buffer) => {
        const m = /listening on (http:\/\/\S+)/.exec(chunk.toString());
        if (m) resolve(m[1]);
      });
      provider.once('exit', (code) => reject(new Error(`the example provider exited (${code})`)));
    });
    // The operator's manifest points at wherever their provider runs.
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-walkthrough-'));
    fs.writeFileSync(path.join(work, 'wuhan-water.manifest.json'), fs.readFileSync(path.join(example, 'wuhan-water.manifest.json'), 'utf8').replace('http://127.0.0.1:4201', providerUrl));
  });
  afterAll(async () => {
    provider?.kill('SIGTERM');
    await hub?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Runs the CLI as an operator would; asynchronously, since the hub answers from this same process. */
  function cli(args: string[], input?: string): Promise<{ status: number | null; out: string }> {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'cityhub.ts'), ...args], {
      cwd: root,
      env: { ...process.env, CITYHUB_URL: hub.url, CITYHUB_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(input ?? '');
    return new Promise((resolve) => child.once('close', (status) => resolve({ status, out })));
  }

  it('registers, verifies and activates a new provider live, and a resident of 武汉 pays through it', async () => {
    let step = await cli(['secrets', 'put', 'wuhan-water-token'], 'wuhan-demo-token\n');
    expect(step).toMatchObject({ status: 0, out: expect.stringContaining('secret wuhan-water-token stored') });

    step = await cli(['adapters', 'add', path.join(work, 'wuhan-water.manifest.json')]);
    expect(step).toMatchObject({ status: 0, out: expect.stringContaining('registered wuhan-water') });

    // Not serving until activated.
    const before = await request(hub.url).get('/api/v1/cities/420100').expect(200);
    expect(JSON.stringify(before.body)).not.toContain('wuhan-water');
    step = await cli(['adapters', 'activate', 'wuhan-water']);
    expect(step.status).not.toBe(0);
    expect(step.out).toContain('VERIFICATION_REQUIRED');

    step = await cli(['adapters', 'verify', 'wuhan-water', '--accounts', path.join(example, 'accounts.json')]);
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
