import { EntitySchema } from 'typeorm';

/** A row of the city catalog (seeded by migration, read-only at run time). */
export interface CityRow {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  pinyin: string;
  initials: string;
}

export const CityEntity = new EntitySchema<CityRow>({
  name: 'City',
  tableName: 'cities',
  columns: {
    code: { type: String, length: 6, primary: true },
    name: { type: String, length: 64 },
    provinceCode: { name: 'province_code', type: String, length: 2 },
    provinceName: { name: 'province_name', type: String, length: 64 },
    pinyin: { type: String, length: 128 },
    initials: { type: String, length: 32 },
  },
});
