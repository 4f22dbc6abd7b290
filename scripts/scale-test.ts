/**
 * Scale-out test (`npm run test:scale`; issue 8, part 6): two hub processes on
 * one MariaDB + Redis behind a round-robin balancer, the mock WeChat and the
 * grid simulator each in its own process (scripts/lib/stack.ts).
 *
 *   - payments spread over both hubs (request k starts on hub k mod 2 and
 *     moves to the other when one is down);
 *   - the gateway delivers every notification twice, each copy after a random
 *     delay (out of order), through the balancer, so both hubs see the same
 *     notification, often at the same moment;
 *   - hubs are SIGKILLed now and then and restarted (pid killed, pid next);
 *   - then: every paid order COMPLETED or REFUNDED, 0 double credits (PAID
 *     once per order), 0 double write-offs in the provider's journal, the day
 *     reconciles to the fen;
 *   - an adapter registered and activated through hub 1 is served by hub 2
 *     (its city lists it) within 1 s: the time is measured and reported.
 * Prints one summary line; exits non-zero on any problem or if a hub process
 * outlives the test.
 *
 *   --payments N   payments (default 10000)
 *   --short        the CI size: 500 payments, 2 kills
 *   --kills K      SIGKILLs during the run (default 6; 2 with --short)
 *   --quiet        only the kills and the summary
 *
 * Stores: TEST_DATABASE_URL / TEST_REDIS_URL (defaults: the local MariaDB and
 * Redis); a scratch database is created and dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { checkBooks, hubClient, login, payOneBill, waitForSettlement, type ConfirmedPayment, type HubClient } from './lib/payments';
import { DEFAULT_REDIS_URL, REPO_ROOT, createScratchDatabase, isAlive, raisedRateLimits, sleep, startStack, type Stack } from './lib/stack';

const argv = process.argv.slice(2);
const short = argv.includes('--short');
const arg = (name: string, fallback: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
const PAYMENTS = arg('payments', short ? 500 : 10_000);
const KILLS = arg('kills', short ? 2 : 6);
const CONCURRENCY = 16;
const PROPAGATION_LIMIT_MS = 1000;
const quiet = argv.includes('--quiet');
const say = (line: string): void => {
  if (!quiet) console.log(`[scale] ${line}`);
};

/** The state-grid demo manifest as a new adapter for one city no other electricity adapter covers (武汉). */
function probeManifest(gridUrl: string): { id: string; cityCode: string; manifest: Record<string, unknown> } {
  // Only the transport is read; the rest of the manifest is copied as it is.
  const demo = z
    .looseObject({ transport: z.record(z.string(), z.unknown()) })
    .parse(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'config', 'adapters', 'state-grid.manifest.json'), 'utf8')));
  const id = 'scale-probe-grid';
  const cityCode = '420100';
  const manifest = { ...demo, id, version: '1.0.0', name: '电费（扩容探针）', coverage: { cities: [cityCode] }, transport: { ...demo.transport, baseUrl: gridUrl } };
  return { id, cityCode, manifest };
}

/**
 * Registers and activates the probe adapter through hub 1 and measures how long
 * after activation returns hub 2 serves it (its city lists it). Activation is
 * forced: the probe's conformance is not what this measures.
 */
