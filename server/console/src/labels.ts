import { formatFen, type AdapterSummary, type ConformanceReportDto, type ReconciliationDifference } from '@cityhub/shared';

/** Chinese words for what the API answers in English identifiers. */
export const ADAPTER_STATUS: Record<AdapterSummary['status'], { label: string; color: string }> = {
  draft: { label: '草稿', color: 'default' },
  active: { label: '已启用', color: 'green' },
  disabled: { label: '已停用', color: 'red' },
};

export const VERSION_STATUS: Record<AdapterSummary['versions'][number]['status'], { label: string; color: string }> = {
  draft: { label: '草稿', color: 'default' },
  verified: { label: '已验证', color: 'blue' },
  active: { label: '服务中', color: 'green' },
  retired: { label: '已退役', color: 'default' },
};

export const HEALTH_STATUS: Record<NonNullable<AdapterSummary['health']>['status'], { label: string; color: string }> = {
  available: { label: '正常', color: 'green' },
  degraded: { label: '降级', color: 'orange' },
  down: { label: '不可用', color: 'red' },
};

export const CHECK_OUTCOME: Record<ConformanceReportDto['checks'][number]['outcome'], { label: string; color: string }> = {
  passed: { label: '通过', color: 'green' },
  failed: { label: '失败', color: 'red' },
  skipped: { label: '跳过', color: 'default' },
};

/** The conformance kit's checks (server/src/adapters/conformance.ts), by name. */
export const CHECK_NAMES: Record<string, string> = {
  'account found': '存在的账户可查到',
  'account not found': '不存在的账户报“未找到”',
  'bills mapped to valid amounts': '账单金额映射为有效的分',
  'write-off idempotent': '销账幂等（同一订单号只销一次）',
  'write-off status of an unknown order': '未知订单的销账状态为 NOT_FOUND',
  'timeout handled': '超时快速失败',
};

export const COVERAGE_REASON: Record<string, string> = {
  city: '按城市覆盖',
  province: '按省覆盖',
  nationwide: '全国覆盖',
  chosen: '运营人员指定',
};

export const COVERAGE_LEVEL: Record<string, string> = { city: '城市级', province: '省级', nationwide: '全国' };

export const DIFFERENCE_KIND: Record<ReconciliationDifference['kind'], string> = {
  paid_not_written_off: '已支付未销账',
  written_off_not_paid: '已销账未支付',
  amount_mismatch: '金额不一致',
  payment_without_order: '有支付无订单',
  refund_not_recorded: '退款未记录',
};

export const AUDIT_OUTCOME: Record<string, { label: string; color: string }> = {
  ok: { label: '成功', color: 'green' },
  error: { label: '出错', color: 'orange' },
  refused: { label: '被拒绝', color: 'red' },
};

/** An ISO time as Beijing local time text. */
export function beijingTime(iso: string): string {
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

/** Fen for people ("¥1,234.50"), with a dash for a missing amount. */
export function yuan(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '—' : formatFen(fen);
}
