/**
 * What the crash test and the scale test do to the hub and then check, shared:
 *
 *   const client = hubClient(stack.hubUrls);            // calls that wait out hub deaths, spread over the hubs
 *   const token = await login(client, stack.wechatUrl, 'resident-1');
 *   const paid = await payOneBill(client, stack.wechatUrl, token, i, 'run-42');   // bind, bills, order, cashier
 *   const books = await checkBooks({ databaseUrl, confirmed, journal, client, operatorToken });
 *   books.problems;   // [] when nothing was lost or doubled and the day reconciles to the fen
 *
 * Accounts are the grid simulator's generated ones (4199000000 + i, one bill each).
 */
import { cashierPayAnswerSchema, reconciliationReportSchema, sandboxLoginAnswerSchema } from '@cityhub/shared';
import { z } from 'zod';
import { createPool } from 'mysql2/promise';
import { beijingDate } from '../../server/src/infra/beijing-time';
import { sleep, type WriteOffRecord } from './stack';

/** The hub's error answer, as far as these scripts read it. */
const errorAnswer = z.object({ error: z.object({ code: z.string(), details: z.object({ accountId: z.string() }).partial().optional() }) });
/** POST /orders: the order and the parameters the cashier takes. */
const createdAnswer = z.object({ order: z.object({ orderNo: z.string(), amountFen: z.number() }), payment: z.record(z.string(), z.unknown()).nullable() });

export interface HubClient {
  /** Calls a hub; connection failures, 5xx and 409 CONFLICT are retried with the same request on the next hub. */
  call(method: string, route: string, options?: { token?: string; body?: unknown; headers?: Record<string, string>; hub?: number }): Promise<{ status: number; body: unknown }>;
  /** Makes every call waiting on a dead hub give up with this error (the test cannot go on). */
  abort(err: Error): void;
}

/** A client over these hub URLs: call k starts on hub k mod N (or on `hub`), and moves to the next on failure. */
export function hubClient(urls: string[], options: { maxAttempts?: number } = {}): HubClient {
  let aborted: Error | undefined;
  let counter = 0;
  const maxAttempts = options.maxAttempts ?? 400;
  return {
    abort: (err) => void (aborted = err),
    async call(method, route, opts = {}) {
      const first = opts.hub ?? counter++;
      for (let attempt = 0; ; attempt++) {
        const url = urls[(first + attempt) % urls.length];
        try {
          const res = await fetch(url + route, {
            method,
            headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
            body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
            signal: AbortSignal.timeout(15_000),
          });
          const text = await res.text();
          const body: unknown = text ? JSON.parse(text) : null;
          // 409 CONFLICT is an Idempotency-Key whose first attempt is still settling (or died): ask again.
          if (res.status >= 500 || (res.status === 409 && errorAnswer.safeParse(body).data?.error.code === 'CONFLICT')) throw new Error(`${res.status} ${text.slice(0, 200)}`);
          return { status: res.status, body };
        } catch (err) {
          if (attempt > maxAttempts || aborted) throw aborted ?? err;
          await sleep(attempt < urls.length ? 20 : 150);
        }
      }
    },
  };
}

