import request from 'supertest';
import type { TestHub } from './app';

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
