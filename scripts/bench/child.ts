/**
 * The bench's own child processes (baseline server, load generator, payment
 * driver): TypeScript run by node with the tsx loader, so the pid we hold is
 * the process doing the work. They speak JSON lines on stdout; stderr is
 * passed through with the child's name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const live = new Set<ChildProcess>();
// However the bench ends (an error, Ctrl-C), its children do not outlive it.
process.on('exit', () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Stops every bench child still running (called on the way out, whatever happened). */
export function stopBenchChildren(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

export interface BenchChild {
  pid: number;
  /** The first JSON line the child printed (a server's address). */
  ready: Promise<unknown>;
  /** The last JSON line, once the child exited 0. */
  done: Promise<unknown>;
  stop(): Promise<void>;
}

/** Runs scripts/bench/<name>.ts in its own node process with `input` as its one JSON argument. */
export function startBenchChild(name: string, input: unknown = {}, env: NodeJS.ProcessEnv = {}): BenchChild {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, `${name}.ts`), JSON.stringify(input)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // spawn() leaves pid undefined only when the process could not start; its 'error' event says why.
  const pid = child.pid;
  if (pid === undefined) throw new Error(`bench ${name} could not be started`);
  live.add(child);
  const lines: unknown[] = [];
  let resolveReady!: (v: unknown) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<unknown>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line));
        if (lines.length === 1) resolveReady(lines[0]);
      } catch {
        process.stdout.write(`[${name}] ${line}\n`);
      }
    }
  });
  let errTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errTail = (errTail + chunk.toString()).slice(-4000);
    process.stderr.write(chunk.toString().replace(/^(?=.)/gm, `[${name}] `));
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const done = exited.then((code) => {
    const failure = new Error(`bench ${name} exited ${code}${errTail ? `: ${errTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    rejectReady(failure);
    if (code !== 0 || !lines.length) throw failure;
    return lines[lines.length - 1];
  });
  done.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  ready.catch(() => {});
  return {
    pid,
    ready,
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a bench child to completion and returns its last JSON line. */
export function runBenchChild<T>(name: string, input: unknown): Promise<T> {
  return startBenchChild(name, input).done as Promise<T>;
}
