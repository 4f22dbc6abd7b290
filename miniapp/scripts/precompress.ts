/**
 * Writes a brotli (.br) and a gzip (.gz) copy of each text file of the h5
 * build, once at build time at the highest levels, so the hub sends them
 * as they are (server/src/http/static-files.ts) instead of compressing per
 * request. Run by `npm run build:h5` after Taro.
 */
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = path.resolve(__dirname, '..', 'dist', 'h5');
const TEXT = /\.(js|css|html|svg|json|txt)$/;
/** Below this a compressed copy saves less than its headers cost. */
const MIN_BYTES = 1024;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

let raw = 0;
let br = 0;
let count = 0;
for (const file of files(dist).filter((f) => TEXT.test(f))) {
  const content = fs.readFileSync(file);
  if (content.length < MIN_BYTES) continue;
  const brotli = brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length } });
  fs.writeFileSync(`${file}.br`, brotli);
  fs.writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
  raw += content.length;
  br += brotli.length;
  count++;
}
console.log(`precompressed ${count} files of dist/h5: ${(raw / 1024).toFixed(1)} KB -> ${(br / 1024).toFixed(1)} KB brotli`);
