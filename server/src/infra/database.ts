import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';

export interface DatabaseOptions {
  /** mysql:// or mariadb:// URL; absent means embedded SQLite. */
  databaseUrl?: string;
  /** Folder of the SQLite file; ':memory:' for a throwaway database. */
  dataDir: string;
}

export type DatabaseKind = 'sqlite' | 'mysql';

export function databaseKind(dataSource: DataSource): DatabaseKind {
  return dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
}

/** Builds (does not connect) the DataSource the configuration asks for. */
export function createDataSource(options: DatabaseOptions): DataSource {
  if (options.databaseUrl) {
    return new DataSource({
      type: 'mysql',
      url: options.databaseUrl.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: false,
      extra: { connectionLimit: 20 },
      entities,
      migrations,
      migrationsTableName: 'migrations',
      synchronize: false,
      logging: false,
    });
  }
  const memory = options.dataDir === ':memory:';
  if (!memory) fs.mkdirSync(options.dataDir, { recursive: true });
  return new DataSource({
    type: 'better-sqlite3',
    database: memory ? ':memory:' : path.join(options.dataDir, 'cityhub.sqlite'),
    // WAL lets readers proceed while the single writer commits; busy_timeout
    // makes a second process (the CLI, a crash-restart) wait instead of failing.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  });
}

/** Connects and runs pending migrations; fails with a clear message when the database cannot be reached. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  try {
    await dataSource.initialize();
  } catch (err) {
    const where = options.databaseUrl ? 'the database at DATABASE_URL' : `the SQLite file under ${options.dataDir}`;
    throw new Error(`cannot open ${where} (${(err as Error).message})`, { cause: err });
  }
  if (databaseKind(dataSource) === 'mysql') {
    // Several hub processes may start at once on one MySQL: a named lock lets
    // exactly one of them migrate while the others wait for it.
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query(`SELECT GET_LOCK('cityhub_migrations', 60)`);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query(`SELECT RELEASE_LOCK('cityhub_migrations')`).catch(() => undefined);
      await runner.release();
    }
  } else {
    await dataSource.runMigrations({ transaction: 'each' });
  }
  return dataSource;
}
