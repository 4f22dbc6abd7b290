import { z } from 'zod';

/** GB/T 2260 six-digit division code of a prefecture-level city or municipality. */
export const cityCodeSchema = z.string().regex(/^\d{6}$/, 'city code must be six digits (GB/T 2260)');

export const cityParamsSchema = z.object({ code: cityCodeSchema });

export const citySearchQuerySchema = z.object({
  q: z.string().trim().max(40, 'q must be at most 40 characters').optional(),
  province: z.string().regex(/^\d{2}$/, 'province must be the two-digit province prefix').optional(),
});

export const citySchema = z
  .object({
    code: cityCodeSchema,
    name: z.string(),
    provinceCode: z.string(),
    provinceName: z.string(),
    pinyin: z.string().describe('full pinyin without tones, lower case, e.g. "zhengzhou"'),
    initials: z.string().describe('pinyin initials, lower case, e.g. "zz"'),
  })
  .meta({ id: 'City' });

export const cityListSchema = z.object({ cities: z.array(citySchema) }).meta({ id: 'CityList' });

export const cityDetailSchema = z.object({ city: citySchema }).meta({ id: 'CityDetail' });

export type City = z.infer<typeof citySchema>;
export type CitySearchQuery = z.infer<typeof citySearchQuerySchema>;
