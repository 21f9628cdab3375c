// Builds the window. The admin server serves renderer/dist with a CSP of `script-src 'self'`, so
// the output must hold no inline scripts; `base: './'` keeps asset URLs relative so the same build
// loads from the admin origin in Electron and in a browser.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // This folder, whichever directory vite is started from (vite resolves outDir against it).
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Vite inlines small modules (the modulepreload polyfill) as <script> otherwise.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
