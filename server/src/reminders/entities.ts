import { EntitySchema } from 'typeorm';

/** A bill a reminder was sent for: at most one reminder per (account, bill). */
export interface ReminderSentRow {
  accountId: string;
  billRef: string;
  sentAt: Date;
}

export const ReminderSentEntity = new EntitySchema<ReminderSentRow>({
  name: 'ReminderSent',
  tableName: 'reminders_sent',
  columns: {
    accountId: { name: 'account_id', type: String, length: 36, primary: true },
    billRef: { name: 'bill_ref', type: String, length: 64, primary: true },
    sentAt: { name: 'sent_at', type: 'datetime', precision: 3 },
  },
});
