import { AccountEntity } from '../accounts/entities';
import { AdapterEntity, AdapterVersionEntity, CoverageChoiceEntity, SecretEntity } from '../adapters/entities';
import { AuditEntity } from '../admin/entities';
import { CityEntity } from '../cities/entities';
import { HouseholdAccountEntity, HouseholdEntity, HouseholdInviteEntity, HouseholdMemberEntity } from '../households/entities';
import { ResidentEntity } from '../identity/entities';
import { ReconciliationEntity } from '../reconciliation/entities';
import { ReminderSentEntity } from '../reminders/entities';
import { BillLockEntity, IdempotencyEntity, OrderEntity, OrderEventEntity, OutboxEntity } from '../orders/entities';

/** Every TypeORM entity schema of the hub, gathered for the DataSource. */
export const entities = [CityEntity, AdapterEntity, AdapterVersionEntity, CoverageChoiceEntity, SecretEntity, AuditEntity, ResidentEntity, AccountEntity, OrderEntity, OrderEventEntity, BillLockEntity, OutboxEntity, IdempotencyEntity, ReconciliationEntity, ReminderSentEntity, HouseholdEntity, HouseholdMemberEntity, HouseholdAccountEntity, HouseholdInviteEntity];
