import { createHash, randomUUID } from 'node:crypto';
import {
  ORDER_STATUS_LABELS,
  sumFen,
  type Bill,
  type CreateOrderBody,
  type OrderDto,
  type RequestPayment,
} from '@cityhub/shared';
import { In, IsNull, LessThan, type DataSource } from 'typeorm';
import type { AccountService } from '../accounts/service';
import type { ResidentService } from '../identity/residents';
import { AppError, ConflictError, InputError, NotFoundError } from '../errors';
import type { Logger } from '../infra/logger';
import type { SecretBox } from '../infra/secret-box';
import type { PaymentGateway } from '../payments/gateway';
import { verifyPayment, type ConfirmedPayment } from '../payments/verification';
import { BillLockEntity, IdempotencyEntity, OrderEntity, OrderEventEntity, type OrderRow, type OrderStatus } from './entities';
import { newOrderNo } from './order-no';
import { select } from './sql';
import { ordersTransaction, type OrderStateMachine } from './state-machine';
import { storedAccountMasked, storedBillRefs, storedBills, storedFields } from './stored';

export interface OrderServiceOptions {
  /** Where the gateway sends payment and refund notifications. */
  notifyUrl: string;
  /** How long an unpaid order (and its prepay) lives: WeChat's prepay lives 2 hours. */
  orderTtlMs: number;
}

export interface CreatedOrder {
  order: OrderDto;
  payment: RequestPayment | null;
}

/** Statuses after the provider took the order's bills (all, or some with the rest refunded): a receipt exists. */
const WRITTEN_OFF = new Set<OrderStatus>(['COMPLETED', 'PARTLY_REFUNDING', 'PARTLY_REFUNDED']);
/** An order request unanswered for this long was being handled by a process that died (a live one gives up within ~10 s). */
const ABANDONED_REQUEST_MS = 20_000;
/** WeChat's prepay_id lives 2 hours from when it was obtained. */
const PREPAY_LIFE_MS = 2 * 3600_000;
/**
 * A prepay (or an order) this close to its end is not handed to a payment
 * sheet: the resident may take a few minutes in it, and a sheet that fails at
 * the last step is worse than a fresh prepay now.
 */
const USABLE_MARGIN_MS = 5 * 60_000;

/** A date column as the API's ISO string. */
function isoAt(d: Date | string): string {
  return new Date(d).toISOString();
}

/** True for a unique-key violation on either store. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string };
  return e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed|Duplicate entry/.test(e?.message ?? '');
}

/** A resident's openid never changes; remembered for this many residents to spare a read per order. */
const OPENID_CACHE_SIZE = 10_000;

/**
 * Orders: from the resident's "pay these bills" to the gateway's prepay, and
 * what the gateway later reports. Status changes go through the order state
 * machine (state-machine.ts), which writes their outbox rows in the same
 * transaction; a repeated or concurrent trigger changes an order once.
 */
