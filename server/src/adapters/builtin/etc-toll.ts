import { fenSchema, type AccountField } from '@cityhub/shared';
import { z } from 'zod';
import {
  adapterErrors,
  type CityServiceAdapter,
  type HealthOutput,
  type LookupAccountInput,
  type LookupAccountOutput,
  type QueryBillsInput,
  type QueryBillsOutput,
  type WriteOffInput,
  type WriteOffOutput,
  type WriteOffStatusInput,
  type WriteOffStatusOutput,
} from '../contract';
import type { ProviderResponse } from '../http-transport';
import { CodeAdapterBase } from './base';

/** The operator's answers (numeric resultCode, amounts in fen), as zod reads them; other fields are ignored. */
const envelope = z.object({ resultCode: z.number(), message: z.string().optional() });
const cardAnswer = z.object({ card: z.object({ owner: z.unknown(), cardNo: z.string().min(1) }) });
const passage = z.object({
  passageId: z.string().min(1),
  fee: fenSchema,
  entryStation: z.string(),
  exitStation: z.string(),
  entryTime: z.string(),
  exitTime: z.string(),
});
const statementsAnswer = z.object({
  statements: z.array(
    z.object({
      month: z.string(),
      // A statement without a pay-before date has none: the bill shows no due date.
      payBefore: z.string().nullish().transform((d) => d ?? null),
      passages: z.array(passage),
    }),
  ),
});
const settlementAnswer = z.object({ settlementNo: z.string().min(1) });
const settlementStateAnswer = z.object({ state: z.string(), settlementNo: z.string().optional() });

/**
 * Highway toll operators with ETC cards. Code rather than a manifest: each
 * passage of a monthly statement becomes a bill of its own (settled by
 * passage) with its stations and times, and write-offs name the card the
 * plate resolves to. A vehicle is
 * found by its plate plus a second factor only its owner holds — the last six
 * characters of the ETC card number or of the VIN — because a plate is seen
 * by everyone on the street and would otherwise open the car's trips (issue 9).
 */
export class EtcTollAdapter extends CodeAdapterBase implements CityServiceAdapter {
  static readonly implementation = 'etc-toll';

  protected readonly accountFields: AccountField[] = [
    { name: 'plate', label: '车牌号', placeholder: '如 豫A12345', dataType: 'plate', minLength: 7, maxLength: 8, optional: false, mask: 'plate' },
    {
      name: 'cardOrVinTail',
      label: 'ETC 卡号或车架号后六位',
      placeholder: '见 ETC 卡正面卡号，或行驶证上的车辆识别代号',
      dataType: 'alphanumeric',
      minLength: 6,
      maxLength: 6,
      optional: false,
      mask: 'full',
    },
  ];

  private query(fields: Record<string, string>): Record<string, string> {
    return { plate: fields.plate ?? '', proof: (fields.cardOrVinTail ?? '').toUpperCase() };
  }

  /** Every answer is parsed as the envelope first: its resultCode decides before any other field is read. */
  private answer<S extends z.ZodType>(response: ProviderResponse, schema: S): z.output<S> {
    const { resultCode, message } = this.parse(response, envelope);
    if (resultCode === 404) throw adapterErrors.accountNotFound(String(resultCode));
    if (resultCode === 300) throw adapterErrors.windowClosed(String(resultCode));
    if (resultCode === 460 || resultCode === 461 || resultCode === 462 || resultCode === 463) throw adapterErrors.rejected(message ?? String(resultCode), String(resultCode));
    if (resultCode === 500 || resultCode === 401) throw adapterErrors.unavailable(message ?? String(resultCode), String(resultCode));
    if (resultCode !== 0) throw adapterErrors.unknownError(String(resultCode));
    return this.parse(response, schema);
  }

  async lookupAccount(input: LookupAccountInput, signal?: AbortSignal): Promise<LookupAccountOutput> {
    const { card } = this.answer(await this.send({ method: 'GET', path: '/etc/api/cards', query: this.query(input.fields) }, signal), cardAnswer);
    // The masked plate in fieldsMasked already tells the owner which car this is; no address to hint at.
    return { holderNameMasked: this.masked(card.owner), addressHint: null };
  }

  /**
   * Unsettled passages of the card, each its own bill (ref: the passageId),
   * so a resident can pay some trips of a month and leave others: the
   * operator settles passage by passage. The month and its pay-before date
   * come from the statement the passage is listed in.
   */
  async queryBills(input: QueryBillsInput, signal?: AbortSignal): Promise<QueryBillsOutput> {
    const { statements } = this.answer(await this.send({ method: 'GET', path: '/etc/api/statements', query: this.query(input.fields) }, signal), statementsAnswer);
    return {
      bills: statements.flatMap((s) =>
        s.passages.map((p) => {
          const route = `${p.entryStation} → ${p.exitStation}`;
          return {
            ref: p.passageId,
            period: s.month,
            title: route,
            amountFen: p.fee,
            lateFeeFen: 0,
            dueDate: s.payBefore,
            lineItems: [
              {
                kind: 'toll_passage' as const,
                description: route,
                amountFen: p.fee,
                details: { entryStation: p.entryStation, exitStation: p.exitStation, entryTime: p.entryTime, exitTime: p.exitTime },
              },
            ],
          };
        }),
      ),
    };
  }

  private async cardNo(fields: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const { card } = this.answer(await this.send({ method: 'GET', path: '/etc/api/cards', query: this.query(fields) }, signal), cardAnswer);
    return card.cardNo;
  }

  async writeOff(input: WriteOffInput, signal?: AbortSignal): Promise<WriteOffOutput> {
    const cardNo = await this.cardNo(input.fields, signal);
    const { settlementNo } = this.answer(
      await this.send({ method: 'POST', path: '/etc/api/settlements', body: { cardNo, passageIds: input.billRefs, outOrderNo: input.orderNo, totalFee: input.amountFen } }, signal),
      settlementAnswer,
    );
    return { reference: settlementNo };
  }

  async writeOffStatus(input: WriteOffStatusInput, signal?: AbortSignal): Promise<WriteOffStatusOutput> {
    const body = this.answer(await this.send({ method: 'GET', path: `/etc/api/settlements/${encodeURIComponent(input.orderNo)}` }, signal), settlementStateAnswer);
    return body.state === 'SETTLED' && body.settlementNo !== undefined ? { status: 'SUCCESS', reference: body.settlementNo } : { status: 'NOT_FOUND', reference: null };
  }

  async health(signal?: AbortSignal): Promise<HealthOutput> {
    const { resultCode } = this.parse(await this.send({ method: 'GET', path: '/etc/api/health' }, signal), envelope);
    return { ok: resultCode === 0 };
  }
}
