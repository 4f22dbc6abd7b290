import { buildCityCatalog } from './catalog';

describe('city catalog', () => {
  const cities = buildCityCatalog();
  const byCode = new Map(cities.map((c) => [c.code, c]));

  it('covers every prefecture-level city and municipality of mainland China', () => {
    expect(cities.length).toBeGreaterThanOrEqual(330);
    expect(new Set(cities.map((c) => c.code)).size).toBe(cities.length);
    for (const c of cities) expect(c.code).toMatch(/^\d{6}$/);
  });

  it('has 郑州 and 杭州 with pinyin and initials', () => {
    expect(byCode.get('410100')).toMatchObject({ name: '郑州市', provinceName: '河南省', pinyin: 'zhengzhou', initials: 'zz' });
    expect(byCode.get('330100')).toMatchObject({ name: '杭州市', provinceName: '浙江省', pinyin: 'hangzhou', initials: 'hz' });
  });

  it('lists each municipality once under its own name, not as 市辖区', () => {
    expect(byCode.get('110100')).toMatchObject({ name: '北京市', pinyin: 'beijing' });
    expect(byCode.get('500100')).toMatchObject({ name: '重庆市', pinyin: 'chongqing' });
    expect(cities.some((c) => c.name === '市辖区' || c.name === '县')).toBe(false);
  });

  it('includes county-level cities that a province administers directly', () => {
    expect(byCode.get('419001')).toMatchObject({ name: '济源市', provinceCode: '41' });
  });

  it('reads polyphonic characters as city names are read', () => {
    expect(byCode.get('430100')?.pinyin).toBe('changsha');
    expect(byCode.get('350200')?.pinyin).toBe('xiamen');
  });
});
