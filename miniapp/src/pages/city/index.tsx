import { useEffect, useMemo, useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, ScrollView, Text, View } from '@tarojs/components';
import type { City } from '@cityhub/shared';
import { searchCities } from '../../api/cities';
import { ApiError } from '../../api/request';
import { saveCurrentCity } from '../../state/current-city';
import { groupCities, type CityGrouping } from './group-cities';
import './index.scss';

export default function CityPicker() {
  const [all, setAll] = useState<City[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<City[] | null>(null);
  const [grouping, setGrouping] = useState<CityGrouping>('province');
  // One group open at a time keeps the page far under WeChat's node-count audit limit (~1,000).
  const [openGroup, setOpenGroup] = useState<string | null>(null);

  useEffect(() => {
    searchCities()
      .then((r) => setAll(r.cities))
      .catch((err) => setError(err instanceof ApiError ? err.message : '城市列表加载失败'));
  }, []);

  // The hub matches name, pinyin and initials; a small debounce keeps typing smooth.
  useEffect(() => {
    const q = query.trim();
    if (!q) return setMatches(null);
    const timer = setTimeout(() => {
      searchCities(q)
        .then((r) => setMatches(r.cities))
        .catch(() => setMatches([]));
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);

  const groups = useMemo(() => (all ? groupCities(all, grouping) : []), [all, grouping]);

  const pick = (city: City) => {
    saveCurrentCity(city);
    void Taro.navigateBack().catch(() => Taro.redirectTo({ url: '/pages/index/index' }));
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
        <Input value={query} placeholder='输入城市名、拼音或首字母' onInput={(e) => setQuery(e.detail.value)} />
      </View>
      {matches ? (
        <View className='picker__list'>{matches.length ? matches.map(row) : <View className='picker__hint'>没有找到匹配的城市</View>}</View>
      ) : (
        <>
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
            {groups.map((g) => (
              <View key={g.key}>
                <View className='picker__group-title' id={`group-${g.key}`} onClick={() => setOpenGroup(openGroup === g.key ? null : g.key)}>
                  {g.title}
                  <Text className='picker__count'>
                    {g.cities.length} 个城市 {openGroup === g.key ? '▾' : '▸'}
                  </Text>
                </View>
                {openGroup === g.key && g.cities.map(row)}
              </View>
            ))}
          </ScrollView>
        </>
      )}
    </View>
  );
}
