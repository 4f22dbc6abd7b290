import { Text, View } from '@tarojs/components';
import { formatFen, type OrderDto } from '@cityhub/shared';
import './refund-note.scss';

const DONE = new Set(['REFUNDED', 'PARTLY_REFUNDED']);

/**
 * Why money went back, how much, the refund number a resident quotes to
 * WeChat Pay support, and when it arrives (WeChat's own terms: refunds to
 * 零钱 arrive at once, to a bank card within 1–3 working days). Nothing for
 * an order with no refund.
 */
export function RefundNote({ order }: { order: Pick<OrderDto, 'status' | 'refundReason' | 'refund'> }) {
  if (!order.refund && !order.refundReason) return null;
  const done = DONE.has(order.status);
  return (
    <View className='refund-note' id='refund-note'>
      <View className='refund-note__reason'>{order.refundReason ?? '款项已原路退回'}</View>
      {order.refund && (
        <>
          <View className='row'>
            <Text className='muted'>退款金额</Text>
            <Text>{formatFen(order.refund.amountFen)}</Text>
          </View>
          <View className='row'>
            <Text className='muted'>退款单号</Text>
            <Text id='refund-no'>{order.refund.refundNo}</Text>
          </View>
        </>
      )}
      <View className='muted refund-note__arrival'>
        {done ? '已原路退回' : '正在原路退回'}：用零钱支付的退回零钱，即时到账；用银行卡支付的退回银行卡，预计 1–3 个工作日到账
      </View>
    </View>
  );
}