export class OrderService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      accounts: AccountService;
      residents: ResidentService;
      gateway: PaymentGateway;
      machine: OrderStateMachine;
      box: SecretBox;
      log: Logger;
      options: OrderServiceOptions;
    },
  ) {}

  private readonly openids = new Map<string, string>();

  private get ds(): DataSource {
    return this.deps.dataSource;
  }

  /**
   * Creates an order for some bills of an owned account and obtains a prepay.
   * The same Idempotency-Key with the same body answers the first answer
   * again; with another body it is refused; concurrent duplicates make one order.
   */
  async create(residentId: string, idempotencyKey: string, body: CreateOrderBody, takeover = false): Promise<{ status: number; body: CreatedOrder }> {
    const requestHash = createHash('sha256').update(JSON.stringify({ accountId: body.accountId, billRefs: [...body.billRefs].sort() })).digest('hex');
    const idem = this.ds.getRepository(IdempotencyEntity);
    try {
      await idem.insert({ residentId, key: idempotencyKey, requestHash, statusCode: null, response: null, createdAt: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return this.replay(residentId, idempotencyKey, requestHash, body);
    }
    try {
      const created = await this.createOrder(residentId, body, takeover);
      await idem.update({ residentId, key: idempotencyKey }, { statusCode: 201, response: created });
      return { status: 201, body: created };
    } catch (err) {
      // A refused request may be retried with the same key once the cause is fixed.
      await idem.delete({ residentId, key: idempotencyKey });
      throw err;
    }
  }

  private async replay(residentId: string, key: string, requestHash: string, body: CreateOrderBody): Promise<{ status: number; body: CreatedOrder }> {
    const idem = this.ds.getRepository(IdempotencyEntity);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const row = await idem.findOneBy({ residentId, key });
      if (!row) throw new ConflictError('CONFLICT', 'the first request with this Idempotency-Key failed; send it again');
      if (row.requestHash !== requestHash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new payment');
      }
      if (row.response && row.statusCode) return { status: row.statusCode, body: row.response };
      // No answer long after any request could take: the process handling it died. Take it over.
      if (Date.now() - new Date(row.createdAt).getTime() > ABANDONED_REQUEST_MS) {
        const taken = await idem.delete({ residentId, key, statusCode: IsNull(), createdAt: row.createdAt });
        if (taken.affected) return this.create(residentId, key, body, true);
        continue;
      }
      if (Date.now() > deadline) throw new ConflictError('CONFLICT', 'the first request with this Idempotency-Key is still being processed; try again shortly');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * The order a crashed first attempt of the same request left behind: this
   * resident's, for this account and exactly these bills, still unpaid.
   */
  private async abandonedOrder(residentId: string, body: CreateOrderBody): Promise<OrderRow | null> {
    const locks = await this.ds.getRepository(BillLockEntity).findBy({ billRef: body.billRefs[0] });
    for (const lock of locks) {
      const order = await this.findById(lock.orderId);
      const sameBills = order && JSON.stringify([...storedBillRefs(order.billRefs)].sort()) === JSON.stringify([...body.billRefs].sort());
      if (order && sameBills && order.residentId === residentId && order.accountId === body.accountId && order.status === 'CREATED') return order;
    }
    return null;
  }

  /** Obtains (again: the gateway is idempotent on out_trade_no) the prepay of an order and answers as at creation. */
  private async startPayment(order: OrderRow, residentId: string, fresh = false): Promise<CreatedOrder> {
    const openid = await this.openidOf(residentId);
    let prepayId: string;
    try {
      ({ prepayId } = await this.deps.gateway.createPrepay({
        outTradeNo: order.orderNo,
        description: `${order.providerName}-${order.serviceName}`.slice(0, 127),
        amountFen: Number(order.amountFen),
        openid,
        notifyUrl: this.deps.options.notifyUrl,
        timeExpire: new Date(order.expiresAt),
        attach: order.id,
      }));
    } catch (err) {
      await this.deps.machine.fire(order, 'prepay_failed', { note: 'the payment could not be started', set: { closedAt: new Date() } });
      this.deps.log.error({ err, orderNo: order.orderNo }, 'prepay failed');
      throw new AppError('PROVIDER_UNAVAILABLE', 'the payment service is unavailable; nothing was charged, try again shortly', undefined, { expose: true, cause: err });
    }
    const now = new Date();
    const prepayExpiresAt = new Date(Math.min(now.getTime() + PREPAY_LIFE_MS, new Date(order.expiresAt).getTime()));
    await this.ds.getRepository(OrderEntity).update({ id: order.id }, { prepayId, prepayExpiresAt, updatedAt: now });
    // A new order's timeline is its creation: no need to read it back.
    const dto = fresh ? this.toDto({ ...order, prepayId, prepayExpiresAt }, [{ status: 'CREATED', at: order.createdAt, note: null }]) : await this.dto({ ...order, prepayId, prepayExpiresAt });
    return { order: dto, payment: this.deps.gateway.requestPaymentParams(prepayId) };
  }

  private async createOrder(residentId: string, body: CreateOrderBody, takeover: boolean): Promise<CreatedOrder> {
    if (takeover) {
      const abandoned = await this.abandonedOrder(residentId, body);
      if (abandoned) return this.startPayment(abandoned, residentId);
    }
    // The payer's own account, or one of a household group they are in: either way the order is the payer's.
    const { row: account, fields, adapter } = await this.deps.accounts.openToPay(residentId, body.accountId);
    const d = adapter.describe();
    const accountDigest = this.deps.box.digest(`${d.id}:${account.fieldsDigest}`);
    // A payment left unfinished (sheet cancelled, back at the cashier, app closed) must not lock the resident out of their bills.
    const resumed = await this.resumeOrReplace(residentId, d.id, accountDigest, body);
    if (resumed) return resumed;
    // The amount is the provider's, asked now, never the client's or the cache's.
    await adapter.forgetBills(fields);
    const { bills: owed } = await adapter.queryBills({ fields });
    const chosen: Bill[] = [];
    for (const ref of body.billRefs) {
      const bill = owed.find((b) => b.ref === ref);
      if (!bill) throw new InputError(`bill ${ref} is not owed on this account (it may be paid already)`, [{ path: 'body.billRefs', message: `unknown bill ${ref}` }]);
      // Usage travels with the order (the account's chart reads it); "overdue" is a property of the bills page, not of a paid bill.
      chosen.push({ ...bill, totalFen: sumFen([bill.amountFen, bill.lateFeeFen]), usage: bill.usage ?? null, overdue: false });
    }
    if (chosen.length > d.paymentRules.maxBills) {
      throw new InputError(`${d.name} takes at most ${d.paymentRules.maxBills} bill(s) in one payment; choose fewer bills`, [{ path: 'body.billRefs', message: `at most ${d.paymentRules.maxBills} bills` }]);
    }
    const amountFen = sumFen(chosen.map((b) => b.totalFen));
    if (amountFen < d.paymentRules.minFen || amountFen > d.paymentRules.maxFen) {
      throw new InputError(`the total ${amountFen} fen is outside what ${d.name} accepts (${d.paymentRules.minFen}–${d.paymentRules.maxFen} fen)`, [
        { path: 'body.billRefs', message: 'total out of range' },
      ]);
    }

    const now = new Date();
    const order: OrderRow = {
      id: randomUUID(),
      orderNo: newOrderNo(now),
      residentId,
      accountId: account.id,
      adapterId: d.id,
      adapterVersion: d.version,
      category: d.category,
      cityCode: account.cityCode,
      serviceName: d.name,
      providerName: d.providerName,
      fieldsSealed: account.fieldsSealed,
      // The order keeps the account as it was masked when paid, as JSON text (orders.account_masked).
      accountMasked: JSON.stringify(account.fieldsMasked),
      billRefs: JSON.stringify(body.billRefs),
      bills: JSON.stringify(chosen),
      amountFen,
      status: 'CREATED',
      prepayId: null,
      prepayExpiresAt: null,
      expiresAt: new Date(now.getTime() + this.deps.options.orderTtlMs),
      transactionId: null,
      paidAt: null,
      writeOffRef: null,
      completedAt: null,
      refundNo: null,
      refundReason: null,
      refundFen: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await ordersTransaction(this.ds, async (tx) => {
        await tx.getRepository(OrderEntity).insert(order);
        await tx.getRepository(BillLockEntity).insert(body.billRefs.map((billRef) => ({ adapterId: d.id, accountDigest, billRef, orderId: order.id })));
        await tx.getRepository(OrderEventEntity).insert({ orderId: order.id, at: now, status: 'CREATED', note: null });
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Another request for these bills won the race: the same resident's same bills resume it, anything else waits.
      const resumedMeanwhile = await this.resumeOrReplace(residentId, d.id, accountDigest, body, false);
      if (resumedMeanwhile) return resumedMeanwhile;
      throw new ConflictError('BILL_ALREADY_IN_ORDER', 'one of these bills already has an order being paid; finish or close that order first');
    }

    return this.startPayment(order, residentId, true);
  }

  /**
   * Before a new order for some bills: the live orders holding any of them.
   * The resident's own unpaid order for exactly these bills is resumed (its
   * answer, as at creation); their own unpaid orders for another set are
   * closed at the gateway so the bills are free. A bill held by someone
   * else's order, or by an order already paid, is refused.
   */
  private async resumeOrReplace(residentId: string, adapterId: string, accountDigest: string, body: CreateOrderBody, replace = true): Promise<CreatedOrder | null> {
    const locks = await this.ds.getRepository(BillLockEntity).findBy({ adapterId, accountDigest, billRef: In(body.billRefs) });
    if (locks.length === 0) return null;
    const holders = (await Promise.all([...new Set(locks.map((l) => l.orderId))].map((id) => this.findById(id)))).filter((o): o is OrderRow => o !== null);
    for (const holder of holders) {
      if (holder.residentId !== residentId || holder.status !== 'CREATED') {
        throw new ConflictError('BILL_ALREADY_IN_ORDER', 'one of these bills already has an order being paid; finish or close that order first');
      }
    }
    const wanted = JSON.stringify([...body.billRefs].sort());
    const same = holders.find((o) => o.accountId === body.accountId && JSON.stringify([...storedBillRefs(o.billRefs)].sort()) === wanted);
    if (same && holders.length === 1) return this.continueOrder(same, residentId);
    if (!replace) return null;
    for (const holder of holders) await this.closeAtGateway(holder, 'cancel', 'replaced by a new order for another set of bills');
    return null;
  }

  /**
   * Continues paying one of the resident's unpaid orders (继续支付): the same
   * prepay while it is usable, a new prepay for the same out_trade_no after;
   * an order past its own time is closed at the gateway and its bills start a
   * new order. Another resident's order is not found.
   */
  async resume(residentId: string, id: string): Promise<CreatedOrder> {
    return this.continueOrder(await this.owned(residentId, id), residentId);
  }

  private async continueOrder(order: OrderRow, residentId: string): Promise<CreatedOrder> {
    if (order.status !== 'CREATED') {
      throw new ConflictError('CONFLICT', `an order that is ${ORDER_STATUS_LABELS[order.status]} cannot be paid again`, { status: order.status });
    }
    const usableUntil = Date.now() + USABLE_MARGIN_MS;
    if (new Date(order.expiresAt).getTime() <= usableUntil) {
      await this.closeAtGateway(order, 'expire', 'expired unpaid; its bills start a new order');
      return this.createOrder(residentId, { accountId: order.accountId, billRefs: storedBillRefs(order.billRefs) }, false);
    }
    if (order.prepayId && order.prepayExpiresAt && new Date(order.prepayExpiresAt).getTime() > usableUntil) {
      return { order: await this.dto(order), payment: this.deps.gateway.requestPaymentParams(order.prepayId) };
    }
    return this.startPayment(order, residentId);
  }

  private async openidOf(residentId: string): Promise<string> {
    const known = this.openids.get(residentId);
    if (known) return known;
    const openid = (await this.deps.residents.openids([residentId])).get(residentId);
    if (openid === undefined) throw new NotFoundError('NOT_FOUND', 'resident not found');
    const oldest = this.openids.keys().next();
    if (this.openids.size >= OPENID_CACHE_SIZE && oldest.done !== true) this.openids.delete(oldest.value);
    this.openids.set(residentId, openid);
    return openid;
  }

  async findByOrderNo(orderNo: string): Promise<OrderRow | null> {
    return this.ds.getRepository(OrderEntity).findOneBy({ orderNo });
  }

  /** The latest orders for some accounts, whoever paid: a household group's payments (households/). */
  async forAccounts(
    accountIds: string[],
    limit: number,
  ): Promise<Array<Pick<OrderRow, 'id' | 'accountId' | 'residentId' | 'serviceName' | 'amountFen' | 'status' | 'createdAt'> & { accountMasked: Record<string, string> }>> {
    if (accountIds.length === 0) return [];
    const rows = await this.ds.getRepository(OrderEntity).find({
      select: { id: true, accountId: true, residentId: true, serviceName: true, accountMasked: true, amountFen: true, status: true, createdAt: true },
      where: { accountId: In(accountIds) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: limit,
    });
    return rows.map((r) => ({ ...r, accountMasked: storedAccountMasked(r.accountMasked) }));
  }

  async findById(id: string): Promise<OrderRow | null> {
    return this.ds.getRepository(OrderEntity).findOneBy({ id });
  }

  private async owned(residentId: string, id: string): Promise<OrderRow> {
    const row = await this.ds.getRepository(OrderEntity).findOneBy({ id, residentId });
    if (!row) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${id}`);
    return row;
  }

  async get(residentId: string, id: string): Promise<OrderDto> {
    return this.dto(await this.owned(residentId, id));
  }

  async list(residentId: string, query: { page: number; pageSize: number; serviceId?: string; category?: string }): Promise<{ orders: OrderDto[]; page: number; pageSize: number; total: number }> {
    const where = { residentId, ...(query.serviceId ? { adapterId: query.serviceId } : {}), ...(query.category ? { category: query.category } : {}) };
    const [rows, total] = await this.ds.getRepository(OrderEntity).findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    const events = rows.length ? await this.ds.getRepository(OrderEventEntity).find({ where: { orderId: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } }) : [];
    return { orders: rows.map((r) => this.toDto(r, events.filter((e) => e.orderId === r.id))), page: query.page, pageSize: query.pageSize, total };
  }

  /** Cancels an unpaid order: closes it at the gateway first, so it can no longer be paid. */
  async close(residentId: string, id: string): Promise<OrderDto> {
    const order = await this.owned(residentId, id);
    if (!this.deps.machine.allows(order.status, 'cancel')) throw new ConflictError('CONFLICT', `an order that is ${ORDER_STATUS_LABELS[order.status]} cannot be cancelled`);
    await this.closeAtGateway(order, 'cancel', 'cancelled by the resident');
    return this.dto(await this.owned(residentId, id));
  }

  /**
   * Closes an unpaid order at the gateway and here. If the gateway says it was
   * paid meanwhile, it is marked paid instead (the notification may be late).
   */
  async closeAtGateway(order: OrderRow, event: 'cancel' | 'expire', reason: string): Promise<void> {
    this.deps.machine.rule(order, event);
    const remote = await this.deps.gateway.queryOrder(order.orderNo).catch(() => undefined);
    if (remote?.tradeState === 'SUCCESS') {
      await this.markPaid(order.orderNo, { transactionId: remote.transactionId ?? '', amountFen: remote.amountFen ?? -1, appid: remote.appid, mchid: remote.mchid, source: 'query' });
      throw new ConflictError('CONFLICT', 'this order has just been paid and can no longer be cancelled');
    }
    if (remote && remote.tradeState !== 'CLOSED') await this.deps.gateway.closeOrder(order.orderNo);
    await this.deps.machine.fire(order, event, { note: reason, set: { closedAt: new Date() } });
  }

  /**
   * Records a payment the gateway confirmed (by notification or by query).
   * A payment that matches its order (payments/verification.ts) makes it PAID
   * and queues its write-off in one transaction; one that does not, or that
   * arrives after the order was closed, is refunded, never credited. Repeats
   * and reorderings change nothing.
   */
  async markPaid(orderNo: string, paid: ConfirmedPayment): Promise<'paid' | 'duplicate' | 'refunding' | 'unknown-order'> {
    const [found] = await select<{ id: string; status: OrderStatus; amountFen: number | string }>(this.ds, 'SELECT id, status, amount_fen AS amountFen FROM orders WHERE order_no = ?', [orderNo]);
    if (!found) return 'unknown-order';
    const verdict = verifyPayment({ amountFen: Number(found.amountFen) }, paid, this.deps.gateway);
    if (!verdict.matches) this.deps.log.warn({ orderNo, mismatch: verdict.reason }, 'payment does not match its order: refunding, not crediting');
    const refundNo = `RF${orderNo.slice(2)}`;
    let order: Pick<OrderRow, 'id' | 'status'> | null = found;
    // Each try starts from the status last read; a race (closed or paid meanwhile) means read again and decide again.
    for (let attempt = 0; order && attempt < 3; attempt++) {
      const event = verdict.matches ? 'pay' : 'pay_rejected';
      if (!this.deps.machine.allows(order.status, event)) return 'duplicate';
      const change = !verdict.matches
        ? { note: `payment rejected: ${verdict.reason}`, set: { transactionId: paid.transactionId, refundReason: '支付信息与订单不符，款项已原路退回', refundNo } }
        : order.status === 'CLOSED'
          ? { note: 'paid after the order was closed', set: { transactionId: paid.transactionId, refundReason: '订单已关闭后才完成支付，已原路退回', refundNo } }
          : { note: `paid (${paid.source})`, set: { transactionId: paid.transactionId, paidAt: new Date() } };
      const outcome = await this.deps.machine.fire(order, event, change);
      if (outcome.changed) return outcome.to === 'PAID' ? 'paid' : 'refunding';
      [order = null] = await select<Pick<OrderRow, 'id' | 'status'>>(this.ds, 'SELECT id, status FROM orders WHERE order_no = ?', [orderNo]);
    }
    return 'duplicate';
  }

  /** Records the gateway's word that a refund succeeded. */
  async markRefunded(outRefundNo: string): Promise<boolean> {
    const order = await this.ds.getRepository(OrderEntity).findOne({ select: { id: true, status: true }, where: { refundNo: outRefundNo } });
    if (!order || !this.deps.machine.allows(order.status, 'refunded')) return false;
    return (await this.deps.machine.fire(order, 'refunded', { note: 'refund received by the payer' })).changed;
  }

  /** Orders whose state should be settled by asking the gateway (missing or late notifications). */
  async stale(status: OrderStatus, olderThanMs: number, limit = 50): Promise<OrderRow[]> {
    return this.ds.getRepository(OrderEntity).find({ where: { status, updatedAt: LessThan(new Date(Date.now() - olderThanMs)) }, order: { updatedAt: 'ASC' }, take: limit });
  }

  async dto(row: OrderRow): Promise<OrderDto> {
    const events = await this.ds.getRepository(OrderEventEntity).find({ where: { orderId: row.id }, order: { id: 'ASC' } });
    return this.toDto(row, events);
  }

  private toDto(row: OrderRow, events: Array<{ status: OrderStatus; at: Date; note: string | null }>): OrderDto {
    const accountMasked = storedAccountMasked(row.accountMasked);
    return {
      id: row.id,
      orderNo: row.orderNo,
      status: row.status,
      statusLabel: ORDER_STATUS_LABELS[row.status],
      serviceId: row.adapterId,
      serviceName: row.serviceName,
      providerName: row.providerName,
      category: row.category as OrderDto['category'],
      cityCode: row.cityCode,
      accountId: row.accountId,
      accountMasked,
      bills: storedBills(row.bills),
      amountFen: Number(row.amountFen),
      createdAt: isoAt(row.createdAt),
      expiresAt: isoAt(row.expiresAt),
      refundReason: row.refundReason,
      refund: row.refundNo ? { refundNo: row.refundNo, amountFen: Number(row.refundFen ?? row.amountFen) } : null,
      timeline: events.map((e) => ({ status: e.status, at: isoAt(e.at), note: e.note })),
      receipt:
        WRITTEN_OFF.has(row.status) && row.transactionId && row.writeOffRef && row.paidAt && row.completedAt
          ? {
              providerName: row.providerName,
              serviceName: row.serviceName,
              accountMasked,
              // What the provider took: the whole order, or what is left after the refused bills' refund.
              amountFen: Number(row.amountFen) - Number(row.refundFen ?? 0),
              transactionId: row.transactionId,
              writeOffRef: row.writeOffRef,
              paidAt: isoAt(row.paidAt),
              completedAt: isoAt(row.completedAt),
            }
          : null,
    };
  }

  /** The bills an order pays, each with its total, in the order's order (a per-bill write-off sends them one by one). */
  async billsOf(orderId: string): Promise<Bill[]> {
    const row = await this.ds.getRepository(OrderEntity).findOne({ select: { id: true, bills: true }, where: { id: orderId } });
    if (!row) throw new NotFoundError('ORDER_NOT_FOUND', `no order ${orderId}`);
    return storedBills(row.bills);
  }

  /** Plain account fields of an order, for its write-off. */
  fieldsOf(order: Pick<OrderRow, 'fieldsSealed'>): Record<string, string> {
    return storedFields(this.deps.box.open(order.fieldsSealed));
  }
}
