import { useEffect, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { formatFen } from '@cityhub/shared';
import type { RequestPayment } from '@cityhub/shared';
import { cashierOrder, cashierPay, readPendingPayment, setPendingPayment, type CashierOrder } from '../../api/cashier';
import { continueOrder } from '../../api/orders';
import { errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import './index.scss';

/**
 * Mock mode only: the payment sheet the WeChat client would show for
 * wx.requestPayment, confirming, cancelling or failing at the mock gateway.
 */
export default function CashierPage() {
  const { orderId: routeOrderId = '' } = useRouter().params;
  const [pending, setPending] = useState<{ orderId: string; payment: RequestPayment } | null>(() => {
    const handed = readPendingPayment();
    return handed && handed.orderId === routeOrderId ? handed : null;
  });
  const orderId = pending?.orderId ?? routeOrderId;
  const [order, setOrder] = useState<CashierOrder | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      let current = pending;
      if (!current) {
        // Reloaded at the cashier (the parameters lived in memory only): 继续支付 asks the hub for them again.
        try {
          const resumed = await continueOrder(routeOrderId);
          if (!resumed.payment) throw new Error('no payment');
          current = { orderId: resumed.order.id, payment: resumed.payment };
          setPendingPayment(current);
          setPending(current);
        } catch (err) {
          setError(`${errorMessage(err)}。请返回账单页重新缴费`);
          return;
        }
      }
      try {
        setOrder(await cashierOrder(current.payment));
      } catch {
        setError('无法连接微信支付，请稍后再试');
      }
    })();
  }, []);

  const act = async (action: 'confirm' | 'cancel' | 'fail') => {
    if (!pending || busy) return;
    setBusy(true);
    try {
      const outcome = await cashierPay(pending.payment, action);
      if (outcome === 'cancel') {
        // As WeChat's sheet: nothing paid, the order stays open. The page behind offers 继续支付 / 取消,
        // and paying the same bills again resumes it, so the bills are never locked.
        void Taro.showToast({ title: '已取消支付，未扣款，可继续支付或取消订单', icon: 'none' });
        await Taro.navigateBack();
        return;
      }
      await Taro.redirectTo({ url: `/packages/result/index?orderId=${orderId}${outcome === 'fail' ? '&failed=1' : ''}` });
    } catch {
      // The gateway may or may not have taken the money: the result page asks the hub.
      await Taro.redirectTo({ url: `/packages/result/index?orderId=${orderId}&uncertain=1` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='cashier'>
      <PageState loading={!order && !error} error={error}>
        {order && (
          <>
            <View className='cashier__sheet'>
              <View className='muted'>{order.description}</View>
              <View className='cashier__amount' id='cashier-amount'>
                {formatFen(order.amountFen)}
              </View>
              <View className='muted'>收款方：城市服务（模拟微信支付）</View>
            </View>
            <Action id='cashier-confirm' type='primary' loading={busy} onClick={() => void act('confirm')}>
              确认支付
            </Action>
            <Action id='cashier-cancel' onClick={() => void act('cancel')}>
              取消
            </Action>
            <Text className='cashier__fail' id='cashier-fail' onClick={() => void act('fail')}>
              模拟支付失败
            </Text>
          </>
        )}
      </PageState>
    </View>
  );
}
