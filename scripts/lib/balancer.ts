/**
 * A small round-robin HTTP balancer for the process harness: what stands in
 * front of N hub processes in production (any HTTP load balancer). A request
 * goes to the next hub; a hub that refuses the connection (killed, restarting)
 * is skipped and the request tried on the next one, so the gateway's
 * notifications reach a live hub. A hub that dies mid-request gives 502, and
 * the sender retries, as it would behind a real balancer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  url: string;
  /** Requests forwarded per backend, in the order of the backends given. */
  forwarded: number[];
  close(): Promise<void>;
}

/** Starts the balancer on a free 127.0.0.1 port in front of `backends` (base URLs). */
export async function startBalancer(backends: string[]): Promise<Balancer> {
  const targets = backends.map((b) => new URL(b));
  const forwarded = targets.map(() => 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const first = next++ % targets.length;
      const attempt = (tried: number) => {
        const i = (first + tried) % targets.length;
        const target = targets[i];
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
          (answer) => {
            forwarded[i]++;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          // Nothing reached a hub that refused the connection: another may take it.
          if (err.code === 'ECONNREFUSED' && tried + 1 < targets.length) {
            attempt(tried + 1);
            return;
          }
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: `no hub answered (${err.code ?? err.message})` } }));
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
