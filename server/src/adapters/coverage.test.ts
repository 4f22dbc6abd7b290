import request from 'supertest';
import { AuditEntity } from '../admin/entities';
import { createTestHub, TEST_OPERATOR_TOKEN, type TestHub } from '../../test/support/app';
import { fakeWaterManifest, scriptFakeWater, startFakeProvider } from '../../test/support/fake-provider';
import { buildCityCatalog } from '../cities/catalog';
import { activationConflicts, servingAdapter, type CoverageCandidate } from './coverage';

const op = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describe('who serves a (city, category)', () => {
  const catalog = buildCityCatalog();
  const cityWater: CoverageCandidate = { id: 'city-water', category: 'water', coverage: { nationwide: false, provinces: [], cities: ['410100', '410300'] } };
  const henanWater: CoverageCandidate = { id: 'henan-water', category: 'water', coverage: { nationwide: false, provinces: ['41'], cities: [] } };
  const luoyangWater: CoverageCandidate = { id: 'luoyang-water', category: 'water', coverage: { nationwide: false, provinces: [], cities: ['410300'] } };

  it('lets a city-level adapter beat a province-level one, whatever their ids', () => {
    expect(servingAdapter([henanWater, cityWater], [], '410300', 'water')).toEqual({ adapterId: 'city-water', reason: 'city' });
    expect(servingAdapter([henanWater, cityWater], [], '410200', 'water')).toEqual({ adapterId: 'henan-water', reason: 'province' });
    expect(servingAdapter([henanWater, cityWater], [], '330100', 'water')).toBeNull();
  });

  it('settles a tie at the same level by the operator choice only', () => {
    const choice = { cityCode: '410300', category: 'water' as const, adapterId: 'luoyang-water' };
    expect(servingAdapter([cityWater, luoyangWater], [choice], '410300', 'water')).toEqual({ adapterId: 'luoyang-water', reason: 'chosen' });
    expect(servingAdapter([cityWater, luoyangWater], [choice], '410100', 'water')).toEqual({ adapterId: 'city-water', reason: 'city' });
  });

  it('finds a conflict where a new adapter ties with a serving one, and none where one level is more specific', () => {
    expect(activationConflicts(luoyangWater, [cityWater], [], catalog)).toEqual([{ cityCode: '410300', cityName: '洛阳市', category: 'water', servedBy: 'city-water' }]);
    // City-level over province-level: the more specific simply wins.
    expect(activationConflicts(luoyangWater, [henanWater], [], catalog)).toEqual([]);
    // Province-level under a city-level one: the city keeps its adapter; the rest of the province is new ground.
    expect(activationConflicts(henanWater, [cityWater], [], catalog)).toEqual([]);
    // A new version of the chosen adapter is no new conflict.
    expect(activationConflicts(luoyangWater, [cityWater], [{ cityCode: '410300', category: 'water', adapterId: 'luoyang-water' }], catalog)).toEqual([]);
  });
});

describe(`operators activate over a served city only by replacing (${process.env.DATABASE_URL ? 'MySQL + Redis' : 'SQLite + memory'})`, () => {
  let hub: TestHub;
  let fake: Awaited<ReturnType<typeof startFakeProvider>>;
  let server: ReturnType<TestHub['app']['callback']>;

  beforeEach(async () => {
    hub = await createTestHub();
    fake = await startFakeProvider();
    scriptFakeWater(fake);
    server = hub.app.callback();
    // 杭州水务 serves 杭州 and 宁波 at city level.
    await request(server).post('/api/v1/admin/adapters').set(op).send(fakeWaterManifest(fake.url, { coverage: { cities: ['330100', '330200'] } })).expect(201);
    await request(server).post('/api/v1/admin/adapters/fake-water/activate').set(op).send({ force: true }).expect(200);
  });
  afterEach(async () => {
    await hub.close();
    await fake.close();
  });

  const newcomer = () => fakeWaterManifest(fake.url, { id: 'ningbo-water', name: '宁波水费', coverage: { cities: ['330200'] } });

  it('refuses the overlap with every conflicting city listed, and changes nothing', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(newcomer()).expect(201);
    const refused = await request(server).post('/api/v1/admin/adapters/ningbo-water/activate').set(op).send({ force: true }).expect(409);
    expect(refused.body.error.code).toBe('COVERAGE_CONFLICT');
    expect(refused.body.error.details.conflicts).toEqual([{ cityCode: '330200', cityName: '宁波市', category: 'water', servedBy: 'fake-water' }]);
    const adapter = await request(server).get('/api/v1/admin/adapters/ningbo-water').set(op).expect(200);
    expect(adapter.body.adapter).toMatchObject({ status: 'draft', activeVersion: null });
    const coverage = await request(server).get('/api/v1/admin/coverage?city=330200').set(op).expect(200);
    expect(coverage.body.categories.find((c: { category: string }) => c.category === 'water')).toEqual({
      category: 'water',
      label: '水费',
      servedBy: { adapterId: 'fake-water', reason: 'city' },
      candidates: [{ adapterId: 'fake-water', level: 'city' }],
    });
  });

  it('serves the city with the replacement when the operator says so, records it in the audit log, and leaves the rest', async () => {
    await request(server).post('/api/v1/admin/adapters').set(op).send(newcomer()).expect(201);
    await request(server).post('/api/v1/admin/adapters/ningbo-water/activate').set(op).send({ force: true, replaces: ['fake-water'] }).expect(200);

    const ningbo = await request(server).get('/api/v1/cities/330200').expect(200);
    expect(ningbo.body.serviceGroups[0].services[0].serviceId).toBe('ningbo-water');
    const hangzhou = await request(server).get('/api/v1/cities/330100').expect(200);
    expect(hangzhou.body.serviceGroups[0].services[0].serviceId).toBe('fake-water');

    const coverage = await request(server).get('/api/v1/admin/coverage?city=330200').set(op).expect(200);
    const water = coverage.body.categories.find((c: { category: string }) => c.category === 'water');
    expect(water.servedBy).toEqual({ adapterId: 'ningbo-water', reason: 'chosen' });
    expect(water.candidates).toEqual(expect.arrayContaining([{ adapterId: 'fake-water', level: 'city' }, { adapterId: 'ningbo-water', level: 'city' }]));

    const audit = await hub.stores.dataSource.getRepository(AuditEntity).findBy({ action: 'coverage.replace' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'tester', target: 'ningbo-water@1.0.0', outcome: 'ok' });
    expect(JSON.parse(audit[0].details ?? '{}')).toEqual({ replaced: [{ cityCode: '330200', category: 'water', adapterId: 'fake-water' }] });
  });

  it('answers an unknown city and a malformed one in the envelope', async () => {
    const unknown = await request(server).get('/api/v1/admin/coverage?city=999900').set(op).expect(404);
    expect(unknown.body.error.code).toBe('CITY_NOT_FOUND');
    const malformed = await request(server).get('/api/v1/admin/coverage?city=hz').set(op).expect(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(malformed.body.error.details)).toContain('city');
  });
});
