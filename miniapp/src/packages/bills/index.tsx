import { useCallback, useRef, useState } from 'react';
import Taro, { useDidShow, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import '@nutui/nutui-react-taro/dist/es/packages/checkbox/style/css';
import { formatFen, sumFen, type Bill, type BillsAccount, type LineItem } from '@cityhub/shared';
import { accountBills } from '../../api/accounts';
import { closeOrder, continueOrder, createOrder, newIdempotencyKey } from '../../api/orders';
import { errorMessage } from '../../api/request';
import { beijingTime } from '../../lib/beijing-time';
import { forgetUnfinished, presentPayment, unfinishedFor, type UnfinishedPayment } from '../../lib/payment';
import { Action } from '../../components/action';
import { PageState } from '../../components/page-state';
import { PaidHistory, usageUnitLabel } from './paid-history';
import './index.scss';

// Passage and offence times in Beijing time, whatever offset the provider wrote them in.
const clock = (value: string | number | undefined) => beijingTime(value);

/** A line of a bill: its own description only when it says more than the bill's title (a passage or an offence is the bill). */
function LineItemRow({ item, title }: { item: LineItem; title: string }) {
  const d = item.details;
  if (item.kind === 'violation') {
    // The offence is the bill's title; here only when and where, points and the decision.
    return (
      <View className='bills__item'>
        <View className='muted'>违法时间 {clock(d.time)}</View>
        {d.place ? <View className='muted'>违法地点 {d.place}</View> : null}
        <View className='muted'>
          {'points' in d ? `记 ${d.points} 分` : ''}
          {d.decisionNo ? ` · 决定书 ${d.decisionNo}` : ''}
        </View>
      </View>
    );
  }
  const detail = item.kind === 'toll_passage' ? `${clock(d.entryTime)} 入口 ${'entryStation' in d ? d.entryStation : ''} · ${clock(d.exitTime)} 出口 ${'exitStation' in d ? d.exitStation : ''}` : '';
  return (
    <View className='bills__item'>
      {item.description !== title && (
        <View className='row'>
          <Text>{item.description}</Text>
          <Text className='amount'>{formatFen(item.amountFen)}</Text>
        </View>
      )}
      {detail && <View className='muted'>{detail}</View>}
    </View>
  );
}

/** Whose bills these are: masked 户号 and 户名, the district; a pay-once account says it is not saved. */
function BillsHeader({ account }: { account: BillsAccount }) {
  return (
    <View className='card bills__header' id='bills-header'>
      <View className='row'>
        <Text className='bills__service'>{account.alias ?? account.serviceName}</Text>
        {!account.saved && <Text className='bills__unsaved'>仅本次缴费，未保存</Text>}
      </View>
      {Object.values(account.fieldsMasked).length > 0 && <View id='bills-header-account'>户号 {Object.values(account.fieldsMasked).join(' ')}</View>}
      <View id='bills-header-holder'>户名 {account.holderNameMasked}</View>
      {account.addressHint && <View className='muted'>地址 {account.addressHint}</View>}
    </View>
  );
}

/** "2026年10月" for 202610; a date-like period (a violation's day) as it is. */
const monthLabel = (period: string) => (/^\d{6}$/.test(period) ? `${period.slice(0, 4)}年${Number(period.slice(4))}月` : period);

/** What an account owes: choose bills, see the total, pay. */
/**
 * A bill card is the checkbox: the whole card toggles it. NutUI's Checkbox wrote `aria-role`, which
 * is the mini-program's accessibility attribute but invalid in HTML (Lighthouse flagged it on h5),
 * so h5 gets the standard role and state and WeChat its own attributes.
 */
function checkboxRole(checked: boolean): Record<string, string | boolean> {
  return process.env.TARO_ENV === 'h5' ? { role: 'checkbox', 'aria-checked': checked } : { ariaRole: 'checkbox', ariaChecked: checked };
}

export default function BillsPage() {
  const { accountId = '' } = useRouter().params;
  const [bills, setBills] = useState<Bill[]>([]);
  const [account, setAccount] = useState<BillsAccount | null>(null);
  const [maxBills, setMaxBills] = useState(20);
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
      // The hub orders them: overdue first, then oldest.
      setBills(owed.bills);
      setAccount(owed.account);
      setMaxBills(owed.maxBills);
      // As many as one payment may take, overdue ones first.
      setSelected(new Set(owed.bills.slice(0, owed.maxBills).map((b) => b.ref)));
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

  const toggle = (ref: string) => {
    if (!selected.has(ref) && selected.size >= maxBills) {
      void Taro.showToast({ title: `一次最多缴 ${maxBills} 笔，请先取消其他账单`, icon: 'none' });
      return;
    }
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(ref)) next.delete(ref);
      else next.add(ref);
      return next;
    });
  };

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
      {account && !loading && !error && <BillsHeader account={account} />}
      {account && !loading && !error && <PaidHistory accountId={accountId} />}
      <PageState
        loading={loading}
        error={error}
        empty={bills.length === 0 ? '当前没有待缴账单' : null}
        actions={[{ id: 'empty-switch-account', label: '换户号', onClick: () => void Taro.redirectTo({ url: '/packages/me/index' }) }]}
        onRetry={() => void load()}
      >
        {bills.map((bill, i) => (
          <View key={bill.ref}>
            {/* Toll passages come grouped by their month's statement. */}
            {account?.category === 'highway_toll' && bill.period !== bills[i - 1]?.period && (
              <View className='bills__group'>{monthLabel(bill.period)}通行费</View>
            )}
            <View className={`card${bill.overdue ? ' bills__card--overdue' : ''}`} id={`bill-${bill.ref}`} onClick={() => toggle(bill.ref)} {...checkboxRole(selected.has(bill.ref))}>
              <View className='row'>
                <View className={`bills__check${selected.has(bill.ref) ? ' bills__check--on' : ''}`} aria-hidden>
                  {selected.has(bill.ref) ? '✓' : ''}
                </View>
                <View className='bills__head'>
                  <View>
                    {bill.overdue && <Text className='bills__overdue'>逾期</Text>}
                    {bill.title}
                  </View>
                  {account?.category !== 'traffic_fine' && (
                    <View className='muted'>
                      账期 {monthLabel(bill.period)}
                      {bill.dueDate ? ` · 截止 ${bill.dueDate}` : ''}
                      {bill.usage ? ` · 用量 ${bill.usage.amount} ${usageUnitLabel(bill.usage.unit)}` : ''}
                    </View>
                  )}
                </View>
                <Text className='amount'>{formatFen(bill.totalFen)}</Text>
              </View>
              {bill.lateFeeFen > 0 && (
                <View className='row muted'>
                  <Text>含违约金</Text>
                  <Text>{formatFen(bill.lateFeeFen)}</Text>
                </View>
              )}
              {bill.lineItems.map((item, j) => (
                <LineItemRow key={j} item={item} title={bill.title} />
              ))}
            </View>
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
