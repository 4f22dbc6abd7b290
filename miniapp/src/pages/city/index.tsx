import { useEffect, useMemo, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, ScrollView, Text, View } from '@tarojs/components';
import type { City } from '@cityhub/shared';
import { locateCity, searchCities } from '../../api/cities';
import { ApiError } from '../../api/request';
import { saveCurrentCity } from '../../state/current-city';
import { groupCities, HOT_CITY_CODES, type CityGrouping } from './group-cities';
import './index.scss';

type Located = { state: 'idle' } | { state: 'locating' } | { state: 'found'; city: City } | { state: 'failed'; message: string };

/** What a resident reads when 定位 does not give a city, by cause. */
function locateFailure(err: unknown): string {
  if (err instanceof ApiError) return err.code === 'CITY_NOT_FOUND' ? '您所在的位置附近暂无可选城市，请从下方选择' : '定位服务暂时不可用，请从下方选择城市';
  // getLocation failed: permission refused (WeChat "auth deny", the browser's "denied") or no signal.
  const errMsg = typeof err === 'object' && err && 'errMsg' in err ? String(err.errMsg) : '';
  return /auth|deny|denied|permission/i.test(errMsg) ? '未获得定位权限，可在设置中允许，或从下方选择城市' : '暂时无法获取您的位置，请从下方选择城市';
}

export default function CityPicker() {
  const [all, setAll] = useState<City[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<City[] | null>(null);
  const [grouping, setGrouping] = useState<CityGrouping>('province');
  // One group open at a time keeps the page far under WeChat's node-count audit limit (~1,000).
  const [openGroup, setOpenGroup] = useState<string | null>(null);
  const [located, setLocated] = useState<Located>({ state: 'idle' });

  useEffect(() => {
    searchCities()
      .then((r) => setAll(r.cities))
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : '城市列表加载失败'));
  }, []);

  // The hub matches name, pinyin and initials; a small debounce keeps typing smooth.
  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setMatches(null);
      return;
    }
    const timer = setTimeout(() => {
      searchCities(q)
        .then((r) => setMatches(r.cities))
        .catch(() => setMatches([]));
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);

  const groups = useMemo(() => (all ? groupCities(all, grouping) : []), [all, grouping]);
  const hot = useMemo(() => (all ? HOT_CITY_CODES.flatMap((code) => all.filter((c) => c.code === code)) : []), [all]);

  const pick = (city: City) => {
    saveCurrentCity(city);
    void Taro.navigateBack().catch(() => Taro.redirectTo({ url: '/pages/index/index' }));
  };

  // WeChat's getLocation in the mini-program, the browser's geolocation in h5 (Taro maps one to the other); GPS coordinates.
  const locate = async () => {
    setLocated({ state: 'locating' });
    try {
      const position = await Taro.getLocation({ type: 'wgs84' });
      setLocated({ state: 'found', city: (await locateCity(position.latitude, position.longitude)).city });
    } catch (err) {
      setLocated({ state: 'failed', message: locateFailure(err) });
    }
  };

  const row = (city: City) => (
    <View key={city.code} className='picker__city' id={`city-${city.code}`} onClick={() => pick(city)}>
      {city.name}
      <Text className='picker__province'>{city.provinceName}</Text>
    </View>
  );

  return (
    <View className='picker'>
      <View className='picker__search' id='city-search'>
        <Input value={query} placeholder='输入城市名、拼音或首字母' aria-label='搜索城市' onInput={(e) => setQuery(e.detail.value)} />
      </View>
      {matches ? (
        <View className='picker__list'>{matches.length ? matches.map(row) : <View className='picker__hint'>没有找到匹配的城市</View>}</View>
      ) : (
        <>
          <View className='picker__section'>
            <View className='picker__section-title'>当前定位</View>
            {located.state === 'found' ? (
              <View className='picker__chip picker__chip--on' id='located-city' onClick={() => pick(located.city)}>
                {located.city.name}
              </View>
            ) : (
              <View className='picker__chip' id='locate' onClick={() => void locate()}>
                {located.state === 'locating' ? '正在定位…' : '定位当前城市'}
              </View>
            )}
            {located.state === 'failed' && (
              <View className='picker__note' id='locate-failed'>
                {located.message}
              </View>
            )}
          </View>
          {hot.length > 0 && (
            <View className='picker__section' id='hot-cities'>
              <View className='picker__section-title'>热门城市</View>
              <View className='picker__chips'>
                {hot.map((city) => (
                  <View key={city.code} className='picker__chip' id={`hot-${city.code}`} onClick={() => pick(city)}>
                    {city.name.replace(/市$/, '')}
                  </View>
                ))}
              </View>
            </View>
          )}
          <View className='picker__tabs'>
            <Text className={grouping === 'province' ? 'picker__tab picker__tab--on' : 'picker__tab'} onClick={() => setGrouping('province')}>
              按省份
            </Text>
            <Text className={grouping === 'letter' ? 'picker__tab picker__tab--on' : 'picker__tab'} onClick={() => setGrouping('letter')}>
              按字母
            </Text>
          </View>
          {error && <View className='picker__hint picker__hint--error'>{error}</View>}
          {!all && !error && <View className='picker__hint'>正在加载城市…</View>}
          <ScrollView scrollY className='picker__list'>
            {groups.map((g) =>
              // A group of one (北京, 上海, 天津, 重庆) is the city itself: chosen directly, not unfolded first.
              g.cities.length === 1 ? (
                row(g.cities[0])
              ) : (
                <View key={g.key}>
                  <View className='picker__group-title' id={`group-${g.key}`} onClick={() => setOpenGroup(openGroup === g.key ? null : g.key)}>
                    {g.title}
                    <Text className='picker__count'>
                      {g.cities.length} 个城市 {openGroup === g.key ? '▾' : '▸'}
                    </Text>
                  </View>
                  {openGroup === g.key && g.cities.map(row)}
                </View>
              ),
            )}
          </ScrollView>
        </>
      )}
    </View>
  );
}
