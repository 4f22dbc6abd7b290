import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { fenToYuan, yuanToFen } from '@cityhub/shared';
import { billRef, dueDate, providerApp, type SimulatedProvider } from './common';
import { Ledger, amountFromNumber, type SandboxAccount, type SandboxBill } from './ledger';

/**
 * A power grid (国网河南/浙江电力 style): province coverage, HMAC-SHA256
 * request signing, amounts as yuan strings, answers always HTTP 200 with
 * {code, msg, data}. Account: consNo (户号, 10 digits).
 */
export const GRID_DEMO_KEY_ID = 'cityhub-demo';
export const GRID_DEMO_SECRET = 'grid-demo-secret';

function bill(consNo: string, ym: string, amountFen: number, lateFeeFen = 0): SandboxBill {
  return {
    ref: billRef('E', consNo, ym),
    period: ym,
    title: `${ym.slice(0, 4)}年${Number(ym.slice(4))}月电费`,
    amountFen,
    lateFeeFen,
    dueDate: dueDate(ym),
    // About 0.56 yuan a kWh: the grid reports the meter's reading with each bill.
    usage: { amount: Math.round(amountFen / 56), unit: 'kWh' },
    lineItems: [
      { kind: 'charge', description: '峰时电量', amountFen: Math.round(amountFen * 0.6), details: {} },
      { kind: 'charge', description: '谷时电量', amountFen: amountFen - Math.round(amountFen * 0.6), details: {} },
    ],
  };
}

/** This Beijing month as YYYYMM: a bill for it is due next month, so it is never overdue on the day it is shown. */
function currentPeriod(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7).replace('-', '');
}

function demoAccounts(): SandboxAccount[] {
  return [
    { key: '4101000001', holderName: '王建国', address: '郑州市金水区花园路 8 号', cityCode: '410100', bills: [bill('4101000001', '202609', 18650, 120), bill('4101000001', '202610', 23410)] },
    { key: '4101000002', holderName: '李秀英', address: '郑州市二七区大学路 21 号', cityCode: '410100', bills: [] },
    { key: '4101000003', holderName: '张伟', address: '郑州市惠济区中州路 3 号', cityCode: '410100', bills: [bill('4101000003', '202610', 9870)] },
    // One bill overdue, one not yet due: the bills page flags and orders them.
    { key: '4101000005', holderName: '孙丽', address: '郑州市管城区紫荆山路 6 号', cityCode: '410100', bills: [bill('4101000005', currentPeriod(), 7420), bill('4101000005', '202609', 6380, 95)] },
    { key: '4101000009', holderName: '赵敏', address: '郑州市中原区建设路 99 号', cityCode: '410100', bills: [bill('4101000009', '202610', 5230)], rejectsWriteOff: true },
    { key: '4103000001', holderName: '周强', address: '洛阳市西工区中州路 3 号', cityCode: '410300', bills: [bill('4103000001', '202610', 9870)] },
    { key: '3301000001', holderName: '陈静', address: '杭州市西湖区文三路 10 号', cityCode: '330100', bills: [bill('3301000001', '202610', 31200)] },
    { key: '3301000002', holderName: '刘洋', address: '杭州市上城区解放路 5 号', cityCode: '330100', bills: [] },
  ];
}

/** Load accounts 4199000000–4199999999: each owes one bill derived from its number. */
function generated(key: string): SandboxAccount | undefined {
  if (!/^4199\d{6}$/.test(key)) return undefined;
  // No city: the scale test serves these accounts in other cities (武汉) through a copy of this provider.
  return { key, holderName: '测试用户', address: '测试路', bills: [bill(key, '202610', amountFromNumber(key, 1))] };
}

