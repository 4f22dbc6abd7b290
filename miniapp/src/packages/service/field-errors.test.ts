import type { ServiceSummary } from '@cityhub/shared';
import { fieldErrors } from './field-errors';

const fields: ServiceSummary['accountFields'] = [
  { name: 'consNo', label: '户号', dataType: 'numeric', minLength: 10, maxLength: 10, optional: false, mask: 'account' },
  { name: 'alias', label: '备注', dataType: 'text', minLength: 1, maxLength: 8, optional: true, mask: 'none' },
  { name: 'plate', label: '车牌号', dataType: 'plate', minLength: 7, maxLength: 8, optional: true, mask: 'plate', pattern: '^豫' },
];

describe('bind form validation (the shared schema the hub applies, in residents’ words)', () => {
  it('accepts a complete, well-formed form', () => {
    expect(fieldErrors(fields, { consNo: '4101000001', alias: '家里', plate: '豫A12345' })).toEqual({});
  });

  it('asks for missing required fields and ignores empty optional ones', () => {
    expect(fieldErrors(fields, { consNo: '  ', alias: '' })).toEqual({ consNo: '请填写户号' });
  });

  it('names each field that is malformed: wrong type, length or pattern', () => {
    expect(fieldErrors(fields, { consNo: '41010000AB', plate: '浙A12345' })).toEqual({ consNo: '户号格式不正确', plate: '车牌号格式不正确' });
    expect(fieldErrors(fields, { consNo: '123' })).toEqual({ consNo: '户号格式不正确' });
  });
});
