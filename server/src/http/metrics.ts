import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HubMiddleware } from './context';

/** The hub's Prometheus metrics; one registry per app so tests and processes never share counters. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route' | 'status'>;
  readonly storeUp: Gauge<'store'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cityhub_' });
    this.requests = new Counter({
      name: 'cityhub_http_requests_total',
      help: 'HTTP requests by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'cityhub_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.storeUp = new Gauge({
      name: 'cityhub_store_up',
      help: '1 when the store answered its last health probe',
      labelNames: ['store'],
      registers: [this.registry],
    });
  }

  /** Counts and times every request by its route template (never the raw path, which holds ids). */
  middleware(): HubMiddleware {
    return async (ctx, next) => {
      const stop = process.hrtime.bigint();
      try {
        await next();
      } finally {
        const matched = (ctx as unknown as { _matchedRoute?: string })._matchedRoute;
        const route = typeof matched === 'string' ? matched : ctx.status === 404 ? 'unmatched' : ctx.path.startsWith('/api') ? 'unmatched' : 'static';
        const labels = { method: ctx.method, route, status: String(ctx.status) };
        this.requests.inc(labels);
        this.latency.observe(labels, Number(process.hrtime.bigint() - stop) / 1e9);
      }
    };
  }
}
