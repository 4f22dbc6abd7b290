import { randomBytes } from 'node:crypto';
import jsonata from 'jsonata';
import { z } from 'zod';
import { fenToYuan, maskAddress, maskName, yuanToFen, type AdapterManifest, type FieldIssue } from '@cityhub/shared';
import {
  AdapterError,
  adapterErrors,
  type AdapterDescription,
  type CityServiceAdapter,
  type HealthOutput,
  type LookupAccountInput,
  type LookupAccountOutput,
  type ProviderBill,
  type QueryBillsInput,
  type QueryBillsOutput,
  type WriteOffInput,
  type WriteOffOutput,
  type WriteOffStatusInput,
  type WriteOffStatusOutput,
} from './contract';
import { sendProviderRequest, type ProviderResponse } from './http-transport';
import type { SigningKeys } from './provider-wire';

type OperationName = keyof AdapterManifest['operations'];
type Expression = ReturnType<typeof jsonata>;

interface CompiledOperation {
  method: 'GET' | 'POST' | 'PUT';
  path: Expression;
  query?: Expression;
  body?: Expression;
  success: Expression;
  errorCode?: Expression;
  map: Expression;
}

/**
 * Compiles every JSONata expression of a manifest, returning one issue per
 * expression that does not parse (so registration can list them all).
 */
export function compileManifestExpressions(manifest: AdapterManifest): { compiled: Partial<Record<OperationName, CompiledOperation>>; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const compiled: Partial<Record<OperationName, CompiledOperation>> = {};
  const compile = (source: string | undefined, path: string): Expression | undefined => {
    if (source === undefined) return undefined;
    try {
      return jsonata(source);
    } catch (err) {
      issues.push({ path, message: `not a valid JSONata expression: ${(err as Error).message}` });
      return undefined;
    }
  };
  for (const [name, op] of Object.entries(manifest.operations) as Array<[OperationName, AdapterManifest['operations'][OperationName]]>) {
    if (!op) continue;
    const at = `operations.${name}`;
    const parts = {
      path: compile(op.request.path, `${at}.request.path`),
      query: compile(op.request.query, `${at}.request.query`),
      body: compile(op.request.body, `${at}.request.body`),
      success: compile(op.response.success, `${at}.response.success`),
      errorCode: compile(op.response.errorCode, `${at}.response.errorCode`),
      map: compile(op.response.map, `${at}.response.map`),
    };
    const { path, success, map } = parts;
    if (path && success && map) {
      compiled[name] = { method: op.request.method, query: parts.query, body: parts.body, errorCode: parts.errorCode, path, success, map };
    }
  }
  return { compiled, issues };
}

const lookupMapSchema = z.object({
  holderName: z.string().min(1),
  address: z.string().nullish(),
  /** The city the provider files the account under (GB/T 2260), when the mapping produces it. */
  cityCode: z.string().regex(/^\d{6}$/, 'cityCode is a six-digit GB/T 2260 code').nullish(),
});

/** Metered use in a bill's period, when the mapping produces it ("usage": {"amount": 123, "unit": "kWh"}). */
const usageMapSchema = z.object({ amount: z.coerce.number().nonnegative(), unit: z.string().min(1).max(8) });

const statusMapSchema = z.object({
  status: z.enum(['SUCCESS', 'NOT_FOUND', 'FAILED']),
  reference: z.union([z.string(), z.number()]).nullish(),
});

