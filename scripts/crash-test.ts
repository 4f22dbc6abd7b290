/**
 * Crash test (`npm run test:crash`): the hub as a real process on MySQL/MariaDB
 * + Redis, the mock WeChat and the grid simulator each in its own process
 * (scripts/lib/stack.ts). Drives payments while the hub is SIGKILLed and
 * restarted, then checks that nothing was lost or done twice:
 *   - every payment confirmed at the cashier ends COMPLETED or REFUNDED;
 *   - the provider's journal (read over HTTP) has each completed order's
 *     write-off exactly once, and no bill written off twice;
 *   - the gateway's trade bill, the orders and the write-offs reconcile to the fen;
 *   - each of the three moments that matter was hit at least once:
 *       notify-committed    the notification's change committed, its answer not yet sent
 *       outbox-claimed      an outbox row claimed, the provider not yet asked
 *       provider-answered   the provider answered the write-off, COMPLETED not yet committed
 *     (server/src/infra/crash-points.ts: each hub life is armed with one of
 *     them in rotation, and SIGKILLs itself when a payment passes it);
 *   - no hub process outlives the test.
 * The other kills come from a timer, from outside, at random moments of the run.
 * Every kill is reported: the pid killed, how, and the pid that served next.
 *
 *   --payments N   payments to drive (default 500)
 *   --kills K      kills during the run (default 5; the first three are the crash points)
 *   --quiet        print only the summary and the kills
 *
 * Stores: TEST_DATABASE_URL / TEST_REDIS_URL (defaults: the local MariaDB and
 * Redis); a scratch database is created and dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createPool } from 'mysql2/promise';
import { beijingDate } from '../server/src/infra/beijing-time';
import { CRASH_POINTS, type CrashPoint } from '../server/src/infra/crash-points';
import { DEFAULT_REDIS_URL, HubExitedDuringStart, createScratchDatabase, isAlive, raisedRateLimits, sleep, startStack, type Stack } from './lib/stack';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
const PAYMENTS = arg('payments', 500);
const KILLS = arg('kills', 5);
const CONCURRENCY = 8;
const quiet = argv.includes('--quiet');
const say = (line: string) => void (quiet || console.log(`[crash] ${line}`));

/** How the kills of a run are made: the crash points first (each at least once when there are three kills or more), then timers. */
function plan(kills: number): Array<CrashPoint | 'timer'> {
  const points = Math.max(Math.min(kills, CRASH_POINTS.length), Math.ceil(kills / 2));
  return Array.from({ length: kills }, (_, k) => (k < points ? CRASH_POINTS[k % CRASH_POINTS.length] : 'timer'));
}

interface Kill {
  how: string;
  pid: number;
  gone: boolean;
  /** The pid that served after the restart (and how long the restart took). */
  nextPid?: number;
  /** False when the next life died at its crash point before it answered /readyz (the next kill says so). */
  nextServed?: boolean;
  restartMs?: number;
  afterConfirmed: number;
}

