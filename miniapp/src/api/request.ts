import Taro from '@tarojs/taro';
import { errorEnvelopeSchema } from '@cityhub/shared';
import type { z } from 'zod';
import { clearSession, login, sessionToken } from './session';

/** A failed API call, carrying the hub's error code and a message fit to show a resident. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions<T extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The shared schema of a successful answer: a change in the API fails here, loudly. */
  schema: T;
  /** Resident routes carry the session token, logging in first when there is none. */
  auth?: boolean;
}

function queryString(query: Record<string, string | undefined> = {}): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** One way to call the hub: Taro.request, the error envelope turned into ApiError, the answer checked by its schema. */
export async function request<T extends z.ZodType>(options: RequestOptions<T>): Promise<z.infer<T>> {
  let token = options.auth ? (sessionToken() ?? (await loginOrFail())) : null;
  let res = await send(options, token);
  if (res.statusCode === 401 && options.auth) {
    // The session expired or was revoked: log in again, once, and retry.
    clearSession();
    token = await loginOrFail();
    res = await send(options, token);
  }
  if (res.statusCode >= 400) {
    const envelope = errorEnvelopeSchema.safeParse(res.data);
    if (envelope.success) throw new ApiError(res.statusCode, envelope.data.error.code, envelope.data.error.message, envelope.data.error.requestId);
    throw new ApiError(res.statusCode, 'HTTP_ERROR', `服务暂时不可用（${res.statusCode}），请稍后再试`);
  }
  const parsed = options.schema.safeParse(res.statusCode === 204 ? null : res.data);
  if (!parsed.success) throw new ApiError(res.statusCode, 'BAD_RESPONSE', '服务返回了无法识别的数据，请稍后再试');
  return parsed.data;
}

async function loginOrFail(): Promise<string> {
  try {
    return await login();
  } catch {
    throw new ApiError(401, 'LOGIN_FAILED', '登录失败，请稍后重试');
  }
}

async function send(options: RequestOptions<z.ZodType>, token: string | null): Promise<Taro.request.SuccessCallbackResult<string | TaroGeneral.IAnyObject | ArrayBuffer>> {
  try {
    return await Taro.request({
      url: `${API_BASE}/api/v1${options.path}${queryString(options.query)}`,
      method: options.method ?? 'GET',
      data: options.body,
      header: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
      timeout: 10_000,
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
}

/** The message to show a resident for any failure. */
export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : '出了点问题，请稍后再试';
}
