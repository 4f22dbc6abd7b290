import { cityListSchema, cityLocateQuerySchema, cityLocationSchema, cityParamsSchema, citySearchQuerySchema, cityServicesSchema, type CityServices } from '@cityhub/shared';
import { ApiRouter } from '../http/api-router';
import type { CityService } from './service';

/**
 * Resident routes of the city catalog. What each city offers comes from the adapters domain
 * (`servicesOf`, wired in app.ts): the adapters use the catalog, so the catalog does not import them.
 */
export function createCityRoutes({
  cities,
  servicesOf,
}: {
  cities: CityService;
  servicesOf: (cityCode: string) => CityServices['serviceGroups'];
}): ApiRouter {
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
    // Before /:code, which would read "locate" as a (malformed) city code.
    .route(
      {
        method: 'get',
        path: '/locate',
        tag: 'cities',
        summary: 'The city nearest to a point (the resident\'s location), by the distance to each city\'s seat',
        query: cityLocateQuerySchema,
        response: cityLocationSchema,
        errors: ['CITY_NOT_FOUND'],
      },
      async ({ query }) => cities.locate(query.lat, query.lng),
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
      async ({ params }) => ({ city: await cities.get(params.code), serviceGroups: servicesOf(params.code) }),
    );
}
