import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedAdapters } from '../../src/adapters/seed';
import { PROVIDERS, startProvider, type ProviderName, type RunningProvider } from '../../sandbox/providers/run';
import type { TestHub } from './app';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEMO_ADAPTERS_DIR = path.join(REPO_ROOT, 'config', 'adapters');

/** The demo manifests' provider ports, to point them at simulators on ephemeral ports. */
const PORT_OF = Object.fromEntries(Object.entries(PROVIDERS).map(([name, p]) => [String(p.port), name as ProviderName]));

export interface Sandbox {
  providers: Record<ProviderName, RunningProvider>;
  /** Write-offs a simulator recorded (its journal, as the provider sees it). */
  writeOffs(name: ProviderName): Promise<Array<{ orderNo: string; reference: string; amountFen: number }>>;
  close(): Promise<void>;
}

/** Starts the five provider simulators on free ports. */
export async function startSandbox(): Promise<Sandbox> {
  const names = Object.keys(PROVIDERS) as ProviderName[];
  const running = await Promise.all(names.map((n) => startProvider(n, 0)));
  const providers = Object.fromEntries(running.map((r) => [r.name, r])) as Record<ProviderName, RunningProvider>;
  return {
    providers,
    async writeOffs(name) {
      const res = await fetch(`${providers[name].url}/__sandbox/writeoffs`);
      return ((await res.json()) as { writeOffs: Array<{ orderNo: string; reference: string; amountFen: number }> }).writeOffs;
    },
    close: async () => {
      await Promise.all(running.map((r) => r.close()));
    },
  };
}

/**
 * Writes the demo adapters of config/adapters into `dir` with each manifest's
 * base URL moved to where its simulator runs now; a manifest whose simulator
 * is not given is left out.
 */
export function writeDemoAdapters(dir: string, urls: Partial<Record<ProviderName, string>>): void {
  for (const file of fs.readdirSync(DEMO_ADAPTERS_DIR)) {
    const text = fs.readFileSync(path.join(DEMO_ADAPTERS_DIR, file), 'utf8');
    if (file === 'secrets.dev.json') {
      fs.writeFileSync(path.join(dir, file), text);
      continue;
    }
    const provider = PORT_OF[/http:\/\/127\.0\.0\.1:(41\d\d)/.exec(text)?.[1] ?? ''];
    const url = provider && urls[provider];
    if (url) fs.writeFileSync(path.join(dir, file), text.replaceAll(`http://127.0.0.1:${PROVIDERS[provider].port}`, url));
  }
}

/**
 * Registers and activates the demo manifests of config/adapters through the
 * hub's own seed path (as `npm start` does), pointed at this sandbox.
 */
export async function seedDemoAdapters(hub: TestHub, sandbox: Sandbox): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityhub-adapters-'));
  try {
    writeDemoAdapters(dir, Object.fromEntries(Object.entries(sandbox.providers).map(([name, p]) => [name, p.url])));
    return await seedAdapters(dir, hub.services, hub.log);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
