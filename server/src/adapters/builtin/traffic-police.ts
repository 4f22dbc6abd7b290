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
 * Traffic police (交管) violations. Code rather than a manifest: every
 * violation is a bill of its own with points that matter to the resident, and
 * the provider's pinyin-abbreviated fields need explaining in one place.
 */
export class TrafficPoliceAdapter extends CodeAdapterBase implements CityServiceAdapter {
  static readonly implementation = 'traffic-police';

  protected readonly accountFields: AccountField[] = [
    { name: 'plate', label: '车牌号', placeholder: '如 豫A12345', dataType: 'plate', minLength: 7, maxLength: 8, optional: false, mask: 'plate' },
    { name: 'engineTail', label: '发动机号后六位', placeholder: '见行驶证', dataType: 'alphanumeric', minLength: 6, maxLength: 6, optional: false, mask: 'full' },
  ];

  private vehicle(fields: Record<string, string>) {
    return { hphm: fields.plate, fdjh: fields.engineTail };
  }

  private check(body: Record<string, unknown>): void {
    if (body.status === 'OK') return;
    const code = String(body.errCode ?? '');
    if (code === 'HPHM_NOT_MATCH') throw adapterErrors.accountNotFound(code);
    if (code === 'OUT_OF_SERVICE_HOURS') throw adapterErrors.windowClosed(code);
    if (['PAY_REFUSED', 'ALREADY_PAID', 'NO_DECISION', 'AMOUNT_MISMATCH'].includes(code)) throw adapterErrors.rejected(code, code);
    if (code === 'SYSTEM_BUSY') throw adapterErrors.unavailable(code, code);
    throw adapterErrors.unknownError(code || 'missing errCode');
  }

  async lookupAccount(input: LookupAccountInput, signal?: AbortSignal): Promise<LookupAccountOutput> {
    const body = this.object(await this.send({ method: 'POST', path: '/jg/vehicle/query', body: this.vehicle(input.fields) }, signal));
    this.check(body);
    return { holderNameMasked: this.masked(body.syr), addressHint: null };
  }

  async queryBills(input: QueryBillsInput, signal?: AbortSignal): Promise<QueryBillsOutput> {
    const body = this.object(await this.send({ method: 'POST', path: '/jg/violation/query', body: this.vehicle(input.fields) }, signal));
    this.check(body);
    if (!Array.isArray(body.list)) throw adapterErrors.badResponse('list is missing');
    return {
      bills: (body.list as Array<Record<string, unknown>>).map((v, i) => {
        const fine = this.fen(v.fkje, `list[${i}].fkje`);
        const points = Number(v.points ?? v.wfjfs ?? 0);
        const place = String(v.place ?? v.wfdd ?? '');
        const time = String(v.time ?? v.wfsj ?? '');
        const behaviour = String(v.behaviour ?? v.wfxw ?? '');
        const decisionNo = String(v.decisionNo ?? v.jdsbh ?? '');
        if (!decisionNo) throw adapterErrors.badResponse(`list[${i}] has no decision number`);
        return {
          ref: decisionNo,
          period: time.slice(0, 10),
          title: behaviour,
          amountFen: fine,
          lateFeeFen: 0,
          dueDate: null,
          lineItems: [{ kind: 'violation' as const, description: `${place} ${behaviour}`, amountFen: fine, details: { decisionNo, place, time, behaviour, points } }],
        };
      }),
    };
  }

  async writeOff(input: WriteOffInput, signal?: AbortSignal): Promise<WriteOffOutput> {
    const body = this.object(
      await this.send({ method: 'POST', path: '/jg/violation/pay', body: { hphm: input.fields.plate, jdsbh: input.billRefs, orderNo: input.orderNo, amount: input.amountFen } }, signal),
    );
    this.check(body);
    if (typeof body.jkpzh !== 'string') throw adapterErrors.badResponse('jkpzh (payment voucher) is missing');
    return { reference: body.jkpzh };
  }

  async writeOffStatus(input: WriteOffStatusInput, signal?: AbortSignal): Promise<WriteOffStatusOutput> {
    const body = this.object(await this.send({ method: 'POST', path: '/jg/violation/paystatus', body: { orderNo: input.orderNo } }, signal));
    this.check(body);
    return body.payState === 'PAID' ? { status: 'SUCCESS', reference: String(body.jkpzh) } : { status: 'NOT_FOUND', reference: null };
  }

  async health(signal?: AbortSignal): Promise<HealthOutput> {
    const body = this.object(await this.send({ method: 'GET', path: '/jg/health' }, signal));
    return { ok: body.status === 'OK' };
  }
}
