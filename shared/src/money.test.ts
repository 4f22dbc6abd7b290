import { fenSchema, fenToYuan, formatFen, sumFen, yuanToFen } from './money';

describe('money in integer fen', () => {
  it.each([
    ['0', 0],
    ['0.01', 1],
    ['0.1', 10],
    ['12.3', 1230],
    ['12.30', 1230],
    ['123.45', 12345],
    ['-5.07', -507],
    [' 8.00 ', 800],
  ])('parses yuan %p as %p fen without floating point', (yuan, fen) => {
    expect(yuanToFen(yuan)).toBe(fen);
  });

  it.each(['1.234', 'abc', '', '1e3', '1,000.00', '.5'])('refuses %p, which is not a yuan amount', (yuan) => {
    expect(() => yuanToFen(yuan)).toThrow(RangeError);
  });

  it('keeps 0.1 + 0.2 exact where floats would not', () => {
    expect(sumFen([yuanToFen('0.1'), yuanToFen('0.2')])).toBe(yuanToFen('0.3'));
  });

  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [1230, '12.30'],
    [-507, '-5.07'],
  ])('formats %p fen as %p yuan', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
  });

  it('formats amounts for people with ¥, thousands separators and two decimals', () => {
    expect(formatFen(123456789)).toBe('¥1,234,567.89');
    expect(formatFen(5)).toBe('¥0.05');
  });

  it('refuses fractional fen when formatting or summing', () => {
    expect(() => fenToYuan(1.5)).toThrow(RangeError);
    expect(() => sumFen([1, 0.5])).toThrow(RangeError);
  });

  it('fenSchema accepts integers only, within bounds', () => {
    expect(fenSchema.safeParse(100).success).toBe(true);
    expect(fenSchema.safeParse(1.5).success).toBe(false);
    expect(fenSchema.safeParse(-1).success).toBe(false);
    expect(fenSchema.safeParse('100').success).toBe(false);
  });
});
