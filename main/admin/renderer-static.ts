/**
 * Serves the built window (renderer/dist) from the admin origin, with headers that keep it to
 * itself: a CSP that allows nothing but its own scripts and the admin API, no framing, no
 * referrer, no content sniffing. Any GET that is not an asset or /api gets index.html, so the
 * SPA's own paths survive a reload.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import express, { type RequestHandler, type Router } from 'express';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";

/** <repo>/renderer/dist, from main/admin/. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../renderer/dist', import.meta.url));

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
};

export function rendererRouter(rendererDir: string): Router {
  const router = express.Router();
  const index = path.join(rendererDir, 'index.html');
  router.use(express.static(rendererDir, { index: false, fallthrough: true, dotfiles: 'ignore' }));
  router.get(/^(?!\/api(?:\/|$)).*/, (_req, res) => {
    // Checked per request: `npm run build:renderer` may run while Gatehouse is up.
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send(`the window is not built: run npm run build:renderer\n(looked for ${index})\n`);
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  });
  return router;
}
