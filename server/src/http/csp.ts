import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** How often the build is looked at again; never on every request (helmet asks per response). */
const RECHECK_MS = 5000;

/**
 * The CSP hashes of the inline scripts in the h5 build's index.html (Taro
 * inlines a small sizing script), so the page can run them while every other
 * inline script stays blocked. Looked at again every few seconds: `npm start`
 * builds h5 in the background after the hub is up.
 */
export function inlineScriptHashes(h5Dir: string): () => string {
  const file = path.join(h5Dir, 'index.html');
  let mtimeMs = -1;
  let value = "'self'";
  let checkedAt = -Infinity;
  return () => {
    if (Date.now() - checkedAt < RECHECK_MS) return value;
    checkedAt = Date.now();
    try {
      const stat = fs.statSync(file);
      if (stat.mtimeMs !== mtimeMs) {
        mtimeMs = stat.mtimeMs;
        const html = fs.readFileSync(file, 'utf8');
        const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
        value = hashes.join(' ') || "'self'";
      }
    } catch {
      mtimeMs = -1;
      value = "'self'";
    }
    return value;
  };
}
