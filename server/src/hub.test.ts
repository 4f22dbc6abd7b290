import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildHub, type HubConfig } from './hub';
import { loadConfig } from './infra/config';
import { createLogger } from './infra/logger';
import { testWechatKeys } from '../test/support/app';

/** The production path of main.ts: nothing handed in, so the hub opens its own embedded stores in a scratch folder. */
function productionConfig(dataDir: string, port: number, workers: 'on' | 'off'): HubConfig {
  const config = loadConfig({});
  return { ...config, dataDir, port, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:1', workers, adaptersDir: undefined, databaseUrl: undefined, redisUrl: undefined };
}

describe('buildHub (the one composition root)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-hub-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts its parts in order, serves, and on stop closes the stores it opened', async () => {
    const hub = await buildHub(productionConfig(dataDir, 0, 'on'), { log: createLogger('silent'), keys: testWechatKeys() });
    expect(hub.lifecycle.names).toEqual(['database', 'key-value store', 'adapter registry', 'outbox worker', 'scheduler', 'http server']);
    await hub.start();
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', accepting: true });

    await hub.stop();
    expect(hub.server.listening).toBe(false);
    expect(hub.dataSource.isInitialized).toBe(false);
    await hub.stop(); // a second SIGTERM
  });

  it('runs no outbox worker or scheduler in a process with WORKERS=off', async () => {
    const hub = await buildHub(productionConfig(dataDir, 0, 'off'), { log: createLogger('silent'), keys: testWechatKeys() });
    expect(hub.lifecycle.names).toEqual(['database', 'key-value store', 'adapter registry', 'http server']);
    await hub.stop();
    expect(hub.dataSource.isInitialized).toBe(false);
  });

  it('a port already taken fails the start, naming the HTTP server, and closes what it opened', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const hub = await buildHub(productionConfig(dataDir, port, 'on'), { log: createLogger('silent'), keys: testWechatKeys() });
      await expect(hub.start()).rejects.toThrow(/^http server did not start: .*EADDRINUSE/);
      expect(hub.dataSource.isInitialized).toBe(false);
      await expect(hub.start()).rejects.toThrow('cannot start again');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('leaves stores handed in open: they are the caller’s to close', async () => {
    const own = await buildHub(productionConfig(dataDir, 0, 'off'), { log: createLogger('silent'), keys: testWechatKeys() });
    const hub = await buildHub(productionConfig(dataDir, 0, 'off'), { log: createLogger('silent'), keys: testWechatKeys(), dataSource: own.dataSource, kv: own.kv });
    expect(hub.lifecycle.names).toEqual(['adapter registry', 'http server']);
    await hub.start();
    await hub.stop();
    expect(own.dataSource.isInitialized).toBe(true);
    await own.stop();
    expect(own.dataSource.isInitialized).toBe(false);
  });
});
