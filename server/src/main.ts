import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './infra/config';
import { createLogger, type Logger } from './infra/logger';
import { loadSecretsKey } from './infra/secret-box';
import { ensureDevKeys } from './payments/wechatpay/keys';
import type { Hub } from './hub';

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

/** Builds the hub (hub.ts, the one composition root) from the configuration and starts it; returns once it is listening. */
export async function startHub(config: Config, log: Logger): Promise<Hub> {
  // The hub itself is loaded here rather than at the top, so that a cluster
  // primary (HUB_PROCESSES), which serves nothing, never loads it and stays small.
  const { buildHub } = await import('./hub');
  const hub = await buildHub({ ...config, operatorTokens: operatorTokens(config, log) }, { log });
  await hub.start();
  return hub;
}

/** HUB_PROCESSES and HUB_WORKER_PROCESSES, read and checked (production mode, issue 8). */
function processCounts(config: Config, env: NodeJS.ProcessEnv = process.env): { processes: number; workerProcesses: number } {
  const count = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > 64) throw new ConfigError([`${name}: must be a whole number from ${min} to 64 (got "${raw}")`]);
    return n;
  };
  const processes = count('HUB_PROCESSES', 1, 1);
  if (processes > 1 && !(config.databaseUrl && config.redisUrl)) {
    throw new ConfigError([`HUB_PROCESSES=${processes}: several hub processes share MySQL and Redis; set DATABASE_URL and REDIS_URL (the embedded stores serve one process)`]);
  }
  const workerProcesses = count('HUB_WORKER_PROCESSES', config.workers === 'on' ? processes : 0, 0);
  if (workerProcesses > processes) throw new ConfigError([`HUB_WORKER_PROCESSES=${workerProcesses}: at most HUB_PROCESSES (${processes})`]);
  return { processes, workerProcesses };
}

/**
 * The cluster primary of HUB_PROCESSES=N: forks N hub processes that share the
 * port (node's cluster module hands each connection to the next one), runs the
 * outbox worker and sweeper in the first HUB_WORKER_PROCESSES of them, restarts
 * a process that dies (at most one restart per second per slot), and on
 * SIGTERM/SIGINT lets every process finish its in-flight requests before exiting.
 * The primary holds no connections and serves nothing.
 */
function runPrimary(config: Config, counts: { processes: number; workerProcesses: number }, log: Logger): void {
  // Files the hub makes on first start are made once here, before the fork: N processes
  // racing to create them would each seal secrets under a key of its own.
  loadSecretsKey(config.secretsKey, config.dataDir);
  operatorTokens(config, log);
  ensureDevKeys(config.wechatKeysDir);
  const slots = new Map<number, { worker: Worker; startedAt: number }>();
  let stopping = false;
  const fork = (slot: number) => {
    const worker = cluster.fork({ HUB_PROCESS_INDEX: String(slot), WORKERS: slot < counts.workerProcesses ? 'on' : 'off' });
    slots.set(slot, { worker, startedAt: Date.now() });
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      const lived = Date.now() - (slots.get(slot)?.startedAt ?? 0);
      log.error({ slot, pid: worker.process.pid, code, signal }, 'hub process died; starting another');
      setTimeout(() => fork(slot), Math.max(0, 1000 - lived));
    });
  };
  for (let slot = 0; slot < counts.processes; slot++) fork(slot);
  log.info({ processes: counts.processes, workerProcesses: counts.workerProcesses, pid: process.pid }, 'cityhub cluster primary started');

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping every hub process');
    const exits = [...slots.values()].map(({ worker }) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))));
    for (const { worker } of slots.values()) if (!worker.isDead()) worker.process.kill('SIGTERM');
    void Promise.all(exits).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  let config: Config;
  let counts: { processes: number; workerProcesses: number };
  try {
    config = loadConfig();
    counts = processCounts(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cityhub: ${err.message}\n`);
      process.exit(78); // EX_CONFIG: the operator must fix the configuration
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  if (counts.processes > 1 && cluster.isPrimary) {
    runPrimary(config, counts, log);
    return;
  }
  const hub = await startHub(config, log).catch((err: unknown) => {
    log.fatal({ err: { message: err instanceof Error ? err.message : String(err) } }, 'cityhub could not start');
    process.exit(1);
  });

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Every part is stopped even when one fails (the lifecycle logs which); exit non-zero then.
    hub.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
}

if (require.main === module) void main();
