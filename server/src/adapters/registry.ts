import { parseManifest, type AnyAdapterManifest, type Category } from '@cityhub/shared';
import type { DataSource, Repository } from 'typeorm';
import type { KeyValueStore } from '../infra/kv';
import type { Logger } from '../infra/logger';
import { Periodic } from '../infra/periodic';
import type { CodeAdapterFactory } from './builtin';
import { AdapterEntity, AdapterVersionEntity, CoverageChoiceEntity, type AdapterRow, type AdapterVersionRow } from './entities';
import type { CityServiceAdapter } from './contract';
import { servingAdapter, type CoverageCandidate, type CoverageChoice, type Serving } from './coverage';
import { ManifestAdapter } from './manifest-adapter';
import { DEFAULT_RESILIENCE, ResilientAdapter, type ResilienceOptions } from './resilience';
import type { SecretStore } from './secrets';

/** Channel on which every hub process hears that the set of active adapters changed. */
export const ADAPTERS_CHANGED = 'adapters:changed';

export interface RegistryDeps {
  dataSource: DataSource;
  kv: KeyValueStore;
  secrets: SecretStore;
  implementations: Record<string, CodeAdapterFactory>;
  log: Logger;
  resilience?: Partial<ResilienceOptions>;
}

/** Parses a stored manifest; stored manifests were validated at registration. */
export function readManifest(row: AdapterVersionRow): AnyAdapterManifest {
  const parsed = parseManifest(JSON.parse(row.manifest));
  if (!parsed.success) throw new Error(`stored manifest ${row.adapterId}@${row.version} no longer validates`);
  return parsed.data;
}

/**
 * The core's registry of live adapters. It reads the active versions from the
 * database, builds each once (keeping breaker state across reloads), and
 * reloads whenever any hub process publishes ADAPTERS_CHANGED — so activation
 * reaches every process within a second, without restart. Older versions stay
 * reachable by exact version for orders already in flight.
 */
export class AdapterRegistry {
  private readonly adapters: Repository<AdapterRow>;
  private readonly versions: Repository<AdapterVersionRow>;
  private readonly instances = new Map<string, ResilientAdapter>();
  private active = new Map<string, ResilientAdapter>();
  private choices: CoverageChoice[] = [];
  private unsubscribe?: () => Promise<void>;
  private prober?: Periodic;
  private reloading: Promise<void> = Promise.resolve();
  private readonly resilience: ResilienceOptions;

  constructor(private readonly deps: RegistryDeps) {
    this.adapters = deps.dataSource.getRepository(AdapterEntity);
    this.versions = deps.dataSource.getRepository(AdapterVersionEntity);
    this.resilience = { ...DEFAULT_RESILIENCE, ...deps.resilience };
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.kv.subscribe(ADAPTERS_CHANGED, () => {
      void this.reload().catch((err: unknown) => this.deps.log.error({ err }, 'adapter registry reload failed'));
    });
    await this.reload();
    if (this.resilience.probeEveryMs > 0) {
      // Active health: each process asks each serving provider itself, so its tiles turn down (and back) within seconds.
      this.prober = new Periodic(() => this.probeAll(), { everyMs: this.resilience.probeEveryMs, firstAfterMs: 0, log: this.deps.log, failure: 'adapter health probe failed', unref: true });
      this.prober.start();
    }
  }

  async stop(): Promise<void> {
    await this.prober?.stop();
    await this.unsubscribe?.();
  }

  private async probeAll(): Promise<void> {
    await Promise.all([...this.active.values()].map((adapter) => adapter.probe()));
  }

  /** Tells every hub process (this one included) to reload the active adapters. */
  async announceChange(adapterId: string): Promise<void> {
    await this.reload();
    await this.deps.kv.publish(ADAPTERS_CHANGED, adapterId);
  }

  /** Re-reads the active adapters; concurrent calls are serialised. */
  reload(): Promise<void> {
    this.reloading = this.reloading.catch(() => undefined).then(() => this.load());
    return this.reloading;
  }

