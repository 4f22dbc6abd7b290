import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

// `shared` is consumed as TypeScript source, so both targets must compile it.
const shared = path.resolve(__dirname, '../../shared');

/** Webpack's chain API as Taro hands it to webpackChain (its type is not exported in a usable form). */
interface Chain {
  module: { rule(name: string): { test(re: RegExp): { use(name: string): { loader(file: string): unknown } } } };
  optimization: { merge(options: object): unknown };
}

/** zod's two `Function` constructors replaced in both builds (see the loader). */
function zodWithoutEval(chain: Chain) {
  chain.module
    .rule('zod-no-eval')
    .test(/[\\/]zod[\\/]v4[\\/]core[\\/](doc|util)\.c?js$/)
    .use('zod-no-eval')
    .loader(path.resolve(__dirname, 'zod-no-eval-loader.js'));
}

/**
 * Taro's h5 split puts only what the first page needs in shared chunks
 * (`chunks: 'initial'`), so every page chunk loaded later carried its own
 * copy of zod, the shared schemas and the API layer (1.6 MB over one
 * journey). One chunk, shared by all, is downloaded once and cached.
 */
const API_CHUNK = /[\\/](node_modules[\\/]zod|shared[\\/]src|miniapp[\\/]src[\\/]api)[\\/]/;

export default defineConfig<'webpack5'>(async () => {
  const config: UserConfigExport<'webpack5'> = {
    projectName: 'cityhub',
    date: '2026-11-23',
    // NutUI is designed at 375 px, our own styles at 750 px.
    designWidth: (input) => (typeof input === 'object' && input?.file?.replace(/\\+/g, '/').includes('@nutui') ? 375 : 750),
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {
      // h5 is served by the hub itself (same origin); weapp needs the hub's address.
      API_BASE: JSON.stringify(process.env.CITYHUB_API_BASE ?? (process.env.TARO_ENV === 'h5' ? '' : 'http://127.0.0.1:3000')),
      WECHAT_MOCK_BASE: JSON.stringify(process.env.CITYHUB_WECHAT_MOCK_BASE ?? 'http://127.0.0.1:4100'),
      PAYMENT_MODE: JSON.stringify(process.env.CITYHUB_PAYMENT_MODE === 'wechat' ? 'wechat' : 'mock'),
      REMINDER_TEMPLATE_ID: JSON.stringify(process.env.CITYHUB_REMINDER_TEMPLATE_ID ?? 'cityhub-bill-due'),
    },
    // The tab icon browsers ask for; the mini-program has none.
    copy: { patterns: process.env.TARO_ENV === 'h5' ? [{ from: 'src/assets/favicon.svg', to: 'dist/h5/favicon.svg' }] : [], options: {} },
    // Mini-program only: base.wxml holds one template per nesting level; our pages nest at most
    // 7 deep (the audit-limit journey measures it), so 8 levels keep ~20 KB out of the main package.
    baseLevel: 8,
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [shared] },
      webpackChain: (chain: Chain) => zodWithoutEval(chain),
      postcss: { pxtransform: { enable: true, config: {} } },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [shared] },
      webpackChain: (chain: Chain) => {
        zodWithoutEval(chain);
        chain.optimization.merge({
          splitChunks: { cacheGroups: { api: { name: 'api', test: (m: { resource?: string }) => API_CHUNK.test(m.resource ?? ''), chunks: 'all', priority: 50, enforce: true } } },
        });
      },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[chunkhash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[chunkhash:8].css' },
      postcss: { autoprefixer: { enable: true, config: {} } },
    },
  };
  return config;
});
