import { useCallback, useRef, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Checkbox } from '@nutui/nutui-react-taro';
import '@nutui/nutui-react-taro/dist/es/packages/checkbox/style/css';
import { formatFen, sumFen, type Bill, type LineItem } from '@cityhub/shared';
import { accountBills } from '../../api/accounts';
import { setPendingPayment } from '../../api/cashier';
import { createOrder, newIdempotencyKey } from '../../api/orders';
import { errorMessage } from '../../api/request';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import './index.scss';

const clock = (value: string | number | undefined) => String(value ?? '').slice(0, 16).replace('T', ' ');

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

  useDidShow(() => void load());

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
      const { order, payment } = await createOrder({ accountId, billRefs: chosen.map((b) => b.ref) }, attempt.current.key);
      attempt.current = null;
      if (!payment) throw new Error('no payment');
      if (PAYMENT_MODE === 'wechat') {
        await Taro.requestPayment({ ...payment }).catch(() => undefined);
        await Taro.redirectTo({ url: `/packages/result/index?orderId=${order.id}` });
      } else {
        setPendingPayment({ orderId: order.id, payment });
        await Taro.navigateTo({ url: `/packages/cashier/index?orderId=${order.id}` });
      }
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    } finally {
      setPaying(false);
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
