import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatedProvider } from './common';
import { createGasProvider } from './gas';
import { createGridProvider } from './grid';
import { createPoliceProvider } from './police';
import { createTollProvider } from './toll';
import { createWaterProvider } from './water';

/** The five simulated providers and their default ports. */
export const PROVIDERS = {
  grid: { port: 4101, create: () => createGridProvider() },
  water: { port: 4102, create: () => createWaterProvider() },
  gas: { port: 4103, create: () => createGasProvider() },
  toll: { port: 4104, create: () => createTollProvider() },
  police: { port: 4105, create: () => createPoliceProvider() },
} as const;

export type ProviderName = keyof typeof PROVIDERS;

export interface RunningProvider {
  name: ProviderName;
  url: string;
  provider: SimulatedProvider;
  close(): Promise<void>;
}

/** Starts one simulated provider on 127.0.0.1 (port 0 picks a free one). */
export async function startProvider(name: ProviderName, port: number = PROVIDERS[name].port): Promise<RunningProvider> {
  const provider = PROVIDERS[name].create();
  const server = http.createServer(provider.app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name,
    url,
    provider,
    close: async () => {
      provider.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const [which = 'all', flag, value] = argv;
  const names = which === 'all' ? (Object.keys(PROVIDERS) as ProviderName[]) : [which as ProviderName];
  if (!names.every((n) => n in PROVIDERS)) {
    process.stderr.write(`usage: run.ts all | ${Object.keys(PROVIDERS).join(' | ')} [--port N]\n`);
    process.exit(2);
  }
  const port = flag === '--port' ? Number(value) : undefined;
  const running = await Promise.all(names.map((n) => startProvider(n, port ?? PROVIDERS[n].port)));
  for (const r of running) console.log(`provider simulator ${r.name} listening on ${r.url}`);
  const stop = () => void Promise.all(running.map((r) => r.close())).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main(process.argv.slice(2));
