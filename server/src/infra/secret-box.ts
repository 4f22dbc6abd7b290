import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Seals small values (provider credentials, residents' account fields) with
 * AES-256-GCM under the hub's secrets key, and makes keyed digests with a key
 * derived from it. Sealed form: base64(iv | tag | ciphertext).
 */
export class SecretBox {
  private readonly sealKey: Buffer;
  private readonly digestKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the secrets key must be 32 bytes');
    this.sealKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'cityhub seal', 32));
    this.digestKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'cityhub digest', 32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** A keyed digest: equal inputs give equal digests, but the input cannot be guessed from it. */
  digest(value: string): string {
    return createHmac('sha256', this.digestKey).update(value).digest('hex');
  }
}

/**
 * The secrets key: SECRETS_KEY (base64 of 32 bytes) when configured, else a
 * key generated once into DATA_DIR/secrets.key (mode 0600) for the embedded mode.
 */
export function loadSecretsKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  const file = path.join(dataDir, 'secrets.key');
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  return key;
}
