import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { createApp, type HubApp } from './app';
import { builtinImplementations, type CodeAdapterFactory } from './adapters/builtin';
import type { ResilienceOptions } from './adapters/resilience';
import { seedAdapters } from './adapters/seed';
import { applyServerLimits, DEFAULT_SERVER_LIMITS, type ServerLimits } from './http/server-limits';
import type { WechatLogin } from './identity/routes';
import type { Config } from './infra/config';
import { openDatabase } from './infra/database';
import { openKeyValueStore, type KeyValueStore } from './infra/kv';
import { Lifecycle, type LifecyclePart } from './infra/lifecycle';
import { createLogger, type Logger } from './infra/logger';
import { SecretBox, loadSecretsKey } from './infra/secret-box';
import type { OutboxWorkerOptions } from './orders/outbox-worker';
import type { SweeperOptions } from './orders/sweeper';
import type { PaymentGateway } from './payments/gateway';
import { WechatPayGateway } from './payments/wechatpay/client';
import { ensureDevKeys, type WechatKeys } from './payments/wechatpay/keys';
import { WechatLoginClient } from './payments/wechatpay/login';
import { WechatMessageClient, type MessageSender } from './reminders/wechat-messages';
import { createServices, type HubServices } from './services';

/**
 * The hub's one composition root (issue 12). `buildHub` opens the stores,
 * makes the WeChat clients, builds every domain service (services.ts) and the
 * Koa app (app.ts), and lists the running parts in the order they start.
 * main.ts (each cluster process) and the tests' createTestHub both come here;
 * nothing else wires the graph.
 */

/** What the hub is made of; any of them can be handed in through the overrides instead of being made here. */
export interface HubParts {
  /** At config.logLevel on stdout unless given (tests capture theirs). */
  log: Logger;
  /** Opened from databaseUrl/dataDir unless given; a given one is the giver's to close. */
  dataSource: DataSource;
  /** Opened from redisUrl unless given; a given one is the giver's to close. */
  kv: KeyValueStore;
  /** Seals provider secrets and account fields; from secretsKey (or DATA_DIR/secrets.key) unless given. */
  secretBox: SecretBox;
  /** Merchant and platform keys; from wechatKeysDir (development keys made there on first start) unless given. */
  keys: WechatKeys;
  gateway: PaymentGateway;
  login: WechatLogin;
  messages: MessageSender;
  /** Code adapters by implementation name; the built-in ones unless given. */
  implementations: Record<string, CodeAdapterFactory>;
  /**
   * The HTTP server the app is served on: made with the hub's limits unless
   * given (see createHubServer). One already listening keeps its address;
   * otherwise it listens on config.host:config.port when the hub starts.
   */
  server: http.Server;
}

/** Timings that are not operator settings: production keeps the defaults, tests shorten them. */
export interface HubTuning {
  resilience?: Partial<ResilienceOptions>;
  outbox?: Partial<Omit<OutboxWorkerOptions, 'notifyUrl'>>;
  sweeper?: Partial<SweeperOptions>;
  /** For a server buildHub makes; a given server has its limits already. */
  serverLimits?: ServerLimits;
}

export type HubOverrides = Partial<HubParts> & { tuning?: HubTuning };

/** The configuration buildHub reads; without adaptersDir no demo adapters are registered at boot, without consoleDir no console is served. */
export type HubConfig = Omit<Config, 'adaptersDir' | 'consoleDir'> & Partial<Pick<Config, 'adaptersDir' | 'consoleDir'>>;

