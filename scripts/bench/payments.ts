/**
 * The bench's payment driver, in its own process: residents paying grid bills
 * end to end (order → cashier confirm at the mock WeChat → the gateway's
 * signed notification → outbox write-off at the provider → COMPLETED).
 *
 * Untimed setup: `payers` residents log in, each on hub `payer % hubs` (round
 * robin per payer), and bind `payments` distinct grid load-test accounts
 * (consNo from `firstConsNo`; each owes one generated bill), or as many as
 * `bindForS` allows.
 * Timed: every payer orders and confirms at the cashier, one payment after
 * another, until all are issued (or `issueForS` has passed); then the driver
 * waits until the provider's journal holds every write-off, and reads every
 * order's timeline through GET /api/v1/orders/:id. The rate is completed
 * orders over [first order sent, last COMPLETED in a timeline]; PAID → COMPLETED
 * is read from each timeline. One JSON argument, one JSON line out.
 */
import { cpuShares, cpuSnapshot, type CpuShares } from './cpu';
import { quantile } from './load';
import { bindGridAccount, inParallel, json, login, owedBillRefs, retrying } from './resident';

export interface PaymentJob {
  hubs: string[];
  wechatUrl: string;
  /** The grid simulator: its write-off journal tells when the pipeline has caught up. */
  gridUrl: string;
  payments: number;
  payers: number;
  /** Stop binding more accounts after this long: the run then pays the ones bound (a slow machine must not stall the bench). */
  bindForS: number;
  firstConsNo: number;
  /** Stop issuing new payments after this long (a slow pipeline must not stall the whole bench). */
  issueForS: number;
  /** Give up waiting for completions this long after the last payment was issued. */
  drainForS: number;
}

