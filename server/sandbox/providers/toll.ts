import Router from '@koa/router';
import type Koa from 'koa';
import { providerApp, type SimulatedProvider } from './common';
import { Ledger, amountFromNumber, type SandboxAccount, type SandboxBill } from './ledger';

/**
 * A highway toll operator (高速 ETC 发行方 style): an account is an ETC card
 * (20 digits), also findable by its plate; bills are monthly statements of
 * passages with entry/exit station and time. Bearer token; numeric
 * resultCode; amounts in fen.
 */
export const TOLL_DEMO_TOKEN = 'toll-demo-token';

interface Passage {
  entryStation: string;
  exitStation: string;
  entryTime: string;
  exitTime: string;
  fee: number;
}

function statement(cardNo: string, month: string, passages: Passage[]): SandboxBill {
  const amountFen = passages.reduce((n, p) => n + p.fee, 0);
  return {
    ref: `T${cardNo.slice(-8)}${month}`,
    period: month,
    title: `${month.slice(0, 4)}年${Number(month.slice(4))}月通行费`,
    amountFen,
    lateFeeFen: 0,
    dueDate: `${month.slice(0, 4)}-${month.slice(4)}-28`,
    lineItems: passages.map((p) => ({
      kind: 'toll_passage',
      description: `${p.entryStation} → ${p.exitStation}`,
      amountFen: p.fee,
      details: { entryStation: p.entryStation, exitStation: p.exitStation, entryTime: p.entryTime, exitTime: p.exitTime },
    })),
  };
}

const PLATES = new Map<string, string>();

function demoAccounts(): SandboxAccount[] {
  PLATES.clear();
  PLATES.set('豫A12345', '41010000000000000001');
  PLATES.set('浙A8B888', '33010000000000000001');
  PLATES.set('豫A00009', '41010000000000000009');
  return [
    {
      key: '41010000000000000001',
      holderName: '王建国',
      address: '豫A12345',
      bills: [
        statement('41010000000000000001', '202610', [
          { entryStation: '郑州东站', exitStation: '开封站', entryTime: '2026-10-03T08:12:00+08:00', exitTime: '2026-10-03T08:58:00+08:00', fee: 3500 },
          { entryStation: '开封站', exitStation: '郑州东站', entryTime: '2026-10-05T17:40:00+08:00', exitTime: '2026-10-05T18:31:00+08:00', fee: 3500 },
          { entryStation: '郑州南站', exitStation: '许昌北站', entryTime: '2026-10-18T09:02:00+08:00', exitTime: '2026-10-18T09:49:00+08:00', fee: 4200 },
        ]),
      ],
    },
    {
      key: '33010000000000000001',
      holderName: '陈静',
      address: '浙A8B888',
      bills: [
        statement('33010000000000000001', '202610', [
          { entryStation: '杭州北站', exitStation: '湖州站', entryTime: '2026-10-07T10:00:00+08:00', exitTime: '2026-10-07T10:52:00+08:00', fee: 4500 },
        ]),
      ],
    },
    { key: '41010000000000000002', holderName: '李秀英', address: '豫A54321', bills: [] },
    {
      key: '41010000000000000009',
      holderName: '赵敏',
      address: '豫A00009',
      bills: [statement('41010000000000000009', '202610', [{ entryStation: '郑州站', exitStation: '新乡站', entryTime: '2026-10-09T07:00:00+08:00', exitTime: '2026-10-09T07:45:00+08:00', fee: 3000 }])],
      rejectsWriteOff: true,
    },
  ];
}

function generated(key: string): SandboxAccount | undefined {
  if (!/^4199\d{16}$/.test(key)) return undefined;
  const fee = amountFromNumber(key, 4);
  return {
    key,
    holderName: '测试用户',
    address: '豫A99999',
    bills: [statement(key, '202610', [{ entryStation: '郑州站', exitStation: '洛阳站', entryTime: '2026-10-01T08:00:00+08:00', exitTime: '2026-10-01T09:30:00+08:00', fee }])],
  };
}

export function createTollProvider(options: { token?: string } = {}): SimulatedProvider {
  const ledger = new Ledger('ETC', demoAccounts, generated);
  const token = options.token ?? TOLL_DEMO_TOKEN;
  const reply = (ctx: Koa.Context, resultCode: number, body: Record<string, unknown> = {}) => {
    ctx.status = resultCode >= 500 ? 503 : 200;
    ctx.body = { resultCode, ...body };
  };
  const { app, faults, release } = providerApp(ledger, {
    onError: (ctx) => reply(ctx, 500, { message: 'internal error' }),
    onWindowClosed: (ctx) => reply(ctx, 300, { message: 'service window closed' }),
  });
  app.use(async (ctx: Koa.Context, next) => {
    if (ctx.path.startsWith('/__sandbox') || ctx.path === '/etc/api/health') return next();
    if (ctx.get('authorization') !== `Bearer ${token}`) return reply(ctx, 401, { message: 'unauthorized' });
    return next();
  });
  const cardOf = (ctx: Koa.Context) => {
    const cardNo = typeof ctx.query.cardNo === 'string' ? ctx.query.cardNo : undefined;
    const plate = typeof ctx.query.plate === 'string' ? ctx.query.plate : undefined;
    return cardNo ?? (plate ? PLATES.get(plate) : undefined) ?? '';
  };

  const router = new Router({ prefix: '/etc/api' });
  router.get('/health', (ctx) => reply(ctx, 0));
  router.get('/cards', (ctx) => {
    const account = ledger.account(cardOf(ctx));
    if (!account) return reply(ctx, 404, { message: 'card not found' });
    reply(ctx, 0, { card: { cardNo: account.key, plate: account.address, owner: account.holderName } });
  });
  router.get('/statements', (ctx) => {
    const cardNo = cardOf(ctx);
    const owed = ledger.owed(cardNo);
    if (!owed) return reply(ctx, 404, { message: 'card not found' });
    reply(ctx, 0, {
      cardNo,
      statements: owed.map((b) => ({
        statementId: b.ref,
        month: b.period,
        payBefore: b.dueDate,
        totalFee: b.amountFen,
        passages: b.lineItems.map((i) => ({ ...i.details, fee: i.amountFen })),
      })),
    });
  });
  router.post('/settlements', (ctx) => {
    const body = ctx.request.body as { cardNo?: string; statementIds?: unknown; outOrderNo?: string; totalFee?: unknown };
    if (!body?.outOrderNo || !Array.isArray(body.statementIds) || !Number.isSafeInteger(body.totalFee)) return reply(ctx, 400, { message: 'bad request' });
    const result = ledger.writeOff({ orderNo: body.outOrderNo, key: String(body.cardNo), billRefs: body.statementIds.map(String), amountFen: Number(body.totalFee) });
    if (result.ok) return reply(ctx, 0, { settlementNo: result.reference });
    const codes = { NOT_FOUND: 404, REJECTED: 460, ALREADY_PAID: 461, UNKNOWN_BILL: 462, AMOUNT_MISMATCH: 463 } as const;
    reply(ctx, codes[result.reason], { message: result.reason });
  });
  router.get('/settlements/:outOrderNo', (ctx) => {
    const record = ledger.writeOffStatus(ctx.params.outOrderNo);
    reply(ctx, 0, record ? { state: 'SETTLED', settlementNo: record.reference } : { state: 'NONE' });
  });
  app.use(router.routes());
  return { app, ledger, faults, release };
}
