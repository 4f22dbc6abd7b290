import { CATEGORY_LABELS, categorySchema, conformanceReportSchema, parseManifest, type AdapterSummary, type AnyAdapterManifest, type Category, type CityCoverage, type FieldIssue } from '@cityhub/shared';
import { In, type DataSource, type EntityManager, type Repository } from 'typeorm';
import type { AuditLog } from '../admin/audit';
import type { CityService } from '../cities/service';
import { AppError, ConflictError, InputError, NotFoundError } from '../errors';
import type { CodeAdapterFactory } from './builtin';
import { runConformance, stalled, type ConformanceAccounts, type ConformanceReport } from './conformance';
import { activationConflicts, levelIn, type CoverageCandidate, type CoverageConflict } from './coverage';
import { AdapterEntity, AdapterVersionEntity, CoverageChoiceEntity, type AdapterRow, type AdapterVersionRow } from './entities';
import { compileManifestExpressions } from './manifest-adapter';
import { readManifest, type AdapterRegistry } from './registry';
import type { SecretStore } from './secrets';

/** The conformance report stored on a version, parsed (null if never verified, or stored before the report gained its current shape). */
function storedReport(row: AdapterVersionRow): ConformanceReport | null {
  if (!row.verifyReport) return null;
  const parsed = conformanceReportSchema.safeParse(JSON.parse(row.verifyReport));
  return parsed.success ? parsed.data : null;
}

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
      audit: AuditLog;
      cities: CityService;
    },
  ) {
    this.adapters = deps.dataSource.getRepository(AdapterEntity);
    this.versions = deps.dataSource.getRepository(AdapterVersionEntity);
  }

  /** Validates a manifest completely, returning every problem with its path. */
  validate(input: unknown): { manifest?: AnyAdapterManifest; issues: FieldIssue[] } {
    const parsed = parseManifest(input);
    if (!parsed.success) {
      // An unknown key is named at its own path, one issue each, so a typo is found where it is.
      const issues = parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((key) => ({ path: [...i.path.map(String), key].join('.'), message: `unknown key "${key}": the manifest schema has no such field` }))
          : [{ path: i.path.map(String).join('.') || '(manifest)', message: i.message }],
      );
      return { issues };
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
   * for orders already in flight. Where another active adapter covers a city
   * at the same level, activation is refused with every such city listed,
   * unless the operator names that adapter in `replaces`: then the choice is
   * recorded per city and audited, and nothing is shadowed silently.
   */
  async activate(id: string, body: { version?: string; force: boolean; replaces?: string[] }, actor = 'unknown'): Promise<AdapterSummary> {
    const row = await this.versionRow(id, body.version);
    // A version that served before (active, retired) may serve again; a new one needs a report that exercised everything.
    const servedBefore = row.status === 'active' || row.status === 'retired';
    if (!servedBefore && !body.force) {
      if (row.status !== 'verified') {
        throw new AppError('VERIFICATION_REQUIRED', `version ${row.version} of ${id} has no passing conformance report; run verify first, or activate with force`);
      }
      if (!storedReport(row)?.writeOffExercised) {
        throw new AppError(
          'VERIFICATION_REQUIRED',
          `the conformance report of ${id}@${row.version} never exercised the write-off mapping; verify again with a payable test account or a paid write-off to replay, or activate with force`,
        );
      }
    }
    const manifest = readManifest(row);
    const replaces = new Set(body.replaces ?? []);
    const cities = await this.deps.cities.search({});
    const replaced = await this.deps.dataSource.transaction(async (tx) => {
      const versions = tx.getRepository(AdapterVersionEntity);
      const adapters = tx.getRepository(AdapterEntity);
      const conflicts = activationConflicts(
        { id, category: manifest.category, coverage: manifest.coverage },
        await this.activeCandidates(tx, manifest.category),
        (await tx.getRepository(CoverageChoiceEntity).findBy({ category: manifest.category })).map((c) => ({ ...c, category: manifest.category })),
        cities,
      );
      const unresolved = conflicts.filter((c) => !replaces.has(c.servedBy));
      if (unresolved.length) {
        const names = [...new Set(unresolved.map((c) => c.servedBy))].join(', ');
        throw new AppError(
          'COVERAGE_CONFLICT',
          `${id} would cover ${unresolved.length} ${unresolved.length === 1 ? 'city' : 'cities'} that ${names} already serve(s) at the same level; activate with replaces: [${names}] to serve there instead`,
          { conflicts: unresolved.map((c) => ({ cityCode: c.cityCode, cityName: c.cityName, category: c.category, servedBy: c.servedBy })) },
        );
      }
      await this.recordChoices(tx, id, conflicts, actor);
      const current = await adapters.findOneByOrFail({ id });
      if (current.activeVersion && current.activeVersion !== row.version) {
        await versions.update({ adapterId: id, version: current.activeVersion }, { status: 'retired' });
      }
      await versions.update({ adapterId: id, version: row.version }, { status: 'active' });
      await adapters.update({ id }, { status: 'active', activeVersion: row.version, updatedAt: new Date() });
      return conflicts;
    });
    if (body.force && !servedBefore) {
      const report = storedReport(row);
      await this.deps.audit.record({
        actor,
        action: 'adapter.force-activate',
        target: `${id}@${row.version}`,
        outcome: 'ok',
        details: { reason: !report ? 'never verified' : !report.passed ? 'verification failed' : !report.writeOffExercised ? 'write-off never exercised' : 'verified' },
      });
    }
    if (replaced.length) {
      await this.deps.audit.record({
        actor,
        action: 'coverage.replace',
        target: `${id}@${row.version}`,
        outcome: 'ok',
        details: { replaced: replaced.map((c) => ({ cityCode: c.cityCode, category: c.category, adapterId: c.servedBy })) },
      });
    }
    await this.deps.registry.announceChange(id);
    return this.summary(id);
  }

  /** The active adapters of a category other than by id, read from the database (every process agrees on it). */
  private async activeCandidates(tx: EntityManager, category: Category): Promise<CoverageCandidate[]> {
    const rows = await tx.getRepository(AdapterEntity).findBy({ status: 'active', category });
    const live = rows.filter((r) => r.activeVersion !== null);
    if (!live.length) return [];
    const versions = await tx.getRepository(AdapterVersionEntity).findBy({ adapterId: In(live.map((r) => r.id)) });
    return live.flatMap((r) => {
      const v = versions.find((x) => x.adapterId === r.id && x.version === r.activeVersion);
      if (!v) return [];
      const m = readManifest(v);
      return [{ id: r.id, category: m.category, coverage: m.coverage }];
    });
  }

  /** Records that `id` serves each conflicting (city, category) from now on, replacing whoever was chosen there before. */
  private async recordChoices(tx: EntityManager, id: string, conflicts: CoverageConflict[], actor: string): Promise<void> {
    const repo = tx.getRepository(CoverageChoiceEntity);
    const now = new Date();
    for (const c of conflicts) {
      await repo.delete({ cityCode: c.cityCode, category: c.category });
      await repo.insert({ cityCode: c.cityCode, category: c.category, adapterId: id, replacedAdapterId: c.servedBy, chosenBy: actor, chosenAt: now });
    }
  }

  /** Who serves what in a city, and why, with every active adapter that covers it. */
  async coverage(cityCode: string): Promise<CityCoverage> {
    const city = await this.deps.cities.get(cityCode);
    const candidates = this.deps.registry.coverageCandidates();
    return {
      city: { code: city.code, name: city.name, provinceName: city.provinceName },
      categories: categorySchema.options.map((category) => ({
        category,
        label: CATEGORY_LABELS[category],
        servedBy: this.deps.registry.serving(cityCode, category),
        candidates: candidates.flatMap((c) => {
          const level = c.category === category ? levelIn(c.coverage, cityCode) : null;
          return level ? [{ adapterId: c.id, level }] : [];
        }),
      })),
    };
  }

  /** Stops an adapter serving; its city tiles disappear on every hub process. */
  async disable(id: string): Promise<AdapterSummary> {
    await this.adapterRow(id);
    await this.adapters.update({ id }, { status: 'disabled', updatedAt: new Date() });
    await this.deps.registry.announceChange(id);
    return this.summary(id);
  }

  /**
   * Deletes an adapter that never served (a draft, with all its versions).
   * One that served stays, disabled if need be: orders and the audit trail name it.
   */
  async deleteDraft(id: string): Promise<void> {
    const row = await this.adapterRow(id);
    if (row.status !== 'draft' || row.activeVersion !== null) {
      throw new ConflictError('CONFLICT', `${id} has served residents, so it is kept for its orders and audit trail; disable it instead`);
    }
    await this.deps.dataSource.transaction(async (tx) => {
      await tx.getRepository(AdapterVersionEntity).delete({ adapterId: id });
      await tx.getRepository(AdapterEntity).delete({ id, status: 'draft' });
    });
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
        verified: storedReport(v)?.passed ?? false,
        createdBy: v.createdBy,
        createdAt: new Date(v.createdAt).toISOString(),
      })),
      health: adapter?.healthReport() ?? null,
      coverage: manifest?.coverage ?? null,
    };
  }
}
