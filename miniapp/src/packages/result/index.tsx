import { useEffect, useRef, useState } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { View } from '@tarojs/components';
import { formatFen, type OrderDto } from '@cityhub/shared';
import { continueOrder, getOrder } from '../../api/orders';
import { errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { RefundNote } from '../../components/refund-note';
import { forgetUnfinished, presentPayment } from '../../lib/payment';
import './index.scss';

const FINAL = new Set(['COMPLETED', 'REFUNDED', 'CLOSED', 'PARTLY_REFUNDED']);

const HEADLINE: Record<string, string> = {
  CREATED: '等待支付结果…',
  PAID: '支付成功，正在通知缴费单位销账…',
  POSTING: '支付成功，缴费单位销账中…',
  COMPLETED: '缴费成功',
  REFUNDING: '缴费单位未能入账，正在原路退款…',
  REFUNDED: '已原路退款',
  PARTLY_REFUNDING: '部分账单缴费成功，其余正在原路退款…',
  PARTLY_REFUNDED: '部分账单缴费成功，其余已原路退款',
  CLOSED: '订单已关闭，未扣款',
};

/** Follows an order live: paid → posting → done, or refunded with the reason. */
export default function ResultPage() {
  const { orderId = '', failed, uncertain } = useRouter().params;
  const [order, setOrder] = useState<OrderDto | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const polls = useRef(0);

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const { order: latest } = await getOrder(orderId);
        setOrder(latest);
        setProblem(null);
        // Paid (or closed): nothing left for the bills page to offer 继续支付 for.
        if (latest.status !== 'CREATED') forgetUnfinished(latest.id);
        if (FINAL.has(latest.status) || (failed && latest.status === 'CREATED')) return;
      } catch (err) {
        setProblem(`${errorMessage(err)}。已支付的款项不会丢失，可稍后在“缴费记录”查看结果。`);
      }
      if (!stopped && ++polls.current < 120) setTimeout(() => void poll(), 1000);
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, [orderId]);

  const status = order?.status ?? 'CREATED';
  const [busy, setBusy] = useState(false);
  const resume = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const { order: resumed, payment } = await continueOrder(orderId);
      if (!payment) throw new Error('no payment');
      await presentPayment(resumed, payment);
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    } finally {
      setBusy(false);
    }
  };
  const headline = failed && status === 'CREATED' ? '支付未成功，未扣款，可返回重新支付' : HEADLINE[status];

  return (
    <View className='result'>
      <View className={`result__icon result__icon--${status.toLowerCase()}`}>{status === 'COMPLETED' ? '✓' : status === 'REFUNDED' ? '↩' : '…'}</View>
      <View className='result__status' id='result-status' data-status={status}>
        {headline}
      </View>
      {uncertain && status === 'CREATED' && <View className='muted result__note'>网络中断，正在向服务器确认支付结果</View>}
      {problem && <View className='result__problem'>{problem}</View>}
      {order && (
        <View className='card'>
          <View className='row'>
            <View>{order.serviceName}</View>
            <View className='amount'>{formatFen(order.amountFen)}</View>
          </View>
          <View className='muted'>{order.providerName}</View>
          <RefundNote order={order} />
        </View>
      )}
      {order && failed && status === 'CREATED' && (
        <Action id='result-continue' type='primary' loading={busy} onClick={() => void resume()}>
          继续支付
        </Action>
      )}
      {order && FINAL.has(status) && (
        <Action id='result-detail' onClick={() => Taro.redirectTo({ url: `/packages/order/index?id=${order.id}` })}>
          查看订单详情
        </Action>
      )}
      <Action onClick={() => Taro.reLaunch({ url: '/pages/index/index' })}>返回首页</Action>
    </View>
  );
}
