/**
 * @tarojs/taro for component tests: storage in a Map, request answered by a
 * routing function each test sets, navigation and toasts recorded.
 */
import { useEffect } from 'react';

type Answer = { statusCode: number; data: unknown };
export const calls: Array<{ url: string; method: string; data: unknown; header: Record<string, string> }> = [];
let route: (url: string, method: string, data: unknown) => Answer | Promise<Answer> = () => ({ statusCode: 404, data: {} });
export function answer(fn: typeof route): void {
  route = fn;
  calls.length = 0;
}

const storage = new Map<string, unknown>();
export const navigated: string[] = [];
export const toasts: string[] = [];
/** What the page handed to requestPayment (the real-WeChat build's payment sheet). */
export const paymentsRequested: unknown[] = [];
/** What a page copied (h5 invitation links). */
export const clipboard: string[] = [];
let params: Record<string, string> = {};
export function setRouterParams(p: Record<string, string>): void {
  params = p;
}

/** What getLocation answers next: a position, or a failure `{ errMsg }` (as WeChat rejects). */
let location: { latitude: number; longitude: number } | { errMsg: string } = { errMsg: 'getLocation:fail no location set' };
export function setLocation(next: typeof location): void {
  location = next;
}

const Taro = {
  getLocation: async () => {
    if ('errMsg' in location) throw location;
    return { ...location, accuracy: 30, errMsg: 'getLocation:ok' };
  },
  request: async (o: { url: string; method?: string; data?: unknown; header?: Record<string, string> }) => {
    calls.push({ url: o.url, method: o.method ?? 'GET', data: o.data, header: o.header ?? {} });
    return route(o.url, o.method ?? 'GET', o.data);
  },
  getStorageSync: (k: string) => storage.get(k) ?? '',
  setStorageSync: (k: string, v: unknown) => void storage.set(k, v),
  removeStorageSync: (k: string) => void storage.delete(k),
  navigateTo: async ({ url }: { url: string }) => void navigated.push(url),
  redirectTo: async ({ url }: { url: string }) => void navigated.push(url),
  navigateBack: async () => void navigated.push('back'),
  reLaunch: async ({ url }: { url: string }) => void navigated.push(url),
  showToast: ({ title }: { title: string }) => void toasts.push(title),
  showModal: async () => ({ confirm: true }),
  stopPullDownRefresh: () => undefined,
  setNavigationBarTitle: () => undefined,
  login: async () => ({ code: 'test-code' }),
  requestPayment: async (params: unknown) => void paymentsRequested.push(params),
  setClipboardData: async ({ data }: { data: string }) => void clipboard.push(data),
  // No canvas node under jsdom: a chart finds nothing to draw on and draws nothing.
  createSelectorQuery: () => ({ select: () => ({ fields: () => ({ exec: (done: (found: unknown[]) => void) => done([null]) }) }) }),
  getSystemInfoSync: () => ({ pixelRatio: 2 }),
};

export default Taro;
export const useRouter = () => ({ params });
export const useDidShow = (fn: () => void) => useEffect(() => void fn(), []);
export const usePullDownRefresh = () => undefined;
export const useReachBottom = () => undefined;
/** The share sheet's answer, as the page last declared it. */
export let shareMessage: (() => unknown) | null = null;
export const useShareAppMessage = (fn: () => unknown) => {
  shareMessage = fn;
};
