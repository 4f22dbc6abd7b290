import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ORDER_STATUS_LABELS } from '@cityhub/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError } from '../errors';
import { databaseKind } from '../infra/database';
import type { KeyValueStore } from '../infra/kv';
import type { Logger } from '../infra/logger';
import { inTransaction } from '../infra/transaction';
import type { OrderRow, OrderStatus, OutboxKind } from './entities';
import { placeholders, run, sqlTime } from './sql';

/** What happens to an order. Each (status, event) pair is either in TRANSITIONS or illegal. */
export const ORDER_EVENTS = ['pay', 'pay_rejected', 'cancel', 'expire', 'prepay_failed', 'post', 'written_off', 'written_off_in_part', 'write_off_refused', 'refunded'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export const ORDER_STATUSES = ['CREATED', 'PAID', 'POSTING', 'COMPLETED', 'CLOSED', 'REFUNDING', 'REFUNDED', 'PARTLY_REFUNDING', 'PARTLY_REFUNDED'] as const satisfies readonly OrderStatus[];

export interface TransitionRule {
  from: OrderStatus;
  event: OrderEvent;
  to: OrderStatus;
  /** Outbox work queued in the same transaction. */
  enqueues?: OutboxKind;
  /** The outbox row of this kind is done, in the same transaction. */
  finishes?: OutboxKind;
  /** The order no longer holds its bills: another order may pay them. */
  releasesBills?: true;
}

/**
 * The order state machine (DESIGN.md "Orders and payment"): every status
 * change an order can make, and what is written with it in the same
 * transaction. Nothing else changes an order's status.
 */
export const TRANSITIONS: readonly TransitionRule[] = [
  { from: 'CREATED', event: 'pay', to: 'PAID', enqueues: 'write_off' },
  // Paid after we closed it (expired, or cancelled as the payment went through): the money goes back.
  { from: 'CLOSED', event: 'pay', to: 'REFUNDING', enqueues: 'refund' },
  // The gateway confirmed a payment that does not match the order (amount, appid, mchid): never credited.
  { from: 'CREATED', event: 'pay_rejected', to: 'REFUNDING', enqueues: 'refund' },
  { from: 'CLOSED', event: 'pay_rejected', to: 'REFUNDING', enqueues: 'refund' },
  { from: 'CREATED', event: 'cancel', to: 'CLOSED', releasesBills: true },
  { from: 'CREATED', event: 'expire', to: 'CLOSED', releasesBills: true },
  { from: 'CREATED', event: 'prepay_failed', to: 'CLOSED', releasesBills: true },
  { from: 'PAID', event: 'post', to: 'POSTING' },
  { from: 'POSTING', event: 'written_off', to: 'COMPLETED', finishes: 'write_off' },
  { from: 'PAID', event: 'write_off_refused', to: 'REFUNDING', finishes: 'write_off', enqueues: 'refund' },
  { from: 'POSTING', event: 'write_off_refused', to: 'REFUNDING', finishes: 'write_off', enqueues: 'refund' },
  { from: 'REFUNDING', event: 'refunded', to: 'REFUNDED', finishes: 'refund', releasesBills: true },
  // A per-bill provider took some bills and refused others: the refused part goes back, the rest stays paid.
  { from: 'POSTING', event: 'written_off_in_part', to: 'PARTLY_REFUNDING', finishes: 'write_off', enqueues: 'refund' },
  { from: 'PARTLY_REFUNDING', event: 'refunded', to: 'PARTLY_REFUNDED', finishes: 'refund', releasesBills: true },
];

const RULES = new Map(TRANSITIONS.map((r) => [`${r.from}:${r.event}`, r]));

/** The rule for `event` on an order in `from`, if there is one. */
export function transitionRule(from: OrderStatus, event: OrderEvent): TransitionRule | undefined {
  return RULES.get(`${from}:${event}`);
}

const EVENT_WORDS: Record<OrderEvent, string> = {
  pay: 'be paid',
  pay_rejected: 'take a mismatched payment',
  cancel: 'be cancelled',
  expire: 'expire',
  prepay_failed: 'fail to start its payment',
  post: 'be sent for write-off',
  written_off: 'be written off',
  written_off_in_part: 'be written off in part',
  write_off_refused: 'have its write-off refused',
  refunded: 'be refunded',
};

/** An event the order's status does not allow (a bug or a stale caller, never a race: see TransitionOutcome). */
export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly orderId: string,
    readonly from: OrderStatus,
    readonly event: OrderEvent,
  ) {
    super('CONFLICT', `an order that is ${ORDER_STATUS_LABELS[from]} cannot ${EVENT_WORDS[event]}`, { orderId, from, event });
  }
}

