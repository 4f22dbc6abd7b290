import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { builtinImplementations } from './adapters/builtin';
import { seedAdapters } from './adapters/seed';
import { ConfigError, loadConfig, type Config } from './infra/config';
import { openDatabase } from './infra/database';
import { openKeyValueStore } from './infra/kv';
import { createLogger, type Logger } from './infra/logger';
import { SecretBox, loadSecretsKey } from './infra/secret-box';
import { createServices } from './services';
import { WechatPayGateway } from './payments/wechatpay/client';
import { ensureDevKeys } from './payments/wechatpay/keys';
import { WechatLoginClient } from './payments/wechatpay/login';
import { WechatMessageClient } from './reminders/wechat-messages';

/**
 * Operator tokens: OPERATOR_TOKENS when configured; otherwise one generated
 * token for the operator "local", kept in DATA_DIR/operator-token (0600) so
 * the CLI on the same machine finds it. No token is ever built into the code.
 */
function operatorTokens(config: Config, log: Logger): Record<string, string> {
  if (Object.keys(config.operatorTokens).length) return config.operatorTokens;
  const file = path.join(config.dataDir, 'operator-token');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  log.info({ file }, 'operator token for "local" is in this file (set OPERATOR_TOKENS to choose your own)');
  return { local: fs.readFileSync(file, 'utf8').trim() };
}

export interface RunningHub {
  url: string;
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish (up to shutdownTimeoutMs), closes the stores. */
  stop(): Promise<void>;
}

/** Starts the hub with the given configuration and returns once it is listening. */
export async function startHub(config: Config, log: Logger): Promise<RunningHub> {
  const dataSource = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const kv = await openKeyValueStore(config.redisUrl);
  const secretBox = new SecretBox(loadSecretsKey(config.secretsKey, config.dataDir));
  // Development keys shared with the mock gateway; a real deployment puts its own in wechatKeysDir.
  const keys = ensureDevKeys(config.wechatKeysDir);
  const services = createServices({
    dataSource,
    kv,
    log,
    secretBox,
    implementations: builtinImplementations,
    resilience: { billCacheTtlMs: config.billCacheTtlMs, timeoutMs: config.providerTimeoutMs },
    gateway: new WechatPayGateway(keys, { baseUrl: config.wechatBaseUrl }),
    login: new WechatLoginClient({ baseUrl: config.wechatBaseUrl, appid: keys.appid, secret: config.wechatAppSecret ?? keys.appSecret }),
    messages: new WechatMessageClient({ baseUrl: config.wechatBaseUrl, appid: keys.appid, secret: config.wechatAppSecret ?? keys.appSecret, kv }),
    reminders: { templateId: config.reminderTemplateId, leadDays: config.reminderLeadDays },
    notifyUrl: `${config.publicUrl.replace(/\/+$/, '')}/api/v1/payments/wechat/notify`,
    orderTtlMs: config.orderTtlMs,
    workers: config.workers === 'on',
  });
  await services.start();
  const seeded = await seedAdapters(config.adaptersDir, services, log);
  if (seeded.length) log.info({ seeded }, 'demo adapters registered and activated');

  let accepting = true;
  const { app } = createApp({
    config: { ...config, operatorTokens: operatorTokens(config, log), connectSrc: [new URL(config.wechatBaseUrl).origin] },
    log,
    services,
    dataSource,
    kv,
    isAccepting: () => accepting,
  });

  const server = http.createServer(app.callback());
  // Keep-alive sockets must not outlive a shutdown; Node closes idle ones on close().
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
      await Promise.race([closed, deadline]);
      server.closeAllConnections();
      await services.stop();
      await Promise.allSettled([dataSource.destroy(), kv.close()]);
    })());

  log.info(
    { url, database: dataSource.options.type, keyValue: kv.kind, dataDir: config.databaseUrl ? undefined : config.dataDir },
    'cityhub hub listening',
  );
  return { url, server, stop };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cityhub: ${err.message}\n`);
      process.exit(78); // EX_CONFIG: the operator must fix the configuration
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const hub = await startHub(config, log).catch((err: Error) => {
    log.fatal({ err: { message: err.message } }, 'cityhub could not start');
    process.exit(1);
  });

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    void hub.stop().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
}

if (require.main === module) void main();
