/**
 * Crash test (`npm run test:crash`): runs the hub as a child process on
 * MySQL/MariaDB + Redis, drives payments through it while killing it with
 * SIGKILL at random moments and restarting it, then checks that nothing was
 * lost or done twice:
 *   - every payment confirmed at the cashier ends COMPLETED or REFUNDED;
 *   - the provider saw each completed order's write-off exactly once, and no
 *     bill was written off twice;
 *   - the gateway's trade bill, the orders and the write-offs reconcile to the fen.
 *
 *   --payments N   payments to drive (default 500)
 *   --kills K      SIGKILLs during the run (default 5)
 *   --quiet        print only the summary
 *
 * The mock WeChat and the grid simulator run in this process, so they outlive
 * the hub, as the real ones would. Stores: TEST_DATABASE_URL / TEST_REDIS_URL
 * (defaults: the local MariaDB and Redis); a scratch database is created and dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createPool } from 'mysql2/promise';
import { beijingDate } from '../server/src/infra/beijing-time';
import { ensureDevKeys } from '../server/src/payments/wechatpay/keys';
import { createMockWechat } from '../server/sandbox/wechat/mock';
import { startProvider } from '../server/sandbox/providers/run';
import { writeDemoAdapters } from '../server/test/support/sandbox';

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
const PAYMENTS = arg('payments', 500);
const KILLS = arg('kills', 5);
const CONCURRENCY = 8;
const quiet = argv.includes('--quiet');
const say = (line: string) => void (quiet || console.log(`[crash] ${line}`));
const OPERATOR_TOKEN = 'crash-test-operator-token-0123456789';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function main(): Promise<void> {
  const baseDbUrl = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dbName = `cityhub_crash_${process.pid}`;
  const admin = createPool({ uri: baseDbUrl, connectionLimit: 2 });
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const dbUrl = new URL(baseDbUrl);
  dbUrl.pathname = `/${dbName}`;

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-crash-'));
  const keys = ensureDevKeys(path.join(work, 'keys'));
  const wechat = createMockWechat({ keys, retryScheduleScale: 0.002, refundDelayMs: 50 });
  const wechatServer = http.createServer(wechat.app.callback());
  await new Promise<void>((r) => wechatServer.listen(0, '127.0.0.1', r));
  const wechatUrl = `http://127.0.0.1:${(wechatServer.address() as AddressInfo).port}`;
  const grid = await startProvider('grid', 0);

  // The demo grid manifest, pointed at this run's simulator, registered by the hub's own seeding.
  const adaptersDir = path.join(work, 'adapters');
  fs.mkdirSync(adaptersDir);
  writeDemoAdapters(adaptersDir, { grid: grid.url });

  const port = await freePort();
  const hubUrl = `http://127.0.0.1:${port}`;
  const hubEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    DATA_DIR: path.join(work, 'data'),
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redisUrl,
    PUBLIC_URL: hubUrl,
    WECHAT_BASE_URL: wechatUrl,
    WECHAT_KEYS_DIR: path.join(work, 'keys'),
    ADAPTERS_DIR: adaptersDir,
    OPERATOR_TOKENS: `crash:${OPERATOR_TOKEN}`,
    SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  let hub: ChildProcess | null = null;
  const startHub = async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'server/src/main.ts')], { env: hubEnv, stdio: ['ignore', 'ignore', quiet ? 'ignore' : 'inherit'] });
    hub = child;
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`the hub exited during start (code ${child.exitCode})`);
      const ready = await fetch(`${hubUrl}/readyz`).then((r) => r.ok).catch(() => false);
      if (ready) return;
      await sleep(100);
    }
    throw new Error('the hub did not become ready in 30 s');
  };
  const killHub = async () => {
    const child = hub;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };

  /** Calls the hub, waiting out its deaths: connection failures and 5xx are retried with the same request. */
  async function call(method: string, route: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(hubUrl + route, {
          method,
          headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        const body = text ? JSON.parse(text) : null;
        // 409 CONFLICT is an Idempotency-Key whose first attempt is still settling (or died): ask again.
        if (res.status >= 500 || (res.status === 409 && body?.error?.code === 'CONFLICT')) throw new Error(`${res.status} ${text.slice(0, 200)}`);
        return { status: res.status, body };
      } catch (err) {
        if (attempt > 400) throw err;
        await sleep(150);
      }
    }
  }

  async function login(userKey: string): Promise<string> {
    const { code } = (await (await fetch(`${wechatUrl}/sandbox/client/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userKey }) })).json()) as { code: string };
    const res = await call('POST', '/api/v1/auth/login', { body: { code } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  const confirmed: Array<{ orderNo: string; amountFen: number }> = [];
  const problems: string[] = [];

  async function pay(i: number, token: string): Promise<void> {
    const consNo = String(4199000000 + i);
    // A retried bind after a crash may find the account already bound: the answer names it.
    const bound = await call('POST', '/api/v1/accounts', { token, body: { serviceId: 'state-grid', cityCode: '410100', fields: { consNo } } });
    const accountId: string | undefined = bound.status === 201 ? bound.body.account.id : bound.body?.error?.code === 'ACCOUNT_ALREADY_BOUND' ? bound.body.error.details?.accountId : undefined;
    if (!accountId) throw new Error(`bind ${consNo}: ${bound.status} ${JSON.stringify(bound.body)}`);
    const owed = await call('GET', `/api/v1/accounts/${accountId}/bills`, { token });
    if (owed.status !== 200 || owed.body.bills.length !== 1) throw new Error(`bills of ${consNo}: ${owed.status} ${JSON.stringify(owed.body)}`);
    const created = await call('POST', '/api/v1/orders', { token, headers: { 'Idempotency-Key': `crash-${process.pid}-${i}` }, body: { accountId, billRefs: [owed.body.bills[0].ref] } });
    if (created.status !== 201) throw new Error(`order for ${consNo}: ${created.status} ${JSON.stringify(created.body)}`);
    const res = await fetch(`${wechatUrl}/sandbox/cashier/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...created.body.payment, action: 'confirm' }) });
    const paid = (await res.json()) as { errMsg?: string };
    if (paid.errMsg !== 'requestPayment:ok') throw new Error(`cashier for ${consNo}: ${JSON.stringify(paid)}`);
    confirmed.push({ orderNo: created.body.order.orderNo, amountFen: created.body.order.amountFen });
  }

  const started = Date.now();
  let exitCode = 1;
  try {
    await startHub();
    say(`hub up on ${hubUrl} (MySQL ${dbName}, Redis); driving ${PAYMENTS} payments with ${KILLS} SIGKILLs`);
    let next = 0;
    let driving = true;
    const drivers = Array.from({ length: CONCURRENCY }, async (_, w) => {
      const token = await login(`crash-resident-${w}`);
      for (let i = next++; i < PAYMENTS; i = next++) {
        await pay(i, token).catch((err: Error) => problems.push(`payment ${i}: ${err.message}`));
      }
    });
    // Kill points spread over the run by progress, each landing a random few ms into whatever is in flight.
    const killAt = Array.from({ length: KILLS }, () => Math.floor(Math.random() * PAYMENTS * 0.9)).sort((a, b) => a - b);
    const killer = (async () => {
      for (const [k, threshold] of killAt.entries()) {
        while (driving && confirmed.length < threshold) await sleep(5);
        if (!driving) break;
        await sleep(Math.random() * 150);
        await killHub();
        say(`SIGKILL ${k + 1}/${KILLS} after ${confirmed.length} confirmed payments`);
        await sleep(Math.random() * 500);
        await startHub();
      }
    })();
    await Promise.all(drivers);
    driving = false;
    await killer;
    say(`${confirmed.length} payments confirmed in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for every order to settle`);

    // Every confirmed payment must settle: COMPLETED, or REFUNDED if the provider refused it.
    const pool = createPool({ uri: dbUrl.toString(), connectionLimit: 2 });
    const deadline = Date.now() + 120_000;
    let unsettled: Array<{ order_no: string; status: string }> = [];
    for (;;) {
      const [rows] = await pool.query(`SELECT order_no, status FROM orders WHERE status NOT IN ('COMPLETED', 'REFUNDED', 'CLOSED', 'CREATED')`);
      const [created] = await pool.query(`SELECT order_no, status FROM orders WHERE status = 'CREATED' AND order_no IN (?)`, [confirmed.map((c) => c.orderNo).concat('-')]);
      unsettled = [...(rows as typeof unsettled), ...(created as typeof unsettled)];
      if (!unsettled.length || Date.now() > deadline) break;
      await sleep(500);
    }
    const [orderRows] = await pool.query(`SELECT order_no, status, amount_fen, bill_refs FROM orders`);
    await pool.end();
    const orders = orderRows as Array<{ order_no: string; status: string; amount_fen: number | string; bill_refs: string }>;
    const byNo = new Map(orders.map((o) => [o.order_no, o]));
    const journal = grid.provider.ledger.allWriteOffs();

    for (const u of unsettled) problems.push(`order ${u.order_no} stuck in ${u.status}`);
    for (const c of confirmed) {
      const status = byNo.get(c.orderNo)?.status;
      if (status !== 'COMPLETED' && status !== 'REFUNDED') problems.push(`confirmed order ${c.orderNo} is ${status ?? 'missing'}`);
    }
    const completed = orders.filter((o) => o.status === 'COMPLETED');
    const journalNos = new Set(journal.map((w) => w.orderNo));
    if (journal.length !== completed.length) problems.push(`provider recorded ${journal.length} write-offs for ${completed.length} completed orders`);
    for (const o of completed) if (!journalNos.has(o.order_no)) problems.push(`completed order ${o.order_no} has no write-off at the provider`);
    const seenBills = new Set<string>();
    for (const w of journal) {
      for (const ref of w.billRefs) {
        const bill = `${w.accountNo}/${ref}`;
        if (seenBills.has(bill)) problems.push(`bill ${bill} written off twice`);
        seenBills.add(bill);
      }
    }

    const today = beijingDate();
    const rec = await call('POST', '/api/v1/admin/reconciliation', { token: OPERATOR_TOKEN, body: { date: today } });
    const confirmedFen = confirmed.reduce((n, c) => n + c.amountFen, 0);
    if (rec.status !== 200) problems.push(`reconciliation failed: ${rec.status} ${JSON.stringify(rec.body)}`);
    else {
      const r = rec.body;
      if (!r.balanced) problems.push(`reconciliation not balanced: ${JSON.stringify(r.differences.slice(0, 5))}`);
      if (r.totals.gatewayPaidFen !== confirmedFen) problems.push(`gateway paid ${r.totals.gatewayPaidFen} fen, residents confirmed ${confirmedFen} fen`);
      const writtenOffFen = journal.reduce((n, w) => n + w.amountFen, 0);
      if (r.totals.writtenOffFen !== writtenOffFen) problems.push(`hub wrote off ${r.totals.writtenOffFen} fen, the provider recorded ${writtenOffFen} fen`);
      say(`reconciliation: paid ${r.totals.gatewayPaidFen} fen, written off ${r.totals.writtenOffFen} fen, refunded ${r.totals.refundedOrdersFen} fen, ${r.differences.length} differences`);
    }
    console.log(
      `[crash] ${PAYMENTS} payments, ${KILLS} kills: ${confirmed.length} confirmed, ${completed.length} completed, ${orders.filter((o) => o.status === 'REFUNDED').length} refunded, ` +
        `${journal.length} write-offs (${journal.reduce((n, w) => n + w.requests - 1, 0)} repeated requests answered idempotently); ${problems.length ? `${problems.length} PROBLEMS` : 'nothing lost, nothing doubled'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    for (const p of problems.slice(0, 20)) console.log(`[crash]   ${p}`);
    exitCode = problems.length || confirmed.length !== PAYMENTS ? 1 : 0;
  } finally {
    await killHub();
    wechat.close();
    wechatServer.closeAllConnections();
    wechatServer.close();
    await grid.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => undefined);
    await admin.end();
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(`[crash] ${(err as Error).stack ?? err}`);
  process.exit(1);
});