/** Describes zod issues as "path: message" for operators reading a bad-response error. */
function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues.map((i) => `${[prefix, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
}

/**
 * An adapter built from an operator's manifest: HTTP requests and response
 * mappings are JSONata expressions; amounts are normalised to integer fen
 * according to the manifest's amountUnit, and anything that does not fit is a
 * typed PROVIDER_BAD_RESPONSE instead of a crash.
 */
export class ManifestAdapter implements CityServiceAdapter {
  private readonly ops: Partial<Record<OperationName, CompiledOperation>>;

  constructor(
    private readonly manifest: AdapterManifest,
    private readonly secret: string | undefined,
    private readonly signingKeys: SigningKeys = {},
  ) {
    const { compiled, issues } = compileManifestExpressions(manifest);
    if (issues.length) throw new Error(`manifest ${manifest.id}@${manifest.version} has invalid expressions: ${issues.map((i) => i.path).join(', ')}`);
    this.ops = compiled;
  }

  describe(): AdapterDescription {
    const m = this.manifest;
    return {
      id: m.id,
      version: m.version,
      name: m.name,
      providerName: m.providerName,
      category: m.category,
      coverage: m.coverage,
      accountFields: m.accountFields,
      paymentRules: m.paymentRules,
      kind: 'manifest',
    };
  }

  /** A fen amount in the provider's own unit, for request expressions. */
  private providerAmount(fen: number): string | number {
    return this.manifest.amountUnit === 'yuan' ? fenToYuan(fen) : fen;
  }

  /** Reads an amount written in the provider's unit as integer fen, or explains why it cannot. */
  private toFen(value: unknown, path: string): number {
    if (this.manifest.amountUnit === 'fen') {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
      throw adapterErrors.badResponse(`${path} should be an integer number of fen, got ${JSON.stringify(value)}`);
    }
    if (typeof value === 'string') {
      try {
        return yuanToFen(value);
      } catch {
        /* falls through to the error below */
      }
    }
    throw adapterErrors.badResponse(`${path} should be a yuan string such as "12.30", got ${JSON.stringify(value)}`);
  }

  private async call(name: OperationName, input: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const op = this.ops[name];
    if (!op) throw adapterErrors.unavailable(`operation ${name} is not defined`);
    // What gateways ask of every call besides the operation's own input: a timestamp and a one-time nonce.
    const now = Date.now();
    input = { ...input, timestamp: String(Math.floor(now / 1000)), timestampMs: String(now), nonce: randomBytes(16).toString('hex') };
    // JSONata answers `any`; what it produced is checked below before it is used.
    const evalOrFail = async (expr: Expression, data: unknown, part: string): Promise<unknown> => {
      try {
        const value: unknown = await expr.evaluate(data);
        return value;
      } catch (err) {
        throw adapterErrors.badResponse(`${name}.${part} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const path = await evalOrFail(op.path, input, 'request.path');
    if (typeof path !== 'string') throw adapterErrors.badResponse(`${name}.request.path must produce a string`);
    const query = op.query ? await evalOrFail(op.query, input, 'request.query') : undefined;
    const body = op.body ? await evalOrFail(op.body, input, 'request.body') : undefined;
    const queryStrings = query && typeof query === 'object' ? Object.fromEntries(Object.entries(query as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : undefined;

    const response: ProviderResponse = await sendProviderRequest(
      this.manifest.transport,
      this.secret,
      { method: op.method, path, query: queryStrings, body },
      signal,
      this.signingKeys,
    );
    const success = await evalOrFail(op.success, response, 'response.success');
    if (success !== true) {
      const rawCode = op.errorCode ? await evalOrFail(op.errorCode, response, 'response.errorCode') : undefined;
      const code = rawCode === undefined || rawCode === null ? `HTTP_${response.status}` : typeof rawCode === 'string' || typeof rawCode === 'number' || typeof rawCode === 'boolean' ? String(rawCode) : JSON.stringify(rawCode);
      const kind = this.manifest.errorCodes[code];
      switch (kind) {
        case 'PROVIDER_ACCOUNT_NOT_FOUND':
          throw adapterErrors.accountNotFound(code);
        case 'NO_ARREARS':
          throw adapterErrors.noArrears(code);
        case 'SERVICE_WINDOW_CLOSED':
          throw adapterErrors.windowClosed(code);
        case 'PROVIDER_REJECTED':
          throw adapterErrors.rejected(`provider code ${code}`, code);
        case 'PROVIDER_UNAVAILABLE':
          throw adapterErrors.unavailable(`provider code ${code}`, code);
        default:
          if (response.status >= 500) throw adapterErrors.unavailable(`HTTP ${response.status}`, code);
          throw adapterErrors.unknownError(code);
      }
    }
    const mapped = await evalOrFail(op.map, response, 'response.map');
    if (mapped === undefined) throw adapterErrors.badResponse(`${name}.response.map produced nothing (a field the mapping reads is missing)`);
    return mapped;
  }

  async lookupAccount(input: LookupAccountInput, signal?: AbortSignal): Promise<LookupAccountOutput> {
    const mapped = lookupMapSchema.safeParse(await this.call('lookupAccount', { account: input.fields }, signal));
    if (!mapped.success) throw adapterErrors.badResponse(describeIssues(mapped.error, 'lookupAccount'));
    return {
      holderNameMasked: maskName(mapped.data.holderName),
      addressHint: mapped.data.address ? maskAddress(mapped.data.address) : null,
      ...(mapped.data.cityCode ? { cityCode: mapped.data.cityCode } : {}),
    };
  }

  async queryBills(input: QueryBillsInput, signal?: AbortSignal): Promise<QueryBillsOutput> {
    let raw = await this.call('queryBills', { account: input.fields }, signal);
    // JSONata yields a single object, not an array, when a list has one element.
    if (raw !== null && !Array.isArray(raw)) raw = [raw];
    const list = z.array(z.record(z.string(), z.unknown())).safeParse(raw ?? []);
    if (!list.success) throw adapterErrors.badResponse('queryBills.response.map must produce a list of bills');
    const bills: ProviderBill[] = list.data.map((b, i) => {
      const at = `queryBills[${i}]`;
      if (typeof b.ref !== 'string' && typeof b.ref !== 'number') throw adapterErrors.badResponse(`${at}.ref is missing`);
      if (typeof b.period !== 'string') throw adapterErrors.badResponse(`${at}.period is missing or not a string`);
      const rawItems = b.lineItems === undefined || b.lineItems === null ? [] : Array.isArray(b.lineItems) ? b.lineItems : [b.lineItems];
      const usage = b.usage === undefined || b.usage === null ? null : usageMapSchema.safeParse(b.usage);
      if (usage && !usage.success) throw adapterErrors.badResponse(describeIssues(usage.error, `${at}.usage`));
      return {
        ref: String(b.ref),
        period: b.period,
        title: typeof b.title === 'string' ? b.title : b.period,
        amountFen: this.toFen(b.amount, `${at}.amount`),
        lateFeeFen: b.lateFee === undefined || b.lateFee === null ? 0 : this.toFen(b.lateFee, `${at}.lateFee`),
        dueDate: typeof b.dueDate === 'string' ? b.dueDate : null,
        lineItems: rawItems.map((item: Record<string, unknown>, j: number) => ({
          kind: item.kind === 'toll_passage' || item.kind === 'violation' ? item.kind : 'charge',
          description: typeof item.description === 'string' || typeof item.description === 'number' ? String(item.description) : '',
          amountFen: this.toFen(item.amount, `${at}.lineItems[${j}].amount`),
          details: {},
        })),
        ...(usage ? { usage: usage.data } : {}),
      };
    });
    for (const bill of bills) {
      if (bill.amountFen < 0 || bill.lateFeeFen < 0) throw adapterErrors.badResponse(`bill ${bill.ref} has a negative amount`);
    }
    return { bills };
  }

  async writeOff(input: WriteOffInput, signal?: AbortSignal): Promise<WriteOffOutput> {
    const mapped = await this.call(
      'writeOff',
      { account: input.fields, orderNo: input.orderNo, billRefs: input.billRefs, amountFen: input.amountFen, amount: this.providerAmount(input.amountFen) },
      signal,
    );
    const parsed = z.object({ reference: z.union([z.string().min(1), z.number()]) }).safeParse(mapped);
    if (!parsed.success) throw adapterErrors.badResponse(describeIssues(parsed.error, 'writeOff'));
    return { reference: String(parsed.data.reference) };
  }

  async writeOffStatus(input: WriteOffStatusInput, signal?: AbortSignal): Promise<WriteOffStatusOutput> {
    const mapped = statusMapSchema.safeParse(await this.call('writeOffStatus', { account: input.fields, orderNo: input.orderNo }, signal));
    if (!mapped.success) throw adapterErrors.badResponse(describeIssues(mapped.error, 'writeOffStatus'));
    return { status: mapped.data.status, reference: mapped.data.reference === undefined || mapped.data.reference === null ? null : String(mapped.data.reference) };
  }

  async health(signal?: AbortSignal): Promise<HealthOutput> {
    if (!this.ops.health) {
      const probe = this.manifest.healthProbe;
      if (!probe) return { ok: true, detail: 'no health operation and no declared look-up: judged by traffic', judgedByTraffic: true };
      try {
        await this.lookupAccount({ fields: probe.account }, signal);
      } catch (err) {
        // "No such account" is the provider answering: it is up.
        if (!(err instanceof AdapterError && err.code === 'PROVIDER_ACCOUNT_NOT_FOUND')) throw err;
      }
      return { ok: true, detail: 'answered the declared look-up' };
    }
    const mapped = await this.call('health', {}, signal);
    return { ok: mapped === true || (typeof mapped === 'object' && mapped !== null && (mapped as { ok?: unknown }).ok === true) };
  }
}
