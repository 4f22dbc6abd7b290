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
import { CRASH_POINTS, type CrashPoint } from '../server/src/infra/crash-points';
import { checkBooks, hubClient, login, payOneBill, waitForSettlement, type ConfirmedPayment } from './lib/payments';
import { DEFAULT_REDIS_URL, HubExitedDuringStart, createScratchDatabase, isAlive, raisedRateLimits, sleep, startStack, type Stack } from './lib/stack';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
const PAYMENTS = arg('payments', 500);
const KILLS = arg('kills', 5);
const CONCURRENCY = 8;
const quiet = argv.includes('--quiet');
const say = (line: string): void => {
  if (!quiet) console.log(`[crash] ${line}`);
};

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
  const confirmed: ConfirmedPayment[] = [];
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
    const client = hubClient(stack.hubUrls);

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
          report(kill);
          return;
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
      client.abort(err);
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
      const token = await login(client, wechatUrl, `crash-resident-${w}`);
      for (let i = next++; i < PAYMENTS; i = next++) {
        await payOneBill(client, wechatUrl, token, i, `crash-${process.pid}`)
          .then((paid) => confirmed.push(paid))
          .catch((err: unknown) => problems.push(`payment ${i}: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
    await Promise.all(drivers);
    driving = false;
    await timers;
    say(`${confirmed.length} payments confirmed in ${((Date.now() - started) / 1000).toFixed(1)} s; waiting for every order to settle`);

    // Every confirmed payment must settle: COMPLETED, or REFUNDED if the provider refused it.
    const unsettled = await waitForSettlement(db.url, confirmed, 120_000, () => !!broken);
    finish();
    await supervisor;
    if (unsettled.length) problems.push(`${unsettled.length} orders still unsettled after the wait (${[...new Set(unsettled.map((u) => u.status))].join(', ')})`);
    const books = await checkBooks({ databaseUrl: db.url, confirmed, journal: await stack.writeOffs('grid'), client, operatorToken: stack.operatorToken });
    problems.push(...books.problems);
    const r = books.reconciliation;
    if (r) say(`reconciliation: paid ${r.gatewayPaidFen} fen, written off ${r.writtenOffFen} fen, refunded ${r.refundedOrdersFen} fen, ${r.differences} differences`);

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
    await s2.stop().catch((err: unknown) => {
      hubsLeft = true;
      problems.push(err instanceof Error ? err.message : String(err));
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
        `${confirmed.length} confirmed, ${books.completed} completed, ${books.refunded} refunded, ` +
        `${books.writeOffs} write-offs (${books.repeatedWriteOffs} repeated requests answered idempotently); ${hubsLeft ? 'HUB PROCESSES LEFT' : 'no hub process left'}; ` +
        `${problems.length ? `${problems.length} PROBLEMS` : 'nothing lost, nothing doubled'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    for (const p of problems.slice(0, 20)) console.log(`[crash]   ${p}`);
    exitCode = problems.length || confirmed.length !== PAYMENTS ? 1 : 0;
  } finally {
    if (stack) await stack.stop().catch((err: unknown) => console.log(`[crash]   ${err instanceof Error ? err.message : String(err)}`));
    await db.drop().catch(() => undefined);
    fs.rmSync(path.dirname(crashLog), { recursive: true, force: true });
  }
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  console.error(`[crash] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
