import Router from '@koa/router';
import type Koa from 'koa';
import { billRef, dueDate, providerApp, type SimulatedProvider } from './common';
import { Ledger, amountFromNumber, type SandboxAccount, type SandboxBill } from './ledger';

/**
 * A water company (自来水公司 style): REST with HTTP status codes, a bearer
 * token, amounts in integer fen with snake_case names. Account: customerNo
 * (8 digits).
 */
export const WATER_DEMO_TOKEN = 'water-demo-token';

function bill(customerNo: string, ym: string, amountFen: number, lateFeeFen = 0): SandboxBill {
  return {
    ref: billRef('W', customerNo, ym),
    period: `${ym.slice(0, 4)}-${ym.slice(4)}`,
    title: `${ym.slice(0, 4)}年${Number(ym.slice(4))}月水费`,
    amountFen,
    lateFeeFen,
    dueDate: dueDate(ym),
    lineItems: [
      { kind: 'charge', description: '用水量 12 吨', amountFen: Math.round(amountFen * 0.7), details: {} },
      { kind: 'charge', description: '污水处理费', amountFen: amountFen - Math.round(amountFen * 0.7), details: {} },
    ],
  };
}

function demoAccounts(): SandboxAccount[] {
  return [
    { key: '41010001', holderName: '王建国', address: '郑州市金水区花园路 8 号', bills: [bill('41010001', '202610', 4560, 30)] },
    { key: '41010002', holderName: '李秀英', address: '郑州市二七区大学路 21 号', bills: [] },
    { key: '41010009', holderName: '赵敏', address: '郑州市中原区建设路 99 号', bills: [bill('41010009', '202610', 2210)], rejectsWriteOff: true },
    { key: '33010001', holderName: '陈静', address: '杭州市西湖区文三路 10 号', bills: [bill('33010001', '202609', 3890), bill('33010001', '202610', 4120)] },
  ];
}

function generated(key: string): SandboxAccount | undefined {
  if (!/^4199\d{4}$/.test(key)) return undefined;
  return { key, holderName: '测试用户', address: '郑州市测试路', bills: [bill(key, '202610', amountFromNumber(key, 2))] };
}

export function createWaterProvider(options: { token?: string } = {}): SimulatedProvider {
  const ledger = new Ledger('SW', demoAccounts, generated);
  const token = options.token ?? WATER_DEMO_TOKEN;
  const { app, faults, release } = providerApp(ledger, {
    onError: (ctx) => {
      ctx.status = 503;
      ctx.body = { ok: false, err: 'BUSY' };
    },
    onWindowClosed: (ctx) => {
      ctx.status = 503;
      ctx.body = { ok: false, err: 'MAINTENANCE' };
    },
  });
  app.use(async (ctx: Koa.Context, next) => {
    if (ctx.path.startsWith('/__sandbox') || ctx.path === '/water/v1/ping') return next();
    if (ctx.get('authorization') !== `Bearer ${token}`) {
      ctx.status = 401;
      ctx.body = { ok: false, err: 'UNAUTHORIZED' };
      return;
    }
    return next();
  });

  const router = new Router({ prefix: '/water/v1' });
  const notFound = (ctx: Koa.Context) => {
    ctx.status = 404;
    ctx.body = { ok: false, err: 'NO_CUSTOMER' };
  };
  router.get('/ping', (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/customers/:no', (ctx) => {
    const account = ledger.account(ctx.params.no);
    if (!account) return notFound(ctx);
    ctx.body = { ok: true, customer: { no: account.key, name: account.holderName, addr: account.address } };
  });
  router.get('/customers/:no/arrears', (ctx) => {
    const owed = ledger.owed(ctx.params.no);
    if (!owed) return notFound(ctx);
    ctx.body = {
      ok: true,
      arrears: owed.map((b) => ({ ref: b.ref, period: b.period, amount_fen: b.amountFen, late_fee_fen: b.lateFeeFen, due_date: b.dueDate })),
    };
  });
  router.post('/payments', (ctx) => {
    const body = ctx.request.body as { customerNo?: string; refs?: unknown; tradeNo?: string; amountFen?: unknown };
    if (!body?.tradeNo || !Array.isArray(body.refs) || !Number.isSafeInteger(body.amountFen)) {
      ctx.status = 400;
      ctx.body = { ok: false, err: 'BAD_REQUEST' };
      return;
    }
    const result = ledger.writeOff({ orderNo: body.tradeNo, key: String(body.customerNo), billRefs: body.refs.map(String), amountFen: Number(body.amountFen) });
    if (result.ok) {
      ctx.status = 201;
      ctx.body = { ok: true, payment: { tradeNo: body.tradeNo, receiptNo: result.reference } };
      return;
    }
    ctx.status = result.reason === 'NOT_FOUND' ? 404 : 409;
    ctx.body = { ok: false, err: result.reason === 'NOT_FOUND' ? 'NO_CUSTOMER' : result.reason === 'REJECTED' ? 'ACCOUNT_FROZEN' : result.reason };
  });
  router.get('/payments/:tradeNo', (ctx) => {
    const record = ledger.writeOffStatus(ctx.params.tradeNo);
    if (!record) {
      ctx.status = 404;
      ctx.body = { ok: false, err: 'NO_PAYMENT' };
      return;
    }
    ctx.body = { ok: true, payment: { tradeNo: record.orderNo, receiptNo: record.reference, state: 'DONE' } };
  });
  app.use(router.routes());
  return { app, ledger, faults, release };
}
