import { EntitySchema } from 'typeorm';

/** A resident, known by the openid WeChat gives for them in our mini-program. */
export interface ResidentRow {
  id: string;
  openid: string;
  createdAt: Date;
}

export const ResidentEntity = new EntitySchema<ResidentRow>({
  name: 'Resident',
  tableName: 'residents',
  columns: {
    id: { type: String, length: 36, primary: true },
    openid: { type: String, length: 64, unique: true },
    createdAt: { name: 'created_at', type: 'datetime' },
  },
});
