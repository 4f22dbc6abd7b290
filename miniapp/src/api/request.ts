import Taro from '@tarojs/taro';
import { errorEnvelopeSchema } from '@cityhub/shared';
import type { z } from 'zod';
import { residentMessage } from '../lib/messages';
import { clearSession, login, sessionToken } from './session';

/**
 * A failed API call: the hub's error code, and as message the Chinese
 * sentence for that code (lib/messages.ts). The hub's own (English, for
 * operators) message is kept apart, for support, never shown.
 */
export class ApiError extends Error {
  readonly details?: unknown;
  readonly serverMessage?: string;
  readonly requestId?: string;

  constructor(
    readonly status: number,
    readonly code: string,
    extra: { details?: unknown; serverMessage?: string; requestId?: string } = {},
  ) {
    super(residentMessage(code, extra.details));
    this.name = 'ApiError';
    this.details = extra.details;
    this.serverMessage = extra.serverMessage;
    this.requestId = extra.requestId;
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
  const parts = Object.entries(query).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [`${encodeURIComponent(k)}=${encodeURIComponent(v)}`]));
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
    if (envelope.success) {
      const e = envelope.data.error;
      throw new ApiError(res.statusCode, e.code, { details: e.details, serverMessage: e.message, requestId: e.requestId });
    }
    // Not the hub's envelope (a proxy's page, or a code this build does not know): still a Chinese message.
    throw new ApiError(res.statusCode, 'HTTP_ERROR');
  }
  const parsed = options.schema.safeParse(res.statusCode === 204 ? null : res.data);
  if (!parsed.success) throw new ApiError(res.statusCode, 'BAD_RESPONSE');
  return parsed.data;
}

async function loginOrFail(): Promise<string> {
  try {
    return await login();
  } catch {
    throw new ApiError(401, 'LOGIN_FAILED');
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
    throw new ApiError(0, 'NETWORK');
  }
}

/** The message to show a resident for any failure: Chinese, by error code; anything else gets the generic one. */
export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : residentMessage('INTERNAL');
}
