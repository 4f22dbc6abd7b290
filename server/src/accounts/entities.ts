import { EntitySchema } from 'typeorm';
import { z } from 'zod';
import { jsonColumn } from '../infra/json-column';

/** A resident's bound account at one provider. Identifying fields are sealed; only masked forms are readable. */
export interface AccountRow {
  id: string;
  residentId: string;
  adapterId: string;
  category: string;
  cityCode: string;
  alias: string | null;
  fieldsSealed: string;
  /** Field name → masked value, as the resident may see it. */
  fieldsMasked: Record<string, string>;
  /** Keyed digest of the fields, so one resident cannot bind the same account twice. */
  fieldsDigest: string;
  holderNameMasked: string;
  addressHint: string | null;
  /** One-time WeChat subscriptions granted and not yet used by a reminder. */
  remindersLeft: number;
  /** False for "仅本次缴费": the owner can open, pay and remove it, but no list shows it. */
  saved: boolean;
  createdAt: Date;
}

export const AccountEntity = new EntitySchema<AccountRow>({
  name: 'Account',
  tableName: 'accounts',
  columns: {
    id: { type: String, length: 36, primary: true },
    residentId: { name: 'resident_id', type: String, length: 36 },
    adapterId: { name: 'adapter_id', type: String, length: 64 },
    category: { type: String, length: 32 },
    cityCode: { name: 'city_code', type: String, length: 6 },
    alias: { type: String, length: 40, nullable: true },
    fieldsSealed: { name: 'fields_sealed', type: 'text' },
    fieldsMasked: { name: 'fields_masked', type: 'text', transformer: jsonColumn(z.record(z.string(), z.string()), 'accounts.fields_masked') },
    fieldsDigest: { name: 'fields_digest', type: String, length: 64 },
    holderNameMasked: { name: 'holder_name_masked', type: String, length: 64 },
    addressHint: { name: 'address_hint', type: String, length: 128, nullable: true },
    remindersLeft: { name: 'reminders_left', type: 'int', default: 0 },
    saved: { type: Boolean, default: true },
    createdAt: { name: 'created_at', type: 'datetime' },
  },
});
