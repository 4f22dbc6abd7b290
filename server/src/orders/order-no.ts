import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * Our order number (WeChat's out_trade_no): "CH", the Beijing-time second it
 * was made, and 12 random characters — 28 of [0-9A-Z], within WeChat's 6–32.
 */
export function newOrderNo(now: Date = new Date()): string {
  const beijing = new Date(now.getTime() + 8 * 3600 * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const bytes = randomBytes(12);
  let suffix = '';
  for (const b of bytes) suffix += ALPHABET[b % ALPHABET.length];
  return `CH${beijing}${suffix}`;
}
