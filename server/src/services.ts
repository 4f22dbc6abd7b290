import type { DataSource } from 'typeorm';
import { AccountService } from './accounts/service';
import { AdapterAdminService } from './adapters/admin-service';
import type { CodeAdapterFactory } from './adapters/builtin';
import { AdapterRegistry } from './adapters/registry';
import type { ResilienceOptions } from './adapters/resilience';
import { SecretStore } from './adapters/secrets';
import { AuditLog } from './admin/audit';
import { BillService } from './bills/service';
import { CityService } from './cities/service';
import { ResidentService } from './identity/residents';
import { SessionService } from './identity/sessions';
import type { KeyValueStore } from './infra/kv';
import type { Logger } from './infra/logger';
import type { SecretBox } from './infra/secret-box';
import type { WechatLogin } from './identity/routes';
import { DEFAULT_OUTBOX_OPTIONS, OutboxWorker, type OutboxWorkerOptions } from './orders/outbox-worker';
import { OrderService } from './orders/service';
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
  /** Run the outbox worker, sweeper, daily reconciliation and bill reminders in this process (default true). */
  workers?: boolean;
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
  bills: BillService;
  orders: OrderService;
  gateway: PaymentGateway;
  login: WechatLogin;
  outbox: OutboxWorker;
  sweeper: OrderSweeper;
  reconciliation: ReconciliationService;
  dailyReconciliation: DailyReconciliation;
  reminders: BillReminders;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the services; call start() before serving (it loads the active adapters). */
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
  const accounts = new AccountService(deps.dataSource, registry, deps.secretBox);
  const orders = new OrderService({
    dataSource: deps.dataSource,
    accounts,
    gateway: deps.gateway,
    box: deps.secretBox,
    log: deps.log,
    options: { notifyUrl: deps.notifyUrl, orderTtlMs: deps.orderTtlMs },
  });
  const outbox = new OutboxWorker({
    dataSource: deps.dataSource,
    orders,
    registry,
    gateway: deps.gateway,
    log: deps.log,
    options: { ...DEFAULT_OUTBOX_OPTIONS, ...deps.outbox, notifyUrl: deps.notifyUrl },
  });
  const sweeper = new OrderSweeper({
    dataSource: deps.dataSource,
    orders,
    gateway: deps.gateway,
    kv: deps.kv,
    log: deps.log,
    options: { ...DEFAULT_SWEEPER_OPTIONS, ...deps.sweeper },
  });
  const reconciliation = new ReconciliationService({ dataSource: deps.dataSource, gateway: deps.gateway, log: deps.log });
  const dailyReconciliation = new DailyReconciliation({ reconciliation, kv: deps.kv, log: deps.log });
  const bills = new BillService(accounts);
  const reminders = new BillReminders({
    dataSource: deps.dataSource,
    accounts,
    bills,
    messages: deps.messages,
    kv: deps.kv,
    log: deps.log,
    options: { ...DEFAULT_REMINDER_OPTIONS, ...deps.reminders },
  });
  const workers = deps.workers ?? true;
  return {
    cities: new CityService(deps.dataSource),
    registry,
    secrets,
    adapters: new AdapterAdminService({ dataSource: deps.dataSource, registry, secrets, implementations: deps.implementations }),
    audit: new AuditLog(deps.dataSource),
    residents: new ResidentService(deps.dataSource),
    sessions: new SessionService(deps.kv),
    accounts,
    bills,
    orders,
    gateway: deps.gateway,
    login: deps.login,
    outbox,
    sweeper,
    reconciliation,
    dailyReconciliation,
    reminders,
    async start() {
      await registry.start();
      if (workers) {
        outbox.start();
        sweeper.start();
        dailyReconciliation.start();
        reminders.start();
      }
    },
    async stop() {
      await Promise.all([outbox.stop(), sweeper.stop(), dailyReconciliation.stop(), reminders.stop()]);
      await registry.stop();
    },
  };
}
