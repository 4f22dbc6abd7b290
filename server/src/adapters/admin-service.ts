import { parseManifest, type AdapterSummary, type AnyAdapterManifest, type FieldIssue } from '@cityhub/shared';
import type { DataSource, Repository } from 'typeorm';
import { AppError, ConflictError, InputError, NotFoundError } from '../errors';
import type { CodeAdapterFactory } from './builtin';
import { runConformance, stalled, type ConformanceAccounts, type ConformanceReport } from './conformance';
import { AdapterEntity, AdapterVersionEntity, type AdapterRow, type AdapterVersionRow } from './entities';
import { compileManifestExpressions } from './manifest-adapter';
import { readManifest, type AdapterRegistry } from './registry';
import type { SecretStore } from './secrets';

/** Compares semantic versions numerically ("1.10.0" after "1.9.0"). */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/**
 * What operators do with adapters: register a manifest as a draft, verify it
 * against the provider's sandbox, activate or disable it, read health. Every
 * change to what serves is announced so all hub processes reload.
 */
export class AdapterAdminService {
  private readonly adapters: Repository<AdapterRow>;
  private readonly versions: Repository<AdapterVersionRow>;

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      registry: AdapterRegistry;
      secrets: SecretStore;
      implementations: Record<string, CodeAdapterFactory>;
    },
  ) {
    this.adapters = deps.dataSource.getRepository(AdapterEntity);
    this.versions = deps.dataSource.getRepository(AdapterVersionEntity);
  }

  /** Validates a manifest completely, returning every problem with its path. */
  validate(input: unknown): { manifest?: AnyAdapterManifest; issues: FieldIssue[] } {
    const parsed = parseManifest(input);
    if (!parsed.success) {
      return { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(manifest)', message: i.message })) };
    }
    const manifest = parsed.data;
    const issues: FieldIssue[] = [];
    if (manifest.kind === 'code') {
      if (!this.deps.implementations[manifest.implementation]) {
        issues.push({ path: 'implementation', message: `no built-in implementation "${manifest.implementation}" (known: ${Object.keys(this.deps.implementations).join(', ')})` });
      }
    } else {
      issues.push(...compileManifestExpressions(manifest).issues);
    }
    return { manifest: issues.length ? undefined : manifest, issues };
  }

  /** Stores a manifest as a draft version. The same version with the same manifest is a no-op. */
  async register(input: unknown, actor: string): Promise<AdapterSummary> {
    const { manifest, issues } = this.validate(input);
    if (!manifest) throw new InputError(`the manifest is invalid: ${issues.length} problem(s)`, issues, 'INVALID_MANIFEST');
    const kind = manifest.kind === 'code' ? 'code' : 'manifest';
    const stored = JSON.stringify(manifest);
    await this.deps.dataSource.transaction(async (tx) => {
      const adapters = tx.getRepository(AdapterEntity);
      const versions = tx.getRepository(AdapterVersionEntity);
      const existing = await adapters.findOneBy({ id: manifest.id });
      if (existing && existing.category !== manifest.category) {
        throw new ConflictError('CONFLICT', `adapter ${manifest.id} is a ${existing.category} adapter; a version cannot change its category`);
      }
      const now = new Date();
      if (!existing) {
        await adapters.insert({ id: manifest.id, category: manifest.category, kind, status: 'draft', activeVersion: null, createdAt: now, updatedAt: now });
      }
      const version = await versions.findOneBy({ adapterId: manifest.id, version: manifest.version });
      if (version) {
        if (version.manifest === stored) return;
        throw new ConflictError('CONFLICT', `version ${manifest.version} of ${manifest.id} is already registered with a different manifest; register it as a new version`);
      }
      await versions.insert({ adapterId: manifest.id, version: manifest.version, manifest: stored, status: 'draft', verifyReport: null, verifiedAt: null, createdBy: actor, createdAt: now });
    });
    return this.summary(manifest.id);
  }

  private async adapterRow(id: string): Promise<AdapterRow> {
    const row = await this.adapters.findOneBy({ id });
    if (!row) throw new NotFoundError('ADAPTER_NOT_FOUND', `no adapter with id ${id}`);
    return row;
  }

  /** The named version, or the newest registered one. */
  private async versionRow(id: string, version?: string): Promise<AdapterVersionRow> {
    await this.adapterRow(id);
    if (version) {
      const row = await this.versions.findOneBy({ adapterId: id, version });
      if (!row) throw new NotFoundError('ADAPTER_NOT_FOUND', `adapter ${id} has no version ${version}`);
      return row;
    }
    const all = await this.versions.findBy({ adapterId: id });
    return all.sort((a, b) => compareVersions(b.version, a.version))[0];
  }

  /** Runs the conformance kit against the provider's sandbox and stores the report on the version. */
  async verify(id: string, body: { version?: string; testAccounts: ConformanceAccounts }): Promise<ConformanceReport> {
    const row = await this.versionRow(id, body.version);
    const manifest = readManifest(row);
    const registry = this.deps.registry;
    let built;
    try {
      built = await registry.build(manifest);
    } catch (err) {
      throw new InputError(`adapter ${id} cannot be built: ${(err as Error).message}`);
    }
    // Fresh policies and no bill cache: verification must talk to the provider every time.
    const adapter = registry.protect(built, manifest, { billCacheTtlMs: 0, breakAfter: 1000 });
    const tiny = registry.protect(stalled(built, 200), manifest, { timeoutMs: 1, billCacheTtlMs: 0, breakAfter: 1000 });
    const report = await runConformance(adapter, tiny, body.testAccounts);
    await this.versions.update(
      { adapterId: id, version: row.version },
      {
        verifyReport: JSON.stringify(report),
        verifiedAt: new Date(),
        ...(row.status === 'draft' || row.status === 'verified' ? { status: report.passed ? 'verified' : 'draft' } : {}),
      },
    );
    return report;
  }

  /**
   * Makes a version the one that serves. It must have passed verification
   * unless forced. The previous active version is retired but stays loadable
   * for orders already in flight.
   */
  async activate(id: string, body: { version?: string; force: boolean }): Promise<AdapterSummary> {
    const row = await this.versionRow(id, body.version);
    if (row.status !== 'verified' && row.status !== 'active' && row.status !== 'retired' && !body.force) {
      throw new AppError('VERIFICATION_REQUIRED', `version ${row.version} of ${id} has no passing conformance report; run verify first, or activate with force`);
    }
    await this.deps.dataSource.transaction(async (tx) => {
      const versions = tx.getRepository(AdapterVersionEntity);
      const adapters = tx.getRepository(AdapterEntity);
      const current = await adapters.findOneByOrFail({ id });
      if (current.activeVersion && current.activeVersion !== row.version) {
        await versions.update({ adapterId: id, version: current.activeVersion }, { status: 'retired' });
      }
      await versions.update({ adapterId: id, version: row.version }, { status: 'active' });
      await adapters.update({ id }, { status: 'active', activeVersion: row.version, updatedAt: new Date() });
    });
    await this.deps.registry.announceChange(id);
    return this.summary(id);
  }

  /** Stops an adapter serving; its city tiles disappear on every hub process. */
  async disable(id: string): Promise<AdapterSummary> {
    await this.adapterRow(id);
    await this.adapters.update({ id }, { status: 'disabled', updatedAt: new Date() });
    await this.deps.registry.announceChange(id);
    return this.summary(id);
  }

  async putSecret(name: string, value: string): Promise<void> {
    await this.deps.secrets.put(name, value);
    // Adapters read secrets when built: rebuild so a rotated credential takes effect.
    await this.deps.registry.announceChange(`secret:${name}`);
  }

  async summary(id: string): Promise<AdapterSummary> {
    const row = await this.adapterRow(id);
    return this.toSummary(row, await this.versions.findBy({ adapterId: id }));
  }

  async list(): Promise<AdapterSummary[]> {
    const rows = await this.adapters.find({ order: { id: 'ASC' } });
    const versions = await this.versions.find();
    return rows.map((row) => this.toSummary(row, versions.filter((v) => v.adapterId === row.id)));
  }

  async health(id: string) {
    const row = await this.adapterRow(id);
    const adapter = row.status === 'active' ? this.deps.registry.activeAdapter(id) : undefined;
    let probe: { ok: boolean; detail?: string } | null = null;
    if (adapter) {
      try {
        probe = await adapter.health();
      } catch (err) {
        probe = { ok: false, detail: (err as Error).message };
      }
    }
    return { adapterId: id, version: row.activeVersion, health: adapter?.healthReport() ?? null, probe };
  }

  private toSummary(row: AdapterRow, versions: AdapterVersionRow[]): AdapterSummary {
    const sorted = [...versions].sort((a, b) => compareVersions(b.version, a.version));
    const shown = sorted.find((v) => v.version === row.activeVersion) ?? sorted[0];
    const manifest = shown ? readManifest(shown) : undefined;
    const adapter = row.status === 'active' ? this.deps.registry.activeAdapter(row.id) : undefined;
    return {
      id: row.id,
      name: manifest?.name ?? row.id,
      providerName: manifest?.providerName ?? '',
      category: row.category as AdapterSummary['category'],
      kind: row.kind,
      status: row.status,
      activeVersion: row.activeVersion,
      versions: sorted.map((v) => ({
        version: v.version,
        status: v.status,
        verified: v.verifyReport ? (JSON.parse(v.verifyReport) as ConformanceReport).passed : false,
        createdBy: v.createdBy,
        createdAt: new Date(v.createdAt).toISOString(),
      })),
      health: adapter?.healthReport() ?? null,
    };
  }
}
