import { z } from 'zod';
import { billSchema, type Bill } from '@cityhub/shared';
import { parseJsonText } from '../infra/json-column';

/**
 * The JSON text columns of `orders`, read back through their schemas. Most reads of
 * these columns are raw SQL (the hot path), which skips entity transformers, so every
 * reader goes through these functions instead of `JSON.parse(...) as T`.
 */
const billRefsSchema = z.array(z.string());
const stringMapSchema = z.record(z.string(), z.string());
const billsSchema = z.array(billSchema);

/** orders.bill_refs: the bills the order pays, by the provider's reference. */
export const storedBillRefs = (text: string): string[] => parseJsonText(billRefsSchema, 'orders.bill_refs', text);

/** orders.account_masked: the account's fields as shown, masked. */
export const storedAccountMasked = (text: string): Record<string, string> => parseJsonText(stringMapSchema, 'orders.account_masked', text);

/** orders.bills: the bills as the resident saw them when ordering (older rows lack usage/overdue; the schema defaults them). */
export const storedBills = (text: string): Bill[] => parseJsonText(billsSchema, 'orders.bills', text);

/** orders.fields_sealed, once opened: the account's plain fields for the write-off. */
export const storedFields = (text: string): Record<string, string> => parseJsonText(stringMapSchema, 'orders.fields_sealed', text);
