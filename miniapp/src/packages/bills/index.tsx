import { useCallback, useRef, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Checkbox } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/checkbox/style/css';
import { formatFen, sumFen, type Bill, type LineItem } from '@cityhub/shared';
import { accountBills } from '../../api/accounts';
import { closeOrder, continueOrder, createOrder, newIdempotencyKey } from '../../api/orders';
import { errorMessage } from '../../api/request';
import { beijingTime } from '../../lib/beijing-time';
import { forgetUnfinished, presentPayment, unfinishedFor, type UnfinishedPayment } from '../../lib/payment';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import './index.scss';

// Passage and offence times in Beijing time, whatever offset the provider wrote them in.
const clock = (value: string | number | undefined) => beijingTime(value);

function LineItemRow({ item }: { item: LineItem }) {
  const d = item.details;
  const detail =
    item.kind === 'toll_passage'
      ? `${clock(d.entryTime)} 入口 ${d.entryStation ?? ''} · ${clock(d.exitTime)} 出口 ${d.exitStation ?? ''}`
      : item.kind === 'violation'
        ? `${clock(d.time)}${d.points !== undefined ? ` · 记 ${d.points} 分` : ''}${d.decisionNo ? ` · 决定书 ${d.decisionNo}` : ''}`
        : '';
  return (
    <View className='bills__item'>
      <View className='row'>
        <Text>{item.description}</Text>
        <Text className='amount'>{formatFen(item.amountFen)}</Text>
      </View>
      {detail && <View className='muted'>{detail}</View>}
    </View>
  );
}

/** What an account owes: choose bills, see the total, pay. */
export default function BillsPage() {
  const { accountId = '' } = useRouter().params;
  const [bills, setBills] = useState<Bill[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [paying, setPaying] = useState(false);
  // One key per pay attempt: a double tap or a retry after a lost answer finds the same order.
  const attempt = useRef<{ refs: string; key: string } | null>(null);
  // A payment started here and left unfinished (sheet cancelled, back from the cashier): 继续支付 / 取消.
  const [unfinished, setUnfinished] = useState<UnfinishedPayment | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const owed = await accountBills(accountId);
      setBills(owed.bills);
      setSelected(new Set(owed.bills.map((b) => b.ref)));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [accountId]);

  useDidShow(() => {
    setUnfinished(unfinishedFor(accountId));
    void load();
  });

  const toggle = (ref: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(ref)) next.delete(ref);
      else next.add(ref);
      return next;
    });

  const chosen = bills.filter((b) => selected.has(b.ref));
  const total = sumFen(chosen.map((b) => b.totalFen));

  const pay = async () => {
    if (paying || chosen.length === 0) return;
    const refs = chosen.map((b) => b.ref).join(',');
    if (attempt.current?.refs !== refs) attempt.current = { refs, key: newIdempotencyKey() };
    setPaying(true);
    try {
      // The hub resumes this resident's own unpaid order for the same bills, or replaces it for another set.
      const { order, payment } = await createOrder({ accountId, billRefs: chosen.map((b) => b.ref) }, attempt.current.key);
      attempt.current = null;
      await present(order, payment);
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    } finally {
      setPaying(false);
    }
  };

  const present = async (order: Parameters<typeof presentPayment>[0], payment: Parameters<typeof presentPayment>[1] | null) => {
    if (!payment) throw new Error('no payment');
    if ((await presentPayment(order, payment)) === 'cancelled') {
      setUnfinished(unfinishedFor(accountId));
      void Taro.showToast({ title: '已取消支付，未扣款，可继续支付或取消订单', icon: 'none', duration: 3000 });
    }
  };

  const resume = async () => {
    if (paying || !unfinished) return;
    setPaying(true);
    try {
      const { order, payment } = await continueOrder(unfinished.orderId);
      await present(order, payment);
    } catch (err) {
      // Paid or closed meanwhile: nothing left to continue.
      forgetUnfinished(unfinished.orderId);
      setUnfinished(null);
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
      void load();
    } finally {
      setPaying(false);
    }
  };

  const cancelUnfinished = async () => {
    if (paying || !unfinished) return;
    setPaying(true);
    try {
      await closeOrder(unfinished.orderId);
      void Taro.showToast({ title: '订单已取消，未扣款', icon: 'none' });
    } catch (err) {
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    } finally {
      forgetUnfinished(unfinished.orderId);
      setUnfinished(null);
      setPaying(false);
      void load();
    }
  };

  return (
    <View className='bills'>
      <PageState loading={loading} error={error} empty={bills.length === 0 ? '当前没有待缴账单' : null} onRetry={() => void load()}>
        {bills.map((bill) => (
          <View key={bill.ref} className='card' id={`bill-${bill.ref}`} onClick={() => toggle(bill.ref)}>
            <View className='row'>
              <Checkbox className='bills__check' checked={selected.has(bill.ref)} />
              <View className='bills__head'>
                <View>{bill.title}</View>
                <View className='muted'>
                  账期 {bill.period}
                  {bill.dueDate ? ` · 截止 ${bill.dueDate}` : ''}
                </View>
              </View>
              <Text className='amount'>{formatFen(bill.totalFen)}</Text>
            </View>
            {bill.lateFeeFen > 0 && (
              <View className='row muted'>
                <Text>含违约金</Text>
                <Text>{formatFen(bill.lateFeeFen)}</Text>
              </View>
            )}
            {bill.lineItems.map((item, i) => (
              <LineItemRow key={i} item={item} />
            ))}
          </View>
        ))}
        {unfinished && (
          <View className='card bills__unfinished' id='pay-unfinished'>
            <View>
              有一笔待支付订单 <Text className='amount'>{formatFen(unfinished.amountFen)}</Text>，支付未完成，未扣款
            </View>
            <View className='row'>
              <Action id='pay-continue' type='primary' loading={paying} onClick={() => void resume()}>
                继续支付
              </Action>
              <Action id='pay-cancel' onClick={() => void cancelUnfinished()}>
                取消
              </Action>
            </View>
          </View>
        )}
        <View className='bills__bar'>
          <Text>
            合计 <Text className='amount' id='bills-total'>{formatFen(total)}</Text>
          </Text>
          <Action id='pay-button' type='primary' loading={paying} disabled={chosen.length === 0} onClick={() => void pay()}>
            {paying ? '正在下单…' : '立即缴费'}
          </Action>
        </View>
      </PageState>
    </View>
  );
}
