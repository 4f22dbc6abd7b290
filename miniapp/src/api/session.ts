import Taro from '@tarojs/taro';
import { loginResponseSchema, sandboxLoginAnswerSchema } from '@cityhub/shared';

const TOKEN_KEY = 'cityhub.session';
const USER_KEY = 'cityhub.mockUser';

export function sessionToken(): string | null {
  return Taro.getStorageSync<string>(TOKEN_KEY) || null;
}

export function clearSession(): void {
  Taro.removeStorageSync(TOKEN_KEY);
}

/** In mock mode the mock WeChat plays the WeChat client: one stable user per device. */
export function mockUserKey(): string {
  let userKey = Taro.getStorageSync<string>(USER_KEY);
  if (!userKey) {
    userKey = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    Taro.setStorageSync(USER_KEY, userKey);
  }
  return userKey;
}

async function loginCode(): Promise<string> {
  if (PAYMENT_MODE === 'wechat') return (await Taro.login()).code;
  const res = await Taro.request({ url: `${WECHAT_MOCK_BASE}/sandbox/client/login`, method: 'POST', data: { userKey: mockUserKey() }, header: { 'content-type': 'application/json' } });
  const answer = sandboxLoginAnswerSchema.safeParse(res.data);
  if (!answer.success) throw new Error('wx.login failed');
  return answer.data.code;
}

let pending: Promise<string> | null = null;

/** Logs in (once, however many requests ask at the same time) and keeps the hub's session token. */
export function login(): Promise<string> {
  pending ??= (async () => {
    try {
      const code = await loginCode();
      const res = await Taro.request({ url: `${API_BASE}/api/v1/auth/login`, method: 'POST', data: { code }, header: { 'content-type': 'application/json' } });
      const session = loginResponseSchema.parse(res.data);
      Taro.setStorageSync(TOKEN_KEY, session.token);
      return session.token;
    } finally {
      pending = null;
    }
  })();
  return pending;
}
