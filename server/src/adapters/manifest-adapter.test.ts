import { createHash, createHmac } from 'node:crypto';
import { manifestSchema, type AdapterManifestInput } from '@cityhub/shared';
import { startFakeProvider } from '../../test/support/fake-provider';
import { AdapterError } from './contract';
import { hmacCanonicalString } from './http-transport';
import { ManifestAdapter } from './manifest-adapter';

type Fake = Awaited<ReturnType<typeof startFakeProvider>>;

function manifest(baseUrl: string, overrides: Partial<AdapterManifestInput> = {}) {
  return manifestSchema.parse({
    schemaVersion: 1,
    id: 'test-grid',
    version: '1.0.0',
    name: '测试电费',
    providerName: '测试电网',
    category: 'electricity',
    coverage: { provinces: ['41'] },
    accountFields: [{ name: 'consNo', label: '户号', dataType: 'numeric', minLength: 10, maxLength: 10 }],
    paymentRules: { mode: 'exact', minFen: 1, maxFen: 10_000_000 },
    amountUnit: 'yuan',
    transport: { baseUrl, timeoutMs: 1000, auth: { type: 'hmac-sha256', keyId: 'k1', secretRef: 'test-secret' } },
    operations: {
      lookupAccount: {
        request: { method: 'POST', path: '"/account"', body: '{"consNo": account.consNo}' },
        response: { success: 'body.code = "0000"', errorCode: 'body.code', map: '{"holderName": body.data.name, "address": body.data.addr}' },
      },
      queryBills: {
        request: { method: 'POST', path: '"/bills"', body: '{"consNo": account.consNo}' },
        response: {
          success: 'body.code = "0000"',
          errorCode: 'body.code',
          map: 'body.data.bills.{"ref": id, "period": ym, "amount": amount, "lateFee": fee, "dueDate": due}',
        },
      },
      writeOff: {
        request: { method: 'POST', path: '"/writeoff"', body: '{"consNo": account.consNo, "serialNo": orderNo, "amount": amount, "billIds": billRefs}' },
        response: { success: 'body.code = "0000"', errorCode: 'body.code', map: '{"reference": body.data.no}' },
      },
      writeOffStatus: {
        request: { method: 'GET', path: '"/status/" & orderNo' },
        response: { success: 'status = 200', map: '{"status": body.state, "reference": body.no}' },
      },
    },
    errorCodes: { E101: 'PROVIDER_ACCOUNT_NOT_FOUND', E300: 'SERVICE_WINDOW_CLOSED', E401: 'PROVIDER_REJECTED' },
    ...overrides,
  });
}

const fields = { consNo: '4101000001' };

async function expectAdapterError(call: Promise<unknown>, code: string, messagePart?: string) {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdapterError);
  expect((err as AdapterError).code).toBe(code);
  if (messagePart) expect((err as AdapterError).message).toContain(messagePart);
}

