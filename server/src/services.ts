import type { DataSource } from 'typeorm';
import { PaymentHistory } from './bills/history';
import { AccountService } from './accounts/service';
import { AdapterAdminService } from './adapters/admin-service';
import type { CodeAdapterFactory } from './adapters/builtin';
import { AdapterRegistry } from './adapters/registry';
import { DEFAULT_RESILIENCE, type ResilienceOptions } from './adapters/resilience';
import { SecretStore } from './adapters/secrets';
import { AuditLog } from './admin/audit';
import { BillService } from './bills/service';
import { HouseholdService } from './households/service';
import { CityService } from './cities/service';
import { ResidentService } from './identity/residents';
import { SessionService } from './identity/sessions';
import type { KeyValueStore } from './infra/kv';
import type { Logger } from './infra/logger';
import { Scheduler } from './infra/scheduler';
import type { SecretBox } from './infra/secret-box';
import type { WechatLogin } from './identity/routes';
import { DEFAULT_OUTBOX_OPTIONS, OutboxWorker, type OutboxWorkerOptions } from './orders/outbox-worker';
import { OrderLedger } from './orders/ledger';
import { OrderService } from './orders/service';
import { OrderStateMachine } from './orders/state-machine';
import { DEFAULT_SWEEPER_OPTIONS, OrderSweeper, type SweeperOptions } from './orders/sweeper';
import type { PaymentGateway } from './payments/gateway';
import { DailyReconciliation } from './reconciliation/daily-job';
import { ReconciliationService } from './reconciliation/service';
import { BillReminders, DEFAULT_REMINDER_OPTIONS, type BillReminderOptions } from './reminders/bill-reminders';
import type { MessageSender } from './reminders/wechat-messages';

export interface ServiceDeps {
  dataSource: DataSource;
  kv: KeyValueStore;
  log: Logger;
  secretBox: SecretBox;
  implementations: Record<string, CodeAdapterFactory>;
  resilience?: Partial<ResilienceOptions>;
  gateway: PaymentGateway;
  login: WechatLogin;
  /** WeChat subscribe messages, for bill reminders. */
  messages: MessageSender;
  reminders?: Partial<BillReminderOptions>;
  /** <publicUrl>/api/v1/payments/wechat/notify */
  notifyUrl: string;
  orderTtlMs: number;
  outbox?: Partial<Omit<OutboxWorkerOptions, 'notifyUrl'>>;
  sweeper?: Partial<SweeperOptions>;
}

/** Every domain service of the hub, wired to the stores; routes receive these. */
export interface HubServices {
  cities: CityService;
  registry: AdapterRegistry;
  secrets: SecretStore;
  adapters: AdapterAdminService;
  audit: AuditLog;
  residents: ResidentService;
  sessions: SessionService;
  accounts: AccountService;
  /** What residents paid through the hub, by month (the account chart, 本月已缴). */
  paymentHistory: PaymentHistory;
  /** Household groups (缴费分组): who besides an account's owner may read and pay it. */
  households: HouseholdService;
  bills: BillService;
  orders: OrderService;
  gateway: PaymentGateway;
  login: WechatLogin;
  /** The only code that changes an order's status. */
  orderStates: OrderStateMachine;
  outbox: OutboxWorker;
  sweeper: OrderSweeper;
  /** Runs the sweeper, the daily reconciliation and the bill reminders, one process at a time each. */
  scheduler: Scheduler;
  reconciliation: ReconciliationService;
  dailyReconciliation: DailyReconciliation;
  reminders: BillReminders;
}

/**
 * Builds every domain service on the stores and clients it is given: the
 * service half of the composition root. Only buildHub (hub.ts) calls it; the
 * hub's lifecycle starts and stops the running ones (registry, outbox, scheduler).
 */
export function createServices(deps: ServiceDeps): HubServices {
  const secrets = new SecretStore(deps.dataSource, deps.secretBox);
  const registry = new AdapterRegistry({
    dataSource: deps.dataSource,
    kv: deps.kv,
    secrets,
    implementations: deps.implementations,
    log: deps.log,
    resilience: deps.resilience,
  });
  const cities = new CityService(deps.dataSource);
  const residents = new ResidentService(deps.dataSource);
  /** Read access to orders for the domains that report on them (reconciliation, payment history). */
  const orderLedger = new OrderLedger(deps.dataSource);
  const accounts = new AccountService(deps.dataSource, registry, deps.secretBox, { kv: deps.kv, cities });
  const orderStates = new OrderStateMachine({ dataSource: deps.dataSource, kv: deps.kv, log: deps.log });
  const orders = new OrderService({
    dataSource: deps.dataSource,
    accounts,
    residents,
    gateway: deps.gateway,
    machine: orderStates,
    box: deps.secretBox,
    log: deps.log,
    options: { notifyUrl: deps.notifyUrl, orderTtlMs: deps.orderTtlMs },
  });
  const outbox = new OutboxWorker({
    dataSource: deps.dataSource,
    kv: deps.kv,
    machine: orderStates,
    orders,
    registry,
    gateway: deps.gateway,
    log: deps.log,
    // At most as many write-offs in flight per adapter as its bulkhead lets through.
    options: { ...DEFAULT_OUTBOX_OPTIONS, perAdapter: { ...DEFAULT_RESILIENCE, ...deps.resilience }.maxConcurrent, ...deps.outbox, notifyUrl: deps.notifyUrl },
  });
  const sweeper = new OrderSweeper({
    dataSource: deps.dataSource,
    orders,
    gateway: deps.gateway,
    log: deps.log,
    options: { ...DEFAULT_SWEEPER_OPTIONS, ...deps.sweeper },
  });
  const reconciliation = new ReconciliationService({ dataSource: deps.dataSource, orders: orderLedger, gateway: deps.gateway, log: deps.log });
  const dailyReconciliation = new DailyReconciliation({ reconciliation });
  const bills = new BillService(accounts);
  const reminders = new BillReminders({
    dataSource: deps.dataSource,
    accounts,
    residents,
    bills,
    messages: deps.messages,
    log: deps.log,
    options: { ...DEFAULT_REMINDER_OPTIONS, ...deps.reminders },
  });
  const scheduler = new Scheduler({ kv: deps.kv, log: deps.log }).add(sweeper.job).add(dailyReconciliation.job).add(reminders.job);
  const audit = new AuditLog(deps.dataSource);
  const households = new HouseholdService({ dataSource: deps.dataSource, accounts, orders, audit, log: deps.log });
  accounts.allowSharing(households);
  accounts.whenRemoved((accountId, tx) => households.forgetAccount(accountId, tx));
  // Removing an account forgets the reminders sent for its bills, in the same transaction.
  accounts.whenRemoved((accountId, tx) => reminders.forgetAccount(accountId, tx));
  return {
    cities,
    registry,
    secrets,
    adapters: new AdapterAdminService({ dataSource: deps.dataSource, registry, secrets, implementations: deps.implementations, audit, cities }),
    audit,
    residents,
    sessions: new SessionService(deps.kv),
    accounts,
    paymentHistory: new PaymentHistory(orderLedger, accounts),
    households,
    bills,
    orders,
    gateway: deps.gateway,
    login: deps.login,
    orderStates,
    outbox,
    sweeper,
    scheduler,
    reconciliation,
    dailyReconciliation,
    reminders,
  };
}
