import request from 'supertest';
import { cityListSchema } from '@cityhub/shared';
import { createTestHub, type TestHub } from '../../test/support/app';

describe(`GET /api/v1/cities (${process.env.DATABASE_URL ? 'MySQL' : 'SQLite'})`, () => {
  let hub: TestHub;
  let server: ReturnType<TestHub['app']['callback']>;
  beforeAll(async () => {
    hub = await createTestHub();
    server = hub.app.callback();
  });
  afterAll(() => hub.close());

  it('lists the whole catalog, seeded by migration', async () => {
    const res = await request(server).get('/api/v1/cities').expect(200);
    const { cities } = cityListSchema.parse(res.body);
    expect(cities.length).toBeGreaterThanOrEqual(330);
    expect(cities.map((c) => c.code)).toEqual(expect.arrayContaining(['410100', '330100']));
  });

  it.each(['郑州', 'zhengzhou', 'zz', 'ZZ', 'zheng'])('finds 郑州市 by %p', async (q) => {
    const res = await request(server).get('/api/v1/cities').query({ q }).expect(200);
    expect(res.body.cities.map((c: { code: string }) => c.code)).toContain('410100');
  });

  it('narrows by province', async () => {
    const res = await request(server).get('/api/v1/cities').query({ province: '33' }).expect(200);
    expect(res.body.cities.length).toBe(11);
    expect(res.body.cities.every((c: { provinceCode: string }) => c.provinceCode === '33')).toBe(true);
  });

  it('treats LIKE wildcards in q as plain characters', async () => {
    const res = await request(server).get('/api/v1/cities').query({ q: '%' }).expect(200);
    expect(res.body.cities).toEqual([]);
  });

  it('returns one city by code', async () => {
    const res = await request(server).get('/api/v1/cities/330100').expect(200);
    expect(res.body.city).toMatchObject({ code: '330100', name: '杭州市' });
  });

  it('answers an unknown code with a 404 envelope', async () => {
    const res = await request(server).get('/api/v1/cities/999999').expect(404);
    expect(res.body.error).toMatchObject({ code: 'CITY_NOT_FOUND', requestId: expect.any(String) });
  });

  it('answers a malformed code with a 400 envelope naming the field', async () => {
    const res = await request(server).get('/api/v1/cities/41o100').expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues[0].path).toBe('params.code');
  });

  it('locates the city nearest to a point, with the distance to its seat', async () => {
    const res = await request(server).get('/api/v1/cities/locate').query({ lat: '34.7567', lng: '113.7786' }).expect(200);
    expect(res.body.city).toMatchObject({ code: '410100', name: '郑州市' });
    expect(res.body.distanceKm).toBeGreaterThanOrEqual(0);
    expect(res.body.distanceKm).toBeLessThan(20);
  });

  it('answers a point far from every city with CITY_NOT_FOUND', async () => {
    const res = await request(server).get('/api/v1/cities/locate').query({ lat: '48.8566', lng: '2.3522' }).expect(404);
    expect(res.body.error.code).toBe('CITY_NOT_FOUND');
  });

  it.each([
    [{ lng: '113.7' }, 'query.lat'],
    [{ lat: '', lng: '113.7' }, 'query.lat'],
    [{ lat: 'north', lng: '113.7' }, 'query.lat'],
    [{ lat: '91', lng: '113.7' }, 'query.lat'],
    [{ lat: '34.7', lng: '-181' }, 'query.lng'],
  ])('refuses %p with a 400 naming %s', async (query, field) => {
    const res = await request(server).get('/api/v1/cities/locate').query(query).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues[0].path).toBe(field);
  });

  it('refuses an over-long query with a 400 naming q', async () => {
    const res = await request(server).get('/api/v1/cities').query({ q: 'x'.repeat(41) }).expect(400);
    expect(res.body.error.message).toContain('query.q');
  });
});
