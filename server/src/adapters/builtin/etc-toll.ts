import type { AccountField } from '@cityhub/shared';
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
import { CodeAdapterBase } from './base';

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

  private check(body: Record<string, unknown>): void {
    const code = body.resultCode;
    if (code === 0) return;
    if (code === 404) throw adapterErrors.accountNotFound(String(code));
    if (code === 300) throw adapterErrors.windowClosed(String(code));
    if (code === 460 || code === 461 || code === 462 || code === 463) throw adapterErrors.rejected(String(body.message ?? code), String(code));
    if (code === 500 || code === 401) throw adapterErrors.unavailable(String(body.message ?? code), String(code));
    throw adapterErrors.unknownError(String(code));
  }

  async lookupAccount(input: LookupAccountInput, signal?: AbortSignal): Promise<LookupAccountOutput> {
    const body = this.object(await this.send({ method: 'GET', path: '/etc/api/cards', query: this.query(input.fields) }, signal));
    this.check(body);
    const card = body.card as { owner?: unknown } | undefined;
    // The masked plate in fieldsMasked already tells the owner which car this is; no address to hint at.
    return { holderNameMasked: this.masked(card?.owner), addressHint: null };
  }

  /**
   * Unsettled passages of the card, each its own bill (ref: the passageId),
   * so a resident can pay some trips of a month and leave others: the
   * operator settles passage by passage. The month and its pay-before date
   * come from the statement the passage is listed in.
   */
  async queryBills(input: QueryBillsInput, signal?: AbortSignal): Promise<QueryBillsOutput> {
    const body = this.object(await this.send({ method: 'GET', path: '/etc/api/statements', query: this.query(input.fields) }, signal));
    this.check(body);
    if (!Array.isArray(body.statements)) throw adapterErrors.badResponse('statements is missing');
    return {
      bills: body.statements.flatMap((s: Record<string, unknown>, i: number) => {
        const passages = Array.isArray(s.passages) ? (s.passages as Array<Record<string, unknown>>) : [];
        const month = String(s.month ?? '');
        return passages.map((p, j) => {
          if (typeof p.passageId !== 'string' || !p.passageId) throw adapterErrors.badResponse(`statements[${i}].passages[${j}].passageId is missing`);
          const fee = this.fen(p.fee, `statements[${i}].passages[${j}].fee`);
          const route = `${String(p.entryStation)} → ${String(p.exitStation)}`;
          return {
            ref: p.passageId,
            period: month,
            title: route,
            amountFen: fee,
            lateFeeFen: 0,
            dueDate: typeof s.payBefore === 'string' ? s.payBefore : null,
            lineItems: [
              {
                kind: 'toll_passage' as const,
                description: route,
                amountFen: fee,
                details: { entryStation: String(p.entryStation), exitStation: String(p.exitStation), entryTime: String(p.entryTime), exitTime: String(p.exitTime) },
              },
            ],
          };
        });
      }),
    };
  }

  private async cardNo(fields: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const body = this.object(await this.send({ method: 'GET', path: '/etc/api/cards', query: this.query(fields) }, signal));
    this.check(body);
    return String((body.card as { cardNo?: unknown })?.cardNo ?? '');
  }

  async writeOff(input: WriteOffInput, signal?: AbortSignal): Promise<WriteOffOutput> {
    const cardNo = await this.cardNo(input.fields, signal);
    const body = this.object(
      await this.send({ method: 'POST', path: '/etc/api/settlements', body: { cardNo, passageIds: input.billRefs, outOrderNo: input.orderNo, totalFee: input.amountFen } }, signal),
    );
    this.check(body);
    if (typeof body.settlementNo !== 'string') throw adapterErrors.badResponse('settlementNo is missing');
    return { reference: body.settlementNo };
  }

  async writeOffStatus(input: WriteOffStatusInput, signal?: AbortSignal): Promise<WriteOffStatusOutput> {
    const body = this.object(await this.send({ method: 'GET', path: `/etc/api/settlements/${encodeURIComponent(input.orderNo)}` }, signal));
    this.check(body);
    return body.state === 'SETTLED' ? { status: 'SUCCESS', reference: String(body.settlementNo) } : { status: 'NOT_FOUND', reference: null };
  }

  async health(signal?: AbortSignal): Promise<HealthOutput> {
    const body = this.object(await this.send({ method: 'GET', path: '/etc/api/health' }, signal));
    return { ok: body.resultCode === 0 };
  }
}
