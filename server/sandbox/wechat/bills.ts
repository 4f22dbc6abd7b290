import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type Router from '@koa/router';
import { beijingDate, fail, rfc3339, yuan, type MockContext } from './context';
import type { MockState } from './state';

/**
 * The trade bill (交易账单): GET /v3/bill/tradebill answers a download_url
 * and the SHA1 of the original file; the download (signed by the merchant,
 * not by WeChat) is the CSV with a UTF-8 BOM, gzipped when tar_type=GZIP.
 */

export const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'] as const;
export type BillType = (typeof BILL_TYPES)[number];

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** WeChat keeps a download_url valid for 30 seconds. */
const DOWNLOAD_VALID_MS = 30_000;
/** Bills can be asked for up to three months back. */
const MAX_AGE_DAYS = 92;

const HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const TOTALS_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/** Every data field is prefixed with a backtick (so spreadsheets keep long digit ids as text). */
const line = (fields: Array<string | number>) => fields.map((f) => `\`${f}`).join(',');
const billTime = (ms: number) => rfc3339(ms).slice(0, 19).replace('T', ' ');

/** The bill of one Beijing day: payments dated by success time, refunds by acceptance time; null when the day has none. */
export function tradeBillCsv(state: MockState, date: string, billType: BillType): string | null {
  const rows: Array<{ at: number; text: string }> = [];
  let paidFen = 0;
  let refundFen = 0;
  if (billType !== 'REFUND') {
    for (const t of state.trades.values()) {
      if (!t.successTime || !t.transactionId || beijingDate(t.successTime) !== date) continue;
      paidFen += t.totalFen;
      const text = line([billTime(t.successTime), t.appid, t.mchid, '0', '', t.transactionId, t.outTradeNo, t.openid, 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', yuan(t.totalFen), '0.00', '0', '0', '0.00', '0.00', '', '', t.description, t.attach ?? '', '0.00', '0.60%', yuan(t.totalFen), '0.00', '']);
      rows.push({ at: t.successTime, text });
    }
  }
  if (billType !== 'SUCCESS') {
    for (const r of state.refunds.values()) {
      const t = state.trades.get(r.outTradeNo);
      if (!t || beijingDate(r.createdAt) !== date) continue;
      refundFen += r.refundFen;
      const text = line([billTime(r.createdAt), t.appid, t.mchid, '0', '', r.transactionId, t.outTradeNo, t.openid, 'JSAPI', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', r.refundId, r.outRefundNo, yuan(r.refundFen), '0.00', 'ORIGINAL', r.status, t.description, t.attach ?? '', '0.00', '0.60%', yuan(t.totalFen), yuan(r.refundFen), '']);
      rows.push({ at: r.createdAt, text });
    }
  }
  if (!rows.length) return null;
  rows.sort((a, b) => a.at - b.at);
  const totals = line([rows.length, yuan(paidFen), yuan(refundFen), '0.00', '0.00', yuan(paidFen), yuan(refundFen)]);
  return [HEADER, ...rows.map((r) => r.text), TOTALS_HEADER, totals].join('\r\n') + '\r\n';
}

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
const isCalendarDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

export function billRoutes(router: Router, m: MockContext): void {
  const { state, now } = m;

  router.get('/v3/bill/tradebill', (ctx) => {
    const date = ctx.query.bill_date;
    const billType = ctx.query.bill_type ?? 'ALL';
    const tarType = ctx.query.tar_type;
    if (typeof date !== 'string' || !isCalendarDate(date)) fail(400, 'PARAM_ERROR', '参数 bill_date 格式错误，应为 yyyy-MM-DD 的有效日期');
    const today = beijingDate(now());
    if ((date as string) > today) fail(400, 'PARAM_ERROR', '参数 bill_date 不能晚于今天');
    if ((date as string) < beijingDate(now() - MAX_AGE_DAYS * 86_400_000)) fail(400, 'PARAM_ERROR', '参数 bill_date 超出范围，仅支持三个月内的账单');
    if (typeof billType !== 'string' || !(BILL_TYPES as readonly string[]).includes(billType)) fail(400, 'PARAM_ERROR', '参数 bill_type 只能是 ALL、SUCCESS 或 REFUND');
    if (tarType !== undefined && tarType !== 'GZIP') fail(400, 'PARAM_ERROR', '参数 tar_type 只能是 GZIP');
    const csv = tradeBillCsv(state, date as string, billType as BillType);
    if (!csv) return fail(400, 'NO_STATEMENT_EXIST', '该日期无账单');
    const bytes = Buffer.concat([UTF8_BOM, Buffer.from(csv, 'utf8')]);
    for (const [token, file] of state.billTokens) if (file.expiresAt < now()) state.billTokens.delete(token);
    const token = randomBytes(12).toString('hex');
    state.billTokens.set(token, { bytes, gzip: tarType === 'GZIP', expiresAt: now() + DOWNLOAD_VALID_MS });
    // The hash is of the original bill, before compression: a merchant gunzips, then checks.
    ctx.body = { hash_type: 'SHA1', hash_value: createHash('sha1').update(bytes).digest('hex'), download_url: `${ctx.protocol}://${ctx.host}/v3/billdownload/file?token=${token}` };
  });

  router.get('/v3/billdownload/file', (ctx) => {
    const file = state.billTokens.get(String(ctx.query.token));
    if (!file || file.expiresAt < now()) return fail(404, 'RESOURCE_NOT_EXISTS', '账单下载链接不存在或已过期');
    // The file stream is the one v3 answer WeChat does not sign; the hash in the tradebill answer vouches for it.
    ctx.state.unsigned = true;
    ctx.type = 'application/octet-stream';
    ctx.body = file.gzip ? gzipSync(file.bytes) : file.bytes;
  });
}
