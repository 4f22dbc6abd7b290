import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createPool } from 'mysql2/promise';
import { openDatabase } from '../../src/infra/database';
import { openKeyValueStore, type KeyValueStore } from '../../src/infra/kv';

export interface TestStores {
  dataSource: DataSource;
  kv: KeyValueStore;
  /** 'embedded' (SQLite + in-process) or 'real' (MySQL/MariaDB + Redis), from the environment or the target. */
  mode: 'embedded' | 'real';
  databaseUrl?: string;
  redisUrl?: string;
  redisNamespace?: string;
  close(): Promise<void>;
}

/**
 * Opens fresh, isolated stores for one test file, migrated like production.
 * Real mode makes a scratch MySQL database and a Redis key namespace of its
 * own, and fails (never skips) when either cannot be reached. The stores are
 * those of the environment (DATABASE_URL / REDIS_URL) unless `target` names
 * them (the bench measures both modes in one run).
 */
export async function openTestStores(target?: { databaseUrl?: string; redisUrl?: string }): Promise<TestStores> {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const baseUrl = target ? target.databaseUrl : process.env.DATABASE_URL;
  const redisUrl = target ? target.redisUrl : process.env.REDIS_URL;
  const mode = baseUrl || redisUrl ? 'real' : 'embedded';
  if (mode === 'real' && (!baseUrl || !redisUrl)) {
    throw new Error('real-store tests need both DATABASE_URL and REDIS_URL');
  }
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (baseUrl) {
    const url = new URL(baseUrl.replace(/^mariadb:/, 'mysql:'));
    const name = `cityhub_t_${suffix}`;
    const admin = createPool({ uri: url.toString(), connectionLimit: 1 });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    };
  }
  const redisNamespace = `cityhub-test:${suffix}:`;
  const dataSource = await openDatabase({ databaseUrl, dataDir: ':memory:' });
  const kv = await openKeyValueStore(redisUrl, redisNamespace);
  return {
    dataSource,
    kv,
    mode,
    databaseUrl,
    redisUrl,
    redisNamespace,
    async close() {
      await Promise.allSettled([dataSource.destroy(), kv.close()]);
      await dropDatabase();
    },
  };
}
