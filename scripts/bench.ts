/**
 * `npm run bench`: measures the hub with autocannon on loopback and reports
 * every figure against a baseline measured in the same run, because these
 * machines are noisy:
 *   - request handling: a bare Koa JSON route (baseline) vs the hub's city search;
 *   - cached bill query (p50/p99) vs the bare route;
 *   - uncached bill query over a provider with 20 ms latency, one request at
 *     a time: the hub's added latency = hub p50 − the provider's own p50;
 *   - orders created per second (provider re-query, bill locks, gateway prepay);
 *   - completed payments per second end to end (order → cashier → signed
 *     notification → outbox write-off → COMPLETED), on the embedded stores and
 *     on MariaDB + Redis (BENCH_DATABASE_URL / BENCH_REDIS_URL, default the
 *     local test servers), each against the same run's baseline.
 * Stores of the other figures: embedded (SQLite + in-process) unless
 * DATABASE_URL / REDIS_URL are set. Writes bench-report.md and
 * bench-report.json at the repository root.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Koa from 'koa';
import { createTestHub, type TestHub } from '../server/test/support/app';
import { bindAccount, loginResident, payAtCashier } from '../server/test/support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from '../server/test/support/sandbox';
import { openTestStores } from '../server/test/support/stores';

// autocannon ships no types; this is the part of its result we read.
interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<Result>;

const root = path.resolve(__dirname, '..');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = 16;

async function load(name: string, url: string, extra: Record<string, unknown> = {}): Promise<Result> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, ...extra });
  const bad = result.non2xx + result.errors;
  console.log(`${name.padEnd(34)} ${result.requests.average.toFixed(0).padStart(7)} req/s  p50 ${String(result.latency.p50).padStart(4)} ms  p99 ${String(result.latency.p99).padStart(4)} ms${bad ? `  (${bad} failed)` : ''}`);
  if (bad) throw new Error(`${name}: ${bad} requests failed`);
  return result;
}

const PAYMENTS = 120;
const PAYERS = 8;

type Auth = { authorization: string };

/** Binds `count` grid load-test accounts from `firstConsNo` on (each owes one bill) and returns each with its bill. */
async function payableAccounts(hub: TestHub, payer: Awaited<ReturnType<typeof loginResident>>, firstConsNo: number, count: number): Promise<Array<{ accountId: string; ref: string }>> {
  const accounts: Array<{ accountId: string; ref: string }> = [];
  for (let i = 0; i < count; i++) {
    const accountId = await bindAccount(hub, payer, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: String(firstConsNo + i) } });
    const owed = (await (await fetch(`${hub.url}/api/v1/accounts/${accountId}/bills`, { headers: { authorization: payer.auth.Authorization } })).json()) as { bills: Array<{ ref: string }> };
    accounts.push({ accountId, ref: owed.bills[0].ref });
  }
  return accounts;
}

