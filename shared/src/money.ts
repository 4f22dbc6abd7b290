import { z } from 'zod';

/** Money is integer fen end to end: 1 yuan = 100 fen. No floats anywhere. */
export type Fen = number;

/** Largest amount the hub accepts for one bill or order: ¥1,000,000.00. */
export const MAX_FEN = 100_000_000;

export const fenSchema = z
  .number()
  .int('amount must be an integer number of fen')
  .min(0, 'amount must not be negative')
  .max(MAX_FEN, `amount must be at most ${MAX_FEN} fen`);

const YUAN_PATTERN = /^(-?)(\d{1,9})(?:\.(\d{1,2}))?$/;

/** Parses a yuan string such as "12.3" or "12.30" into fen without floating point. */
export function yuanToFen(yuan: string): Fen {
  const match = YUAN_PATTERN.exec(yuan.trim());
  if (!match) throw new RangeError(`not a yuan amount with at most two decimals: "${yuan}"`);
  const [, sign, whole, fraction = ''] = match;
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' ? -fen : fen;
}

/** Formats fen as a yuan string with two decimals, e.g. 12345 → "123.45". */
export function fenToYuan(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be a safe integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100);
  const rest = String(abs % 100).padStart(2, '0');
  return `${sign}${yuan}.${rest}`;
}

/** Formats fen for people: "¥1,234.50". */
export function formatFen(fen: Fen): string {
  const [whole, fraction] = fenToYuan(fen).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}¥${grouped}.${fraction}`;
}

/** Sums fen amounts, refusing anything that is not a safe integer. */
export function sumFen(amounts: readonly Fen[]): Fen {
  let total = 0;
  for (const amount of amounts) {
    if (!Number.isSafeInteger(amount)) throw new RangeError(`fen must be a safe integer, got ${amount}`);
    total += amount;
  }
  if (!Number.isSafeInteger(total)) throw new RangeError('sum of fen overflows');
  return total;
}
