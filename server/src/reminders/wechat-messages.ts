import type { KeyValueStore } from '../infra/kv';

/** One subscribe message (订阅消息) to a resident, as WeChat's subscribe/send takes it. */
export interface SubscribeMessage {
  touser: string;
  templateId: string;
  /** The mini-program page the message opens. */
  page: string;
  data: Record<string, { value: string }>;
}

/** `no-subscription`: the resident holds no one-time subscription for the template (WeChat's 43101). */
export type SendOutcome = 'sent' | 'no-subscription';

export interface MessageSender {
  send(message: SubscribeMessage): Promise<SendOutcome>;
}

const TOKEN_KEY = 'wechat:stable-access-token';
const NO_SUBSCRIPTION = 43101;
const TOKEN_INVALID = new Set([40001, 42001]);

/**
 * WeChat's server API for subscribe messages. The access token comes from
 * `/cgi-bin/stable_token` (which, unlike `/cgi-bin/token`, does not revoke
 * the token another hub process holds) and is shared through the key-value
 * store until five minutes before it expires.
 */
export class WechatMessageClient implements MessageSender {
  constructor(private readonly options: { baseUrl: string; appid: string; secret: string; kv: KeyValueStore; timeoutMs?: number }) {}

  private async call<T>(path: string, body: unknown): Promise<T & { errcode?: number; errmsg?: string }> {
    const res = await fetch(new URL(path, this.options.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    if (!res.ok) throw new Error(`WeChat ${path.split('?')[0]} answered HTTP ${res.status}`);
    return (await res.json()) as T & { errcode?: number; errmsg?: string };
  }

  private async accessToken(forceRefresh: boolean): Promise<string> {
    const { kv, appid, secret } = this.options;
    if (!forceRefresh) {
      const cached = await kv.get(TOKEN_KEY);
      if (cached) return cached;
    }
    const got = await this.call<{ access_token?: string; expires_in?: number }>('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid,
      secret,
      force_refresh: forceRefresh,
    });
    if (!got.access_token) throw new Error(`WeChat stable_token failed: ${got.errcode ?? '?'} ${got.errmsg ?? ''}`);
    const ttlMs = Math.max(60, (got.expires_in ?? 7200) - 300) * 1000;
    await kv.set(TOKEN_KEY, got.access_token, ttlMs);
    return got.access_token;
  }

  async send(message: SubscribeMessage): Promise<SendOutcome> {
    const body = { touser: message.touser, template_id: message.templateId, page: message.page, lang: 'zh_CN', data: message.data };
    for (const forceRefresh of [false, true]) {
      const token = await this.accessToken(forceRefresh);
      const answer = await this.call<object>(`/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`, body);
      const code = answer.errcode ?? 0;
      if (code === 0) return 'sent';
      if (code === NO_SUBSCRIPTION) return 'no-subscription';
      if (!TOKEN_INVALID.has(code) || forceRefresh) throw new Error(`WeChat subscribe/send failed: ${code} ${answer.errmsg ?? ''}`);
    }
    throw new Error('unreachable');
  }
}
