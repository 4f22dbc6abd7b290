import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { MAX_HOUSEHOLD_PEOPLE, MAX_HOUSEHOLDS_PER_RESIDENT, MAX_OWNED_HOUSEHOLDS } from '@cityhub/shared';
import { createTestHub, type TestHub } from '../../test/support/app';
import { bindAccount, loginResident, orderReaches, payAtCashier, type Resident } from '../../test/support/resident';
import { seedDemoAdapters, startSandbox, type Sandbox } from '../../test/support/sandbox';
import { AuditEntity } from '../admin/entities';
import { SecretBox } from '../infra/secret-box';
import { OrderEntity } from '../orders/entities';
import { HouseholdAccountEntity, HouseholdEntity, HouseholdInviteEntity, HouseholdMemberEntity } from './entities';

/**
 * Household groups (缴费分组, issue 11) over HTTP, on the stores this run
 * targets: every rule a resident relies on, and every way a stranger is kept out.
 */
describe(`household groups (${process.env.DATABASE_URL ? 'MySQL' : 'SQLite'})`, () => {
  let hub: TestHub;
  let sandbox: Sandbox;
  let owner: Resident;
  let member: Resident;
  let stranger: Resident;
  let keySeq = 0;
  const secretBox = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    sandbox = await startSandbox();
    hub = await createTestHub({ workers: true, secretBox });
    await seedDemoAdapters(hub, sandbox);
    owner = await loginResident(hub, 'hh-owner');
    member = await loginResident(hub, 'hh-member');
    stranger = await loginResident(hub, 'hh-stranger');
  });
  afterAll(async () => {
    await hub?.close();
    await sandbox?.close();
  });

  const api = () => request(hub.url);
  const H = '/api/v1/households';
  const bind = (resident: Resident, consNo: string) => bindAccount(hub, resident, { serviceId: 'state-grid', cityCode: '410100', fields: { consNo } });
  const create = async (resident: Resident, name: string) => (await api().post(H).set(resident.auth).send({ name }).expect(201)).body.household as { id: string; name: string };
  const invite = async (resident: Resident, id: string, maxUses?: number) =>
    (await api().post(`${H}/${id}/invites`).set(resident.auth).send(maxUses ? { maxUses } : {}).expect(201)).body as { token: string; path: string; expiresAt: string };
  const join = (resident: Resident, token: string, displayName = '妈妈') => api().post('/api/v1/household-invites/accept').set(resident.auth).send({ token, displayName });
  const order = (resident: Resident, accountId: string, billRefs: string[]) =>
    api().post('/api/v1/orders').set(resident.auth).set('Idempotency-Key', `hh-${process.pid}-${++keySeq}`).send({ accountId, billRefs });
  const households = async () => hub.stores.dataSource.getRepository(HouseholdEntity).count();

  /** A group of the owner's with one account in it and the member joined; returns their ids. */
  async function sharedGroup(name: string, consNo: string): Promise<{ id: string; accountId: string; memberId: string }> {
    const group = await create(owner, name);
    const accountId = await bind(owner, consNo);
    await api().post(`${H}/${group.id}/accounts`).set(owner.auth).send({ accountId }).expect(200);
    const joined = await join(member, (await invite(owner, group.id)).token).expect(200);
    const me = joined.body.household.members.find((m: { isMe: boolean }) => m.isMe);
    return { id: group.id, accountId, memberId: me.id };
  }

  it('creates, lists, renames and deletes a group', async () => {
    const group = await create(owner, ' 我家 ');
    expect(group.name).toBe('我家');
    const list = await api().get(H).set(owner.auth).expect(200);
    expect(list.body.households).toContainEqual({ id: group.id, name: '我家', role: 'owner', peopleCount: 1, accountCount: 0 });
    const renamed = await api().patch(`${H}/${group.id}`).set(owner.auth).send({ name: '父母家' }).expect(200);
    expect(renamed.body.household.name).toBe('父母家');
    await api().delete(`${H}/${group.id}`).set(owner.auth).expect(204);
    await api().get(`${H}/${group.id}`).set(owner.auth).expect(404);
    expect((await api().get(H).set(owner.auth).expect(200)).body.households.map((h: { id: string }) => h.id)).not.toContain(group.id);
  });

  it('refuses bad input with a code and the field, and changes nothing', async () => {
    const before = await households();
    for (const name of ['', '   ', '一二三四五六七八九十一二三四五六七八九十一']) {
      const res = await api().post(H).set(owner.auth).send({ name }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues[0].path).toBe('body.name');
    }
    const missing = await api().post(H).set(owner.auth).send({}).expect(400);
    expect(missing.body.error.details.issues[0].path).toBe('body.name');
    expect(await households()).toBe(before);

    const group = await create(owner, '改名测试');
    const rename = await api().patch(`${H}/${group.id}`).set(owner.auth).send({ name: 'x'.repeat(21) }).expect(400);
    expect(rename.body.error.details.issues[0].path).toBe('body.name');
    expect((await api().get(`${H}/${group.id}`).set(owner.auth).expect(200)).body.household.name).toBe('改名测试');

    const badId = await api().get(`${H}/not-a-uuid`).set(owner.auth).expect(400);
    expect(badId.body.error.details.issues[0].path).toBe('params.id');
    const badToken = await api().post('/api/v1/household-invites/accept').set(member.auth).send({ token: 'short', displayName: '妈妈' }).expect(400);
    expect(badToken.body.error.details.issues[0].path).toBe('body.token');
    const { token } = await invite(owner, group.id);
    const noName = await join(member, token, '').expect(400);
    expect(noName.body.error.details.issues[0].path).toBe('body.displayName');
    const badUses = await api().post(`${H}/${group.id}/invites`).set(owner.auth).send({ maxUses: MAX_HOUSEHOLD_PEOPLE }).expect(400);
    expect(badUses.body.error.details.issues[0].path).toBe('body.maxUses');
    // The refused join used nothing up: the link still works.
    await join(member, token).expect(200);
    await api().delete(`${H}/${group.id}`).set(owner.auth).expect(204);
  });

  it("puts only the owner's own accounts in a group, each in at most one group", async () => {
    const home = await create(owner, '我家');
    const parents = await create(owner, '父母家');
    const accountId = await bind(owner, '4101000002');
    const strangersAccount = await bind(stranger, '4101000002');
    const added = await api().post(`${H}/${home.id}/accounts`).set(owner.auth).send({ accountId }).expect(200);
    expect(added.body.household.accounts).toEqual([expect.objectContaining({ id: accountId, fieldsMasked: { consNo: expect.not.stringContaining('4101000002') } })]);
    // Again into the same group: nothing changes.
    await api().post(`${H}/${home.id}/accounts`).set(owner.auth).send({ accountId }).expect(200);
    const elsewhere = await api().post(`${H}/${parents.id}/accounts`).set(owner.auth).send({ accountId }).expect(409);
    expect(elsewhere.body.error.code).toBe('ACCOUNT_IN_HOUSEHOLD');
    const notMine = await api().post(`${H}/${home.id}/accounts`).set(owner.auth).send({ accountId: strangersAccount }).expect(404);
    expect(notMine.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    // Out of one, into the other.
    await api().delete(`${H}/${home.id}/accounts/${accountId}`).set(owner.auth).expect(204);
    await api().post(`${H}/${parents.id}/accounts`).set(owner.auth).send({ accountId }).expect(200);
    for (const g of [home, parents]) await api().delete(`${H}/${g.id}`).set(owner.auth).expect(204);
    await api().delete(`/api/v1/accounts/${accountId}`).set(owner.auth).expect(204);
    await api().delete(`/api/v1/accounts/${strangersAccount}`).set(stranger.auth).expect(204);
  });

  it('invites by a single-use link that expires: preview, join after confirming, reuse refused', async () => {
    const group = await create(owner, '我家');
    const created = await invite(owner, group.id);
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(created.path).toBe(`/packages/household/join?token=${created.token}`);
    // Only a digest is kept.
    const stored = await hub.stores.dataSource.getRepository(HouseholdInviteEntity).findBy({ householdId: group.id });
    expect(JSON.stringify(stored)).not.toContain(created.token);

    const preview = await api().post('/api/v1/household-invites/preview').set(member.auth).send({ token: created.token }).expect(200);
    expect(preview.body).toMatchObject({ householdName: '我家', peopleCount: 1, alreadyIn: false });
    // Looking is not joining.
    await api().get(`${H}/${group.id}`).set(member.auth).expect(404);

    const joined = await join(member, created.token).expect(200);
    expect(joined.body.household).toMatchObject({ id: group.id, role: 'member' });
    expect(joined.body.household.members.map((m: { label: string; isMe: boolean }) => [m.label, m.isMe])).toEqual([
      ['创建者', false],
      ['妈*', true],
    ]);
    const again = await join(stranger, created.token).expect(410);
    expect(again.body.error).toMatchObject({ code: 'HOUSEHOLD_INVITE_INVALID', details: { reason: 'used' } });
    await api().get(`${H}/${group.id}`).set(stranger.auth).expect(404);

    const twice = await join(member, (await invite(owner, group.id)).token).expect(409);
    expect(twice.body.error.code).toBe('HOUSEHOLD_ALREADY_MEMBER');
    const self = await join(owner, (await invite(owner, group.id)).token).expect(409);
    expect(self.body.error.code).toBe('HOUSEHOLD_ALREADY_MEMBER');

    const late = await invite(owner, group.id);
    await hub.stores.dataSource.getRepository(HouseholdInviteEntity).update({ householdId: group.id }, { expiresAt: new Date(Date.now() - 1000) });
    const expired = await join(stranger, late.token).expect(410);
    expect(expired.body.error.details.reason).toBe('expired');
    const unknown = await join(stranger, 'A'.repeat(32)).expect(410);
    expect(unknown.body.error.details.reason).toBe('unknown');
    await api().get(`${H}/${group.id}`).set(stranger.auth).expect(404);
    await api().delete(`${H}/${group.id}`).set(owner.auth).expect(204);
  });

  it("lets a member read the group's bills and pay them: the order is the member's, the owner sees who paid", async () => {
    const { id, accountId } = await sharedGroup('我家', '4101000001');
    const detail = await api().get(`${H}/${id}`).set(member.auth).expect(200);
    expect(detail.body.household.accounts.map((a: { id: string }) => a.id)).toEqual([accountId]);
    expect(JSON.stringify(detail.body)).not.toContain('4101000001');
    // The owner's own account list is theirs alone.
    expect((await api().get('/api/v1/accounts').set(member.auth).expect(200)).body.accounts).toEqual([]);

    const owed = await api().get(`/api/v1/accounts/${accountId}/bills`).set(member.auth).expect(200);
    expect(owed.body.bills).toHaveLength(2);
    const created = await order(member, accountId, [owed.body.bills[0].ref]).expect(201);
    await payAtCashier(hub, created.body.payment);
    const done = await orderReaches(hub, member, created.body.order.id, ['COMPLETED']);
    expect(done.amountFen).toBe(owed.body.bills[0].totalFen);
    const row = await hub.stores.dataSource.getRepository(OrderEntity).findOneByOrFail({ id: created.body.order.id });
    expect(row.accountId).toBe(accountId);
    expect(row.residentId).toBe((await hub.stores.dataSource.getRepository(HouseholdMemberEntity).findOneByOrFail({ householdId: id })).residentId);
    // The order is the payer's: the owner reads it only through the group.
    await api().get(`/api/v1/orders/${created.body.order.id}`).set(owner.auth).expect(404);
    expect((await api().get('/api/v1/orders').set(owner.auth).expect(200)).body.orders.map((o: { id: string }) => o.id)).not.toContain(created.body.order.id);
    const seenByOwner = await api().get(`${H}/${id}/orders`).set(owner.auth).expect(200);
    expect(seenByOwner.body.orders).toEqual([expect.objectContaining({ id: created.body.order.id, status: 'COMPLETED', paidBy: { label: '妈*', isMe: false } })]);
    const seenByMember = await api().get(`${H}/${id}/orders`).set(member.auth).expect(200);
    expect(seenByMember.body.orders[0].paidBy).toEqual({ label: '我', isMe: true });
    // The paid bill is gone for everyone; the other one is left, and the owner can still pay it.
    const left = await api().get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(200);
    expect(left.body.bills.map((b: { ref: string }) => b.ref)).toEqual([owed.body.bills[1].ref]);
    // One live order per bill, whoever pays: the owner cannot start a second order for a bill the member is paying.
    const pending = await order(member, accountId, [owed.body.bills[1].ref]).expect(201);
    const clash = await order(owner, accountId, [owed.body.bills[1].ref]).expect(409);
    expect(clash.body.error.code).toBe('BILL_ALREADY_IN_ORDER');
    await api().post(`/api/v1/orders/${pending.body.order.id}/close`).set(member.auth).expect(200);
    // Members read and pay; they do not manage.
    expect((await api().patch(`${H}/${id}`).set(member.auth).send({ name: '我的家' }).expect(403)).body.error.code).toBe('FORBIDDEN');
    await api().post(`${H}/${id}/invites`).set(member.auth).send({}).expect(403);
    await api().delete(`${H}/${id}`).set(member.auth).expect(403);
    await api().delete(`/api/v1/accounts/${accountId}`).set(member.auth).expect(404);
    await api().patch(`/api/v1/accounts/${accountId}`).set(member.auth).send({ alias: '我的' }).expect(404);
    await api().delete(`${H}/${id}`).set(owner.auth).expect(204);
  });

  it('answers a stranger 404 on every route of the group, its accounts, bills and orders', async () => {
    const { id, accountId, memberId } = await sharedGroup('父母家', '4101000003');
    const owed = await api().get(`/api/v1/accounts/${accountId}/bills`).set(member.auth).expect(200);
    const memberOrder = (await order(member, accountId, [owed.body.bills[0].ref]).expect(201)).body.order.id;
    const strangersAccount = await bind(stranger, '4101000005');
    const routes: Array<[string, string, object?]> = [
      ['get', `${H}/${id}`],
      ['patch', `${H}/${id}`, { name: '我的' }],
      ['delete', `${H}/${id}`],
      ['post', `${H}/${id}/accounts`, { accountId: strangersAccount }],
      ['delete', `${H}/${id}/accounts/${accountId}`],
      ['get', `${H}/${id}/orders`],
      ['post', `${H}/${id}/invites`, {}],
      ['delete', `${H}/${id}/members/${memberId}`],
      ['post', `${H}/${id}/leave`, {}],
      ['get', `/api/v1/accounts/${accountId}/bills`],
      ['patch', `/api/v1/accounts/${accountId}`, { alias: 'x' }],
      ['delete', `/api/v1/accounts/${accountId}`],
      ['get', `/api/v1/orders/${memberOrder}`],
      ['post', `/api/v1/orders/${memberOrder}/close`, {}],
    ];
    for (const [method, path, body] of routes) {
      const call = (api() as unknown as Record<string, (p: string) => request.Test>)[method](path).set(stranger.auth);
      const res = await (body ? call.send(body) : call);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(JSON.stringify(res.body)).not.toMatch(/父母家|owner|member|FORBIDDEN/);
    }
    const pay = await order(stranger, accountId, [owed.body.bills[0].ref]).expect(404);
    expect(pay.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    expect((await api().get(H).set(stranger.auth).expect(200)).body.households.map((h: { id: string }) => h.id)).not.toContain(id);
    // Nothing the stranger tried changed anything.
    expect((await api().get(`${H}/${id}`).set(owner.auth).expect(200)).body.household).toMatchObject({ name: '父母家', accounts: [expect.objectContaining({ id: accountId })] });
    await api().post(`/api/v1/orders/${memberOrder}/close`).set(member.auth).expect(200);
    await api().delete(`${H}/${id}`).set(owner.auth).expect(204);
  });

  it('shuts out a removed member at once, on this hub process and on another one that had just served them', async () => {
    // A second hub process on the same database and key-value store.
    const other = await createTestHub({ stores: hub.stores, secretBox, workers: false });
    try {
      await seedDemoAdapters(other, sandbox);
      const { id, accountId, memberId } = await sharedGroup('我家', '4101000005');
      // Both processes have the account opened in their bill cache for the member.
      await request(other.url).get(`/api/v1/accounts/${accountId}/bills`).set(member.auth).expect(200);
      await api().get(`/api/v1/accounts/${accountId}/bills`).set(member.auth).expect(200);
      await api().delete(`${H}/${id}/members/${memberId}`).set(owner.auth).expect(204);
      for (const base of [hub.url, other.url]) {
        expect((await request(base).get(`/api/v1/accounts/${accountId}/bills`).set(member.auth)).status).toBe(404);
        expect((await request(base).get(`${H}/${id}`).set(member.auth)).status).toBe(404);
        expect((await request(base).get(`${H}/${id}/orders`).set(member.auth)).status).toBe(404);
      }
      expect((await order(member, accountId, ['whatever']).expect(404)).body.error.code).toBe('ACCOUNT_NOT_FOUND');
      // The owner still reads their own account.
      await request(other.url).get(`/api/v1/accounts/${accountId}/bills`).set(owner.auth).expect(200);
      await api().delete(`${H}/${id}`).set(owner.auth).expect(204);
    } finally {
      await other.close();
    }
  });

  it('lets a member leave, and a deleted group or an account taken out shuts members out at once', async () => {
    const first = await sharedGroup('我家', '4101000002');
    await api().get(`/api/v1/accounts/${first.accountId}/bills`).set(member.auth).expect(200);
    const ownerLeaves = await api().post(`${H}/${first.id}/leave`).set(owner.auth).send({}).expect(409);
    expect(ownerLeaves.body.error.code).toBe('CONFLICT');
    await api().post(`${H}/${first.id}/leave`).set(member.auth).send({}).expect(204);
    await api().get(`${H}/${first.id}`).set(member.auth).expect(404);
    await api().get(`/api/v1/accounts/${first.accountId}/bills`).set(member.auth).expect(404);
    expect((await api().get(`${H}/${first.id}`).set(owner.auth).expect(200)).body.household.members).toHaveLength(1);

    const joined = await join(member, (await invite(owner, first.id)).token).expect(200);
    expect(joined.body.household.accounts).toHaveLength(1);
    await api().delete(`${H}/${first.id}/accounts/${first.accountId}`).set(owner.auth).expect(204);
    await api().get(`/api/v1/accounts/${first.accountId}/bills`).set(member.auth).expect(404);
    await api().post(`${H}/${first.id}/accounts`).set(owner.auth).send({ accountId: first.accountId }).expect(200);
    await api().get(`/api/v1/accounts/${first.accountId}/bills`).set(member.auth).expect(200);
    await api().delete(`${H}/${first.id}`).set(owner.auth).expect(204);
    await api().get(`/api/v1/accounts/${first.accountId}/bills`).set(member.auth).expect(404);
    await api().get(`/api/v1/accounts/${first.accountId}/bills`).set(owner.auth).expect(200);
    expect(await hub.stores.dataSource.getRepository(HouseholdMemberEntity).countBy({ householdId: first.id })).toBe(0);

    // An account its owner unbinds leaves its group with it.
    const second = await create(owner, '父母家');
    await api().post(`${H}/${second.id}/accounts`).set(owner.auth).send({ accountId: first.accountId }).expect(200);
    await join(member, (await invite(owner, second.id)).token).expect(200);
    await api().delete(`/api/v1/accounts/${first.accountId}`).set(owner.auth).expect(204);
    expect((await api().get(`${H}/${second.id}`).set(member.auth).expect(200)).body.household.accounts).toEqual([]);
    expect(await hub.stores.dataSource.getRepository(HouseholdAccountEntity).countBy({ accountId: first.accountId })).toBe(0);
    await api().delete(`${H}/${second.id}`).set(owner.auth).expect(204);
  });

  it(`keeps the limits: ${MAX_OWNED_HOUSEHOLDS} groups per owner, ${MAX_HOUSEHOLD_PEOPLE} people per group, ${MAX_HOUSEHOLDS_PER_RESIDENT} groups per resident`, async () => {
    const founder = await loginResident(hub, 'hh-founder');
    const ids: string[] = [];
    for (let i = 0; i < MAX_OWNED_HOUSEHOLDS; i++) ids.push((await create(founder, `组${i}`)).id);
    const over = await api().post(H).set(founder.auth).send({ name: '再来一个' }).expect(409);
    expect(over.body.error.code).toBe('HOUSEHOLD_LIMIT_REACHED');
    expect(await hub.stores.dataSource.getRepository(HouseholdEntity).countBy({ ownerId: (await hub.stores.dataSource.getRepository(HouseholdEntity).findOneByOrFail({ id: ids[0] })).ownerId })).toBe(MAX_OWNED_HOUSEHOLDS);

    const { token } = await invite(founder, ids[0], MAX_HOUSEHOLD_PEOPLE - 1);
    for (let i = 1; i < MAX_HOUSEHOLD_PEOPLE; i++) await join(await loginResident(hub, `hh-joiner-${i}`), token, `成员${i}`).expect(200);
    const late = await invite(founder, ids[0]);
    const full = await join(await loginResident(hub, 'hh-joiner-late'), late.token).expect(409);
    expect(full.body.error.code).toBe('HOUSEHOLD_LIMIT_REACHED');
    expect((await api().get(`${H}/${ids[0]}`).set(founder.auth).expect(200)).body.household.members).toHaveLength(MAX_HOUSEHOLD_PEOPLE);
    // The refused join did not use up the link.
    expect((await hub.stores.dataSource.getRepository(HouseholdInviteEntity).findOneByOrFail({ householdId: ids[0], usesLeft: 1 })).usesLeft).toBe(1);

    // One resident is in at most MAX_HOUSEHOLDS_PER_RESIDENT groups, owned and joined together.
    const second = await loginResident(hub, 'hh-founder-2');
    for (let i = 0; i < MAX_OWNED_HOUSEHOLDS; i++) ids.push((await create(second, `二组${i}`)).id);
    const busy = await loginResident(hub, 'hh-busy');
    for (const [i, groupId] of ids.entries()) {
      if (i === 0) continue; // the full one
      await join(busy, (await invite(i < MAX_OWNED_HOUSEHOLDS ? founder : second, groupId)).token).expect(200);
    }
    const own = await create(busy, '我家');
    expect((await api().get(H).set(busy.auth).expect(200)).body.households).toHaveLength(MAX_HOUSEHOLDS_PER_RESIDENT);
    const third = await loginResident(hub, 'hh-founder-3');
    const tooMany = await join(busy, (await invite(third, (await create(third, '第三家')).id)).token).expect(409);
    expect(tooMany.body.error.code).toBe('HOUSEHOLD_LIMIT_REACHED');
    expect((await api().post(H).set(busy.auth).send({ name: '再建一个' }).expect(409)).body.error.code).toBe('HOUSEHOLD_LIMIT_REACHED');
  });

  it('records invitations, joins, removals, leaves and deletions in the audit log with ids only', async () => {
    const { id, memberId } = await sharedGroup('审计家', '4101000009');
    await api().delete(`${H}/${id}/members/${memberId}`).set(owner.auth).expect(204);
    const again = await join(member, (await invite(owner, id)).token, '小明').expect(200);
    await api().post(`${H}/${id}/leave`).set(member.auth).send({}).expect(204);
    await api().delete(`${H}/${id}`).set(owner.auth).expect(204);
    const rows = await hub.stores.dataSource.getRepository(AuditEntity).find({ where: { target: `household:${id}` }, order: { id: 'ASC' } });
    expect(rows.map((r) => r.action)).toEqual(['household.invite', 'household.join', 'household.remove_member', 'household.invite', 'household.join', 'household.leave', 'household.delete']);
    expect(rows.every((r) => r.actor.startsWith('resident:'))).toBe(true);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/妈妈|小明|审计家|4101000002|token/);
    expect(text).toContain(again.body.household.members.find((m: { isMe: boolean }) => m.isMe).id);
  });
});
