import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { AdapterManifest } from '@cityhub/shared';
import { adapterErrors } from './contract';

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

export interface ProviderResponse {
  status: number;
  body: unknown;
}

/**
 * The canonical string cityhub signs for HMAC-SHA256 provider auth:
 * METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nSHA256_HEX(BODY). Documented in docs/adapters.md.
 */
export function hmacCanonicalString(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${bodyHash}`;
}

/** Sends one request to a provider as its manifest's transport says, with auth applied. */
export async function sendProviderRequest(
  transport: AdapterManifest['transport'],
  secret: string | undefined,
  request: ProviderRequest,
  signal?: AbortSignal,
): Promise<ProviderResponse> {
  const base = transport.baseUrl.replace(/\/+$/, '');
  const search = request.query && Object.keys(request.query).length ? `?${new URLSearchParams(request.query).toString()}` : '';
  const pathWithQuery = `${request.path.startsWith('/') ? '' : '/'}${request.path}${search}`;
  const bodyText = request.body === undefined ? '' : JSON.stringify(request.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (bodyText) headers['content-type'] = 'application/json';

  const auth = transport.auth;
  if (auth.type === 'bearer') headers.authorization = `Bearer ${secret ?? ''}`;
  if (auth.type === 'hmac-sha256') {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(12).toString('hex');
    const basePath = new URL(base).pathname.replace(/\/+$/, '');
    const canonical = hmacCanonicalString(request.method, basePath + pathWithQuery, timestamp, nonce, bodyText);
    headers['x-key-id'] = auth.keyId;
    headers['x-timestamp'] = timestamp;
    headers['x-nonce'] = nonce;
    headers['x-signature'] = createHmac('sha256', secret ?? '').update(canonical).digest('hex');
  }

  let res: Response;
  try {
    res = await fetch(base + pathWithQuery, { method: request.method, headers, body: bodyText || undefined, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw adapterErrors.unavailable(`cannot reach the provider (${(err as Error).cause ? String((err as { cause: { code?: string } }).cause.code ?? 'network error') : 'network error'})`);
  }
  const text = await res.text();
  let body: unknown = text;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } else {
    body = null;
  }
  return { status: res.status, body };
}
