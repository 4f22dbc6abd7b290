import { EntitySchema } from 'typeorm';

export type AdapterStatusRow = 'draft' | 'active' | 'disabled';
export type AdapterVersionStatus = 'draft' | 'verified' | 'active' | 'retired';

/** An adapter as the registry knows it: which version serves, if any. */
export interface AdapterRow {
  id: string;
  category: string;
  kind: 'manifest' | 'code';
  status: AdapterStatusRow;
  activeVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One registered version of an adapter: its manifest (or a code adapter's description) and verification. */
export interface AdapterVersionRow {
  adapterId: string;
  version: string;
  manifest: string;
  status: AdapterVersionStatus;
  verifyReport: string | null;
  verifiedAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

/**
 * An operator's choice of who serves a category in a city where two active
 * adapters cover it at the same level (made when activating one over the other).
 */
export interface CoverageChoiceRow {
  cityCode: string;
  category: string;
  adapterId: string;
  /** The adapter that served here before the choice (audit trail for the engineer on call). */
  replacedAdapterId: string;
  chosenBy: string;
  chosenAt: Date;
}

/** A named provider credential, sealed with the hub's secrets key; never returned by any API. */
export interface SecretRow {
  name: string;
  sealed: string;
  updatedAt: Date;
}

export const AdapterEntity = new EntitySchema<AdapterRow>({
  name: 'Adapter',
  tableName: 'adapters',
  columns: {
    id: { type: String, length: 64, primary: true },
    category: { type: String, length: 32 },
    kind: { type: String, length: 16 },
    status: { type: String, length: 16 },
    activeVersion: { name: 'active_version', type: String, length: 32, nullable: true },
    createdAt: { name: 'created_at', type: 'datetime' },
    updatedAt: { name: 'updated_at', type: 'datetime' },
  },
});

export const AdapterVersionEntity = new EntitySchema<AdapterVersionRow>({
  name: 'AdapterVersion',
  tableName: 'adapter_versions',
  columns: {
    adapterId: { name: 'adapter_id', type: String, length: 64, primary: true },
    version: { type: String, length: 32, primary: true },
    manifest: { type: 'text' },
    status: { type: String, length: 16 },
    verifyReport: { name: 'verify_report', type: 'text', nullable: true },
    verifiedAt: { name: 'verified_at', type: 'datetime', nullable: true },
    createdBy: { name: 'created_by', type: String, length: 64 },
    createdAt: { name: 'created_at', type: 'datetime' },
  },
});

export const SecretEntity = new EntitySchema<SecretRow>({
  name: 'Secret',
  tableName: 'secrets',
  columns: {
    name: { type: String, length: 64, primary: true },
    sealed: { type: 'text' },
    updatedAt: { name: 'updated_at', type: 'datetime' },
  },
});

export const CoverageChoiceEntity = new EntitySchema<CoverageChoiceRow>({
  name: 'CoverageChoice',
  tableName: 'coverage_choices',
  columns: {
    cityCode: { name: 'city_code', type: String, length: 6, primary: true },
    category: { type: String, length: 32, primary: true },
    adapterId: { name: 'adapter_id', type: String, length: 64 },
    replacedAdapterId: { name: 'replaced_adapter_id', type: String, length: 64 },
    chosenBy: { name: 'chosen_by', type: String, length: 64 },
    chosenAt: { name: 'chosen_at', type: 'datetime' },
  },
});
