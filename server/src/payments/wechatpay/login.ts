import type { WechatLogin } from '../../identity/routes';

/** jscode2session: exchanges a wx.login code for the openid. session_key is dropped, never stored or returned. */
export class WechatLoginClient implements WechatLogin {
  constructor(private readonly options: { baseUrl: string; appid: string; secret: string; timeoutMs?: number }) {}

  async code2Session(code: string): Promise<{ openid: string }> {
    const url = new URL('/sns/jscode2session', this.options.baseUrl);
    url.search = new URLSearchParams({ appid: this.options.appid, secret: this.options.secret, js_code: code, grant_type: 'authorization_code' }).toString();
    const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
    const body = (await res.json()) as { openid?: string; errcode?: number; errmsg?: string };
    if (!body.openid) throw new Error(`jscode2session failed: ${body.errcode ?? res.status} ${body.errmsg ?? ''}`);
    return { openid: body.openid };
  }
}
