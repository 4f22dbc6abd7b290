import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  HOUSEHOLD_INVITE_TTL_MS,
  MAX_HOUSEHOLD_PEOPLE,
  MAX_HOUSEHOLDS_PER_RESIDENT,
  MAX_OWNED_HOUSEHOLDS,
  ORDER_STATUS_LABELS,
  householdJoinPath,
  maskName,
  type CreatedInvite,
  type HouseholdAccount,
  type HouseholdDetail,
  type HouseholdMember,
  type HouseholdOrder,
  type HouseholdSummary,
  type InvitePreview,
} from '@cityhub/shared';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { AccountService, AccountSharing } from '../accounts/service';
import type { AuditLog } from '../admin/audit';
import { AppError, ConflictError, NotFoundError } from '../errors';
import type { Logger } from '../infra/logger';
import { inTransaction } from '../infra/transaction';
import { isDuplicateKey, type OrderService } from '../orders/service';
import { HouseholdAccountEntity, HouseholdEntity, HouseholdInviteEntity, HouseholdMemberEntity, type HouseholdMemberRow, type HouseholdRow } from './entities';

/** How many of a group's latest payments its page lists. */
const ORDERS_SHOWN = 50;

const digestOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** What the one asking is to a group they may see. */
interface Access {
  household: HouseholdRow;
  role: 'owner' | 'member';
  membership: HouseholdMemberRow | null;
}

/** "Not found", whatever the reason: a stranger learns nothing about whether the group exists (issue 11). */
const notFound = (id: string) => new NotFoundError('HOUSEHOLD_NOT_FOUND', `no household ${id}`);
const ownerOnly = (what: string) => new AppError('FORBIDDEN', `only the owner of this household can ${what}`);
const limitReached = (message: string, limit: number) => new ConflictError('HOUSEHOLD_LIMIT_REACHED', message, { limit });
const inviteInvalid = (reason: 'unknown' | 'expired' | 'used', message: string) => new AppError('HOUSEHOLD_INVITE_INVALID', message, { reason });

/**
 * Household groups (缴费分组): a resident's accounts grouped, shared by
 * invitation with other residents, who may then read those accounts' bills
 * and pay them. Membership is read from the database on every request and
 * never cached, so a removal or a deleted group counts at once on every hub
 * process. Joins, removals, leaves, invitations and deletions go to the
 * audit log with ids only.
 */