/** Signs a resident in through the mock WeChat's wx.login and the hub's /auth/login. */
export async function login(client: HubClient, wechatUrl: string, userKey: string): Promise<string> {
  const { code } = sandboxLoginAnswerSchema.parse(await (await fetch(`${wechatUrl}/sandbox/client/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userKey }) })).json());
  const res = await client.call('POST', '/api/v1/auth/login', { body: { code } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return z.object({ token: z.string() }).parse(res.body).token;
}

export interface ConfirmedPayment {
  orderNo: string;
  amountFen: number;
}

/** Binds grid account 4199000000 + i, reads its bill, orders it (Idempotency-Key `<keyPrefix>-<i>`) and confirms at the cashier. */
export async function payOneBill(client: HubClient, wechatUrl: string, token: string, i: number, keyPrefix: string): Promise<ConfirmedPayment> {
  const consNo = String(4199000000 + i);
  // A retried bind after a crash may find the account already bound: the answer names it.
  const bound = await client.call('POST', '/api/v1/accounts', { token, body: { serviceId: 'state-grid', cityCode: '410100', fields: { consNo } } });
  const refused = errorAnswer.safeParse(bound.body).data;
  const accountId: string | undefined =
    bound.status === 201 ? z.object({ account: z.object({ id: z.string() }) }).parse(bound.body).account.id : refused?.error.code === 'ACCOUNT_ALREADY_BOUND' ? refused.error.details?.accountId : undefined;
  if (!accountId) throw new Error(`bind ${consNo}: ${bound.status} ${JSON.stringify(bound.body)}`);
  const owed = await client.call('GET', `/api/v1/accounts/${accountId}/bills`, { token });
  const owedBills = z.object({ bills: z.array(z.object({ ref: z.string() })) }).safeParse(owed.body).data?.bills ?? [];
  if (owed.status !== 200 || owedBills.length !== 1) throw new Error(`bills of ${consNo}: ${owed.status} ${JSON.stringify(owed.body)}`);
  const created = await client.call('POST', '/api/v1/orders', { token, headers: { 'Idempotency-Key': `${keyPrefix}-${i}` }, body: { accountId, billRefs: owedBills.map((b) => b.ref) } });
  if (created.status !== 201) throw new Error(`order for ${consNo}: ${created.status} ${JSON.stringify(created.body)}`);
  const order = createdAnswer.parse(created.body);
  const res = await fetch(`${wechatUrl}/sandbox/cashier/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...order.payment, action: 'confirm' }) });
  const body: unknown = await res.json();
  const paid = cashierPayAnswerSchema.safeParse(body);
  if (!paid.success || paid.data.errMsg !== 'requestPayment:ok') throw new Error(`cashier for ${consNo}: ${JSON.stringify(body)}`);
  return { orderNo: order.order.orderNo, amountFen: order.order.amountFen };
}

/**
 * Waits until no confirmed order is left between PAID and COMPLETED/REFUNDED; returns those still
 * unsettled when `timeoutMs` is up, when none has settled for `stallMs` (stuck, not slow), or when `stop()` says so.
 */
export async function waitForSettlement(databaseUrl: string, confirmed: ConfirmedPayment[], timeoutMs = 120_000, stop: () => boolean = () => false, stallMs = 60_000): Promise<Array<{ order_no: string; status: string }>> {
  const pool = createPool({ uri: databaseUrl, connectionLimit: 2 });
  try {
    const deadline = Date.now() + timeoutMs;
    let fewest = Infinity;
    let progressAt = Date.now();
    for (;;) {
      // One statement, one snapshot: as two queries, an order turning CREATED → PAID between them
      // was in neither answer, and the wait ended with that order still to be written off.
      const [rows] = await pool.query(
        `SELECT order_no, status FROM orders WHERE status NOT IN ('COMPLETED', 'REFUNDED', 'CLOSED', 'CREATED') OR (status = 'CREATED' AND order_no IN (?))`,
        [confirmed.map((c) => c.orderNo).concat('-')],
      );
      const unsettled = rows as Array<{ order_no: string; status: string }>;
      if (unsettled.length < fewest) {
        fewest = unsettled.length;
        progressAt = Date.now();
      }
      if (!unsettled.length || Date.now() > deadline || Date.now() - progressAt > stallMs || stop()) return unsettled;
      await sleep(500);
    }
  } finally {
    await pool.end();
  }
}

export interface Books {
  problems: string[];
  completed: number;
  refunded: number;
  writeOffs: number;
  /** Write-off requests the provider answered idempotently (the same order number again). */
  repeatedWriteOffs: number;
  /** Orders credited PAID more than once (must be 0). */
  doubleCredits: number;
  /** Bills written off twice at the provider (must be 0). */
  doubleWriteOffs: number;
  reconciliation?: { gatewayPaidFen: number; writtenOffFen: number; refundedOrdersFen: number; differences: number };
}

/**
 * The invariants of DESIGN.md's Orders section, checked from outside once the run has settled:
 * every confirmed payment COMPLETED or REFUNDED; one PAID per order; the provider's journal
 * equal to the completed orders with no bill twice; the day's reconciliation balanced to the fen.
 */
