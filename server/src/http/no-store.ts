import type { HubMiddleware } from './context';

/**
 * Answers to a request that carries credentials are the caller's own data:
 * no browser, proxy or WebView cache may keep them (issue 9). Set before the
 * handler runs, so error answers carry it too.
 */
export function noStoreWhenAuthenticated(): HubMiddleware {
  return (ctx, next) => {
    if (ctx.get('authorization')) ctx.set('Cache-Control', 'no-store');
    return next();
  };
}
