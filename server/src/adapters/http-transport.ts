import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { AdapterManifest } from '@cityhub/shared';
import { adapterErrors } from './contract';
import { decodeBody, encodeBody, flatParams, signParams, verifyAnswer, type SigningKeys } from './provider-wire';

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

/**
 * Sends one request to a provider as its manifest's transport says: the body
 * in its wire encoding, signed if the manifest signs, auth applied; the
 * answer decoded, and its signature checked if the manifest asks.
 */
export async function sendProviderRequest(
  transport: AdapterManifest['transport'],
  secret: string | undefined,
  request: ProviderRequest,
  signal?: AbortSignal,
  signingKeys: SigningKeys = {},
): Promise<ProviderResponse> {
  const base = transport.baseUrl.replace(/\/+$/, '');
  const wire = transport.wire;
  const signing = transport.signing;
  const headers: Record<string, string> = { accept: wire.response === 'xml' ? 'application/xml' : 'application/json' };
  let query = request.query;
  let body = request.body;
  if (signing) {
    // A GET signs its query; anything else its body's top-level fields.
    const signed = request.method === 'GET' || body === undefined ? flatParams(query) : flatParams(body);
    const signature = signParams(signed, signing, signingKeys);
    if (signing.placement.in === 'header') headers[signing.placement.name.toLowerCase()] = signature;
    else if (request.method === 'GET' || body === undefined) query = { ...signed, [signing.placement.name]: signature };
    else body = { ...(body as Record<string, unknown>), [signing.placement.name]: signature };
  }
  const search = query && Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : '';
  const pathWithQuery = `${request.path.startsWith('/') ? '' : '/'}${request.path}${search}`;
  const encoded = body === undefined ? undefined : encodeBody(wire, body);
  const bodyText = encoded?.text ?? '';
  if (encoded) headers['content-type'] = encoded.contentType;

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
  const answer = decodeBody(wire, await res.text());
  if (signing?.verifyResponse && res.ok && !verifyAnswer(answer, signing, signingKeys)) {
    throw adapterErrors.badResponse(`the provider's answer carries no valid ${signing.algorithm} signature in "${signing.verifyResponse.field}"`);
  }
  return { status: res.status, body: answer };
}
