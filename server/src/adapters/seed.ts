import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AuditLog } from '../admin/audit';
import type { Logger } from '../infra/logger';
import type { AdapterAdminService } from './admin-service';
import type { SecretStore } from './secrets';

/** What seeding reads of a manifest file before the admin service validates all of it. */
const manifestHead = z.looseObject({ id: z.string(), version: z.string() });

/**
 * Registers the manifests in a folder (config/adapters by default) at boot,
 * through the same register/activate path an operator's call takes, audited
 * as the operator "seed". An adapter an operator disabled stays disabled; a
 * newer version in the folder replaces the active one. `secrets.dev.json` in
 * the folder holds the sandbox providers' demo credentials.
 */
export async function seedAdapters(dir: string, services: { secrets: SecretStore; adapters: AdapterAdminService; audit: AuditLog }, log: Logger): Promise<string[]> {
  if (!fs.existsSync(dir)) return [];
  const secretsFile = path.join(dir, 'secrets.dev.json');
  if (fs.existsSync(secretsFile)) {
    const secrets = z.record(z.string(), z.string()).parse(JSON.parse(fs.readFileSync(secretsFile, 'utf8')));
    const known = new Set((await services.secrets.names()).map((s) => s.name));
    for (const [name, value] of Object.entries(secrets)) {
      // An operator may have rotated a credential since: only fill in missing ones.
      if (!known.has(name)) await services.secrets.put(name, value);
    }
  }
  const seeded: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.manifest.json')).sort()) {
    const manifest = manifestHead.parse(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    try {
      const summary = await services.adapters.register(manifest, 'seed');
      if (summary.status === 'disabled' || summary.activeVersion === manifest.version) continue;
      await services.adapters.activate(manifest.id, { version: manifest.version, force: true }, 'seed');
      await services.audit.record({ actor: 'seed', action: 'activate', target: `${manifest.id}@${manifest.version}`, outcome: 'ok', details: { file } });
      seeded.push(`${manifest.id}@${manifest.version}`);
    } catch (err) {
      log.error({ err, file }, 'demo adapter manifest could not be registered');
    }
  }
  return seeded;
}
