/**
 * Reports the weight of both builds against the goals of issue 11 and checks
 * what WeChat would refuse. Run after both builds:
 * `npx tsx miniapp/scripts/size-report.ts`.
 *
 * - weapp main package: goal 400 KB; over WeChat's 2 MB limit fails.
 * - h5 first load: the compressed (brotli, as the hub sends it) JavaScript of
 *   the scripts index.html loads, the home page's chunk and the shared api
 *   chunk; goal 250 KB. Lighthouse's run (scripts/ci/lighthouse.ts) measures
 *   the bytes a browser actually fetched.
 * - the weapp output has no `Function` constructor (zod's JIT and its eval
 *   probe; see config/zod-no-eval-loader.js): found, it fails.
 * Goals are reported, not enforced; the limit and the eval check are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const MAIN_PACKAGE_LIMIT = 2 * 1024 * 1024;
const MAIN_PACKAGE_GOAL = 400 * 1024;
const FIRST_LOAD_JS_GOAL = 250 * 1024;
const dist = path.resolve(__dirname, '..', 'dist');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (actual: number, goal: number) => (actual <= goal ? 'met' : `over by ${kb(actual - goal)}`);
// Tooling files are not uploaded to WeChat.
const shipped = (file: string) => !/\.(map|LICENSE\.txt)$/.test(file) && path.basename(file) !== 'project.config.json';
let failed = false;

const weapp = path.join(dist, 'weapp');
const appJson = JSON.parse(fs.readFileSync(path.join(weapp, 'app.json'), 'utf8')) as { subPackages?: Array<{ root: string }>; subpackages?: Array<{ root: string }> };
const subRoots = (appJson.subPackages ?? appJson.subpackages ?? []).map((p) => path.join(weapp, p.root));
let main = 0;
let total = 0;
const evalUsers: string[] = [];
for (const file of files(weapp).filter(shipped)) {
  const size = fs.statSync(file).size;
  total += size;
  if (!subRoots.some((root) => file.startsWith(root + path.sep))) main += size;
  // `new Function(` or `Function("…")`: run-time code generation, which WeChat forbids. One use is
  // allowed: webpack's runtime finds the global object with `this||new Function("return this")()` inside
  // a try/catch, and only when globalThis is missing; it is not reached where globalThis exists.
  if (file.endsWith('.js')) {
    const code = fs.readFileSync(file, 'utf8').replaceAll('new Function("return this")()', '');
    if (/\bnew Function\b|[^.\w$]Function\(/.test(code)) evalUsers.push(path.relative(weapp, file));
  }
}

const h5 = path.join(dist, 'h5');
const h5Js = files(h5).filter((f) => f.endsWith('.js'));
const h5Raw = h5Js.reduce((n, f) => n + fs.statSync(f).size, 0);
const h5Gzip = h5Js.reduce((n, f) => n + gzipSync(fs.readFileSync(f)).length, 0);
const brotli = (file: string) => brotliCompressSync(fs.readFileSync(file)).length;

// What the home page loads: index.html's scripts, the home page's chunk and the shared api chunk.
const indexHtml = fs.readFileSync(path.join(h5, 'index.html'), 'utf8');
const initial = [...indexHtml.matchAll(/<script[^>]+src="\/?([^"]+\.js)"/g)].map((m) => path.join(h5, m[1] ?? ''));
const lazy = h5Js.filter((f) => /[\\/]js[\\/](pages[\\/]index[\\/]index|api)\.[0-9a-f]{8}\.js$/.test(f));
const firstLoad = [...new Set([...initial, ...lazy])].filter((f) => fs.existsSync(f));
const firstLoadBr = firstLoad.reduce((n, f) => n + brotli(f), 0);
const zodCopies = h5Js.filter((f) => fs.readFileSync(f, 'utf8').includes('Invalid element at key')).length;

console.log('weight goals (issue 11)');
console.log(`  weapp main package: ${kb(main)} (goal ${kb(MAIN_PACKAGE_GOAL)}: ${verdict(main, MAIN_PACKAGE_GOAL)}; limit ${kb(MAIN_PACKAGE_LIMIT)}), ${subRoots.length} subpackages, total ${kb(total)}`);
console.log(`  h5 first load JS (brotli): ${kb(firstLoadBr)} in ${firstLoad.length} files (goal ${kb(FIRST_LOAD_JS_GOAL)}: ${verdict(firstLoadBr, FIRST_LOAD_JS_GOAL)})`);
console.log(`  h5 JavaScript: ${kb(h5Raw)} raw, ${kb(h5Gzip)} gzipped, ${h5Js.length} files; zod bundled in ${zodCopies} file(s)`);
console.log(`  weapp code generation (Function constructor): ${evalUsers.length ? `FOUND in ${evalUsers.join(', ')}` : 'none'}`);
if (main > MAIN_PACKAGE_LIMIT) {
  console.error(`weapp main package is over WeChat's 2 MB limit by ${kb(main - MAIN_PACKAGE_LIMIT)}`);
  failed = true;
}
if (evalUsers.length) {
  console.error('the weapp build generates code at run time (WeChat forbids it): is zod-no-eval-loader applied?');
  failed = true;
}
if (failed) process.exit(1);
