import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Everything the hub and the mock gateway need to talk WeChat Pay v3 to each other. */
export interface WechatKeys {
  appid: string;
  appSecret: string;
  mchid: string;
  merchantSerial: string;
  merchantPrivateKeyPem: string;
  merchantPublicKeyPem: string;
  /** The "WeChat Pay public key" id (PUB_KEY_ID_…), sent as Wechatpay-Serial. */
  platformSerial: string;
  platformPrivateKeyPem: string;
  platformPublicKeyPem: string;
  apiV3Key: string;
}

const FILES = {
  merchantPrivateKeyPem: 'apiclient_key.pem',
  merchantPublicKeyPem: 'apiclient_pub.pem',
  platformPrivateKeyPem: 'platform_key.pem',
  platformPublicKeyPem: 'pub_key.pem',
} as const;

function rsa(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/** Fresh development keys: never the real ones, never committed. */
export function generateDevKeys(): WechatKeys {
  const merchant = rsa();
  const platform = rsa();
  return {
    appid: 'wxd0c1tyhub0000001',
    appSecret: randomBytes(16).toString('hex'),
    mchid: '1900000109',
    merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
    merchantPrivateKeyPem: merchant.privateKey,
    merchantPublicKeyPem: merchant.publicKey,
    platformSerial: `PUB_KEY_ID_0119000001${randomBytes(8).toString('hex').toUpperCase()}`,
    platformPrivateKeyPem: platform.privateKey,
    platformPublicKeyPem: platform.publicKey,
    apiV3Key: randomBytes(16).toString('hex'),
  };
}

/** Loads keys from a folder; null when the folder has none yet. */
export function loadKeys(dir: string): WechatKeys | null {
  const meta = path.join(dir, 'wechatpay.json');
  if (!fs.existsSync(meta)) return null;
  const keys = JSON.parse(fs.readFileSync(meta, 'utf8')) as WechatKeys;
  for (const [field, file] of Object.entries(FILES)) keys[field as keyof typeof FILES] = fs.readFileSync(path.join(dir, file), 'utf8');
  return keys;
}

/** Loads the development keys from `dir`, generating them there (mode 0600) on first run. */
export function ensureDevKeys(dir: string): WechatKeys {
  const existing = loadKeys(dir);
  if (existing) return existing;
  const keys = generateDevKeys();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [field, file] of Object.entries(FILES)) fs.writeFileSync(path.join(dir, file), keys[field as keyof typeof FILES], { mode: 0o600 });
  const meta = Object.fromEntries(Object.entries(keys).filter(([k]) => !(k in FILES)));
  // Written last: its presence means the folder is complete.
  fs.writeFileSync(path.join(dir, 'wechatpay.json'), JSON.stringify(meta, null, 2), { mode: 0o600 });
  return keys;
}
