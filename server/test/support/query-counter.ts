import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Counts the statements a data source sends to the database (each one is a
 * round trip on MySQL), by wrapping every query runner the driver hands out.
 * Transactions' BEGIN/COMMIT are statements too and are counted.
 */
export function countQueries(dataSource: DataSource): { statements: string[]; reset(): string[] } {
  const wrapped = new WeakSet<QueryRunner>();
  const statements: string[] = [];
  const driver = dataSource.driver as { createQueryRunner(mode: 'master' | 'slave'): QueryRunner };
  const original = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode) => {
    const runner = original(mode);
    if (!wrapped.has(runner)) {
      wrapped.add(runner);
      const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
      (runner as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
        statements.push(String(args[0]).replace(/\s+/g, ' ').slice(0, 120));
        return query(...args);
      };
    }
    return runner;
  };
  return {
    statements,
    reset() {
      return statements.splice(0, statements.length);
    },
  };
}
