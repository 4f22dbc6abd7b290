/**
 * Masking for anything that identifies a resident: account numbers, plates,
 * names, tokens. Logs and API responses only ever carry the masked forms.
 */

/** Keeps the last `visible` characters: "0371123456" → "******3456". */
export function maskTail(value: string, visible = 4): string {
  const chars = Array.from(value);
  if (chars.length <= visible) return '*'.repeat(chars.length);
  return '*'.repeat(chars.length - visible) + chars.slice(-visible).join('');
}

/** Account numbers: first two and last four stay, e.g. "41**********3456". */
export function maskAccountNumber(value: string): string {
  const chars = Array.from(value);
  if (chars.length <= 6) return maskTail(value, Math.min(2, chars.length - 1));
  return chars.slice(0, 2).join('') + '*'.repeat(chars.length - 6) + chars.slice(-4).join('');
}

/** Car plates: province character and letter stay, plus the last two: "豫A***23". */
export function maskPlate(plate: string): string {
  const chars = Array.from(plate);
  if (chars.length <= 4) return chars[0] + '*'.repeat(Math.max(0, chars.length - 1));
  return chars.slice(0, 2).join('') + '*'.repeat(chars.length - 4) + chars.slice(-2).join('');
}

/** Personal names: the first character stays: "张三丰" → "张**". */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** Tokens and secrets never show more than a short prefix. */
export function maskToken(token: string): string {
  return token.length <= 6 ? '***' : `${token.slice(0, 4)}…`;
}

export type MaskRule = 'none' | 'tail4' | 'account' | 'plate' | 'name' | 'full';

/** Applies a named mask rule, as adapter manifests declare per account field. */
export function applyMask(rule: MaskRule, value: string): string {
  switch (rule) {
    case 'none':
      return value;
    case 'tail4':
      return maskTail(value, 4);
    case 'account':
      return maskAccountNumber(value);
    case 'plate':
      return maskPlate(value);
    case 'name':
      return maskName(value);
    case 'full':
      return '*'.repeat(Array.from(value).length);
  }
}

/** Administrative levels an address starts with, outermost first: province, prefecture (city), district (county). */
const ADDRESS_LEVELS = [/^[^省]{1,7}?(?:省|自治区)/u, /^[^市]{1,9}?(?:市|自治州|地区|盟)/u, /^[^区县旗市路街道号]{1,9}?(?:区|县|旗|市)/u];

/**
 * Addresses keep only province, city and district; the street and number
 * never leave: "郑州市金水区花园路 8 号" → "郑州市金水区****". A district is
 * enough for a resident to recognise their own home and too little to find
 * a stranger's (issue 9). Idempotent: masking a masked address changes nothing.
 */
export function maskAddress(address: string): string {
  let rest = address.replace(/\s+/g, '');
  let kept = '';
  for (const level of ADDRESS_LEVELS) {
    const match = level.exec(rest);
    if (!match) continue;
    kept += match[0];
    rest = rest.slice(match[0].length);
  }
  return `${kept}****`;
}
