import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The operator console, served by the hub at /console (server/src/http/console.ts). */
export default defineConfig({
  base: '/console/',
  plugins: [react()],
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
