import { cityListSchema, cityParamsSchema, citySearchQuerySchema, cityServicesSchema } from '@cityhub/shared';
import { servicesForCity } from '../adapters/city-services';
import type { AdapterRegistry } from '../adapters/registry';
import { ApiRouter } from '../http/api-router';
import type { CityService } from './service';

/** Resident routes of the city catalog. */
export function createCityRoutes({ cities, registry }: { cities: CityService; registry: AdapterRegistry }): ApiRouter {
  return new ApiRouter('/cities')
    .route(
      {
        method: 'get',
        path: '',
        tag: 'cities',
        summary: 'Search cities by name, pinyin or pinyin initials',
        query: citySearchQuerySchema,
        response: cityListSchema,
      },
      async ({ query }) => ({ cities: await cities.search(query) }),
    )
    .route(
      {
        method: 'get',
        path: '/:code',
        tag: 'cities',
        summary: 'One city with its services grouped by category, each with its live status and account fields',
        params: cityParamsSchema,
        response: cityServicesSchema,
        errors: ['CITY_NOT_FOUND'],
      },
      async ({ params }) => ({ city: await cities.get(params.code), serviceGroups: servicesForCity(registry, params.code) }),
    );
}
