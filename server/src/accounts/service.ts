import { randomUUID } from 'node:crypto';
import { accountFieldsSchema, applyMask, maskAddress, type Account, type BindAccountBody } from '@cityhub/shared';
import { MoreThan, type DataSource, type EntityManager, type Repository } from 'typeorm';
import type { AccountFields } from '../adapters/contract';
import { adapterErrors } from '../adapters/contract';
import type { AdapterRegistry } from '../adapters/registry';
import type { ResilientAdapter } from '../adapters/resilience';
import { ConflictError, InputError, NotFoundError } from '../errors';
import { LocalCache } from '../infra/kv/local-cache';
import type { SecretBox } from '../infra/secret-box';
import { inTransaction } from '../infra/transaction';
import { AccountEntity, type AccountRow } from './entities';
import { bindTargetOf } from './bind-target';
import type { BindTarget } from '../http/rate-limit';

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

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: AdapterRegistry,
    private readonly box: SecretBox,
  ) {
    this.repo = dataSource.getRepository(AccountEntity);
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
      fieldsMasked: JSON.parse(row.fieldsMasked) as Record<string, string>,
      holderNameMasked: row.holderNameMasked,
      // Masked again on the way out: rows bound before issue 9 kept the street.
      addressHint: row.addressHint === null ? null : maskAddress(row.addressHint),
      remindersLeft: row.remindersLeft,
      createdAt: new Date(row.createdAt).toISOString(),
    };
  }

  /** What a raw bind body looks up, as a keyed digest, for per-target rate limits (issue 9). */
  bindTarget(body: unknown): BindTarget | null {
    return bindTargetOf(this.registry, (value) => this.box.digest(value), body);
  }

  async bind(residentId: string, body: BindAccountBody): Promise<Account> {
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
    const fields = Object.fromEntries(Object.entries(parsed.data).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const found = await adapter.lookupAccount({ fields });
    const canonical = JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
    const row: AccountRow = {
      id: randomUUID(),
      residentId,
      adapterId: d.id,
      category: d.category,
      cityCode: body.cityCode,
      alias: body.alias ?? null,
      fieldsSealed: this.box.seal(JSON.stringify(fields)),
      // A field a manifest leaves unmasked still never shows in full to a resident (issue 9).
      fieldsMasked: JSON.stringify(Object.fromEntries(d.accountFields.filter((f) => fields[f.name] !== undefined).map((f) => [f.name, applyMask(f.mask === 'none' ? 'tail4' : f.mask, fields[f.name])]))),
      fieldsDigest: this.box.digest(`${d.id}:${canonical}`),
      holderNameMasked: found.holderNameMasked,
      // Only the district is kept: enough to recognise one's home, too little to find a stranger's.
      addressHint: found.addressHint === null ? null : maskAddress(found.addressHint),
      remindersLeft: 0,
      createdAt: new Date(),
    };
    const duplicate = await this.repo.findOneBy({ residentId, adapterId: d.id, fieldsDigest: row.fieldsDigest });
    if (duplicate) throw new ConflictError('ACCOUNT_ALREADY_BOUND', 'you have already bound this account', { accountId: duplicate.id });
    try {
      await this.repo.insert(row);
    } catch (err) {
      const raced = await this.repo.findOneBy({ residentId, adapterId: d.id, fieldsDigest: row.fieldsDigest });
      if (raced) throw new ConflictError('ACCOUNT_ALREADY_BOUND', 'you have already bound this account', { accountId: raced.id });
      throw err;
    }
    return this.toDto(row);
  }

  async list(residentId: string): Promise<Account[]> {
    const rows = await this.repo.find({ where: { residentId }, order: { createdAt: 'ASC' } });
    return rows.map((r) => this.toDto(r));
  }

  private async owned(residentId: string, id: string): Promise<AccountRow> {
    const row = await this.repo.findOneBy({ id, residentId });
    if (!row) throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account ${id}`);
    return row;
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
    return { row, fields: JSON.parse(this.box.open(row.fieldsSealed)) as AccountFields, adapter };
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
      const row = await this.owned(residentId, id);
      // Frozen: one copy serves every query for a few seconds, and the bill cache may key on its identity.
      opened = { row, fields: Object.freeze(JSON.parse(this.box.open(row.fieldsSealed)) as AccountFields) };
      this.opened.set(row.id, opened);
    }
    if (opened.row.residentId !== residentId) throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account ${id}`);
    const adapter = this.registry.activeAdapter(opened.row.adapterId);
    if (!adapter) throw adapterErrors.unavailable('this service is not offered right now');
    return { row: opened.row, fields: opened.fields, adapter };
  }
}
