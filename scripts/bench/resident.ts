/**
 * What the bench's processes do as a resident, over HTTP only (they run apart
 * from the hub): log in through the mock WeChat's wx.login, bind an account,
 * read what it owes.
 */

/** The body of `res` as JSON; throws with the status and the start of the body unless it is `expected`. */
export async function json<T>(res: Response, what: string, expected = 200): Promise<T> {
  if (res.status !== expected) throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/**
 * `step` again after a pause when it fails, up to `attempts` times: for the
 * untimed setup, which must not sink a run because a busy machine made one
 * provider call time out. (The timed parts count their failures instead.)
 */
export async function retrying<T>(step: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** Runs `work(i)` for i in 0..count-1 on `concurrency` workers. */
export async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

/** Logs in at `hub` as the WeChat user `userKey`; returns the Authorization header's value. */
export async function login(hub: string, wechatUrl: string, userKey: string): Promise<string> {
  const { code } = await json<{ code: string }>(
    await fetch(`${wechatUrl}/sandbox/client/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userKey }) }),
    'wx.login',
  );
  const { token } = await json<{ token: string }>(
    await fetch(`${hub}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) }),
    'login',
  );
  return `Bearer ${token}`;
}

/** Binds grid household `consNo` (Zhengzhou, the demo state-grid adapter) and returns the account id. */
export async function bindGridAccount(hub: string, authorization: string, consNo: number): Promise<string> {
  const bound = await json<{ account: { id: string } }>(
    await fetch(`${hub}/api/v1/accounts`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ serviceId: 'state-grid', cityCode: '410100', fields: { consNo: String(consNo) } }),
    }),
    `bind ${consNo}`,
    201,
  );
  return bound.account.id;
}

/** The refs of the bills an account owes now. */
export async function owedBillRefs(hub: string, authorization: string, accountId: string): Promise<string[]> {
  const owed = await json<{ bills: Array<{ ref: string }> }>(await fetch(`${hub}/api/v1/accounts/${accountId}/bills`, { headers: { authorization } }), 'bills');
  return owed.bills.map((b) => b.ref);
}
