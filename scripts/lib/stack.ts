/**
 * The process harness of the crash test, the scale test and the bench: the
 * whole system as separate OS processes, the way production runs it, with
 * hubs that can be killed for real.
 *
 *   const db = await createScratchDatabase('crash');             // mysql://…/cityhub_crash_<pid>_<n>
 *   const stack = await startStack({ hubs: 2, databaseUrl: db.url, redisUrl: 'redis://127.0.0.1:6379' });
 *   stack.hubUrls;        // ['http://127.0.0.1:41234', …], one per hub process
 *   stack.publicUrl;      // where the gateway sends notifications: hub 0, or the balancer with { balancer: true }
 *   stack.wechatUrl;      // the mock WeChat, its own process
 *   stack.providerUrls;   // { grid: 'http://127.0.0.1:…', … }, the simulators, one process
 *   stack.operatorToken;  // bearer token for /api/v1/admin on every hub
 *   const killed = await stack.kill(1);           // SIGKILL; resolves once process.kill(pid, 0) says ESRCH
 *   const hub = await stack.restart(1, { env });  // same port, new pid, resolves when /readyz answers 200
 *   await stack.exited(0);                        // the latest life of hub 0 ended (e.g. a crash point fired): pid and how
 *   await stack.writeOffs('grid');                // the simulator's write-off journal, over HTTP
 *   await stack.stop();                           // kills everything; THROWS if any hub process outlives it
 *   await db.drop();
 *
 * Options worth knowing: `env` / `hubEnv(i)` (e.g. raisedRateLimits() for load,
 * CITYHUB_CRASH_POINTS for the crash test; restart(i, { env }) lays more over
 * them for one life), `wechat: { duplicateNotifications, notifyJitterMs }`,
 * `balancer: true`, `providers: ['grid']`, `runtime: 'compiled' | 'tsx'`.
 * A hub that dies before /readyz makes start or restart throw HubExitedDuringStart
 * (with its pid), so a test can tell a crash at boot from a broken build.
 *
 * Hubs run as `node <build>` when `npm run build` output is present and newer
 * than every source file, otherwise as `node --import tsx server/src/main.ts`:
 * either way the pid we hold is the process that holds the database
 * connections (never a `tsx` wrapper whose SIGKILL would orphan the real hub).
 * Every child carries CITYHUB_STACK_ID in its environment; stop() scans /proc
 * for it, so even a grandchild that escaped would be found and reported.
 *
 * Sandbox processes keep their state across hub kills, as the real outside
 * world would. Logs of every process are in `<stack.workDir>/<name>.log`
 * (kept when stop() fails, removed otherwise).
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createPool } from 'mysql2/promise';
import { DEFAULT_RATE_LIMITS } from '../../server/src/infra/rate-limits';
import { ensureDevKeys } from '../../server/src/payments/wechatpay/keys';
import type { ProviderName } from '../../server/sandbox/providers/run';
import { writeDemoAdapters } from '../../server/test/support/sandbox';
import { startBalancer, type Balancer } from './balancer';
import type { WriteOffRecord } from '../../server/sandbox/providers/ledger';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_DATABASE_URL = 'mysql://root@127.0.0.1:3306/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The compiled entry points `npm run build` writes (see scripts/build.ts). */
export const BUILD = {
  hub: path.join(REPO_ROOT, 'server', 'dist', 'src', 'main.js'),
  wechat: path.join(REPO_ROOT, 'server', 'dist', 'sandbox', 'wechat', 'run.js'),
  providers: path.join(REPO_ROOT, 'server', 'dist', 'sandbox', 'providers', 'run.js'),
  cli: path.join(REPO_ROOT, 'dist', 'cityhub.js'),
};
const SOURCES = {
  hub: path.join(REPO_ROOT, 'server', 'src', 'main.ts'),
  wechat: path.join(REPO_ROOT, 'server', 'sandbox', 'wechat', 'run.ts'),
  providers: path.join(REPO_ROOT, 'server', 'sandbox', 'providers', 'run.ts'),
};

export type Runtime = 'compiled' | 'tsx';

