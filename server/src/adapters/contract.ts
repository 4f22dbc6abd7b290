import type { AccountField, Category, Coverage, LineItem, PaymentRules } from '@cityhub/shared';
import { AppError } from '../errors';

/**
 * The one contract every provider adapter implements, whether it is built
 * from an operator's manifest or written as a TypeScript class. One input and
 * one output object per method; failures are thrown as AdapterErrors.
 */
export interface AdapterDescription {
  id: string;
  version: string;
  name: string;
  providerName: string;
  category: Category;
  coverage: Coverage;
  accountFields: AccountField[];
  paymentRules: PaymentRules;
  kind: 'manifest' | 'code';
}

/** The fields a resident filled in, by field name (already validated against accountFields). */
export type AccountFields = Record<string, string>;

export interface LookupAccountInput {
  fields: AccountFields;
}
export interface LookupAccountOutput {
  holderNameMasked: string;
  addressHint: string | null;
  /** The city (GB/T 2260) the provider places the account in, when it says; the hub refuses an account of another city. */
  cityCode?: string | null;
}

export interface QueryBillsInput {
  fields: AccountFields;
}
export interface ProviderBill {
  ref: string;
  period: string;
  title: string;
  amountFen: number;
  lateFeeFen: number;
  dueDate: string | null;
  lineItems: LineItem[];
  /** What was used in the period (kWh, m³…), where the provider says. */
  usage?: { amount: number; unit: string } | null;
}
export interface QueryBillsOutput {
  bills: ProviderBill[];
  /** When the provider gave this answer (set by the bill cache; a cached answer keeps its original time). */
  fetchedAt?: string;
}

export interface WriteOffInput {
  /** Our order number; the provider treats a repeat of it as the same write-off. */
  orderNo: string;
  fields: AccountFields;
  billRefs: string[];
  amountFen: number;
}
export interface WriteOffOutput {
  reference: string;
}

export interface WriteOffStatusInput {
  orderNo: string;
  fields: AccountFields;
}
export interface WriteOffStatusOutput {
  status: 'SUCCESS' | 'NOT_FOUND' | 'FAILED';
  reference: string | null;
}

export interface HealthOutput {
  ok: boolean;
  detail?: string;
  /** The provider offers no way to ask (no health operation, no declared look-up): health is judged by real calls alone. */
  judgedByTraffic?: true;
}

export interface CityServiceAdapter {
  describe(): AdapterDescription;
  lookupAccount(input: LookupAccountInput, signal?: AbortSignal): Promise<LookupAccountOutput>;
  queryBills(input: QueryBillsInput, signal?: AbortSignal): Promise<QueryBillsOutput>;
  writeOff(input: WriteOffInput, signal?: AbortSignal): Promise<WriteOffOutput>;
  writeOffStatus(input: WriteOffStatusInput, signal?: AbortSignal): Promise<WriteOffStatusOutput>;
  health(signal?: AbortSignal): Promise<HealthOutput>;
}

export type AdapterErrorCode =
  | 'PROVIDER_ACCOUNT_NOT_FOUND'
  | 'NO_ARREARS'
  | 'SERVICE_WINDOW_CLOSED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_REJECTED'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_BAD_RESPONSE'
  | 'PROVIDER_UNKNOWN_ERROR';

/**
 * A typed adapter failure. `providerCode` keeps what the provider said (for
 * operators); the message is safe to show a resident.
 */
export class AdapterError extends AppError {
  constructor(
    code: AdapterErrorCode,
    message: string,
    readonly providerCode?: string,
    details?: unknown,
  ) {
    // Provider trouble is not an internal bug: its message is meant for people.
    super(code, message, details, { expose: true });
  }

  /** True for failures that mean the provider is unwell (they feed the circuit breaker). */
  get isProviderFailure(): boolean {
    return ['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'PROVIDER_BAD_RESPONSE', 'PROVIDER_UNKNOWN_ERROR'].includes(this.code);
  }
}

export const adapterErrors = {
  accountNotFound: (providerCode?: string) =>
    new AdapterError('PROVIDER_ACCOUNT_NOT_FOUND', 'the provider has no account with these details; check the numbers and try again', providerCode),
  noArrears: (providerCode?: string) => new AdapterError('NO_ARREARS', 'nothing is owed on this account', providerCode),
  windowClosed: (providerCode?: string) =>
    new AdapterError('SERVICE_WINDOW_CLOSED', 'the provider is closed for maintenance; try again later', providerCode),
  unavailable: (reason: string, providerCode?: string) =>
    new AdapterError('PROVIDER_UNAVAILABLE', `the provider is unavailable: ${reason}`, providerCode),
  rejected: (reason: string, providerCode?: string) => new AdapterError('PROVIDER_REJECTED', `the provider refused: ${reason}`, providerCode),
  timeout: (ms: number) => new AdapterError('PROVIDER_TIMEOUT', `the provider did not answer within ${ms} ms`),
  badResponse: (problem: string) => new AdapterError('PROVIDER_BAD_RESPONSE', `the provider's answer could not be read: ${problem}`),
  unknownError: (providerCode: string) =>
    new AdapterError('PROVIDER_UNKNOWN_ERROR', `the provider answered with error code "${providerCode}", which its manifest does not map`, providerCode),
};
