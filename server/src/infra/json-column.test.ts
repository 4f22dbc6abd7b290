import { z } from 'zod';
import { jsonColumn } from './json-column';

const masked = jsonColumn(z.record(z.string(), z.string()), 'accounts.fields_masked');

describe('jsonColumn', () => {
  it('writes JSON text and reads it back as the schema proves it', () => {
    const text: unknown = masked.to({ consNo: '41****5720' });
    expect(text).toBe('{"consNo":"41****5720"}');
    expect(masked.from(text)).toEqual({ consNo: '41****5720' });
  });

  it('keeps NULL as null both ways', () => {
    expect(masked.to(null)).toBeNull();
    expect(masked.from(null)).toBeNull();
  });

  it('refuses a stored value of another shape, naming the column', () => {
    expect(() => masked.from('{"consNo":41}')).toThrow(/accounts\.fields_masked: the stored JSON does not match its schema/);
  });

  it('refuses text that is not JSON, naming the column', () => {
    expect(() => masked.from('{consNo')).toThrow('accounts.fields_masked: the stored text is not JSON');
  });
});
