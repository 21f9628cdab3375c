// Builds the window. The admin server serves renderer/dist with a CSP of `script-src 'self'`, so
// the output must hold no inline scripts; `base: './'` keeps asset URLs relative so the same build
// loads from the admin origin in Electron and in a browser.
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Vite inlines small modules (the modulepreload polyfill) as <script> otherwise.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