describe('a manifest adapter', () => {
  let fake: Fake;
  let adapter: ManifestAdapter;
  beforeEach(async () => {
    fake = await startFakeProvider();
    adapter = new ManifestAdapter(manifest(fake.url), 'the-secret');
  });
  afterEach(() => fake.close());

  it('looks up an account and masks the holder name', async () => {
    fake.answers.set('/account', { body: { code: '0000', data: { name: '王小明', addr: '金水区' } } });
    await expect(adapter.lookupAccount({ fields })).resolves.toEqual({ holderNameMasked: '王**', addressHint: '金水区****' });
  });

  it('signs requests with HMAC-SHA256 over the documented canonical string', async () => {
    fake.answers.set('/account', { body: { code: '0000', data: { name: '王小明' } } });
    await adapter.lookupAccount({ fields });
    const req = fake.requests[0];
    const canonical = hmacCanonicalString('POST', '/account', String(req.headers['x-timestamp']), String(req.headers['x-nonce']), req.body);
    expect(canonical.split('\n')[4]).toBe(createHash('sha256').update(req.body).digest('hex'));
    expect(req.headers['x-signature']).toBe(createHmac('sha256', 'the-secret').update(canonical).digest('hex'));
    expect(req.headers['x-key-id']).toBe('k1');
  });

  it('reads yuan strings as integer fen', async () => {
    fake.answers.set('/bills', { body: { code: '0000', data: { bills: [{ id: 'B1', ym: '202610', amount: '123.45', fee: '0.1', due: '2026-11-15' }] } } });
    const { bills } = await adapter.queryBills({ fields });
    expect(bills).toEqual([{ ref: 'B1', period: '202610', title: '202610', amountFen: 12345, lateFeeFen: 10, dueDate: '2026-11-15', lineItems: [] }]);
  });

  it('treats a single bill (JSONata yields an object, not a list) as a list of one', async () => {
    fake.answers.set('/bills', { body: { code: '0000', data: { bills: { id: 'B1', ym: '202610', amount: '1.00' } } } });
    expect((await adapter.queryBills({ fields })).bills).toHaveLength(1);
  });

  it('sends write-off amounts in the provider unit and our order number', async () => {
    fake.answers.set('/writeoff', { body: { code: '0000', data: { no: 'W-1' } } });
    await expect(adapter.writeOff({ orderNo: 'CH123', fields, billRefs: ['B1'], amountFen: 12345 })).resolves.toEqual({ reference: 'W-1' });
    expect(JSON.parse(fake.requests[0].body)).toEqual({ consNo: '4101000001', serialNo: 'CH123', amount: '123.45', billIds: ['B1'] });
  });

  it("maps the provider's error codes onto typed errors", async () => {
    fake.answers.set('/account', { body: { code: 'E101', msg: 'no such user' } });
    await expectAdapterError(adapter.lookupAccount({ fields }), 'PROVIDER_ACCOUNT_NOT_FOUND');
    fake.answers.set('/account', { body: { code: 'E300' } });
    await expectAdapterError(adapter.lookupAccount({ fields }), 'SERVICE_WINDOW_CLOSED');
    fake.answers.set('/writeoff', { body: { code: 'E401' } });
    await expectAdapterError(adapter.writeOff({ orderNo: 'CH1', fields, billRefs: ['B1'], amountFen: 1 }), 'PROVIDER_REJECTED');
  });

  describe('mapping errors are typed, never a crash', () => {
    it('a missing field in the answer', async () => {
      fake.answers.set('/account', { body: { code: '0000', data: {} } });
      await expectAdapterError(adapter.lookupAccount({ fields }), 'PROVIDER_BAD_RESPONSE', 'holderName');
    });

    it('a field of the wrong type', async () => {
      fake.answers.set('/account', { body: { code: '0000', data: { name: 42 } } });
      await expectAdapterError(adapter.lookupAccount({ fields }), 'PROVIDER_BAD_RESPONSE', 'holderName');
    });

    it('an amount in the wrong unit (fen where the manifest says yuan)', async () => {
      fake.answers.set('/bills', { body: { code: '0000', data: { bills: [{ id: 'B1', ym: '202610', amount: 12345 }] } } });
      await expectAdapterError(adapter.queryBills({ fields }), 'PROVIDER_BAD_RESPONSE', 'yuan string');
    });

    it('an amount in the wrong unit (yuan where the manifest says fen)', async () => {
      const fenAdapter = new ManifestAdapter(manifest(fake.url, { amountUnit: 'fen' }), 'the-secret');
      fake.answers.set('/bills', { body: { code: '0000', data: { bills: [{ id: 'B1', ym: '202610', amount: '123.45' }] } } });
      await expectAdapterError(fenAdapter.queryBills({ fields }), 'PROVIDER_BAD_RESPONSE', 'integer number of fen');
    });

    it('a float amount is refused rather than rounded', async () => {
      fake.answers.set('/bills', { body: { code: '0000', data: { bills: [{ id: 'B1', ym: '202610', amount: '12.345' }] } } });
      await expectAdapterError(adapter.queryBills({ fields }), 'PROVIDER_BAD_RESPONSE');
    });

    it('a provider error code the manifest does not know', async () => {
      fake.answers.set('/account', { body: { code: 'E999' } });
      await expectAdapterError(adapter.lookupAccount({ fields }), 'PROVIDER_UNKNOWN_ERROR', 'E999');
    });

    it('a body that is not JSON', async () => {
      fake.answers.set('/account', { body: '<html>busy</html>' });
      await expectAdapterError(adapter.lookupAccount({ fields }), 'PROVIDER_UNKNOWN_ERROR');
    });

    it('a provider 5xx without a mapped code is "unavailable"', async () => {
      fake.answers.set('/account', { status: 502, body: 'bad gateway' });
      await expectAdapterError(adapter.lookupAccount({ fields }), 'PROVIDER_UNAVAILABLE');
    });

    it('a provider that cannot be reached is "unavailable"', async () => {
      const gone = new ManifestAdapter(manifest('http://127.0.0.1:9'), 'x');
      await expectAdapterError(gone.lookupAccount({ fields }), 'PROVIDER_UNAVAILABLE');
    });

    it('a write-off status outside SUCCESS/NOT_FOUND/FAILED', async () => {
      fake.answers.set('/status/CH1', { body: { state: 'MAYBE' } });
      await expectAdapterError(adapter.writeOffStatus({ orderNo: 'CH1', fields }), 'PROVIDER_BAD_RESPONSE', 'status');
    });
  });
});
