/**
 * The one test command (`npm test`): every Jest project on the embedded
 * stores, then the hub's suite again on MySQL/MariaDB + Redis, then the
 * short crash test and the short scale test (each one check: nothing lost
 * or doubled across SIGKILLs, on one hub and on two).
 * Ends with the line `N passed, N failed`.
 *
 * TEST_DATABASE_URL / TEST_REDIS_URL choose the real stores (defaults: the
 * local MariaDB's `cityhub_test` database and the local Redis).
 * TEST_STORES=embedded skips the real-store pass (for a laptop without
 * MariaDB); CI never sets it, so there the pass fails when they are down.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, '.test-results');
fs.mkdirSync(resultsDir, { recursive: true });

interface Tally {
  name: string;
  passed: number;
  failed: number;
  ok: boolean;
}

function jest(name: string, args: string[], env: NodeJS.ProcessEnv): Tally {
  const outputFile = path.join(resultsDir, `${name}.json`);
  fs.rmSync(outputFile, { force: true });
  console.log(`\n=== ${name} ===`);
  const run = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--json', `--outputFile=${outputFile}`, ...args],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  if (!fs.existsSync(outputFile)) return { name, passed: 0, failed: 1, ok: false };
  const report = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numRuntimeErrorTestSuites: number;
    success: boolean;
  };
  // A suite that crashed before running its tests counts as a failure, not as nothing.
  const failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
  return { name, passed: report.numPassedTests, failed, ok: run.status === 0 && report.success && failed === 0 };
}

const realStores = process.env.TEST_STORES !== 'embedded';
const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/cityhub_test';
const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where a URL points, without its password, for messages. */
function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 3306)}${u.pathname.length > 1 ? u.pathname : ''}`;
}

/**
 * What a fresh machine may lack, each checked before any test runs and named
 * in one line: MariaDB (whose test database is created here when missing),
 * Redis and Chromium. Returns the problems found.
 */
async function prerequisites(): Promise<string[]> {
  const problems: string[] = [];
  if (realStores) {
    const url = new URL(testDatabaseUrl.replace(/^mariadb:/, 'mysql:'));
    const database = decodeURIComponent(url.pathname.slice(1));
    url.pathname = '/';
    try {
      const connection = await createConnection({ uri: url.toString(), connectTimeout: 3000 });
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await connection.end();
    } catch (err) {
      problems.push(
        `MariaDB/MySQL at ${where(testDatabaseUrl)} cannot be used (${(err as Error).message}): start it (Debian: apt-get install mariadb-server && service mariadb start), or point TEST_DATABASE_URL at one; TEST_STORES=embedded skips the MariaDB + Redis pass`,
      );
    }
    const redis = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      problems.push(`Redis at ${where(testRedisUrl)} cannot be reached (${(err as Error).message}): start it (Debian: apt-get install redis-server && service redis-server start), or set TEST_REDIS_URL`);
    } finally {
      redis.disconnect();
    }
  }
  if (!fs.existsSync(chromiumPath)) {
    problems.push(`Chromium is not at ${chromiumPath} (the browser tests drive it): install it (Debian: apt-get install chromium fonts-wqy-microhei), or set CHROMIUM_PATH`);
  }
  return problems;
}

async function main(): Promise<void> {
  const missing = await prerequisites();
  if (missing.length) {
    for (const line of missing) console.error(`npm test needs: ${line}`);
    console.log(`0 passed, ${missing.length} failed`);
    process.exit(1);
  }

  // The browser tests drive the h5 build; make it once if this checkout has none.
  if (!fs.existsSync(path.join(root, 'miniapp', 'dist', 'h5', 'index.html'))) {
    console.log('building the h5 app for the browser tests (about a minute)');
    const build = spawnSync('npm', ['run', '--silent', 'build:h5'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (build.status !== 0) console.log('the h5 build failed: the browser tests will fail');
  }
  // The console's browser test drives its build (server/console/dist) the same way.
  if (!fs.existsSync(path.join(root, 'server', 'console', 'dist', 'index.html'))) {
    console.log('building the operator console for the browser tests');
    const build = spawnSync('npm', ['run', '--silent', 'build:console'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (build.status !== 0) console.log('the console build failed: its browser test will fail');
  }

  const tallies: Tally[] = [];
  tallies.push(jest('embedded', [], { DATABASE_URL: '', REDIS_URL: '' }));

  if (realStores) {
    tallies.push(jest('mysql-redis', ['--selectProjects', 'server'], { DATABASE_URL: testDatabaseUrl, REDIS_URL: testRedisUrl }));
    // The crash test, short: the hub on MariaDB + Redis killed with SIGKILL mid-payment (full: npm run test:crash).
    console.log('\n=== crash (short) ===');
    const crash = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'crash-test.ts'), '--payments', '80', '--kills', '3', '--quiet'], {
      cwd: root,
      stdio: 'inherit',
      env: process.env,
    });
    tallies.push({ name: 'crash', passed: crash.status === 0 ? 1 : 0, failed: crash.status === 0 ? 0 : 1, ok: crash.status === 0 });
    // The scale test, short: 2 hubs on MariaDB + Redis, every notification twice and out of order, SIGKILLs (full: npm run test:scale).
    console.log('\n=== scale (short) ===');
    const scale = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'scale-test.ts'), '--short', '--quiet'], {
      cwd: root,
      stdio: 'inherit',
      env: process.env,
    });
    tallies.push({ name: 'scale', passed: scale.status === 0 ? 1 : 0, failed: scale.status === 0 ? 0 : 1, ok: scale.status === 0 });
  }

  console.log('');
  for (const t of tallies) console.log(`${t.name}: ${t.passed} passed, ${t.failed} failed`);
  const passed = tallies.reduce((n, t) => n + t.passed, 0);
  const failed = tallies.reduce((n, t) => n + t.failed, 0);
  const ok = tallies.every((t) => t.ok);
  console.log(`${passed} passed, ${ok ? failed : Math.max(failed, 1)} failed`);
  process.exit(ok ? 0 : 1);
}

void main();
