import type { ErrorCode } from '@cityhub/shared';

/**
 * What a resident reads when something fails: one Chinese sentence per error
 * code, saying what happened and what to do next. The hub's own messages are
 * English, for operators and logs, and never reach a page: the mini-program
 * maps by code, here, and nowhere else.
 */

/** Failures the mini-program itself names (no answer from the hub, or one it cannot read). */
export type ClientErrorCode = 'NETWORK' | 'HTTP_ERROR' | 'BAD_RESPONSE' | 'PAYMENT_FAILED';

/** For a code this build does not know yet (a newer hub): still Chinese, still a next step. */
export const GENERIC_MESSAGE = '服务暂时出了点问题，请稍后再试';

// Every code of shared/src/errors.ts must be here (the mapped type makes a missing one a compile error).
const MESSAGES: { [K in ErrorCode | ClientErrorCode]: string } & Record<string, string> = {
  BAD_REQUEST: '请求有误，请返回上一页重新操作',
  VALIDATION_FAILED: '填写的信息有误，请检查后重新提交',
  MALFORMED_JSON: '请求有误，请返回上一页重新操作',
  UNAUTHENTICATED: '登录已过期，请重新进入小程序',
  SIGNATURE_INVALID: '登录已过期，请重新进入小程序',
  LOGIN_FAILED: '微信登录失败，请检查网络后重新进入小程序',
  FORBIDDEN: '你没有权限进行此操作',
  NOT_FOUND: '没有找到相关信息，请返回后重试',
  ROUTE_NOT_FOUND: '当前版本不支持此功能，请更新小程序后再试',
  CITY_NOT_FOUND: '暂不支持该城市，请重新选择城市',
  ACCOUNT_NOT_FOUND: '没有找到这个缴费户号，可能已解绑，请返回“我的”查看',
  ADAPTER_NOT_FOUND: '该城市暂未开通此项缴费，请选择其他服务',
  ORDER_NOT_FOUND: '没有找到这笔订单，请在“缴费记录”中查看',
  REPORT_NOT_FOUND: '没有找到相关信息，请返回后重试',
  HOUSEHOLD_NOT_FOUND: '没有找到这个缴费分组，可能已被解散或你已被移出',
  HOUSEHOLD_INVITE_INVALID: '邀请已失效，请让对方重新分享邀请',
  HOUSEHOLD_LIMIT_REACHED: '分组人数或数量已达上限，请先移除不用的成员或分组',
  HOUSEHOLD_ALREADY_MEMBER: '你已在这个分组中，无需重复加入',
  ACCOUNT_IN_HOUSEHOLD: '这个户号已在一个缴费分组中，请先从分组中移出',
  GATEWAY_UNAVAILABLE: '微信支付暂时无法连接，未扣款，请稍后再试',
  METHOD_NOT_ALLOWED: '当前版本不支持此操作，请更新小程序后再试',
  CONFLICT: '订单状态已变化，请刷新后查看',
  BILL_ALREADY_IN_ORDER: '这些账单正在支付中（可能是家人发起的），请稍后刷新再看',
  ACCOUNT_ALREADY_BOUND: '这个户号已经绑定过了，可在“我的”中查看',
  ACCOUNT_IN_OTHER_CITY: '这个户号不属于当前选择的城市，请切换城市后再试',
  PREVIEW_EXPIRED: '查询结果已过期，请重新查询后再确认',
  REQUEST_TIMEOUT: '网络较慢，请求超时，请稍后再试',
  PAYLOAD_TOO_LARGE: '提交的内容过长，请精简后重试',
  UNSUPPORTED_MEDIA_TYPE: '请求有误，请更新小程序后再试',
  HEADERS_TOO_LARGE: '请求有误，请重新进入小程序后再试',
  IDEMPOTENCY_KEY_REUSED: '支付请求重复，请返回账单页重新点击缴费',
  INVALID_MANIFEST: '服务配置有误，请稍后再试',
  NO_ARREARS: '当前没有待缴账单，无需缴费',
  PROVIDER_ACCOUNT_NOT_FOUND: '缴费单位查不到这个户号，请核对户号（可在纸质账单或缴费单位的短信中找到）',
  PROVIDER_REJECTED: '缴费单位暂不受理，请核对填写的信息，或稍后再试',
  VERIFICATION_REQUIRED: '为保护账户安全，请补充验证信息后再试',
  COVERAGE_CONFLICT: '该城市的这项服务正在调整，请稍后再试',
  RATE_LIMITED: '操作太频繁了，请稍等一分钟再试',
  INTERNAL: GENERIC_MESSAGE,
  PROVIDER_BAD_RESPONSE: '缴费单位系统异常，请稍后再试',
  PROVIDER_UNKNOWN_ERROR: '缴费单位系统异常，请稍后再试',
  PROVIDER_UNAVAILABLE: '缴费单位系统暂时无法连接，未扣款，请稍后再试',
  SERVICE_WINDOW_CLOSED: '缴费单位当前不在服务时间，请稍后再试',
  NOT_READY: '服务正在启动，请稍后再试',
  PROVIDER_TIMEOUT: '缴费单位响应超时，请稍后再试',
  NETWORK: '网络连接失败，请检查网络后重试',
  HTTP_ERROR: '服务暂时不可用，请稍后再试',
  BAD_RESPONSE: '服务返回了无法识别的数据，请更新小程序或稍后再试',
  PAYMENT_FAILED: '支付未成功，未扣款，可重新支付',
};

/**
 * The Chinese message for an error code. A city in the details (a bound
 * account that belongs elsewhere) is named, so the resident knows where to go.
 */
export function residentMessage(code: string, details?: unknown): string {
  if (code === 'ACCOUNT_IN_OTHER_CITY') {
    const cityName = (details as { cityName?: unknown } | undefined)?.cityName;
    if (typeof cityName === 'string' && cityName) return `这个户号属于${cityName}，请切换到${cityName}后再试`;
  }
  return Object.prototype.hasOwnProperty.call(MESSAGES, code) ? MESSAGES[code] : GENERIC_MESSAGE;
}
