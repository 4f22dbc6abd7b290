import Router from '@koa/router';
import type Koa from 'koa';
import type { Ledger } from './ledger';

export interface Faults {
  latencyMs: number;
  errorRate: number;
  hang: boolean;
  rejectWriteOff: boolean;
  windowClosed: boolean;
}

const NONE: Faults = { latencyMs: 0, errorRate: 0, hang: false, rejectWriteOff: false, windowClosed: false };

/**
 * Runtime fault knobs shared by every simulated provider, and the sandbox's
 * admin routes under /__sandbox (faults, reset, the write-off journal).
 * `onError` and `onWindowClosed` answer in the provider's own error style.
 */
export function installFaults(
  app: Koa,
  ledger: Ledger,
  style: { onError: (ctx: Koa.Context) => void; onWindowClosed: (ctx: Koa.Context) => void },
): { faults: Faults; release(): void } {
  const faults: Faults = { ...NONE };
  const hung = new Set<() => void>();
  const release = () => {
    for (const wake of hung) wake();
    hung.clear();
  };

  const admin = new Router({ prefix: '/__sandbox' });
  admin.get('/faults', (ctx) => {
    ctx.body = faults;
  });
  admin.put('/faults', (ctx) => {
    const body = (ctx.request.body ?? {}) as Partial<Faults>;
    if (body.latencyMs !== undefined) faults.latencyMs = Math.max(0, Number(body.latencyMs) || 0);
    if (body.errorRate !== undefined) faults.errorRate = Math.min(1, Math.max(0, Number(body.errorRate) || 0));
    if (body.hang !== undefined) faults.hang = body.hang === true;
    if (body.rejectWriteOff !== undefined) faults.rejectWriteOff = body.rejectWriteOff === true;
    if (body.windowClosed !== undefined) faults.windowClosed = body.windowClosed === true;
    ledger.rejectAll = faults.rejectWriteOff;
    if (!faults.hang) release();
    ctx.body = faults;
  });
  admin.post('/reset', (ctx) => {
    Object.assign(faults, NONE);
    ledger.reset();
    release();
    ctx.body = { reset: true };
  });
  admin.get('/writeoffs', (ctx) => {
    ctx.body = { writeOffs: ledger.allWriteOffs() };
  });

  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/__sandbox')) return next();
    if (faults.hang) {
      // Hold the request until the knob is turned off, reset or the server closes.
      await new Promise<void>((resolve) => hung.add(resolve));
      if (faults.hang) return;
    }
    if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.errorRate && Math.random() < faults.errorRate) return style.onError(ctx);
    if (faults.windowClosed) return style.onWindowClosed(ctx);
    return next();
  });
  app.use(admin.routes());
  return { faults, release };
}
