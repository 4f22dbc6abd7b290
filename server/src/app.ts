import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import type { DataSource } from 'typeorm';
import { createAccountRoutes } from './accounts/routes';
import { createAdapterAdminRoutes } from './adapters/routes';
import { requireOperator } from './admin/operator-auth';
import { createReconciliationRoutes } from './reconciliation/routes';
import { inlineScriptHashes } from './http/csp';
import { securityHeaders } from './http/security-headers';
import { consoleApp } from './http/console';
import { h5Static } from './http/static-files';
import { servicesForCity } from './adapters/city-services';
import { createCityRoutes } from './cities/routes';
import { createAuthRoutes } from './identity/routes';
import { requireResident } from './identity/sessions';
import { createOrderRoutes } from './orders/routes';
import { createHouseholdRoutes } from './households/routes';
import { createPaymentRoutes } from './payments/routes';
import type { HubServices } from './services';
import type { HubState } from './http/context';
import { errorHandler } from './http/error-handler';
import { HubMetrics } from './http/metrics';
import { pipelineSnapshot } from './orders/pipeline';
import { buildOpenApiDocument } from './http/openapi';
import { createOpsRoutes } from './http/ops-routes';
import { ApiRouter } from './http/api-router';
import { requestId } from './http/request-id';
import { HubRateLimits } from './http/rate-limit';
import { noStoreWhenAuthenticated } from './http/no-store';
import { allowOnRefusedMethod } from './http/client-errors';
import { createAuditRoutes } from './admin/audit-routes';
import type { Config } from './infra/config';
import type { KeyValueStore } from './infra/kv';
import type { Logger } from './infra/logger';

export interface AppDeps {
  config: Pick<Config, 'corsOrigins' | 'bodyLimitBytes' | 'h5Dir' | 'operatorTokens'> & Partial<Pick<Config, 'rateLimits' | 'metricsAccess' | 'consoleDir' | 'trustProxy'>> & {
    /** Origins the h5 page may call besides the hub: the mock WeChat (wx.login, cashier) in mock mode. */
    connectSrc?: string[];
  };
  log: Logger;
  services: HubServices;
  dataSource: DataSource;
  kv: KeyValueStore;
  /** False once shutdown has begun; defaults to always accepting. */
  isAccepting?: () => boolean;
}

export interface HubApp {
  app: Koa<HubState>;
  metrics: HubMetrics;
  api: ApiRouter;
}

/** Builds the hub's Koa app from its dependencies; listening and shutdown are main.ts's job. */
export function createApp(deps: AppDeps): HubApp {
  const app = new Koa<HubState>();
  app.proxy = deps.config.trustProxy === 'on';
  const { services } = deps;
  const metrics = new HubMetrics({
    pipeline: () => pipelineSnapshot(deps.dataSource),
    adapters: () => services.registry.activeAdapters().map((a) => ({ id: a.describe().id, health: a.healthReport() })),
  });
  const rateLimits = new HubRateLimits({ limits: deps.config.rateLimits, kv: deps.kv, registry: metrics.registry, log: deps.log });
  const resident = rateLimits.residentGate(requireResident(services.sessions), (body) => services.accounts.bindTarget(body));
  const operator = requireOperator(deps.config.operatorTokens, services.audit);

  const api = new ApiRouter('/api/v1');
  api.use(createAuthRoutes({ login: services.login, residents: services.residents, sessions: services.sessions }));
  api.use(createCityRoutes({ cities: services.cities, servicesOf: (cityCode) => servicesForCity(services.registry, cityCode) }));
  api.use(createAccountRoutes({ accounts: services.accounts, bills: services.bills, history: services.paymentHistory, requireResident: resident }));
  api.use(createOrderRoutes({ orders: services.orders, requireResident: resident }));
  for (const routes of createHouseholdRoutes({ households: services.households, requireResident: resident })) api.use(routes);
  api.use(createPaymentRoutes({ orders: services.orders, gateway: services.gateway, log: deps.log }));
  api.use(createAdapterAdminRoutes({ admin: services.adapters, requireOperator: operator }));
  api.use(createReconciliationRoutes({ reconciliation: services.reconciliation, requireOperator: operator }));
  api.use(createAuditRoutes({ audit: services.audit, requireOperator: operator }));

  let openApi: Record<string, unknown> | undefined;
  const ops = createOpsRoutes({
    dataSource: deps.dataSource,
    kv: deps.kv,
    metrics,
    isAccepting: deps.isAccepting ?? (() => true),
    // Scrapes are not audited (one every few seconds would drown the trail); refused ones are.
    metricsGuard: deps.config.metricsAccess === 'public' ? undefined : requireOperator(deps.config.operatorTokens, services.audit, { auditAllowed: false }),
    openApi: () => (openApi ??= buildOpenApiDocument(api.specs, { title: 'cityhub API', version: '1' })),
  });

  // The city catalog is searched in memory; read it now rather than on the first resident's search.
  services.cities.load().catch((err: unknown) => deps.log.warn({ err }, 'city catalog not loaded at boot; the first search will retry'));

  const allowed = new Set(deps.config.corsOrigins);
  app.use(requestId(deps.log));
  app.use(noStoreWhenAuthenticated());
  app.use(metrics.middleware());
  app.use(errorHandler());
  // The operator console (issue 10) answers /console itself, with its own page policy; without consoleDir it is not served.
  app.use(consoleApp({ dir: deps.config.consoleDir }));
  app.use(securityHeaders({ scriptSrc: inlineScriptHashes(deps.config.h5Dir), connectSrc: deps.config.connectSrc ?? [] }));
  app.use(
    cors({
      // Only configured origins get CORS headers; the h5 build is served same-origin.
      origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''),
      exposeHeaders: ['X-Request-Id'],
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    }),
  );
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: deps.config.bodyLimitBytes,
      encoding: 'utf-8',
      // Strict JSON: a top-level string or number is not a request body.
      jsonStrict: true,
      onError: (err) => {
        throw err;
      },
    }),
  );
  app.use(ops.routes());
  app.use(ops.allowedMethods());
  app.use(rateLimits.edge());
  app.use(allowOnRefusedMethod(api.specs));
  for (const mw of api.middleware()) app.use(mw);
  // Mounted even before the h5 build exists: files are looked up per request.
  app.use(h5Static(deps.config.h5Dir));
  return { app, metrics, api };
}