export class HouseholdService implements AccountSharing {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      accounts: AccountService;
      orders: OrderService;
      audit: AuditLog;
      log: Logger;
    },
  ) {}

  private get ds(): DataSource {
    return this.deps.dataSource;
  }

  /** AccountSharing: is this account in a group the resident is a member of? */
  async sharedWith(residentId: string, accountId: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      'SELECT 1 AS ok FROM household_accounts ha JOIN household_members m ON m.household_id = ha.household_id WHERE ha.account_id = ? AND m.resident_id = ? LIMIT 1',
      [accountId, residentId],
    );
    return rows.length > 0;
  }

  private async audit(residentId: string, action: string, householdId: string, details?: Record<string, unknown>): Promise<void> {
    // The trail holds ids only: no names, no account numbers, no invitation tokens.
    await this.deps.audit
      .record({ actor: `resident:${residentId}`, action: `household.${action}`, target: `household:${householdId}`, outcome: 'ok', details })
      .catch((err: unknown) => this.deps.log.error({ err, action, householdId }, 'household audit entry not written'));
  }

  /** The group if the resident owns it or is a member; otherwise "not found". */
  private async access(residentId: string, id: string, tx: EntityManager = this.ds.manager): Promise<Access> {
    const household = await tx.getRepository(HouseholdEntity).findOneBy({ id });
    if (!household) throw notFound(id);
    if (household.ownerId === residentId) return { household, role: 'owner', membership: null };
    const membership = await tx.getRepository(HouseholdMemberEntity).findOneBy({ householdId: id, residentId });
    if (!membership) throw notFound(id);
    return { household, role: 'member', membership };
  }

  private async owned(residentId: string, id: string, what: string): Promise<HouseholdRow> {
    const { household, role } = await this.access(residentId, id);
    if (role !== 'owner') throw ownerOnly(what);
    return household;
  }

  /** How many groups the resident owns and belongs to in all. */
  private async groupCounts(residentId: string, tx: EntityManager = this.ds.manager): Promise<{ owned: number; total: number }> {
    const owned = await tx.getRepository(HouseholdEntity).countBy({ ownerId: residentId });
    const joined = await tx.getRepository(HouseholdMemberEntity).countBy({ residentId });
    return { owned, total: owned + joined };
  }

  async list(residentId: string): Promise<HouseholdSummary[]> {
    const owned = await this.ds.getRepository(HouseholdEntity).find({ where: { ownerId: residentId }, order: { createdAt: 'ASC' } });
    const memberships = await this.ds.getRepository(HouseholdMemberEntity).find({ where: { residentId }, order: { joinedAt: 'ASC' } });
    const joined = memberships.length ? await this.ds.getRepository(HouseholdEntity).findBy({ id: In(memberships.map((m) => m.householdId)) }) : [];
    const all = [...owned.map((h) => ({ h, role: 'owner' as const })), ...joined.map((h) => ({ h, role: 'member' as const }))];
    if (all.length === 0) return [];
    const ids = all.map((x) => x.h.id);
    const members = await this.ds.getRepository(HouseholdMemberEntity).findBy({ householdId: In(ids) });
    const links = await this.ds.getRepository(HouseholdAccountEntity).findBy({ householdId: In(ids) });
    // An account its owner unbound no longer counts.
    const existing = new Set((await this.deps.accounts.describe(links.map((l) => l.accountId))).map((a) => a.id));
    return all.map(({ h, role }) => ({
      id: h.id,
      name: h.name,
      role,
      peopleCount: 1 + members.filter((m) => m.householdId === h.id).length,
      accountCount: links.filter((l) => l.householdId === h.id && existing.has(l.accountId)).length,
    }));
  }

  async create(residentId: string, name: string): Promise<HouseholdDetail> {
    const counts = await this.groupCounts(residentId);
    if (counts.owned >= MAX_OWNED_HOUSEHOLDS) throw limitReached(`you can create at most ${MAX_OWNED_HOUSEHOLDS} households`, MAX_OWNED_HOUSEHOLDS);
    if (counts.total >= MAX_HOUSEHOLDS_PER_RESIDENT) throw limitReached(`you can be in at most ${MAX_HOUSEHOLDS_PER_RESIDENT} households`, MAX_HOUSEHOLDS_PER_RESIDENT);
    const now = new Date();
    const row: HouseholdRow = { id: randomUUID(), ownerId: residentId, name, createdAt: now, updatedAt: now };
    await this.ds.getRepository(HouseholdEntity).insert(row);
    return this.detail(residentId, row.id);
  }

  async detail(residentId: string, id: string): Promise<HouseholdDetail> {
    const { household, role } = await this.access(residentId, id);
    const members = await this.ds.getRepository(HouseholdMemberEntity).find({ where: { householdId: id }, order: { joinedAt: 'ASC' } });
    const links = await this.ds.getRepository(HouseholdAccountEntity).find({ where: { householdId: id }, order: { addedAt: 'ASC' } });
    // An account its owner unbound is simply gone from the group.
    const accounts: HouseholdAccount[] = (await this.deps.accounts.describe(links.map((l) => l.accountId))).map((a) => ({
      id: a.id,
      serviceId: a.serviceId,
      serviceName: a.serviceName,
      providerName: a.providerName,
      category: a.category,
      cityCode: a.cityCode,
      alias: a.alias,
      fieldsMasked: a.fieldsMasked,
      holderNameMasked: a.holderNameMasked,
      addressHint: a.addressHint,
    }));
    const people: HouseholdMember[] = [
      { id: null, role: 'owner', label: '创建者', isMe: household.ownerId === residentId, joinedAt: new Date(household.createdAt).toISOString() },
      ...members.map((m) => ({ id: m.id, role: 'member' as const, label: maskName(m.displayName), isMe: m.residentId === residentId, joinedAt: new Date(m.joinedAt).toISOString() })),
    ];
    return { id: household.id, name: household.name, role, members: people, accounts, maxPeople: MAX_HOUSEHOLD_PEOPLE };
  }

  async rename(residentId: string, id: string, name: string): Promise<HouseholdDetail> {
    await this.owned(residentId, id, 'rename it');
    await this.ds.getRepository(HouseholdEntity).update({ id }, { name, updatedAt: new Date() });
    return this.detail(residentId, id);
  }

  /** Deletes the group: its members lose access to its accounts at once; the accounts stay the owner's. */
  async remove(residentId: string, id: string): Promise<void> {
    await this.owned(residentId, id, 'delete it');
    await inTransaction(this.ds, async (tx) => {
      await tx.getRepository(HouseholdMemberEntity).delete({ householdId: id });
      await tx.getRepository(HouseholdAccountEntity).delete({ householdId: id });
      await tx.getRepository(HouseholdInviteEntity).delete({ householdId: id });
      await tx.getRepository(HouseholdEntity).delete({ id });
    });
    await this.audit(residentId, 'delete', id);
  }

  /** Puts one of the owner's own accounts in the group; an account is in at most one group. */
  async addAccount(residentId: string, id: string, accountId: string): Promise<HouseholdDetail> {
    await this.owned(residentId, id, 'add accounts');
    // Only accounts on the owner's own list: not another's, and not a "仅本次缴费" one.
    if (!(await this.deps.accounts.list(residentId)).some((a) => a.id === accountId)) throw new NotFoundError('ACCOUNT_NOT_FOUND', `no account ${accountId} of yours`);
    const current = await this.ds.getRepository(HouseholdAccountEntity).findOneBy({ accountId });
    if (current?.householdId === id) return this.detail(residentId, id);
    if (current) throw new ConflictError('ACCOUNT_IN_HOUSEHOLD', 'this account is already in another household; take it out of that one first', { householdId: current.householdId });
    try {
      await this.ds.getRepository(HouseholdAccountEntity).insert({ accountId, householdId: id, addedAt: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const raced = await this.ds.getRepository(HouseholdAccountEntity).findOneBy({ accountId });
      if (raced?.householdId !== id) throw new ConflictError('ACCOUNT_IN_HOUSEHOLD', 'this account is already in another household; take it out of that one first', { householdId: raced?.householdId });
    }
    return this.detail(residentId, id);
  }

  /** An unbound account leaves its group in the unbind's own transaction. */
  async forgetAccount(accountId: string, tx: EntityManager): Promise<void> {
    await tx.getRepository(HouseholdAccountEntity).delete({ accountId });
  }

  /** Takes an account out of the group: members stop seeing it at once. */
  async removeAccount(residentId: string, id: string, accountId: string): Promise<void> {
    await this.owned(residentId, id, 'take accounts out');
    const { affected } = await this.ds.getRepository(HouseholdAccountEntity).delete({ householdId: id, accountId });
    if (!affected) throw new NotFoundError('ACCOUNT_NOT_FOUND', `account ${accountId} is not in this household`);
  }

  /** A new invitation link: the token is returned once and only its digest is kept. */
  async invite(residentId: string, id: string, maxUses: number): Promise<CreatedInvite> {
    await this.owned(residentId, id, 'invite people');
    const token = randomBytes(24).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + HOUSEHOLD_INVITE_TTL_MS);
    await this.ds.getRepository(HouseholdInviteEntity).insert({ id: randomUUID(), householdId: id, tokenDigest: digestOf(token), usesLeft: maxUses, expiresAt, createdAt: now });
    await this.audit(residentId, 'invite', id, { maxUses });
    return { token, expiresAt: expiresAt.toISOString(), maxUses, path: householdJoinPath(token) };
  }

  private async usableInvite(token: string, tx: EntityManager = this.ds.manager) {
    const invite = await tx.getRepository(HouseholdInviteEntity).findOneBy({ tokenDigest: digestOf(token) });
    if (!invite) throw inviteInvalid('unknown', 'this invitation link is not valid; ask for a new one');
    if (new Date(invite.expiresAt).getTime() <= Date.now()) throw inviteInvalid('expired', 'this invitation link has expired; ask for a new one');
    if (invite.usesLeft <= 0) throw inviteInvalid('used', 'this invitation link has already been used; ask for a new one');
    const household = await tx.getRepository(HouseholdEntity).findOneBy({ id: invite.householdId });
    if (!household) throw inviteInvalid('unknown', 'this invitation link is not valid; ask for a new one');
    return { invite, household };
  }

  /** What an invitation leads to, shown before the invitee confirms. */
  async preview(residentId: string, token: string): Promise<InvitePreview> {
    const { invite, household } = await this.usableInvite(token);
    const members = await this.ds.getRepository(HouseholdMemberEntity).findBy({ householdId: household.id });
    return {
      householdName: household.name,
      peopleCount: 1 + members.length,
      expiresAt: new Date(invite.expiresAt).toISOString(),
      alreadyIn: household.ownerId === residentId || members.some((m) => m.residentId === residentId),
    };
  }

  /** Joins the group an invitation leads to, after the invitee confirmed. */
  async accept(residentId: string, token: string, displayName: string): Promise<HouseholdDetail> {
    const joined = await inTransaction(this.ds, async (tx) => {
      const { invite, household } = await this.usableInvite(token, tx);
      if (household.ownerId === residentId || (await tx.getRepository(HouseholdMemberEntity).findOneBy({ householdId: household.id, residentId }))) {
        throw new ConflictError('HOUSEHOLD_ALREADY_MEMBER', 'you are already in this household', { householdId: household.id });
      }
      // Taking the group's row lock first makes concurrent joins to one group count one after another (MySQL).
      await tx.getRepository(HouseholdEntity).update({ id: household.id }, { updatedAt: new Date() });
      const people = 1 + (await tx.getRepository(HouseholdMemberEntity).countBy({ householdId: household.id }));
      if (people >= MAX_HOUSEHOLD_PEOPLE) throw limitReached(`a household has at most ${MAX_HOUSEHOLD_PEOPLE} people`, MAX_HOUSEHOLD_PEOPLE);
      if ((await this.groupCounts(residentId, tx)).total >= MAX_HOUSEHOLDS_PER_RESIDENT) {
        throw limitReached(`you can be in at most ${MAX_HOUSEHOLDS_PER_RESIDENT} households`, MAX_HOUSEHOLDS_PER_RESIDENT);
      }
      const taken = await tx
        .getRepository(HouseholdInviteEntity)
        .createQueryBuilder()
        .update(HouseholdInviteEntity)
        .set({ usesLeft: () => 'uses_left - 1' })
        .where('id = :id AND uses_left > 0', { id: invite.id })
        .execute();
      if (!taken.affected) throw inviteInvalid('used', 'this invitation link has already been used; ask for a new one');
      const member: HouseholdMemberRow = { id: randomUUID(), householdId: household.id, residentId, displayName, joinedAt: new Date() };
      try {
        await tx.getRepository(HouseholdMemberEntity).insert(member);
      } catch (err) {
        if (isDuplicateKey(err)) throw new ConflictError('HOUSEHOLD_ALREADY_MEMBER', 'you are already in this household', { householdId: household.id });
        throw err;
      }
      return member;
    });
    await this.audit(residentId, 'join', joined.householdId, { memberId: joined.id });
    return this.detail(residentId, joined.householdId);
  }

  /** The owner removes a member: from the next request on, they see nothing of the group. */
  async removeMember(residentId: string, id: string, memberId: string): Promise<void> {
    await this.owned(residentId, id, 'remove members');
    const { affected } = await this.ds.getRepository(HouseholdMemberEntity).delete({ id: memberId, householdId: id });
    if (!affected) throw new NotFoundError('NOT_FOUND', `no member ${memberId} in this household`);
    await this.audit(residentId, 'remove_member', id, { memberId });
  }

  /** A member leaves; the owner cannot (they delete the group instead). */
  async leave(residentId: string, id: string): Promise<void> {
    const { role, membership } = await this.access(residentId, id);
    if (role === 'owner' || !membership) throw new ConflictError('CONFLICT', 'the owner cannot leave a household; delete it instead');
    await this.ds.getRepository(HouseholdMemberEntity).delete({ id: membership.id });
    await this.audit(residentId, 'leave', id, { memberId: membership.id });
  }

  /** The latest payments for the group's accounts, by anyone, with who paid (masked). */
  async orders(residentId: string, id: string): Promise<HouseholdOrder[]> {
    const { household } = await this.access(residentId, id);
    const links = await this.ds.getRepository(HouseholdAccountEntity).findBy({ householdId: id });
    if (links.length === 0) return [];
    const rows = await this.deps.orders.forAccounts(links.map((l) => l.accountId), ORDERS_SHOWN);
    const members = await this.ds.getRepository(HouseholdMemberEntity).findBy({ householdId: id });
    const labelOf = (payer: string) => {
      if (payer === residentId) return '我';
      if (payer === household.ownerId) return '创建者';
      const m = members.find((x) => x.residentId === payer);
      return m ? maskName(m.displayName) : '已退出的成员';
    };
    return rows.map((r) => ({
      id: r.id,
      accountId: r.accountId,
      serviceName: r.serviceName,
      accountMasked: r.accountMasked,
      amountFen: r.amountFen,
      status: r.status,
      statusLabel: ORDER_STATUS_LABELS[r.status],
      createdAt: new Date(r.createdAt).toISOString(),
      paidBy: { label: labelOf(r.residentId), isMe: r.residentId === residentId },
    }));
  }
}