export interface StackOptions {
  /** Hub processes (default 1). More than one needs databaseUrl and redisUrl. */
  hubs?: number;
  /** mysql:// URL of a database the hubs may own (see createScratchDatabase); absent = embedded SQLite in the work dir. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Extra environment of every hub (e.g. WORKERS, LOG_LEVEL, CITYHUB_CRASH_POINTS). */
  env?: Record<string, string>;
  /** Extra environment of one hub, by index (applied after `env`). */
  hubEnv?: (index: number) => Record<string, string>;
  /** Simulators to run, in one process (default: all five). */
  providers?: ProviderName[] | 'all';
  wechat?: {
    /** MOCK_RETRY_SCALE: 0.002 compresses WeChat's retry schedule (15 s → 30 ms). Default 0.002. */
    retryScale?: number;
    /** Every notification delivered twice (two independent deliveries). */
    duplicateNotifications?: boolean;
    /** Deliveries start after a random 0…N ms, so they arrive out of order. */
    notifyJitterMs?: number;
    refundDelayMs?: number;
  };
  /**
   * Put a round-robin HTTP balancer (in this process) in front of the hubs and
   * give its address to the hubs as PUBLIC_URL, so the gateway's notifications
   * spread over every live hub, as behind a production load balancer.
   */
  balancer?: boolean;
  /** 'compiled' or 'tsx'; default: compiled when the build is present and fresh. */
  runtime?: Runtime;
  /** Echo the children's stderr to ours (default: only into the log files). */
  verbose?: boolean;
  /** How long a hub may take to answer /readyz (default 30 s). */
  readyTimeoutMs?: number;
}

export interface HubProcess {
  index: number;
  pid: number;
  url: string;
  /** Milliseconds from spawn to the first 200 of /readyz. */
  readyMs: number;
}

export interface KilledHub {
  index: number;
  pid: number;
  /** Signal or exit code the process ended with, as its parent saw it. */
  ended: string;
}

export interface Stack {
  runtime: Runtime;
  hubUrls: string[];
  /** The address the gateway sends notifications to (the balancer, or hub 0). */
  publicUrl: string;
  wechatUrl: string;
  providerUrls: Partial<Record<ProviderName, string>>;
  operatorToken: string;
  workDir: string;
  keysDir: string;
  /** The live hub processes (a killed, not yet restarted hub is absent). */
  hubs(): HubProcess[];
  /** Current pid of hub i, or undefined while it is down. */
  pid(index: number): number | undefined;
  /** SIGKILLs hub i and resolves once its pid is gone (checked with kill(pid, 0) → ESRCH). */
  kill(index: number): Promise<KilledHub>;
  /** Starts hub i again on its port (optionally with extra env for this life) and waits for /readyz. */
  restart(index: number, options?: { env?: Record<string, string> }): Promise<HubProcess>;
  /** Resolves when the latest life of hub i ends (at once if it already has); the result says its pid and how. */
  exited(index: number): Promise<KilledHub>;
  /** The write-off journal of a simulator, read over HTTP. */
  writeOffs(provider: ProviderName): Promise<WriteOffRecord[]>;
  /** Kills every child; throws if a hub process (or any process carrying this stack's id) is still alive afterwards. */
  stop(): Promise<void>;
}

/** One write-off in a simulator's journal, as its /__sandbox/writeoffs answers it. */
export type { WriteOffRecord };

/** A hub process that ended before it answered /readyz (a crash point may fire while it settles old work at boot). */
export class HubExitedDuringStart extends Error {
  constructor(
    readonly index: number,
    readonly pid: number,
    readonly ended: string,
    readonly logFile: string,
  ) {
    super(`hub ${index} (pid ${pid}) exited during start (${ended}); see ${logFile}`);
    this.name = 'HubExitedDuringStart';
  }
}

/**
 * RATE_LIMITS with every limit the hub knows raised out of reach: a load test
 * binds and pays thousands of times from one IP, exactly what the limits stop.
 * The limiter still runs on every request.
 */
