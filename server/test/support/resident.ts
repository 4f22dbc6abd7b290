import request from 'supertest';
import type { TestHub } from './app';
import { eventually } from './wait';

export interface Resident {
  token: string;
  auth: { Authorization: string };
}

/** Logs in as the WeChat user `userKey`: the mock client's wx.login code, exchanged by the hub. */
export async function loginResident(hub: TestHub, userKey: string): Promise<Resident> {
  const codeRes = await fetch(`${hub.wechatUrl}/sandbox/client/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userKey }),
  });
  const { code } = (await codeRes.json()) as { code: string };
  const res = await request(hub.url).post('/api/v1/auth/login').send({ code }).expect(200);
  return { token: res.body.token, auth: { Authorization: `Bearer ${res.body.token}` } };
}

/** Binds an account and returns its id. */
export async function bindAccount(hub: TestHub, resident: Resident, body: { serviceId: string; cityCode: string; fields: Record<string, string> }): Promise<string> {
  const res = await request(hub.url).post('/api/v1/accounts').set(resident.auth).send(body);
  if (res.status !== 201) throw new Error(`bind failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.account.id;
}

/** Plays the WeChat client: confirms (or cancels, or fails) a requestPayment at the mock cashier. */
export async function payAtCashier(hub: TestHub, payment: Record<string, string>, action: 'confirm' | 'cancel' | 'fail' = 'confirm'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.wechatUrl}/sandbox/cashier/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...payment, action }),
  });
  return { status: res.status, body: await res.json() };
}

/**
 * Polls an order, as the result page does, until its status is one of
 * `statuses`; returns the order. Every 100 ms, no faster: the reads count
 * against the resident's read limit (300 a minute), and a test polling every
 * 10 ms on a slow machine spent it and met 429s. A 429 fails at once.
 */
export async function orderReaches(hub: TestHub, resident: Resident, orderId: string, statuses: string[], withinMs = 15_000): Promise<any> {
  return eventually(
    async () => {
      const res = await request(hub.url).get(`/api/v1/orders/${orderId}`).set(resident.auth);
      if (res.status === 429) throw new Error(`polling order ${orderId} met the read limit: ${JSON.stringify(res.body)}`);
      return statuses.includes(res.body.order?.status) ? res.body.order : undefined;
    },
    withinMs,
    100,
  );
}
