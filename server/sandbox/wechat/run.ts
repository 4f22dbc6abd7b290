import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createMockWechat, type MockKeys } from './mock';

/** Reads the keys folder the hub's `ensureDevKeys` writes (PEM files + wechatpay.json). */
export function readKeysFolder(dir: string): MockKeys {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'wechatpay.json'), 'utf8')) as MockKeys;
  return {
    ...meta,
    merchantPublicKeyPem: fs.readFileSync(path.join(dir, 'apiclient_pub.pem'), 'utf8'),
    platformPrivateKeyPem: fs.readFileSync(path.join(dir, 'platform_key.pem'), 'utf8'),
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
  const port = Number(arg('port') ?? 4100);
  const dir = path.resolve(arg('keys') ?? 'data/keys');
  for (let i = 0; i < 100 && !fs.existsSync(path.join(dir, 'wechatpay.json')); i++) await new Promise((r) => setTimeout(r, 100));
  const mock = createMockWechat({
    keys: readKeysFolder(dir),
    retryScheduleScale: Number(process.env.MOCK_RETRY_SCALE ?? 1),
    signTestProbeRate: Number(process.env.MOCK_SIGNTEST_RATE ?? 0),
    refundDelayMs: Number(process.env.MOCK_REFUND_DELAY_MS ?? 1000),
    duplicateNotifications: process.env.MOCK_DUPLICATE_NOTIFICATIONS === '1',
    notifyJitterMs: Number(process.env.MOCK_NOTIFY_JITTER_MS ?? 0),
  });
  const server = http.createServer(mock.app.callback());
  // --port 0 picks a free port; the line names the real one (the test harness reads it).
  server.listen(port, '127.0.0.1', () => console.log(`mock WeChat (login + Pay API v3 + cashier) listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  const stop = () => {
    mock.close();
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main(process.argv.slice(2));
