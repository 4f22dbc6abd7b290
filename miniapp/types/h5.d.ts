/**
 * The browser objects h5-only code may read, and nothing else: the app
 * compiles without the DOM library because the mini-program has none. Read
 * them only under `process.env.TARO_ENV === 'h5'` (or from code that only h5
 * runs); in WeChat they do not exist.
 */
declare const window: {
  readonly location: { readonly origin: string; readonly pathname: string; readonly hash: string; readonly href: string };
};
