import { defineConfig } from 'vite';

// Electron's preload runs sandboxed and cannot require files: one CommonJS bundle, electron left external.
export default defineConfig({
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    lib: { entry: 'electron/preload.ts', formats: ['cjs'], fileName: () => 'preload.js' },
    rollupOptions: { external: ['electron'] },
  },
});
