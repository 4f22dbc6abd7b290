import { Suspense, lazy, useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { formatFen, sumFen, type AccountHistory } from '@cityhub/shared';
import { accountHistory } from '../../api/accounts';

/**
 * The chart library is loaded only when a chart is shown: in h5 as its own
 * chunk (first load stays light); in the mini-program, where code is not
 * fetched at run time, it sits in this subpackage and never in the main one.
 */
const PaidChart =
  process.env.TARO_ENV === 'h5'
    ? lazy(() => import('../../components/paid-chart'))
    : // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static require keeps the chart in the bills subpackage
      (require('../../components/paid-chart') as typeof import('../../components/paid-chart')).default;

/** Units as residents read them on a bill: 度 for kWh, 立方米 for m³ (an unknown unit as the provider wrote it). */
export function usageUnitLabel(unit: string): string {
  const known: Record<string, string> = { kwh: '度', 'm3': '立方米', 'm³': '立方米' };
  return known[unit.toLowerCase()] ?? unit;
}

/**
 * 近 12 个月缴费: what this account was paid through the hub, month by month
 * (from the hub's own orders), with usage where the provider reports it.
 * Says nothing when the history cannot be read: it is context, not the bills.
 */
export function PaidHistory({ accountId }: { accountId: string }) {
  const [history, setHistory] = useState<AccountHistory | null>(null);

  useEffect(() => {
    let live = true;
    accountHistory(accountId).then(
      (h) => live && setHistory(h),
      () => live && setHistory(null),
    );
    return () => {
      live = false;
    };
  }, [accountId]);

  if (!history) return null;
  const paidFen = sumFen(history.months.map((m) => m.paidFen));
  const usage = history.usageUnit ? history.months.reduce((n, m) => n + (m.usage ?? 0), 0) : 0;
  return (
    <View className='card bills__history' id='paid-history'>
      <View className='row'>
        <Text>近 12 个月通过本平台缴费</Text>
        <Text className='amount' id='paid-history-total'>
          {formatFen(paidFen)}
        </Text>
      </View>
      {usage > 0 && (
        <View className='muted'>
          已缴账单用量合计 {usage} {usageUnitLabel(history.usageUnit ?? '')}
        </View>
      )}
      {paidFen > 0 ? (
        <Suspense fallback={<View className='muted'>图表加载中…</View>}>
          <PaidChart id={`paid-chart-${accountId.slice(0, 8)}`} months={history.months} />
        </Suspense>
      ) : (
        <View className='muted'>还没有通过本平台缴过这个户号的费用，缴费后这里按月显示</View>
      )}
    </View>
  );
}
