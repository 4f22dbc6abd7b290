import { DEFAULT_RATE_LIMITS } from './rate-limits';
import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('defaults to port 3000 on 127.0.0.1 with embedded stores', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
  });

  it('lets environment variables override the files', () => {
    const config = loadConfig({ PORT: '4000', DATABASE_URL: 'mysql://root@127.0.0.1:3306/test', CORS_ORIGINS: 'http://a.example, http://b.example' });
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBe('mysql://root@127.0.0.1:3306/test');
    expect(config.corsOrigins).toEqual(['http://a.example', 'http://b.example']);
  });

  it('derives the address the gateway notifies from PORT and HOST unless PUBLIC_URL is set', () => {
    expect(loadConfig({}).publicUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ PORT: '3100' }).publicUrl).toBe('http://127.0.0.1:3100');
    expect(loadConfig({ PORT: '3100', HOST: '0.0.0.0' }).publicUrl).toBe('http://127.0.0.1:3100');
    expect(loadConfig({ PORT: '3100', PUBLIC_URL: 'https://pay.example.cn' }).publicUrl).toBe('https://pay.example.cn');
  });

  it.each([
    [{ PORT: 'eighty' }, 'port (env PORT)'],
    [{ PORT: '70000' }, 'port (env PORT)'],
    [{ DATABASE_URL: 'postgres://x' }, 'databaseUrl (env DATABASE_URL)'],
    [{ REDIS_URL: 'not a url' }, 'redisUrl (env REDIS_URL)'],
    [{ LOG_LEVEL: 'loud' }, 'logLevel (env LOG_LEVEL)'],
  ])('stops boot on %p with a message naming %p', (env, key) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(key);
  });

  it('reads the rate limits from config/default.json, each overridable by RATE_LIMITS', () => {
    expect(loadConfig({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    const raised = loadConfig({ RATE_LIMITS: '{"bindPerResident":{"points":1000},"loginPerIp":{"points":5,"durationSec":1}}' }).rateLimits;
    expect(raised.bindPerResident).toEqual({ points: 1000, durationSec: 3600 });
    expect(raised.loginPerIp).toEqual({ points: 5, durationSec: 1 });
    expect(raised.readsPerResident).toEqual(DEFAULT_RATE_LIMITS.readsPerResident);
    expect(() => loadConfig({ RATE_LIMITS: 'not json' })).toThrow('RATE_LIMITS');
    expect(() => loadConfig({ RATE_LIMITS: '{"noSuchLimit":{"points":1,"durationSec":1}}' })).toThrow(ConfigError);
  });

  it('keeps /metrics for operators unless METRICS_ACCESS says public', () => {
    expect(loadConfig({}).metricsAccess).toBe('operator');
    expect(loadConfig({ METRICS_ACCESS: 'public' }).metricsAccess).toBe('public');
  });
});

