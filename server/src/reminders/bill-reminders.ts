import { fenToYuan, sumFen } from '@cityhub/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { AccountService, RemindableAccount } from '../accounts/service';
import type { BillService } from '../bills/service';
import type { ResidentService } from '../identity/residents';
import { beijingDate, beijingHour } from '../infra/beijing-time';
import type { Logger } from '../infra/logger';
import type { ScheduledJob } from '../infra/scheduler';
import { inTransaction } from '../infra/transaction';
import { ReminderSentEntity } from './entities';
import type { MessageSender } from './wechat-messages';

export interface BillReminderOptions {
  /** The subscribe-message template the mini-program asks residents to accept. */
  templateId: string;
  /** Remind of a bill this many days before its due date (and of any overdue one). */
  leadDays: number;
}

export const DEFAULT_REMINDER_OPTIONS: BillReminderOptions = { templateId: 'cityhub-bill-due', leadDays: 3 };

/** Residents are not messaged at night: reminders go out between 09:00 and 21:00 Beijing time. */
const FIRST_HOUR = 9;
const LAST_HOUR = 21;
const DAY_MS = 24 * 3600_000;

/** WeChat's `thing` values hold at most 20 characters. */
const thing = (text: string) => ({ value: Array.from(text).slice(0, 20).join('') });

export interface ReminderRun {
  checked: number;
  sent: number;
}

/**
 * Bill reminders (缴费提醒). A resident who accepted WeChat's one-time
 * subscription for an account gets one message when a bill on it comes due
 * (within `leadDays`, or overdue), once per bill; each message uses one
 * subscription. Runs on the hub's scheduler, hourly in daytime and once
 * shortly after start, one hub process at a time. The message is sent before it is recorded:
 * a crash in between can repeat one reminder, never lose one.
 */
export class BillReminders {
  readonly job: ScheduledJob = {
    name: 'bill-reminders',
    // On the hour from 09:00 to 20:00 Beijing time; runDue itself refuses the night.
    schedule: { cron: `0 0 ${FIRST_HOUR}-${LAST_HOUR - 1} * * *` },
    leaseMs: 10 * 60_000,
    catchUpAfterMs: 5000,
    run: () => this.runDue(),
  };

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      accounts: AccountService;
      residents: ResidentService;
      bills: BillService;
      messages: MessageSender;
      log: Logger;
      options: BillReminderOptions;
    },
  ) {}

  /** Sends what is due now; null when it is night in Beijing. */
  async runDue(now: Date = new Date()): Promise<ReminderRun | null> {
    const hour = beijingHour(now);
    if (hour < FIRST_HOUR || hour >= LAST_HOUR) return null;
    const rows = await this.deps.accounts.withRemindersLeft();
    const openids = await this.deps.residents.openids(rows.map((r) => r.residentId));
    let sent = 0;
    for (const row of rows) {
      const openid = openids.get(row.residentId);
      if (!openid) continue;
      try {
        if (await this.remind(row, openid, now)) sent++;
      } catch (err) {
        // One provider or one message failing must not hold back the others; the next run retries.
        this.deps.log.warn({ err: { message: (err as Error).message }, accountId: row.id }, 'bill reminder not sent');
      }
    }
    return { checked: rows.length, sent };
  }

  private async remind(row: RemindableAccount, openid: string, now: Date): Promise<boolean> {
    const { dataSource, accounts, messages, options } = this.deps;
    const account = await accounts.open(row.residentId, row.id);
    const bills = await this.deps.bills.billsOf(account);
    const already = new Set((await dataSource.getRepository(ReminderSentEntity).findBy({ accountId: row.id })).map((r) => r.billRef));
    const today = beijingDate(now);
    const horizon = beijingDate(new Date(now.getTime() + options.leadDays * DAY_MS));
    const due = bills.filter((b) => !already.has(b.ref) && (!b.dueDate || b.dueDate <= horizon));
    if (due.length === 0) return false;

    const earliest = due.map((b) => b.dueDate).filter((d): d is string => !!d).sort()[0];
    const overdue = earliest !== undefined && earliest < today;
    const d = account.adapter.describe();
    const outcome = await messages.send({
      touser: openid,
      templateId: options.templateId,
      page: `packages/bills/index?accountId=${row.id}`,
      data: {
        thing1: thing(`${d.name} · ${row.alias ?? d.providerName}`),
        amount2: { value: `${fenToYuan(sumFen(due.map((b) => b.totalFen)))}元` },
        date3: { value: earliest ?? today },
        thing4: thing(overdue ? `${due.length} 笔账单已逾期，请尽快缴费` : `${due.length} 笔账单即将到期`),
      },
    });
    if (outcome === 'no-subscription') {
      // WeChat holds no subscription for this resident (used elsewhere or withdrawn): stop counting ours.
      await accounts.dropReminders(row.id);
      return false;
    }
    await inTransaction(dataSource, async (tx) => {
      await tx.getRepository(ReminderSentEntity).insert(due.map((b) => ({ accountId: row.id, billRef: b.ref, sentAt: now })));
      await accounts.useReminder(row.id, tx);
    });
    return true;
  }

  /** An account was removed: forget the reminders sent for its bills (in the removal's transaction). */
  async forgetAccount(accountId: string, tx: EntityManager): Promise<void> {
    await tx.getRepository(ReminderSentEntity).delete({ accountId });
  }
}
