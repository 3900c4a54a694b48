import { defineConfig } from 'vite';

// The renderer: served by `procscope serve` and loaded from file:// by Electron, hence relative paths.
export default defineConfig({
  root: 'renderer',
  base: './',
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  oxc: { jsx: { runtime: 'automatic' } },
});
