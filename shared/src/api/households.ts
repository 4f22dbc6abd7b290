import { z } from 'zod';
import { categorySchema } from '../adapters/manifest';
import { orderStatusSchema } from './orders';

/**
 * Household accounts (缴费分组, issue 11): a resident groups their accounts
 * (我家, 父母家) and invites other WeChat users, who then see and pay those
 * accounts' bills. Members see the same masked forms as the owner, never more.
 */

/** People in one group, the owner included. */
export const MAX_HOUSEHOLD_PEOPLE = 10;
/** Groups one resident may own. */
export const MAX_OWNED_HOUSEHOLDS = 5;
/** Groups one resident may belong to, owned and joined together. */
export const MAX_HOUSEHOLDS_PER_RESIDENT = 10;
/** How long an invitation link stays usable. */
export const HOUSEHOLD_INVITE_TTL_MS = 24 * 60 * 60 * 1000;

export const householdNameSchema = z
  .string({ error: 'name is required' })
  .trim()
  .min(1, 'name must be 1–20 characters')
  .max(20, 'name must be 1–20 characters');

export const createHouseholdBodySchema = z.object({ name: householdNameSchema });
export const renameHouseholdBodySchema = z.object({ name: householdNameSchema });

export const householdIdParamsSchema = z.object({ id: z.uuid('household id must be a UUID') });
export const householdAccountParamsSchema = z.object({
  id: z.uuid('household id must be a UUID'),
  accountId: z.uuid('account id must be a UUID'),
});
export const householdMemberParamsSchema = z.object({
  id: z.uuid('household id must be a UUID'),
  memberId: z.uuid('member id must be a UUID'),
});

export const addHouseholdAccountBodySchema = z.object({ accountId: z.uuid('accountId must be the id of one of your accounts') });

export const createInviteBodySchema = z.object({
  /** How many people may join with this link (default one). */
  maxUses: z
    .number()
    .int('maxUses must be a whole number')
    .min(1, `maxUses must be 1–${MAX_HOUSEHOLD_PEOPLE - 1}`)
    .max(MAX_HOUSEHOLD_PEOPLE - 1, `maxUses must be 1–${MAX_HOUSEHOLD_PEOPLE - 1}`)
    .default(1),
});

/** An invitation token: 32 URL-safe characters (192 random bits). */
export const inviteTokenSchema = z.string({ error: 'token is required' }).regex(/^[A-Za-z0-9_-]{32}$/, 'token is not an invitation token');

export const inviteTokenBodySchema = z.object({ token: inviteTokenSchema });

export const acceptInviteBodySchema = z.object({
  token: inviteTokenSchema,
  /** How the other people of the group see this member (shown to them masked, e.g. 妈*). */
  displayName: z.string({ error: 'displayName is required' }).trim().min(1, 'displayName must be 1–12 characters').max(12, 'displayName must be 1–12 characters'),
});

export const householdRoleSchema = z.enum(['owner', 'member']);

export const householdSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: householdRoleSchema,
    peopleCount: z.number().int(),
    accountCount: z.number().int(),
  })
  .meta({ id: 'HouseholdSummary' });

export const householdListSchema = z.object({ households: z.array(householdSummarySchema) }).meta({ id: 'HouseholdList' });

/** An account of a group as everyone in it sees it: masked as on the owner's own list. */
export const householdAccountSchema = z.object({
  id: z.string(),
  serviceId: z.string(),
  serviceName: z.string(),
  providerName: z.string(),
  category: categorySchema,
  cityCode: z.string(),
  alias: z.string().nullable(),
  fieldsMasked: z.record(z.string(), z.string()),
  holderNameMasked: z.string(),
  addressHint: z.string().nullable(),
});

export const householdMemberSchema = z.object({
  /** The membership's id (not the resident's): what the owner removes. Null for the owner. */
  id: z.string().nullable(),
  role: householdRoleSchema,
  /** 创建者 for the owner; the member's chosen name, masked, for the others. */
  label: z.string(),
  isMe: z.boolean(),
  joinedAt: z.string(),
});

export const householdDetailSchema = z
  .object({
    household: z.object({
      id: z.string(),
      name: z.string(),
      role: householdRoleSchema,
      members: z.array(householdMemberSchema),
      accounts: z.array(householdAccountSchema),
      maxPeople: z.number().int(),
    }),
  })
  .meta({ id: 'HouseholdDetail' });

export const createdInviteSchema = z
  .object({
    /** Shown once: only its digest is stored. */
    token: z.string(),
    expiresAt: z.string(),
    maxUses: z.number().int(),
    /** The mini-program page that opens it (share path in WeChat, link in h5). */
    path: z.string(),
  })
  .meta({ id: 'HouseholdInvite' });

export const invitePreviewSchema = z
  .object({
    householdName: z.string(),
    peopleCount: z.number().int(),
    expiresAt: z.string(),
    /** True when the one asking is already in the group (the owner, or a member). */
    alreadyIn: z.boolean(),
  })
  .meta({ id: 'HouseholdInvitePreview' });

/** One payment made for a group account, by anyone of the group. */
export const householdOrderSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  serviceName: z.string(),
  accountMasked: z.record(z.string(), z.string()),
  amountFen: z.number().int(),
  status: orderStatusSchema,
  statusLabel: z.string(),
  createdAt: z.string(),
  /** Who paid: 创建者, a member's masked name, 我, or 已退出的成员. */
  paidBy: z.object({ label: z.string(), isMe: z.boolean() }),
});

export const householdOrderListSchema = z.object({ orders: z.array(householdOrderSchema) }).meta({ id: 'HouseholdOrderList' });

/** The mini-program page an invitation opens. */
export const householdJoinPath = (token: string) => `/packages/household/join?token=${token}`;

export type HouseholdSummary = z.infer<typeof householdSummarySchema>;
export type HouseholdDetail = z.infer<typeof householdDetailSchema>['household'];
export type HouseholdAccount = z.infer<typeof householdAccountSchema>;
export type HouseholdMember = z.infer<typeof householdMemberSchema>;
export type HouseholdOrder = z.infer<typeof householdOrderSchema>;
export type CreatedInvite = z.infer<typeof createdInviteSchema>;
export type InvitePreview = z.infer<typeof invitePreviewSchema>;