export async function checkBooks(input: { databaseUrl: string; confirmed: ConfirmedPayment[]; journal: WriteOffRecord[]; client: HubClient; operatorToken: string }): Promise<Books> {
  const { confirmed, journal } = input;
  const problems: string[] = [];
  const pool = createPool({ uri: input.databaseUrl, connectionLimit: 2 });
  let orders: Array<{ id: string; order_no: string; status: string }>;
  let credits: Array<{ order_id: string; n: number | string }>;
  try {
    orders = (await pool.query(`SELECT id, order_no, status FROM orders`))[0] as typeof orders;
    credits = (await pool.query(`SELECT order_id, COUNT(*) AS n FROM order_events WHERE status = 'PAID' GROUP BY order_id HAVING COUNT(*) > 1`))[0] as typeof credits;
  } finally {
    await pool.end();
  }
  const byNo = new Map(orders.map((o) => [o.order_no, o]));
  // Unsettled orders are counted by status, with a few examples, so the other problems stay readable.
  const unsettled = new Map<string, string[]>();
  for (const c of confirmed) {
    const status = byNo.get(c.orderNo)?.status ?? 'missing';
    if (status !== 'COMPLETED' && status !== 'REFUNDED') unsettled.set(status, [...(unsettled.get(status) ?? []), c.orderNo]);
  }
  for (const [status, nos] of unsettled) problems.push(`${nos.length} confirmed orders are ${status}, not COMPLETED or REFUNDED (e.g. ${nos.slice(0, 3).join(', ')})`);
  const byId = new Map(orders.map((o) => [o.id, o]));
  for (const c of credits) problems.push(`order ${byId.get(c.order_id)?.order_no ?? c.order_id} credited PAID ${c.n} times`);

  const completed = orders.filter((o) => o.status === 'COMPLETED');
  const journalNos = new Set(journal.map((w) => w.orderNo));
  if (journal.length !== completed.length) problems.push(`provider recorded ${journal.length} write-offs for ${completed.length} completed orders`);
  const unwritten = completed.filter((o) => !journalNos.has(o.order_no)).map((o) => o.order_no);
  if (unwritten.length) problems.push(`${unwritten.length} completed orders have no write-off at the provider (e.g. ${unwritten.slice(0, 3).join(', ')})`);
  const notCompleted = journal.filter((w) => byNo.get(w.orderNo)?.status !== 'COMPLETED').map((w) => `${w.orderNo} (${byNo.get(w.orderNo)?.status ?? 'missing'})`);
  if (notCompleted.length) problems.push(`${notCompleted.length} orders written off at the provider are not COMPLETED (e.g. ${notCompleted.slice(0, 3).join(', ')})`);
  const seenBills = new Set<string>();
  let doubleWriteOffs = 0;
  for (const w of journal) {
    for (const ref of w.billRefs) {
      const bill = `${w.accountNo}/${ref}`;
      if (seenBills.has(bill)) {
        doubleWriteOffs++;
        problems.push(`bill ${bill} written off twice`);
      }
      seenBills.add(bill);
    }
  }

  let reconciliation: Books['reconciliation'];
  const rec = await input.client.call('POST', '/api/v1/admin/reconciliation', { token: input.operatorToken, body: { date: beijingDate() } });
  const confirmedFen = confirmed.reduce((n, c) => n + c.amountFen, 0);
  if (rec.status !== 200) problems.push(`reconciliation failed: ${rec.status} ${JSON.stringify(rec.body)}`);
  else {
    const r = reconciliationReportSchema.parse(rec.body);
    reconciliation = { gatewayPaidFen: r.totals.gatewayPaidFen, writtenOffFen: r.totals.writtenOffFen, refundedOrdersFen: r.totals.refundedOrdersFen, differences: r.differences.length };
    if (!r.balanced) problems.push(`reconciliation not balanced: ${JSON.stringify(r.differences.slice(0, 5))}`);
    if (r.totals.gatewayPaidFen !== confirmedFen) problems.push(`gateway paid ${r.totals.gatewayPaidFen} fen, residents confirmed ${confirmedFen} fen`);
    const writtenOffFen = journal.reduce((n, w) => n + w.amountFen, 0);
    if (r.totals.writtenOffFen !== writtenOffFen) problems.push(`hub wrote off ${r.totals.writtenOffFen} fen, the provider recorded ${writtenOffFen} fen`);
  }
  return {
    problems,
    completed: completed.length,
    refunded: orders.filter((o) => o.status === 'REFUNDED').length,
    writeOffs: journal.length,
    repeatedWriteOffs: journal.reduce((n, w) => n + w.requests - 1, 0),
    doubleCredits: credits.length,
    doubleWriteOffs,
    reconciliation,
  };
}
