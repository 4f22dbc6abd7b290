import { CreateCities1732300000000 } from './1732300000000-create-cities';
import { CreateAdaptersAccounts1732300100000 } from './1732300100000-create-adapters-accounts';
import { CreateOrders1732300200000 } from './1732300200000-create-orders';
import { CreateReconciliation1732300300000 } from './1732300300000-create-reconciliation';
import { CreateReminders1732300400000 } from './1732300400000-create-reminders';
import { CreateCoverageChoices1732300500000 } from './1732300500000-create-coverage-choices';
import { AddOrderRefundFen1732300600000 } from './1732300600000-add-order-refund-fen';
import { CreateHouseholds1732301100000 } from './1732301100000-create-households';
import { AddAccountSaved1732300750000 } from './1732300750000-add-account-saved';
import { AddOrderPrepayExpiry1732301200000 } from './1732301200000-add-order-prepay-expiry';

/** Every migration, in order. Both SQLite and MySQL run the same list. */
export const migrations = [CreateCities1732300000000, CreateAdaptersAccounts1732300100000, CreateOrders1732300200000, CreateReconciliation1732300300000, CreateReminders1732300400000, CreateCoverageChoices1732300500000, AddOrderRefundFen1732300600000, AddAccountSaved1732300750000, CreateHouseholds1732301100000, AddOrderPrepayExpiry1732301200000];
