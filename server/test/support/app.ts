import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp, type HubApp } from '../../src/app';
import { applyServerLimits, type ServerLimits } from '../../src/http/server-limits';
import { builtinImplementations } from '../../src/adapters/builtin';
import type { ResilienceOptions } from '../../src/adapters/resilience';
import { createLogger, type Logger } from '../../src/infra/logger';
import { SecretBox } from '../../src/infra/secret-box';
import { mergeRateLimits, rateLimitsSchema, type RateLimits } from '../../src/infra/rate-limits';
import type { OutboxWorkerOptions } from '../../src/orders/outbox-worker';
import type { SweeperOptions } from '../../src/orders/sweeper';
import { WechatPayGateway } from '../../src/payments/wechatpay/client';
import { generateDevKeys, type WechatKeys } from '../../src/payments/wechatpay/keys';
import { WechatLoginClient } from '../../src/payments/wechatpay/login';
import { WechatMessageClient } from '../../src/reminders/wechat-messages';
import { createServices, type HubServices } from '../../src/services';
import { createMockWechat, type MockWechatOptions } from '../../sandbox/wechat/mock';
import { openTestStores, type TestStores } from './stores';

export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

// RSA key generation is slow; one set per test file is plenty.
let cachedKeys: WechatKeys | undefined;
export function testWechatKeys(): WechatKeys {
  return (cachedKeys ??= generateDevKeys());
}

async function listen(server: http.Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export type MockWechat = ReturnType<typeof createMockWechat>;

export interface TestHub extends HubApp {
  stores: TestStores;
  services: HubServices;
  /** The hub listening on an ephemeral port (the gateway posts notifications here). */
  url: string;
  /** The mock WeChat the hub's payment and login clients talk to, on its own port. */
  wechat: MockWechat;
  wechatUrl: string;
  keys: WechatKeys;
  log: Logger;
  /** Every log line the app wrote, parsed. */
  logLines: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  resilience?: Partial<ResilienceOptions>;
  stores?: TestStores;
  /** Run the outbox worker and sweeper (off by default: most tests drive them by hand). */
  workers?: boolean;
  outbox?: Partial<Omit<OutboxWorkerOptions, 'notifyUrl'>>;
  sweeper?: Partial<SweeperOptions>;
  wechat?: Partial<Omit<MockWechatOptions, 'keys'>>;
  orderTtlMs?: number;
  /** Serve this h5 build at / (browser tests). */
  h5Dir?: string;
  /** Serve this operator console build at /console (browser tests). */
  consoleDir?: string;
  /** Fixed ports (browser tests use a build that expects the mock WeChat on 4100). */
  wechatPort?: number;
  port?: number;
  /** Rate limits over the defaults (issue 9); else the defaults, with RATE_LIMITS from the environment as main.ts reads it. */
  rateLimits?: Partial<RateLimits>;
  /** Request and header timeouts of the hub's server (issue 9); the production ones by default. */
  serverLimits?: ServerLimits;
}

/** The default rate limits, overridden by RATE_LIMITS (JSON) when set, as in production. */
export function defaultRateLimits(env: NodeJS.ProcessEnv = process.env): RateLimits {
  return rateLimitsSchema.parse(env.RATE_LIMITS ? mergeRateLimits({}, env.RATE_LIMITS) : {});
}

/**
 * A hub on fresh test stores, served over real HTTP, paying through the mock
 * WeChat (its own server) with the same client production uses; its log is
 * captured for assertions.
 */
export async function createTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const stores = options.stores ?? (await openTestStores());
  const keys = testWechatKeys();
  const wechat = createMockWechat({ keys, retryScheduleScale: 0.0005, refundDelayMs: 20, ...options.wechat });
  const wechatServer = http.createServer(wechat.app.callback());
  const wechatUrl = await listen(wechatServer, options.wechatPort);

  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const log = createLogger('info', sink);
  const hubServer = http.createServer();
  applyServerLimits(hubServer, log, options.serverLimits);
  const url = await listen(hubServer, options.port);
  const services = createServices({
    dataSource: stores.dataSource,
    kv: stores.kv,
    log,
    secretBox: new SecretBox(randomBytes(32)),
    implementations: builtinImplementations,
    resilience: options.resilience,
    gateway: new WechatPayGateway(keys, { baseUrl: wechatUrl }),
    login: new WechatLoginClient({ baseUrl: wechatUrl, appid: keys.appid, secret: keys.appSecret }),
    messages: new WechatMessageClient({ baseUrl: wechatUrl, appid: keys.appid, secret: keys.appSecret, kv: stores.kv }),
    notifyUrl: `${url}/api/v1/payments/wechat/notify`,
    orderTtlMs: options.orderTtlMs ?? 2 * 3600_000,
    workers: options.workers ?? false,
    outbox: { pollMs: 20, backoffBaseMs: 20, backoffMaxMs: 200, ...options.outbox },
    sweeper: { intervalMs: 100, queryAfterMs: 0, ...options.sweeper },
  });
  await services.start();
  const hub = createApp({
    config: { corsOrigins: ['http://allowed.example'], bodyLimitBytes: 16 * 1024, h5Dir: options.h5Dir ?? '/nonexistent', consoleDir: options.consoleDir, connectSrc: [wechatUrl], operatorTokens: { tester: TEST_OPERATOR_TOKEN }, rateLimits: { ...defaultRateLimits(), ...options.rateLimits } },
    log,
    services,
    dataSource: stores.dataSource,
    kv: stores.kv,
  });
  hubServer.on('request', hub.app.callback());
  const stopServer = (server: http.Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    ...hub,
    stores,
    services,
    url,
    wechat,
    wechatUrl,
    keys,
    log,
    logLines,
    close: async () => {
      wechat.close();
      await services.stop();
      await Promise.all([stopServer(hubServer), stopServer(wechatServer)]);
      if (!options.stores) await stores.close();
    },
  };
}
