import Router from '@koa/router';
import type Koa from 'koa';
import { providerApp, type SimulatedProvider } from './common';
import { Ledger, amountFromNumber, type SandboxAccount, type SandboxBill } from './ledger';

/**
 * Traffic police (交管 style): a vehicle is found by plate (hphm) plus the
 * last six characters of its engine number (fdjh); each unpaid violation is
 * its own bill, with decision number, place, time, behaviour, fine and
 * points. Field names follow the pinyin abbreviations such systems use.
 * Nationwide. No auth (reached over a private line).
 */
interface Violation {
  jdsbh: string;
  wfdd: string;
  wfsj: string;
  wfxw: string;
  fkje: number;
  wfjfs: number;
}

function asBill(v: Violation): SandboxBill {
  return {
    ref: v.jdsbh,
    period: v.wfsj.slice(0, 10),
    title: v.wfxw,
    amountFen: v.fkje,
    lateFeeFen: 0,
    dueDate: '',
    lineItems: [{ kind: 'violation', description: `${v.wfdd} ${v.wfxw}`, amountFen: v.fkje, details: { decisionNo: v.jdsbh, place: v.wfdd, time: v.wfsj, behaviour: v.wfxw, points: v.wfjfs } }],
  };
}

const ENGINE = new Map<string, string>();

function vehicle(plate: string, engineTail: string, owner: string, violations: Violation[], rejectsWriteOff = false): SandboxAccount {
  ENGINE.set(plate, engineTail);
  return { key: plate, holderName: owner, address: plate, bills: violations.map(asBill), rejectsWriteOff };
}

function demoAccounts(): SandboxAccount[] {
  ENGINE.clear();
  return [
    vehicle('豫A12345', '123456', '王建国', [
      { jdsbh: '4101002026100001', wfdd: '郑州市金水路与花园路交叉口', wfsj: '2026-10-08T08:31:00+08:00', wfxw: '机动车违反禁令标志指示', fkje: 10000, wfjfs: 3 },
      { jdsbh: '4101002026100002', wfdd: '郑州市中州大道', wfsj: '2026-10-21T19:02:00+08:00', wfxw: '机动车超速不足 20%', fkje: 20000, wfjfs: 3 },
    ]),
    vehicle('浙A8B888', '888888', '陈静', [
      { jdsbh: '3301002026100001', wfdd: '杭州市文三路', wfsj: '2026-10-12T12:10:00+08:00', wfxw: '违反规定停放', fkje: 15000, wfjfs: 0 },
    ]),
    vehicle('豫A54321', '654321', '李秀英', []),
    vehicle('豫A00009', '000009', '赵敏', [
      { jdsbh: '4101002026100009', wfdd: '郑州市农业路', wfsj: '2026-10-02T09:00:00+08:00', wfxw: '不按规定车道行驶', fkje: 10000, wfjfs: 2 },
    ], true),
  ];
}

/** Load vehicles 豫Z00000–豫Z99999 with engine tail "000000": one violation each. */
function generated(plate: string): SandboxAccount | undefined {
  if (!/^豫Z\d{5}$/.test(plate)) return undefined;
  ENGINE.set(plate, '000000');
  const fine = amountFromNumber(plate, 5);
  return vehicle(plate, '000000', '测试用户', [{ jdsbh: `4199${plate.slice(2)}0000001`, wfdd: '郑州市测试路', wfsj: '2026-10-01T08:00:00+08:00', wfxw: '测试违法行为', fkje: fine, wfjfs: 0 }]);
}

export function createPoliceProvider(): SimulatedProvider {
  const ledger = new Ledger('JG', demoAccounts, generated);
  const reply = (ctx: Koa.Context, body: Record<string, unknown>) => {
    ctx.status = 200;
    ctx.body = body;
  };
  const { app, faults, release } = providerApp(ledger, {
    onError: (ctx) => {
      ctx.status = 500;
      ctx.body = { status: 'ERR', errCode: 'SYSTEM_BUSY' };
    },
    onWindowClosed: (ctx) => reply(ctx, { status: 'ERR', errCode: 'OUT_OF_SERVICE_HOURS' }),
  });
  const find = (body: { hphm?: unknown; fdjh?: unknown }) => {
    const plate = String(body?.hphm ?? '');
    const account = ledger.account(plate);
    return account && ENGINE.get(plate) === String(body?.fdjh ?? '') ? account : undefined;
  };

  const router = new Router({ prefix: '/jg' });
  router.get('/health', (ctx) => reply(ctx, { status: 'OK' }));
  router.post('/vehicle/query', (ctx) => {
    const account = find(ctx.request.body as { hphm?: unknown; fdjh?: unknown });
    if (!account) return reply(ctx, { status: 'ERR', errCode: 'HPHM_NOT_MATCH' });
    reply(ctx, { status: 'OK', hphm: account.key, syr: account.holderName });
  });
  router.post('/violation/query', (ctx) => {
    const account = find(ctx.request.body as { hphm?: unknown; fdjh?: unknown });
    if (!account) return reply(ctx, { status: 'ERR', errCode: 'HPHM_NOT_MATCH' });
    const owed = ledger.owed(account.key) ?? [];
    reply(ctx, { status: 'OK', list: owed.map((b) => ({ ...(b.lineItems[0].details as Record<string, unknown>), fkje: b.amountFen })) });
  });
  router.post('/violation/pay', (ctx) => {
    const body = ctx.request.body as { hphm?: string; jdsbh?: unknown; orderNo?: string; amount?: unknown };
    if (!body?.orderNo || !Array.isArray(body.jdsbh) || !Number.isSafeInteger(body.amount)) return reply(ctx, { status: 'ERR', errCode: 'PARAM_ERROR' });
    const result = ledger.writeOff({ orderNo: body.orderNo, key: String(body.hphm), billRefs: body.jdsbh.map(String), amountFen: Number(body.amount) });
    if (result.ok) return reply(ctx, { status: 'OK', jkpzh: result.reference });
    const codes = { NOT_FOUND: 'HPHM_NOT_MATCH', REJECTED: 'PAY_REFUSED', ALREADY_PAID: 'ALREADY_PAID', UNKNOWN_BILL: 'NO_DECISION', AMOUNT_MISMATCH: 'AMOUNT_MISMATCH' } as const;
    reply(ctx, { status: 'ERR', errCode: codes[result.reason] });
  });
  router.post('/violation/paystatus', (ctx) => {
    const record = ledger.writeOffStatus(String((ctx.request.body as { orderNo?: unknown })?.orderNo ?? ''));
    reply(ctx, record ? { status: 'OK', payState: 'PAID', jkpzh: record.reference } : { status: 'OK', payState: 'NONE' });
  });
  app.use(router.routes());
  return { app, ledger, faults, release };
}
