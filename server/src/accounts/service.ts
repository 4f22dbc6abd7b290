import { randomUUID } from 'node:crypto';
import {
  accountFieldsSchema,
  applyMask,
  maskAddress,
  type Account,
  type AccountPreview,
  type BindAccountBody,
  type City,
  type ConfirmAccountBody,
  type PreviewAccountBody,
} from '@cityhub/shared';
import { In, MoreThan, type DataSource, type EntityManager, type Repository } from 'typeorm';
import type { AccountFields, LookupAccountOutput } from '../adapters/contract';
import { adapterErrors } from '../adapters/contract';
import type { AdapterRegistry } from '../adapters/registry';
import type { ResilientAdapter } from '../adapters/resilience';
import { AppError, ConflictError, InputError, NotFoundError } from '../errors';
import { MemoryKeyValueStore, type KeyValueStore } from '../infra/kv';
import { LocalCache } from '../infra/kv/local-cache';
import type { SecretBox } from '../infra/secret-box';
import { inTransaction } from '../infra/transaction';
import { AccountEntity, type AccountRow } from './entities';
import { bindTargetOf } from './bind-target';
import type { BindTarget } from '../http/rate-limit';
import { z } from 'zod';
import { parseJsonText } from '../infra/json-column';

/** What the reminder job needs of an account with reminders left. */
export interface RemindableAccount {
  id: string;
  residentId: string;
  alias: string | null;
}

/** The most bill reminders one account may hold at once. */
export const MAX_REMINDERS = 5;

/**
 * How long an account opened for reading bills is kept in memory. What a bill
 * query needs of the row (owner, adapter, sealed fields) never changes; only
 * an unbind does, which this process forgets at once and another process
 * sees within this time.
 */
export const OPENED_ACCOUNT_TTL_MS = 5_000;

/** How long a preview can be confirmed: time to read the name and tap 确认, not to keep a look-up around. */
export const PREVIEW_TTL_MS = 10 * 60_000;

/** The cities the hub knows, for telling a resident which city an account belongs to. */
export interface CityLookup {
  get(code: string): Promise<City>;
  search(query: { q?: string }): Promise<City[]>;
}

/** A look-up waiting for its confirmation, kept in the key-value store (every hub process sees it). */
const storedPreviewSchema = z.object({
  residentId: z.string(),
  serviceId: z.string(),
  cityCode: z.string(),
  fieldsSealed: z.string(),
  holderNameMasked: z.string(),
  addressHint: z.string().nullable(),
});
type StoredPreview = z.infer<typeof storedPreviewSchema>;

/** An account's plain fields, kept sealed (accounts.fields_sealed, and a preview's copy). */
const sealedFieldsSchema = z.record(z.string(), z.string());
const openFields = (box: SecretBox, sealed: string): AccountFields => parseJsonText(sealedFieldsSchema, 'accounts.fields_sealed', box.open(sealed));

/**
 * The city an address names, when exactly one catalog city starts it (after
 * an optional province name): "郑州市金水区****" → 郑州. For providers that
 * say where an account is only by its address.
 */
