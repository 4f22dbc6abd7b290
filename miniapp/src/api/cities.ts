import { cityListSchema, cityServicesSchema } from '@cityhub/shared';
import { request } from './request';

export const searchCities = (q?: string) => request({ path: '/cities', query: { q }, schema: cityListSchema });

export const getCityServices = (code: string) => request({ path: `/cities/${encodeURIComponent(code)}`, schema: cityServicesSchema });
