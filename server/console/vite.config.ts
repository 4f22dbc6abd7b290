import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes a .gz beside each script and style sheet: the hub compresses
 * nothing on the fly, so the console's first load (antd is most of it)
 * travels at about a third of its size (server/src/http/console.ts).
 */
function precompress(): Plugin {
  return {
    name: 'cityhub-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(file)) continue;
        const built = path.join(options.dir ?? 'dist', file);
        fs.writeFileSync(`${built}.gz`, gzipSync(fs.readFileSync(built), { level: 9 }));
      }
    },
  };
}

/** The operator console, served by the hub at /console (server/src/http/console.ts). */
export default defineConfig({
  base: '/console/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd's own chunk is large by nature; the pages are split from it and from each other.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks: (id) => (/node_modules\/(react|react-dom|scheduler)\//.test(id) ? 'react' : undefined),
      },
    },
  },
});