async function measurePropagation(stack: Stack, client: HubClient, token: string): Promise<{ ms: number; problems: string[] }> {
  const gridUrl = stack.providerUrls.grid;
  if (gridUrl === undefined) throw new Error('the scale stack runs no grid simulator');
  const { id, cityCode, manifest } = probeManifest(gridUrl);
  const problems: string[] = [];
  const op = { token: stack.operatorToken };
  const added = await client.call('POST', '/api/v1/admin/adapters', { ...op, body: manifest, hub: 0 });
  if (added.status !== 201 && added.status !== 200) return { ms: NaN, problems: [`registering ${id} through hub 1: ${added.status} ${JSON.stringify(added.body).slice(0, 300)}`] };
  const listed = async (hub: number) => {
    const res = await fetch(`${stack.hubUrls[hub]}/api/v1/cities/${cityCode}`, { headers: { authorization: `Bearer ${token}` } });
    return res.ok && (await res.text()).includes(id);
  };
  if (await listed(1)) problems.push(`hub 2 served ${id} before it was activated`);
  const activated = await client.call('POST', `/api/v1/admin/adapters/${id}/activate`, { ...op, body: { force: true }, hub: 0 });
  const returned = Date.now();
  if (activated.status !== 200) return { ms: NaN, problems: [...problems, `activating ${id} through hub 1: ${activated.status} ${JSON.stringify(activated.body).slice(0, 300)}`] };
  for (;;) {
    if (await listed(1).catch(() => false)) break;
    if (Date.now() - returned > 10_000) return { ms: NaN, problems: [...problems, `hub 2 did not serve ${id} within 10 s of its activation through hub 1`] };
    await sleep(5);
  }
  const ms = Date.now() - returned;
  if (ms > PROPAGATION_LIMIT_MS) problems.push(`hub 2 served ${id} ${ms} ms after its activation through hub 1 (limit ${PROPAGATION_LIMIT_MS} ms)`);
  return { ms, problems };
}

