import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { beijingDate } from './context';
import { startSdkMerchant, type SdkMerchant } from './sdk-merchant';

/** The trade bill as WeChat serves it, fetched and checked with the wechatpay-node-v3 SDK as the merchant. */
describe('mock WeChat Pay v3 trade bill', () => {
  let w: SdkMerchant;
  const DAY = 86_400_000;
  const today = beijingDate(Date.now());
  const yesterday = beijingDate(Date.now() - DAY);

  beforeAll(async () => {
    w = await startSdkMerchant();
    // Yesterday: one payment. Today: two payments, one of them partly refunded.
    await w.paidOrder('BILLY0000001', 1111, -DAY);
    await w.paidOrder('BILLT0000001', 2345);
    await w.paidOrder('BILLT0000002', 10000);
    const refund = await w.call('POST', '/v3/refund/domestic/refunds', w.refundBody('BILLT0000002', 'RBILLT0000002', 2500, 10000));
    if (refund.status !== 200) throw new Error(refund.text);
  });
  afterAll(() => w.stop());

  /** Asks for a bill and downloads it: the answer, and the file bytes as sent. */
  async function bill(query: string) {
    const meta = await w.call('GET', `/v3/bill/tradebill?${query}`);
    if (meta.status !== 200) return { meta, file: null };
    return { meta, file: await w.download(String(meta.json?.download_url)) };
  }
  /** The data rows of a bill (between the header and the totals), fields without their backtick. */
  const rows = (bytes: Buffer) => {
    const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    return lines.slice(1, -2).map((l) => l.split(',').map((f) => f.replace(/^`/, '')));
  };

  it('starts the bill with the UTF-8 BOM, and hashes the file with it', async () => {
    const { meta, file } = await bill(`bill_date=${today}`);
    expect(meta.verified).toBe(true);
    expect(meta.json).toMatchObject({ hash_type: 'SHA1' });
    expect([...(file?.bytes.subarray(0, 3) ?? [])]).toEqual([0xef, 0xbb, 0xbf]);
    expect(file?.bytes.subarray(3, 15).toString('utf8')).toBe('交易时间');
    expect(createHash('sha1').update(file?.bytes ?? '').digest('hex')).toBe(meta.json?.hash_value);
  });

  it('serves the file stream unsigned (as WeChat does), but only to a signed request', async () => {
    const { meta, file } = await bill(`bill_date=${today}`);
    expect(file?.status).toBe(200);
    expect(file?.headers.get('wechatpay-signature')).toBeNull();
    expect(file?.headers.get('request-id')).toMatch(/^[0-9A-F]{32}$/);
    const anonymous = await fetch(String(meta.json?.download_url).replace(/^https?:\/\/[^/]+/, w.gateway.url));
    expect(anonymous.status).toBe(401);
  });

  it('gzips the bill with tar_type=GZIP; the hash is of the original file, as WeChat documents', async () => {
    const plain = await bill(`bill_date=${today}`);
    const zipped = await bill(`bill_date=${today}&tar_type=GZIP`);
    const bytes = zipped.file?.bytes ?? Buffer.alloc(0);
    expect([...bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const original = gunzipSync(bytes);
    expect(original.equals(plain.file?.bytes ?? Buffer.alloc(0))).toBe(true);
    expect(createHash('sha1').update(original).digest('hex')).toBe(zipped.meta.json?.hash_value);
  });

  it('filters by bill_type: ALL lists payments and refunds, SUCCESS the payments, REFUND the refunds', async () => {
    const states = async (type: string) => rows((await bill(`bill_date=${today}&bill_type=${type}`)).file?.bytes ?? Buffer.alloc(0)).map((r) => `${r[6]} ${r[9]} ${r[9] === 'REFUND' ? r[16] : r[12]}`);
    expect(await states('ALL')).toEqual(['BILLT0000001 SUCCESS 23.45', 'BILLT0000002 SUCCESS 100.00', 'BILLT0000002 REFUND 25.00']);
    expect(await states('SUCCESS')).toEqual(['BILLT0000001 SUCCESS 23.45', 'BILLT0000002 SUCCESS 100.00']);
    expect(await states('REFUND')).toEqual(['BILLT0000002 REFUND 25.00']);
    const refundRow = rows((await bill(`bill_date=${today}&bill_type=REFUND`)).file?.bytes ?? Buffer.alloc(0))[0];
    expect(refundRow[14]).toMatch(/^50300\d{24}$/);
    expect(refundRow[5]).toMatch(/^4200\d{24}$/);
    const lines = (await bill(`bill_date=${today}`)).file?.bytes.toString('utf8').trim().split('\r\n') ?? [];
    expect(lines.at(-2)).toMatch(/^总交易单数,/);
    expect(lines.at(-1)).toBe('`3,`123.45,`25.00,`0.00,`0.00,`123.45,`25.00');
  });

  it('serves the bill of the day asked for: yesterday\'s payment in yesterday\'s bill only', async () => {
    const old = await bill(`bill_date=${yesterday}`);
    expect(rows(old.file?.bytes ?? Buffer.alloc(0)).map((r) => r[6])).toEqual(['BILLY0000001']);
    const current = await bill(`bill_date=${today}`);
    expect(rows(current.file?.bytes ?? Buffer.alloc(0)).map((r) => r[6])).not.toContain('BILLY0000001');
    const empty = await w.call('GET', `/v3/bill/tradebill?bill_date=${beijingDate(Date.now() - 2 * DAY)}`);
    expect(empty.status).toBe(400);
    expect(empty.json?.code).toBe('NO_STATEMENT_EXIST');
  });

  it.each([
    ['a missing bill_date', ''],
    ['a bill_date not in yyyy-MM-DD', `bill_date=${today.replace(/-/g, '')}`],
    ['a bill_date that is no calendar day', 'bill_date=2026-02-30'],
    ['a bill_date in the future', `bill_date=${beijingDate(Date.now() + 2 * DAY)}`],
    ['a bill_date more than three months back', `bill_date=${beijingDate(Date.now() - 100 * DAY)}`],
    ['an unknown bill_type', `bill_date=${today}&bill_type=PAID`],
    ['an unknown tar_type', `bill_date=${today}&tar_type=ZIP`],
  ])('refuses %s with 400 PARAM_ERROR in Chinese, signed', async (_what, query) => {
    const res = await w.call('GET', `/v3/bill/tradebill${query ? `?${query}` : ''}`);
    expect(res.status).toBe(400);
    expect(res.verified).toBe(true);
    expect(res.json?.code).toBe('PARAM_ERROR');
    expect(res.json?.message).toMatch(/bill_date|bill_type|tar_type/);
    expect(res.json?.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('lets a download_url expire after 30 seconds', async () => {
    const { meta } = await bill(`bill_date=${today}`);
    w.clock.shiftMs = 31_000;
    try {
      const late = await w.download(String(meta.json?.download_url));
      expect(late.status).toBe(404);
    } finally {
      w.clock.shiftMs = 0;
    }
  });
});
