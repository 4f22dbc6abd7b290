import Router from '@koa/router';
import type Koa from 'koa';
import { billRef, providerApp, type SimulatedProvider } from './common';
import { Ledger, amountFromNumber, type SandboxAccount, type SandboxBill } from './ledger';

/**
 * A highway toll operator (高速 ETC 发行方 style): an account is an ETC card
 * (20 digits), found by its plate plus proof that the asker holds the
 * vehicle — the last six characters of the card number or of the vehicle
 * identification number (VIN); a plate alone, or with a wrong proof, is "card
 * not found", so a plate seen on the street reveals nothing (issue 9). Bills
 * are monthly statements of passages with entry/exit station and time, each
 * passage settled on its own (by passageId).
 * Bearer token; numeric resultCode; amounts in fen.
 */
export const TOLL_DEMO_TOKEN = 'toll-demo-token';

interface Passage {
  entryStation: string;
  exitStation: string;
  entryTime: string;
  exitTime: string;
  fee: number;
}

/**
 * A month's statement as the operator keeps it: each passage its own item,
 * settled on its own (a driver may pay some trips now and the rest later),
 * grouped by month when listed.
 */
function statement(cardNo: string, month: string, passages: Passage[]): SandboxBill[] {
  const statementId = billRef('T', cardNo, month);
  return passages.map((p, i) => ({
    ref: `${statementId}P${String(i + 1).padStart(2, '0')}`,
    period: month,
    title: `${p.entryStation} → ${p.exitStation}`,
    amountFen: p.fee,
    lateFeeFen: 0,
    dueDate: `${month.slice(0, 4)}-${month.slice(4)}-28`,
    lineItems: [
      {
        kind: 'toll_passage',
        description: `${p.entryStation} → ${p.exitStation}`,
        amountFen: p.fee,
        details: { entryStation: p.entryStation, exitStation: p.exitStation, entryTime: p.entryTime, exitTime: p.exitTime },
      },
    ],
  }));
}

/** Plate → card number, and card number → VIN, of the demo vehicles. */
const PLATES = new Map<string, string>();
const VINS = new Map<string, string>();

function vehicle(plate: string, cardNo: string, vin: string): void {
  PLATES.set(plate, cardNo);
  VINS.set(cardNo, vin);
}

/** Demo vehicles: plate, ETC card, VIN. The proof is the last six of the card (615720) or of the VIN (183472). */
function demoAccounts(): SandboxAccount[] {
  PLATES.clear();
  VINS.clear();
  vehicle('豫A12345', '41012026000083615720', 'LSVAU2180N2183472');
  vehicle('浙A8B888', '33012026000047218805', 'LFV3A23C7L3047766');
  vehicle('豫A54321', '41012026000035170042', 'LGBH52E08KY012345');
  vehicle('豫A00009', '41012026000090090009', 'LNBSCUAK5JR000909');
  return [
    {
      key: '41012026000083615720',
      holderName: '王建国',
      address: '豫A12345',
      bills: statement('41012026000083615720', '202610', [
          { entryStation: '郑州东站', exitStation: '开封站', entryTime: '2026-10-03T08:12:00+08:00', exitTime: '2026-10-03T08:58:00+08:00', fee: 3500 },
          { entryStation: '开封站', exitStation: '郑州东站', entryTime: '2026-10-05T17:40:00+08:00', exitTime: '2026-10-05T18:31:00+08:00', fee: 3500 },
        { entryStation: '郑州南站', exitStation: '许昌北站', entryTime: '2026-10-18T09:02:00+08:00', exitTime: '2026-10-18T09:49:00+08:00', fee: 4200 },
      ]),
    },
    {
      key: '33012026000047218805',
      holderName: '陈静',
      address: '浙A8B888',
      bills: statement('33012026000047218805', '202610', [
        { entryStation: '杭州北站', exitStation: '湖州站', entryTime: '2026-10-07T10:00:00+08:00', exitTime: '2026-10-07T10:52:00+08:00', fee: 4500 },
      ]),
    },
    { key: '41012026000035170042', holderName: '李秀英', address: '豫A54321', bills: [] },
    {
      key: '41012026000090090009',
      holderName: '赵敏',
      address: '豫A00009',
      bills: statement('41012026000090090009', '202610', [{ entryStation: '郑州站', exitStation: '新乡站', entryTime: '2026-10-09T07:00:00+08:00', exitTime: '2026-10-09T07:45:00+08:00', fee: 3000 }]),
      rejectsWriteOff: true,
    },
  ];
}

/** Load cards 4199…: card 41990000000000000000 + n has plate 豫Y + n (five digits), proof the card's last six. */
function generated(key: string): SandboxAccount | undefined {
  if (!/^4199\d{16}$/.test(key)) return undefined;
  const fee = amountFromNumber(key, 4);
  return {
    key,
    holderName: '测试用户',
    address: `豫Y${key.slice(-5)}`,
    bills: statement(key, '202610', [{ entryStation: '郑州站', exitStation: '洛阳站', entryTime: '2026-10-01T08:00:00+08:00', exitTime: '2026-10-01T09:30:00+08:00', fee }]),
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
  /** The card of plate + proof (last six of the card or the VIN); a wrong proof finds nothing, like an unknown plate. */
  const cardOf = (ctx: Koa.Context) => {
    const plate = typeof ctx.query.plate === 'string' ? ctx.query.plate : '';
    const proof = typeof ctx.query.proof === 'string' ? ctx.query.proof.toUpperCase() : '';
    const generatedPlate = /^豫Y(\d{5})$/.exec(plate);
    const cardNo = PLATES.get(plate) ?? (generatedPlate ? `4199${'0'.repeat(11)}${generatedPlate[1]}` : undefined);
    if (!cardNo || proof.length !== 6) return '';
    const vin = VINS.get(cardNo);
    return cardNo.endsWith(proof) || (vin !== undefined && vin.endsWith(proof)) ? cardNo : '';
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
    // Unsettled passages, grouped into their month's statement.
    const months = [...new Set(owed.map((b) => b.period))];
    reply(ctx, 0, {
      cardNo,
      statements: months.map((month) => {
        const passages = owed.filter((b) => b.period === month);
        return {
          statementId: billRef('T', cardNo, month),
          month,
          payBefore: passages[0].dueDate,
          totalFee: passages.reduce((n, b) => n + b.amountFen, 0),
          passages: passages.map((b) => ({ passageId: b.ref, ...b.lineItems[0].details, fee: b.amountFen })),
        };
      }),
    });
  });
  router.post('/settlements', (ctx) => {
    const body = ctx.request.body as { cardNo?: string; passageIds?: unknown; outOrderNo?: string; totalFee?: unknown };
    if (!body?.outOrderNo || !Array.isArray(body.passageIds) || !Number.isSafeInteger(body.totalFee)) return reply(ctx, 400, { message: 'bad request' });
    const result = ledger.writeOff({ orderNo: body.outOrderNo, key: String(body.cardNo), billRefs: body.passageIds.map(String), amountFen: Number(body.totalFee) });
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
