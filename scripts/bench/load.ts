/**
 * The bench's load generator, in its own process so that it never shares an
 * event loop with what it measures. One JSON argument, one JSON line out:
 *   - {kind: 'throughput', urls, connections, durationS, headers?}: autocannon
 *     for durationS; connections go round robin over `urls` (one per hub);
 *     → {rps, p50, p99, requests, failed, cpu} (cpu: where the machine's CPU
 *     went meanwhile, by party; the bench is this process's parent).
 *   - {kind: 'latency', series: {name: {urls, headers?}}}: one request at a
 *     time on one keep-alive connection per origin, taking the series in turn
 *     (a request of each, then the next of each), so that every series meets
 *     the same moments of a noisy machine; timed to the microsecond (autocannon
 *     rounds latencies to whole milliseconds, too coarse for a 5 ms budget);
 *     → {name: {count, p50, p99, mean, failed}}.
 */
import http from 'node:http';
import { cpuShares, cpuSnapshot, type CpuShares } from './cpu';

interface Throughput {
  kind: 'throughput';
  urls: string[];
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
}
interface Latency {
  kind: 'latency';
  series: Record<string, { urls: string[]; headers?: Record<string, string> }>;
}

// autocannon ships no types; this is the part of its result we read.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
// autocannon ships no type declarations: required, with the part of its API used here declared above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

export interface ThroughputResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
  /** Where the CPU went while the load ran (see cpu.ts). */
  cpu: CpuShares;
}
export interface LatencyResult {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  failed: number;
}

/** The q-quantile of ascending `sorted` (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function throughput(job: Throughput): Promise<ThroughputResult> {
  const before = cpuSnapshot(process.ppid);
  // One second of warm-up first (the JIT, the connection pools), not counted.
  const r = await autocannon({ url: job.urls.length === 1 ? job.urls[0] : job.urls, connections: job.connections, duration: job.durationS, headers: job.headers ?? {}, warmup: { connections: job.connections, duration: 1 } });
  const cpu = cpuShares(before, cpuSnapshot(process.ppid));
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, failed: r.non2xx + r.errors + r.timeouts, cpu };
}

async function latency(job: Latency): Promise<Record<string, LatencyResult>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = (url: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.get(url, { agent, headers }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - started) / 1e6 : -1));
      });
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${url}`)));
    });
  const names = Object.keys(job.series);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const failed: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const rounds = Math.max(...names.map((n) => job.series[n].urls.length));
  for (let i = 0; i < rounds; i++) {
    for (const name of names) {
      const { urls, headers = {} } = job.series[name];
      if (i >= urls.length) continue;
      const ms = await once(urls[i], headers).catch(() => -1);
      if (ms < 0) failed[name]++;
      else times[name].push(ms);
    }
  }
  agent.destroy();
  const round = (x: number) => Math.round(x * 100) / 100;
  return Object.fromEntries(
    names.map((name) => {
      const sorted = times[name].sort((a, b) => a - b);
      const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
      return [name, { count: sorted.length, p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)), mean: round(mean), failed: failed[name] }];
    }),
  );
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Throughput | Latency;
  const result = job.kind === 'throughput' ? await throughput(job) : await latency(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
