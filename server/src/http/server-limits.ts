import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode, ErrorEnvelope } from '@cityhub/shared';
import type { Logger } from '../infra/logger';

export interface ServerLimits {
  /** A whole request, body included, must arrive within this (a slow body is cut with 408). */
  requestTimeoutMs: number;
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: number;
}

/** Issue 9: a slow client is cut within 30 s instead of Node's 300. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = { requestTimeoutMs: 30_000, headersTimeoutMs: 20_000 };

/** How Node's own parser errors map onto the envelope's codes. */
function clientErrorStatus(code: string | undefined): { status: number; code: ErrorCode; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' };
    default:
      return { status: 400, code: 'BAD_REQUEST', message: 'the request could not be read' };
  }
}

/**
 * Applies the hub's limits to its HTTP server: request and header timeouts,
 * and a `clientError` handler so what Node's parser refuses (huge headers, a
 * NUL in a header, a body too slow) still answers the one error envelope.
 * Call it before `listen`: Node fixes how often it checks the timeouts then
 * (every second here; after listen, every 30 s, so a cut comes up to 30 s late).
 */
export function applyServerLimits(server: Server, log: Logger, limits: ServerLimits = DEFAULT_SERVER_LIMITS): void {
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  if (server.listening) log.warn('server limits applied after listen: timeouts are checked only every 30 s');
  else (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, limits.headersTimeoutMs);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, code, message } = clientErrorStatus(err.code);
    const requestId = randomUUID();
    log.info({ requestId, status, parserError: err.code }, 'request refused by the HTTP parser');
    const envelope: ErrorEnvelope = { error: { code, message, requestId } };
    const body = JSON.stringify(envelope);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
