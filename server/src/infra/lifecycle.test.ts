import { Lifecycle, LifecycleStartError, type LifecyclePart } from './lifecycle';

/** Parts that record every start and stop in one shared journal. */
function recordingParts(names: string[], failing: { start?: string; stop?: string } = {}) {
  const journal: string[] = [];
  const parts: LifecyclePart[] = names.map((name) => ({
    name,
    async start() {
      // A tick between parts: the order must hold across awaits, not only for synchronous starts.
      await new Promise((resolve) => setImmediate(resolve));
      if (failing.start === name) throw new Error(`${name} refused`);
      journal.push(`start ${name}`);
    },
    async stop() {
      await new Promise((resolve) => setImmediate(resolve));
      journal.push(`stop ${name}`);
      if (failing.stop === name) throw new Error(`${name} stuck`);
    },
  }));
  return { journal, parts };
}

describe('Lifecycle', () => {
  it('starts parts in order and stops them in reverse', async () => {
    const { journal, parts } = recordingParts(['stores', 'registry', 'outbox', 'http']);
    const lifecycle = new Lifecycle(parts);
    await lifecycle.start();
    expect(journal).toEqual(['start stores', 'start registry', 'start outbox', 'start http']);
    await lifecycle.stop();
    expect(journal.slice(4)).toEqual(['stop http', 'stop outbox', 'stop registry', 'stop stores']);
  });

  it('stops the parts already started, in reverse, when one fails to start, and names it', async () => {
    const { journal, parts } = recordingParts(['stores', 'registry', 'outbox', 'http'], { start: 'outbox' });
    const lifecycle = new Lifecycle(parts);
    const failure = await lifecycle.start().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(LifecycleStartError);
    expect((failure as LifecycleStartError).part).toBe('outbox');
    expect((failure as Error).message).toContain('outbox refused');
    // The failed part and those after it are neither started nor stopped.
    expect(journal).toEqual(['start stores', 'start registry', 'stop registry', 'stop stores']);
    // A later stop (main's shutdown handler) finds nothing left to stop.
    await lifecycle.stop();
    expect(journal).toHaveLength(4);
  });

  it('stops each part once however often stop is called, also concurrently', async () => {
    const { journal, parts } = recordingParts(['stores', 'http']);
    const lifecycle = new Lifecycle(parts);
    await lifecycle.start();
    await Promise.all([lifecycle.stop(), lifecycle.stop()]);
    await lifecycle.stop();
    expect(journal).toEqual(['start stores', 'start http', 'stop http', 'stop stores']);
  });

  it('keeps stopping the other parts when one fails to stop, then reports it', async () => {
    const { journal, parts } = recordingParts(['stores', 'registry', 'http'], { stop: 'registry' });
    const lifecycle = new Lifecycle(parts);
    await lifecycle.start();
    await expect(lifecycle.stop()).rejects.toThrow('1 hub part(s) did not stop cleanly');
    expect(journal.slice(3)).toEqual(['stop http', 'stop registry', 'stop stores']);
  });

  it('stopped while starting: finishes the part in progress, starts no more, stops what started', async () => {
    const { journal, parts } = recordingParts(['stores', 'registry', 'http']);
    const lifecycle = new Lifecycle(parts);
    const starting = lifecycle.start();
    const stopping = lifecycle.stop();
    await expect(starting).rejects.toThrow('stopped while starting');
    await stopping;
    expect(journal).toEqual(['start stores', 'stop stores']);
    await expect(lifecycle.start()).rejects.toThrow('cannot start again');
  });

  it('stops a part that was already running (a store opened while building) even when start is never called or fails', async () => {
    const closed: string[] = [];
    const store = (name: string): LifecyclePart => ({ name, alreadyRunning: true, stop: () => void closed.push(name) });
    await new Lifecycle([store('database'), store('key-value store'), { name: 'http' }]).stop();
    expect(closed).toEqual(['key-value store', 'database']);

    closed.length = 0;
    const { journal, parts } = recordingParts(['registry', 'http'], { start: 'http' });
    await expect(new Lifecycle([store('database'), ...parts]).start()).rejects.toThrow('http did not start');
    expect(journal).toEqual(['start registry', 'stop registry']);
    expect(closed).toEqual(['database']);
  });

  it('refuses an already-running part behind one it starts (it would be stopped too early)', () => {
    expect(() => new Lifecycle([{ name: 'registry' }, { name: 'database', alreadyRunning: true }])).toThrow('database is already running');
  });

  it('refuses two parts of one name (logs and errors name parts)', () => {
    expect(() => new Lifecycle([{ name: 'http' }, { name: 'http' }])).toThrow('two lifecycle parts are named http');
  });
});
