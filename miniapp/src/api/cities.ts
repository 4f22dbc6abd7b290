import { cityListSchema, cityLocationSchema, cityServicesSchema } from '@cityhub/shared';
import { request } from './request';

export const searchCities = (q?: string) => request({ path: '/cities', query: { q }, schema: cityListSchema });

export const getCityServices = (code: string) => request({ path: `/cities/${encodeURIComponent(code)}`, schema: cityServicesSchema });

/** The city nearest to where the resident is; CITY_NOT_FOUND when none is near. */
export const locateCity = (lat: number, lng: number) => request({ path: '/cities/locate', query: { lat: lat.toFixed(6), lng: lng.toFixed(6) }, schema: cityLocationSchema });