export interface PaymentResult {
  /** Accounts bound before the timed window (fewer than asked when binding hit its time cap). */
  bound: number;
  issued: number;
  failedToIssue: number;
  completed: number;
  notCompleted: Record<string, number>;
  seconds: number;
  completedPerSecond: number;
  issuedPerSecond: number;
  paidToCompletedMs: { p50: number; p99: number; max: number };
  orderToCompletedMs: { p50: number; p99: number };
  setupSeconds: number;
  /** Where the CPU went from the first order to the last write-off (see cpu.ts). */
  cpu: CpuShares;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function writeOffCount(gridUrl: string): Promise<number> {
  return (await json<{ writeOffs: unknown[] }>(await fetch(`${gridUrl}/__sandbox/writeoffs`), 'write-off journal')).writeOffs.length;
}

interface Timeline {
  order: { status: string; createdAt: string; timeline: Array<{ status: string; at: string }> };
}

export async function drivePayments(job: PaymentJob): Promise<PaymentResult> {
  const setupStarted = performance.now();
  const hubOf = (payer: number) => job.hubs[payer % job.hubs.length];
  const payers = Math.min(job.payers, job.payments);
  const auth: string[] = [];
  await inParallel(payers, 16, async (p) => void (auth[p] = await retrying(() => login(hubOf(p), job.wechatUrl, `bench-payer-${job.firstConsNo}-${p}`))));

  // Account i belongs to payer i % payers and is paid through that payer's hub.
  const accounts: Array<{ accountId: string; ref: string; payer: number }> = [];
  const bindUntil = Date.now() + job.bindForS * 1000;
  await inParallel(job.payments, 16, async (i) => {
    if (Date.now() > bindUntil) return;
    const p = i % payers;
    const accountId = await retrying(() => bindGridAccount(hubOf(p), auth[p], job.firstConsNo + i));
    const refs = await retrying(() => owedBillRefs(hubOf(p), auth[p], accountId));
    if (!refs.length) throw new Error(`account ${job.firstConsNo + i} owes nothing: is the grid simulator fresh?`);
    accounts[i] = { accountId, ref: refs[0], payer: p };
  });
  const bound = accounts.filter(Boolean);
  const journalBefore = await writeOffCount(job.gridUrl);
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  const cpuBefore = cpuSnapshot(process.ppid);
  const startedAt = Date.now();
  const issueUntil = startedAt + job.issueForS * 1000;
  const orders: Array<{ id: string; hub: string; payer: number }> = [];
  let failedToIssue = 0;
  let lastIssuedAt = startedAt;
  await Promise.all(
    Array.from({ length: payers }, async (_, p) => {
      for (const account of bound.filter((a) => a.payer === p)) {
        if (Date.now() >= issueUntil) break;
        try {
          const created = await json<{ order: { id: string }; payment: Record<string, string> }>(
            await fetch(`${hubOf(p)}/api/v1/orders`, {
              method: 'POST',
              headers: { authorization: auth[p], 'content-type': 'application/json', 'idempotency-key': `bench-${account.accountId}` },
              body: JSON.stringify({ accountId: account.accountId, billRefs: [account.ref] }),
            }),
            'order',
            201,
          );
          await json(
            await fetch(`${job.wechatUrl}/sandbox/cashier/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...created.payment, action: 'confirm' }) }),
            'cashier',
          );
          orders.push({ id: created.order.id, hub: hubOf(p), payer: p });
          lastIssuedAt = Date.now();
        } catch (err) {
          failedToIssue++;
          if (failedToIssue <= 3) process.stderr.write(`payment on account ${account.accountId}: ${(err as Error).message}\n`);
        }
      }
    }),
  );

  // The provider's journal is cheap to watch and says when the last write-off happened;
  // the timelines (read afterwards, untimed) say when each order became COMPLETED.
  const drainUntil = Date.now() + job.drainForS * 1000;
  while ((await writeOffCount(job.gridUrl)) - journalBefore < orders.length && Date.now() < drainUntil) await sleep(50);
  const cpu = cpuShares(cpuBefore, cpuSnapshot(process.ppid));

  const timelines: Timeline[] = [];
  await inParallel(orders.length, 16, async (k) => {
    const { id, hub, payer } = orders[k];
    for (let attempt = 0; ; attempt++) {
      const detail = await json<Timeline>(await fetch(`${hub}/api/v1/orders/${id}`, { headers: { authorization: auth[payer] } }), `order ${id}`);
      // A write-off in the journal is committed as COMPLETED a moment later.
      if (detail.order.status === 'COMPLETED' || attempt >= 20 || Date.now() > drainUntil) {
        timelines[k] = detail;
        return;
      }
      await sleep(50);
    }
  });

  const at = (t: Timeline, status: string) => {
    const event = t.order.timeline.find((e) => e.status === status);
    return event ? Date.parse(event.at) : NaN;
  };
  const done = timelines.filter((t) => t.order.status === 'COMPLETED');
  const notCompleted: Record<string, number> = {};
  for (const t of timelines) if (t.order.status !== 'COMPLETED') notCompleted[t.order.status] = (notCompleted[t.order.status] ?? 0) + 1;
  const lastCompleted = Math.max(...done.map((t) => at(t, 'COMPLETED')));
  const seconds = done.length ? (lastCompleted - startedAt) / 1000 : NaN;
  const paidToCompleted = done.map((t) => at(t, 'COMPLETED') - at(t, 'PAID')).filter(Number.isFinite).sort((a, b) => a - b);
  const orderToCompleted = done.map((t) => at(t, 'COMPLETED') - Date.parse(t.order.createdAt)).filter(Number.isFinite).sort((a, b) => a - b);
  return {
    bound: bound.length,
    issued: orders.length,
    failedToIssue,
    completed: done.length,
    notCompleted,
    seconds,
    completedPerSecond: done.length / seconds,
    issuedPerSecond: orders.length / ((lastIssuedAt - startedAt) / 1000),
    paidToCompletedMs: { p50: quantile(paidToCompleted, 0.5), p99: quantile(paidToCompleted, 0.99), max: paidToCompleted[paidToCompleted.length - 1] ?? NaN },
    orderToCompletedMs: { p50: quantile(orderToCompleted, 0.5), p99: quantile(orderToCompleted, 0.99) },
    setupSeconds,
    cpu,
  };
}

if (require.main === module) {
  drivePayments(JSON.parse(process.argv[2] ?? '{}') as PaymentJob)
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