export function raisedRateLimits(): Record<string, string> {
  const raised = Object.fromEntries(Object.keys(DEFAULT_RATE_LIMITS).map((name) => [name, { points: 10_000_000, durationSec: 1 }]));
  return { RATE_LIMITS: JSON.stringify(raised) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port nobody listens on right now (127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** True while a process with this pid exists (kill(pid, 0) does not answer ESRCH). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Pids of processes whose environment carries CITYHUB_STACK_ID=<id> (Linux /proc; empty elsewhere). */
export function processesOfStack(id: string): number[] {
  if (!fs.existsSync('/proc')) return [];
  const needle = Buffer.from(`CITYHUB_STACK_ID=${id}\0`);
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`);
      // A zombie (exited, not yet reaped) has an empty environ and holds nothing.
      if (environ.includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Newest modification time of the .ts files under these folders. */
function newestSource(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) walk(d);
  return newest;
}

/** 'compiled' when every compiled entry point exists and is newer than the sources it was built from. */
export function detectRuntime(): Runtime {
  const built = [BUILD.hub, BUILD.wechat, BUILD.providers];
  if (!built.every((f) => fs.existsSync(f))) return 'tsx';
  const oldestBuild = Math.min(...built.map((f) => fs.statSync(f).mtimeMs));
  const newest = newestSource([path.join(REPO_ROOT, 'server', 'src'), path.join(REPO_ROOT, 'server', 'sandbox'), path.join(REPO_ROOT, 'shared', 'src')]);
  return oldestBuild >= newest ? 'compiled' : 'tsx';
}

/** `node` arguments that run an entry point the chosen way, in this very process (no wrapper). */
export function nodeArgs(runtime: Runtime, what: keyof typeof SOURCES): string[] {
  return runtime === 'compiled' ? [BUILD[what]] : ['--import', 'tsx', SOURCES[what]];
}

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

let scratchCount = 0;
/** Creates an empty MariaDB/MySQL database next to `baseUrl`'s (default TEST_DATABASE_URL or the local one). */
export async function createScratchDatabase(label: string, baseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_DATABASE_URL): Promise<ScratchDatabase> {
  const name = `cityhub_${label}_${process.pid}_${++scratchCount}`;
  const admin = createPool({ uri: baseUrl, connectionLimit: 1 });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const pool = createPool({ uri: baseUrl, connectionLimit: 1 });
      try {
        await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await pool.end();
      }
    },
  };
}

interface Child {
  name: string;
  /** Spawned with piped stdout and stderr, so both streams exist. */
  child: ChildProcessByStdio<null, Readable, Readable>;
  pid: number;
  log: fs.WriteStream;
  exit: Promise<string>;
}

/** Every child of every stack in this process, SIGKILLed if this process exits without stop(). */
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of allChildren) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const c of allChildren) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** Starts the mock WeChat, the simulators and the hubs, each its own process, and waits until every hub is ready. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const hubCount = options.hubs ?? 1;
  if (hubCount > 1 && !(options.databaseUrl && options.redisUrl)) throw new Error('startStack: more than one hub needs databaseUrl and redisUrl (embedded stores are one process)');
  installExitHook();
  const runtime = options.runtime ?? detectRuntime();
  const stackId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-stack-'));
  const keysDir = path.join(workDir, 'keys');
  ensureDevKeys(keysDir);
  const operatorToken = `stack-operator-${randomBytes(16).toString('hex')}`;
  const children: Child[] = [];

  const spawnChild = (name: string, args: string[], env: NodeJS.ProcessEnv): Child => {
    const log = fs.createWriteStream(path.join(workDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...env, CITYHUB_STACK_ID: stackId }, stdio: ['ignore', 'pipe', 'pipe'] });
    allChildren.add(child);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    if (options.verbose) child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString()}`));
    const exit = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => {
        allChildren.delete(child);
        resolve(signal ?? `exit ${code}`);
      }),
    );
    // spawn() leaves pid undefined only when the process could not start at all.
    if (child.pid === undefined) throw new Error(`${name} could not be started`);
    const entry = { name, child, pid: child.pid, log, exit };
    children.push(entry);
    return entry;
  };

  /** Waits for `count` stdout lines matching `pattern`; fails if the child exits first. */
  const waitForLines = (c: Child, pattern: RegExp, count = 1, timeoutMs = 30_000) =>
    new Promise<RegExpExecArray[]>((resolve, reject) => {
      const found: RegExpExecArray[] = [];
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`${c.name} did not start in ${timeoutMs} ms (see ${path.join(workDir, `${c.name}.log`)})`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const m = pattern.exec(line);
          if (m) found.push(m);
        }
        if (found.length >= count) {
          clearTimeout(timer);
          c.child.stdout.off('data', onData);
          resolve(found);
        }
      };
      c.child.stdout.on('data', onData);
      void c.exit.then((how) => {
        clearTimeout(timer);
        reject(new Error(`${c.name} exited during start (${how}); see ${path.join(workDir, `${c.name}.log`)}`));
      });
    });

  const baseEnv: NodeJS.ProcessEnv = { ...process.env };
  delete baseEnv.CITYHUB_CRASH_POINTS;
  delete baseEnv.CITYHUB_CRASH_LOG;

  const stopChildren = async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exit));
    for (const c of children) c.log.end();
  };

  try {
    // The simulators, all in one process on free ports.
    const providerNames: ProviderName[] = !options.providers || options.providers === 'all' ? ['grid', 'water', 'gas', 'toll', 'police'] : options.providers;
    const providers = spawnChild('providers', [...nodeArgs(runtime, 'providers'), providerNames.length === 5 ? 'all' : providerNames[0], '--port', '0'], baseEnv);
    if (providerNames.length !== 5 && providerNames.length !== 1) throw new Error('startStack: providers must be one name or all');
    const providerLines = waitForLines(providers, /provider simulator (\w+) listening on (http:\/\/127\.0\.0\.1:\d+)/, providerNames.length);

    const w = options.wechat ?? {};
    const wechat = spawnChild('wechat', [...nodeArgs(runtime, 'wechat'), '--port', '0', '--keys', keysDir], {
      ...baseEnv,
      MOCK_RETRY_SCALE: String(w.retryScale ?? 0.002),
      MOCK_REFUND_DELAY_MS: String(w.refundDelayMs ?? 50),
      MOCK_DUPLICATE_NOTIFICATIONS: w.duplicateNotifications ? '1' : '0',
      MOCK_NOTIFY_JITTER_MS: String(w.notifyJitterMs ?? 0),
    });
    const wechatLine = waitForLines(wechat, /listening on (http:\/\/127\.0\.0\.1:\d+)/);

    const [providerMatches, wechatMatches] = await Promise.all([providerLines, wechatLine]);
    const providerUrls: Partial<Record<ProviderName, string>> = {};
    for (const m of providerMatches) providerUrls[m[1] as ProviderName] = m[2];
    const wechatUrl = wechatMatches[0][1];

    const adaptersDir = path.join(workDir, 'adapters');
    fs.mkdirSync(adaptersDir);
    writeDemoAdapters(adaptersDir, providerUrls);

    const ports = await Promise.all(Array.from({ length: hubCount }, () => freePort()));
    const hubUrls = ports.map((p) => `http://127.0.0.1:${p}`);
    let balancer: Balancer | undefined;
    if (options.balancer) balancer = await startBalancer(hubUrls);
    const publicUrl = balancer?.url ?? hubUrls[0];

    const hubEnvOf = (index: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
      ...baseEnv,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(ports[index]),
      // Each hub keeps its files (operator token, SQLite) apart; keys are shared with the mock WeChat.
      DATA_DIR: path.join(workDir, `data-${options.databaseUrl ? index : 0}`),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      PUBLIC_URL: publicUrl,
      WECHAT_BASE_URL: wechatUrl,
      WECHAT_KEYS_DIR: keysDir,
      ADAPTERS_DIR: adaptersDir,
      OPERATOR_TOKENS: `stack:${operatorToken}`,
      SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      ...options.env,
      ...options.hubEnv?.(index),
      ...extra,
    });

    const hubs: Array<(HubProcess & { entry: Child }) | undefined> = Array.from({ length: hubCount }, () => undefined);
    const lives = Array.from({ length: hubCount }, () => 0);
    /** The latest life of each hub, kept after it ends so a death is never missed. */
    const lastLife: Array<{ pid: number; entry: Child } | undefined> = Array.from({ length: hubCount }, () => undefined);
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

    const startHub = async (index: number, extra?: Record<string, string>): Promise<HubProcess> => {
      if (hubs[index]) throw new Error(`hub ${index} is already running (pid ${hubs[index].pid})`);
      const began = Date.now();
      const entry = spawnChild(`hub-${index}.${lives[index]++}`, nodeArgs(runtime, 'hub'), hubEnvOf(index, extra));
      let exited: string | undefined;
      void entry.exit.then((how) => (exited = how));
      for (;;) {
        if (exited) throw new HubExitedDuringStart(index, entry.pid, exited, path.join(workDir, `${entry.name}.log`));
        const ready = await fetch(`${hubUrls[index]}/readyz`, { signal: AbortSignal.timeout(2000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (ready) break;
        if (Date.now() - began > readyTimeoutMs) {
          entry.child.kill('SIGKILL');
          throw new Error(`hub ${index} did not become ready in ${readyTimeoutMs} ms; see ${path.join(workDir, `${entry.name}.log`)}`);
        }
        await sleep(25);
      }
      const hub = { index, pid: entry.pid, url: hubUrls[index], readyMs: Date.now() - began, entry };
      hubs[index] = hub;
      lastLife[index] = hub;
      void entry.exit.then(() => {
        if (hubs[index] === hub) hubs[index] = undefined;
      });
      return { index, pid: hub.pid, url: hub.url, readyMs: hub.readyMs };
    };

    // The first hub migrates and seeds alone; the others then start together.
    await startHub(0);
    await Promise.all(Array.from({ length: hubCount - 1 }, (_, i) => startHub(i + 1)));

    const exited = async (index: number): Promise<KilledHub> => {
      const hub = lastLife[index];
      if (!hub) throw new Error(`hub ${index} never started`);
      const how = await hub.entry.exit;
      return { index, pid: hub.pid, ended: how };
    };

    const stack: Stack = {
      runtime,
      hubUrls,
      publicUrl,
      wechatUrl,
      providerUrls,
      operatorToken,
      workDir,
      keysDir,
      hubs: () => hubs.filter((h): h is NonNullable<typeof h> => !!h).map(({ index, pid, url, readyMs }) => ({ index, pid, url, readyMs })),
      pid: (index) => hubs[index]?.pid,
      async kill(index) {
        const hub = hubs[index];
        if (!hub) throw new Error(`hub ${index} is not running`);
        hub.entry.child.kill('SIGKILL');
        const ended = await hub.entry.exit;
        for (let i = 0; isAlive(hub.pid); i++) {
          if (i > 100) throw new Error(`hub ${index}: pid ${hub.pid} still exists 1 s after SIGKILL`);
          await sleep(10);
        }
        return { index, pid: hub.pid, ended };
      },
      restart: (index, restartOptions) => startHub(index, restartOptions?.env),
      exited,
      async writeOffs(provider) {
        const url = providerUrls[provider];
        if (!url) throw new Error(`no ${provider} simulator in this stack`);
        const res = await fetch(`${url}/__sandbox/writeoffs`);
        if (!res.ok) throw new Error(`${provider} journal: HTTP ${res.status}`);
        return ((await res.json()) as { writeOffs: WriteOffRecord[] }).writeOffs;
      },
      async stop() {
        const hubPids = children.filter((c) => c.name.startsWith('hub-')).map((c) => c.pid);
        await stopChildren();
        await balancer?.close();
        const survivors = [...hubPids.filter(isAlive), ...processesOfStack(stackId)];
        if (survivors.length) {
          for (const pid of survivors) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
          throw new Error(`processes outlived the stack: ${[...new Set(survivors)].join(', ')} (logs kept in ${workDir})`);
        }
        fs.rmSync(workDir, { recursive: true, force: true });
      },
    };
    return stack;
  } catch (err) {
    await stopChildren();
    throw err;
  }
}
