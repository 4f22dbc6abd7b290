import { LocalCache } from './local-cache';

describe('LocalCache', () => {
  it('answers until the TTL has passed, then forgets', () => {
    let now = 1_000;
    const cache = new LocalCache<string>(100, 10, () => now);
    cache.set('a', 'one');
    now += 99;
    expect(cache.get('a')).toBe('one');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a key when told to', () => {
    const cache = new LocalCache<string>(60_000);
    cache.set('a', 'one');
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the oldest entry once full', () => {
    const cache = new LocalCache<number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 11);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(11);
    expect(cache.get('c')).toBe(3);
  });
});