export function createGridProvider(options: { keyId?: string; secret?: string; now?: () => number } = {}): SimulatedProvider {
  const ledger = new Ledger('GW', demoAccounts, generated);
  const keyId = options.keyId ?? GRID_DEMO_KEY_ID;
  const secret = options.secret ?? GRID_DEMO_SECRET;
  const now = options.now ?? Date.now;
  const answer = (ctx: Koa.Context, code: string, msg: string, data: unknown = null) => {
    ctx.status = 200;
    ctx.body = { code, msg, data };
  };
  const { app, faults, release } = providerApp(ledger, {
    onError: (ctx) => answer(ctx, 'E500', '系统繁忙'),
    onWindowClosed: (ctx) => answer(ctx, 'E300', '系统结算中，暂停服务'),
  });

  // HMAC check over METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nSHA256_HEX(BODY).
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/__sandbox') || ctx.path === '/api/v2/health') return next();
    const ts = ctx.get('x-timestamp');
    const nonce = ctx.get('x-nonce');
    const signature = ctx.get('x-signature');
    const raw = typeof ctx.request.rawBody === 'string' ? ctx.request.rawBody : '';
    const canonical = `${ctx.method}\n${ctx.url}\n${ts}\n${nonce}\n${createHash('sha256').update(raw).digest('hex')}`;
    const expected = createHmac('sha256', secret).update(canonical).digest('hex');
    const skew = Math.abs(now() / 1000 - Number(ts));
    const valid =
      ctx.get('x-key-id') === keyId &&
      Number.isFinite(skew) &&
      skew <= 300 &&
      signature.length === expected.length &&
      timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!valid) {
      ctx.status = 401;
      ctx.body = { code: 'E401', msg: '签名无效', data: null };
      return;
    }
    return next();
  });

  const consNo = (ctx: Koa.Context) => String((ctx.request.body as { consNo?: unknown })?.consNo ?? '');
  const router = new Router({ prefix: '/api/v2' });
  router.get('/health', (ctx) => answer(ctx, '0000', 'ok', { status: 'UP' }));
  router.post('/account/query', (ctx) => {
    const account = ledger.account(consNo(ctx));
    if (!account) return answer(ctx, 'E101', '户号不存在');
    answer(ctx, '0000', 'ok', { consNo: account.key, consName: account.holderName, address: account.address, areaCode: account.cityCode ?? '' });
  });
  router.post('/bill/query', (ctx) => {
    const owed = ledger.owed(consNo(ctx));
    if (!owed) return answer(ctx, 'E101', '户号不存在');
    answer(ctx, '0000', 'ok', {
      consNo: consNo(ctx),
      bills: owed.map((b) => ({
        billId: b.ref,
        ym: b.period,
        amount: fenToYuan(b.amountFen),
        lateFee: fenToYuan(b.lateFeeFen),
        dueDate: b.dueDate,
        kwh: b.usage?.amount ?? null,
        items: b.lineItems.map((i) => ({ name: i.description, amount: fenToYuan(i.amountFen) })),
      })),
    });
  });
  router.post('/payment/writeoff', (ctx) => {
    const body = ctx.request.body as { consNo?: string; billIds?: unknown; serialNo?: string; amount?: string };
    if (!body?.serialNo || !Array.isArray(body.billIds) || typeof body.amount !== 'string' || !/^\d+\.\d{2}$/.test(body.amount)) {
      return answer(ctx, 'E400', '参数错误');
    }
    const result = ledger.writeOff({ orderNo: body.serialNo, key: String(body.consNo), billRefs: body.billIds.map(String), amountFen: yuanToFen(body.amount) });
    if (result.ok) return answer(ctx, '0000', 'ok', { serialNo: body.serialNo, writeOffNo: result.reference });
    const codes = { NOT_FOUND: ['E101', '户号不存在'], REJECTED: ['E402', '该户号已冻结，拒绝销账'], ALREADY_PAID: ['E403', '账单已缴清'], UNKNOWN_BILL: ['E404', '账单不存在'], AMOUNT_MISMATCH: ['E405', '金额不符'] } as const;
    const [code, msg] = codes[result.reason];
    answer(ctx, code, msg);
  });
  router.post('/payment/status', (ctx) => {
    const serialNo = String((ctx.request.body as { serialNo?: unknown })?.serialNo ?? '');
    const record = ledger.writeOffStatus(serialNo);
    answer(ctx, '0000', 'ok', record ? { status: 'SUCCESS', writeOffNo: record.reference } : { status: 'NOT_FOUND' });
  });
  app.use(router.routes());
  return { app, ledger, faults, release };
}
