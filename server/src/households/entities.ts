import { EntitySchema } from 'typeorm';

/** A group of one resident's accounts (我家, 父母家) that other residents may be invited to. */
export interface HouseholdRow {
  id: string;
  ownerId: string;
  name: string;
  createdAt: Date;
  /** Also written by every join, so that joins to one group take its row lock one at a time (MySQL). */
  updatedAt: Date;
}

/** A resident invited into a group (the owner is not one: the group row names them). */
export interface HouseholdMemberRow {
  id: string;
  householdId: string;
  residentId: string;
  /** What the member asked to be called; only ever shown masked. */
  displayName: string;
  joinedAt: Date;
}

/** An account in a group: an account is in at most one group (the primary key). */
export interface HouseholdAccountRow {
  accountId: string;
  householdId: string;
  addedAt: Date;
}

/** An invitation link: only a digest of its token is stored; it expires and allows a limited number of joins. */
export interface HouseholdInviteRow {
  id: string;
  householdId: string;
  tokenDigest: string;
  usesLeft: number;
  expiresAt: Date;
  createdAt: Date;
}

const dt = (name: string) => ({ name, type: 'datetime' as const });

export const HouseholdEntity = new EntitySchema<HouseholdRow>({
  name: 'Household',
  tableName: 'households',
  columns: {
    id: { type: String, length: 36, primary: true },
    ownerId: { name: 'owner_id', type: String, length: 36 },
    name: { type: String, length: 40 },
    createdAt: dt('created_at'),
    updatedAt: dt('updated_at'),
  },
});

export const HouseholdMemberEntity = new EntitySchema<HouseholdMemberRow>({
  name: 'HouseholdMember',
  tableName: 'household_members',
  columns: {
    id: { type: String, length: 36, primary: true },
    householdId: { name: 'household_id', type: String, length: 36 },
    residentId: { name: 'resident_id', type: String, length: 36 },
    displayName: { name: 'display_name', type: String, length: 40 },
    joinedAt: dt('joined_at'),
  },
});

export const HouseholdAccountEntity = new EntitySchema<HouseholdAccountRow>({
  name: 'HouseholdAccount',
  tableName: 'household_accounts',
  columns: {
    accountId: { name: 'account_id', type: String, length: 36, primary: true },
    householdId: { name: 'household_id', type: String, length: 36 },
    addedAt: dt('added_at'),
  },
});

export const HouseholdInviteEntity = new EntitySchema<HouseholdInviteRow>({
  name: 'HouseholdInvite',
  tableName: 'household_invites',
  columns: {
    id: { type: String, length: 36, primary: true },
    householdId: { name: 'household_id', type: String, length: 36 },
    tokenDigest: { name: 'token_digest', type: String, length: 64, unique: true },
    usesLeft: { name: 'uses_left', type: 'int' },
    expiresAt: dt('expires_at'),
    createdAt: dt('created_at'),
  },
});
