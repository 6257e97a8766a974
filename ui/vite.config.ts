import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Served from disk by Tauri: relative asset paths, nothing from a CDN.
export default defineConfig({
  plugins: [svelte()],
  base: './',
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  // The charting chunk (ECharts, tree-shaken) is ~600 kB and loads only with
  // the dashboard.
  build: { outDir: 'dist', emptyOutDir: true, target: 'safari15', chunkSizeWarningLimit: 700 },
  test: { include: ['src/**/*.test.ts'] },
});