async function main(): Promise<void> {
  const started = Date.now();
  const db = await createScratchDatabase('scale');
  let stack: Stack | undefined;
  const problems: string[] = [];
  const confirmed: ConfirmedPayment[] = [];
  const kills: Array<{ hub: number; pid: number; gone: boolean; nextPid?: number; afterConfirmed: number }> = [];
  let exitCode = 1;
  try {
    stack = await startStack({
      hubs: 2,
      databaseUrl: db.url,
      redisUrl: process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL,
      providers: ['grid'],
      balancer: true,
      wechat: { duplicateNotifications: true, notifyJitterMs: 300 },
      env: raisedRateLimits(),
    });
    const s = stack;
    say(`hubs ${s.hubs().map((h) => `pid ${h.pid} on ${h.url}`).join(', ')} (${s.runtime}; MySQL ${db.name}, Redis); notifications twice, out of order, via ${s.publicUrl}; ${PAYMENTS} payments, ${KILLS} kills`);
    const client = hubClient(s.hubUrls);
    const wechatUrl = s.wechatUrl;

    // The adapter activated through hub 1 and served by hub 2, measured before the load (an idle hub is the fair figure) …
    const operatorResident = await login(client, wechatUrl, 'scale-operator-check');
    const propagation = await measurePropagation(s, client, operatorResident);
    problems.push(...propagation.problems);
    say(`adapter activated through hub 1 served by hub 2 after ${propagation.ms} ms`);

    // … then the payments, with kills from outside at random moments.
    let driving = true;
    let broken: Error | undefined;
    const killAt = Array.from({ length: KILLS }, () => Math.floor(PAYMENTS * (0.1 + 0.8 * Math.random()))).sort((a, b) => a - b);
    const killer = (async () => {
      for (const [k, threshold] of killAt.entries()) {
        while (driving && confirmed.length < threshold) await sleep(10);
        if (!driving) break;
        await sleep(Math.random() * 200);
        const hub = k % 2;
        const killed = await s.kill(hub);
        const kill = { hub, pid: killed.pid, gone: !isAlive(killed.pid), afterConfirmed: confirmed.length, nextPid: undefined as number | undefined };
        kills.push(kill);
        await sleep(Math.random() * 500);
        const next = await s.restart(hub);
        kill.nextPid = next.pid;
        say(`kill ${k + 1}/${KILLS}: hub ${hub + 1} pid ${killed.pid} SIGKILLed after ${kill.afterConfirmed} confirmed payments; gone: ${kill.gone}; pid ${next.pid} serves next (ready in ${next.readyMs} ms)`);
      }
    })().catch((err: unknown) => {
      broken = err instanceof Error ? err : new Error(String(err));
      client.abort(broken);
      problems.push(`a hub could not be restarted: ${broken.message}`);
    });

    const drivingStarted = Date.now();
    let next = 0;
    let failures = 0;
    const drivers = Array.from({ length: CONCURRENCY }, async (_, w) => {
      const token = await login(client, wechatUrl, `scale-resident-${w}`);
      for (let i = next++; i < PAYMENTS; i = next++) {
        await payOneBill(client, wechatUrl, token, i, `scale-${process.pid}`)
          .then((paid) => confirmed.push(paid))
          .catch((err: unknown) => {
            if (failures++ < 20) problems.push(`payment ${i}: ${err instanceof Error ? err.message : String(err)}`);
          });
        if (!quiet && i % 1000 === 999) say(`${confirmed.length} confirmed (${(confirmed.length / ((Date.now() - drivingStarted) / 1000)).toFixed(0)}/s)`);
      }
    });
    await Promise.all(drivers);
    driving = false;
    await killer;
    const drivingS = (Date.now() - drivingStarted) / 1000;
    if (failures > 20) problems.push(`… ${failures - 20} more payments failed`);
    say(`${confirmed.length} payments confirmed in ${drivingS.toFixed(1)} s (${(confirmed.length / drivingS).toFixed(0)}/s); waiting for every order to settle`);

    const unsettled = await waitForSettlement(db.url, confirmed, 180_000, () => !!broken);
    const settledS = (Date.now() - drivingStarted) / 1000;
    if (unsettled.length) problems.push(`${unsettled.length} orders still unsettled after the wait (${[...new Set(unsettled.map((u) => u.status))].join(', ')})`);

    // Every notification went out twice and both copies were answered.
    const deliveries = (await (await fetch(`${wechatUrl}/sandbox/notifications`)).json()) as { events: number; copies: number; attempts: number; acknowledged: number; unacknowledged: unknown[] };
    if (deliveries.copies !== 2 * deliveries.events) problems.push(`the gateway sent ${deliveries.copies} copies of ${deliveries.events} notifications (expected two each)`);
    if (deliveries.unacknowledged.length) problems.push(`${deliveries.unacknowledged.length} notifications never acknowledged: ${JSON.stringify(deliveries.unacknowledged.slice(0, 3))}`);

    const books = await checkBooks({ databaseUrl: db.url, confirmed, journal: await s.writeOffs('grid'), client, operatorToken: s.operatorToken });
    problems.push(...books.problems.slice(0, 30));
    if (books.problems.length > 30) problems.push(`… ${books.problems.length - 30} more problems in the books`);
    for (const k of kills) {
      if (!k.gone) problems.push(`pid ${k.pid} still existed after its SIGKILL`);
      if (!k.nextPid || k.nextPid === k.pid) problems.push(`no new hub process served after pid ${k.pid} was killed`);
    }
    if (kills.length !== KILLS && !broken) problems.push(`${kills.length} kills happened, ${KILLS} were planned`);

    stack = undefined;
    let hubsLeft = false;
    await s.stop().catch((err: unknown) => {
      hubsLeft = true;
      problems.push(err instanceof Error ? err.message : String(err));
    });

    const r = books.reconciliation;
    console.log(
      `[scale] 2 hubs, ${PAYMENTS} payments (${confirmed.length} confirmed, ${(confirmed.length / drivingS).toFixed(0)}/s, ${unsettled.length ? `${unsettled.length} NOT settled` : 'all settled'} ${settledS.toFixed(0)} s after the first), ` +
        `${deliveries.events} notifications × 2 (${deliveries.attempts} deliveries), ${kills.length} SIGKILLs: ` +
        `${books.completed} completed, ${books.refunded} refunded, ${books.doubleCredits} double credits, ${books.doubleWriteOffs} double write-offs, ` +
        `${r ? `reconciled ${r.differences === 0 ? 'to the fen' : `with ${r.differences} differences`} (${r.gatewayPaidFen} fen)` : 'NOT reconciled'}; ` +
        `adapter on hub 2 ${propagation.ms} ms after activation on hub 1; ${hubsLeft ? 'HUB PROCESSES LEFT' : 'no hub process left'}; ` +
        `${problems.length ? `${problems.length} PROBLEMS` : 'OK'} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    for (const p of problems.slice(0, 40)) console.log(`[scale]   ${p}`);
    exitCode = problems.length || confirmed.length !== PAYMENTS ? 1 : 0;
  } finally {
    if (stack) await stack.stop().catch((err: unknown) => console.log(`[scale]   ${err instanceof Error ? err.message : String(err)}`));
    await db.drop().catch(() => undefined);
  }
  process.exit(exitCode);
}

main().catch((err: unknown) => {
  console.error(`[scale] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
