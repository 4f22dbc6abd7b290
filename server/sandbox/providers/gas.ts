import Router from '@koa/router';
import type Koa from 'koa';
import { billRef, dueDate, providerApp, type SimulatedProvider } from './common';
import { Ledger, amountFromNumber, type SandboxAccount, type SandboxBill } from './ledger';

/**
 * A gas company (燃气公司 style): one JSON-RPC-like endpoint, no auth (a
 * private line), amounts in fen under other names than the water company's.
 * Account: userCode ("RQ" + 8 digits).
 */
function bill(userCode: string, ym: string, amountFen: number): SandboxBill {
  return {
    ref: billRef('G-', userCode, ym),
    period: ym,
    title: `${ym.slice(0, 4)}年${Number(ym.slice(4))}月燃气费`,
    amountFen,
    lateFeeFen: 0,
    dueDate: dueDate(ym),
    lineItems: [{ kind: 'charge', description: '用气量 25 立方米', amountFen, details: {} }],
  };
}

function demoAccounts(): SandboxAccount[] {
  return [
    { key: 'RQ41010001', holderName: '王建国', address: '郑州市金水区花园路 8 号', bills: [bill('RQ41010001', '202610', 7650)] },
    { key: 'RQ41010002', holderName: '李秀英', address: '郑州市二七区大学路 21 号', bills: [] },
    { key: 'RQ41010009', holderName: '赵敏', address: '郑州市中原区建设路 99 号', bills: [bill('RQ41010009', '202610', 3300)], rejectsWriteOff: true },
    { key: 'RQ33010001', holderName: '陈静', address: '杭州市西湖区文三路 10 号', bills: [bill('RQ33010001', '202610', 6120)] },
  ];
}

function generated(key: string): SandboxAccount | undefined {
  if (!/^RQ4199\d{4}$/.test(key)) return undefined;
  return { key, holderName: '测试用户', address: '郑州市测试路', bills: [bill(key, '202610', amountFromNumber(key, 3))] };
}

export function createGasProvider(): SimulatedProvider {
  const ledger = new Ledger('RQ', demoAccounts, generated);
  const rpcError = (ctx: Koa.Context, code: number, message: string) => {
    ctx.status = 200;
    ctx.body = { error: { code, message } };
  };
  const { app, faults, release } = providerApp(ledger, {
    onError: (ctx) => rpcError(ctx, -32000, 'server busy'),
    onWindowClosed: (ctx) => rpcError(ctx, 3001, 'nightly settlement in progress'),
  });

  const router = new Router();
  router.post('/rpc', (ctx) => {
    const { method, params } = (ctx.request.body ?? {}) as { method?: string; params?: Record<string, unknown> };
    const userCode = String(params?.userCode ?? '');
    switch (method) {
      case 'user.get': {
        const account = ledger.account(userCode);
        if (!account) return rpcError(ctx, 1001, 'user not found');
        ctx.body = { result: { userCode, userName: account.holderName, addr: account.address } };
        return;
      }
      case 'bill.list': {
        const owed = ledger.owed(userCode);
        if (!owed) return rpcError(ctx, 1001, 'user not found');
        ctx.body = { result: { list: owed.map((b) => ({ billNo: b.ref, month: b.period, fee: b.amountFen, deadline: b.dueDate })) } };
        return;
      }
      case 'pay.notify': {
        const { payNo, billNos, totalFee } = (params ?? {}) as { payNo?: string; billNos?: unknown; totalFee?: unknown };
        if (!payNo || !Array.isArray(billNos) || !Number.isSafeInteger(totalFee)) return rpcError(ctx, -32602, 'invalid params');
        const result = ledger.writeOff({ orderNo: payNo, key: userCode, billRefs: billNos.map(String), amountFen: Number(totalFee) });
        if (result.ok) {
          ctx.body = { result: { payNo, voucher: result.reference } };
          return;
        }
        const codes = { NOT_FOUND: 1001, REJECTED: 2001, ALREADY_PAID: 2002, UNKNOWN_BILL: 2003, AMOUNT_MISMATCH: 2004 } as const;
        return rpcError(ctx, codes[result.reason], result.reason.toLowerCase());
      }
      case 'pay.query': {
        const record = ledger.writeOffStatus(String(params?.payNo ?? ''));
        ctx.body = { result: record ? { state: 1, voucher: record.reference } : { state: 0 } };
        return;
      }
      case 'sys.ping':
        ctx.body = { result: 'pong' };
        return;
      default:
        return rpcError(ctx, -32601, 'method not found');
    }
  });
  app.use(router.routes());
  return { app, ledger, faults, release };
}
