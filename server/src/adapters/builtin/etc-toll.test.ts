import fs from 'node:fs';
import path from 'node:path';
import { codeManifestSchema } from '@cityhub/shared';
import { startFakeProvider } from '../../../test/support/fake-provider';
import { AdapterError } from '../contract';
import { EtcTollAdapter } from './etc-toll';

type Fake = Awaited<ReturnType<typeof startFakeProvider>>;

const demo: unknown = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../config/adapters/highway-etc.manifest.json'), 'utf8'));
const fields = { plate: '豫A12345', cardOrVinTail: '615720' };

async function refusal(call: Promise<unknown>): Promise<AdapterError> {
  const err: unknown = await call.catch((e: unknown) => e);
  if (!(err instanceof AdapterError)) throw new Error(`expected an AdapterError, got ${String(err)}`);
  return err;
}

describe('ETC toll adapter: the operator answers are parsed, not cast', () => {
  let fake: Fake;
  let adapter: EtcTollAdapter;

  beforeEach(async () => {
    fake = await startFakeProvider();
    const manifest = codeManifestSchema.parse({ ...(demo as object), transport: { baseUrl: fake.url, timeoutMs: 1000, auth: { type: 'bearer', secretRef: 'toll-token' } } });
    adapter = new EtcTollAdapter(manifest, 'token');
  });
  afterEach(() => fake.close());

  it('turns each passage of each statement into a bill with its month and pay-before date', async () => {
    fake.answers.set('/etc/api/statements', {
      body: {
        resultCode: 0,
        statements: [
          {
            month: '202610',
            payBefore: '2026-10-28',
            passages: [{ passageId: 'P1', fee: 3500, entryStation: '郑州东站', exitStation: '开封站', entryTime: 't1', exitTime: 't2' }],
          },
        ],
      },
    });
    const { bills } = await adapter.queryBills({ fields });
    expect(bills).toEqual([
      expect.objectContaining({ ref: 'P1', period: '202610', title: '郑州东站 → 开封站', amountFen: 3500, dueDate: '2026-10-28' }),
    ]);
  });

  it('answers PROVIDER_BAD_RESPONSE naming the field when a fee is not integer fen', async () => {
    fake.answers.set('/etc/api/statements', {
      body: { resultCode: 0, statements: [{ month: '202610', passages: [{ passageId: 'P1', fee: 35.5, entryStation: 'a', exitStation: 'b', entryTime: 't1', exitTime: 't2' }] }] },
    });
    const err = await refusal(adapter.queryBills({ fields }));
    expect(err.code).toBe('PROVIDER_BAD_RESPONSE');
    expect(err.message).toContain('statements.0.passages.0.fee');
  });

  it('reads the result code before anything else: 404 is an unknown card even without the other fields', async () => {
    fake.answers.set('/etc/api/cards', { body: { resultCode: 404, message: 'card not found' } });
    expect((await refusal(adapter.lookupAccount({ fields }))).code).toBe('PROVIDER_ACCOUNT_NOT_FOUND');
  });

  it('answers PROVIDER_BAD_RESPONSE when the envelope has no numeric resultCode', async () => {
    fake.answers.set('/etc/api/cards', { body: { resultCode: '0', card: { owner: '张三', cardNo: '1' } } });
    const err = await refusal(adapter.lookupAccount({ fields }));
    expect(err.code).toBe('PROVIDER_BAD_RESPONSE');
    expect(err.message).toContain('resultCode');
  });
});
