/**
 * `npm start`: the whole system on one machine for a newcomer — the provider
 * simulators, the mock WeChat, the hub (embedded SQLite + in-process store
 * unless DATABASE_URL / REDIS_URL say otherwise) and the h5 build served at
 * the hub's root, the operator console at /console. Builds the h5 app and
 * the console in the background when they are missing.
 * Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDevKeys } from '../server/src/payments/wechatpay/keys';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const children: Array<{ name: string; child: ChildProcess }> = [];
let stopping = false;

function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(11);
  const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix} ${line}\n`);
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    if (name === 'console-build') {
      console.log(code === 0 ? `${prefix} console build ready: open http://127.0.0.1:${process.env.PORT ?? 3000}/console` : `${prefix} console build failed (exit ${code}); the API still works`);
      return;
    }
    if (name === 'h5-build') {
      console.log(code === 0 ? `${prefix} h5 build ready: open http://127.0.0.1:${process.env.PORT ?? 3000}/` : `${prefix} h5 build failed (exit ${code}); the API still works`);
      return;
    }
    console.error(`${prefix} exited (${signal ?? code}); stopping everything`);
    stop(1);
  });
  children.push({ name, child });
  return child;
}

function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  void Promise.all(children.map(({ child }) => (child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r))))).then(() => process.exit(code));
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const dataDir = path.resolve(root, process.env.DATA_DIR ?? 'data');
// The hub and the mock WeChat share these development keys; make them before either starts.
const keysDir = path.resolve(root, process.env.WECHAT_KEYS_DIR ?? path.join(dataDir, 'keys'));
ensureDevKeys(keysDir);
const sandbox = (file: string) => path.join(root, 'server', 'sandbox', file);

if (fs.existsSync(sandbox('providers/run.ts'))) run('providers', tsx, [sandbox('providers/run.ts'), 'all']);
if (fs.existsSync(sandbox('wechat/run.ts'))) run('wechat', tsx, [sandbox('wechat/run.ts'), '--keys', keysDir]);
run('hub', tsx, [path.join(root, 'server', 'src', 'main.ts')]);

if (!fs.existsSync(path.join(root, 'miniapp', 'dist', 'h5', 'index.html'))) {
  console.log('[start]     the h5 app is not built yet: building it in the background (about a minute)');
  run('h5-build', 'npm', ['run', '--silent', 'build:h5'], { NODE_ENV: 'production' });
}
// The operator console (/console), likewise.
if (!process.env.CONSOLE_DIR && !fs.existsSync(path.join(root, 'server', 'console', 'dist', 'index.html'))) {
  console.log('[start]     the operator console is not built yet: building it in the background');
  run('console-build', 'npm', ['run', '--silent', 'build:console'], { NODE_ENV: 'production' });
}
