import { errorEnvelopeSchema, fieldIssueDetailsSchema, type ErrorCode, type FieldIssue } from '@cityhub/shared';
import type { z } from 'zod';
import { navigate } from './router';

const TOKEN_KEY = 'cityhub.console.operatorToken';

/** The operator token, kept for this tab only (sessionStorage): closing the tab signs out. */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An error answered by the hub, in its one envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK' | 'BAD_RESPONSE',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The invalid paths a 400/422 listed (VALIDATION_FAILED, INVALID_MANIFEST). */
  get issues(): FieldIssue[] {
    const details = fieldIssueDetailsSchema.safeParse(this.details);
    return details.success ? details.data.issues : [];
  }
}

/**
 * Calls the hub's API (/api/v1) with the operator token and checks the answer
 * against its shared schema (`answer`, the one the route declares), so the
 * console and the hub cannot drift apart unnoticed. A 401 signs out and goes
 * back to the sign-in page; other errors are thrown as ApiError.
 */
export async function api<S extends z.ZodType>(
  answer: S,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  options: { auth?: boolean } = {},
): Promise<z.output<S>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = session.token();
  if (options.auth !== false && token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `无法连接到服务器：${(err as Error).message}`);
  }
  const payload: unknown = res.status === 204 ? null : await res.json().catch(() => undefined);
  if (!res.ok) {
    const envelope = errorEnvelopeSchema.safeParse(payload);
    const error = envelope.success ? envelope.data.error : undefined;
    if (res.status === 401 && options.auth !== false) {
      session.signOut();
      navigate('/login', { replace: true });
    }
    throw new ApiError(res.status, error?.code ?? 'INTERNAL', error?.message ?? `HTTP ${res.status}`, error?.details);
  }
  const parsed = answer.safeParse(payload);
  if (!parsed.success) throw new ApiError(res.status, 'BAD_RESPONSE', `服务器的应答不符合接口定义：${parsed.error.issues[0]?.path.join('.') ?? ''}`);
  return parsed.data;
}

/** A one-line description of an error for a message toast. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}：${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
