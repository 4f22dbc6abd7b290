import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { mergeRateLimits, rateLimitsSchema } from './rate-limits';

/** Where the repository's `config/` folder is, whatever the working directory. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

const urlWithProtocol = (protocols: string[]) =>
  z
    .url()
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

export const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  databaseUrl: urlWithProtocol(['mysql', 'mariadb']).optional(),
  redisUrl: urlWithProtocol(['redis', 'rediss']).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  corsOrigins: z.array(z.url()),
  bodyLimitBytes: z.coerce.number().int().min(1024).max(10 * 1024 * 1024),
  shutdownTimeoutMs: z.coerce.number().int().min(0).max(120000),
  h5Dir: z.string().min(1),
  /** The operator console's build, served at /console (npm run build:console). */
  consoleDir: z.string().min(1).default('server/console/dist'),
  /** base64 of 32 random bytes; seals provider secrets and account fields. */
  secretsKey: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be the base64 of exactly 32 bytes (openssl rand -base64 32)')
    .optional(),
  /** Operators allowed on /api/v1/admin, as name → bearer token. */
  operatorTokens: z.record(
    z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'operator names are lower-case identifiers'),
    z.string().min(24, 'operator tokens must be at least 24 characters'),
  ),
  /** Bill answers are cached this long (a resident re-opening a page should not hit the provider). */
  billCacheTtlMs: z.coerce.number().int().min(0).max(3_600_000),
  /** Default provider timeout when a manifest does not set one. */
  providerTimeoutMs: z.coerce.number().int().min(50).max(30_000),
  /** Folder of adapter manifests registered and activated at boot (the demo providers). */
  adaptersDir: z.string().min(1),
  /**
   * The hub's address as the gateway reaches it; notifications go to
   * <publicUrl>/api/v1/payments/wechat/notify. Derived from host and port
   * unless set, so `PORT=3100 npm start` still receives its notifications.
   */
  publicUrl: z.url().optional(),
  /** WeChat Pay API v3 and jscode2session base URL: the mock gateway by default. */
  wechatBaseUrl: z.url(),
  wechatAppSecret: z.string().min(1).optional(),
  /** Folder with the merchant/platform keys (generated for development on first start); default <dataDir>/keys. */
  wechatKeysDir: z.string().min(1).optional(),
  /** Unpaid orders expire after this long (WeChat's prepay lives 2 hours). */
  orderTtlMs: z.coerce.number().int().min(60_000).max(2 * 3600_000),
  /** The subscribe-message template of bill reminders (the one the mini-program asks residents to accept). */
  reminderTemplateId: z.string().regex(/^[\w-]{1,64}$/, 'a WeChat template id: letters, digits, _ or -'),
  /** Remind of a bill this many days before it is due. */
  reminderLeadDays: z.coerce.number().int().min(0).max(30),
  /** Run the outbox worker and the order sweeper in this process. */
  workers: z.enum(['on', 'off']),
  /** Rate limits by name (issue 9); see DEFAULT_RATE_LIMITS. */
  rateLimits: rateLimitsSchema.default(rateLimitsSchema.parse({})),
  /** Who may read /metrics: operators (bearer operator token, as a Prometheus bearer_token) or anyone who reaches the port. */
  metricsAccess: z.enum(['operator', 'public']).default('operator'),
  /**
   * Behind a load balancer: take the client's address from X-Forwarded-For
   * (per-IP rate limits, logs). Only when the balancer sets that header itself;
   * otherwise a client could name any address.
   */
  trustProxy: z.enum(['on', 'off']).default('off'),
});

export type Config = Omit<z.infer<typeof configSchema>, 'wechatKeysDir' | 'publicUrl'> & { wechatKeysDir: string; publicUrl: string };

/** Where a gateway on this machine reaches a hub listening on host:port (a wildcard address is reached on loopback). */
export function derivedPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Environment variables that override keys of the config files. */
const ENV_KEYS: Record<string, keyof Config> = {
  PORT: 'port',
  HOST: 'host',
  DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  LOG_LEVEL: 'logLevel',
  CORS_ORIGINS: 'corsOrigins',
  BODY_LIMIT_BYTES: 'bodyLimitBytes',
  SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  H5_DIR: 'h5Dir',
  CONSOLE_DIR: 'consoleDir',
  SECRETS_KEY: 'secretsKey',
  OPERATOR_TOKENS: 'operatorTokens',
  BILL_CACHE_TTL_MS: 'billCacheTtlMs',
  PROVIDER_TIMEOUT_MS: 'providerTimeoutMs',
  ADAPTERS_DIR: 'adaptersDir',
  PUBLIC_URL: 'publicUrl',
  WECHAT_BASE_URL: 'wechatBaseUrl',
  WECHAT_APP_SECRET: 'wechatAppSecret',
  WECHAT_KEYS_DIR: 'wechatKeysDir',
  ORDER_TTL_MS: 'orderTtlMs',
  REMINDER_TEMPLATE_ID: 'reminderTemplateId',
  REMINDER_LEAD_DAYS: 'reminderLeadDays',
  WORKERS: 'workers',
  RATE_LIMITS: 'rateLimits',
  METRICS_ACCESS: 'metricsAccess',
  TRUST_PROXY: 'trustProxy',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function readJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`${path.relative(REPO_ROOT, file)}: not valid JSON (${(err as Error).message})`]);
  }
}

/**
 * Loads config/default.json, then config/<NODE_ENV>.json, then environment
 * variables; validates the result and throws a ConfigError naming every bad
 * key (and the environment variable that sets it) so boot stops with a reason.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, configDir = path.join(REPO_ROOT, 'config')): Config {
  const merged: Record<string, unknown> = {
    ...readJson(path.join(configDir, 'default.json')),
    ...(env.NODE_ENV ? readJson(path.join(configDir, `${env.NODE_ENV}.json`)) : {}),
  };
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    merged[key] =
      key === 'corsOrigins'
        ? value.split(',').map((s) => s.trim()).filter(Boolean)
        : key === 'rateLimits'
          ? mergeRateLimits(merged.rateLimits, value)
          : key === 'operatorTokens'
          ? Object.fromEntries(value.split(',').map((pair) => pair.trim().split(':', 2)).map(([name, token]) => [name, token ?? '']))
          : value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const envOf = (key: string) => Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const source = envOf(key) ? ` (env ${envOf(key)})` : '';
        return `${issue.path.join('.') || '(root)'}${source}: ${issue.message}`;
      }),
    );
  }
  const config = parsed.data;
  return {
    ...config,
    dataDir: path.resolve(REPO_ROOT, config.dataDir),
    h5Dir: path.resolve(REPO_ROOT, config.h5Dir),
    consoleDir: path.resolve(REPO_ROOT, config.consoleDir),
    adaptersDir: path.resolve(REPO_ROOT, config.adaptersDir),
    wechatKeysDir: path.resolve(REPO_ROOT, config.wechatKeysDir ?? path.join(config.dataDir, 'keys')),
    publicUrl: config.publicUrl ?? derivedPublicUrl(config.host, config.port),
  };
}
