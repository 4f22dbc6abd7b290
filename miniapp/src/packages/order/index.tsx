import { useCallback, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { formatFen, ORDER_STATUS_LABELS, type OrderDto } from '@cityhub/shared';
import { closeOrder, continueOrder, getOrder } from '../../api/orders';
import { errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import { beijingTime } from '../../lib/beijing-time';
import { forgetUnfinished, presentPayment } from '../../lib/payment';
import { RefundNote } from '../../components/refund-note';
import './index.scss';

const time = (iso: string) => beijingTime(iso, 'second');

/** One order: its bills, its timeline and, once complete, the receipt. */
export default function OrderPage() {
  const { id = '' } = useRouter().params;
  const [order, setOrder] = useState<OrderDto | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setOrder((await getOrder(id)).order);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [id]);
  useDidShow(() => void load());

  const [busy, setBusy] = useState(false);

  const cancel = async () => {
    if (busy) return;
    setBusy(true);
    try {
      setOrder((await closeOrder(id)).order);
      forgetUnfinished(id);
      void Taro.showToast({ title: '订单已取消，未扣款', icon: 'none' });
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
      void load();
    } finally {
      setBusy(false);
    }
  };

  // 继续支付: the same payment sheet again (a new prepay, or a new order, when the old one ran out of time).
  const resume = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const { order: resumed, payment } = await continueOrder(id);
      if (!payment) throw new Error('no payment');
      if ((await presentPayment(resumed, payment)) === 'cancelled') void Taro.showToast({ title: '已取消支付，未扣款，可继续支付或取消订单', icon: 'none', duration: 3000 });
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
      void load();
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='order'>
      <PageState loading={!order && !error} error={error} onRetry={() => void load()}>
        {order && (
          <>
            <View className='card'>
              <View className='row'>
                <Text>{order.serviceName}</Text>
                <Text className='amount'>{formatFen(order.amountFen)}</Text>
              </View>
              <View className='muted'>{order.providerName}</View>
              <View className={`order__status order__status--${order.status.toLowerCase()}`} id='order-status'>
                {order.statusLabel}
              </View>
              <RefundNote order={order} />
            </View>
            {order.receipt && (
              <View className='card' id='order-receipt'>
                <View className='order__title'>电子回单</View>
                <View className='row'><Text className='muted'>缴费账户</Text><Text>{Object.values(order.receipt.accountMasked).join(' ')}</Text></View>
                <View className='row'><Text className='muted'>金额</Text><Text className='amount'>{formatFen(order.receipt.amountFen)}</Text></View>
                <View className='row'><Text className='muted'>微信支付单号</Text><Text>{order.receipt.transactionId}</Text></View>
                <View className='row'><Text className='muted'>销账凭证号</Text><Text id='receipt-writeoff'>{order.receipt.writeOffRef}</Text></View>
                <View className='row'><Text className='muted'>支付时间</Text><Text id='receipt-paid-at'>{time(order.receipt.paidAt)}</Text></View>
                <View className='row'><Text className='muted'>入账时间</Text><Text>{time(order.receipt.completedAt)}</Text></View>
                <View className='row'><Text className='muted'>订单号</Text><Text>{order.orderNo}</Text></View>
              </View>
            )}
            <View className='card'>
              <View className='order__title'>账单</View>
              {order.bills.map((b) => (
                <View key={b.ref} className='row'>
                  <Text>{b.title}</Text>
                  <Text className='amount'>{formatFen(b.totalFen)}</Text>
                </View>
              ))}
            </View>
            <View className='card'>
              <View className='order__title'>进度</View>
              {order.timeline.map((e, i) => (
                <View key={i} className='row'>
                  <Text>{ORDER_STATUS_LABELS[e.status]}</Text>
                  <Text className='muted'>{time(e.at)}</Text>
                </View>
              ))}
            </View>
            {order.status === 'CREATED' && (
              <>
                <Action id='order-continue' type='primary' loading={busy} onClick={() => void resume()}>
                  继续支付
                </Action>
                <Action id='order-cancel' onClick={() => void cancel()}>
                  取消订单
                </Action>
              </>
            )}
          </>
        )}
      </PageState>
    </View>
  );
}
