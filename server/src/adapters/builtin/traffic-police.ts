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

/** The provider's answers (status OK or an errCode; amounts in fen), as zod reads them; other fields are ignored. */
const envelope = z.object({ status: z.string(), errCode: z.string().optional() });
const vehicleAnswer = z.object({ syr: z.unknown() });
/** A violation, under the English names or the pinyin abbreviations such systems use. */
const violation = z.object({
  fkje: fenSchema,
  points: z.number().optional(),
  wfjfs: z.number().optional(),
  place: z.string().optional(),
  wfdd: z.string().optional(),
  time: z.string().optional(),
  wfsj: z.string().optional(),
  behaviour: z.string().optional(),
  wfxw: z.string().optional(),
  decisionNo: z.string().optional(),
  jdsbh: z.string().optional(),
});
const violationsAnswer = z.object({ list: z.array(violation) });
const voucherAnswer = z.object({ jkpzh: z.string() });
const payStateAnswer = z.object({ payState: z.string().optional(), jkpzh: z.string().optional() });

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

  /** Every answer is parsed as the envelope first: status and errCode decide before any other field is read. */
  private answer<S extends z.ZodType>(response: ProviderResponse, schema: S): z.output<S> {
    const { status, errCode } = this.parse(response, envelope);
    if (status !== 'OK') {
      const code = errCode ?? '';
      if (code === 'HPHM_NOT_MATCH') throw adapterErrors.accountNotFound(code);
      if (code === 'OUT_OF_SERVICE_HOURS') throw adapterErrors.windowClosed(code);
      if (['PAY_REFUSED', 'ALREADY_PAID', 'NO_DECISION', 'AMOUNT_MISMATCH'].includes(code)) throw adapterErrors.rejected(code, code);
      if (code === 'SYSTEM_BUSY') throw adapterErrors.unavailable(code, code);
      throw adapterErrors.unknownError(code || 'missing errCode');
    }
    return this.parse(response, schema);
  }

  async lookupAccount(input: LookupAccountInput, signal?: AbortSignal): Promise<LookupAccountOutput> {
    const { syr } = this.answer(await this.send({ method: 'POST', path: '/jg/vehicle/query', body: this.vehicle(input.fields) }, signal), vehicleAnswer);
    return { holderNameMasked: this.masked(syr), addressHint: null };
  }

  async queryBills(input: QueryBillsInput, signal?: AbortSignal): Promise<QueryBillsOutput> {
    const { list } = this.answer(await this.send({ method: 'POST', path: '/jg/violation/query', body: this.vehicle(input.fields) }, signal), violationsAnswer);
    return {
      bills: list.map((v, i) => {
        const points = v.points ?? v.wfjfs ?? 0;
        const place = v.place ?? v.wfdd ?? '';
        const time = v.time ?? v.wfsj ?? '';
        const behaviour = v.behaviour ?? v.wfxw ?? '';
        const decisionNo = v.decisionNo ?? v.jdsbh ?? '';
        if (!decisionNo) throw adapterErrors.badResponse(`list[${String(i)}] has no decision number`);
        return {
          ref: decisionNo,
          period: time.slice(0, 10),
          title: behaviour,
          amountFen: v.fkje,
          lateFeeFen: 0,
          dueDate: null,
          lineItems: [{ kind: 'violation' as const, description: `${place} ${behaviour}`, amountFen: v.fkje, details: { decisionNo, place, time, behaviour, points } }],
        };
      }),
    };
  }

  async writeOff(input: WriteOffInput, signal?: AbortSignal): Promise<WriteOffOutput> {
    const { jkpzh } = this.answer(
      await this.send({ method: 'POST', path: '/jg/violation/pay', body: { hphm: input.fields.plate, jdsbh: input.billRefs, orderNo: input.orderNo, amount: input.amountFen } }, signal),
      voucherAnswer,
    );
    return { reference: jkpzh };
  }

  async writeOffStatus(input: WriteOffStatusInput, signal?: AbortSignal): Promise<WriteOffStatusOutput> {
    const body = this.answer(await this.send({ method: 'POST', path: '/jg/violation/paystatus', body: { orderNo: input.orderNo } }, signal), payStateAnswer);
    return body.payState === 'PAID' && body.jkpzh !== undefined ? { status: 'SUCCESS', reference: body.jkpzh } : { status: 'NOT_FOUND', reference: null };
  }

  async health(signal?: AbortSignal): Promise<HealthOutput> {
    const { status } = this.parse(await this.send({ method: 'GET', path: '/jg/health' }, signal), envelope);
    return { ok: status === 'OK' };
  }
}
