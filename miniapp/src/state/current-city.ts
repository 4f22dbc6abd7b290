import Taro from '@tarojs/taro';
import { citySchema, type City } from '@cityhub/shared';

const KEY = 'cityhub.currentCity';

/** 郑州 until the resident picks a city; remembered across launches. */
export const DEFAULT_CITY: City = { code: '410100', name: '郑州市', provinceCode: '41', provinceName: '河南省', pinyin: 'zhengzhou', initials: 'zz' };

export function loadCurrentCity(): City {
  const parsed = citySchema.safeParse(Taro.getStorageSync(KEY));
  return parsed.success ? parsed.data : DEFAULT_CITY;
}

export function saveCurrentCity(city: City): void {
  Taro.setStorageSync(KEY, city);
}
