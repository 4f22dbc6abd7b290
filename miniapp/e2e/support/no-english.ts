import type { Page } from 'playwright-core';

/**
 * Latin words residents do meet in Chinese city-service apps and read as
 * product names rather than as English. Kept deliberately short: anything
 * else (an error message, a status code, a unit like "kWh" where apps say 度)
 * must be written in Chinese.
 */
export const ALLOWED_LATIN_WORDS: ReadonlySet<string> = new Set(['ETC']);

/**
 * The English words in a text: runs of 3 or more Latin letters standing alone.
 * A token with a digit in it is an identifier a resident copies, not a word
 * (plates 豫A12345, order numbers CH2026…, write-off references GW12345678),
 * so tokens are split on anything that is not a Latin letter or digit first.
 */
export function englishWords(text: string): string[] {
  const tokens = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return tokens.filter((t) => /^[A-Za-z]{3,}$/.test(t) && !ALLOWED_LATIN_WORDS.has(t));
}

/**
 * Fails when the page's visible text (innerText skips hidden elements, such as
 * the earlier pages Taro's h5 router keeps in the DOM) holds an English word,
 * naming the page and quoting the line it is on.
 */
export async function expectNoEnglish(page: Page, where: string): Promise<void> {
  const text = await page.evaluate(() => document.body.innerText);
  const offending = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => englishWords(line).length > 0);
  if (offending.length > 0) {
    throw new Error(`English on the resident page "${where}": ${offending.map((l) => JSON.stringify(l)).join(', ')} (words: ${[...new Set(offending.flatMap(englishWords))].join(', ')})`);
  }
}
