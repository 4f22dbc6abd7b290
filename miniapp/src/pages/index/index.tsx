import { useCallback, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { formatFen, type Category, type CityServices, type ServiceSummary } from '@cityhub/shared';
import { accountBills, listAccounts } from '../../api/accounts';
import { getCityServices } from '../../api/cities';
import { ApiError } from '../../api/request';
import { loadCurrentCity } from '../../state/current-city';
import { coverageNote } from './coverage-note';
import './index.scss';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; data: CityServices };
type Owed = { accountId: string; label: string; totalFen: number };

/** How residents think of the services: paying for the home, and for the car. */
const SECTIONS: Array<{ title: string; categories: Category[] }> = [
  { title: '生活缴费', categories: ['electricity', 'water', 'gas'] },
  { title: '交通出行', categories: ['highway_toll', 'traffic_fine'] },
];

const STATUS_TEXT = { available: '', degraded: '服务繁忙', down: '暂停服务' } as const;

export default function Home() {
  const [city, setCity] = useState(loadCurrentCity);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [owed, setOwed] = useState<Owed[]>([]);

  // What my accounts in this city owe now; a failure here never blocks the service grid.
  const refreshOwed = useCallback(async (cityCode: string) => {
    try {
      const mine = (await listAccounts()).accounts.filter((a) => a.cityCode === cityCode);
      const answers = await Promise.allSettled(mine.map(async (a) => ({ accountId: a.id, label: `${a.serviceName} ${a.alias ?? Object.values(a.fieldsMasked).join(' ')}`, totalFen: (await accountBills(a.id)).totalFen })));
      setOwed(answers.flatMap((r) => (r.status === 'fulfilled' && r.value.totalFen > 0 ? [r.value] : [])));
    } catch {
      setOwed([]);
    }
  }, []);

  const refresh = useCallback(async () => {
    const current = loadCurrentCity();
    setCity(current);
    setLoad({ state: 'loading' });
    void refreshOwed(current.code);
    try {
      setLoad({ state: 'ready', data: await getCityServices(current.code) });
    } catch (err) {
      setLoad({ state: 'error', message: err instanceof ApiError ? err.message : '加载失败，请稍后再试' });
    } finally {
      Taro.stopPullDownRefresh();
    }
  }, [refreshOwed]);

  const open = (service: ServiceSummary) => {
    if (service.status === 'down') {
      void Taro.showToast({ title: service.statusReason ? `暂停服务：${service.statusReason}` : '该服务暂时不可用，请稍后再试', icon: 'none' });
      return;
    }
    void Taro.navigateTo({ url: `/packages/service/index?serviceId=${service.serviceId}&cityCode=${city.code}` });
  };

  useDidShow(() => void refresh());
  usePullDownRefresh(() => void refresh());

  return (
    <View className='home'>
      <View className='home__city' id='current-city' onClick={() => Taro.navigateTo({ url: '/pages/city/index' })}>
        <Text className='home__city-name'>{city.name}</Text>
        <Text className='home__city-switch'>切换城市 ›</Text>
      </View>
      <View className='home__links'>
        <Text id='link-orders' onClick={() => Taro.navigateTo({ url: '/packages/orders/index' })}>缴费记录</Text>
        <Text id='link-me' onClick={() => Taro.navigateTo({ url: '/packages/me/index' })}>我的</Text>
      </View>
      {owed.length > 0 && (
        <View className='home__group' id='home-owed'>
          <View className='home__group-title'>待缴费用</View>
          {owed.map((o) => (
            <View key={o.accountId} className='home__owed' onClick={() => Taro.navigateTo({ url: `/packages/bills/index?accountId=${o.accountId}` })}>
              <Text>{o.label}</Text>
              <Text className='home__owed-amount'>{formatFen(o.totalFen)} ›</Text>
            </View>
          ))}
        </View>
      )}

      {load.state === 'loading' && <View className='home__hint'>正在加载本市服务…</View>}
      {load.state === 'error' && (
        <View className='home__hint home__hint--error' onClick={() => void refresh()}>
          {load.message}（点击重试）
        </View>
      )}
      {load.state === 'ready' && coverageNote(load.data) && (
        <View className='home__note' id='coverage-note'>
          {coverageNote(load.data)}
        </View>
      )}
      {load.state === 'ready' &&
        SECTIONS.map((section) => {
          const services = load.data.serviceGroups.filter((g) => section.categories.includes(g.category)).flatMap((g) => g.services);
          if (!services.length) return null;
          return (
            <View className='home__group' key={section.title}>
              <View className='home__group-title'>{section.title}</View>
              <View className='home__grid'>
                {services.map((service) => (
                  <View
                    key={service.serviceId}
                    className={`home__tile home__tile--${service.status}`}
                    id={`tile-${service.serviceId}`}
                    data-status={service.status}
                    onClick={() => open(service)}
                  >
                    <Text className='home__tile-name'>{service.name}</Text>
                    <Text className='home__tile-provider'>{service.providerName}</Text>
                    {service.status !== 'available' && <Text className='home__tile-status'>{STATUS_TEXT[service.status]}</Text>}
                  </View>
                ))}
              </View>
            </View>
          );
        })}
    </View>
  );
}