/**
 * What a legal event did: `changed` when this call moved the order; when
 * someone else moved it first (a concurrent or repeated trigger) nothing
 * changed and the caller may read the order again and decide.
 */
export type TransitionOutcome = { changed: true; from: OrderStatus; to: OrderStatus } | { changed: false; reason: 'moved-meanwhile' };

/** Columns a transition may set besides the status. */
export type OrderChange = Partial<Pick<OrderRow, 'transactionId' | 'paidAt' | 'writeOffRef' | 'completedAt' | 'refundNo' | 'refundReason' | 'refundFen' | 'closedAt'>>;

/** The columns of OrderChange (see entities.ts). */
const CHANGE_COLUMNS: Record<keyof OrderChange, string> = {
  transactionId: 'transaction_id',
  paidAt: 'paid_at',
  writeOffRef: 'write_off_ref',
  completedAt: 'completed_at',
  refundNo: 'refund_no',
  refundReason: 'refund_reason',
  refundFen: 'refund_fen',
  closedAt: 'closed_at',
};

/**
 * A transaction for the orders' hot path. On MySQL it runs at the server's
 * default isolation, one statement fewer than inTransaction's READ COMMITTED:
 * enough for updates by primary key and plain inserts, which take no gap
 * locks. Work that deletes or locks by a secondary index (releasing bills,
 * claiming outbox rows) uses inTransaction instead. SQLite: the one queue.
 */
export function ordersTransaction<T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return databaseKind(dataSource) === 'mysql' ? dataSource.transaction(work) : inTransaction(dataSource, work);
}

/** The key-value channel that wakes outbox workers in every hub process. */
export const OUTBOX_WAKE_CHANNEL = 'outbox:wake';

/**
 * The only code that changes an order's status. A transition is a
 * conditional update (`WHERE id = ? AND status = from`), so a repeated or
 * concurrent trigger changes the order once; its timeline event and outbox
 * rows go in the same transaction. After a commit that queued outbox work the
 * machine wakes the workers: in this process at once, in others through the
 * key-value store's publish/subscribe.
 */
export class OrderStateMachine {
  private readonly committed = new EventEmitter();
  /** Sent with each wake-up, so this process's workers skip their own (they were woken in-process already). */
  readonly instance = randomUUID();

  constructor(private readonly deps: { dataSource: DataSource; kv: KeyValueStore; log: Logger }) {
    this.committed.setMaxListeners(0);
  }

  /** The rule for `event` on an order in `status`; throws IllegalTransitionError if there is none. */
  rule(order: { id: string; status: OrderStatus }, event: OrderEvent): TransitionRule {
    const rule = transitionRule(order.status, event);
    if (!rule) throw new IllegalTransitionError(order.id, order.status, event);
    return rule;
  }

  /** Whether `event` is legal on an order in `status`. */
  allows(status: OrderStatus, event: OrderEvent): boolean {
    return RULES.has(`${status}:${event}`);
  }

  /**
   * Applies `event` to an order last seen in `order.status`, in its own
   * transaction. Illegal for that status: throws IllegalTransitionError,
   * touching nothing. Legal but the order moved meanwhile: `{ changed: false }`.
   */
  async fire(order: { id: string; status: OrderStatus }, event: OrderEvent, change: { note?: string | null; set?: OrderChange } = {}): Promise<TransitionOutcome> {
    const rule = this.rule(order, event);
    const changed = await this.transaction(rule, (tx) => this.apply(tx, order.id, rule, change.note ?? null, change.set ?? {}));
    if (!changed) return { changed: false, reason: 'moved-meanwhile' };
    if (rule.enqueues) this.outboxCommitted();
    return { changed: true, from: rule.from, to: rule.to };
  }

