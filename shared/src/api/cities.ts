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

/** A decimal degree as text: "" or "abc" is refused, not read as 0 or NaN. */
const degree = (field: string, limit: number) =>
  z
    .string(`${field} is required`)
    .regex(/^-?\d{1,3}(\.\d{1,12})?$/, `${field} must be a decimal number of degrees`)
    .transform(Number)
    .pipe(z.number().min(-limit, `${field} must be between -${limit} and ${limit}`).max(limit, `${field} must be between -${limit} and ${limit}`));

/** Where the resident is (degrees, as WeChat getLocation and browser geolocation give them). */
export const cityLocateQuerySchema = z.object({ lat: degree('lat', 90), lng: degree('lng', 180) });

export const cityLocationSchema = z
  .object({ city: citySchema, distanceKm: z.number().describe("great-circle distance from the point to the city's seat, whole km") })
  .meta({ id: 'CityLocation' });

export type City = z.infer<typeof citySchema>;
export type CityLocateQuery = z.infer<typeof cityLocateQuerySchema>;
export type CitySearchQuery = z.infer<typeof citySearchQuerySchema>;
