import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { HubApp } from '../../src/app';
import type { ServerLimits } from '../../src/http/server-limits';
import type { ResilienceOptions } from '../../src/adapters/resilience';
import { buildHub, createHubServer } from '../../src/hub';
import { loadConfig } from '../../src/infra/config';
import { createLogger, type Logger } from '../../src/infra/logger';
import { SecretBox } from '../../src/infra/secret-box';
import { mergeRateLimits, rateLimitsSchema, type RateLimits } from '../../src/infra/rate-limits';
import type { OutboxWorkerOptions } from '../../src/orders/outbox-worker';
import type { SweeperOptions } from '../../src/orders/sweeper';
import { generateDevKeys, type WechatKeys } from '../../src/payments/wechatpay/keys';
import type { HubServices } from '../../src/services';
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
  /** The sealing key; two hubs on the same stores (two processes) need the same one. */
  secretBox?: SecretBox;
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
  // Listening before the hub is built: the gateway must know where to post notifications (an ephemeral port).
  const hubServer = createHubServer(log, options.serverLimits);
  const url = await listen(hubServer, options.port);
  // The files' settings (config/default.json, not this machine's environment), then the test's own.
  const defaults = loadConfig({});
  const hub = await buildHub(
    {
      ...defaults,
      host: '127.0.0.1',
      port: 0,
      publicUrl: url,
      wechatBaseUrl: wechatUrl,
      databaseUrl: undefined,
      redisUrl: undefined,
      adaptersDir: undefined,
      corsOrigins: ['http://allowed.example'],
      bodyLimitBytes: 16 * 1024,
      h5Dir: options.h5Dir ?? '/nonexistent',
      consoleDir: options.consoleDir,
      operatorTokens: { tester: TEST_OPERATOR_TOKEN },
      rateLimits: { ...defaultRateLimits(), ...options.rateLimits },
      orderTtlMs: options.orderTtlMs ?? 2 * 3600_000,
      workers: options.workers ? 'on' : 'off',
      // Tests close at once; production lets in-flight requests finish.
      shutdownTimeoutMs: 0,
    },
    {
      log,
      dataSource: stores.dataSource,
      kv: stores.kv,
      secretBox: options.secretBox ?? new SecretBox(randomBytes(32)),
      keys,
      server: hubServer,
      tuning: {
        resilience: options.resilience,
        outbox: { pollMs: 20, backoffBaseMs: 20, backoffMaxMs: 200, ...options.outbox },
        sweeper: { intervalMs: 100, queryAfterMs: 0, ...options.sweeper },
      },
    },
  );
  await hub.start();
  const { services } = hub;
  const stopServer = (server: http.Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    app: hub.app,
    metrics: hub.metrics,
    api: hub.api,
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
      await hub.stop();
      await stopServer(wechatServer);
      if (!options.stores) await stores.close();
    },
  };
}