/** POST /orders for one account's bill; throws unless 201. */
async function createOrder(hub: TestHub, auth: Auth, account: { accountId: string; ref: string }, key: string): Promise<{ order: { id: string }; payment: Record<string, string> }> {
  const res = await fetch(`${hub.url}/api/v1/orders`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ accountId: account.accountId, billRefs: [account.ref] }),
  });
  if (res.status !== 201) throw new Error(`order ${key}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { order: { id: string }; payment: Record<string, string> };
}

/** Runs `work(i)` for i in 0..count-1 on `concurrency` workers. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

/**
 * Completed payments per second on a fresh hub over `target` stores: PAYERS
 * concurrent payers ordering and confirming at the cashier, each payment on
 * its own load-test grid account, timed from the first order until the last
 * one is COMPLETED (notification, outbox, write-off at the provider).
 */
async function completedPaymentsPerSecond(sandbox: Sandbox, target: { databaseUrl?: string; redisUrl?: string }, firstConsNo: number): Promise<number> {
  const stores = await openTestStores(target);
  const hub: TestHub = await createTestHub({ workers: true, stores });
  try {
    await seedDemoAdapters(hub, sandbox);
    const payer = await loginResident(hub, `payer-${firstConsNo}`);
    const auth = { authorization: payer.auth.Authorization };
    const accounts = await payableAccounts(hub, payer, firstConsNo, PAYMENTS);
    const started = performance.now();
    await inParallel(PAYMENTS, PAYERS, async (i) => {
      const created = await createOrder(hub, auth, accounts[i], `bench-pay-${firstConsNo + i}`);
      const paid = await payAtCashier(hub, created.payment);
      if (paid.status !== 200) throw new Error(`payment ${i}: cashier answered ${paid.status}`);
    });
    // Done when every order is COMPLETED, read from the database every 20 ms: polling each
    // order over HTTP as fast as a resident's page would load the hub more than the payments do.
    const count = async (sql: string) => Number((await hub.stores.dataSource.query(sql))[0].n);
    while ((await count("SELECT COUNT(*) AS n FROM orders WHERE status NOT IN ('COMPLETED', 'REFUNDED', 'CLOSED')")) > 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const completed = await count("SELECT COUNT(*) AS n FROM orders WHERE status = 'COMPLETED'");
    if (completed !== PAYMENTS) throw new Error(`${PAYMENTS - completed} payments did not complete`);
    return PAYMENTS / seconds;
  } finally {
    await hub.close();
    await stores.close();
  }
}

async function main(): Promise<void> {
  const stores = process.env.DATABASE_URL || process.env.REDIS_URL ? 'MySQL/MariaDB + Redis' : 'SQLite + in-process';
  console.log(`cityhub bench: ${DURATION_S} s per run, ${CONNECTIONS} connections, stores ${stores}, node ${process.version}\n`);

  // Baseline: the least a Koa JSON route can cost on this machine right now.
  const bare = new Koa();
  bare.use((ctx) => {
    ctx.body = { ok: true, cities: [{ code: '410100', name: '郑州市' }] };
  });
  const bareServer = http.createServer(bare.callback());
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/`;

  const sandbox = await startSandbox();
  const hub = await createTestHub({ workers: true, resilience: { billCacheTtlMs: 60_000 } });
  const uncachedHub = await createTestHub({ workers: false, resilience: { billCacheTtlMs: 1 } });
  await seedDemoAdapters(hub, sandbox);
  await seedDemoAdapters(uncachedHub, sandbox);
  const resident = await loginResident(hub, 'bench');
  const auth = { authorization: resident.auth.Authorization };
  const accountId = await bindAccount(hub, resident, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4199000001' } });
  const uncachedResident = await loginResident(uncachedHub, 'bench');
  const uncachedAccount = await bindAccount(uncachedHub, uncachedResident, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo: '4199000002' } });

  const baseline = await load('baseline: bare Koa JSON', bareUrl);
  const search = await load('hub: GET /cities?q=zz', `${hub.url}/api/v1/cities?q=zz`);
  const cached = await load('hub: bill query, cached', `${hub.url}/api/v1/accounts/${accountId}/bills`, { headers: auth });

  // The provider answers in 20 ms; the hub's overhead is what it adds on top.
  await fetch(`${sandbox.providers.grid.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 20 }) });
  // One request at a time: the question is latency added per query, not how a shared event loop queues under load.
  const direct = await load('provider alone (20 ms latency), 1 conn', `${sandbox.providers.grid.url}/api/v2/health`, { connections: 1 });
  const uncached = await load('hub: bill query, uncached, 1 conn', `${uncachedHub.url}/api/v1/accounts/${uncachedAccount}/bills`, { connections: 1, headers: { authorization: uncachedResident.auth.Authorization } });
  await fetch(`${sandbox.providers.grid.url}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 0 }) });

  // Orders: each on its own load-test account, so every request makes a real order.
  const ORDERS = 200;
  const orderAccounts = await payableAccounts(hub, resident, 4199100000, ORDERS);
  const started = performance.now();
  await inParallel(ORDERS, 8, async (i) => void (await createOrder(hub, auth, orderAccounts[i], `bench-${process.pid}-${i}`)));
  const ordersPerSecond = ORDERS / ((performance.now() - started) / 1000);
  console.log(`${'hub: POST /orders (8 concurrent)'.padEnd(34)} ${ordersPerSecond.toFixed(0).padStart(7)} orders/s`);

  // Payments end to end, on both store modes, in this same run.
  const realTarget = {
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cityhub_test',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  const paymentsEmbedded = await completedPaymentsPerSecond(sandbox, {}, 4199200000);
  console.log(`${'payments end to end, embedded'.padEnd(34)} ${paymentsEmbedded.toFixed(0).padStart(7)} completed/s`);
  const paymentsReal = await completedPaymentsPerSecond(sandbox, realTarget, 4199300000);
  console.log(`${'payments end to end, MariaDB+Redis'.padEnd(34)} ${paymentsReal.toFixed(0).padStart(7)} completed/s`);

  const report = {
    date: new Date().toISOString(),
    stores,
    durationS: DURATION_S,
    connections: CONNECTIONS,
    baseline: { rps: baseline.requests.average, p50: baseline.latency.p50, p99: baseline.latency.p99 },
    citySearch: { rps: search.requests.average, rpsVsBaseline: search.requests.average / baseline.requests.average, p99: search.latency.p99 },
    cachedBills: { rps: cached.requests.average, rpsVsBaseline: cached.requests.average / baseline.requests.average, p50: cached.latency.p50, p99: cached.latency.p99 },
    uncachedBills: { providerP50: direct.latency.p50, hubP50: uncached.latency.p50, addedP50Ms: uncached.latency.p50 - direct.latency.p50, hubP99: uncached.latency.p99 },
    ordersPerSecond,
    completedPaymentsPerSecond: { embedded: paymentsEmbedded, mysqlRedis: paymentsReal, payers: PAYERS, payments: PAYMENTS },
  };
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const md = [
    `# cityhub bench (${report.date.slice(0, 10)}, ${stores})`,
    '',
    `${DURATION_S} s per run, ${CONNECTIONS} connections, loopback, one process; ratios against the baseline of the same run.`,
    '',
    '| what | result | against baseline |',
    '| --- | --- | --- |',
    `| bare Koa JSON route (baseline) | ${baseline.requests.average.toFixed(0)} req/s, p99 ${baseline.latency.p99} ms | 100% |`,
    `| GET /cities?q=zz | ${search.requests.average.toFixed(0)} req/s, p99 ${search.latency.p99} ms | ${pct(report.citySearch.rpsVsBaseline)} of baseline throughput |`,
    `| bill query, cached | ${cached.requests.average.toFixed(0)} req/s, p50 ${cached.latency.p50} ms, p99 ${cached.latency.p99} ms | ${pct(report.cachedBills.rpsVsBaseline)} of baseline throughput |`,
    `| bill query, uncached, provider at 20 ms, one request at a time | hub p50 ${uncached.latency.p50} ms vs provider alone p50 ${direct.latency.p50} ms | +${report.uncachedBills.addedP50Ms} ms added by the hub |`,
    `| POST /orders, 8 concurrent | ${ordersPerSecond.toFixed(0)} orders/s | — |`,
    `| payments end to end (order → cashier → notification → write-off → COMPLETED), ${PAYERS} payers, SQLite + in-process | ${paymentsEmbedded.toFixed(0)} completed/s | one payment per ${(baseline.requests.average / paymentsEmbedded).toFixed(0)} baseline requests |`,
    `| the same on MariaDB + Redis | ${paymentsReal.toFixed(0)} completed/s | one payment per ${(baseline.requests.average / paymentsReal).toFixed(0)} baseline requests |`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(root, 'bench-report.md'), md);
  fs.writeFileSync(path.join(root, 'bench-report.json'), JSON.stringify(report, null, 2));
  console.log(`\n${md}`);

  await hub.close();
  await uncachedHub.close();
  await sandbox.close();
  bareServer.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
