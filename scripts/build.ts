/**
 * `npm run build`: the hub, the sandbox runners and the operator CLI compiled
 * to JavaScript for production (issue 8, part 5):
 *
 *   server/dist/src/main.js                 the hub           node server/dist/src/main.js
 *   server/dist/sandbox/wechat/run.js       mock WeChat       node server/dist/sandbox/wechat/run.js --keys data/keys
 *   server/dist/sandbox/providers/run.js    the simulators    node server/dist/sandbox/providers/run.js all
 *   dist/cityhub.js                         the CLI           node dist/cityhub.js adapters list
 *
 * Each is one file bundled by esbuild: our code and the @cityhub/shared
 * workspace (TypeScript, which node cannot load) are inlined; every npm
 * package stays an ordinary require, resolved from node_modules at run time
 * (native better-sqlite3, TypeORM's optional drivers, pino's workers). TypeORM
 * is given its entities and migrations as imported classes and EntitySchemas,
 * never as globs, so a bundle carries them; names are kept for the migrations
 * table.
 *
 * The output sits where the sources' own relative paths still hold: the hub
 * finds the repository from its file three folders down (server/src/infra/config.ts
 * REPO_ROOT), and its packages from server/node_modules (the server's own
 * TypeORM) then the root; the CLI finds the repository one folder up.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

const root = path.resolve(__dirname, '..');
// esbuild comes with tsx (a direct dependency that bundles with it); the same version transpiles `npm start`.
 
// Required by resolved path: esbuild is tsx's dependency, not ours, so an import could not name it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const esbuild = require(require.resolve('esbuild', { paths: [path.dirname(require.resolve('tsx/package.json'))] })) as typeof import('esbuild');

/** npm packages stay external; our workspaces (TypeScript sources) are bundled. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@cityhub/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** The leading doc comment of a source file, kept as the bundle's first lines (the CLI prints it as its usage). */
function headerComment(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^\/\*\*[\s\S]*?\*\//.exec(text);
  return m ? m[0] : '';
}

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  keepNames: true,
  logLevel: 'warning',
  plugins: [externalPackages],
};

interface Entry {
  source: string;
  out: string;
  tsconfig: string;
  banner?: string;
}

const entries: Entry[] = [
  { source: 'server/src/main.ts', out: 'server/dist/src/main.js', tsconfig: 'server/tsconfig.json' },
  { source: 'server/sandbox/wechat/run.ts', out: 'server/dist/sandbox/wechat/run.js', tsconfig: 'server/tsconfig.json' },
  { source: 'server/sandbox/providers/run.ts', out: 'server/dist/sandbox/providers/run.js', tsconfig: 'server/tsconfig.json' },
  { source: 'scripts/cityhub.ts', out: 'dist/cityhub.js', tsconfig: 'scripts/tsconfig.json', banner: headerComment(path.join(root, 'scripts/cityhub.ts')) },
];

async function main(): Promise<void> {
  const started = Date.now();
  for (const dir of ['server/dist', 'dist']) fs.rmSync(path.join(root, dir), { recursive: true, force: true });
  await Promise.all(
    entries.map((e) =>
      esbuild.build({
        ...common,
        entryPoints: [path.join(root, e.source)],
        outfile: path.join(root, e.out),
        tsconfig: path.join(root, e.tsconfig),
        banner: e.banner ? { js: e.banner } : undefined,
      }),
    ),
  );
  for (const e of entries) {
    const kb = (fs.statSync(path.join(root, e.out)).size / 1024).toFixed(0);
    console.log(`built ${e.out.padEnd(38)} ${kb.padStart(5)} KB   (from ${e.source})`);
  }
  console.log(`done in ${Date.now() - started} ms; start the hub with: node server/dist/src/main.js`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
