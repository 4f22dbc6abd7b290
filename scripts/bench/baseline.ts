/**
 * The bench's baseline: the least a Koa JSON route costs on this machine right
 * now, in a process of its own like the hub (issue 8). Listens on PORT (0 picks
 * a free one) and prints `{"url": …}` on one stdout line once it is listening.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = { ok: true, cities: [{ code: '410100', name: '郑州市' }] };
});
const server = http.createServer(app.callback());
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
