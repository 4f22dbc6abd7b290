import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeRoute = FakeAnswer | ((request: { body: unknown; url: string }) => FakeAnswer);

export interface FakeAnswer {
  status?: number;
  body: unknown;
  delayMs?: number;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

/**
 * A scriptable provider for adapter unit tests: each path answers what the
 * test sets, and every request is recorded. Real HTTP on 127.0.0.1.
 */
export async function startFakeProvider(): Promise<{
  url: string;
  answers: Map<string, FakeRoute>;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}> {
  const answers = new Map<string, FakeRoute>();
  const requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const route = answers.get(path) ?? { status: 404, body: { code: 'NO_ROUTE' } };
      let parsed: unknown = null;
      try {
        parsed = body ? JSON.parse(body) : null;
      } catch {
        parsed = body;
      }
      const answer = typeof route === 'function' ? route({ body: parsed, url: req.url ?? '' }) : route;
      if (answer.hang) {
        hung.add(res);
        return;
      }
      setTimeout(() => {
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    requests,
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Makes a fake provider behave like a small water company speaking the
 * manifest in `fakeWaterManifest`: two accounts, idempotent write-off.
 */
export function scriptFakeWater(fake: { answers: Map<string, FakeRoute> }): { writeOffs: Map<string, number> } {
  const writeOffs = new Map<string, number>();
  const paid = new Set<string>();
  fake.answers.set('/lookup', ({ body }) => {
    const no = (body as { no?: string }).no;
    return no === '12345678' ? { body: { ok: true, name: '李水', addr: '西湖区' } } : { body: { ok: false, err: 'NO_USER' } };
  });
  fake.answers.set('/bills', ({ body }) => {
    const no = (body as { no?: string }).no;
    if (no !== '12345678') return { body: { ok: false, err: 'NO_USER' } };
    const bills = [
      { ref: 'W-202609', period: '2026-09', fen: 3150 },
      { ref: 'W-202610', period: '2026-10', fen: 2870 },
    ].filter((b) => !paid.has(b.ref));
    return { body: { ok: true, bills } };
  });
  fake.answers.set('/pay', ({ body }) => {
    const { trade, refs } = body as { trade: string; refs: string[] };
    writeOffs.set(trade, (writeOffs.get(trade) ?? 0) + 1);
    for (const r of refs) paid.add(r);
    return { body: { ok: true, ref: `WO-${trade}` } };
  });
  fake.answers.set('/pay-status', ({ body }) => {
    const { trade } = body as { trade: string };
    return { body: writeOffs.has(trade) ? { ok: true, state: 'SUCCESS', ref: `WO-${trade}` } : { ok: true, state: 'NOT_FOUND' } };
  });
  return { writeOffs };
}

/** A manifest for the scripted fake water company, as an operator would write it. */
export function fakeWaterManifest(baseUrl: string, overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    id: 'fake-water',
    version: '1.0.0',
    name: '测试水费',
    providerName: '测试水务',
    category: 'water',
    coverage: { cities: ['330100'] },
    accountFields: [{ name: 'customerNo', label: '户号', dataType: 'numeric', minLength: 8, maxLength: 8, mask: 'account' }],
    paymentRules: { mode: 'exact', minFen: 1, maxFen: 5_000_000 },
    amountUnit: 'fen',
    transport: { baseUrl, timeoutMs: 500, auth: { type: 'none' } },
    operations: {
      lookupAccount: {
        request: { method: 'POST', path: '"/lookup"', body: '{"no": account.customerNo}' },
        response: { success: 'body.ok', errorCode: 'body.err', map: '{"holderName": body.name, "address": body.addr}' },
      },
      queryBills: {
        request: { method: 'POST', path: '"/bills"', body: '{"no": account.customerNo}' },
        response: { success: 'body.ok', errorCode: 'body.err', map: '[body.bills.{"ref": ref, "period": period, "amount": fen}]' },
      },
      writeOff: {
        request: { method: 'POST', path: '"/pay"', body: '{"trade": orderNo, "refs": billRefs, "fen": amount}' },
        response: { success: 'body.ok', errorCode: 'body.err', map: '{"reference": body.ref}' },
      },
      writeOffStatus: {
        request: { method: 'POST', path: '"/pay-status"', body: '{"trade": orderNo}' },
        response: { success: 'body.ok', map: '{"status": body.state, "reference": body.ref}' },
      },
    },
    errorCodes: { NO_USER: 'PROVIDER_ACCOUNT_NOT_FOUND' },
    ...overrides,
  };
}
