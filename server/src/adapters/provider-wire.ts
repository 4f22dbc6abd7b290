import { createHash, createHmac, sign as rsaSign, timingSafeEqual, verify as rsaVerify } from 'node:crypto';
import type { Signing, Wire } from '@cityhub/shared';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { sm2, sm3 } from 'sm-crypto';
import { adapterErrors } from './contract';

/** The keys a manifest's signing names, revealed from the secret store. */
export interface SigningKeys {
  /** Shared key (md5, hmac-sha256, sm3) or our private key (rsa-sha256 PEM, sm2 hex). */
  key?: string;
  /** The provider's public key, for verifying rsa-sha256 or sm2 answers. */
  providerPublicKey?: string;
}

/** A request's top-level parameters as the provider sees them: text values (objects as JSON). */
export function flatParams(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** `k=v&…` over the non-empty parameters, sorted by name, without the excluded ones. */
export function sortedParamString(params: Record<string, string>, exclude: readonly string[]): string {
  return Object.keys(params)
    .filter((k) => params[k] !== '' && !exclude.includes(k))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

function formatDigest(hex: string, output: Signing['output']): string {
  if (output === 'base64') return Buffer.from(hex, 'hex').toString('base64');
  return output === 'hex-upper' ? hex.toUpperCase() : hex.toLowerCase();
}

/** The string a keyed digest (md5, sm3) runs over: the parameters plus the key. */
function keyedString(canonical: string, signing: Signing, key: string): string {
  return signing.keyParam === null ? `${canonical}${key}` : `${canonical}&${signing.keyParam}=${key}`;
}

/** Signs the sorted parameter string as the manifest says. */
export function signParams(params: Record<string, string>, signing: Signing, keys: SigningKeys): string {
  return signCanonical(sortedParamString(params, [...signing.exclude, signing.placement.name]), signing, keys.key ?? '');
}

/** The signature of an already-built canonical string, in the manifest's output form. */
function signCanonical(canonical: string, signing: Signing, key: string): string {
  switch (signing.algorithm) {
    case 'md5':
      return formatDigest(createHash('md5').update(keyedString(canonical, signing, key), 'utf8').digest('hex'), signing.output);
    case 'sm3':
      return formatDigest(sm3(keyedString(canonical, signing, key)), signing.output);
    case 'hmac-sha256':
      return formatDigest(createHmac('sha256', key).update(canonical, 'utf8').digest('hex'), signing.output);
    case 'rsa-sha256': {
      const signature = rsaSign('sha256', Buffer.from(canonical, 'utf8'), key);
      return signing.output === 'base64' ? signature.toString('base64') : formatDigest(signature.toString('hex'), signing.output);
    }
    case 'sm2':
      return formatDigest(sm2.doSignature(canonical, key, { hash: true, der: true }), signing.output);
  }
}

/** True when an answer's own signature field matches its other fields. */
export function verifyAnswer(body: unknown, signing: Signing, keys: SigningKeys): boolean {
  const field = signing.verifyResponse?.field;
  if (!field) return true;
  const params = flatParams(body);
  const offered = params[field];
  if (!offered) return false;
  const canonical = sortedParamString(params, [...signing.exclude, field]);
  switch (signing.algorithm) {
    case 'md5':
    case 'sm3':
    case 'hmac-sha256': {
      // Hex may come in either case; base64 is compared exactly.
      const norm = (v: string) => (signing.output === 'base64' ? v : v.toLowerCase());
      const a = Buffer.from(norm(signCanonical(canonical, signing, keys.key ?? '')));
      const b = Buffer.from(norm(offered));
      return a.length === b.length && timingSafeEqual(a, b);
    }
    case 'rsa-sha256': {
      const signature = signing.output === 'base64' ? Buffer.from(offered, 'base64') : Buffer.from(offered, 'hex');
      try {
        return rsaVerify('sha256', Buffer.from(canonical, 'utf8'), keys.providerPublicKey ?? '', signature);
      } catch {
        return false;
      }
    }
    case 'sm2': {
      const hex = signing.output === 'base64' ? Buffer.from(offered, 'base64').toString('hex') : offered.toLowerCase();
      return sm2.doVerifySignature(canonical, hex, keys.providerPublicKey ?? '', { hash: true, der: true });
    }
  }
}

// fast-xml-parser now points to its split-out packages (fast-xml-builder, fast-xml-validator); moving to them
// is a dependency change of its own, so the bundled builder and validating parse stay for now.
// eslint-disable-next-line @typescript-eslint/no-deprecated
const xmlBuilder = (root: string) => new XMLBuilder({ format: false, suppressEmptyNode: false, arrayNodeName: root });
// Every value stays text: provider codes such as "0000" must not become 0.
const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true });

/** Writes a request body in the provider's encoding. */
export function encodeBody(wire: Wire, body: unknown): { text: string; contentType: string } {
  if (wire.request === 'form') return { text: new URLSearchParams(flatParams(body)).toString(), contentType: 'application/x-www-form-urlencoded;charset=utf-8' };
  if (wire.request === 'xml') return { text: xmlBuilder(wire.xmlRoot).build({ [wire.xmlRoot]: body }), contentType: 'application/xml;charset=utf-8' };
  return { text: JSON.stringify(body), contentType: 'application/json' };
}

/** Reads an answer in the provider's encoding; XML loses its single root element, so mappings read `body.code`. */
export function decodeBody(wire: Wire, text: string): unknown {
  if (!text) return null;
  if (wire.response === 'xml') {
    let parsed: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- see xmlBuilder above
      parsed = xmlParser.parse(text, true);
    } catch (err) {
      throw adapterErrors.badResponse(`the provider's answer is not valid XML (${(err as Error).message.split('\n')[0]})`);
    }
    const roots = parsed && typeof parsed === 'object' ? Object.entries(parsed).filter(([k]) => k !== '?xml') : [];
    return roots.length === 1 ? roots[0][1] : parsed;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