export interface Hub extends HubApp {
  config: HubConfig;
  log: Logger;
  services: HubServices;
  dataSource: DataSource;
  kv: KeyValueStore;
  keys: WechatKeys;
  server: http.Server;
  /** The running parts, in start order (stopped in reverse). */
  lifecycle: Lifecycle;
  /** Where the hub answers (http://host:port), once its server listens. */
  readonly url: string;
  /** Starts every part in order; if one fails, stops those already started and throws. */
  start(): Promise<void>;
  /** Stops taking requests, lets in-flight ones finish (up to shutdownTimeoutMs), stops the workers and closes the stores it opened. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The hub's HTTP server with its limits applied (issue 9): slow bodies cut,
 * parser errors answered in the envelope. Made before listen, so the
 * timeouts are checked every second; a caller that must know its port
 * before building the hub (a test on an ephemeral port) makes it here,
 * listens, and hands it to buildHub.
 */
export function createHubServer(log: Logger, limits: ServerLimits = DEFAULT_SERVER_LIMITS): http.Server {
  const server = http.createServer();
  applyServerLimits(server, log, limits);
  // Keep-alive sockets must not outlive a shutdown; Node closes idle ones on close().
  server.keepAliveTimeout = 5000;
  return server;
}

/** <publicUrl>/api/v1/payments/wechat/notify: where the gateway posts payment and refund notifications. */
export function notifyUrlOf(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/payments/wechat/notify`;
}

/**
 * Builds the hub: opens what the overrides do not give, builds the services
 * and the app, and returns it not yet started. If building fails, the stores
 * it opened are closed again.
 */
export async function buildHub(config: HubConfig, overrides: HubOverrides = {}): Promise<Hub> {
  const { tuning = {} } = overrides;
  const log = overrides.log ?? createLogger(config.logLevel);
  // Stores opened here are closed by the hub, last; given ones belong to the caller.
  const opened: LifecyclePart[] = [];
  try {
    let dataSource = overrides.dataSource;
    if (!dataSource) {
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      opened.push({ name: 'database', alreadyRunning: true, stop: () => db.destroy() });
      dataSource = db;
    }
    let kv = overrides.kv;
    if (!kv) {
      const store = await openKeyValueStore(config.redisUrl);
      opened.push({ name: 'key-value store', alreadyRunning: true, stop: () => store.close() });
      kv = store;
    }
    return assemble(config, { ...overrides, log, dataSource, kv }, tuning, opened);
  } catch (err) {
    // The stores opened so far are stopped as a hub's are (in reverse, each failure logged).
    await new Lifecycle(opened, log).stop().catch(() => undefined);
    throw err;
  }
}

function assemble(config: HubConfig, given: HubOverrides & Pick<HubParts, 'log' | 'dataSource' | 'kv'>, tuning: HubTuning, opened: LifecyclePart[]): Hub {
  const { log, dataSource, kv } = given;
  const secretBox = given.secretBox ?? new SecretBox(loadSecretsKey(config.secretsKey, config.dataDir));
  // Development keys shared with the mock gateway; a real deployment puts its own in wechatKeysDir.
  const keys = given.keys ?? ensureDevKeys(config.wechatKeysDir);
  const appSecret = config.wechatAppSecret ?? keys.appSecret;
  const implementations = given.implementations ?? builtinImplementations;
  const workers = config.workers === 'on';

  const services = createServices({
    dataSource,
    kv,
    log,
    secretBox,
    implementations,
    resilience: { billCacheTtlMs: config.billCacheTtlMs, timeoutMs: config.providerTimeoutMs, ...tuning.resilience },
    gateway: given.gateway ?? new WechatPayGateway(keys, { baseUrl: config.wechatBaseUrl }),
    login: given.login ?? new WechatLoginClient({ baseUrl: config.wechatBaseUrl, appid: keys.appid, secret: appSecret }),
    messages: given.messages ?? new WechatMessageClient({ baseUrl: config.wechatBaseUrl, appid: keys.appid, secret: appSecret, kv }),
    reminders: { templateId: config.reminderTemplateId, leadDays: config.reminderLeadDays },
    notifyUrl: notifyUrlOf(config.publicUrl),
    orderTtlMs: config.orderTtlMs,
    outbox: tuning.outbox,
    sweeper: tuning.sweeper,
  });

  let accepting = true;
  const hubApp = createApp({
    // The h5 page may call the WeChat base (the mock's wx.login and cashier in mock mode).
    config: { ...config, connectSrc: [new URL(config.wechatBaseUrl).origin] },
    log,
    services,
    dataSource,
    kv,
    isAccepting: () => accepting,
  });
  const server = given.server ?? createHubServer(log, tuning.serverLimits);
  const url = () => {
    const address = server.address() as AddressInfo | null;
    if (!address) throw new Error('the hub is not listening yet');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  };

  const parts: LifecyclePart[] = [
    ...opened,
    { name: 'adapter registry', start: () => services.registry.start(), stop: () => services.registry.stop() },
  ];
  const adaptersDir = config.adaptersDir;
  if (adaptersDir) {
    parts.push({
      name: 'demo adapters',
      start: async () => {
        const seeded = await seedAdapters(adaptersDir, services, log);
        if (seeded.length) log.info({ seeded }, 'demo adapters registered and activated');
      },
    });
  }
  if (workers) {
    parts.push(
      { name: 'outbox worker', start: () => services.outbox.start(), stop: () => services.outbox.stop() },
      // The sweeper, the daily reconciliation and the bill reminders.
      { name: 'scheduler', start: () => services.scheduler.start(), stop: () => services.scheduler.stop() },
    );
  }
  parts.push({
    name: 'http server',
    start: async () => {
      server.on('request', hubApp.app.callback());
      if (server.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    stop: async () => {
      accepting = false;
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
      await Promise.race([closed, deadline]);
      server.closeAllConnections();
      await closed;
    },
  });
  const lifecycle = new Lifecycle(parts, log);

  return {
    ...hubApp,
    config,
    log,
    services,
    dataSource,
    kv,
    keys,
    server,
    lifecycle,
    get url() {
      return url();
    },
    start: async () => {
      await lifecycle.start();
      log.info(
        { url: url(), database: dataSource.options.type, keyValue: kv.kind, workers, dataDir: config.databaseUrl ? undefined : config.dataDir },
        'cityhub hub listening',
      );
    },
    stop: () => lifecycle.stop(),
  };
}