  /**
   * Applies `event` to several orders inside the caller's transaction, in
   * one statement per table; the caller holds the rows (locked or on the
   * single SQLite writer), so every order still in its rule's `from` moves.
   * For folding PAID → POSTING into the outbox claim.
   */
  async fireWithin(tx: EntityManager, orders: Array<{ id: string; status: OrderStatus }>, event: 'post', note: string): Promise<void> {
    const rule = orders.map((o) => this.rule(o, event))[0];
    if (!rule) return;
    const ids = orders.map((o) => o.id);
    const now = sqlTime(this.deps.dataSource, new Date());
    const { affected } = await run(tx, `UPDATE orders SET status = ?, updated_at = ? WHERE id IN (${placeholders(ids.length)}) AND status = ?`, [rule.to, now, ...ids, rule.from]);
    // The caller holds these rows, so each is where it saw it; anything else is a bug: roll the claim back.
    if (affected !== ids.length) throw new Error(`${ids.length - affected} of ${ids.length} orders moved while held`);
    await run(tx, `INSERT INTO order_events (order_id, at, status, note) VALUES ${ids.map(() => '(?, ?, ?, ?)').join(', ')}`, ids.flatMap((id) => [id, now, rule.to, note]));
  }

  /** Calls `listener` after each commit that queued outbox work in this process; returns the unsubscribe. */
  onOutboxCommitted(listener: () => void): () => void {
    this.committed.on('outbox', listener);
    return () => this.committed.off('outbox', listener);
  }

  private outboxCommitted(): void {
    this.committed.emit('outbox');
    // Other processes' workers: a hint only (the poll is the safety net), so never awaited by the caller.
    if (this.deps.kv.kind !== 'memory') {
      this.deps.kv.publish(OUTBOX_WAKE_CHANNEL, this.instance).catch((err: unknown) => this.deps.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'outbox wake-up not published'));
    }
  }

  /** One transaction for one transition; see ordersTransaction for the isolation. */
  private transaction<T>(rule: TransitionRule, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return rule.releasesBills ? inTransaction(this.deps.dataSource, work) : ordersTransaction(this.deps.dataSource, work);
  }

  private async apply(tx: EntityManager, orderId: string, rule: TransitionRule, note: string | null, set: OrderChange): Promise<boolean> {
    const ds = this.deps.dataSource;
    const now = sqlTime(ds, new Date());
    const changes = (Object.keys(set) as Array<keyof OrderChange>).filter((k) => set[k] !== undefined);
    const values = changes.map((k) => {
      const v = set[k];
      return v instanceof Date ? sqlTime(ds, v) : v;
    });
    const assignments = ['status = ?', 'updated_at = ?', ...changes.map((k) => `${CHANGE_COLUMNS[k]} = ?`)].join(', ');
    const { affected } = await run(tx, `UPDATE orders SET ${assignments} WHERE id = ? AND status = ?`, [rule.to, now, ...values, orderId, rule.from]);
    if (!affected) return false;
    await run(tx, 'INSERT INTO order_events (order_id, at, status, note) VALUES (?, ?, ?, ?)', [orderId, now, rule.to, note]);
    if (rule.finishes) {
      await run(tx, "UPDATE outbox SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE order_id = ? AND kind = ?", [now, orderId, rule.finishes]);
    }
    if (rule.enqueues) {
      await run(
        tx,
        "INSERT INTO outbox (order_id, kind, status, attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, updated_at) VALUES (?, ?, 'pending', 0, ?, NULL, NULL, NULL, ?, ?)",
        [orderId, rule.enqueues, now, now, now],
      );
    }
    if (rule.releasesBills) await run(tx, 'DELETE FROM bill_locks WHERE order_id = ?', [orderId]);
    return true;
  }
}