export function cityOfAddress(address: string, cities: readonly City[]): City | undefined {
  const compact = address.replace(/\s+/g, '');
  const matches = cities.filter((c) => {
    const rest = compact.startsWith(c.provinceName) ? compact.slice(c.provinceName.length) : compact;
    return c.name.length > 1 && rest.startsWith(c.name);
  });
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Who besides the owner may read an account's bills and pay them: the
 * members of the household group it is in (households/). Asked on every
 * such request, never cached, so a removed member loses access at once on
 * every hub process.
 */
export interface AccountSharing {
  sharedWith(residentId: string, accountId: string): Promise<boolean>;
}

/** A bound account with its adapter and plain fields, for services that must talk to the provider. */
export interface OpenAccount {
  row: AccountRow;
  fields: AccountFields;
  adapter: ResilientAdapter;
}

/**
 * Residents' bound accounts. Fields are validated against the adapter's own
 * field definitions, confirmed with the provider, sealed at rest and shown
 * masked. Every read is scoped to the resident: another's id is "not found".
 */
export class AccountService {
  private readonly repo: Repository<AccountRow>;
  /** Accounts opened for bill queries: the row and its decrypted fields, by account id (issue 8). */
  private readonly opened = new LocalCache<{ row: AccountRow; fields: AccountFields }>(OPENED_ACCOUNT_TTL_MS);

  private readonly kv: KeyValueStore;

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: AdapterRegistry,
    private readonly box: SecretBox,
    /** Previews live in the shared store so a confirmation may reach another hub process; cities name the right one. */
    private readonly extra: { kv?: KeyValueStore; cities?: CityLookup } = {},
  ) {
    this.repo = dataSource.getRepository(AccountEntity);
    this.kv = extra.kv ?? new MemoryKeyValueStore();
  }

  private toDto(row: AccountRow): Account {
    const adapter = this.registry.activeAdapter(row.adapterId);
    const d = adapter?.describe();
    return {
      id: row.id,
      serviceId: row.adapterId,
      category: row.category as Account['category'],
      cityCode: row.cityCode,
      serviceName: d?.name ?? row.adapterId,
      providerName: d?.providerName ?? '',
      alias: row.alias,
      fieldsMasked: row.fieldsMasked,
      holderNameMasked: row.holderNameMasked,
      // Masked again on the way out: rows bound before issue 9 kept the street.
      addressHint: row.addressHint === null ? null : maskAddress(row.addressHint),
      remindersLeft: row.remindersLeft,
      saved: row.saved,
      createdAt: new Date(row.createdAt).toISOString(),
    };
  }

  /** What a raw bind body looks up, as a keyed digest, for per-target rate limits (issue 9). */
  bindTarget(body: unknown): BindTarget | null {
    return bindTargetOf(this.registry, (value) => this.box.digest(value), body);
  }

  /** The adapter serving this city and the resident's fields, checked against the adapter's own field rules. */
  private checkedInput(body: PreviewAccountBody): { adapter: ResilientAdapter; fields: AccountFields } {
    const adapter = this.registry.activeAdapter(body.serviceId);
    if (!adapter) throw new NotFoundError('NOT_FOUND', `no service ${body.serviceId} is available`);
    const d = adapter.describe();
    if (this.registry.resolve(body.cityCode, d.category)?.describe().id !== d.id) {
      throw new InputError(`service ${body.serviceId} does not serve city ${body.cityCode}`, [{ path: 'body.cityCode', message: 'not served by this service' }]);
    }
    const parsed = accountFieldsSchema(d.accountFields).safeParse(body.fields);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: ['body', 'fields', ...i.path.map(String)].join('.'), message: i.message }));
      throw new InputError(`invalid account fields: ${issues.map((i) => i.message).join('; ')}`, issues);
    }
    return { adapter, fields: Object.fromEntries(Object.entries(parsed.data).filter((e): e is [string, string] => typeof e[1] === 'string')) };
  }

  /**
   * The chosen city, unless the provider places the account elsewhere: by
   * the city code it answers with, or else by the city its address names.
   * An account of another city is refused with ACCOUNT_IN_OTHER_CITY and that
   * city's code and name, so the resident can switch (issue 11).
   */
  private async checkCity(chosen: string, found: LookupAccountOutput): Promise<City | null> {
    const cities = this.extra.cities;
    if (!cities) return null;
    let actual: City | undefined;
    if (found.cityCode) actual = await cities.get(found.cityCode).catch(() => undefined);
    else if (found.addressHint) actual = cityOfAddress(found.addressHint, await cities.search({}));
    if (actual && actual.code !== chosen) {
      throw new AppError('ACCOUNT_IN_OTHER_CITY', `this account belongs to ${actual.code}, not to the chosen city ${chosen}`, { cityCode: actual.code, cityName: actual.name }, { expose: true });
    }
    return actual ?? (await cities.get(chosen).catch(() => null));
  }

  private masked(adapter: ResilientAdapter, fields: AccountFields): Record<string, string> {
    const d = adapter.describe();
    // A field a manifest leaves unmasked still never shows in full to a resident (issue 9).
    return Object.fromEntries(d.accountFields.filter((f) => f.name in fields).map((f) => [f.name, applyMask(f.mask === 'none' ? 'tail4' : f.mask, fields[f.name])]));
  }

  /**
   * Asks the provider about an account and answers what it says, masked,
   * saving nothing: the resident confirms (or not) with the answer's
   * previewId. Rate-limited as a bind (each one asks a provider).
   */
  async preview(residentId: string, body: PreviewAccountBody): Promise<AccountPreview> {
    const { adapter, fields } = this.checkedInput(body);
    const found = await adapter.lookupAccount({ fields });
    const city = await this.checkCity(body.cityCode, found);
    const previewId = randomUUID();
    const addressHint = found.addressHint === null ? null : maskAddress(found.addressHint);
    const stored: StoredPreview = {
      residentId,
      serviceId: body.serviceId,
      cityCode: body.cityCode,
      fieldsSealed: this.box.seal(JSON.stringify(fields)),
      holderNameMasked: found.holderNameMasked,
      addressHint,
    };
    await this.kv.set(`account-preview:${previewId}`, JSON.stringify(stored), PREVIEW_TTL_MS);
    return {
      previewId,
      serviceId: body.serviceId,
      serviceName: adapter.describe().name,
      cityCode: body.cityCode,
      cityName: city?.name ?? '',
      fieldsMasked: this.masked(adapter, fields),
      holderNameMasked: found.holderNameMasked,
      addressHint,
      expiresAt: new Date(Date.now() + PREVIEW_TTL_MS).toISOString(),
    };
  }

  /**
   * Saves what a preview found, without asking the provider again: to 我的
   * (save) or as an unlisted account for paying once. Paying once an account
   * already bound opens that account; saving one first paid once lists it.
   */
  async confirm(residentId: string, body: ConfirmAccountBody): Promise<Account> {
    const key = `account-preview:${body.previewId}`;
    const raw = await this.kv.get(key);
    const stored = raw ? parseJsonText(storedPreviewSchema, 'account-preview', raw) : null;
    // Another resident's preview is as unknown as an expired one.
    if (!stored || stored.residentId !== residentId) throw new AppError('PREVIEW_EXPIRED', 'this look-up has expired; look the account up again', undefined, { expose: true });
    const adapter = this.registry.activeAdapter(stored.serviceId);
    if (!adapter) throw adapterErrors.unavailable('this service is not offered right now');
    const fields = openFields(this.box, stored.fieldsSealed);
    const account = await this.save(residentId, adapter, fields, {
      cityCode: stored.cityCode,
      alias: body.alias ?? null,
      saved: body.save !== false,
      found: { holderNameMasked: stored.holderNameMasked, addressHint: stored.addressHint },
    });
    await this.kv.del(key);
    return account;
  }

  /** Looks up and saves in one step (the API before previews; kept for clients and tools that bind directly). */
  async bind(residentId: string, body: BindAccountBody): Promise<Account> {
    const { adapter, fields } = this.checkedInput(body);
    const found = await adapter.lookupAccount({ fields });
    await this.checkCity(body.cityCode, found);
    return this.save(residentId, adapter, fields, { cityCode: body.cityCode, alias: body.alias ?? null, saved: true, found });
  }

  private async save(
    residentId: string,
    adapter: ResilientAdapter,
    fields: AccountFields,
    options: { cityCode: string; alias: string | null; saved: boolean; found: LookupAccountOutput },
  ): Promise<Account> {
    const d = adapter.describe();
    const canonical = JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
    const row: AccountRow = {
      id: randomUUID(),
      residentId,
      adapterId: d.id,
      category: d.category,
      cityCode: options.cityCode,
      alias: options.alias,
      fieldsSealed: this.box.seal(JSON.stringify(fields)),
      fieldsMasked: this.masked(adapter, fields),
      fieldsDigest: this.box.digest(`${d.id}:${canonical}`),
      holderNameMasked: options.found.holderNameMasked,
      // Only the district is kept: enough to recognise one's home, too little to find a stranger's.
      addressHint: options.found.addressHint === null ? null : maskAddress(options.found.addressHint),
      remindersLeft: 0,
      saved: options.saved,
      createdAt: new Date(),
    };
    const existing = async () => {
      const duplicate = await this.repo.findOneBy({ residentId, adapterId: d.id, fieldsDigest: row.fieldsDigest });
      if (!duplicate) return null;
      // Paying once an account one already has: open the one there is.
      if (!options.saved) return this.toDto(duplicate);
      if (!duplicate.saved) {
        const alias = options.alias ?? duplicate.alias;
        await this.repo.update({ id: duplicate.id, residentId }, { saved: true, alias });
        this.opened.forget(duplicate.id);
        return this.toDto({ ...duplicate, saved: true, alias });
      }
      throw new ConflictError('ACCOUNT_ALREADY_BOUND', 'you have already bound this account', { accountId: duplicate.id });
    };
    const before = await existing();
    if (before) return before;
    try {
      await this.repo.insert(row);
    } catch (err) {
      const raced = await existing();
      if (raced) return raced;
      throw err;
    }
    return this.toDto(row);
  }

  async list(residentId: string): Promise<Account[]> {
    // Accounts confirmed "仅本次缴费" are the owner's to open, not to list.
    const rows = await this.repo.find({ where: { residentId, saved: true }, order: { createdAt: 'ASC' } });
    return rows.map((r) => this.toDto(r));
  }

  /** One of my accounts (saved or paid once), or ACCOUNT_NOT_FOUND. */
  ownedRow(residentId: string, id: string): Promise<AccountRow> {
    return this.owned(residentId, id);
  }

  private async owned(residentId: string, id: string): Promise<AccountRow> {
    const row = await this.repo.findOneBy({ id, residentId });
    if (!row) throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account ${id}`);
    return row;
  }

  private sharing?: AccountSharing;
  private readonly removalListeners: Array<(accountId: string, tx: EntityManager) => Promise<void>> = [];

  /**
   * Runs in the transaction that deletes an account, so other domains drop what they keep about it
   * (the reminders sent for its bills) without this domain knowing their tables. Set when the hub is built.
   */
  whenRemoved(listener: (accountId: string, tx: EntityManager) => Promise<void>): void {
    this.removalListeners.push(listener);
  }

  /** Accounts whose owner has bill reminders left, for the reminder job. */
  async withRemindersLeft(): Promise<RemindableAccount[]> {
    const rows = await this.repo.findBy({ remindersLeft: MoreThan(0) });
    return rows.map((r) => ({ id: r.id, residentId: r.residentId, alias: r.alias }));
  }

  /** WeChat holds no subscription for this account's owner any more: stop counting reminders on it. */
  async dropReminders(accountId: string): Promise<void> {
    await this.repo.update({ id: accountId }, { remindersLeft: 0 });
  }

  /** One reminder was sent: one subscription used (in the caller's transaction, with the record of what was sent). */
  async useReminder(accountId: string, tx: EntityManager): Promise<void> {
    await tx
      .createQueryBuilder()
      .update(AccountEntity)
      .set({ remindersLeft: () => 'reminders_left - 1' })
      .where('id = :id AND reminders_left > 0', { id: accountId })
      .execute();
  }

  /** Lets members of household groups read and pay the group's accounts (set once, when the hub is built). */
  allowSharing(sharing: AccountSharing): void {
    this.sharing = sharing;
  }

  /** An account its owner may use, or a member of its household group: anyone else is told it does not exist. */
  private async usable(residentId: string, id: string): Promise<AccountRow> {
    const row = await this.repo.findOneBy({ id });
    if (row && (row.residentId === residentId || (await this.sharing?.sharedWith(residentId, row.id)))) return row;
    throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account ${id}`);
  }

  /** Accounts by id as their owner sees them (masked), for a household group's page; missing ids are left out. */
  async describe(ids: string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    const rows = await this.repo.find({ where: { id: In(ids) }, order: { createdAt: 'ASC' } });
    return rows.map((r) => this.toDto(r));
  }

  /** Renames (or, with null, un-names) one of my accounts. */
  async rename(residentId: string, id: string, alias: string | null): Promise<Account> {
    const row = await this.owned(residentId, id);
    await this.repo.update({ id: row.id, residentId }, { alias });
    this.opened.forget(row.id);
    return this.toDto({ ...row, alias });
  }

  /**
   * Records one more bill reminder the resident granted for this account
   * (one WeChat one-time subscription). Kept to MAX_REMINDERS: more would
   * only be messages the resident has forgotten asking for.
   */
  async grantReminder(residentId: string, id: string): Promise<Account> {
    const row = await this.owned(residentId, id);
    await this.repo
      .createQueryBuilder()
      .update(AccountEntity)
      .set({ remindersLeft: () => 'reminders_left + 1' })
      .where('id = :id AND resident_id = :residentId AND reminders_left < :max', { id: row.id, residentId, max: MAX_REMINDERS })
      .execute();
    this.opened.forget(row.id);
    return this.toDto(await this.owned(residentId, id));
  }

  async remove(residentId: string, id: string): Promise<void> {
    const row = await this.owned(residentId, id);
    this.opened.forget(row.id);
    await inTransaction(this.dataSource, async (tx) => {
      await tx.getRepository(AccountEntity).delete({ id: row.id, residentId });
      for (const listener of this.removalListeners) await listener(row.id, tx);
    });
    // Again after the commit: a bill query between the read and the delete may have cached it.
    this.opened.forget(row.id);
  }

  /** Opens an owned account for a provider call; the adapter must be serving. */
  async open(residentId: string, id: string): Promise<OpenAccount> {
    const row = await this.owned(residentId, id);
    const adapter = this.registry.activeAdapter(row.adapterId);
    if (!adapter) throw adapterErrors.unavailable('this service is not offered right now');
    return { row, fields: openFields(this.box, row.fieldsSealed), adapter };
  }

  /**
   * Opens an account to pay its bills: the owner's, or one of a household
   * group the resident is a member of (the order is the payer's own).
   */
  async openToPay(residentId: string, id: string): Promise<OpenAccount> {
    const row = await this.usable(residentId, id);
    const adapter = this.registry.activeAdapter(row.adapterId);
    if (!adapter) throw adapterErrors.unavailable('this service is not offered right now');
    return { row, fields: openFields(this.box, row.fieldsSealed), adapter };
  }

  /**
   * Opens an owned account to read its bills, from memory when it was opened
   * in the last few seconds: the hottest read of the API then costs neither
   * a database read nor a decryption. Ownership is checked on every call; the
   * adapter is looked up on every call, so a disabled service stops at once.
   * Orders use `open`, which always reads the database.
   */
  async openForBills(residentId: string, id: string): Promise<OpenAccount> {
    let opened = this.opened.get(id);
    if (!opened) {
      const row = await this.usable(residentId, id);
      // Frozen: one copy serves every query for a few seconds, and the bill cache may key on its identity.
      opened = { row, fields: Object.freeze(openFields(this.box, row.fieldsSealed)) };
      this.opened.set(row.id, opened);
    }
    // A household member is checked against the database on every read, cached account or not: a removal counts at once.
    if (opened.row.residentId !== residentId && !(await this.sharing?.sharedWith(residentId, id))) throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account ${id}`);
    const adapter = this.registry.activeAdapter(opened.row.adapterId);
    if (!adapter) throw adapterErrors.unavailable('this service is not offered right now');
    return { row: opened.row, fields: opened.fields, adapter };
  }
}