  private async load(): Promise<void> {
    const [rows, choices] = await Promise.all([
      this.adapters.find({ where: { status: 'active' } }),
      this.deps.dataSource.getRepository(CoverageChoiceEntity).find(),
    ]);
    const next = new Map<string, ResilientAdapter>();
    for (const row of rows) {
      if (!row.activeVersion) continue;
      try {
        next.set(row.id, await this.instance(row.id, row.activeVersion));
      } catch (err) {
        // One broken adapter must not take the others down with it.
        this.deps.log.error({ err, adapterId: row.id }, 'adapter could not be loaded');
      }
    }
    this.active = next;
    this.choices = choices.map((c) => ({ cityCode: c.cityCode, category: c.category as Category, adapterId: c.adapterId }));
  }

  /** Builds an adapter instance from its stored manifest. */
  async build(manifest: AnyAdapterManifest): Promise<CityServiceAdapter> {
    const auth = manifest.transport.auth;
    const secret = auth.type === 'none' ? undefined : await this.deps.secrets.reveal(auth.secretRef);
    if (manifest.kind === 'code') {
      const factory = this.deps.implementations[manifest.implementation];
      if (!factory) throw new Error(`no built-in adapter implementation "${manifest.implementation}"`);
      return factory(manifest, secret);
    }
    const signing = manifest.transport.signing;
    const signingKeys = signing
      ? {
          key: await this.deps.secrets.reveal(signing.secretRef),
          providerPublicKey: signing.verifyResponse?.publicKeyRef ? await this.deps.secrets.reveal(signing.verifyResponse.publicKeyRef) : undefined,
        }
      : {};
    return new ManifestAdapter(manifest, secret, signingKeys);
  }

  /** Wraps an adapter with this registry's resilience settings and the manifest's timeout. */
  protect(adapter: CityServiceAdapter, manifest: AnyAdapterManifest, overrides: Partial<ResilienceOptions> = {}): ResilientAdapter {
    return new ResilientAdapter(adapter, this.deps.kv, { ...this.resilience, timeoutMs: manifest.transport.timeoutMs, ...overrides });
  }

  private async instance(adapterId: string, version: string): Promise<ResilientAdapter> {
    const key = `${adapterId}@${version}`;
    const existing = this.instances.get(key);
    if (existing) return existing;
    const row = await this.versions.findOneByOrFail({ adapterId, version });
    const manifest = readManifest(row);
    const built = this.protect(await this.build(manifest), manifest);
    this.instances.set(key, built);
    return built;
  }

  /** The adapter serving `adapterId` now, if it is active. */
  activeAdapter(adapterId: string): ResilientAdapter | undefined {
    return this.active.get(adapterId);
  }

  /** An exact version, active or not (orders finish on the version they started with). */
  version(adapterId: string, version: string): Promise<ResilientAdapter> {
    return this.instance(adapterId, version);
  }

  /** The active adapters as coverage sees them. */
  coverageCandidates(): CoverageCandidate[] {
    return [...this.active].map(([id, adapter]) => {
      const d = adapter.describe();
      return { id, category: d.category, coverage: d.coverage };
    });
  }

  /** The operators' recorded choices among equally specific adapters. */
  coverageChoices(): CoverageChoice[] {
    return this.choices;
  }

  /** Who serves a category in a city and why (see servingAdapter: city beats province beats nationwide; ties by choice). */
  serving(cityCode: string, category: Category): Serving | null {
    return servingAdapter(this.coverageCandidates(), this.choices, cityCode, category);
  }

  /** The adapter that serves a category in a city. */
  resolve(cityCode: string, category: Category): ResilientAdapter | undefined {
    const serving = this.serving(cityCode, category);
    return serving ? this.active.get(serving.adapterId) : undefined;
  }

  /** Every active adapter, for the operator's list. */
  activeAdapters(): ResilientAdapter[] {
    return [...this.active.values()];
  }
}
