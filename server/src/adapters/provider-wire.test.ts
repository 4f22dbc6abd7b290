import { createHash, generateKeyPairSync } from 'node:crypto';
import { signingSchema } from '@cityhub/shared';
import { XMLParser } from 'fast-xml-parser';
import { sm2 } from 'sm-crypto';
import request from 'supertest';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from '../../test/support/app';
import { startFakeProvider } from '../../test/support/fake-provider';
import { signParams, sortedParamString, verifyAnswer } from './provider-wire';

const op = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describe('signatures as provider gateways make them', () => {
  it('signs sorted parameters with MD5 and the key exactly as WeChat Pay v2 documents it', () => {
    // The worked example of WeChat Pay's v2 signing guide: its parameters, key and signature.
    const params = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA', empty: '' };
    expect(sortedParamString(params, [])).toBe('appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA');
    const signing = signingSchema.parse({ algorithm: 'md5', secretRef: 'test-key' });
    expect(signParams(params, signing, { key: '192006250b4c09247ec02edce69f6a2d' })).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('hashes with SM3 to the standard test vector', () => {
    // GB/T 32905 example 1: SM3("abc").
    const signing = signingSchema.parse({ algorithm: 'sm3', secretRef: 'test-key', keyParam: null, output: 'hex-lower' });
    expect(signParams({}, signing, { key: 'abc' })).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('signs with RSA-SHA256 and SM2 so that the public key verifies, and a changed parameter does not', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sm2Keys = sm2.generateKeyPairHex();
    const cases = [
      { signing: signingSchema.parse({ algorithm: 'rsa-sha256', secretRef: 'test-key', output: 'base64', verifyResponse: { field: 'sign', publicKeyRef: 'provider-pub' } }), key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      { signing: signingSchema.parse({ algorithm: 'sm2', secretRef: 'test-key', output: 'hex-lower', verifyResponse: { field: 'sign', publicKeyRef: 'provider-pub' } }), key: sm2Keys.privateKey, pub: sm2Keys.publicKey },
    ];
    for (const { signing, key, pub } of cases) {
      const answer = { code: '0000', amount: '12.30', nonce: 'n1' };
      const sign = signParams(answer, signing, { key });
      expect(verifyAnswer({ ...answer, sign }, signing, { providerPublicKey: pub })).toBe(true);
      expect(verifyAnswer({ ...answer, amount: '99.99', sign }, signing, { providerPublicKey: pub })).toBe(false);
    }
  });
});

/** 洛阳供水's gateway, as such gateways are: one endpoint, a service parameter, form bodies, MD5 over sorted parameters, string codes, yuan. */
function scriptFormGateway(fake: Awaited<ReturnType<typeof startFakeProvider>>, key: string, answerAs: 'json' | 'xml') {
  const md5 = (params: Record<string, string>) =>
    createHash('md5')
      .update(`${sortedParamString(params, ['sign'])}&key=${key}`)
      .digest('hex')
      .toUpperCase();
  const xml = new XMLParser({ parseTagValue: false });
  const paid = new Map<string, string>();
  const badSignatures: string[] = [];
  const answer = (fields: Record<string, string>) => {
    const signed = { ...fields, nonce_str: 'srv', sign: '' };
    signed.sign = md5(signed);
    if (answerAs === 'json') return { body: signed };
    return { body: `<xml>${Object.entries(signed).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</xml>` };
  };
  fake.answers.set('/gateway', ({ body }) => {
    const text = typeof body === 'string' ? body : '';
    const params: Record<string, string> = text.startsWith('<') ? (xml.parse(text) as { req: Record<string, string> }).req : Object.fromEntries(new URLSearchParams(text));
    if (!params.timestamp || !params.nonce_str || params.sign !== md5(params)) {
      badSignatures.push(params.service ?? '?');
      return answer({ ret_code: '9001', ret_msg: '签名错误' });
    }
    const known = params.hh === '41030001';
    switch (params.service) {
      case 'query_account':
        return answer(known ? { ret_code: '0000', name: '王小明', addr: '洛阳市西工区中州路 1 号' } : { ret_code: '1001' });
      case 'query_bills':
        if (!known) return answer({ ret_code: '1001' });
        return paid.has('LY-202610') ? answer({ ret_code: '1002' }) : answer({ ret_code: '0000', bill_no: 'LY-202610', ym: '202610', je: '45.60' });
      case 'pay':
        if (params.je !== '45.60') return answer({ ret_code: '2001' });
        if (!paid.has(params.bill_no)) paid.set(params.bill_no, params.pay_no);
        return paid.get(params.bill_no) === params.pay_no ? answer({ ret_code: '0000', flow: `F${params.pay_no}` }) : answer({ ret_code: '2002' });
      case 'pay_status':
        return answer([...paid.values()].includes(params.pay_no) ? { ret_code: '0000', state: 'SUCCESS', flow: `F${params.pay_no}` } : { ret_code: '0000', state: 'NOT_FOUND' });
      default:
        return answer({ ret_code: '9002' });
    }
  });
  return { badSignatures };
}

function luoyangManifest(baseUrl: string, wire: { request: 'form' | 'xml'; response: 'json' | 'xml' }) {
  const common = '"hh": account.hh, "timestamp": timestamp, "nonce_str": nonce';
  const ok = wire.response === 'xml' ? 'body.ret_code = "0000"' : 'body.ret_code = "0000"';
  return {
    schemaVersion: 1,
    id: 'luoyang-water',
    version: '1.0.0',
    name: '水费',
    providerName: '洛阳供水',
    category: 'water',
    coverage: { cities: ['410300'] },
    accountFields: [{ name: 'hh', label: '户号', dataType: 'numeric', minLength: 8, maxLength: 8, mask: 'account' }],
    paymentRules: { mode: 'exact', minFen: 1, maxFen: 5_000_000 },
    amountUnit: 'yuan',
    transport: {
      baseUrl,
      timeoutMs: 1000,
      auth: { type: 'none' },
      wire: { ...wire, xmlRoot: 'req' },
      signing: { algorithm: 'md5', secretRef: 'luoyang-key', verifyResponse: { field: 'sign' } },
    },
    operations: {
      lookupAccount: {
        request: { method: 'POST', path: '"/gateway"', body: `{"service": "query_account", ${common}}` },
        response: { success: ok, errorCode: 'body.ret_code', map: '{"holderName": body.name, "address": body.addr}' },
      },
      queryBills: {
        request: { method: 'POST', path: '"/gateway"', body: `{"service": "query_bills", ${common}}` },
        response: { success: ok, errorCode: 'body.ret_code', map: '[{"ref": body.bill_no, "period": body.ym, "amount": body.je}]' },
      },
      writeOff: {
        request: { method: 'POST', path: '"/gateway"', body: `{"service": "pay", ${common}, "pay_no": orderNo, "bill_no": billRefs[0], "je": amount}` },
        response: { success: ok, errorCode: 'body.ret_code', map: '{"reference": body.flow}' },
      },
      writeOffStatus: {
        request: { method: 'POST', path: '"/gateway"', body: `{"service": "pay_status", ${common}, "pay_no": orderNo}` },
        response: { success: ok, errorCode: 'body.ret_code', map: '{"status": body.state, "reference": body.flow}' },
      },
    },
    errorCodes: { '1001': 'PROVIDER_ACCOUNT_NOT_FOUND', '1002': 'NO_ARREARS', '2001': 'PROVIDER_REJECTED', '2002': 'PROVIDER_REJECTED' },
  };
}

describe.each([
  { request: 'form', response: 'json' },
  { request: 'xml', response: 'xml' },
] as const)(`a $request-request, $response-answer gateway signed with MD5 is registered from a manifest alone (${process.env.DATABASE_URL ? 'MySQL + Redis' : 'SQLite + memory'})`, (wire) => {
  let hub: TestHub;
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  let gateway: ReturnType<typeof scriptFormGateway>;

  beforeEach(async () => {
    hub = await createTestHub();
    fake = await startFakeProvider();
    gateway = scriptFormGateway(fake, 'ly-secret-key-0001', wire.response);
  });
  afterEach(async () => {
    await hub.close();
    await fake.close();
  });

  /** The operator's part: the signing key stored, the manifest registered, verify run with these test accounts. */
  async function registerAndVerify(testAccounts: Record<string, { hh: string }>) {
    const server = hub.app.callback();
    await request(server).put('/api/v1/admin/secrets/luoyang-key').set(op).send({ value: 'ly-secret-key-0001' }).expect(204);
    await request(server).post('/api/v1/admin/adapters').set(op).send(luoyangManifest(fake.url, wire)).expect(201);
    return request(server).post('/api/v1/admin/adapters/luoyang-water/verify').set(op).send({ testAccounts }).expect(200);
  }

  it('verifies (write-off included), activates without a restart, and serves a resident in 洛阳', async () => {
    const server = hub.app.callback();
    const verified = await registerAndVerify({ existing: { hh: '41030001' }, missing: { hh: '41039999' }, payable: { hh: '41030001' } });
    expect(verified.body.report.checks.filter((c: { outcome: string }) => c.outcome !== 'passed')).toEqual([]);
    expect(verified.body.report.writeOffExercised).toBe(true);
    await request(server).post('/api/v1/admin/adapters/luoyang-water/activate').set(op).send({}).expect(200);

    const residentRow = await hub.services.residents.findOrCreate('openid-luoyang');
    const resident = { Authorization: `Bearer ${(await hub.services.sessions.create(residentRow.id)).token}` };
    const missing = await request(server).post('/api/v1/accounts').set(resident).send({ serviceId: 'luoyang-water', cityCode: '410300', fields: { hh: '41039999' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('PROVIDER_ACCOUNT_NOT_FOUND');
    const bound = await request(server).post('/api/v1/accounts').set(resident).send({ serviceId: 'luoyang-water', cityCode: '410300', fields: { hh: '41030001' } }).expect(201);
    expect(bound.body.account.holderNameMasked).toBe('王**');
    const bills = await request(server).get(`/api/v1/accounts/${bound.body.account.id}/bills`).set(resident).expect(200);
    // The verification paid the sandbox bill; the provider's "1002" means nothing is owed.
    expect(bills.body.bills).toEqual([]);
    // Every request the hub sent carried a valid signature, a timestamp and a nonce.
    expect(gateway.badSignatures).toEqual([]);
    expect(fake.requests.length).toBeGreaterThan(5);
    expect(fake.requests.every((r) => r.headers['content-type']?.startsWith(wire.request === 'form' ? 'application/x-www-form-urlencoded' : 'application/xml'))).toBe(true);
  });

  it('refuses an answer whose signature does not match', async () => {
    fake.answers.set('/gateway', () => ({ body: wire.response === 'xml' ? '<xml><ret_code>0000</ret_code><name>假</name><sign>BAD</sign></xml>' : { ret_code: '0000', name: '假', sign: 'BAD' } }));
    const verified = await registerAndVerify({ existing: { hh: '41030001' }, missing: { hh: '41039999' } });
    const found = verified.body.report.checks.find((c: { name: string }) => c.name === 'account found');
    expect(found).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('signature') });
  });
});
