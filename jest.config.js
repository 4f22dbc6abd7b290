/**
 * One Jest run covers the shared package, the hub and its sandbox, and the
 * mini-program's unit tests. The hub suite reads DATABASE_URL / REDIS_URL, so
 * scripts/test.ts runs it once per store mode.
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true } } }];

module.exports = {
  // Tests that talk to real stores and servers; a hung one fails, it does not stall CI.
  testTimeout: 20000,
  projects: [
    {
      displayName: 'shared',
      testEnvironment: 'node',
      roots: ['<rootDir>/shared/src'],
      transform: { '^.+\\.(t|j)sx?$': swc },
    },
    {
      displayName: 'server',
      testEnvironment: 'node',
      roots: ['<rootDir>/server/src', '<rootDir>/server/sandbox', '<rootDir>/server/test'],
      transform: { '^.+\\.(t|j)sx?$': swc },
      testTimeout: 20000,
    },
    {
      // The mini-program's logic and pages, rendered in jsdom with Taro and NutUI as plain elements.
      displayName: 'miniapp',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/miniapp/src'],
      transform: {
        '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } }],
      },
      moduleNameMapper: {
        '^@tarojs/components$': '<rootDir>/miniapp/test/taro-components.tsx',
        '^@tarojs/taro$': '<rootDir>/miniapp/test/taro.ts',
        '^@nutui/nutui-react-taro$': '<rootDir>/miniapp/test/nutui.tsx',
        '\\.(css|scss)$': '<rootDir>/miniapp/test/style-stub.js',
        '\\.(svg|png)$': '<rootDir>/miniapp/test/asset-stub.js',
        '^@nutui/nutui-react-taro/.*/css$': '<rootDir>/miniapp/test/style-stub.js',
      },
      globals: { API_BASE: '', WECHAT_MOCK_BASE: 'http://wechat.test', PAYMENT_MODE: 'mock', REMINDER_TEMPLATE_ID: 'cityhub-bill-due' },
    },
    {
      // The operator console's logic (server/console): the manifest check the editor runs.
      displayName: 'console',
      testEnvironment: 'node',
      roots: ['<rootDir>/server/console/src'],
      transform: { '^.+\\.(t|j)sx?$': swc },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/miniapp/e2e'],
      testMatch: ['**/*.e2e.ts'],
      transform: { '^.+\\.(t|j)sx?$': swc },
      testTimeout: 60000,
    },
  ],
};
