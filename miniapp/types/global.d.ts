/// <reference types="@tarojs/taro" />

declare module '*.scss';

/** The hub's base URL baked in at build time: empty for h5 (same origin), absolute for weapp. */
declare const API_BASE: string;
/** The mock WeChat (wx.login codes and the cashier) in mock mode. */
declare const WECHAT_MOCK_BASE: string;
/**
 * Who plays the WeChat client. 'mock': the mock WeChat (login codes, the
 * cashier page, the subscribe sheet); 'wechat': Taro.login,
 * Taro.requestPayment and Taro.requestSubscribeMessage.
 */
declare const PAYMENT_MODE: 'mock' | 'wechat';
/** The subscribe-message template of bill reminders; must match the hub's reminderTemplateId. */
declare const REMINDER_TEMPLATE_ID: string;

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5';
  }
}

/** Images imported from src/assets: the URL (or data URI) the build gives them. */
declare module '*.svg' {
  const url: string;
  export default url;
}
