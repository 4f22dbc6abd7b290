import type { DataSource, EntityManager } from 'typeorm';

const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in one database transaction. SQLite has one connection per
 * process, so its transactions are queued here instead of interleaving on it;
 * MySQL runs them concurrently and relies on conditional updates and unique keys.
 */
export function inTransaction<T>(dataSource: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'mysql') return dataSource.transaction('READ COMMITTED', work);
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => dataSource.transaction(work));
  queues.set(dataSource, next);
  return next;
}
