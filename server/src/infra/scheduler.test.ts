import { openTestStores, type TestStores } from '../../test/support/stores';
import { waitUntil } from '../../test/support/wait';
import { createLogger } from './logger';
import { Scheduler, type ScheduledJob } from './scheduler';

/**
 * The one scheduler of periodic jobs: croner says when, the key-value lease
 * says which hub process. Two schedulers on one key-value store stand for two
 * hub processes.
 */
describe('scheduler', () => {
  let stores: TestStores;
  const log = createLogger('silent');

  beforeAll(async () => {
    stores = await openTestStores();
  });
  afterAll(async () => {
    await stores?.close();
  });

  /** A job that runs until released, counting its runs. */
  function heldJob(name: string, extra: Partial<ScheduledJob> = {}) {
    let release: () => void = () => undefined;
    const state = { runs: 0, running: 0 };
    const job: ScheduledJob = {
      name,
      schedule: { cron: '0 0 0 1 1 *' }, // once a year: only runNow and catch-up run it here
      leaseMs: 60_000,
      run: async () => {
        state.runs++;
        state.running++;
        await new Promise<void>((resolve) => (release = resolve));
        state.running--;
      },
      ...extra,
    };
    return { job, state, release: () => release() };
  }

  it('runs a job in one process at a time: the second asks, finds the lease held, and skips', async () => {
    const { job, state, release } = heldJob(`once-${process.pid}`);
    const first = new Scheduler({ kv: stores.kv, log }).add(job);
    const second = new Scheduler({ kv: stores.kv, log }).add(job);
    const running = first.runNow(job.name);
    await waitUntil(() => state.running === 1);
    expect(await second.runNow(job.name)).toBe(false);
    release();
    expect(await running).toBe(true);
    expect(state.runs).toBe(1);
    // The lease is released when the run ends: the other process may run it next time.
    const again = second.runNow(job.name);
    await waitUntil(() => state.running === 1);
    release();
    expect(await again).toBe(true);
    expect(state.runs).toBe(2);
  });

  it('a failing run is logged, releases its lease, and does not stop the schedule', async () => {
    let calls = 0;
    const job: ScheduledJob = {
      name: `failing-${process.pid}`,
      schedule: { everyMs: 1000 },
      leaseMs: 60_000,
      run: async () => {
        calls++;
        throw new Error('provider down');
      },
    };
    const scheduler = new Scheduler({ kv: stores.kv, log }).add(job);
    expect(await scheduler.runNow(job.name)).toBe(true);
    expect(await scheduler.runNow(job.name)).toBe(true);
    expect(calls).toBe(2);
  });

  it('runs jobs on their schedule and once after start, and stop() waits for a run in progress', async () => {
    const ticking = { name: `ticking-${process.pid}`, schedule: { everyMs: 1000 }, leaseMs: 5000, runs: 0 };
    const catchUp = heldJob(`catch-up-${process.pid}`, { catchUpAfterMs: 0 });
    const scheduler = new Scheduler({ kv: stores.kv, log })
      .add({ ...ticking, run: async () => void ticking.runs++ })
      .add(catchUp.job);
    scheduler.start();
    await waitUntil(() => ticking.runs >= 2);
    await waitUntil(() => catchUp.state.running === 1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    catchUp.release();
    await stopping;
    expect(catchUp.state.runs).toBe(1);
  });

  it('refuses two jobs with one name', () => {
    const { job } = heldJob('twice');
    expect(() => new Scheduler({ kv: stores.kv, log }).add(job).add(job)).toThrow(/already scheduled/);
  });
});
