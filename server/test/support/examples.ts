import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_OPERATOR_TOKEN, type TestHub } from './app';

const root = path.resolve(__dirname, '..', '..', '..');

/** A worked example of docs/adapters.md (docs/examples/NAME): its own provider process, and its manifest pointed at it. */
export interface RunningExample {
  dir: string;
  providerUrl: string;
  /** The example's manifest, rewritten to reach this run's provider. */
  manifestFile: string;
  close(): Promise<void>;
}

/** Starts an example's provider on a free port, as an operator would run their own, and writes its manifest for that port. */
export async function startExample(name: string, defaultUrl: string): Promise<RunningExample> {
  const dir = path.join(root, 'docs', 'examples', name);
  const provider: ChildProcess = spawn(process.execPath, [path.join(dir, 'provider.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const providerUrl = await new Promise<string>((resolve, reject) => {
    provider.stdout?.on('data', (chunk: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (m) resolve(m[1]);
    });
    provider.once('exit', (code) => reject(new Error(`the example provider ${name} exited (${code})`)));
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `cityhub-${name}-`));
  const manifestFile = path.join(work, `${name}.manifest.json`);
  fs.writeFileSync(manifestFile, fs.readFileSync(path.join(dir, `${name}.manifest.json`), 'utf8').replace(defaultUrl, providerUrl));
  return {
    dir,
    providerUrl,
    manifestFile,
    async close() {
      const exited = new Promise((r) => provider.once('exit', r));
      provider.kill('SIGTERM');
      await exited;
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Runs the cityhub CLI against a test hub as an operator would; asynchronously, since the hub answers from this same process. */
export function cli(hub: TestHub, args: string[], input?: string): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'cityhub.ts'), ...args], {
    cwd: root,
    env: { ...process.env, CITYHUB_URL: hub.url, CITYHUB_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(input ?? '');
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, out })));
}