async function main(): Promise<void> {
  const kinds = plan(KILLS);
  const pointKills = kinds.filter((k): k is CrashPoint => k !== 'timer');
  const timerKills = kinds.length - pointKills.length;
  // Each armed life dies at its point after about PAYMENTS / (3 × (points + 1)) passages, early enough that all fire in the run.
  const probability = Math.min(1, Math.max(0.01, (3 * (pointKills.length + 1)) / PAYMENTS));

  const db = await createScratchDatabase('crash');
  const crashLog = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'cityhub-crashlog-')), 'crash-points.log');
  fs.writeFileSync(crashLog, '');
  // An empty value disarms: a restart's env is laid over the first life's.
  const armedEnv = (point: CrashPoint | undefined): Record<string, string> => ({ CITYHUB_CRASH_POINTS: point ? `${point}:${probability}` : '' });

  let stack: Stack | undefined;
  const kills: Kill[] = [];
  const confirmed: Array<{ orderNo: string; amountFen: number }> = [];
  const problems: string[] = [];
  const started = Date.now();
  let exitCode = 1;
  try {
    stack = await startStack({
      hubs: 1,
      databaseUrl: db.url,
      redisUrl: process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL,
      providers: ['grid'],
      env: { CITYHUB_CRASH_LOG: crashLog, ...raisedRateLimits(), ...armedEnv(pointKills[0]) },
    });
    const hubUrl = stack.hubUrls[0];
    const wechatUrl = stack.wechatUrl;
    say(`hub pid ${stack.pid(0)} up on ${hubUrl} (${stack.runtime}; MySQL ${db.name}, Redis); ${PAYMENTS} payments, kills: ${kinds.join(', ')} (crash points armed at p=${probability.toFixed(3)})`);

    let broken: Error | undefined; // the hub could not be restarted: nothing more to wait for
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
          if (attempt > 400 || broken) throw broken ?? err;
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

    const crashLines = () =>
      fs
        .readFileSync(crashLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' '))
        .map(([, point, pid]) => ({ point: point as CrashPoint, pid: Number(pid) }));

    // The supervisor: every death of the hub is recorded and followed by a restart, armed with the next crash point.
    let armedIndex = 0; // into pointKills: the point the current life is armed with (past the end: unarmed)
    let timersLeft = timerKills;
    const timerKilled = new Set<number>();
    let finish!: () => void;
    const finished = new Promise<null>((resolve) => (finish = () => resolve(null)));
    let isFinished = false;
    void finished.then(() => (isFinished = true));
    const s = stack;
    const report = (kill: Kill) => {
      const point = pointKills[armedIndex];
      const next = kill.nextServed ? `pid ${kill.nextPid} serves next (ready in ${kill.restartMs} ms)` : `pid ${kill.nextPid} started next and died while starting`;
      say(`kill ${kills.indexOf(kill) + 1}/${KILLS}: pid ${kill.pid} ${kill.how} after ${kill.afterConfirmed} confirmed payments; gone: ${kill.gone}; ${next}${point ? `, armed at ${point}` : ''}`);
    };
    /** Starts the next life; a life that dies at its crash point while it boots (settling old outbox rows) is a kill too. */
    const restart = async (kill: Kill): Promise<void> => {
      for (;;) {
        const began = Date.now();
        try {
          const hub = await s.restart(0, { env: armedEnv(pointKills[armedIndex]) });
          kill.nextPid = hub.pid;
          kill.nextServed = true;
          kill.restartMs = Date.now() - began;
          return report(kill);
        } catch (err) {
          const fired = err instanceof HubExitedDuringStart ? crashLines().find((c) => c.pid === err.pid) : undefined;
          if (!fired || !(err instanceof HubExitedDuringStart)) throw err;
          kill.nextPid = err.pid;
          kill.restartMs = Date.now() - began;
          report(kill);
          if (fired.point !== pointKills[armedIndex]) problems.push(`hub pid ${err.pid} died at ${fired.point}, armed at ${pointKills[armedIndex] ?? 'nothing'}`);
          kill = { how: `died at crash point ${fired.point} while starting (${err.ended})`, pid: err.pid, gone: !isAlive(err.pid), afterConfirmed: confirmed.length };
          kills.push(kill);
          armedIndex++;
        }
      }
    };
    const fatal = (err: Error) => {
      broken = err;
      problems.push(`the hub could not be restarted: ${err.message}`);
    };
    const supervisor = (async () => {
      while (!isFinished && !broken) {
        const life = s.pid(0);
        if (life === undefined) {
          await sleep(20); // a restart is under way
          continue;
        }
        const ended = await Promise.race([s.exited(0), finished]);
        if (!ended) break;
        const fired = crashLines().find((c) => c.pid === ended.pid);
        if (!fired && timerKilled.has(ended.pid)) {
          // The timer's kill: it restarts the hub itself.
          while (!isFinished && (s.pid(0) === undefined || s.pid(0) === ended.pid)) await sleep(20);
          continue;
        }
        if (!fired) problems.push(`hub pid ${ended.pid} died unexpectedly (${ended.ended}) with no crash point recorded`);
        else if (fired.point !== pointKills[armedIndex]) problems.push(`hub pid ${ended.pid} died at ${fired.point}, armed at ${pointKills[armedIndex] ?? 'nothing'}`);
        const kill: Kill = { how: `died at crash point ${fired?.point ?? '(none)'} (${ended.ended})`, pid: ended.pid, gone: !isAlive(ended.pid), afterConfirmed: confirmed.length };
        kills.push(kill);
        armedIndex++;
        await restart(kill);
      }
    })().catch(fatal);

    // Timer kills land at random moments spread over the run, from outside.
    const timerAt = Array.from({ length: timerKills }, () => Math.floor(PAYMENTS * (0.1 + 0.8 * Math.random()))).sort((a, b) => a - b);
    let driving = true;
    const timers = (async () => {
      for (const threshold of timerAt) {
        while (driving && !broken && confirmed.length < threshold) await sleep(5);
        if (!driving) break;
        await sleep(Math.random() * 150);
        while (!broken) {
          const pid = s.pid(0);
          if (pid === undefined) {
            await sleep(20); // a crash point's restart is under way
            continue;
          }
          timerKilled.add(pid);
          const killed = await s.kill(0).catch(() => undefined);
          if (!killed) continue; // it died at its crash point just now; the supervisor restarts it
          if (crashLines().some((c) => c.pid === pid)) continue; // likewise, a moment before the SIGKILL
          timersLeft--;
          const kill: Kill = { how: 'SIGKILLed by the timer', pid: killed.pid, gone: !isAlive(killed.pid), afterConfirmed: confirmed.length };
          kills.push(kill);
          await sleep(Math.random() * 300);
          await restart(kill);
          break;
        }
      }
    })().catch(fatal);

    let next = 0;
    const drivers = Array.from({ length: CONCURRENCY }, async (_, w) => {
      const token = await login(`crash-resident-${w}`);
      for (let i = next++; i < PAYMENTS; i = next++) {
        await pay(i, token).catch((err: Error) => problems.push(`payment ${i}: ${err.message}`));
      }
    });
    await Promise.all(drivers);
    driving = false;
    await timers;
    say(`${confirmed.length} payments confirmed in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for every order to settle`);

    // Every confirmed payment must settle: COMPLETED, or REFUNDED if the provider refused it.
    const pool = createPool({ uri: db.url, connectionLimit: 2 });
    const deadline = Date.now() + 120_000;
    let unsettled: Array<{ order_no: string; status: string }> = [];
    for (;;) {
      const [rows] = await pool.query(`SELECT order_no, status FROM orders WHERE status NOT IN ('COMPLETED', 'REFUNDED', 'CLOSED', 'CREATED')`);
      const [created] = await pool.query(`SELECT order_no, status FROM orders WHERE status = 'CREATED' AND order_no IN (?)`, [confirmed.map((c) => c.orderNo).concat('-')]);
      unsettled = [...(rows as typeof unsettled), ...(created as typeof unsettled)];
      if (!unsettled.length || Date.now() > deadline || broken) break;
      await sleep(500);
    }
    finish();
    await supervisor;
    const [orderRows] = await pool.query(`SELECT order_no, status, amount_fen, bill_refs FROM orders`);
    await pool.end();
    const orders = orderRows as Array<{ order_no: string; status: string; amount_fen: number | string; bill_refs: string }>;
    const byNo = new Map(orders.map((o) => [o.order_no, o]));
    const journal = await stack.writeOffs('grid');

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
    const rec = await call('POST', '/api/v1/admin/reconciliation', { token: stack.operatorToken, body: { date: today } });
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

    // The moments that matter, each hit at least once; every killed pid gone; every restart served by a new pid.
    const hit = new Set(crashLines().map((c) => c.point));
    for (const point of new Set(pointKills)) if (!hit.has(point)) problems.push(`crash point ${point} was never hit`);
    if (timersLeft > 0) problems.push(`${timersLeft} timer kills did not happen`);
    for (const k of kills) {
      if (!k.gone) problems.push(`pid ${k.pid} still existed after it was killed`);
      if (!k.nextPid || k.nextPid === k.pid) problems.push(`no new hub process served after pid ${k.pid} was killed`);
    }
    if (kills.length !== KILLS) problems.push(`${kills.length} kills happened, ${KILLS} were planned`);

    const finalPid = stack.pid(0);
    const s2 = stack;
    stack = undefined;
    let hubsLeft = false;
    await s2.stop().catch((err: Error) => {
      hubsLeft = true;
      problems.push(err.message);
    });
    if (finalPid !== undefined && isAlive(finalPid)) {
      hubsLeft = true;
      problems.push(`hub pid ${finalPid} outlived the test`);
    }

    if (quiet) {
      for (const [n, k] of kills.entries()) console.log(`[crash] kill ${n + 1}: pid ${k.pid} ${k.how}; gone: ${k.gone}; pid ${k.nextPid ?? '-'} ${k.nextServed ? 'served next' : 'started next and died while starting'}`);
    }
    console.log(
      `[crash] ${PAYMENTS} payments, ${kills.length} kills (${[...hit].sort().join(', ') || 'no crash point'} hit${timerKills ? `, ${timerKills - timersLeft} by timer` : ''}): ` +
        `${confirmed.length} confirmed, ${completed.length} completed, ${orders.filter((o) => o.status === 'REFUNDED').length} refunded, ` +
        `${journal.length} write-offs (${journal.reduce((n, w) => n + w.requests - 1, 0)} repeated requests answered idempotently); ${hubsLeft ? 'HUB PROCESSES LEFT' : 'no hub process left'}; ` +
        `${problems.length ? `${problems.length} PROBLEMS` : 'nothing lost, nothing doubled'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    for (const p of problems.slice(0, 20)) console.log(`[crash]   ${p}`);
    exitCode = problems.length || confirmed.length !== PAYMENTS ? 1 : 0;
  } finally {
    if (stack) await stack.stop().catch((err: Error) => console.log(`[crash]   ${err.message}`));
    await db.drop().catch(() => undefined);
    fs.rmSync(path.dirname(crashLog), { recursive: true, force: true });
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(`[crash] ${(err as Error).stack ?? err}`);
  process.exit(1);
});
