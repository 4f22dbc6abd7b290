import { useCallback, useState } from 'react';
import Taro, { useDidShow, useReachBottom } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { CATEGORY_LABELS, formatFen, type Category, type OrderDto } from '@cityhub/shared';
import { listOrders } from '../../api/orders';
import { errorMessage } from '../../api/request';
import { PageState } from '../../components/page-state';
import { beijingTime } from '../../lib/beijing-time';
import './index.scss';

const FILTERS: Array<{ key: string; label: string }> = [{ key: '', label: '全部' }, ...(Object.entries(CATEGORY_LABELS) as Array<[Category, string]>).map(([key, label]) => ({ key, label }))];

/** Paged payment history, filtered by kind of service. */
export default function OrdersPage() {
  const [orders, setOrders] = useState<OrderDto[]>([]);
  const [page, setPage] = useState(1);
  const [total, setTotal] = useState(0);
  const [category, setCategory] = useState('');
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (nextPage: number, filter: string) => {
    setLoading(nextPage === 1);
    setError(null);
    try {
      const res = await listOrders(nextPage, filter || undefined);
      setOrders((list) => (nextPage === 1 ? res.orders : [...list, ...res.orders]));
      setPage(nextPage);
      setTotal(res.total);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, []);

  useDidShow(() => void load(1, category));
  useReachBottom(() => {
    if (page * 20 < total) void load(page + 1, category);
  });

  return (
    <View className='orders'>
      <View className='orders__filters'>
        {FILTERS.map((f) => (
          <Text
            key={f.key}
            className={`orders__filter${category === f.key ? ' orders__filter--on' : ''}`}
            onClick={() => {
              setCategory(f.key);
              void load(1, f.key);
            }}
          >
            {f.label}
          </Text>
        ))}
      </View>
      <PageState loading={loading} error={error} empty={orders.length === 0 ? '还没有缴费记录' : null} onRetry={() => void load(1, category)}>
        {orders.map((o) => (
          <View key={o.id} className='card' id={`order-${o.orderNo}`} onClick={() => Taro.navigateTo({ url: `/packages/order/index?id=${o.id}` })}>
            <View className='row'>
              <Text>
                {o.serviceName} · {o.providerName}
              </Text>
              <Text className='amount'>{formatFen(o.amountFen)}</Text>
            </View>
            <View className='row muted'>
              <Text>{beijingTime(o.createdAt)}</Text>
              <Text className={`orders__status orders__status--${o.status.toLowerCase()}`}>{o.statusLabel}</Text>
            </View>
          </View>
        ))}
      </PageState>
    </View>
  );
}
