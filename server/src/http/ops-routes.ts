import Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { KeyValueStore } from '../infra/kv';
import type { HubMiddleware, HubState } from './context';
import type { HubMetrics } from './metrics';

export interface OpsDeps {
  dataSource: DataSource;
  kv: KeyValueStore;
  metrics: HubMetrics;
  openApi: () => Record<string, unknown>;
  /** False once shutdown has begun, so load balancers stop sending traffic. */
  isAccepting: () => boolean;
  /** Runs before /metrics (the operator token, unless metrics are configured public; issue 9). */
  metricsGuard?: HubMiddleware;
}

async function probe(check: () => Promise<unknown>, timeoutMs = 1000): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness (stores reachable), Prometheus metrics and the OpenAPI document. */
export function createOpsRoutes(deps: OpsDeps): Router<HubState> {
  const router = new Router<HubState>();
  const checkStores = async () => {
    const [database, keyValue] = await Promise.all([
      probe(() => deps.dataSource.query('SELECT 1')),
      probe(() => deps.kv.ping()),
    ]);
    deps.metrics.storeUp.set({ store: 'database' }, database === 'up' ? 1 : 0);
    deps.metrics.storeUp.set({ store: 'kv' }, keyValue === 'up' ? 1 : 0);
    return { database, keyValue };
  };

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const stores = await checkStores();
    const ready = deps.isAccepting() && stores.database === 'up' && stores.keyValue === 'up';
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ready' : 'not ready',
      accepting: deps.isAccepting(),
      stores: { database: { kind: deps.dataSource.options.type, status: stores.database }, keyValue: { kind: deps.kv.kind, status: stores.keyValue } },
    };
  });

  router.get('/metrics', ...(deps.metricsGuard ? [deps.metricsGuard] : []), async (ctx) => {
    await checkStores();
    // The pipeline gauges need the database; with it down, the store gauge already says why.
    await deps.metrics.refresh().catch(() => undefined);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });

  router.get('/api/v1/openapi.json', (ctx) => {
    ctx.body = deps.openApi();
  });
  return router;
}
