import { useEffect, useState } from 'react';

/** The console's routes live under /console; the hub answers index.html for each of them. */
export const BASE = '/console';

const listeners = new Set<() => void>();

/** The route inside the console, e.g. "/adapters/wuhan-water". */
export function currentRoute(): string {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : window.location.pathname;
  return path === '' || path === '/' ? '/adapters' : path.replace(/\/+$/, '');
}

/** Goes to a console route without reloading the page. */
export function navigate(route: string, options: { replace?: boolean } = {}): void {
  const url = `${BASE}${route}`;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.scrollTo(0, 0);
  listeners.forEach((l) => l());
}

window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** The current console route, re-rendering on navigation. */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return route;
}
