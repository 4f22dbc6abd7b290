import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HubMiddleware } from './context';

/**
 * Where the business gauges are read from, at each scrape: the orders domain's pipeline snapshot and
 * the adapters' health. Declared by the shape this file reads, so the HTTP layer imports no domain
 * (the domains' routes import it).
 */
export interface MetricSources {
  pipeline(): Promise<{ ordersInFlight: Record<string, number>; outboxPending: number; outboxOldestPendingSeconds: number }>;
  adapters(): Array<{ id: string; health: { status: string; errorRate: number } }>;
}

/** The hub's Prometheus metrics; one registry per app so tests and processes never share counters. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly latency: Histogram<'method' | 'route' | 'status'>;
  readonly storeUp: Gauge<'store'>;

  private readonly ordersInFlight: Gauge<'status'>;
  private readonly outboxPending: Gauge;
  private readonly outboxOldest: Gauge;
  private readonly adapterDown: Gauge<'adapter'>;
  private readonly adapterErrors: Gauge<'adapter'>;

  constructor(private readonly sources: MetricSources) {
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
    const registers = [this.registry];
    this.ordersInFlight = new Gauge({ name: 'cityhub_orders_in_flight', help: 'Orders between creation and a final state, by status', labelNames: ['status'], registers });
    this.outboxPending = new Gauge({ name: 'cityhub_outbox_pending', help: 'Write-offs and refunds queued and not yet delivered', registers });
    this.outboxOldest = new Gauge({ name: 'cityhub_outbox_oldest_pending_seconds', help: 'Age of the oldest undelivered outbox row (0 when none waits)', registers });
    this.adapterDown = new Gauge({ name: 'cityhub_adapter_down', help: '1 when the adapter is down (breaker open), by adapter', labelNames: ['adapter'], registers });
    this.adapterErrors = new Gauge({ name: 'cityhub_adapter_error_ratio', help: 'Share of recent provider calls that failed, by adapter', labelNames: ['adapter'], registers });
  }

  /** Reads the order pipeline and adapter health into their gauges; /metrics calls it before each scrape. */
  async refresh(): Promise<void> {
    const pipeline = await this.sources.pipeline();
    for (const [status, n] of Object.entries(pipeline.ordersInFlight)) this.ordersInFlight.set({ status }, n);
    this.outboxPending.set(pipeline.outboxPending);
    this.outboxOldest.set(pipeline.outboxOldestPendingSeconds);
    // Reset first: an adapter disabled since the last scrape must not linger.
    this.adapterDown.reset();
    this.adapterErrors.reset();
    for (const { id, health } of this.sources.adapters()) {
      this.adapterDown.set({ adapter: id }, health.status === 'down' ? 1 : 0);
      this.adapterErrors.set({ adapter: id }, health.errorRate);
    }
  }

  /** Counts and times every request by its route template (never the raw path, which holds ids). */
  middleware(): HubMiddleware {
    return async (ctx, next) => {
      const started = performance.now();
      try {
        await next();
      } finally {
        // @koa/router's public record of the route template that served the request.
        const matched: unknown = ctx.routerPath;
        const route = typeof matched === 'string' ? matched : ctx.status === 404 ? 'unmatched' : ctx.path.startsWith('/api') ? 'unmatched' : 'static';
        const labels = { method: ctx.method, route, status: String(ctx.status) };
        this.requests.inc(labels);
        this.latency.observe(labels, (performance.now() - started) / 1000);
      }
    };
  }
}
