import { randomUUID } from 'node:crypto';
import { formatFen, sumFen } from '@cityhub/shared';
import type { DataSource } from 'typeorm';
import { AdapterError } from '../adapters/contract';
import type { AdapterRegistry } from '../adapters/registry';
import type { ResilientAdapter } from '../adapters/resilience';
import { crashPoint } from '../infra/crash-points';
import { databaseKind } from '../infra/database';
import type { KeyValueStore } from '../infra/kv';
import type { Logger } from '../infra/logger';
import { Periodic } from '../infra/periodic';
import { inTransaction } from '../infra/transaction';
import type { PaymentGateway } from '../payments/gateway';
import type { OrderRow, OutboxKind } from './entities';
import { placeholders, run, sqlTime } from './sql';
import type { OrderService } from './service';
import { OUTBOX_WAKE_CHANNEL, type OrderStateMachine } from './state-machine';
import { storedBillRefs } from './stored';

export interface OutboxWorkerOptions {
  /** The safety net: how often to look for due rows when nothing woke the worker. */
  pollMs: number;
  /** A claimed row is someone else's until this long after the claim (a crashed worker's rows come back). */
  leaseMs: number;
  /** Rows claimed in one transaction. */
  batch: number;
  /** Deliveries in flight at once in this process, all adapters together. */
  concurrency: number;
  /** Deliveries in flight at once through one adapter (or to the gateway, for refunds): its bulkhead's size. */
  perAdapter: number;
  /** Backoff: base × 2^attempts, capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  notifyUrl: string;
}

export const DEFAULT_OUTBOX_OPTIONS: Omit<OutboxWorkerOptions, 'notifyUrl'> = {
  pollMs: 1000,
  leaseMs: 15_000,
  batch: 32,
  concurrency: 128,
  perAdapter: 16,
  backoffBaseMs: 1000,
  backoffMaxMs: 5 * 60_000,
};

/** Write-off errors after which asking again cannot help: the provider said no. */
const PERMANENT = new Set(['PROVIDER_REJECTED', 'NO_ARREARS', 'PROVIDER_ACCOUNT_NOT_FOUND']);
/** A delivery starts only if this much of its lease is left. */
const LEASE_MARGIN_MS = 1000;
/** The limiter key of refunds: they all go to the one gateway. */
const GATEWAY = '#gateway';

type ClaimedOrder = Pick<OrderRow, 'id' | 'orderNo' | 'status' | 'adapterId' | 'adapterVersion' | 'fieldsSealed' | 'billRefs' | 'amountFen' | 'refundNo' | 'refundReason' | 'refundFen'>;

/** One bill's payment number at a per-bill provider: derived from the order number, so a repeated delivery is the same payment. */
export function billPaymentNo(orderNo: string, index: number): string {
  return `${orderNo}B${String(index + 1).padStart(2, '0')}`;
}

/** What a per-bill provider did with each bill of an order. */
interface BillOutcome {
  ref: string;
  totalFen: number;
  reference?: string;
  refusedBecause?: string;
}

/** An outbox row this worker holds the lease of, with the order it is about (read in the claim). */
interface ClaimedRow {
  id: number;
  kind: OutboxKind;
  /** Attempts before this one. */
  attempts: number;
  lease: string;
  /** When the lease runs out: a row still waiting for its provider then is left to whoever claims it next. */
  leaseUntil: number;
  order: ClaimedOrder;
}

interface RawClaim {
  id: number;
  kind: OutboxKind;
  attempts: number;
  orderId: string;
  orderNo: string;
  status: OrderRow['status'];
  adapterId: string;
  adapterVersion: string;
  fieldsSealed: string;
  billRefs: string;
  amountFen: number | string;
  refundNo: string | null;
  refundReason: string | null;
  refundFen: number | string | null;
}

/**
 * Delivers outbox rows: write-offs to the provider (销账) and refunds to the
 * gateway. A commit that queued a row wakes the worker at once (in this
 * process by the state machine's event, in others by key-value
 * publish/subscribe); the poll is only a safety net. Rows are claimed in
 * batches under a lease (MySQL: SELECT … FOR UPDATE SKIP LOCKED, so hub
 * processes never wait for each other; SQLite: its single writer) and the
 * claim moves their orders PAID → POSTING in the same transaction. Claimed
 * rows are delivered concurrently, at most `perAdapter` at once per adapter,
 * and a saturated adapter's rows are left for later claims, so one slow
 * provider never holds the others' write-offs. Write-offs are idempotent at
 * the provider on our order number, so a delivery repeated after a crash is
 * one write-off.
 */
export class OutboxWorker {
  private readonly poll: Periodic;
  private stopped = true;
  private pumping?: Promise<void>;
  private wanted = false;
  /** Set when the last claim may have left due rows behind (full batch, capacity, saturated adapters). */
  private backlog = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Delivery slots by adapter id, and '#gateway' for refunds. */
  private readonly slots = new Map<string, { running: number; waiting: Array<() => void> }>();
  private readonly subscriptions: Array<() => unknown> = [];
  private claims = 0;
  readonly owner = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      kv: KeyValueStore;
      machine: OrderStateMachine;
      orders: OrderService;
      registry: AdapterRegistry;
      gateway: PaymentGateway;
      log: Logger;
      options: OutboxWorkerOptions;
    },
  ) {
    this.poll = new Periodic(async () => this.wake(), { everyMs: deps.options.pollMs, firstAfterMs: deps.options.pollMs, log: deps.log, failure: 'outbox poll failed' });
  }

  /** Starts listening for committed outbox rows and delivering them. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.subscriptions.push(this.deps.machine.onOutboxCommitted(() => this.wake()));
    // Other processes' commits; this process's own arrive through the machine's event.
    this.subscriptions.push(await this.deps.kv.subscribe(OUTBOX_WAKE_CHANNEL, (from) => from !== this.deps.machine.instance && this.wake()));
    this.poll.start();
    this.wake();
  }

  /** Stops claiming; waits for the deliveries in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.subscriptions.splice(0).map((unsubscribe) => unsubscribe()));
    await this.poll.stop();
    await this.pumping;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims one batch of due rows and delivers them; returns how many it claimed. For tests and manual runs. */
  async tick(): Promise<number> {
    const rows = await this.claim(this.deps.options.batch, []);
    await Promise.all(rows.map((row) => this.deliver(row)));
    return rows.length;
  }

  /** Something may be due: claim and deliver until nothing is or capacity is used up. Never runs twice at once. */
  private wake(): void {
    if (this.stopped) return;
    this.wanted = true;
    if (this.pumping) return;
    this.pumping = (async () => {
      while (this.wanted && !this.stopped) {
        this.wanted = false;
        await this.fill().catch((err: unknown) => this.deps.log.error({ err }, 'outbox claim failed'));
      }
    })().finally(() => {
      this.pumping = undefined;
    });
  }

  private async fill(): Promise<void> {
    const { batch, concurrency } = this.deps.options;
    for (;;) {
      const room = concurrency - this.inFlight.size;
      const saturated = this.saturatedAdapters();
      this.backlog = room <= 0 || saturated.length > 0;
      if (room <= 0 || this.stopped) return;
      const limit = Math.min(batch, room);
      const rows = await this.claim(limit, saturated);
      for (const row of rows) {
        const delivery: Promise<void> = this.deliver(row).finally(() => {
          this.inFlight.delete(delivery);
          if (this.backlog) this.wake();
        });
        this.inFlight.add(delivery);
      }
      if (rows.length < limit) return;
      this.backlog = true;
    }
  }

  /** Whose slot a delivery takes: the order's adapter for a write-off, the gateway for a refund. */
  private slotOf(row: ClaimedRow): string {
    return row.kind === 'refund' ? GATEWAY : row.order.adapterId;
  }

  private saturatedAdapters(): string[] {
    return [...this.slots].filter(([id, p]) => id !== GATEWAY && p.running + p.waiting.length >= this.deps.options.perAdapter).map(([id]) => id);
  }

  /** Runs `work` when the adapter (or the gateway) has a free slot (at most perAdapter at once). */
  private async withSlot<T>(key: string, work: () => Promise<T>): Promise<T> {
    let p = this.slots.get(key);
    if (!p) this.slots.set(key, (p = { running: 0, waiting: [] }));
    const slots = p;
    if (slots.running >= this.deps.options.perAdapter) await new Promise<void>((resolve) => slots.waiting.push(resolve));
    else slots.running++;
    try {
      return await work();
    } finally {
      const next = slots.waiting.shift();
      if (next) next();
      else slots.running--;
    }
  }

  /**
   * Claims up to `limit` due rows (not those of `skipAdapters`) under a
   * lease, with their orders, and moves the PAID ones to POSTING, all in one
   * transaction.
   */
  private async claim(limit: number, skipAdapters: string[]): Promise<ClaimedRow[]> {
    const ds = this.deps.dataSource;
    const mysql = databaseKind(ds) === 'mysql';
    const lease = `${this.owner}-${++this.claims}`;
    const claimed = await inTransaction(ds, async (tx) => {
      const at = new Date();
      const now = sqlTime(ds, at);
      const skip = skipAdapters.length ? ` AND NOT (ob.kind = 'write_off' AND o.adapter_id IN (${placeholders(skipAdapters.length)}))` : '';
      // MySQL: rows another worker holds are skipped, not waited for; SQLite: the single writer is enough.
      // An inner join: with SKIP LOCKED, a LEFT JOIN answers a momentarily locked order (a duplicate
      // notification's update holds it) as NULL columns, which would look like no order at all.
      const { rows: raw } = await run<RawClaim>(
        tx,
        `SELECT ob.id AS id, ob.kind AS kind, ob.attempts AS attempts, o.id AS orderId, o.order_no AS orderNo, o.status AS status,
                o.adapter_id AS adapterId, o.adapter_version AS adapterVersion, o.fields_sealed AS fieldsSealed, o.bill_refs AS billRefs,
                o.amount_fen AS amountFen, o.refund_no AS refundNo, o.refund_reason AS refundReason, o.refund_fen AS refundFen
           FROM outbox ob JOIN orders o ON o.id = ob.order_id
          WHERE ob.status = 'pending' AND ob.next_attempt_at <= ? AND (ob.lease_until IS NULL OR ob.lease_until < ?)${skip}
          ORDER BY ob.next_attempt_at ASC LIMIT ${Math.max(1, Math.floor(limit))}${mysql ? ' FOR UPDATE SKIP LOCKED' : ''}`,
        [now, now, ...skipAdapters],
      );
      if (raw.length === 0) return [];
      const ids = raw.map((r) => Number(r.id));
      const leaseUntil = at.getTime() + this.deps.options.leaseMs;
      // The status condition is for a second process on one SQLite file (the CLI, a restart overlapping).
      const taken = await run(tx, `UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id IN (${placeholders(ids.length)}) AND status = 'pending'`, [
        lease,
        sqlTime(ds, new Date(leaseUntil)),
        now,
        ...ids,
      ]);
      if (taken.affected !== ids.length) throw new Error('outbox rows were claimed by another process meanwhile; claiming again');
      const rows = raw.map((r) => this.toClaimed(r, lease, leaseUntil));
      const paid = rows.filter((r) => r.kind === 'write_off' && r.order.status === 'PAID').map((r) => r.order);
      if (paid.length) {
        await this.deps.machine.fireWithin(tx, paid, 'post', 'write-off sent to the provider');
        for (const order of paid) order.status = 'POSTING';
      }
      return rows;
    });
    return claimed;
  }

  private toClaimed(r: RawClaim, lease: string, leaseUntil: number): ClaimedRow {
    return {
      id: Number(r.id),
      kind: r.kind,
      attempts: Number(r.attempts),
      lease,
      leaseUntil,
      order: {
        id: r.orderId,
        orderNo: r.orderNo,
        status: r.status,
        adapterId: r.adapterId,
        adapterVersion: r.adapterVersion,
        fieldsSealed: r.fieldsSealed,
        billRefs: r.billRefs,
        amountFen: Number(r.amountFen),
        refundNo: r.refundNo,
        refundReason: r.refundReason,
        refundFen: r.refundFen === null ? null : Number(r.refundFen),
      },
    };
  }

  /** Delivers one claimed row; a failure leaves it for a later attempt with backoff. */
  private async deliver(row: ClaimedRow): Promise<void> {
    try {
      await this.withSlot(this.slotOf(row), async () => {
        // Waited for a slow provider until the lease ran out: the row may be another worker's now, and comes back anyway.
        if (Date.now() >= row.leaseUntil - LEASE_MARGIN_MS) return;
        if (row.kind === 'write_off') return this.writeOff(row, row.order);
        return this.refund(row, row.order);
      });
    } catch (err) {
      await this.retryLater(row, err).catch((failure: unknown) => this.deps.log.error({ err: failure, outboxId: row.id }, 'outbox retry could not be recorded; the lease will expire'));
    }
  }

  private async done(row: ClaimedRow): Promise<void> {
    const ds = this.deps.dataSource;
    await ds.query("UPDATE outbox SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?", [sqlTime(ds, new Date()), row.id, row.lease]);
  }

  private async retryLater(row: ClaimedRow, err: unknown): Promise<void> {
    const o = this.deps.options;
    const delay = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** Math.min(row.attempts, 20)) * (0.8 + Math.random() * 0.4);
    // AdapterErrors and driver errors (ER_LOCK_WAIT_TIMEOUT) carry a code; others are named by their class.
    const message = err instanceof Error ? `${'code' in err && typeof err.code === 'string' ? err.code : err.name}: ${err.message}` : String(err);
    this.deps.log.warn({ outboxId: row.id, orderId: row.order.id, kind: row.kind, attempt: row.attempts + 1, error: message }, 'outbox delivery will be retried');
    const ds = this.deps.dataSource;
    await ds.query('UPDATE outbox SET next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ? AND lease_owner = ?', [
      sqlTime(ds, new Date(Date.now() + delay)),
      message.slice(0, 500),
      sqlTime(ds, new Date()),
      row.id,
      row.lease,
    ]);
  }

  private async writeOff(row: ClaimedRow, order: ClaimedOrder): Promise<void> {
    // The claim moved PAID orders to POSTING; anything else was settled meanwhile.
    if (order.status !== 'POSTING') return this.done(row);
    const adapter = await this.deps.registry.version(order.adapterId, order.adapterVersion);
    const fields = this.deps.orders.fieldsOf(order);
    if (adapter.describe().paymentRules.writeOffPer === 'bill') return this.writeOffBillByBill(order, adapter, fields);
    const input = { orderNo: order.orderNo, fields, billRefs: storedBillRefs(order.billRefs), amountFen: Number(order.amountFen) };
    crashPoint('outbox-claimed');
    try {
      const { reference } = await adapter.writeOff(input);
      await this.complete(order, reference);
      return;
    } catch (err) {
      if (err instanceof AdapterError && PERMANENT.has(err.code)) return this.startRefund(order, `provider refused the write-off (${err.providerCode ?? err.code})`);
      // The outcome is unknown (timeout, outage): ask before doing anything else.
      const status = await adapter.writeOffStatus({ orderNo: order.orderNo, fields }).catch(() => null);
      if (status?.status === 'SUCCESS') return this.complete(order, status.reference ?? `status:${order.orderNo}`);
      if (status?.status === 'FAILED') return this.startRefund(order, 'provider reports the write-off failed');
      throw err;
    }
  }

  /**
   * For a provider that takes one bill per call: each bill written off under
   * its own payment number (derived from the order number, so a repeat after
   * a crash or a timeout is the same payment). All taken: COMPLETED; all
   * refused: refunded in full; some of each: the refused bills' total is
   * refunded and the timeline says which bill went which way. An outcome
   * that stays unknown leaves the whole row for a later attempt, where the
   * bills already written off answer the same again.
   */
  private async writeOffBillByBill(order: ClaimedOrder, adapter: ResilientAdapter, fields: Record<string, string>): Promise<void> {
    const bills = await this.deps.orders.billsOf(order.id);
    crashPoint('outbox-claimed');
    const outcomes: BillOutcome[] = [];
    for (const [i, bill] of bills.entries()) {
      const paymentNo = billPaymentNo(order.orderNo, i);
      try {
        const { reference } = await adapter.writeOff({ orderNo: paymentNo, fields, billRefs: [bill.ref], amountFen: bill.totalFen });
        outcomes.push({ ref: bill.ref, totalFen: bill.totalFen, reference });
      } catch (err) {
        if (err instanceof AdapterError && PERMANENT.has(err.code)) {
          outcomes.push({ ref: bill.ref, totalFen: bill.totalFen, refusedBecause: err.providerCode ?? err.code });
          continue;
        }
        const status = await adapter.writeOffStatus({ orderNo: paymentNo, fields }).catch(() => null);
        if (status?.status === 'SUCCESS') outcomes.push({ ref: bill.ref, totalFen: bill.totalFen, reference: status.reference ?? `status:${paymentNo}` });
        else if (status?.status === 'FAILED') outcomes.push({ ref: bill.ref, totalFen: bill.totalFen, refusedBecause: 'FAILED' });
        else throw err;
      }
    }
    const taken = outcomes.filter((o) => o.reference !== undefined);
    const refused = outcomes.filter((o) => o.refusedBecause !== undefined);
    const takenWords = taken.map((o) => `${o.ref} (${o.reference})`).join(', ');
    const refusedWords = refused.map((o) => `${o.ref} (${o.refusedBecause})`).join(', ');
    if (!refused.length) return this.complete(order, taken.map((o) => o.reference).join(',').slice(0, 64), `written off at the provider bill by bill: ${takenWords}`);
    if (!taken.length) return this.startRefund(order, `provider refused every bill: ${refusedWords}`);
    crashPoint('provider-answered');
    const refundFen = sumFen(refused.map((o) => o.totalFen));
    await this.deps.machine.fire(order, 'written_off_in_part', {
      note: `written off: ${takenWords}; refused and refunded: ${refusedWords}`,
      set: {
        writeOffRef: taken.map((o) => o.reference).join(',').slice(0, 64),
        completedAt: new Date(),
        refundNo: `RF${order.orderNo.slice(2)}`,
        refundFen,
        // Residents read this: plain Chinese; which bills and the provider's words are in the note, for operators.
        refundReason: `缴费单位未能销账其中 ${refused.length} 笔账单，${formatFen(refundFen)} 已原路退回`,
      },
    });
  }

  /** POSTING → COMPLETED; the state machine marks the write-off row done in the same transaction. */
  private async complete(order: ClaimedOrder, reference: string, note = `written off at the provider (${reference})`): Promise<void> {
    crashPoint('provider-answered');
    await this.deps.machine.fire(order, 'written_off', { note, set: { writeOffRef: reference, completedAt: new Date() } });
  }

  private async startRefund(order: ClaimedOrder, reason: string): Promise<void> {
    await this.deps.machine.fire(order, 'write_off_refused', {
      note: reason,
      // Residents read the reason: plain Chinese; the provider's own words (often English, with codes) stay in the note.
      set: { refundReason: '缴费单位未能销账，款项已原路退回', refundNo: `RF${order.orderNo.slice(2)}` },
    });
  }

  private async refund(row: ClaimedRow, order: ClaimedOrder): Promise<void> {
    const inPart = order.status === 'PARTLY_REFUNDING';
    if ((order.status !== 'REFUNDING' && !inPart) || !order.refundNo) return this.done(row);
    // Refund what the payer actually paid (it may differ from the order when the amount did not match), or the refused bills' part.
    const paid = await this.deps.gateway.queryOrder(order.orderNo);
    const totalFen = paid?.amountFen ?? Number(order.amountFen);
    const result = await this.deps.gateway.refund({
      outTradeNo: order.orderNo,
      outRefundNo: order.refundNo,
      amountFen: inPart ? Number(order.refundFen) : totalFen,
      totalFen,
      reason: (order.refundReason ?? '退款').slice(0, 80),
      notifyUrl: this.deps.options.notifyUrl,
    });
    if (result.status === 'CLOSED' || result.status === 'ABNORMAL') throw new Error(`refund ${order.refundNo} is ${result.status}`);
    // SUCCESS: REFUNDED, and the row done with it; PROCESSING: the notification or the sweeper confirms it later.
    if (result.status === 'SUCCESS' && (await this.deps.machine.fire(order, 'refunded', { note: 'refund received by the payer' })).changed) return;
    await this.done(row);
  }
}
