import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

// `shared` is consumed as TypeScript source, so both targets must compile it.
const shared = path.resolve(__dirname, '../../shared');

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
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      compile: { include: [shared] },
      postcss: { pxtransform: { enable: true, config: {} } },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [shared] },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[chunkhash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[chunkhash:8].css' },
      postcss: { autoprefixer: { enable: true, config: {} } },
    },
  };
  return config;
});
