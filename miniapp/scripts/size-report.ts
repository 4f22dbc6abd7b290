/**
 * Reports the weapp main-package size, the weapp total and the h5 JavaScript
 * (raw and gzipped); exits 1 when the main package exceeds WeChat's 2 MB limit.
 * Run after both builds: `npx tsx miniapp/scripts/size-report.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const MAIN_PACKAGE_LIMIT = 2 * 1024 * 1024;
const dist = path.resolve(__dirname, '..', 'dist');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
// Tooling files are not uploaded to WeChat.
const shipped = (file: string) => !/\.(map|LICENSE\.txt)$/.test(file) && path.basename(file) !== 'project.config.json';

const weapp = path.join(dist, 'weapp');
const appJson = JSON.parse(fs.readFileSync(path.join(weapp, 'app.json'), 'utf8')) as { subPackages?: Array<{ root: string }>; subpackages?: Array<{ root: string }> };
const subRoots = (appJson.subPackages ?? appJson.subpackages ?? []).map((p) => path.join(weapp, p.root));
let main = 0;
let total = 0;
for (const file of files(weapp).filter(shipped)) {
  const size = fs.statSync(file).size;
  total += size;
  if (!subRoots.some((root) => file.startsWith(root + path.sep))) main += size;
}

const h5Js = files(path.join(dist, 'h5')).filter((f) => f.endsWith('.js'));
const h5Raw = h5Js.reduce((n, f) => n + fs.statSync(f).size, 0);
const h5Gzip = h5Js.reduce((n, f) => n + gzipSync(fs.readFileSync(f)).length, 0);

console.log(`weapp main package: ${kb(main)} (limit ${kb(MAIN_PACKAGE_LIMIT)}), ${subRoots.length} subpackages, total ${kb(total)}`);
console.log(`h5 JavaScript: ${kb(h5Raw)} raw, ${kb(h5Gzip)} gzipped, ${h5Js.length} files`);
if (main > MAIN_PACKAGE_LIMIT) {
  console.error(`weapp main package is over WeChat's 2 MB limit by ${kb(main - MAIN_PACKAGE_LIMIT)}`);
  process.exit(1);
}
